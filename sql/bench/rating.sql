-- make bench, R10: the daily and weekly compliance facts of one half-year at national scale,
-- written straight into the tables the semiannual rating reads (what the half-year's 181 daily
-- runs of presswatch.activity.compliance would have stored), so that the rating can be timed
-- on them. The other facts it reads are there already: accreditation requests, media plans
-- and events from the demo seed, SLA clocks from sla.sql.
-- The bench's registry has one version of every row (valid since always), so the registry is
-- read as it is now, once for all days, instead of through the *_on(day) functions per day.
-- Parameters: first_day, end_day (the half-year's local days [first_day, end_day)), tz,
-- platforms, require_verified, wiki_langs, min_posts, scope, settings_sha256.

-- name: delete_institution_days
-- The rows the timed compliance days wrote in the half-year are replaced, as a rerun would
-- replace them: with the same weeks and the same R1 and R5-R8 facts (these statements decide
-- them as compliance does), the R2 and R4 counts aside (below).
DELETE FROM institution_compliance_daily
 WHERE day >= %(first_day)s::date AND day < %(end_day)s::date;

-- name: delete_head_account_weeks
DELETE FROM account_week_compliance
 WHERE computed_on >= %(first_day)s::date AND computed_on < %(end_day)s::date;

-- name: institution_days
-- Every active institution and day, in the order the daily runs append them. R1, R7 and R8 as
-- compliance decides them from the registry; R5 and R6 from the members' days in the pool or
-- on the council. The rating reads none of the R2 and R4 counts: they are left at zero.
INSERT INTO institution_compliance_daily
       (day, institution_id, head_official_id, r1_missing_platforms, r1_unverified_platforms,
        r1_ok, r2_accounts_below_rolling, r4_pending_overdue, r4_decided_late, r5_pool_ok,
        r6_council_ok, r7_missing_wiki_langs, r8_android, r8_ios, r8_open_data, settings_sha256)
WITH head AS (
    SELECT i.id AS institution_id, h.id AS head_official_id
      FROM institution AS i
      LEFT JOIN official AS h ON h.institution_id = i.id AND h.role = 'head' AND h.active
     WHERE i.active
),
-- R1: per required platform, an active account of the head, verified when any of them is
-- (by the platform, else by the registry; NULL counts as unverified).
head_platform AS (
    SELECT hd.institution_id, rp.platform, rp.ord, count(a.id) > 0 AS present,
           coalesce(bool_or(coalesce(a.verified, a.verified_by_registry) IS TRUE), false)
               AS verified
      FROM head AS hd
     CROSS JOIN unnest(%(platforms)s::text[]) WITH ORDINALITY AS rp (platform, ord)
      LEFT JOIN social_account AS a
             ON a.official_id = hd.head_official_id AND a.institution_id = hd.institution_id
            AND a.platform = rp.platform AND a.active
     GROUP BY hd.institution_id, rp.platform, rp.ord
),
r1 AS (
    SELECT institution_id,
           coalesce(array_agg(platform ORDER BY ord) FILTER (WHERE NOT present), '{}')
               AS missing,
           coalesce(array_agg(platform ORDER BY ord) FILTER (WHERE present AND NOT verified),
                    '{}') AS unverified
      FROM head_platform
     GROUP BY institution_id
),
-- R7: a registered title counts as present (the bench has no MediaWiki checks).
r7 AS (
    SELECT hd.institution_id,
           coalesce(array_agg(wl.lang ORDER BY wl.ord) FILTER (WHERE w.lang IS NULL), '{}')
               AS missing
      FROM head AS hd
     CROSS JOIN unnest(%(wiki_langs)s::text[]) WITH ORDINALITY AS wl (lang, ord)
      LEFT JOIN wikipedia_page AS w ON w.institution_id = hd.institution_id AND w.lang = wl.lang
     GROUP BY hd.institution_id
),
-- R8: apps present; open data integrated on every present app (false with no app).
r8 AS (
    SELECT hd.institution_id,
           coalesce(bool_or(ma.os = 'android'), false) AS android,
           coalesce(bool_or(ma.os = 'ios'), false) AS ios,
           coalesce(bool_and(ma.open_data_integrated), false) AS open_data
      FROM head AS hd
      LEFT JOIN mobile_app AS ma ON ma.institution_id = hd.institution_id
     GROUP BY hd.institution_id
),
-- R5: a journalist and a blogger in the pool on the day; R6: a journalist or a blogger on the
-- council. Each member's days in the half-year, rather than a lookup per institution and day.
pool_days AS (
    SELECT m.institution_id, member_day::date AS day,
           bool_or(m.member_type = 'journalist') AND bool_or(m.member_type = 'blogger') AS ok
      FROM media_pool_member AS m
     CROSS JOIN LATERAL generate_series(
           greatest(m.joined_on, %(first_day)s::date),
           least(coalesce(m.left_on, %(end_day)s::date - 1), %(end_day)s::date - 1),
           interval '1 day') AS member_day
     GROUP BY m.institution_id, member_day::date
),
council_days AS (
    SELECT DISTINCT c.institution_id, member_day::date AS day
      FROM public_council_member AS c
     CROSS JOIN LATERAL generate_series(
           greatest(c.joined_on, %(first_day)s::date),
           least(coalesce(c.left_on, %(end_day)s::date - 1), %(end_day)s::date - 1),
           interval '1 day') AS member_day
     WHERE c.member_type IN ('journalist', 'blogger')
)
SELECT d.day::date, hd.institution_id, hd.head_official_id, r1.missing, r1.unverified,
       cardinality(r1.missing) = 0
           AND (NOT %(require_verified)s::boolean OR cardinality(r1.unverified) = 0),
       0, 0, 0, coalesce(p.ok, false), c.institution_id IS NOT NULL,
       r7.missing, r8.android, r8.ios, r8.open_data, %(settings_sha256)s::text
  FROM generate_series(%(first_day)s::date, %(end_day)s::date - 1, interval '1 day') AS d (day)
 CROSS JOIN head AS hd
  JOIN r1 ON r1.institution_id = hd.institution_id
  JOIN r7 ON r7.institution_id = hd.institution_id
  JOIN r8 ON r8.institution_id = hd.institution_id
  LEFT JOIN pool_days AS p ON p.institution_id = hd.institution_id AND p.day = d.day::date
  LEFT JOIN council_days AS c ON c.institution_id = hd.institution_id AND c.day = d.day::date
 ORDER BY d.day, hd.institution_id;

-- name: head_account_weeks
-- Every active account of each active head and every ISO week whose Sunday is in the
-- half-year, counted from the stored posts in one pass over the weeks' posts (grouped by
-- account and local week) instead of one count per account and week.
INSERT INTO account_week_compliance
       (iso_year, iso_week, account_id, institution_id, official_id, platform, week_start,
        posts_in_week, scope, posts_counted, met, computed_on, settings_sha256)
