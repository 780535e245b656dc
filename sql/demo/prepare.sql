-- Demo generator: the session's helpers and the set of demo institutions.
-- Every random choice in sql/demo is pg_temp.demo_unit(stream, key, seed): a number in [0, 1)
-- hashed from a stable key (an institution's code, an account's platform id, a date), the
-- seed, and a stream number that keeps unrelated choices independent. The data therefore does
-- not depend on row order, plans or parallelism, only on the arguments.

-- name: functions
CREATE OR REPLACE FUNCTION pg_temp.demo_unit(stream integer, key bigint, seed bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT (hashint8extended(key, hashint8extended(stream, seed)) & 281474976710655)::double precision
           / 281474976710656.0
$$;

-- name: settings
-- Local to the seed's transaction. Sorts and hash joins are far faster in memory. Compiled
-- expressions pay off on the millions of rows of posts, but optimising and inlining that code
-- costs seconds per statement, more than it saves here.
SET LOCAL work_mem = '256MB';
SET LOCAL jit_optimize_above_cost = -1;
SET LOCAL jit_inline_above_cost = -1;

-- name: institution_list
-- name_ru_genitive: the Russian name in the genitive (people.russian_genitive), for titles.
CREATE TEMP TABLE demo_institution (
    code              text PRIMARY KEY,
    tier              text NOT NULL,
    ordinal           integer NOT NULL,
    name_ru_genitive  text NOT NULL
) ON COMMIT DROP;

-- name: clear_history
-- The activity the demo fills in the domain tables. Its stories and responses are only in the
-- simulated sources (sim.portal_*, sim.feed*, emptied with the rest of sim by world.clear):
-- the domain's story tables are the pipeline's, and the seed leaves them alone.
TRUNCATE accreditation_request, media_event, media_plan RESTART IDENTITY CASCADE;

-- name: institutions
-- The demo institutions as the importer stored them, with what the other steps need.
CREATE TEMP TABLE demo_inst ON COMMIT DROP AS
SELECT d.ordinal,
       d.tier,
       i.id AS institution_id,
       i.code,
       hashtextextended(i.code, 0) AS institution_key,
       p.id AS parent_id,
       i.preferred_language AS language,
       array_position(ARRAY['uz-Latn', 'uz-Cyrl', 'ru', 'en'], i.preferred_language) AS language_index,
       i.name_uz_latn, i.name_uz_cyrl, i.name_ru, i.name_en, d.name_ru_genitive,
       replace(i.code, '_', '-') || '.gov.example' AS domain,
       rate.followers, rate.stories_per_year, rate.accreditations_per_year,
       rate.events_per_half_year, rate.plan_share, rate.unlisted_wiki_share
  FROM demo_institution AS d
  JOIN institution AS i ON i.code = d.code
  -- A parent counts only if it is part of the demo too.
  LEFT JOIN institution AS p
    ON p.id = i.parent_id AND EXISTS (SELECT 1 FROM demo_institution AS dp WHERE dp.code = p.code)
  JOIN (VALUES
        -- tier, typical followers, stories a year, accreditation requests a year, media events
        -- planned per half-year, share with a media plan, share of Wikipedia languages that
        -- exist though the registry does not list them
        ('national',        40000, 1500, 24.0, 20, 0.95, 0.5),
        ('regional_admin',  20000,  800, 18.0, 16, 0.90, 0.4),
        ('local_admin',      5000,  200,  6.0,  8, 0.75, 0.25),
        ('regional_branch',  2500,   60,  4.0,  5, 0.65, 0.2),
        ('district_branch',   700,   25,  1.5,  3, 0.50, 0.1),
        ('school',            300,    2,  0.3,  1, 0.20, 0.0)
       ) AS rate (tier, followers, stories_per_year, accreditations_per_year,
                  events_per_half_year, plan_share, unlisted_wiki_share)
    ON rate.tier = d.tier;
CREATE INDEX ON demo_inst (institution_id);
ANALYZE demo_inst;
