-- Demo generator: news stories about the demo institutions and the institutions' responses
-- (R3), in the simulated story sources only: the monitoring portal (sim.portal_story,
-- sim.portal_response), the outlets' RSS and Atom feeds (sim.feed, sim.feed_item) and the
-- response posts on the simulated platforms (sim.post). The domain tables (story,
-- story_institution, story_response) are the pipeline's to fill, by reading these sources as it
-- reads the real ones.
-- Parameters: seed, start_date, days, period_end (timestamptz); story_sources and
-- story_languages (text[], aligned: an outlet and a language, repeated by weight);
-- outlet_domains and outlet_names (aligned); feed_codes, feed_hosts, feed_paths, feed_formats,
-- feed_languages, feed_titles, feed_declared_languages, feed_writes_zone, feed_guid_is_link
-- (aligned, one per feed); no_date_feed and html_title_feed (feed codes); language_paths,
-- name_joiners (text[], one per language: uz-Latn, uz-Cyrl, ru, en); critical_titles,
-- routine_titles, story_summaries and response_texts (text[][], one row per language);
-- ru_genitive_critical_titles and ru_genitive_routine_titles (text[]).
--
-- Two stories in five are critical. Titles name the institution in the story's language, a
-- few name its parent too ("A va B"), and some Russian ones name it in the genitive
-- ("Министерства юстиции"). The portal collects nine stories in ten, minutes after they are
-- published, and tags the institutions of three in ten; almost half also appear in their
-- outlet's feed under the same URL, and one in ten appears only there. Two feed items are
-- deliberately bad: the newest item of one feed has no date, of another HTML in its title.
--
-- Responses to critical stories come mostly within hours, a good share close to the 24-hour
-- deadline on either side, some days late, some never. A response on a social network is a
-- post of the institution's (or its head's) X or Facebook account with the story's URL in it,
-- or its title; the portal records every other response and some of the posts. Nothing
-- happens after the period: a story published late on its last day may still be waiting.

-- name: stories
CREATE TEMP TABLE demo_story ON COMMIT DROP AS
WITH drawn AS (
    SELECT d.institution_id, d.code, d.ordinal, n,
           d.name_uz_latn, d.name_uz_cyrl, d.name_ru, d.name_en, d.name_ru_genitive,
           p.institution_id AS parent_id, p.code AS parent_code,
           p.name_uz_latn AS parent_uz_latn, p.name_uz_cyrl AS parent_uz_cyrl,
           p.name_ru AS parent_ru, p.name_en AS parent_en,
           p.name_ru_genitive AS parent_ru_genitive,
           d.institution_key # (n::bigint << 24) AS story_key
      FROM demo_inst AS d
      LEFT JOIN demo_inst AS p ON p.institution_id = d.parent_id
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
           pg_temp.demo_unit(85, story_key, %(seed)s::bigint) AS u_title,
           120 + floor(pg_temp.demo_unit(86, story_key, %(seed)s::bigint) * 1680)::bigint
             AS detection_delay,                                 -- the portal crawls every few minutes
           -- Some stories concern the parent too, and name it: the ministry behind a
           -- department, the region behind a district.
           dr.parent_id IS NOT NULL
             AND pg_temp.demo_unit(87, story_key, %(seed)s::bigint) < 0.08 AS names_parent,
           pg_temp.demo_unit(88, story_key, %(seed)s::bigint) AS u_where,
           pg_temp.demo_unit(89, story_key, %(seed)s::bigint) < 0.3 AS tagged,
           pg_temp.demo_unit(96, story_key, %(seed)s::bigint) < 0.25 AS genitive_title,
           pg_temp.demo_unit(97, story_key, %(seed)s::bigint) AS u_tone
      FROM drawn AS dr
),
sourced AS (
    SELECT s.*,
           (%(story_sources)s::text[])[source_number] AS source,
           (%(story_languages)s::text[])[source_number] AS language,
           array_position(ARRAY['uz-Latn', 'uz-Cyrl', 'ru', 'en'],
                          (%(story_languages)s::text[])[source_number]) AS language_index
      FROM shaped AS s
),
named AS (
    SELECT so.*,
           CASE WHEN names_parent
                THEN own_name || ' ' || (%(name_joiners)s::text[])[language_index] || ' ' || parent_name
                ELSE own_name END AS display_name,
           CASE WHEN names_parent THEN name_ru_genitive || ' и ' || parent_ru_genitive
                ELSE name_ru_genitive END AS display_genitive
      FROM sourced AS so
     CROSS JOIN LATERAL (
           SELECT CASE so.language WHEN 'uz-Latn' THEN so.name_uz_latn
                                   WHEN 'uz-Cyrl' THEN so.name_uz_cyrl
                                   WHEN 'ru' THEN so.name_ru ELSE so.name_en END AS own_name,
                  CASE so.language WHEN 'uz-Latn' THEN so.parent_uz_latn
                                   WHEN 'uz-Cyrl' THEN so.parent_uz_cyrl
                                   WHEN 'ru' THEN so.parent_ru ELSE so.parent_en END AS parent_name
           ) AS names
),
titled AS (
    SELECT nm.*,
           (100000 + row_number() OVER (PARTITION BY source ORDER BY published_epoch, ordinal, n))::text
               AS external_id,
           row_number() OVER (ORDER BY published_epoch, ordinal, n) AS story_number,
           CASE WHEN language = 'ru' AND genitive_title THEN
                    replace(CASE WHEN is_critical
                                 THEN (%(ru_genitive_critical_titles)s::text[])[1 + floor(u_title
                                          * array_length(%(ru_genitive_critical_titles)s::text[], 1))::integer]
                                 ELSE (%(ru_genitive_routine_titles)s::text[])[1 + floor(u_title
                                          * array_length(%(ru_genitive_routine_titles)s::text[], 1))::integer]
                            END, '{name}', display_genitive)
                WHEN is_critical THEN
                    replace((%(critical_titles)s::text[])[language_index][1 + floor(u_title
                                * array_length(%(critical_titles)s::text[], 2))::integer],
                            '{name}', display_name)
                ELSE
                    replace((%(routine_titles)s::text[])[language_index][1 + floor(u_title
                                * array_length(%(routine_titles)s::text[], 2))::integer],
                            '{name}', display_name)
           END AS title,
           (%(story_summaries)s::text[])[language_index][CASE WHEN is_critical THEN 1 ELSE 2 END] AS summary,
           date '1970-01-01' + ((published_epoch + 18000) / 86400)::integer AS local_date,
           u_where >= 0.10 AS in_portal,                         -- else only in its feed
           u_where < 0.55 AS in_feed
      FROM named AS nm
)
SELECT t.*,
       'https://' || source || '/' || (%(language_paths)s::text[])[language_index] || 'news/'
         || to_char(local_date, 'YYYY/MM/DD') || '/' || external_id AS url,
       CASE WHEN in_portal THEN 1000000 + row_number() OVER (
                PARTITION BY in_portal ORDER BY published_epoch + detection_delay, ordinal, n)
       END AS portal_id
  FROM titled AS t;

