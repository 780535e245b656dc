-- Every rating_indicator row belongs to a rating_result row (0012's foreign key), now checked
-- once per statement instead of once per row, as 0017 did for the final guard: a rating
-- writes its 30,000 indicators in one statement, and the foreign key's lookup (and lock) of
-- the result per row took half of that statement's time (0.15 s of the rating's 1 s at
-- national scale). What the key did, these triggers do:
-- - an insert or an update of rating_indicator fails, whole, when one of its rows names no
--   result (SQLSTATE 23503, foreign_key_violation, as before);
-- - deleting results deletes their indicators (ON DELETE CASCADE); rating_result is truncated
--   only with rating_indicator (one TRUNCATE naming both; CASCADE no longer finds it);
-- - a result's key (rating_id, institution_id) cannot be changed (the key had no ON UPDATE
--   action: a referenced key could not change; none is ever changed).
-- Unlike the key, the check takes no lock on the results: a result deleted by another
-- transaction while indicators of it are being inserted would leave them behind. Ratings are
-- written one period at a time (presswatch.rating.compute locks the period first), and
-- results are deleted only by those writes, so this cannot happen here.
-- depends: 0019.rating_week_indexes

ALTER TABLE rating_indicator DROP CONSTRAINT rating_indicator_rating_id_institution_id_fkey;

CREATE FUNCTION presswatch_rating_indicator_result_check() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    orphan record;
BEGIN
    SELECT n.rating_id, n.institution_id INTO orphan
      FROM new_rows AS n
     WHERE NOT EXISTS (SELECT 1 FROM rating_result AS r
                        WHERE r.rating_id = n.rating_id AND r.institution_id = n.institution_id)
     ORDER BY n.rating_id, n.institution_id
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'rating_indicator row of rating % and institution % has no rating_result',
                        orphan.rating_id, orphan.institution_id
              USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER rating_indicator_result_insert_check AFTER INSERT ON rating_indicator
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_rating_indicator_result_check();
CREATE TRIGGER rating_indicator_result_update_check AFTER UPDATE ON rating_indicator
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_rating_indicator_result_check();

CREATE FUNCTION presswatch_rating_result_delete_indicators() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM rating_indicator AS i
     USING old_rows AS o
     WHERE i.rating_id = o.rating_id AND i.institution_id = o.institution_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER rating_result_delete_indicators AFTER DELETE ON rating_result
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_rating_result_delete_indicators();

CREATE FUNCTION presswatch_rating_result_truncate_check() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM rating_indicator) THEN
        RAISE EXCEPTION 'rating_result cannot be truncated without rating_indicator'
              USING ERRCODE = 'feature_not_supported',
                    HINT = 'Truncate table rating_indicator at the same time.';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER rating_result_truncate_check AFTER TRUNCATE ON rating_result
    FOR EACH STATEMENT EXECUTE FUNCTION presswatch_rating_result_truncate_check();

CREATE FUNCTION presswatch_rating_result_key_fixed() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'the key of rating_result (rating %, institution %) cannot change',
                    OLD.rating_id, OLD.institution_id
          USING ERRCODE = 'foreign_key_violation';
END;
$$;

CREATE TRIGGER rating_result_key_fixed BEFORE UPDATE OF rating_id, institution_id ON rating_result
    FOR EACH ROW
    WHEN (OLD.rating_id IS DISTINCT FROM NEW.rating_id
          OR OLD.institution_id IS DISTINCT FROM NEW.institution_id)
    EXECUTE FUNCTION presswatch_rating_result_key_fixed();
