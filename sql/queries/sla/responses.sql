-- Responses to critical stories (presswatch.sla.responses): the ones the portal reports or an
-- operator enters go through story_response_inbox and are checked set-based; the ones found
-- among the institutions' own posts are inserted directly. Every statement works as of
-- %(as_of)s, the end of the run's hour: what happened later does not exist yet.

-- name: inbox_insert
INSERT INTO story_response_inbox (origin, external_id, story_id, story_external_id, story_url,
                                  institution_code, responded_at, url, channel,
                                  account_platform, account_handle, entered_by, payload)
VALUES (%(origin)s, %(external_id)s, %(story_id)s, %(story_external_id)s, %(story_url)s,
        %(institution_code)s, %(responded_at)s, %(url)s, %(channel)s, %(account_platform)s,
        %(account_handle)s, %(entered_by)s, %(payload)s)
ON CONFLICT (origin, external_id) DO NOTHING
RETURNING id;

-- name: check_inbox
-- Each waiting response that has happened by as_of, with its story, institution and account
-- resolved, and the first reason (if any) it cannot be recorded. A story not known yet is no
-- reason: the response waits for it (up to %(wait_days)s days after its time).
CREATE TEMP TABLE checked_response ON COMMIT DROP AS
SELECT ib.id AS inbox_id, ib.origin, ib.external_id, ib.responded_at, ib.url, ib.channel,
       ib.entered_by, ib.payload, st.id AS story_id, i.id AS institution_id, a.id AS account_id,
       CASE
           WHEN st.id IS NULL AND ib.responded_at < %(as_of)s - make_interval(days => %(wait_days)s)
               THEN 'story ' || coalesce(ib.story_id::text, ib.story_external_id, ib.story_url)
                    || ' never arrived (waited ' || %(wait_days)s || ' days)'
           WHEN st.id IS NULL THEN NULL  -- waits
           WHEN i.id IS NULL
               THEN 'institution ' || quote_literal(ib.institution_code) || ' is not in the registry'
           WHEN ib.channel NOT IN ('social_post', 'website', 'press_release', 'statement',
                                   'media_comment')
               THEN 'channel ' || quote_literal(ib.channel) || ' is not one of social_post, website,'
                    || ' press_release, statement, media_comment'
           WHEN ib.url !~ '^https?://' THEN 'url ' || quote_literal(ib.url) || ' is not a web address'
           WHEN ib.responded_at < st.published_at
               THEN 'the response at ' || to_char(ib.responded_at AT TIME ZONE 'UTC',
                                                  'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    || ' is dated before the story (published '
                    || to_char(st.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    || ')'
           WHEN ib.account_handle IS NOT NULL AND a.id IS NULL
               THEN 'account ' || ib.account_platform || ' @' || ib.account_handle
                    || ' is not in the registry'
           WHEN a.id IS NOT NULL AND a.institution_id <> i.id
               THEN 'account ' || a.platform || ' @' || a.handle || ' belongs to '
                    || owner.code || ', not to ' || i.code
       END AS rejection,
       st.id IS NULL AND ib.responded_at >= %(as_of)s - make_interval(days => %(wait_days)s)
           AS waiting
  FROM story_response_inbox AS ib
  LEFT JOIN story_item AS it
         ON it.feed_id = %(portal_feed_id)s AND it.item_key = ib.story_external_id
  LEFT JOIN LATERAL (
        SELECT s.id, s.published_at
          FROM story AS s
         WHERE s.id = coalesce(ib.story_id, it.story_id)
            OR (ib.story_id IS NULL AND it.story_id IS NULL AND s.canonical_url = ib.story_url)
         ORDER BY s.id
         LIMIT 1
       ) AS st ON true
  LEFT JOIN institution AS i ON i.code = ib.institution_code
  LEFT JOIN social_account AS a
         ON a.platform = ib.account_platform AND lower(a.handle) = lower(ib.account_handle)
  LEFT JOIN institution AS owner ON owner.id = a.institution_id
 WHERE ib.outcome IS NULL AND ib.responded_at <= %(as_of)s
   AND (%(codes)s::text[] IS NULL OR ib.institution_code = ANY (%(codes)s::text[]))
   AND (%(only)s::text[] IS NULL OR ib.external_id = ANY (%(only)s::text[]));

-- name: link_reported_institutions
-- The portal (or an operator) says the institution answered the story, so the story concerns
-- it, even where matching did not find its name.
INSERT INTO story_institution (story_id, institution_id, match_method, matched_at)
SELECT DISTINCT story_id, institution_id, 'feed_tag', %(as_of)s
  FROM checked_response
 WHERE rejection IS NULL AND NOT waiting
    ON CONFLICT (story_id, institution_id) DO NOTHING;

-- name: record_checked
WITH recorded AS (
    INSERT INTO story_response AS r (story_id, institution_id, responded_at, channel, url,
                                     account_id, origin, external_id, entered_by, recorded_at)
    SELECT story_id, institution_id, responded_at, channel, url, account_id, origin,
           external_id, entered_by, %(as_of)s
      FROM checked_response
     WHERE rejection IS NULL AND NOT waiting
        ON CONFLICT (story_id, institution_id, url) DO NOTHING
    RETURNING r.id, r.origin, r.external_id
)
UPDATE story_response_inbox AS ib
   SET outcome = 'recorded', response_id = recorded.id, processed_at = %(as_of)s
  FROM recorded
 WHERE ib.origin = recorded.origin AND ib.external_id = recorded.external_id
RETURNING ib.id;

-- name: already_recorded
-- The same answer (story, institution, URL) recorded from another source: nothing to add.
UPDATE story_response_inbox AS ib
   SET outcome = 'recorded', response_id = r.id, processed_at = %(as_of)s,
       outcome_reason = 'already recorded (' || r.origin || ')'
  FROM checked_response AS c
  JOIN story_response AS r
    ON (r.story_id, r.institution_id, r.url) = (c.story_id, c.institution_id, c.url)
 WHERE ib.id = c.inbox_id AND ib.outcome IS NULL AND c.rejection IS NULL AND NOT c.waiting
RETURNING ib.id;

-- name: reject_checked
UPDATE story_response_inbox AS ib
   SET outcome = 'rejected', outcome_reason = c.rejection, processed_at = %(as_of)s
  FROM checked_response AS c
 WHERE ib.id = c.inbox_id AND c.rejection IS NOT NULL
RETURNING ib.origin, ib.external_id, c.rejection, ib.payload;

-- name: drop_checked
DROP TABLE checked_response;

-- name: post_responses
-- The first public answer can be a post of one of the institution's own accounts that links
-- to the story (its address, without the scheme, in the text) or names it (most of the
-- title's words, for titles of at least %(min_title_keys)s words). Candidates: clocks that are
-- open or not opened yet, of stories critical by score or confirmed, seen by as_of; posts made
-- between the story's publication and as_of, in the last %(lookback_hours)s hours (posts
-- arrive within a day: an older answer was looked for by the runs of its own hours).
WITH candidate AS (
    SELECT si.story_id, si.institution_id, s.published_at,
           lower(regexp_replace(s.canonical_url, '^https://', '')) AS link,
           title_keys.keys AS title_keys
      FROM story_institution AS si
      JOIN story AS s ON s.id = si.story_id
     CROSS JOIN LATERAL (
           SELECT array_agg(DISTINCT k) AS keys
             FROM unnest(presswatch_match_keys(s.title)) AS k
           ) AS title_keys
     WHERE s.first_seen_at <= %(as_of)s
       AND s.published_at <= %(as_of)s
       AND (s.critical_score >= %(threshold)s OR s.operator_decision = 'confirmed')
       AND NOT EXISTS (SELECT 1 FROM story_sla AS sla
                        WHERE (sla.story_id, sla.institution_id) = (si.story_id, si.institution_id)
                          AND sla.closed_at IS NOT NULL AND sla.closed_at <= %(as_of)s)
       AND (%(codes)s::text[] IS NULL
            OR si.institution_id IN (SELECT id FROM institution WHERE code = ANY (%(codes)s::text[])))
),
recent_post AS (
    SELECT p.account_id, a.institution_id, a.platform, p.platform_post_id, p.posted_at,
           p.permalink, lower(coalesce(p.text_excerpt, '')) AS text,
           presswatch_match_keys(p.text_excerpt) AS keys
      FROM social_account AS a
      JOIN post AS p ON p.account_id = a.id
     WHERE a.institution_id IN (SELECT DISTINCT institution_id FROM candidate)
       AND p.posted_at > %(as_of)s - make_interval(hours => %(lookback_hours)s)
       AND p.posted_at <= %(as_of)s
)
INSERT INTO story_response AS r (story_id, institution_id, responded_at, channel, url,
                                 account_id, platform_post_id, origin, recorded_at)
SELECT c.story_id, c.institution_id, rp.posted_at, 'social_post',
       coalesce(rp.permalink, 'urn:presswatch:post:' || rp.platform || ':' || rp.platform_post_id),
       rp.account_id, rp.platform_post_id, 'post', %(as_of)s
  FROM candidate AS c
  JOIN recent_post AS rp
    ON rp.institution_id = c.institution_id AND rp.posted_at >= c.published_at
 WHERE position(c.link IN rp.text) > 0
    OR (cardinality(c.title_keys) >= %(min_title_keys)s
        AND (SELECT count(*) FROM unnest(c.title_keys) AS k WHERE k = ANY (rp.keys))
            >= %(title_share)s * cardinality(c.title_keys))
 ORDER BY c.story_id, c.institution_id, rp.posted_at, rp.platform_post_id
    ON CONFLICT (story_id, institution_id, url) DO NOTHING
RETURNING r.id;
