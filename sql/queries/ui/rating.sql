-- The rating's league table in the presswatch view (presswatch.ui.pages), R10. Read only.
-- Parameters: as named per statement; `band` is 'green', 'yellow', 'red', 'unrated' or NULL
-- (all), `pattern` an ILIKE pattern over the institution's code and names or NULL (all).

-- name: ratings
-- Every stored rating, newest first, for the selector (a few per year).
SELECT id, period, version, status
  FROM rating
 ORDER BY period DESC, version DESC;

-- name: rating
-- The rating shown: the period's `version`, else its newest; with no period, the newest
-- version of the newest period (the current rating: a later version of a period is the same
-- half-year under changed settings). Its band limits are the ones it was computed with.
SELECT id, period, version, status, period_start, period_end - 1 AS period_last_day,
       computed_at, finalized_at,
       scorecards_issued_on, dispute_closes_on, institutions,
       (methodology -> 'rating' -> 'bands' ->> 'green_min')::numeric AS green_min,
       (methodology -> 'rating' -> 'bands' ->> 'yellow_min')::numeric AS yellow_min
  FROM rating
 WHERE (%(period)s::text IS NULL OR period = %(period)s::text)
   AND (%(version)s::int IS NULL OR version = %(version)s::int)
 ORDER BY period DESC, version DESC
 LIMIT 1;

-- name: summary
-- The rating's institutions by band, and how many are held accountable.
SELECT count(*) AS institutions,
       count(score) AS rated,
       count(*) FILTER (WHERE band = 'green') AS green,
       count(*) FILTER (WHERE band = 'yellow') AS yellow,
       count(*) FILTER (WHERE band = 'red') AS red,
       count(*) FILTER (WHERE band IS NULL) AS unrated,
       count(*) FILTER (WHERE held_accountable) AS held_accountable
  FROM rating_result
 WHERE rating_id = %(rating_id)s::bigint;

-- name: league_count
SELECT count(*)
  FROM rating_result AS r
  JOIN institution AS i ON i.id = r.institution_id
 WHERE r.rating_id = %(rating_id)s::bigint
   AND (%(band)s::text IS NULL OR r.band = %(band)s::text
        OR (%(band)s::text = 'unrated' AND r.band IS NULL))
   AND (%(pattern)s::text IS NULL OR i.code ILIKE %(pattern)s::text
        OR i.name_en ILIKE %(pattern)s::text OR i.name_uz_latn ILIKE %(pattern)s::text
        OR i.name_uz_cyrl ILIKE %(pattern)s::text OR i.name_ru ILIKE %(pattern)s::text);

-- name: league_page
-- One page of the league table: best first (ties share a rank, by code within it), the not
-- rated last. Names as the registry has them now, as in the rating's reports.
SELECT r.rank, r.score, r.band, r.previous_score, r.score_change, r.held_accountable,
       r.accountable_because, i.code, i.kind, i.name_en, i.name_uz_latn, i.active,
       g.name_en AS region
  FROM rating_result AS r
  JOIN institution AS i ON i.id = r.institution_id
  JOIN region AS g ON g.code = i.region_code
 WHERE r.rating_id = %(rating_id)s::bigint
   AND (%(band)s::text IS NULL OR r.band = %(band)s::text
        OR (%(band)s::text = 'unrated' AND r.band IS NULL))
   AND (%(pattern)s::text IS NULL OR i.code ILIKE %(pattern)s::text
        OR i.name_en ILIKE %(pattern)s::text OR i.name_uz_latn ILIKE %(pattern)s::text
        OR i.name_uz_cyrl ILIKE %(pattern)s::text OR i.name_ru ILIKE %(pattern)s::text)
 ORDER BY r.rank NULLS LAST, i.code
 LIMIT %(limit)s::int OFFSET %(offset)s::int;
