-- The institutions in the presswatch view (presswatch.ui.pages): the list, and one
-- institution's page (its accounts, weekly posts, SLA clocks and notices). Read only.
-- Parameters: as named per statement; `pattern` an ILIKE pattern over the code and names or
-- NULL (all); `rating_id` the current rating or NULL.

-- name: list_count
SELECT count(*)
  FROM institution AS i
 WHERE %(pattern)s::text IS NULL OR i.code ILIKE %(pattern)s::text
    OR i.name_en ILIKE %(pattern)s::text OR i.name_uz_latn ILIKE %(pattern)s::text
    OR i.name_uz_cyrl ILIKE %(pattern)s::text OR i.name_ru ILIKE %(pattern)s::text;

-- name: list_page
-- One page of the registry's institutions by English name, with the current rating's result.
SELECT i.code, i.kind, i.name_en, i.name_uz_latn, i.active, g.name_en AS region,
       r.score, r.rank, r.band
  FROM institution AS i
  JOIN region AS g ON g.code = i.region_code
  LEFT JOIN rating_result AS r
         ON r.rating_id = %(rating_id)s::bigint AND r.institution_id = i.id
 WHERE %(pattern)s::text IS NULL OR i.code ILIKE %(pattern)s::text
    OR i.name_en ILIKE %(pattern)s::text OR i.name_uz_latn ILIKE %(pattern)s::text
    OR i.name_uz_cyrl ILIKE %(pattern)s::text OR i.name_ru ILIKE %(pattern)s::text
 ORDER BY i.name_en, i.code
 LIMIT %(limit)s::int OFFSET %(offset)s::int;

-- name: institution
SELECT i.id, i.code, i.kind, i.name_en, i.name_uz_latn, i.name_uz_cyrl, i.name_ru, i.website,
       i.preferred_language, i.active, g.name_en AS region, p.code AS parent_code,
       p.name_en AS parent_name
  FROM institution AS i
  JOIN region AS g ON g.code = i.region_code
  LEFT JOIN institution AS p ON p.id = i.parent_id
 WHERE i.code = %(code)s::text;

-- name: ratings
-- The institution's result in the newest version of each period, newest period first.
SELECT DISTINCT ON (r.period)
       r.period, r.version, r.status, x.score, x.rank, x.band, x.score_change,
       x.held_accountable, x.accountable_because,
       (SELECT count(score) FROM rating_result WHERE rating_id = r.id) AS rated
  FROM rating AS r
  JOIN rating_result AS x ON x.rating_id = r.id
 WHERE x.institution_id = %(institution_id)s::bigint
 ORDER BY r.period DESC, r.version DESC
 LIMIT %(limit)s::int;

-- name: accounts
-- The institution's accounts: the head's first, then the deputies', the press secretaries',
-- and the institution's own pages; with the last daily R2 check of each.
SELECT a.id, a.platform, a.handle, a.active, a.verified, a.verified_type, a.followers,
       a.last_post_at, a.last_fetch_at, a.last_fetch_error, a.covered_from, a.covered_until,
       o.full_name, o.role, o.position_title,
       d.day AS checked_on, d.posts_in_window, d.window_days, d.meets_rolling_window
  FROM social_account AS a
  LEFT JOIN official AS o ON o.id = a.official_id
  -- The institution's last checked day (account_compliance_daily_institution_idx; the key
  -- leads with the day, so an account's own latest row would be a long backward scan).
  LEFT JOIN account_compliance_daily AS d
         ON d.account_id = a.id
        AND d.institution_id = %(institution_id)s::bigint
        AND d.day = (SELECT max(day) FROM account_compliance_daily
                      WHERE institution_id = %(institution_id)s::bigint)
 WHERE a.institution_id = %(institution_id)s::bigint
 ORDER BY array_position(ARRAY['head', 'deputy', 'press_secretary'], o.role) NULLS LAST,
          o.full_name, a.platform, a.handle;

-- name: weekly_posts
-- Posts per active account and ISO week (Monday-Sunday in the time zone `tz`) for the
-- `weeks` weeks that end with the one starting on `last_week`, from the stored posts
-- (post_account_posted_at_idx), and how much of each week the account's fetches cover: the
-- posts of a week outside the covered period were never asked for, so 0 there means "not
-- known", not "none".
WITH week AS (
    SELECT w::date AS week_start,
           w::timestamp AT TIME ZONE %(tz)s::text AS starts_at,
           (w + interval '7 days')::timestamp AT TIME ZONE %(tz)s::text AS ends_at
      FROM generate_series(%(last_week)s::date - 7 * (%(weeks)s::int - 1),
                           %(last_week)s::date, interval '7 days') AS w
),
account AS (
    SELECT a.id, a.covered_from, a.covered_until
      FROM social_account AS a
     WHERE a.institution_id = %(institution_id)s::bigint AND a.active
),
counted AS (
    SELECT p.account_id, w.week_start, count(*) AS posts
      FROM account AS a
      JOIN post AS p ON p.account_id = a.id
      JOIN week AS w ON p.posted_at >= w.starts_at AND p.posted_at < w.ends_at
     GROUP BY 1, 2
)
SELECT a.id AS account_id, w.week_start, coalesce(c.posts, 0) AS posts,
       CASE WHEN a.covered_from <= w.starts_at AND a.covered_until >= w.ends_at THEN 'full'
            WHEN a.covered_from < w.ends_at AND a.covered_until > w.starts_at THEN 'partial'
            ELSE 'none' END AS coverage
  FROM account AS a
 CROSS JOIN week AS w
  LEFT JOIN counted AS c ON c.account_id = a.id AND c.week_start = w.week_start
 ORDER BY a.id, w.week_start;

-- name: coverage
-- The period the institution's active accounts' posts are fetched for, from the first
-- account's start to the last one's end.
SELECT min(covered_from), max(covered_until)
  FROM social_account
 WHERE institution_id = %(institution_id)s::bigint AND active;

-- name: sla_counts
-- The institution's clocks by the stage the last sweep recorded.
SELECT stage, count(*)
  FROM story_sla
 WHERE institution_id = %(institution_id)s::bigint
 GROUP BY stage;

-- name: sla_page
-- One page of the institution's clocks, newest first (story_sla_institution_idx).
SELECT sla.story_id, sla.stage, sla.stage_at, sla.clock_started_at, sla.due_at,
       sla.escalate_at, sla.opened_at, sla.detected_late, sla.first_response_at, sla.closed_at,
       s.title, s.url, s.source, s.published_at,
       sla.first_response_at - sla.clock_started_at AS response_time
  FROM story_sla AS sla
  JOIN story AS s ON s.id = sla.story_id
 WHERE sla.institution_id = %(institution_id)s::bigint
 ORDER BY sla.clock_started_at DESC, sla.story_id DESC
 LIMIT %(limit)s::int OFFSET %(offset)s::int;

-- name: notice_counts
SELECT status, count(*)
  FROM notice
 WHERE institution_id = %(institution_id)s::bigint
 GROUP BY status;

-- name: notices_page
-- One page of the notices to the institution, newest first (notice_institution_idx).
SELECT n.id, n.created_at, n.kind, n.reference_no, n.language, n.status, n.sent_at,
       n.subject, n.attempts, n.last_error, n.airflow_run_type
  FROM notice AS n
 WHERE n.institution_id = %(institution_id)s::bigint
 ORDER BY n.created_at DESC, n.id DESC
 LIMIT %(limit)s::int OFFSET %(offset)s::int;
