-- Demo generator: news stories about the demo institutions, their matches, and the
-- institutions' responses (R3), with the response posts on the simulated platforms.
-- Parameters: seed, start_date, days, period_end (timestamptz), story_sources and
-- story_languages (text[], aligned), critical_titles, routine_titles, story_summaries and
-- response_texts (text[][], one row per language: uz-Latn, uz-Cyrl, ru, en).
--
-- Two stories in five are critical. Responses to critical stories come mostly within hours,
-- a good share close to the 24-hour deadline on either side, some days late, some never.
-- Nothing happens after the period: a story published late on its last day may still be
-- waiting for an answer.

-- name: stories
CREATE TEMP TABLE demo_story ON COMMIT DROP AS
WITH drawn AS (
    SELECT d.institution_id, d.parent_id, d.ordinal, n,
           d.name_uz_latn, d.name_uz_cyrl, d.name_ru, d.name_en,
           d.institution_key # (n::bigint << 24) AS story_key
      FROM demo_inst AS d
     CROSS JOIN LATERAL generate_series(
           1,
           floor(d.stories_per_year * %(days)s / 365.0
                 + pg_temp.demo_unit(80, d.institution_key, %(seed)s::bigint))::integer) AS n
),
shaped AS (
    SELECT dr.*,
           (%(start_date)s::date - date '1970-01-01'
              + floor(pg_temp.demo_unit(81, story_key, %(seed)s::bigint) * %(days)s)::integer
           )::bigint * 86400 - 18000
             + 25200 + floor(pg_temp.demo_unit(82, story_key, %(seed)s::bigint) * 57600)::bigint
             AS published_epoch,                                 -- 07:00-23:00 local
           1 + floor(pg_temp.demo_unit(83, story_key, %(seed)s::bigint)
                     * array_length(%(story_sources)s::text[], 1))::integer AS source_number,
           pg_temp.demo_unit(84, story_key, %(seed)s::bigint) < 0.4 AS is_critical,
           1 + floor(pg_temp.demo_unit(85, story_key, %(seed)s::bigint)
                     * array_length(%(critical_titles)s::text[], 2))::integer AS title_number,
           120 + floor(pg_temp.demo_unit(86, story_key, %(seed)s::bigint) * 1680)::bigint
             AS detection_delay,                                 -- feeds are polled every few minutes
           -- Some stories concern the parent too: the ministry behind a department, the
           -- region behind a district.
           pg_temp.demo_unit(87, story_key, %(seed)s::bigint) < 0.15 AS also_parent,
           pg_temp.demo_unit(88, story_key, %(seed)s::bigint) AS u_match
      FROM drawn AS dr
),
sourced AS (
    SELECT s.*,
           (%(story_sources)s::text[])[source_number] AS source,
           (%(story_languages)s::text[])[source_number] AS language
      FROM shaped AS s
)
SELECT so.*,
       language_index,
       (100000 + row_number() OVER (PARTITION BY source ORDER BY published_epoch, ordinal, n))::text
           AS external_id,
       replace((CASE WHEN is_critical THEN %(critical_titles)s::text[]
                     ELSE %(routine_titles)s::text[] END)[language_index][title_number],
               '{name}',
               CASE language WHEN 'uz-Latn' THEN name_uz_latn WHEN 'uz-Cyrl' THEN name_uz_cyrl
                             WHEN 'ru' THEN name_ru ELSE name_en END) AS title,
       (%(story_summaries)s::text[])[language_index][CASE WHEN is_critical THEN 1 ELSE 2 END] AS summary,
       date '1970-01-01' + ((published_epoch + 18000) / 86400)::integer AS local_date
  FROM sourced AS so
 CROSS JOIN LATERAL (
       SELECT array_position(ARRAY['uz-Latn', 'uz-Cyrl', 'ru', 'en'], so.language) AS language_index
       ) AS li;

-- name: insert_stories
INSERT INTO story (source, external_id, url, canonical_url, title, title_key, summary, language,
                   published_at, first_seen_at, is_critical, updated_at)
