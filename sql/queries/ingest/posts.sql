-- Ingesting fetched posts: COPY into a staging table, then one set-based upsert.

-- name: stage
CREATE TEMP TABLE stage_post (
    account_id        bigint NOT NULL,
    platform_post_id  text NOT NULL,
    posted_at         timestamptz NOT NULL,
    permalink         text,
    text_excerpt      text
) ON COMMIT DROP;

-- name: upsert
-- A post seen again is updated only if something about it changed (an edit), so re-ingesting
-- an interval leaves the table as it was.
INSERT INTO post AS p (account_id, platform_post_id, posted_at, permalink, text_excerpt)
SELECT DISTINCT ON (account_id, platform_post_id)
       account_id, platform_post_id, posted_at, permalink, text_excerpt
  FROM stage_post
 ORDER BY account_id, platform_post_id, posted_at DESC
ON CONFLICT (account_id, platform_post_id) DO UPDATE
   SET posted_at = EXCLUDED.posted_at, permalink = EXCLUDED.permalink,
       text_excerpt = EXCLUDED.text_excerpt, fetched_at = now()
 WHERE (p.posted_at, p.permalink, p.text_excerpt)
       IS DISTINCT FROM (EXCLUDED.posted_at, EXCLUDED.permalink, EXCLUDED.text_excerpt)
RETURNING (xmax = 0) AS inserted;

-- name: advance_high_water_marks
-- Each account remembers its newest post, so the next fetch asks only for what is newer.
UPDATE social_account AS a
   SET last_post_at = newest.posted_at, last_post_id = newest.platform_post_id
  FROM (SELECT DISTINCT ON (account_id) account_id, posted_at, platform_post_id
          FROM stage_post ORDER BY account_id, posted_at DESC, platform_post_id DESC) AS newest
 WHERE a.id = newest.account_id
   AND (a.last_post_at IS NULL OR newest.posted_at > a.last_post_at);

-- name: record_fetch
UPDATE social_account
   SET last_fetch_at = %(fetched_at)s, last_fetch_error = %(error)s
 WHERE id = %(account_id)s;
