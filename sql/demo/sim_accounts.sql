-- Demo generator: the simulated platforms' accounts, one per registry account of the demo
-- institutions, and each account's posting habit.
-- Parameters: seed.

-- name: accounts
CREATE TEMP TABLE demo_account ON COMMIT DROP AS
WITH registry_account AS (
    SELECT a.id AS account_id,
           a.platform,
           a.handle,
           a.external_id,
           a.verified_by_registry,
           -- Stable across scales and seeds: the account's own randomness is keyed on it.
           hashtextextended(a.platform || ':' || a.external_id, 0) AS account_key,
           coalesce(o.role, 'institution') AS owner,
           d.institution_id, d.tier, d.language, d.language_index, d.followers AS tier_followers,
           coalesce(o.full_name, CASE d.language WHEN 'uz-Latn' THEN d.name_uz_latn
                                                 WHEN 'uz-Cyrl' THEN d.name_uz_cyrl
                                                 WHEN 'ru' THEN d.name_ru
                                                 ELSE d.name_en END) AS display_name
      FROM social_account AS a
      JOIN demo_inst AS d ON d.institution_id = a.institution_id
      LEFT JOIN official AS o ON o.id = a.official_id
     WHERE a.active AND a.external_id IS NOT NULL
),
drawn AS (
    SELECT r.*,
           -- A small number unique per account: the low bits of its X and Facebook post ids.
           row_number() OVER (ORDER BY r.platform, r.external_id) AS ordinal,
           pg_temp.demo_unit(1, r.account_key, %(seed)s::bigint) AS u_presence,
           pg_temp.demo_unit(2, r.account_key, %(seed)s::bigint) AS u_verified,
           pg_temp.demo_unit(3, r.account_key, %(seed)s::bigint) AS u_habit,
           pg_temp.demo_unit(4, r.account_key, %(seed)s::bigint) AS u_handle_case,
           pg_temp.demo_unit(5, r.account_key, %(seed)s::bigint)
             + pg_temp.demo_unit(6, r.account_key, %(seed)s::bigint)
             + pg_temp.demo_unit(7, r.account_key, %(seed)s::bigint) AS u_followers,
           pg_temp.demo_unit(8, r.account_key, %(seed)s::bigint) AS u_created,
           pg_temp.demo_unit(9, r.account_key, %(seed)s::bigint) AS u_message_base
      FROM registry_account AS r
)
SELECT d.account_id, d.platform, d.handle, d.external_id, d.account_key, d.ordinal, d.owner,
       d.institution_id, d.tier, d.language, d.language_index, d.display_name,
       -- About 2 in 100 registry accounts are not on the platform (a typo, a page never made);
       -- another 1 in 100 were deleted.
       d.u_presence >= 0.02 AS on_platform,
       d.u_presence >= 0.02 AND d.u_presence < 0.03 AS deleted,
       -- Where the registry records the agency's own check (the demo registry does for
       -- Instagram, whose API does not say), the platform agrees with it.
       coalesce(d.verified_by_registry,
                d.u_verified < CASE d.owner WHEN 'institution' THEN 0.85 WHEN 'head' THEN 0.80
                                            WHEN 'deputy' THEN 0.50 ELSE 0.40 END) AS verified,
       -- Some unverified X accounts pay for a blue check instead.
       d.platform = 'x' AND d.u_verified > 0.95 AS paid_check,
       CASE WHEN d.u_handle_case < 0.03 THEN initcap(d.handle) ELSE d.handle END AS platform_handle,
       round(d.tier_followers
             * CASE d.owner WHEN 'institution' THEN 1.0 WHEN 'head' THEN 0.6
                            WHEN 'deputy' THEN 0.15 ELSE 0.1 END
             * CASE d.platform WHEN 'telegram' THEN 1.0 WHEN 'facebook' THEN 0.8
                               WHEN 'instagram' THEN 0.7 ELSE 0.2 END
             * exp(1.2 * (d.u_followers - 1.5)))::bigint AS followers,
       timestamptz '2012-01-01 00:00:00+05' + make_interval(secs => floor(d.u_created * 347000000))
           AS created_at,
       -- From diligent (1-3 posts a day) to silent; heads and the institution's own pages are
       -- more diligent than deputies and press secretaries' personal accounts.
       CASE WHEN d.u_habit < CASE d.owner WHEN 'institution' THEN 0.45 WHEN 'head' THEN 0.12 ELSE 0.05 END
                 THEN 'diligent'
            WHEN d.u_habit < CASE d.owner WHEN 'institution' THEN 0.80 WHEN 'head' THEN 0.50 ELSE 0.25 END
                 THEN 'regular'
            WHEN d.u_habit < CASE d.owner WHEN 'institution' THEN 0.90 WHEN 'head' THEN 0.75 ELSE 0.45 END
                 THEN 'borderline'
            WHEN d.u_habit < CASE d.owner WHEN 'institution' THEN 0.97 WHEN 'head' THEN 0.90 ELSE 0.75 END
                 THEN 'irregular'
            ELSE 'silent' END AS habit,
       -- A channel's first message number in the period: its history before it.
       1 + floor(d.u_message_base * 5000)::bigint AS message_base
  FROM drawn AS d;

-- name: account_index
CREATE INDEX ON demo_account (institution_id, platform);

-- name: insert_accounts
INSERT INTO sim.account (platform, external_id, handle, name, verified, verified_type, followers,
                         created_at, deleted)
SELECT platform, external_id, platform_handle, display_name,
       verified OR paid_check,
       CASE WHEN platform <> 'x' THEN NULL
            WHEN verified THEN 'government'
            WHEN paid_check THEN 'blue'
            ELSE 'none' END,
       followers, created_at, deleted
  FROM demo_account
 WHERE on_platform
 ORDER BY platform, external_id;

-- name: habits
SELECT habit, count(*) FROM demo_account WHERE on_platform AND NOT deleted GROUP BY habit ORDER BY habit;