-- name: insert_portal_stories
INSERT INTO sim.portal_story (portal_id, source_name, source_domain, url, title, text, language,
                              published_at, collected_at, institution_codes, tone)
SELECT portal_id,
       (%(outlet_names)s::text[])[array_position(%(outlet_domains)s::text[], source)],
       source, url, title, summary, language,
       to_timestamp(published_epoch),
       to_timestamp(published_epoch + detection_delay),
       CASE WHEN NOT tagged THEN '{}'::text[]
            WHEN names_parent THEN ARRAY[code, parent_code]
            ELSE ARRAY[code] END,
       CASE WHEN is_critical THEN 'negative' WHEN u_tone < 0.3 THEN 'positive' ELSE 'neutral' END
  FROM demo_story
 WHERE in_portal
 ORDER BY portal_id;

-- name: insert_feeds
INSERT INTO sim.feed (host, path, format, title, language)
SELECT host, path, format, title, declared_language
  FROM unnest(%(feed_hosts)s::text[], %(feed_paths)s::text[], %(feed_formats)s::text[],
              %(feed_titles)s::text[], %(feed_declared_languages)s::text[])
       AS feed (host, path, format, title, declared_language)
 ORDER BY host, path;

-- name: insert_feed_items
-- Each outlet writes its feed its own way: RFC 822 dates in RSS (one without the zone), RFC 3339
-- in Atom; the guid is the link, or the outlet's own "domain:number".
INSERT INTO sim.feed_item (host, path, guid, link, title, description, body, pub_date, listed_at)
WITH feed AS (
    SELECT *
      FROM unnest(%(feed_codes)s::text[], %(feed_hosts)s::text[], %(feed_paths)s::text[],
                  %(feed_formats)s::text[], %(feed_languages)s::text[],
                  %(feed_writes_zone)s::boolean[], %(feed_guid_is_link)s::boolean[])
           AS feed (code, host, path, format, language, writes_zone, guid_is_link)
),
item AS (
    SELECT f.*, s.url, s.external_id, s.title, s.summary, s.published_epoch,
           to_timestamp(s.published_epoch) AT TIME ZONE 'Asia/Tashkent' AS local_time,
           row_number() OVER (PARTITION BY f.code ORDER BY s.published_epoch DESC, s.external_id DESC)
               AS newness
      FROM feed AS f
      JOIN demo_story AS s ON s.in_feed AND s.source = f.host AND s.language = f.language
)
SELECT host, path,
       CASE WHEN guid_is_link THEN url ELSE host || ':' || external_id END,
       url,
       CASE WHEN code = %(html_title_feed)s AND newness = 1
            THEN '<b>' || title || '</b> <script>track("title")</script>'
            ELSE title END,
       '<p>' || summary || '</p>',
       CASE WHEN format = 'atom' THEN '<p>' || title || '</p><p>' || summary || '</p>' END,
       CASE WHEN code = %(no_date_feed)s AND newness = 1 THEN NULL
            WHEN format = 'atom' THEN to_char(local_time, 'YYYY-MM-DD"T"HH24:MI:SS') || '+05:00'
            WHEN writes_zone THEN to_char(local_time, 'Dy, DD Mon YYYY HH24:MI:SS') || ' +0500'
            ELSE to_char(local_time, 'Dy, DD Mon YYYY HH24:MI:SS') END,
       to_timestamp(published_epoch)
  FROM item
 ORDER BY host, path, published_epoch, external_id;

