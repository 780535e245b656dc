-- A half-year's indicators, scores, ranks and bands (R10), run by presswatch.rating.compute
-- into two temporary tables (dropped at commit); store.sql compares them with a stored rating
-- and writes them. Every value comes from the stored facts and the bound parameters, which
-- compute.py reads from a methodology (presswatch.rating.methodology), never from the live
-- settings: the same facts and methodology give the same rows.
-- Parameters: first_day, end_day (the period's local days [first_day, end_day)), tz,
-- platforms, require_verified, wiki_langs, max_days, evidence_ids, weights (jsonb: r1..r9 ->
-- weight), green_min, yellow_min, red_band, lowest_share, previous_rating_id.
-- The period's instants are [first_day 00:00, end_day 00:00) local time:
-- `(%(first_day)s::date)::timestamp AT TIME ZONE tz`.
-- An indicator is NULL (not applicable) when there is nothing to measure; its weight is then
-- spread over the applicable ones in proportion to theirs.

-- name: create_calc_tables
-- Without JIT for the rest of the transaction: compute_indicators is one large statement whose
-- compilation costs more than it saves (a tenth of its time at national scale), and its
-- optimisation and inlining, which its cost estimate brings on at ten times that scale, cost
-- seconds more.
SET LOCAL jit = off;
DROP TABLE IF EXISTS pg_temp.rating_indicator_calc, pg_temp.rating_result_calc;
CREATE TEMPORARY TABLE rating_indicator_calc (
    institution_id  bigint NOT NULL,
    indicator       text NOT NULL,
    value           numeric,
    weight          numeric NOT NULL,
    weight_used     numeric,
    evidence        jsonb NOT NULL,
    PRIMARY KEY (institution_id, indicator)
) ON COMMIT DROP;
CREATE TEMPORARY TABLE rating_result_calc (
    institution_id       bigint PRIMARY KEY,
    score                numeric(5, 2),
    rank                 integer,
    band                 text,
    weight_applicable    numeric NOT NULL,
    previous_score       numeric(5, 2),
    score_change         numeric(6, 2),
    held_accountable     boolean NOT NULL,
    accountable_because  text[] NOT NULL
) ON COMMIT DROP;

-- name: compute_indicators
-- One row per rated institution and indicator. Evidence: the counts, and at most
-- evidence_ids of the misses (ordered, "more": true when cut).
-- period is NOT MATERIALIZED: inlined where it is read, its bounds are constants the planner
-- sees, and it estimates the half-year's rows; as a materialized row it was left to guess (a
-- ninth of the half-year's daily rows) and sorted half a million rows on disk.
WITH period AS NOT MATERIALIZED (
    SELECT %(first_day)s::date AS first_day, %(end_day)s::date AS end_day,
           (%(first_day)s::date)::timestamp AT TIME ZONE %(tz)s::text AS start_at,
           (%(end_day)s::date)::timestamp AT TIME ZONE %(tz)s::text AS end_at
),
-- R1, R5-R8: the days of institution_compliance_daily in the period. R1 per day: the share of
-- the required platforms present (and verified, when required); R7: the share of the
-- Wikipedia languages present; R8: the mean of android, ios and open data.
-- An institution's days repeat the same facts for weeks on end, so its days are counted per
-- kind (the same facts) first, and a kind's shares are computed once and weighed by its days:
-- sum(days * share) / sum(days) is the mean of the days' shares digit for digit (numeric sums
-- are exact), for a fraction of the cost of two subqueries per day. A kind is the day's
-- `facts`, the integer with a bit per fact the row states (migration 0018); the facts are read
-- back from its bits. The days of each kind are counted per month as the days are written
-- (institution_compliance_month, migration 0021), and a half-year is whole months.
day_kinds AS (
    SELECT m.institution_id, m.facts, sum(m.days) AS days
      FROM institution_compliance_month AS m, period
     WHERE m.month >= period.first_day AND m.month < period.end_day
     GROUP BY m.institution_id, m.facts
),
-- The bits of the facts read below: a required platform missing, not verified, a language
-- missing (any of the four platforms, as the row's arrays are empty or not; the methodology's
-- languages, as R7 reads them), and the flags.
fact_bits AS (
    SELECT presswatch_compliance_facts('{facebook,x,instagram,telegram}', '{}', '{}',
                                       false, false, false, false, false) AS any_missing,
           presswatch_compliance_facts('{}', '{facebook,x,instagram,telegram}', '{}',
                                       false, false, false, false, false) AS any_unverified,
           presswatch_compliance_facts('{}', '{}', %(wiki_langs)s::text[],
                                       false, false, false, false, false) AS wiki_missing,
           presswatch_compliance_fact_bit('r5_pool_ok') AS pool_ok,
           presswatch_compliance_fact_bit('r6_council_ok') AS council_ok,
           presswatch_compliance_fact_bit('r8_android') AS android,
           presswatch_compliance_fact_bit('r8_ios') AS ios,
           presswatch_compliance_fact_bit('r8_open_data') AS open_data
),
day_facts AS (
    SELECT k.institution_id, k.days,
           (SELECT count(*) FROM unnest(%(platforms)s::text[]) AS rp (platform)
             WHERE k.facts & presswatch_compliance_fact_bit('missing:' || rp.platform) = 0
               AND (NOT %(require_verified)s::boolean
                    OR k.facts & presswatch_compliance_fact_bit('unverified:' || rp.platform)
                       = 0))::numeric
               / cardinality(%(platforms)s::text[]) AS r1,
           k.facts & b.any_missing = 0 AS all_present,
           k.facts & (b.any_missing | b.any_unverified) = 0 AS all_verified,
           k.facts & b.pool_ok <> 0 AS pool_ok,
           k.facts & b.council_ok <> 0 AS council_ok,
           (SELECT count(*) FROM unnest(%(wiki_langs)s::text[]) AS wl (lang)
             WHERE k.facts & presswatch_compliance_fact_bit('wiki_missing:' || wl.lang) = 0
           )::numeric / cardinality(%(wiki_langs)s::text[]) AS r7,
           k.facts & b.wiki_missing = 0 AS all_wiki_langs,
           k.facts & b.android <> 0 AS android,
           k.facts & b.ios <> 0 AS ios,
           k.facts & b.open_data <> 0 AS open_data
      FROM day_kinds AS k, fact_bits AS b
),
daily AS (
    SELECT f.institution_id,
           sum(f.days)::bigint AS days,
           sum(f.days * f.r1) / sum(f.days) AS r1,
           coalesce(sum(f.days) FILTER (WHERE f.all_present), 0)::bigint AS r1_days_all_present,
           coalesce(sum(f.days) FILTER (WHERE f.all_verified), 0)::bigint AS r1_days_all_verified,
           sum(f.days * f.pool_ok::int::numeric) / sum(f.days) AS r5,
           coalesce(sum(f.days) FILTER (WHERE f.pool_ok), 0)::bigint AS r5_days_ok,
           sum(f.days * f.council_ok::int::numeric) / sum(f.days) AS r6,
           coalesce(sum(f.days) FILTER (WHERE f.council_ok), 0)::bigint AS r6_days_ok,
           sum(f.days * f.r7) / sum(f.days) AS r7,
           coalesce(sum(f.days) FILTER (WHERE f.all_wiki_langs), 0)::bigint AS r7_days_all_present,
           sum(f.days * ((f.android::int + f.ios::int + f.open_data::int)::numeric / 3))
               / sum(f.days) AS r8,
           coalesce(sum(f.days) FILTER (WHERE f.android), 0)::bigint AS r8_days_android,
           coalesce(sum(f.days) FILTER (WHERE f.ios), 0)::bigint AS r8_days_ios,
           coalesce(sum(f.days) FILTER (WHERE f.open_data), 0)::bigint AS r8_days_open_data
      FROM day_facts AS f
     GROUP BY f.institution_id
),
-- R2: the ISO weeks whose Sunday (computed_on) is in the period, per (account, week) or, for
-- rows computed with scope 'official', per (official, week): an official's accounts meet the
-- minimum together, so they are one pair, unmet when one of its rows is. A scope 'account'
-- row is a pair as it is (the table has one row per ISO week and account): those are counted
-- per month as they are written (account_week_month, migration 0021; a half-year is whole
-- months); the 'official' rows are grouped here, found through
-- account_week_compliance_official_idx (migration 0019).
week_pairs AS (
    SELECT m.institution_id, m.weeks AS pairs, m.weeks_met AS pairs_met
      FROM account_week_month AS m, period
     WHERE m.month >= period.first_day AND m.month < period.end_day
    UNION ALL
    SELECT w.institution_id, 1, bool_and(w.met)::int
      FROM account_week_compliance AS w, period
     WHERE w.computed_on >= period.first_day AND w.computed_on < period.end_day
       AND w.scope = 'official'
     GROUP BY w.institution_id, w.week_start, w.official_id
),
r2 AS (
    SELECT institution_id,
           sum(pairs) AS pairs,
           sum(pairs_met) AS pairs_met,
           -- avg(met::int::numeric) over the pairs digit for digit (the same numeric division
           -- of the same sum by the same count).
           sum(pairs_met)::numeric / sum(pairs) AS value,
           sum(pairs) - sum(pairs_met) > %(evidence_ids)s::int AS more
      FROM week_pairs
     GROUP BY institution_id
),
-- R2's evidence: each institution's first evidence_ids unmet pairs, in order (week_start,
-- scope, id). They are read per institution from account_week_compliance_unmet_idx (migration
-- 0019), in that order, the first evidence_ids of each scope and no more: sorting the
-- half-year's unmet pairs (a third of them) to number them cost more than the rest of R2.
-- (computed_on is week_start + 6, a check of the table: the same order.)
r2_missed AS (
    SELECT r2.institution_id, m.missed
      FROM r2
     CROSS JOIN period
     CROSS JOIN LATERAL (
           SELECT array_agg(jsonb_build_object('scope', u.scope, 'id', u.unit_id,
                                               'week_start', u.week_start)
                            ORDER BY u.week_start, u.scope, u.unit_id) AS missed
             FROM (SELECT s.*
                     FROM ((SELECT w.week_start, w.scope, w.account_id AS unit_id
                              FROM account_week_compliance AS w
                             WHERE w.institution_id = r2.institution_id AND NOT w.met
                               AND w.scope = 'account'
                               AND w.computed_on >= period.first_day
                               AND w.computed_on < period.end_day
                             ORDER BY w.computed_on, w.account_id
                             LIMIT %(evidence_ids)s::int)
                           UNION ALL
                           (SELECT DISTINCT w.week_start, w.scope, w.official_id
                              FROM account_week_compliance AS w
                             WHERE w.institution_id = r2.institution_id AND NOT w.met
                               AND w.scope = 'official'
                               AND w.computed_on >= period.first_day
                               AND w.computed_on < period.end_day
                             ORDER BY w.week_start, w.official_id
                             LIMIT %(evidence_ids)s::int)) AS s
                    ORDER BY s.week_start, s.scope, s.unit_id
                    LIMIT %(evidence_ids)s::int) AS u
           ) AS m
     WHERE r2.pairs > r2.pairs_met
),
-- R3: the clocks (critical stories) due in the period, dismissed ones aside; in time when the
-- first response came at or before the deadline (as the SLA engine decides 'fulfilled').
clocks AS (
    SELECT sla.institution_id, sla.story_id, sla.due_at, s.url,
           sla.first_response_at IS NOT NULL AND sla.first_response_at <= sla.due_at AS in_time,
           extract(epoch FROM sla.first_response_at - sla.clock_started_at) / 3600
               AS response_hours
      FROM story_sla AS sla
      JOIN story AS s ON s.id = sla.story_id
     CROSS JOIN period
     WHERE sla.due_at >= period.start_at AND sla.due_at < period.end_at
       AND sla.stage <> 'dismissed'
),
r3 AS (
    SELECT institution_id,
           count(*) AS clocks,
           count(*) FILTER (WHERE in_time) AS in_time,
           count(response_hours) AS responded,
           avg(in_time::int::numeric) AS value,
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY response_hours))::numeric, 2)
               AS median_hours,
           (array_agg(jsonb_build_object('story_id', story_id, 'url', url, 'due_at', due_at)
                      ORDER BY due_at, story_id) FILTER (WHERE NOT in_time))
               [1:%(evidence_ids)s::int] AS missed,
           count(*) FILTER (WHERE NOT in_time) > %(evidence_ids)s::int AS more
      FROM clocks
     GROUP BY institution_id
),
-- R4: requests submitted in the period; in time when decided no later than max_days local
-- days after the local day of the request (compliance's rule). One still undecided counts as
-- not in time: a provisional rating rerun before it is final sees the decisions made since.
requests AS (
    SELECT ar.institution_id, ar.id, ar.external_ref, ar.requested_at,
           ar.decided_at IS NULL AS undecided,
           ar.decided_at IS NOT NULL
               AND (ar.decided_at AT TIME ZONE %(tz)s::text)::date
                   - (ar.requested_at AT TIME ZONE %(tz)s::text)::date <= %(max_days)s::int
               AS in_time
      FROM accreditation_request AS ar, period
     WHERE ar.requested_at >= period.start_at AND ar.requested_at < period.end_at
),
r4 AS (
    SELECT institution_id,
           count(*) AS requests,
           count(*) FILTER (WHERE in_time) AS in_time,
           count(*) FILTER (WHERE undecided) AS undecided,
           avg(in_time::int::numeric) AS value,
           (array_agg(jsonb_build_object('request_id', id, 'external_ref', external_ref,
                                         'undecided', undecided)
                      ORDER BY requested_at, id) FILTER (WHERE NOT in_time))
               [1:%(evidence_ids)s::int] AS missed,
           count(*) FILTER (WHERE NOT in_time) > %(evidence_ids)s::int AS more
      FROM requests
     GROUP BY institution_id
),
-- R9: the events planned for a day of the period under one of the institution's media plans
-- that overlap it; held when their status is 'held'. Unplanned events do not count.
events AS (
    SELECT e.institution_id, e.id, e.external_ref, e.planned_on, e.status = 'held' AS held
      FROM media_event AS e
      JOIN media_plan AS mp ON mp.id = e.media_plan_id AND mp.institution_id = e.institution_id
     CROSS JOIN period
     WHERE e.planned_on >= period.first_day AND e.planned_on < period.end_day
       AND mp.period_start < period.end_day AND mp.period_end >= period.first_day
),
r9 AS (
    SELECT institution_id,
           count(*) AS planned,
           count(*) FILTER (WHERE held) AS held,
           avg(held::int::numeric) AS value,
           (array_agg(jsonb_build_object('event_id', id, 'external_ref', external_ref,
                                         'planned_on', planned_on)
                      ORDER BY planned_on, id) FILTER (WHERE NOT held))
               [1:%(evidence_ids)s::int] AS missed,
           count(*) FILTER (WHERE NOT held) > %(evidence_ids)s::int AS more
      FROM events
     GROUP BY institution_id
),
-- Rated: the institutions active on some day of the period, as the registry's history says
-- (migration 0014): one deactivated since is still rated for the period, one deactivated
-- before it is not. (An institution without a single fact in the period gets no score.)
rated AS (
    SELECT DISTINCT h.id
      FROM institution_history AS h, period
     WHERE h.active AND h.valid_from < period.end_day
       AND (h.valid_to IS NULL OR h.valid_to > period.first_day)
),
measured AS (
    SELECT i.id AS institution_id, x.indicator, x.value,
           coalesce((%(weights)s::jsonb ->> x.indicator)::numeric, 0) AS weight, x.evidence
      FROM rated AS i
     CROSS JOIN period
      LEFT JOIN daily AS d ON d.institution_id = i.id
      LEFT JOIN r2 ON r2.institution_id = i.id
      LEFT JOIN r2_missed ON r2_missed.institution_id = i.id
      LEFT JOIN r3 ON r3.institution_id = i.id
      LEFT JOIN r4 ON r4.institution_id = i.id
      LEFT JOIN r9 ON r9.institution_id = i.id
     CROSS JOIN LATERAL (VALUES
        ('r1', d.r1, jsonb_build_object(
             'days', coalesce(d.days, 0), 'period_days', period.end_day - period.first_day,
             'days_all_present', coalesce(d.r1_days_all_present, 0),
             'days_all_verified', coalesce(d.r1_days_all_verified, 0))),
        ('r2', r2.value, jsonb_build_object(
             'pairs', coalesce(r2.pairs, 0), 'pairs_met', coalesce(r2.pairs_met, 0),
             'missed', coalesce(to_jsonb(r2_missed.missed), '[]'),
             'more', coalesce(r2.more, false))),
        ('r3', r3.value, jsonb_build_object(
             'clocks', coalesce(r3.clocks, 0), 'in_time', coalesce(r3.in_time, 0),
             'missed', coalesce(to_jsonb(r3.missed), '[]'), 'more', coalesce(r3.more, false))),
        ('r3_median_response_hours', r3.median_hours, jsonb_build_object(
             'responded', coalesce(r3.responded, 0))),
        ('r4', r4.value, jsonb_build_object(
             'requests', coalesce(r4.requests, 0), 'in_time', coalesce(r4.in_time, 0),
             'undecided', coalesce(r4.undecided, 0),
             'missed', coalesce(to_jsonb(r4.missed), '[]'), 'more', coalesce(r4.more, false))),
        ('r5', d.r5, jsonb_build_object(
             'days', coalesce(d.days, 0), 'days_ok', coalesce(d.r5_days_ok, 0))),
        ('r6', d.r6, jsonb_build_object(
             'days', coalesce(d.days, 0), 'days_ok', coalesce(d.r6_days_ok, 0))),
        ('r7', d.r7, jsonb_build_object(
             'days', coalesce(d.days, 0), 'days_all_present', coalesce(d.r7_days_all_present, 0))),
        ('r8', d.r8, jsonb_build_object(
             'days', coalesce(d.days, 0), 'days_android', coalesce(d.r8_days_android, 0),
             'days_ios', coalesce(d.r8_days_ios, 0),
             'days_open_data', coalesce(d.r8_days_open_data, 0))),
        ('r9', r9.value, jsonb_build_object(
             'planned', coalesce(r9.planned, 0), 'held', coalesce(r9.held, 0),
             'missed', coalesce(to_jsonb(r9.missed), '[]'), 'more', coalesce(r9.more, false)))
        ) AS x (indicator, value, evidence)
)
INSERT INTO pg_temp.rating_indicator_calc
       (institution_id, indicator, value, weight, weight_used, evidence)
SELECT institution_id, indicator, value, weight,
       CASE WHEN value IS NOT NULL AND indicator <> 'r3_median_response_hours'
             AND applicable_weight > 0
            THEN weight / applicable_weight END,
       evidence
  FROM (SELECT m.*,
               sum(m.weight) FILTER (WHERE m.value IS NOT NULL
                                       AND m.indicator <> 'r3_median_response_hours')
                   OVER (PARTITION BY m.institution_id) AS applicable_weight
          FROM measured AS m) AS weighed;

-- name: compute_results
-- score = 100 * sum(w_i * v_i) / sum(w_i), over the applicable indicators, rounded to 2
-- places; the rank (RANK(): ties share it), the band and the accountability are of the
-- rounded score, the one published. Held accountable: the red band (when red_band), and at
-- least the lowest ceil(lowest_share * rated) institutions (all of those tied at the cut).
WITH scored AS (
    SELECT institution_id,
           coalesce(sum(weight) FILTER (WHERE weight_used IS NOT NULL), 0) AS weight_applicable,
           round(100 * sum(weight * value) FILTER (WHERE weight_used IS NOT NULL)
                 / nullif(sum(weight) FILTER (WHERE weight_used IS NOT NULL), 0), 2)::numeric(5, 2)
               AS score
      FROM pg_temp.rating_indicator_calc
     GROUP BY institution_id
),
ranked AS (
    SELECT s.*,
           CASE WHEN s.score IS NOT NULL THEN rank() OVER (ORDER BY s.score DESC NULLS LAST) END
               AS rank,
           rank() OVER (ORDER BY s.score ASC NULLS LAST) AS rank_from_bottom,
           count(s.score) OVER () AS rated,
           CASE WHEN s.score >= %(green_min)s::numeric THEN 'green'
                WHEN s.score >= %(yellow_min)s::numeric THEN 'yellow'
                WHEN s.score IS NOT NULL THEN 'red' END AS band
      FROM scored AS s
),
judged AS (
    SELECT r.*, p.score AS previous_score,
           array_remove(ARRAY[
               CASE WHEN r.band = 'red' AND %(red_band)s::boolean THEN 'red_band' END,
               CASE WHEN r.score IS NOT NULL
                     AND r.rank_from_bottom <= ceil(%(lowest_share)s::numeric * r.rated)
                    THEN 'lowest_share' END], NULL) AS accountable_because
      FROM ranked AS r
      LEFT JOIN rating_result AS p
             ON p.rating_id = %(previous_rating_id)s::bigint AND p.institution_id = r.institution_id
)
INSERT INTO pg_temp.rating_result_calc
       (institution_id, score, rank, band, weight_applicable, previous_score, score_change,
        held_accountable, accountable_because)
SELECT institution_id, score, rank, band, weight_applicable, previous_score,
       score - previous_score, cardinality(accountable_because) > 0, accountable_because
  FROM judged;