SELECT source, external_id, url, url, title, lower(title), summary, language,
       published_at, first_seen_at, is_critical, first_seen_at
  FROM (
        SELECT source,
               external_id,
               'https://' || source || '.example/'
                 || CASE language WHEN 'ru' THEN 'ru/' WHEN 'en' THEN 'en/' WHEN 'uz-Cyrl' THEN 'oz/' ELSE '' END
                 || 'news/' || to_char(local_date, 'YYYY/MM/DD') || '/' || external_id AS url,
               title, summary, language,
               to_timestamp(published_epoch) AS published_at,
               to_timestamp(published_epoch + detection_delay) AS first_seen_at,
               is_critical
          FROM demo_story
         ORDER BY published_epoch, source, external_id
       ) AS drawn
    ON CONFLICT DO NOTHING;

-- name: insert_matches
INSERT INTO story_institution (story_id, institution_id, match_method, matched_at)
SELECT story_id, institution_id, match_method,
       least(first_seen_at + delay, %(period_end)s::timestamptz - interval '1 second')
  FROM (
        SELECT s.id AS story_id, ds.institution_id, s.first_seen_at,
               CASE WHEN ds.u_match < 0.75 THEN 'keyword'
                    WHEN ds.u_match < 0.95 THEN 'feed_tag' ELSE 'manual' END AS match_method,
               -- A person confirms manual matches within the hour; the others are immediate.
               CASE WHEN ds.u_match < 0.95 THEN make_interval(secs => 10 + floor(ds.u_match * 200))
                    ELSE make_interval(secs => 600 + floor(ds.u_match * 3000)) END AS delay
          FROM demo_story AS ds
          JOIN story AS s ON s.source = ds.source AND s.external_id = ds.external_id
        UNION ALL
        SELECT s.id, ds.parent_id, s.first_seen_at, 'keyword', interval '45 seconds'
          FROM demo_story AS ds
          JOIN story AS s ON s.source = ds.source AND s.external_id = ds.external_id
         WHERE ds.also_parent AND ds.parent_id IS NOT NULL
       ) AS match
 ORDER BY story_id, institution_id;

