-- One day's compliance (R1, R2, R4-R8), run by presswatch.activity.compliance.compute_day in the
-- caller's transaction: each table's rows for the day are deleted, then inserted again.
-- Parameters: day (a calendar day in tz), tz, codes (institution codes, or NULL for all),
-- window_days, min_posts, scope, require_verified, platforms, wiki_langs, max_days,
-- settings_sha256.
-- The local day is [day 00:00, day+1 00:00) in tz: `(%(day)s::date)::timestamp AT TIME ZONE tz`.
-- Posts are counted per account over a posted_at range, so post_account_posted_at_idx
-- (account_id, posted_at) answers each count with an index-only range scan.
-- Which accounts: the active accounts of the active head of each active institution.
-- The registry is read as it was on `day` (migration 0014: institution_on(day),
-- social_account_on(day), ...): a backfill of a past day counts what the registry held then,
-- not what it holds now. The platform facts (verified, followers) have no history there: they
-- are as last fetched (account_compliance_daily keeps each day's verified flag as computed).
-- An account's verified flag is coalesce(a.verified, a.verified_by_registry): what the
-- platform says, else the agency's own check recorded in the registry (Instagram's API does
-- not say); NULL counts as unverified.

-- name: delete_account_daily
DELETE FROM account_compliance_daily AS d
 WHERE d.day = %(day)s::date
   AND (%(codes)s::text[] IS NULL
        OR d.institution_id IN (SELECT i.id FROM institution AS i
                                 WHERE i.code = ANY (%(codes)s::text[])));

-- name: insert_account_daily
-- posts_counted is what the minimum is checked against: the account's own posts (scope
-- 'account') or its official's across all of their accounts here (scope 'official').
INSERT INTO account_compliance_daily
       (day, account_id, institution_id, official_id, platform, window_days, posts_in_window,
        verified, scope, posts_counted, meets_rolling_window, settings_sha256)
SELECT day, account_id, institution_id, official_id, platform, window_days, posts, verified,
       %(scope)s::text, counted, counted >= %(min_posts)s::int, %(settings_sha256)s::text
  FROM (SELECT %(day)s::date AS day, a.id AS account_id, a.institution_id, a.official_id,
               a.platform, %(window_days)s::int AS window_days, n.posts,
               coalesce(a.verified, a.verified_by_registry) AS verified,
               CASE WHEN %(scope)s::text = 'official'
                    THEN sum(n.posts) OVER (PARTITION BY a.official_id)::int
                    ELSE n.posts END AS counted
          FROM social_account_on(%(day)s::date) AS a
          JOIN institution_on(%(day)s::date) AS i ON i.id = a.institution_id AND i.active
          JOIN official_on(%(day)s::date) AS o
            ON o.id = a.official_id AND o.institution_id = a.institution_id
           AND o.role = 'head' AND o.active
         CROSS JOIN LATERAL (
               SELECT count(*)::int AS posts
                 FROM post AS p
                WHERE p.account_id = a.id
                  AND p.posted_at >= ((%(day)s::date - (%(window_days)s::int - 1))::timestamp
                                      AT TIME ZONE %(tz)s::text)
                  AND p.posted_at < ((%(day)s::date + 1)::timestamp
                                     AT TIME ZONE %(tz)s::text)) AS n
         WHERE a.active
           AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))) AS heads_accounts;

-- name: delete_account_week
-- The ISO week that ends on `day` (a Sunday; a Sunday has the ISO year and week of its Monday).
DELETE FROM account_week_compliance AS w
 WHERE w.iso_year = extract(isoyear FROM %(day)s::date)::int
   AND w.iso_week = extract(week FROM %(day)s::date)::int
   AND (%(codes)s::text[] IS NULL
        OR w.institution_id IN (SELECT i.id FROM institution AS i
                                 WHERE i.code = ANY (%(codes)s::text[])));

-- name: insert_account_week
-- The week Monday (day - 6) 00:00 to Monday (day + 1) 00:00 local time; posts_counted as in
-- insert_account_daily.
INSERT INTO account_week_compliance
       (iso_year, iso_week, account_id, institution_id, official_id, platform, week_start,
        posts_in_week, scope, posts_counted, met, computed_on, settings_sha256)
