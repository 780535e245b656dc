-- Registry import of institutions from the staging table (filled by COPY, already validated).
-- Two passes: columns first, then parents (a parent may be new in the same import).

-- name: stage
CREATE TEMP TABLE stage_institution (
    code text PRIMARY KEY, kind text, parent_code text, region_code text,
    name_uz_latn text, name_uz_cyrl text, name_ru text, name_en text,
    website text, preferred_language text, active boolean
) ON COMMIT DROP;

-- name: update
UPDATE institution AS i
   SET kind = s.kind, region_code = s.region_code, name_uz_latn = s.name_uz_latn,
       name_uz_cyrl = s.name_uz_cyrl, name_ru = s.name_ru, name_en = s.name_en,
       website = s.website, preferred_language = s.preferred_language, active = s.active,
       updated_at = now()
  FROM stage_institution AS s
 WHERE i.code = s.code
   AND (i.kind, i.region_code, i.name_uz_latn, i.name_uz_cyrl, i.name_ru, i.name_en, i.website,
        i.preferred_language, i.active)
       IS DISTINCT FROM
       (s.kind, s.region_code, s.name_uz_latn, s.name_uz_cyrl, s.name_ru, s.name_en, s.website,
        s.preferred_language, s.active)
RETURNING i.code;

-- name: insert
INSERT INTO institution (code, kind, region_code, name_uz_latn, name_uz_cyrl, name_ru, name_en,
                         website, preferred_language, active)
SELECT s.code, s.kind, s.region_code, s.name_uz_latn, s.name_uz_cyrl, s.name_ru, s.name_en,
       s.website, s.preferred_language, s.active
  FROM stage_institution AS s
 WHERE NOT EXISTS (SELECT 1 FROM institution AS i WHERE i.code = s.code)
RETURNING code;

-- name: set_parents
UPDATE institution AS i
   SET parent_id = p.id, updated_at = now()
  FROM stage_institution AS s
  LEFT JOIN institution AS p ON p.code = s.parent_code
 WHERE i.code = s.code
   AND i.parent_id IS DISTINCT FROM p.id
RETURNING i.code;

-- name: existing
SELECT code, parent_code FROM (
    SELECT i.code, p.code AS parent_code
      FROM institution AS i LEFT JOIN institution AS p ON p.id = i.parent_id
) AS known;

-- name: deactivate
-- What the folder no longer lists: the active institutions whose key is on no line of the file (a
-- quarantined line's key counts as listed), deactivated, not deleted: the row's history
-- (migration 0014) keeps it valid before the import's day, and a later folder that lists it
-- again reactivates it. Returns the table's active rows before, and the keys deactivated.
WITH gone AS (
    UPDATE institution AS t SET active = false, updated_at = now()
     WHERE t.active
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = t.code)
    RETURNING t.code AS key
)
SELECT (SELECT count(*)::int FROM institution AS t WHERE t.active),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');