-- name: responses
CREATE TEMP TABLE demo_response ON COMMIT DROP AS
WITH matched AS (
    SELECT si.story_id, si.institution_id, s.is_critical, s.title,
           extract(epoch FROM s.published_at)::bigint AS published_epoch,
           (si.story_id::bigint << 24) # si.institution_id AS response_key,
           d.domain, d.language_index
      FROM story_institution AS si
      JOIN story AS s ON s.id = si.story_id
      JOIN demo_inst AS d ON d.institution_id = si.institution_id
),
delayed AS (
    SELECT m.*,
           pg_temp.demo_unit(92, response_key, %(seed)s::bigint) AS u_channel,
           pg_temp.demo_unit(93, response_key, %(seed)s::bigint) AS u_second,
           pg_temp.demo_unit(94, response_key, %(seed)s::bigint) AS u_second_delay,
           pg_temp.demo_unit(95, response_key, %(seed)s::bigint) AS u_text,
           CASE WHEN m.is_critical THEN CASE
                    WHEN u.delay < 0.40 THEN 1800 + floor(u.within * 19800)     -- 0.5-6 h
                    WHEN u.delay < 0.55 THEN 21600 + floor(u.within * 50400)    -- 6-20 h
                    WHEN u.delay < 0.65 THEN 72000 + floor(u.within * 10800)    -- 20-23 h
                    WHEN u.delay < 0.75 THEN 82800 + floor(u.within * 7200)     -- 23-25 h
                    WHEN u.delay < 0.85 THEN 90000 + floor(u.within * 169200)   -- 25-72 h
                END                                                             -- else never
                WHEN u.delay < 0.10 THEN 3600 + floor(u.within * 169200)        -- routine: rarely
           END::bigint AS delay_seconds
      FROM matched AS m
     CROSS JOIN LATERAL (
           SELECT pg_temp.demo_unit(90, m.response_key, %(seed)s::bigint) AS delay,
                  pg_temp.demo_unit(91, m.response_key, %(seed)s::bigint) AS within
           ) AS u
),
response AS (
    SELECT story_id, institution_id, title, domain, language_index, u_text, 1 AS sequence,
           published_epoch + delay_seconds AS epoch,
           CASE WHEN u_channel < 0.30 THEN 'social_post' WHEN u_channel < 0.62 THEN 'website'
                WHEN u_channel < 0.77 THEN 'press_release' WHEN u_channel < 0.89 THEN 'statement'
                ELSE 'media_comment' END AS wanted_channel
      FROM delayed
     WHERE delay_seconds IS NOT NULL
    UNION ALL
    -- A second, later response on another channel.
    SELECT story_id, institution_id, title, domain, language_index, u_text, 2,
           published_epoch + delay_seconds + 3600 + floor(u_second_delay * 169200)::bigint,
           CASE WHEN u_channel < 0.30 THEN 'website' ELSE 'social_post' END
      FROM delayed
     WHERE delay_seconds IS NOT NULL AND u_second < 0.2
)
SELECT r.*, a.account_id, a.platform, a.external_id, a.platform_handle,
       CASE WHEN r.wanted_channel = 'social_post' AND a.account_id IS NULL THEN 'website'
            ELSE r.wanted_channel END AS channel,
       -- A response post is stamped at half a second, which no regular post is, so its X and
       -- Facebook ids cannot collide with the account's other posts.
       CASE a.platform
           WHEN 'x' THEN (((r.epoch * 1000 + 500) - 1288834974657) << 22) | a.ordinal
           WHEN 'facebook' THEN (r.epoch * 1000 + 500) * 100000 + a.ordinal %% 100000
       END::text AS post_id
  FROM response AS r
  LEFT JOIN LATERAL (
       -- The institution's own page if it has one on X or Facebook, else its head's.
       SELECT da.account_id, da.platform, da.external_id, da.platform_handle, da.ordinal
         FROM demo_account AS da
        WHERE da.institution_id = r.institution_id
          AND da.platform IN ('x', 'facebook')
          AND da.on_platform AND NOT da.deleted
          AND da.owner IN ('institution', 'head')
        ORDER BY da.owner = 'institution' DESC, da.platform, da.external_id
        LIMIT 1
       ) AS a ON r.wanted_channel = 'social_post'
 WHERE to_timestamp(r.epoch) < %(period_end)s::timestamptz;

-- name: insert_response_posts
-- One post may answer two stories (the same account, the same second): it is stored once.
INSERT INTO sim.post (platform, account_external_id, post_id, created_at, text)
SELECT platform, external_id, post_id, to_timestamp(epoch + 0.5),
       replace((%(response_texts)s::text[])[language_index]
                   [1 + floor(u_text * array_length(%(response_texts)s::text[], 2))::integer],
               '{title}', title)
  FROM demo_response
 WHERE channel = 'social_post'
 ORDER BY platform, post_id
    ON CONFLICT DO NOTHING;

-- name: insert_responses
INSERT INTO story_response (story_id, institution_id, responded_at, channel, url, account_id,
                            platform_post_id, origin, recorded_at)
SELECT story_id, institution_id,
       CASE WHEN channel = 'social_post' THEN to_timestamp(epoch + 0.5) ELSE to_timestamp(epoch) END,
       channel,
       CASE channel
           WHEN 'social_post' THEN CASE platform
               WHEN 'x' THEN 'https://x.com/' || platform_handle || '/status/' || post_id
               ELSE 'https://www.facebook.com/' || external_id || '/posts/' || post_id END
           WHEN 'website' THEN 'https://' || domain || '/news/' || story_id || '-' || sequence
           WHEN 'press_release' THEN 'https://' || domain || '/press-releases/' || story_id || '-' || sequence
           WHEN 'statement' THEN 'https://' || domain || '/statements/' || story_id || '-' || sequence
           ELSE 'https://gazeta.uz.example/comments/' || story_id || '-' || institution_id || '-' || sequence
       END,
       CASE WHEN channel = 'social_post' THEN account_id END,
       CASE WHEN channel = 'social_post' THEN post_id END,
       CASE WHEN channel = 'social_post' THEN 'post' ELSE 'portal' END,
       to_timestamp(epoch + 1)
  FROM demo_response
 ORDER BY epoch, story_id, institution_id, sequence;
