-- What each account's posts have been fetched for: the contiguous period
-- [covered_from, covered_until) that the stored posts are complete for. The daily fetch asks
-- the platform only for the parts of the period it needs that lie outside it, so a rerun or a
-- backfill over days already fetched sends no request for posts, and a backfill before the
-- first fetch widens the period backwards.
-- depends: 0005.compliance

ALTER TABLE social_account
    ADD COLUMN covered_from   timestamptz,
    ADD COLUMN covered_until  timestamptz,
    ADD CONSTRAINT social_account_coverage_ck
        CHECK ((covered_from IS NULL) = (covered_until IS NULL) AND covered_from < covered_until);
