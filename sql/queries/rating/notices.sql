-- The rating's notices (R10), run by presswatch.rating.pipeline.

-- name: addressees
-- The institutions of a rating (only `institution_ids` when given; held accountable only when
-- `accountable_only`) with the language of their notices, their name in it and their head as
-- the registry names them today (a notice is addressed when it is written).
SELECT i.id, i.code, i.preferred_language,
       CASE i.preferred_language WHEN 'uz-Latn' THEN i.name_uz_latn
                                 WHEN 'uz-Cyrl' THEN i.name_uz_cyrl
                                 WHEN 'ru' THEN i.name_ru
                                 ELSE i.name_en END,
       h.id, h.full_name, h.position_title
  FROM rating_result AS r
  JOIN institution AS i ON i.id = r.institution_id
  LEFT JOIN official AS h ON h.institution_id = i.id AND h.role = 'head' AND h.active
 WHERE r.rating_id = %(rating_id)s::bigint
   AND r.score IS NOT NULL
   AND (%(institution_ids)s::bigint[] IS NULL OR i.id = ANY (%(institution_ids)s::bigint[]))
   AND (NOT %(accountable_only)s::boolean OR r.held_accountable)
 ORDER BY i.id;

-- name: rated
-- The rated institutions (a score), in id order, only `codes` when given: the scorecards.
SELECT r.institution_id
  FROM rating_result AS r
  JOIN institution AS i ON i.id = r.institution_id
 WHERE r.rating_id = %(rating_id)s::bigint AND r.score IS NOT NULL
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY r.institution_id;

-- name: existing_notices
-- Which of these notices are written already (a rerun passes over them).
SELECT dedup_key FROM notice WHERE dedup_key = ANY (%(dedup_keys)s::text[]);
