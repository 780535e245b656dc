-- The stored ratings (R10), run by presswatch.rating.compute: find a period's ratings, compare
-- the computed rows (pg_temp.rating_*_calc, from indicators.sql) with a stored rating, and
-- write them. Parameters: period, rating_id, and those named per statement.

-- name: lock_period
-- Runs of the same period wait for each other (two runs never both make version 1).
SELECT pg_advisory_xact_lock(hashtextextended('presswatch.rating:' || %(period)s::text, 0));

-- name: period_ratings
SELECT id, version, status, methodology_sha256, methodology, previous_rating_id
  FROM rating
 WHERE period = %(period)s::text
 ORDER BY version;

-- name: newest_rating_of_period
SELECT id FROM rating WHERE period = %(period)s::text ORDER BY version DESC LIMIT 1;

-- name: insert_rating
INSERT INTO rating (period, period_start, period_end, version, methodology, methodology_sha256,
                    previous_rating_id, airflow_run_id)
SELECT %(period)s::text, %(first_day)s::date, %(end_day)s::date,
       coalesce(max(version), 0) + 1, %(methodology)s::jsonb, %(methodology_sha256)s::text,
       %(previous_rating_id)s::bigint, %(run_id)s::text
  FROM rating
 WHERE period = %(period)s::text
RETURNING id, version;

-- name: differences
-- Rows that differ between the computed and the stored rating `rating_id`: each side's rows
-- the other lacks, the result rows (indicator NULL) and the indicator rows.
WITH computed_results AS (
    SELECT institution_id, score, rank, band, weight_applicable, previous_score, score_change,
           held_accountable, accountable_because
      FROM pg_temp.rating_result_calc
),
stored_results AS (
    SELECT institution_id, score, rank, band, weight_applicable, previous_score, score_change,
           held_accountable, accountable_because
      FROM rating_result
     WHERE rating_id = %(rating_id)s::bigint
),
computed_indicators AS (
    SELECT institution_id, indicator, value, weight, weight_used, evidence
      FROM pg_temp.rating_indicator_calc
),
stored_indicators AS (
    SELECT institution_id, indicator, value, weight, weight_used, evidence
      FROM rating_indicator
     WHERE rating_id = %(rating_id)s::bigint
)
SELECT side, institution_id, indicator, row_data
  FROM (SELECT 'computed' AS side, r.institution_id, NULL::text AS indicator, to_jsonb(r) AS row_data
          FROM (SELECT * FROM computed_results EXCEPT SELECT * FROM stored_results) AS r
        UNION ALL
        SELECT 'stored', r.institution_id, NULL, to_jsonb(r)
          FROM (SELECT * FROM stored_results EXCEPT SELECT * FROM computed_results) AS r
        UNION ALL
        SELECT 'computed', r.institution_id, r.indicator, to_jsonb(r)
          FROM (SELECT * FROM computed_indicators EXCEPT SELECT * FROM stored_indicators) AS r
        UNION ALL
        SELECT 'stored', r.institution_id, r.indicator, to_jsonb(r)
          FROM (SELECT * FROM stored_indicators EXCEPT SELECT * FROM computed_indicators) AS r
       ) AS d
 ORDER BY institution_id, indicator NULLS FIRST, side;

-- name: delete_results
-- Only a provisional rating's (the final guard refuses a final one's); indicators cascade.
DELETE FROM rating_result WHERE rating_id = %(rating_id)s::bigint;

-- name: insert_results
INSERT INTO rating_result
       (rating_id, institution_id, score, rank, band, weight_applicable, previous_score,
        score_change, held_accountable, accountable_because)
SELECT %(rating_id)s::bigint, institution_id, score, rank, band, weight_applicable,
       previous_score, score_change, held_accountable, accountable_because
  FROM pg_temp.rating_result_calc;

-- name: insert_indicators
INSERT INTO rating_indicator
       (rating_id, institution_id, indicator, value, weight, weight_used, evidence)
SELECT %(rating_id)s::bigint, institution_id, indicator, value, weight, weight_used, evidence
  FROM pg_temp.rating_indicator_calc;

-- name: mark_computed
-- keep_run: finalization rewrites the rows (corrections applied) but not the run that made them.
UPDATE rating
   SET computed_at = now(),
       airflow_run_id = CASE WHEN %(keep_run)s::boolean THEN airflow_run_id
                             ELSE %(run_id)s::text END,
       previous_rating_id = %(previous_rating_id)s::bigint,
       institutions = (SELECT count(*) FROM rating_result WHERE rating_id = %(rating_id)s::bigint)
 WHERE id = %(rating_id)s::bigint;

-- name: summary
SELECT count(*) AS institutions,
       count(score) AS rated,
       count(*) FILTER (WHERE held_accountable) AS held_accountable
  FROM rating_result
 WHERE rating_id = %(rating_id)s::bigint;

-- name: finalize
UPDATE rating SET status = 'final', finalized_at = now()
 WHERE id = %(rating_id)s::bigint AND status = 'provisional'
RETURNING id;
