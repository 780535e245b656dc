-- Registry import of officials. Updates run before inserts so that a head who is replaced in
-- the same import is demoted before the new head arrives (one active head per institution).

-- name: stage
CREATE TEMP TABLE stage_official (
    code text PRIMARY KEY, institution_code text, role text, full_name text,
    position_title text, email text, active boolean
) ON COMMIT DROP;

-- name: update
UPDATE official AS o
   SET institution_id = i.id, role = s.role, full_name = s.full_name,
       position_title = s.position_title, email = s.email, active = s.active, updated_at = now()
  FROM stage_official AS s
  JOIN institution AS i ON i.code = s.institution_code
 WHERE o.code = s.code
   AND (o.institution_id, o.role, o.full_name, o.position_title, o.email, o.active)
       IS DISTINCT FROM (i.id, s.role, s.full_name, s.position_title, s.email, s.active)
RETURNING o.code;

-- name: insert
INSERT INTO official (code, institution_id, role, full_name, position_title, email, active)
SELECT s.code, i.id, s.role, s.full_name, s.position_title, s.email, s.active
  FROM stage_official AS s
  JOIN institution AS i ON i.code = s.institution_code
 WHERE NOT EXISTS (SELECT 1 FROM official AS o WHERE o.code = s.code)
RETURNING code;

-- name: existing
SELECT o.code, i.code AS institution_code, o.role, o.active
  FROM official AS o JOIN institution AS i ON i.id = o.institution_id;

-- name: deactivate
-- What the folder no longer lists: the active officials whose key is on no line of the file (a
-- quarantined line's key counts as listed), deactivated, not deleted: the row's history
-- (migration 0014) keeps it valid before the import's day, and a later folder that lists it
-- again reactivates it. Returns the table's active rows before, and the keys deactivated.
WITH gone AS (
    UPDATE official AS t SET active = false, updated_at = now()
     WHERE t.active
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = t.code)
    RETURNING t.code AS key
)
SELECT (SELECT count(*)::int FROM official AS t WHERE t.active),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');
