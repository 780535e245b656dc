-- Demo generator: every simulated post of the demo period, set-based.
-- Parameters: seed, start_date, end_date (local dates in Asia/Tashkent), post_texts (text[][]:
-- one row of phrases per language, in the order uz-Latn, uz-Cyrl, ru, en).
--
-- Each account posts according to its habit, day by day, with fewer posts at weekends and
-- mostly within Tashkent working hours. Local times become UTC by subtracting five hours:
-- Uzbekistan has kept UTC+5 without daylight saving since 1992.
-- Post ids look like each platform's: Telegram message numbers rising per channel, X
-- snowflakes (milliseconds since 2010-11-04 shifted left 22 bits), 18-digit Facebook ids and
-- 17-digit Instagram ids, all growing with time. The account's ordinal in the low digits
-- keeps ids unique across accounts; within an account no two posts share a second.
--
-- "OFFSET 0" marks subqueries the planner must not merge into the query above: merged, each
-- hashed column would be recomputed wherever it is used, several times per row.

-- name: posting_days
-- The days each account posts, how many times, and in what window of the day.
CREATE TEMP TABLE demo_posting_day ON COMMIT DROP AS
WITH day AS (
    SELECT local_date::date - date '2000-01-01' AS day_number,
           extract(isodow FROM local_date)::integer AS weekday,
           (local_date::date - date '2000-01-03') / 7 AS week_number  -- 2000-01-03 is a Monday
      FROM generate_series(%(start_date)s::date, %(end_date)s::date, interval '1 day') AS local_date
)
SELECT platform, external_id, ordinal, account_key, language_index, message_base, day_number,
       posts_that_day,
       window_start,
       (window_end - window_start) / posts_that_day AS slot
  FROM (
        -- The day's posting window, in seconds after local midnight: working hours mostly,
        -- sometimes early morning or evening; late mornings to evenings at weekends.
        SELECT posting.*,
               CASE WHEN weekday >= 6 THEN 36000                -- 10:00
                    WHEN u_window < 0.08 THEN 27000             -- 07:30
                    WHEN u_window < 0.82 THEN 32400             -- 09:00
                    ELSE 66600 END AS window_start,             -- 18:30
               CASE WHEN weekday >= 6 THEN 72000                -- 20:00
                    WHEN u_window < 0.08 THEN 32400             -- 09:00
                    WHEN u_window < 0.82 THEN 66600             -- 18:30
                    ELSE 81000 END AS window_end                -- 22:30
          FROM (
                SELECT counted.*,
                       pg_temp.demo_unit(22, account_key # day_number, %(seed)s::bigint) AS u_window
                  FROM (
                        SELECT account_day.*,
                               CASE habit
                                   WHEN 'diligent' THEN CASE
                                       WHEN weekday <= 5 THEN width_bucket(u, ARRAY[0.05, 0.40, 0.75]::float8[])
                                       WHEN weekday = 6 THEN width_bucket(u, ARRAY[0.30, 0.80]::float8[])
                                       ELSE width_bucket(u, ARRAY[0.50]::float8[]) END
                                   -- 3-5 a week
                                   WHEN 'regular' THEN (u < CASE WHEN weekday <= 5 THEN 0.80
                                                                 WHEN weekday = 6 THEN 0.30
                                                                 ELSE 0.10 END)::integer
                                   -- around the weekly minimum of 3: weeks of 2 and of 3 both happen
                                   WHEN 'borderline' THEN (u < CASE WHEN weekday <= 5 THEN 0.45
                                                                    WHEN weekday = 6 THEN 0.15
                                                                    ELSE 0.05 END)::integer
                                   ELSE (u < CASE WHEN NOT active_week THEN 0.03
                                                  WHEN weekday <= 5 THEN 0.60
                                                  ELSE 0.15 END)::integer
                               END AS posts_that_day
                          FROM (
                                SELECT a.platform, a.external_id, a.ordinal, a.account_key, a.habit,
                                       a.language_index, a.message_base, d.day_number, d.weekday,
                                       pg_temp.demo_unit(20, a.account_key # d.day_number, %(seed)s::bigint) AS u,
                                       -- Irregular accounts post in bursts: some weeks on,
                                       -- most weeks (nearly) off.
                                       a.habit = 'irregular'
                                         AND pg_temp.demo_unit(21, a.account_key # d.week_number,
                                                               %(seed)s::bigint) < 0.35 AS active_week
                                  FROM demo_account AS a
                                 CROSS JOIN day AS d
                                 WHERE a.on_platform AND NOT a.deleted AND a.habit <> 'silent'
                                OFFSET 0
                               ) AS account_day
                        OFFSET 0
                       ) AS counted
                 WHERE posts_that_day > 0
                OFFSET 0
               ) AS posting
       ) AS windowed;

-- name: post_keys
-- sim.post's keys and indexes: dropped for the bulk insert and rebuilt after it, which is
-- several times faster than checking and updating them row by row.
SELECT what, name, definition
  FROM (
        SELECT 'constraint' AS what, conname AS name, pg_get_constraintdef(oid) AS definition
          FROM pg_constraint
         WHERE conrelid = 'sim.post'::regclass AND contype IN ('p', 'u', 'f')
        UNION ALL
        SELECT 'index', indexname, indexdef
          FROM pg_indexes AS i
         WHERE schemaname = 'sim' AND tablename = 'post'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c
                            WHERE c.conrelid = 'sim.post'::regclass AND c.conname = i.indexname)
       ) AS post_key
 -- Primary and unique keys before foreign keys, constraints before plain indexes.
 ORDER BY what, definition LIKE 'FOREIGN KEY%', name;

-- name: posts
INSERT INTO sim.post (platform, account_external_id, post_id, created_at, text)
SELECT platform,
       external_id,
       CASE platform
           WHEN 'telegram' THEN message_number
           WHEN 'x' THEN ((epoch_seconds * 1000 - 1288834974657) << 22) | ordinal
           WHEN 'facebook' THEN epoch_seconds * 100000000 + ordinal %% 100000
           ELSE 17000000000000000 + epoch_seconds * 100000 + ordinal %% 100000
       END::text,
       to_timestamp(epoch_seconds),
       (%(post_texts)s::text[])[language_index][text_number]
  FROM (
        SELECT p.platform, p.external_id, p.ordinal, p.language_index,
               p.first_message + k - 1 AS message_number,
               -- Post k of the day falls in the k-th slot of the window, so times rise with k.
               (p.day_number::bigint + 10957) * 86400              -- days 1970-01-01..2000-01-01
                 + p.window_start + (k - 1) * p.slot
                 + floor(pg_temp.demo_unit(23, p.account_key # (p.day_number * 8 + k), %(seed)s::bigint)
                         * p.slot)::bigint
                 - 18000 AS epoch_seconds,                           -- UTC+5
               1 + floor(pg_temp.demo_unit(24, p.account_key # (p.day_number * 8 + k), %(seed)s::bigint)
                         * array_length(%(post_texts)s::text[], 2))::integer AS text_number
          FROM (
                SELECT d.*, NULL::bigint AS first_message
                  FROM demo_posting_day AS d
                 WHERE d.platform <> 'telegram'
                UNION ALL
                -- A channel's messages are numbered one after another.
                SELECT d.*,
                       d.message_base
                         + sum(d.posts_that_day) OVER (PARTITION BY d.ordinal ORDER BY d.day_number)
                         - d.posts_that_day
                  FROM demo_posting_day AS d
                 WHERE d.platform = 'telegram'
               ) AS p
         CROSS JOIN generate_series(1, p.posts_that_day) AS k
        OFFSET 0
       ) AS post;