SELECT extract(isoyear FROM %(day)s::date)::int, extract(week FROM %(day)s::date)::int,
       account_id, institution_id, official_id, platform, %(day)s::date - 6, posts,
       %(scope)s::text, counted, counted >= %(min_posts)s::int, %(day)s::date,
       %(settings_sha256)s::text
  FROM (SELECT a.id AS account_id, a.institution_id, a.official_id, a.platform, n.posts,
               CASE WHEN %(scope)s::text = 'official'
                    THEN sum(n.posts) OVER (PARTITION BY a.official_id)::int
                    ELSE n.posts END AS counted
          FROM social_account_on(%(day)s::date) AS a
          JOIN institution_on(%(day)s::date) AS i ON i.id = a.institution_id AND i.active
          JOIN official_on(%(day)s::date) AS o
            ON o.id = a.official_id AND o.institution_id = a.institution_id
           AND o.role = 'head' AND o.active
         CROSS JOIN LATERAL (
               SELECT count(*)::int AS posts
                 FROM post AS p
                WHERE p.account_id = a.id
                  AND p.posted_at >= ((%(day)s::date - 6)::timestamp AT TIME ZONE %(tz)s::text)
                  AND p.posted_at < ((%(day)s::date + 1)::timestamp
                                     AT TIME ZONE %(tz)s::text)) AS n
         WHERE a.active
           AND extract(isodow FROM %(day)s::date) = 7
           AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))) AS heads_accounts;

-- name: delete_institution_daily
DELETE FROM institution_compliance_daily AS d
 WHERE d.day = %(day)s::date
   AND (%(codes)s::text[] IS NULL
        OR d.institution_id IN (SELECT i.id FROM institution AS i
                                 WHERE i.code = ANY (%(codes)s::text[])));

