-- Month counts of the daily and weekly compliance, kept by triggers on their tables in the same
-- transaction as their rows, which the semiannual rating reads instead of the rows (a
-- half-year is whole months): ~20,000 rows at national scale instead of 543,000 days and
-- 290,000 account weeks, which took half of the rating's time. A count that falls to zero is
-- removed.
-- - institution_compliance_month: how many days of each month an institution had each kind of
--   day (its `facts`, migration 0018): always equal to
--     SELECT institution_id, date_trunc('month', day)::date, facts, count(*)
--       FROM institution_compliance_daily GROUP BY 1, 2, 3;
-- - account_week_month: the weeks computed with scope 'account' (one row, one pair of R2),
--   per institution and month of their Sunday (computed_on), and how many met the minimum:
--     SELECT institution_id, date_trunc('month', computed_on)::date, count(*),
--            count(*) FILTER (WHERE met)
--       FROM account_week_compliance WHERE scope = 'account' GROUP BY 1, 2.
--   (R2 groups the weeks of scope 'official' per official: it reads those rows.)
-- depends: 0020.rating_indicator_result_per_statement

CREATE TABLE institution_compliance_month (
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    month           date NOT NULL CHECK (extract(day FROM month) = 1),
    facts           integer NOT NULL,
    days            integer NOT NULL CHECK (days > 0),
    PRIMARY KEY (month, institution_id, facts)
);

-- Days removed (a rerun of a day deletes its rows first) are subtracted, days added are added;
-- an update moves a day from its old kind to its new one.
CREATE FUNCTION presswatch_compliance_month_count() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        -- The update and the delete see the table as it was: each row is one or the other.
        WITH removed AS (
            SELECT o.institution_id, date_trunc('month', o.day)::date AS month, o.facts,
                   count(*) AS days
              FROM old_rows AS o
             GROUP BY 1, 2, 3
        ),
        fewer AS (
            UPDATE institution_compliance_month AS m
               SET days = m.days - r.days
              FROM removed AS r
             WHERE m.month = r.month AND m.institution_id = r.institution_id
               AND m.facts = r.facts AND m.days > r.days
        )
        DELETE FROM institution_compliance_month AS m
         USING removed AS r
         WHERE m.month = r.month AND m.institution_id = r.institution_id
           AND m.facts = r.facts AND m.days <= r.days;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO institution_compliance_month AS m (institution_id, month, facts, days)
        SELECT n.institution_id, date_trunc('month', n.day)::date, n.facts, count(*)
          FROM new_rows AS n
         GROUP BY 1, 2, 3
        ON CONFLICT (month, institution_id, facts) DO UPDATE SET days = m.days + excluded.days;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION presswatch_compliance_month_clear() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM institution_compliance_month;
    RETURN NULL;
END;
$$;

CREATE TRIGGER institution_compliance_month_add AFTER INSERT ON institution_compliance_daily
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_compliance_month_count();
CREATE TRIGGER institution_compliance_month_remove AFTER DELETE ON institution_compliance_daily
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_compliance_month_count();
CREATE TRIGGER institution_compliance_month_update AFTER UPDATE ON institution_compliance_daily
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_compliance_month_count();
CREATE TRIGGER institution_compliance_month_clear AFTER TRUNCATE ON institution_compliance_daily
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_compliance_month_clear();

INSERT INTO institution_compliance_month (institution_id, month, facts, days)
SELECT institution_id, date_trunc('month', day)::date, facts, count(*)
  FROM institution_compliance_daily
 GROUP BY 1, 2, 3;

CREATE TABLE account_week_month (
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    month           date NOT NULL CHECK (extract(day FROM month) = 1),
    weeks           integer NOT NULL CHECK (weeks > 0),
    weeks_met       integer NOT NULL CHECK (weeks_met BETWEEN 0 AND weeks),
    PRIMARY KEY (month, institution_id)
);

CREATE FUNCTION presswatch_account_week_month_count() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        WITH removed AS (
            SELECT o.institution_id, date_trunc('month', o.computed_on)::date AS month,
                   count(*) AS weeks, count(*) FILTER (WHERE o.met) AS weeks_met
              FROM old_rows AS o
             WHERE o.scope = 'account'
             GROUP BY 1, 2
        ),
        fewer AS (
            UPDATE account_week_month AS m
               SET weeks = m.weeks - r.weeks, weeks_met = m.weeks_met - r.weeks_met
              FROM removed AS r
             WHERE m.month = r.month AND m.institution_id = r.institution_id
               AND m.weeks > r.weeks
        )
        DELETE FROM account_week_month AS m
         USING removed AS r
         WHERE m.month = r.month AND m.institution_id = r.institution_id
           AND m.weeks <= r.weeks;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO account_week_month AS m (institution_id, month, weeks, weeks_met)
        SELECT n.institution_id, date_trunc('month', n.computed_on)::date, count(*),
               count(*) FILTER (WHERE n.met)
          FROM new_rows AS n
         WHERE n.scope = 'account'
         GROUP BY 1, 2
        ON CONFLICT (month, institution_id) DO UPDATE
           SET weeks = m.weeks + excluded.weeks, weeks_met = m.weeks_met + excluded.weeks_met;
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION presswatch_account_week_month_clear() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM account_week_month;
    RETURN NULL;
END;
$$;

CREATE TRIGGER account_week_month_add AFTER INSERT ON account_week_compliance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_account_week_month_count();
CREATE TRIGGER account_week_month_remove AFTER DELETE ON account_week_compliance
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_account_week_month_count();
CREATE TRIGGER account_week_month_update AFTER UPDATE ON account_week_compliance
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_account_week_month_count();
CREATE TRIGGER account_week_month_clear AFTER TRUNCATE ON account_week_compliance
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_account_week_month_clear();

INSERT INTO account_week_month (institution_id, month, weeks, weeks_met)
SELECT institution_id, date_trunc('month', computed_on)::date, count(*),
       count(*) FILTER (WHERE met)
  FROM account_week_compliance
 WHERE scope = 'account'
 GROUP BY 1, 2;
