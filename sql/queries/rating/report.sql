-- What the rating's reports show (R10), run by presswatch.rating.report, and the documents it
-- keeps (migration 0016.rating_document). Parameters: rating_id, and those named per statement.

-- name: rating
SELECT id, period, version, status, period_start, period_end, methodology, methodology_sha256,
       institutions, scorecards_issued_on, dispute_closes_on, notices_sent,
       (finalized_at AT TIME ZONE (methodology ->> 'timezone'))::date AS finalized_on
  FROM rating
 WHERE id = %(rating_id)s::bigint;

-- name: results
-- Every institution of the rating with its names as the registry has them now (reports and
-- notices are written to today's institutions), best first; the not rated (no score) last.
SELECT r.institution_id, i.code, i.kind, i.region_code, i.preferred_language,
       i.name_uz_latn, i.name_uz_cyrl, i.name_ru, i.name_en,
       r.score, r.rank, r.band, r.weight_applicable, r.previous_score, r.score_change,
       r.held_accountable, r.accountable_because
  FROM rating_result AS r
  JOIN institution AS i ON i.id = r.institution_id
 WHERE r.rating_id = %(rating_id)s::bigint
 ORDER BY r.rank NULLS LAST, i.code;

-- name: indicators
SELECT institution_id, indicator, value, weight, weight_used, evidence
  FROM rating_indicator
 WHERE rating_id = %(rating_id)s::bigint;

-- name: medians
-- The median of each indicator over the institutions it applies to.
SELECT indicator, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
  FROM rating_indicator
 WHERE rating_id = %(rating_id)s::bigint AND value IS NOT NULL
 GROUP BY indicator;

-- name: trend
-- The scores of the rating's institutions in the last `periods` half-years up to its own: this
-- rating for its period, the newest version of each earlier one.
WITH this AS (
    SELECT id, period FROM rating WHERE id = %(rating_id)s::bigint
),
shown AS (
    SELECT DISTINCT ON (r.period) r.id, r.period
      FROM rating AS r, this
     WHERE r.period < this.period
     ORDER BY r.period DESC, r.version DESC
     LIMIT %(periods)s::int - 1
),
periods AS (
    SELECT id, period FROM this
    UNION ALL
    SELECT id, period FROM shown
)
SELECT p.period, x.institution_id, x.score
  FROM periods AS p
  JOIN rating_result AS x ON x.rating_id = p.id
 WHERE x.institution_id IN (SELECT institution_id FROM rating_result
                             WHERE rating_id = %(rating_id)s::bigint)
 ORDER BY p.period, x.institution_id;

-- name: trend_periods
WITH this AS (
    SELECT period FROM rating WHERE id = %(rating_id)s::bigint
)
SELECT DISTINCT r.period
  FROM rating AS r, this
 WHERE r.period <= this.period
 ORDER BY r.period DESC
 LIMIT %(periods)s::int;

-- name: document_sources
SELECT name, source_sha256 FROM rating_document WHERE rating_id = %(rating_id)s::bigint;

-- name: upsert_document
INSERT INTO rating_document (rating_id, name, institution_id, content_type, content, source_sha256)
VALUES (%(rating_id)s::bigint, %(name)s::text, %(institution_id)s::bigint, %(content_type)s::text,
        %(content)s::bytea, %(source_sha256)s::text)
ON CONFLICT (rating_id, name) DO UPDATE
   SET institution_id = excluded.institution_id, content_type = excluded.content_type,
       content = excluded.content, source_sha256 = excluded.source_sha256, rendered_at = now()
 WHERE rating_document.source_sha256 IS DISTINCT FROM excluded.source_sha256;

-- name: documents
-- The documents to export: all of the rating's, or only those named.
SELECT name, content
  FROM rating_document
 WHERE rating_id = %(rating_id)s::bigint
   AND (%(names)s::text[] IS NULL OR name = ANY (%(names)s::text[]))
 ORDER BY name;

-- name: document
SELECT content FROM rating_document
 WHERE rating_id = %(rating_id)s::bigint AND name = %(name)s::text;