-- name: insert_institution_daily
-- Runs after insert_account_daily (R2 summarises that day's account rows).
INSERT INTO institution_compliance_daily
       (day, institution_id, head_official_id, r1_missing_platforms, r1_unverified_platforms,
        r1_ok, r2_accounts_below_rolling, r4_pending_overdue, r4_decided_late, r5_pool_ok,
        r6_council_ok, r7_missing_wiki_langs, r8_android, r8_ios, r8_open_data, settings_sha256)
SELECT %(day)s::date, i.id, h.id,
       r1.missing, r1.unverified,
       cardinality(r1.missing) = 0
           AND (NOT %(require_verified)s::boolean OR cardinality(r1.unverified) = 0),
       r2.below, r4.pending_overdue, r4.decided_late,
       -- R5: at least one journalist and one blogger in the pool on the day.
       EXISTS (SELECT 1 FROM media_pool_member_on(%(day)s::date) AS m
                WHERE m.institution_id = i.id AND m.member_type = 'journalist'
                  AND m.joined_on <= %(day)s::date
                  AND (m.left_on IS NULL OR m.left_on >= %(day)s::date))
       AND EXISTS (SELECT 1 FROM media_pool_member_on(%(day)s::date) AS m
                    WHERE m.institution_id = i.id AND m.member_type = 'blogger'
                      AND m.joined_on <= %(day)s::date
                      AND (m.left_on IS NULL OR m.left_on >= %(day)s::date)),
       -- R6: a journalist or a blogger on the public council on the day.
       EXISTS (SELECT 1 FROM public_council_member_on(%(day)s::date) AS c
                WHERE c.institution_id = i.id AND c.member_type IN ('journalist', 'blogger')
                  AND c.joined_on <= %(day)s::date
                  AND (c.left_on IS NULL OR c.left_on >= %(day)s::date)),
       r7.missing, r8.android, r8.ios, r8.open_data, %(settings_sha256)s::text
  FROM institution_on(%(day)s::date) AS i
  LEFT JOIN official_on(%(day)s::date) AS h
         ON h.institution_id = i.id AND h.role = 'head' AND h.active
 -- R1: per required platform (in the settings' order), an active account of the active head,
 -- verified when any of its active accounts there is verified (by the platform, else by the
 -- registry; NULL counts as unverified).
 CROSS JOIN LATERAL (
       SELECT coalesce(array_agg(rp.platform ORDER BY rp.ord) FILTER (WHERE NOT rp.present),
                       '{}') AS missing,
              coalesce(array_agg(rp.platform ORDER BY rp.ord)
                           FILTER (WHERE rp.present AND NOT rp.verified), '{}') AS unverified
         FROM (SELECT r.platform, r.ord, count(a.id) > 0 AS present,
                      coalesce(bool_or(coalesce(a.verified, a.verified_by_registry) IS TRUE),
                               false) AS verified
                 FROM unnest(%(platforms)s::text[]) WITH ORDINALITY AS r (platform, ord)
                 LEFT JOIN social_account_on(%(day)s::date) AS a
                        ON a.official_id = h.id AND a.institution_id = i.id
                       AND a.platform = r.platform AND a.active
                GROUP BY r.platform, r.ord) AS rp) AS r1
 -- R2: the head's accounts below the rolling window on the day.
 CROSS JOIN LATERAL (
       SELECT count(*)::int AS below
         FROM account_compliance_daily AS d
        WHERE d.institution_id = i.id AND d.day = %(day)s::date
          AND NOT d.meets_rolling_window) AS r2
 -- R4: requested on local day D; still undecided at the end of `day` with day > D + max_days
 -- (requested before local day `day - max_days` began) is overdue; decided on `day` with
 -- day > D + max_days is late. "Undecided at the end of day" reads decided_at, so a backfill
 -- gives what the live run gave.
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (
                  WHERE ar.requested_at < ((%(day)s::date - %(max_days)s::int)::timestamp
                                           AT TIME ZONE %(tz)s::text)
                    AND (ar.decided_at IS NULL
                         OR ar.decided_at >= ((%(day)s::date + 1)::timestamp
                                              AT TIME ZONE %(tz)s::text)))::int
                  AS pending_overdue,
              count(*) FILTER (
                  WHERE ar.decided_at >= ((%(day)s::date)::timestamp AT TIME ZONE %(tz)s::text)
                    AND ar.decided_at < ((%(day)s::date + 1)::timestamp
                                         AT TIME ZONE %(tz)s::text)
                    AND %(day)s::date - (ar.requested_at AT TIME ZONE %(tz)s::text)::date
                        > %(max_days)s::int)::int
                  AS decided_late
         FROM accreditation_request AS ar
        WHERE ar.institution_id = i.id
          AND ar.requested_at < ((%(day)s::date + 1)::timestamp AT TIME ZONE %(tz)s::text)) AS r4
 -- R7: per language, the latest check on or before the day decides; with no check, a
 -- registered title counts as present.
 CROSS JOIN LATERAL (
       SELECT coalesce(array_agg(l.lang ORDER BY l.ord), '{}') AS missing
         FROM unnest(%(wiki_langs)s::text[]) WITH ORDINALITY AS l (lang, ord)
         LEFT JOIN LATERAL (
               SELECT wc.page_exists
                 FROM wikipedia_check AS wc
                WHERE wc.institution_id = i.id AND wc.lang = l.lang
                  AND wc.checked_on <= %(day)s::date
                ORDER BY wc.checked_on DESC
                LIMIT 1) AS c ON true
        WHERE CASE WHEN c.page_exists IS NOT NULL THEN NOT c.page_exists
                   ELSE NOT EXISTS (SELECT 1 FROM wikipedia_page_on(%(day)s::date) AS w
                                     WHERE w.institution_id = i.id AND w.lang = l.lang)
              END) AS r7
 -- R8: apps present; open data integrated on every present app (false with no app).
 CROSS JOIN LATERAL (
       SELECT coalesce(bool_or(ma.os = 'android'), false) AS android,
              coalesce(bool_or(ma.os = 'ios'), false) AS ios,
              coalesce(bool_and(ma.open_data_integrated), false) AS open_data
         FROM mobile_app_on(%(day)s::date) AS ma
        WHERE ma.institution_id = i.id) AS r8
 WHERE i.active
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]));
