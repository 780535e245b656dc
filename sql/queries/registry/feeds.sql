-- Registry import of the news sites' feeds (feeds.csv) into story_feed, kind 'rss', keyed by
-- code. The monitoring portal's row (kind 'portal') is not the registry's: its code is refused
-- (registry.feeds) and never updated here. A feed whose URL changes forgets what its last
-- fetch saw (etag, last_modified, cursor): they belonged to the old address.

-- name: stage
CREATE TEMP TABLE stage_feed (
    code text PRIMARY KEY, name text, url text, language text, active boolean
) ON COMMIT DROP;

-- name: update
UPDATE story_feed AS f
   SET name = s.name, url = s.url, language = s.language, active = s.active,
       etag = CASE WHEN f.url = s.url THEN f.etag END,
       last_modified = CASE WHEN f.url = s.url THEN f.last_modified END,
       cursor = CASE WHEN f.url = s.url THEN f.cursor END,
       updated_at = now()
  FROM stage_feed AS s
 WHERE f.code = s.code AND f.kind = 'rss'
   AND (f.name, f.url, f.language, f.active) IS DISTINCT FROM (s.name, s.url, s.language, s.active)
RETURNING f.code;

-- name: insert
INSERT INTO story_feed (code, kind, name, url, language, active)
SELECT s.code, 'rss', s.name, s.url, s.language, s.active
  FROM stage_feed AS s
 WHERE NOT EXISTS (SELECT 1 FROM story_feed AS f WHERE f.code = s.code)
RETURNING code;

-- name: existing_portal_codes
SELECT code FROM story_feed WHERE kind = 'portal';

-- name: deactivate
-- What the folder no longer lists: the active news feeds whose key is on no line of the file (a
-- quarantined line's key counts as listed), deactivated, not deleted: the hourly run stops
-- reading them, the stories already read keep their feed, and a later folder that lists a
-- feed again reactivates it. Returns the active feeds before, and the codes deactivated.
WITH gone AS (
    UPDATE story_feed AS t SET active = false, updated_at = now()
     WHERE t.active AND t.kind = 'rss'
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = t.code)
    RETURNING t.code AS key
)
SELECT (SELECT count(*)::int FROM story_feed AS t WHERE t.active AND t.kind = 'rss'),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');