WITH week AS (
    SELECT sunday::date - 6 AS week_start, sunday::date AS computed_on
      FROM generate_series(
           %(first_day)s::date + (7 - extract(isodow FROM %(first_day)s::date)::int) %% 7,
           %(end_day)s::date - 1, interval '7 days') AS sunday
),
weeks AS (
    SELECT min(week_start) AS first_monday, max(computed_on) + 1 AS end_monday FROM week
),
head_account AS (
    SELECT a.id AS account_id, a.institution_id, a.official_id, a.platform
      FROM social_account AS a
      JOIN institution AS i ON i.id = a.institution_id AND i.active
      JOIN official AS o
        ON o.id = a.official_id AND o.institution_id = a.institution_id
       AND o.role = 'head' AND o.active
     WHERE a.active
),
week_posts AS (
    SELECT p.account_id,
           date_trunc('week', p.posted_at AT TIME ZONE %(tz)s::text)::date AS week_start,
           count(*)::int AS posts
      FROM post AS p, weeks
     WHERE p.posted_at >= weeks.first_monday::timestamp AT TIME ZONE %(tz)s::text
       AND p.posted_at < weeks.end_monday::timestamp AT TIME ZONE %(tz)s::text
     GROUP BY p.account_id, date_trunc('week', p.posted_at AT TIME ZONE %(tz)s::text)::date
),
counted AS (
    SELECT w.week_start, w.computed_on, ha.*, coalesce(wp.posts, 0) AS posts,
           CASE WHEN %(scope)s::text = 'official'
                THEN sum(coalesce(wp.posts, 0))
                         OVER (PARTITION BY ha.official_id, w.week_start)::int
                ELSE coalesce(wp.posts, 0) END AS posts_counted
      FROM week AS w
     CROSS JOIN head_account AS ha
      LEFT JOIN week_posts AS wp
             ON wp.account_id = ha.account_id AND wp.week_start = w.week_start
)
SELECT extract(isoyear FROM week_start)::int, extract(week FROM week_start)::int, account_id,
       institution_id, official_id, platform, week_start, posts, %(scope)s::text,
       posts_counted, posts_counted >= %(min_posts)s::int, computed_on,
       %(settings_sha256)s::text
  FROM counted
 ORDER BY week_start, account_id;

-- name: half_year_counts
-- What the rating reads besides the daily and weekly rows: stories published and clocks due in
-- the half-year, requests made in it, events planned for it under a plan.
WITH period AS (
    SELECT (%(first_day)s::date)::timestamp AT TIME ZONE %(tz)s::text AS start_at,
           (%(end_day)s::date)::timestamp AT TIME ZONE %(tz)s::text AS end_at
)
SELECT (SELECT count(*) FROM story AS s
         WHERE s.published_at >= period.start_at AND s.published_at < period.end_at)
           AS stories,
       (SELECT count(*) FROM story_sla AS sla
         WHERE sla.due_at >= period.start_at AND sla.due_at < period.end_at) AS clocks,
       (SELECT count(*) FROM accreditation_request AS ar
         WHERE ar.requested_at >= period.start_at AND ar.requested_at < period.end_at)
           AS requests,
       (SELECT count(*) FROM media_event AS e
         WHERE e.media_plan_id IS NOT NULL AND e.planned_on >= %(first_day)s::date
           AND e.planned_on < %(end_day)s::date) AS planned_events
  FROM period;
