-- The daily fetch of posts and account facts (presswatch.activity.daily).
-- Which accounts: the active accounts of active institutions (the heads' pages, which R1/R2
-- check, and the institutions' own pages, which R3 reads responses from).

-- name: plan
-- Accounts in scope, by platform and id: the batches are id ranges of this list.
SELECT a.platform, a.id
  FROM social_account AS a
  JOIN institution AS i ON i.id = a.institution_id AND i.active
 WHERE a.active
   AND a.platform = ANY (%(platforms)s::text[])
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY a.platform, a.id;

-- name: batch_accounts
SELECT a.id, a.handle, a.external_id, a.covered_from, a.covered_until, a.facts_checked_at
  FROM social_account AS a
  JOIN institution AS i ON i.id = a.institution_id AND i.active
 WHERE a.active
   AND a.platform = %(platform)s
   AND a.id BETWEEN %(first_id)s AND %(last_id)s
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY a.id;

-- name: stage_outcome
CREATE TEMP TABLE stage_fetch_outcome (
    account_id     bigint NOT NULL,
    external_id    text,
    verified       boolean,
    verified_type  text,
    followers      bigint,
    facts_read     boolean NOT NULL,
    covered_from   timestamptz,
    covered_until  timestamptz,
    error          text
) ON COMMIT DROP;

-- name: apply_outcome
-- Facts the platform gave replace the stored ones (a platform that does not say whether an
-- account is verified leaves the stored flag alone); the covered period grows to include the
-- period the day needed (the windows fetched filled the gap between the two, so the union is
-- one contiguous, fetched period); the error (or its absence) is remembered. Only accounts the
-- platform was asked about are staged (daily._save): last_fetch_at is when it last was.
UPDATE social_account AS a
   SET external_id = coalesce(o.external_id, a.external_id),
       verified = coalesce(o.verified, a.verified),
       verified_type = CASE WHEN o.verified IS NOT NULL THEN o.verified_type
                            ELSE a.verified_type END,
       followers = coalesce(o.followers, a.followers),
       facts_checked_at = CASE WHEN o.facts_read THEN %(now)s ELSE a.facts_checked_at END,
       -- least/greatest ignore NULLs: an account not fetched keeps its period.
       covered_from = least(a.covered_from, o.covered_from),
       covered_until = greatest(a.covered_until, o.covered_until),
       last_fetch_at = %(now)s,
       last_fetch_error = o.error
  FROM stage_fetch_outcome AS o
 WHERE a.id = o.account_id;

-- name: drop_outcome
DROP TABLE stage_fetch_outcome;

-- name: wikipedia_titles
-- The registered titles to check, per language, of the institutions in scope.
SELECT w.institution_id, w.lang, w.title
  FROM wikipedia_page AS w
  JOIN institution AS i ON i.id = w.institution_id AND i.active
 WHERE (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY w.institution_id, w.lang;

-- name: wikipedia_record
-- A run for a day that was already checked replaces the check only when it is not a backfill:
-- a backfill never overwrites what was seen at the time.
INSERT INTO wikipedia_check AS c (institution_id, lang, checked_on, page_exists, resolved_title)
VALUES (%(institution_id)s, %(lang)s, %(day)s, %(page_exists)s, %(resolved_title)s)
ON CONFLICT (institution_id, lang, checked_on) DO UPDATE
   SET page_exists = EXCLUDED.page_exists, resolved_title = EXCLUDED.resolved_title
 WHERE NOT %(keep_existing)s::boolean;
