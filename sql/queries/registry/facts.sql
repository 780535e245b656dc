-- Registry import of the other facts: Wikipedia titles (R7), apps (R8), media pool (R5),
-- public council (R6). Each has a natural key; each returns the keys it changed.

-- name: stage
CREATE TEMP TABLE stage_wikipedia (institution_code text, lang text, title text) ON COMMIT DROP;
CREATE TEMP TABLE stage_app (institution_code text, os text, store_url text,
                             open_data_integrated boolean) ON COMMIT DROP;
CREATE TEMP TABLE stage_media_pool (institution_code text, full_name text, member_type text,
                                    outlet text, joined_on date, left_on date) ON COMMIT DROP;
CREATE TEMP TABLE stage_council (institution_code text, full_name text, member_type text,
                                 joined_on date, left_on date) ON COMMIT DROP;

-- name: wikipedia_update
UPDATE wikipedia_page AS w SET title = s.title, updated_at = now()
  FROM stage_wikipedia AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE w.institution_id = i.id AND w.lang = s.lang AND w.title IS DISTINCT FROM s.title
RETURNING w.institution_id, w.lang;

-- name: wikipedia_insert
INSERT INTO wikipedia_page (institution_id, lang, title)
SELECT i.id, s.lang, s.title
  FROM stage_wikipedia AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE NOT EXISTS (SELECT 1 FROM wikipedia_page AS w WHERE w.institution_id = i.id AND w.lang = s.lang)
RETURNING institution_id, lang;

-- name: app_update
UPDATE mobile_app AS m
   SET store_url = s.store_url, open_data_integrated = s.open_data_integrated, updated_at = now()
  FROM stage_app AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE m.institution_id = i.id AND m.os = s.os
   AND (m.store_url, m.open_data_integrated) IS DISTINCT FROM (s.store_url, s.open_data_integrated)
RETURNING m.institution_id, m.os;

-- name: app_insert
INSERT INTO mobile_app (institution_id, os, store_url, open_data_integrated)
SELECT i.id, s.os, s.store_url, s.open_data_integrated
  FROM stage_app AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE NOT EXISTS (SELECT 1 FROM mobile_app AS m WHERE m.institution_id = i.id AND m.os = s.os)
RETURNING institution_id, os;

-- name: media_pool_update
UPDATE media_pool_member AS m
   SET outlet = s.outlet, joined_on = s.joined_on, left_on = s.left_on, updated_at = now()
  FROM stage_media_pool AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE m.institution_id = i.id AND m.full_name = s.full_name AND m.member_type = s.member_type
   AND (m.outlet, m.joined_on, m.left_on) IS DISTINCT FROM (s.outlet, s.joined_on, s.left_on)
RETURNING m.id;

-- name: media_pool_insert
INSERT INTO media_pool_member (institution_id, full_name, member_type, outlet, joined_on, left_on)
SELECT i.id, s.full_name, s.member_type, s.outlet, s.joined_on, s.left_on
  FROM stage_media_pool AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE NOT EXISTS (SELECT 1 FROM media_pool_member AS m
                    WHERE m.institution_id = i.id AND m.full_name = s.full_name
                      AND m.member_type = s.member_type)
RETURNING id;

-- name: council_update
UPDATE public_council_member AS c
   SET member_type = s.member_type, joined_on = s.joined_on, left_on = s.left_on, updated_at = now()
  FROM stage_council AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE c.institution_id = i.id AND c.full_name = s.full_name
   AND (c.member_type, c.joined_on, c.left_on) IS DISTINCT FROM (s.member_type, s.joined_on, s.left_on)
RETURNING c.id;

-- name: council_insert
INSERT INTO public_council_member (institution_id, full_name, member_type, joined_on, left_on)
SELECT i.id, s.full_name, s.member_type, s.joined_on, s.left_on
  FROM stage_council AS s JOIN institution AS i ON i.code = s.institution_code
 WHERE NOT EXISTS (SELECT 1 FROM public_council_member AS c
                    WHERE c.institution_id = i.id AND c.full_name = s.full_name)
RETURNING id;

-- name: wikipedia_remove
-- The Wikipedia titles (key: institution code, language) the file no longer lists (a quarantined line's key counts as listed), removed:
-- the history (migration 0014) keeps them valid before the import's day. Returns the rows
-- before, and the keys removed (fields joined by U+001F).
WITH gone AS (
    DELETE FROM wikipedia_page AS w USING institution AS i
     WHERE i.id = w.institution_id
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = concat_ws(chr(31), i.code, w.lang))
    RETURNING concat_ws(chr(31), i.code, w.lang) AS key
)
SELECT (SELECT count(*)::int FROM wikipedia_page),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');

-- name: app_remove
-- The apps (key: institution code, OS) the file no longer lists (a quarantined line's key counts as listed), removed:
-- the history (migration 0014) keeps them valid before the import's day. Returns the rows
-- before, and the keys removed (fields joined by U+001F).
WITH gone AS (
    DELETE FROM mobile_app AS w USING institution AS i
     WHERE i.id = w.institution_id
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = concat_ws(chr(31), i.code, w.os))
    RETURNING concat_ws(chr(31), i.code, w.os) AS key
)
SELECT (SELECT count(*)::int FROM mobile_app),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');

-- name: media_pool_remove
-- The media pool members (key: institution code, name, type) the file no longer lists (a quarantined line's key counts as listed), removed:
-- the history (migration 0014) keeps them valid before the import's day. Returns the rows
-- before, and the keys removed (fields joined by U+001F).
WITH gone AS (
    DELETE FROM media_pool_member AS w USING institution AS i
     WHERE i.id = w.institution_id
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = concat_ws(chr(31), i.code, w.full_name, w.member_type))
    RETURNING concat_ws(chr(31), i.code, w.full_name, w.member_type) AS key
)
SELECT (SELECT count(*)::int FROM media_pool_member),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');

-- name: council_remove
-- The council members (key: institution code, name) the file no longer lists (a quarantined line's key counts as listed), removed:
-- the history (migration 0014) keeps them valid before the import's day. Returns the rows
-- before, and the keys removed (fields joined by U+001F).
WITH gone AS (
    DELETE FROM public_council_member AS w USING institution AS i
     WHERE i.id = w.institution_id
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = concat_ws(chr(31), i.code, w.full_name))
    RETURNING concat_ws(chr(31), i.code, w.full_name) AS key
)
SELECT (SELECT count(*)::int FROM public_council_member),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');
