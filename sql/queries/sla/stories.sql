-- Ingesting feed items as stories (presswatch.sla.stories.ingest): one COPY into staging, then
-- set-based statements. A story is one story however many feeds or items bring it: an item
-- whose normalised URL, or whose title from the same source, is already a story is merged into
-- it (recorded in story_item), never counted twice.

-- name: feed_by_code
SELECT id, kind, url, language, etag, last_modified, cursor FROM story_feed WHERE code = %(code)s;

-- name: ensure_portal_feed
-- The monitoring portal is one feed; its row holds the cursor.
INSERT INTO story_feed (code, kind, name, url)
VALUES ('portal', 'portal', %(name)s, %(url)s)
ON CONFLICT (code) DO UPDATE SET url = EXCLUDED.url, updated_at = now()
 WHERE story_feed.url IS DISTINCT FROM EXCLUDED.url
RETURNING id;

-- name: active_feeds
SELECT id, code, name, url, language
  FROM story_feed
 WHERE kind = 'rss' AND active
 ORDER BY code;

-- name: record_fetch
-- What the next fetch may skip (conditional GET, cursor) and how this one went. A fetch that
-- failed keeps the old validators, so nothing is skipped that was not read.
UPDATE story_feed
   SET etag = CASE WHEN %(error)s::text IS NULL THEN coalesce(%(etag)s, etag) ELSE etag END,
       last_modified = CASE WHEN %(error)s::text IS NULL
                            THEN coalesce(%(last_modified)s, last_modified) ELSE last_modified END,
       cursor = coalesce(%(cursor)s, cursor),
       last_fetched_at = %(fetched_at)s,
       last_status = %(status)s,
       last_error = %(error)s,
       updated_at = %(fetched_at)s
 WHERE id = %(feed_id)s;

-- name: stage
CREATE TEMP TABLE stage_story_item (
    arrival            bigint GENERATED ALWAYS AS IDENTITY,  -- order in the feed, for ties
    item_key           text NOT NULL,
    url                text NOT NULL,
    canonical_url      text NOT NULL,
    title              text NOT NULL,
    source             text NOT NULL,
    language           text,
    summary            text,
    body               text,
    body_truncated     boolean NOT NULL,
    published_at       timestamptz NOT NULL,
    zone_assumed       boolean NOT NULL,
    first_seen_at      timestamptz NOT NULL,
    institution_codes  text[] NOT NULL,
    keys_plain         text[] NOT NULL,
    keys_stem          text[] NOT NULL,
    keys_word          text[] NOT NULL
) ON COMMIT DROP;

-- name: copy_stage
COPY stage_story_item (item_key, url, canonical_url, title, source, language, summary, body,
                       body_truncated, published_at, zone_assumed, first_seen_at,
                       institution_codes, keys_plain, keys_stem, keys_word) FROM STDIN

-- name: distinct_items
-- One row per item of the load that this feed has not brought before (a feed may list an
-- item twice: its first listing counts), with the title key duplicates are found by.
CREATE TEMP TABLE load_item ON COMMIT DROP AS
SELECT DISTINCT ON (st.item_key)
       st.*, lower(regexp_replace(btrim(st.title), '\s+', ' ', 'g')) AS title_key
  FROM stage_story_item AS st
 WHERE NOT EXISTS (SELECT 1 FROM story_item AS si
                    WHERE si.feed_id = %(feed_id)s AND si.item_key = st.item_key)
 ORDER BY st.item_key, st.arrival;

-- name: insert_stories
-- A new story per item that is no story yet. Two items of the load that are one story (same
-- URL, or same title from the same source) give one row: the first seen, then the first
-- listed; ON CONFLICT skips the others whichever unique key they meet.
INSERT INTO story AS s (source, external_id, url, canonical_url, title, title_key, summary, body,
                        body_truncated, language, published_at, published_at_zone_assumed,
                        first_seen_at, feed_id, keys_plain, keys_stem, keys_word, updated_at)
SELECT li.source, %(feed_code)s || ':' || li.item_key, li.url, li.canonical_url, li.title,
       li.title_key, li.summary, li.body, li.body_truncated, li.language, li.published_at,
       li.zone_assumed, li.first_seen_at, %(feed_id)s, li.keys_plain, li.keys_stem, li.keys_word,
       li.first_seen_at
  FROM load_item AS li
 WHERE NOT EXISTS (SELECT 1 FROM story AS known
                    WHERE known.canonical_url = li.canonical_url
                       OR (known.source, known.title_key) = (li.source, li.title_key))
 ORDER BY li.first_seen_at, li.arrival
    ON CONFLICT DO NOTHING
RETURNING s.id;

-- name: insert_items
-- Every new item, pointing at its story (by URL first, else by title and source).
INSERT INTO story_item (feed_id, item_key, story_id, url, first_seen_at)
SELECT %(feed_id)s, li.item_key,
       coalesce(
           (SELECT s.id FROM story AS s WHERE s.canonical_url = li.canonical_url),
           (SELECT s.id FROM story AS s WHERE (s.source, s.title_key) = (li.source, li.title_key))
       ),
       li.url, li.first_seen_at
  FROM load_item AS li
    ON CONFLICT DO NOTHING
RETURNING story_id;

-- name: earliest_sighting
-- A story is first seen when its first item was: an item of another feed that saw it earlier
-- moves the time back (whatever order the feeds were read in).
UPDATE story AS s
   SET first_seen_at = seen.first_seen_at, updated_at = seen.first_seen_at
  FROM (SELECT si.story_id, min(si.first_seen_at) AS first_seen_at
          FROM load_item AS li
          JOIN story_item AS si ON si.feed_id = %(feed_id)s AND si.item_key = li.item_key
         GROUP BY si.story_id) AS seen
 WHERE s.id = seen.story_id AND seen.first_seen_at < s.first_seen_at;

-- name: feed_tags
-- The portal's own tags: the institutions it says a story concerns (codes of the registry).
INSERT INTO story_institution (story_id, institution_id, match_method, matched_at)
SELECT DISTINCT si.story_id, i.id, 'feed_tag', li.first_seen_at
  FROM load_item AS li
  JOIN story_item AS si ON si.feed_id = %(feed_id)s AND si.item_key = li.item_key
 CROSS JOIN LATERAL unnest(li.institution_codes) AS tag (code)
  JOIN institution AS i ON i.code = tag.code
    ON CONFLICT (story_id, institution_id) DO NOTHING;

-- name: unknown_tags
-- Tags naming no institution of the registry: quarantined with the item, not dropped.
SELECT li.item_key, li.url, tag.code
  FROM load_item AS li
 CROSS JOIN LATERAL unnest(li.institution_codes) AS tag (code)
 WHERE NOT EXISTS (SELECT 1 FROM institution AS i WHERE i.code = tag.code)
 ORDER BY li.arrival, tag.code;

-- name: drop_stage
DROP TABLE load_item, stage_story_item;