-- name: responses
CREATE TEMP TABLE demo_response ON COMMIT DROP AS
WITH concerned AS (
    SELECT story_key, story_number, portal_id, url AS story_url, title, is_critical,
           published_epoch, institution_id
      FROM demo_story
    UNION ALL
    SELECT story_key, story_number, portal_id, url, title, is_critical, published_epoch,
           parent_id
      FROM demo_story
     WHERE names_parent
),
matched AS (
    SELECT c.*, d.code, d.domain, d.language_index,
           c.story_key # (c.institution_id::bigint << 40) AS response_key
      FROM concerned AS c
      JOIN demo_inst AS d ON d.institution_id = c.institution_id
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
    SELECT story_key, story_number, portal_id, story_url, title, institution_id, code, domain,
           language_index, u_text, response_key, 1 AS sequence,
           published_epoch + delay_seconds AS epoch,
           CASE WHEN u_channel < 0.30 THEN 'social_post' WHEN u_channel < 0.62 THEN 'website'
                WHEN u_channel < 0.77 THEN 'press_release' WHEN u_channel < 0.89 THEN 'statement'
                ELSE 'media_comment' END AS wanted_channel
      FROM delayed
     WHERE delay_seconds IS NOT NULL
    UNION ALL
    -- A second, later response on another channel.
    SELECT story_key, story_number, portal_id, story_url, title, institution_id, code, domain,
           language_index, u_text, response_key, 2,
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
       END::text AS post_id,
       -- The portal notices a response minutes to an hour later; it records some of the posts.
       300 + floor(pg_temp.demo_unit(98, r.response_key # r.sequence, %(seed)s::bigint) * 3300)::bigint
           AS recording_delay,
       pg_temp.demo_unit(99, r.response_key # r.sequence, %(seed)s::bigint) < 0.4
           AS portal_records_post
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
       replace(replace((%(response_texts)s::text[])[language_index]
                           [1 + floor(u_text * array_length(%(response_texts)s::text[], 2))::integer],
                       '{url}', story_url),
               '{title}', title)
  FROM demo_response
 WHERE channel = 'social_post'
 ORDER BY platform, post_id
    ON CONFLICT DO NOTHING;

-- name: insert_portal_responses
INSERT INTO sim.portal_response (portal_id, story_portal_id, story_url, institution_code,
                                 responded_at, url, channel, account_platform, account_handle,
                                 recorded_at)
SELECT 5000000 + row_number() OVER (ORDER BY epoch + recording_delay, story_number, institution_id,
                                             sequence),
       portal_id, story_url, code,
       CASE WHEN channel = 'social_post' THEN to_timestamp(epoch + 0.5) ELSE to_timestamp(epoch) END,
       CASE channel
           WHEN 'social_post' THEN CASE platform
               WHEN 'x' THEN 'https://x.com/' || platform_handle || '/status/' || post_id
               ELSE 'https://www.facebook.com/' || external_id || '/posts/' || post_id END
           WHEN 'website' THEN 'https://' || domain || '/news/' || story_number || '-' || sequence
           WHEN 'press_release' THEN 'https://' || domain || '/press-releases/' || story_number || '-' || sequence
           WHEN 'statement' THEN 'https://' || domain || '/statements/' || story_number || '-' || sequence
           ELSE 'https://gazeta.uz/ru/comments/' || story_number || '-' || institution_id || '-' || sequence
       END,
       channel,
       CASE WHEN channel = 'social_post' THEN platform END,
       CASE WHEN channel = 'social_post' THEN platform_handle END,
       to_timestamp(epoch + recording_delay)
  FROM demo_response
 WHERE (channel <> 'social_post' OR portal_records_post)
   AND to_timestamp(epoch + recording_delay) < %(period_end)s::timestamptz
 ORDER BY 1;
