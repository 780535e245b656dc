-- Registry import of social accounts, keyed by platform and handle (case-insensitive).
-- The registry's `verified` (the agency's own check) goes to verified_by_registry; `verified`
-- is what the platform says and only the daily fetch writes it.

-- name: stage
CREATE TEMP TABLE stage_account (
    institution_code text, official_code text, platform text, handle text,
    external_id text, active boolean, verified boolean, PRIMARY KEY (platform, handle)
) ON COMMIT DROP;

-- name: update
UPDATE social_account AS a
   SET institution_id = i.id, official_id = o.id, handle = s.handle,
       external_id = COALESCE(s.external_id, a.external_id), active = s.active,
       verified_by_registry = s.verified, updated_at = now()
  FROM stage_account AS s
  JOIN institution AS i ON i.code = s.institution_code
  LEFT JOIN official AS o ON o.code = s.official_code
 WHERE a.platform = s.platform AND lower(a.handle) = lower(s.handle)
   AND (a.institution_id, a.official_id, a.handle, a.external_id, a.active,
        a.verified_by_registry)
       IS DISTINCT FROM (i.id, o.id, s.handle, COALESCE(s.external_id, a.external_id), s.active,
                         s.verified)
RETURNING a.platform || ':' || lower(a.handle);

-- name: insert
INSERT INTO social_account (institution_id, official_id, platform, handle, external_id, active,
                            verified_by_registry)
SELECT i.id, o.id, s.platform, s.handle, s.external_id, s.active, s.verified
  FROM stage_account AS s
  JOIN institution AS i ON i.code = s.institution_code
  LEFT JOIN official AS o ON o.code = s.official_code
 WHERE NOT EXISTS (SELECT 1 FROM social_account AS a
                    WHERE a.platform = s.platform AND lower(a.handle) = lower(s.handle))
RETURNING platform || ':' || lower(handle);

-- name: existing_external_ids
SELECT platform, external_id, lower(handle) FROM social_account WHERE external_id IS NOT NULL;

-- name: deactivate
-- What the folder no longer lists: the active accounts (key platform:handle, lowercased) whose key is on no line of the file (a
-- quarantined line's key counts as listed), deactivated, not deleted: the row's history
-- (migration 0014) keeps it valid before the import's day, and a later folder that lists it
-- again reactivates it. Returns the table's active rows before, and the keys deactivated.
WITH gone AS (
    UPDATE social_account AS t SET active = false, updated_at = now()
     WHERE t.active
       AND NOT EXISTS (SELECT 1 FROM unnest(%(listed)s::text[]) AS l (key) WHERE l.key = t.platform || ':' || lower(t.handle))
    RETURNING t.platform || ':' || lower(t.handle) AS key
)
SELECT (SELECT count(*)::int FROM social_account AS t WHERE t.active),
       coalesce((SELECT array_agg(key ORDER BY key) FROM gone), '{}');
