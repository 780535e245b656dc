-- Corrections filed in a rating's dispute window (R10, migration 0015), run by
-- presswatch.rating.compute: filed and withdrawn by the operator, applied when the rating
-- becomes final, and applied again when a final rating is recomputed or reproduced.

-- name: withdraw_filed
-- A new correction of the same indicator replaces the one filed before.
UPDATE rating_correction SET status = 'withdrawn'
 WHERE rating_id = %(rating_id)s::bigint AND institution_id = %(institution_id)s::bigint
   AND indicator = %(indicator)s::text AND status = 'filed'
RETURNING id;

-- name: file
INSERT INTO rating_correction
       (rating_id, institution_id, indicator, value, reason, evidence, filed_by, filed_at)
VALUES (%(rating_id)s::bigint, %(institution_id)s::bigint, %(indicator)s::text,
        %(value)s::numeric, %(reason)s::text, %(evidence)s::text[], %(filed_by)s::text,
        %(now)s::timestamptz)
RETURNING id;

-- name: withdraw
UPDATE rating_correction SET status = 'withdrawn'
 WHERE id = %(correction_id)s::bigint AND status = 'filed'
RETURNING rating_id;

-- name: record_replaced
-- At finalization, before the corrections are applied to the computed rows: the value each
-- replaces, and the correction marked applied.
UPDATE rating_correction AS c
   SET status = 'applied', applied_at = %(now)s::timestamptz, replaced_value = i.value
  FROM pg_temp.rating_indicator_calc AS i
 WHERE c.rating_id = %(rating_id)s::bigint AND c.status = 'filed'
   AND i.institution_id = c.institution_id AND i.indicator = c.indicator
RETURNING c.id;

-- name: apply
-- The applied corrections of `rating_id` replace the computed values.
UPDATE pg_temp.rating_indicator_calc AS i SET value = c.value
  FROM rating_correction AS c
 WHERE c.rating_id = %(rating_id)s::bigint AND c.status = 'applied'
   AND i.institution_id = c.institution_id AND i.indicator = c.indicator
RETURNING i.institution_id;

-- name: reweigh
-- Then the weights used are spread again over the applicable indicators of the institutions
-- corrected (a correction may make an indicator applicable or not), as compute_indicators
-- spreads them.
UPDATE pg_temp.rating_indicator_calc AS i
   SET weight_used = CASE WHEN i.value IS NOT NULL AND i.indicator <> 'r3_median_response_hours'
                           AND s.applicable > 0 THEN i.weight / s.applicable END
  FROM (SELECT c.institution_id,
               sum(c.weight) FILTER (WHERE c.value IS NOT NULL
                                       AND c.indicator <> 'r3_median_response_hours')
                   AS applicable
          FROM pg_temp.rating_indicator_calc AS c
         WHERE c.institution_id = ANY (%(institutions)s::bigint[])
         GROUP BY c.institution_id) AS s
 WHERE s.institution_id = i.institution_id;

-- name: list
SELECT c.id, i.code, c.indicator, c.value, c.replaced_value, c.status, c.reason, c.evidence,
       c.filed_by, c.filed_at, c.applied_at
  FROM rating_correction AS c
  JOIN institution AS i ON i.id = c.institution_id
 WHERE c.rating_id = %(rating_id)s::bigint
 ORDER BY c.id;
