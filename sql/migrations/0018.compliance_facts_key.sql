-- The facts of an institution's day that the semiannual rating reads (R1, R5-R8), also kept as
-- one integer, `facts`, generated from the columns that state them: a bit per fact that holds.
-- The rating counts an institution's days per kind of day (the same facts for weeks on end);
-- grouping half a year of days (543,000 rows at national scale) by this integer takes a
-- quarter of the time that grouping them by the three text arrays and five flags took, which
-- was half of the rating's time; the kinds are also counted per month (migration 0021). The
-- arrays stay what the daily notices and the reports read.
--
-- The bits, in order (bit 0 first): a required platform missing (facebook, x, instagram,
-- telegram), present but not verified (the same four), a Wikipedia language missing (uz, ru,
-- en), then r5_pool_ok, r6_council_ok, r8_android, r8_ios, r8_open_data.
-- presswatch_compliance_fact_bit('missing:x') is one fact's bit (NULL for a name it does not
-- know); presswatch_compliance_facts(...) is the integer of a row's facts. So that the integer
-- says everything the arrays say, the arrays may hold only the platforms and languages it has
-- bits for (the settings allow no others; the checks make sure).
-- depends: 0017.rating_guard_per_statement

CREATE FUNCTION presswatch_compliance_fact_bit(fact text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 1 << (array_position(ARRAY[
    'missing:facebook', 'missing:x', 'missing:instagram', 'missing:telegram',
    'unverified:facebook', 'unverified:x', 'unverified:instagram', 'unverified:telegram',
    'wiki_missing:uz', 'wiki_missing:ru', 'wiki_missing:en',
    'r5_pool_ok', 'r6_council_ok', 'r8_android', 'r8_ios', 'r8_open_data']::text[], fact) - 1);

CREATE FUNCTION presswatch_compliance_facts(
    missing_platforms text[], unverified_platforms text[], missing_wiki_langs text[],
    pool_ok boolean, council_ok boolean, android boolean, ios boolean, open_data boolean)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT coalesce(bit_or(presswatch_compliance_fact_bit(f.fact)), 0)
          FROM (SELECT 'missing:' || p FROM unnest(missing_platforms) AS p
                UNION ALL SELECT 'unverified:' || p FROM unnest(unverified_platforms) AS p
                UNION ALL SELECT 'wiki_missing:' || l FROM unnest(missing_wiki_langs) AS l
                UNION ALL SELECT 'r5_pool_ok' WHERE pool_ok
                UNION ALL SELECT 'r6_council_ok' WHERE council_ok
                UNION ALL SELECT 'r8_android' WHERE android
                UNION ALL SELECT 'r8_ios' WHERE ios
                UNION ALL SELECT 'r8_open_data' WHERE open_data) AS f (fact));

ALTER TABLE institution_compliance_daily
    ADD CONSTRAINT institution_compliance_daily_platforms_known
        CHECK (r1_missing_platforms <@ '{facebook,x,instagram,telegram}'::text[]
               AND r1_unverified_platforms <@ '{facebook,x,instagram,telegram}'::text[]),
    ADD CONSTRAINT institution_compliance_daily_wiki_langs_known
        CHECK (r7_missing_wiki_langs <@ '{uz,ru,en}'::text[]),
    ADD COLUMN facts integer NOT NULL GENERATED ALWAYS AS (presswatch_compliance_facts(
        r1_missing_platforms, r1_unverified_platforms, r7_missing_wiki_langs, r5_pool_ok,
        r6_council_ok, r8_android, r8_ios, r8_open_data)) STORED;
