-- make bench, R3: a year of critical-story history at national scale, written straight into the
-- domain tables (what a year of hourly runs would have stored), so that one hourly sweep can be
-- timed on it. Every random choice is a hash of the story number and the seed
-- (pg_temp.demo_unit, from sql/demo/prepare.sql).
-- Parameters: stories, period_start, period_end (timestamptz), seed, critical_share.

-- name: stories
-- Stories spread evenly over the period, each about one institution (one in ten about two),
-- a share of them critical by score.
CREATE TEMP TABLE bench_story ON COMMIT DROP AS
WITH numbered AS (
    SELECT n,
           %(period_start)s::timestamptz
             + (%(period_end)s::timestamptz - %(period_start)s::timestamptz)
               * pg_temp.demo_unit(1, n, %(seed)s) AS published_at,
           pg_temp.demo_unit(2, n, %(seed)s) < %(critical_share)s AS critical
      FROM generate_series(1, %(stories)s) AS n
)
SELECT n, published_at,
       published_at + make_interval(secs => 120 + floor(pg_temp.demo_unit(3, n, %(seed)s) * 1680)) AS first_seen_at,
       critical
  FROM numbered;

-- name: insert_stories
INSERT INTO story (source, external_id, url, canonical_url, title, title_key, language,
                   published_at, first_seen_at, critical_score, critical_terms, is_critical,
                   matched_at, keys_plain, keys_stem, updated_at)
SELECT 'bench.example', 'bench:' || n, 'https://bench.example/news/' || n,
       'https://bench.example/news/' || n, 'Bench story ' || n, 'bench story ' || n, 'uz-Latn',
       published_at, first_seen_at,
       CASE WHEN critical THEN 5 ELSE 0 END,
       CASE WHEN critical THEN ARRAY['shikoyat'] ELSE '{}' END,
       critical, first_seen_at, '{}', '{}', first_seen_at
  FROM bench_story
 ORDER BY n;

-- name: insert_matches
WITH institutions AS (
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS position FROM institution
), total AS (
    SELECT count(*) AS n FROM institution
)
INSERT INTO story_institution (story_id, institution_id, match_method, matched_alias, matched_at)
SELECT DISTINCT s.id, i.id, 'alias', 'bench', s.first_seen_at
  FROM story AS s
  JOIN bench_story AS b ON 'bench:' || b.n = s.external_id
 CROSS JOIN total
 CROSS JOIN LATERAL (
       VALUES (floor(pg_temp.demo_unit(4, b.n, %(seed)s) * total.n)),
              (CASE WHEN pg_temp.demo_unit(5, b.n, %(seed)s) < 0.1
                    THEN floor(pg_temp.demo_unit(6, b.n, %(seed)s) * total.n) END)
       ) AS pick (position)
  JOIN institutions AS i ON i.position = pick.position;

-- name: insert_responses
-- Answers to critical stories: most within hours, some close to the deadline on either side,
-- some days late, one in eight never (those clocks stay open: escalated, unanswered).
INSERT INTO story_response (story_id, institution_id, responded_at, channel, url, origin,
                            recorded_at)
SELECT si.story_id, si.institution_id, s.published_at + delay.value, 'website',
       'https://bench.example/answers/' || si.story_id || '-' || si.institution_id, 'portal',
       s.published_at + delay.value
  FROM story_institution AS si
  JOIN story AS s ON s.id = si.story_id AND s.is_critical
 CROSS JOIN LATERAL (
       SELECT pg_temp.demo_unit(7, si.story_id * 10007 + si.institution_id, %(seed)s) AS u,
              pg_temp.demo_unit(8, si.story_id * 10007 + si.institution_id, %(seed)s) AS w
       ) AS draw
 CROSS JOIN LATERAL (
       SELECT CASE WHEN draw.u < 0.35 THEN make_interval(secs => 1800 + draw.w * 19800)
                   WHEN draw.u < 0.55 THEN make_interval(secs => 21600 + draw.w * 50400)
                   WHEN draw.u < 0.65 THEN make_interval(secs => 72000 + draw.w * 14400)
                   WHEN draw.u < 0.75 THEN make_interval(secs => 86400 + draw.w * 86400)
                   WHEN draw.u < 0.875 THEN make_interval(secs => 172800 + draw.w * 691200)
              END AS value
       ) AS delay
 WHERE delay.value IS NOT NULL;
