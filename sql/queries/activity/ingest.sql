-- Ingesting fetched posts (presswatch.activity.ingest.load_posts). New posts are copied straight into
-- `post`; a load that repeats stored posts is staged and merged with one set-based upsert.

-- name: copy_new
COPY post (account_id, platform_post_id, posted_at, permalink, text_excerpt) FROM STDIN

-- name: lock_accounts
-- What the foreign key did, once per load: lock the accounts FOR KEY SHARE until commit (no one
-- can delete them meanwhile) and return the ids that name no account.
WITH known AS (
    SELECT a.id FROM social_account AS a
     WHERE a.id = ANY (%(account_ids)s::bigint[])
       FOR KEY SHARE
)
SELECT loaded.id
  FROM unnest(%(account_ids)s::bigint[]) AS loaded (id)
 WHERE loaded.id NOT IN (SELECT known.id FROM known)
 ORDER BY loaded.id;

-- name: stage
CREATE TEMP TABLE stage_post (
    account_id        bigint NOT NULL,
    platform_post_id  text NOT NULL,
    posted_at         timestamptz NOT NULL,
    permalink         text,
    text_excerpt      text,
    received          bigint GENERATED ALWAYS AS IDENTITY  -- arrival order, for ties
) ON COMMIT DROP;

-- name: copy_stage
COPY stage_post (account_id, platform_post_id, posted_at, permalink, text_excerpt) FROM STDIN

-- name: merge
-- A post that comes more than once counts once: its latest version (the newest posted_at, then
-- the last received) is kept. A stored post is updated only if something about it changed (an
-- edit), so re-ingesting an interval leaves the table as it was. The rows written are counted
-- here rather than returned.
WITH latest AS (
    SELECT DISTINCT ON (account_id, platform_post_id)
           account_id, platform_post_id, posted_at, permalink, text_excerpt
      FROM stage_post
     ORDER BY account_id, platform_post_id, posted_at DESC, received DESC
), written AS (
    INSERT INTO post AS p (account_id, platform_post_id, posted_at, permalink, text_excerpt)
    SELECT account_id, platform_post_id, posted_at, permalink, text_excerpt FROM latest
    ON CONFLICT (account_id, platform_post_id) DO UPDATE
       SET posted_at = EXCLUDED.posted_at, permalink = EXCLUDED.permalink,
           text_excerpt = EXCLUDED.text_excerpt, fetched_at = now()
     WHERE (p.posted_at, p.permalink, p.text_excerpt)
           IS DISTINCT FROM (EXCLUDED.posted_at, EXCLUDED.permalink, EXCLUDED.text_excerpt)
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted,
       count(*) FILTER (WHERE NOT inserted) AS updated
  FROM written;

-- name: drop_stage
-- A second load in the same transaction stages again.
DROP TABLE stage_post;

-- name: advance_high_water_marks
-- Each account remembers its newest stored post, so the next fetch asks only for what is
-- newer. The mark moves forward only. One backward step of post_account_posted_at_idx per
-- account.
UPDATE social_account AS a
   SET last_post_at = newest.posted_at, last_post_id = newest.platform_post_id
  FROM unnest(%(account_ids)s::bigint[]) AS loaded (account_id)
 CROSS JOIN LATERAL (
       SELECT p.posted_at, p.platform_post_id
         FROM post AS p
        WHERE p.account_id = loaded.account_id
        ORDER BY p.posted_at DESC, p.platform_post_id DESC
        LIMIT 1) AS newest
 WHERE a.id = loaded.account_id
   AND (a.last_post_at IS NULL OR newest.posted_at > a.last_post_at);

-- name: record_fetch
UPDATE social_account
   SET last_fetch_at = %(fetched_at)s, last_fetch_error = %(error)s
 WHERE id = %(account_id)s;
