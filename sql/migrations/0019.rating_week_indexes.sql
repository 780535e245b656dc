-- Two partial indexes on account_week_compliance for the semiannual rating's R2
-- (sql/queries/rating/indicators.sql):
-- - the unmet weeks per institution and scope in week order, with what R2's evidence lists
--   (an index-only read of each institution's first few misses, instead of sorting the
--   half-year's unmet weeks, a third of them, to number them);
-- - the weeks computed with scope 'official', which R2 groups per official: found without a
--   second scan of the half-year when there are none (the default scope is 'account'; a world
--   computed with 'official' has no 'account' rows, and the index is the scan's).
-- Each Sunday's run adds a row per head's account to the table and to the first index at most.
-- depends: 0018.compliance_facts_key

CREATE INDEX account_week_compliance_unmet_idx
    ON account_week_compliance (institution_id, scope, computed_on, account_id)
    INCLUDE (week_start, official_id)
    WHERE NOT met;

CREATE INDEX account_week_compliance_official_idx
    ON account_week_compliance (computed_on)
    WHERE scope = 'official';
