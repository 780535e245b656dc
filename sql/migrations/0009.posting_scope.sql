-- R2's posting.scope: with `account` (the default) each account must reach the weekly minimum
-- on its own; with `official` an official's posts across all of their accounts are counted
-- together. Each row says which scope it was computed under and the count it was checked
-- against (its own posts, or its official's total).
-- depends: 0008.post_account_check

ALTER TABLE account_compliance_daily
    ADD COLUMN scope text NOT NULL DEFAULT 'account' CHECK (scope IN ('account', 'official')),
    ADD COLUMN posts_counted integer CHECK (posts_counted >= 0);
UPDATE account_compliance_daily SET posts_counted = posts_in_window;
ALTER TABLE account_compliance_daily
    ALTER COLUMN scope DROP DEFAULT,
    ALTER COLUMN posts_counted SET NOT NULL;

ALTER TABLE account_week_compliance
    ADD COLUMN scope text NOT NULL DEFAULT 'account' CHECK (scope IN ('account', 'official')),
    ADD COLUMN posts_counted integer CHECK (posts_counted >= 0);
UPDATE account_week_compliance SET posts_counted = posts_in_week;
ALTER TABLE account_week_compliance
    ALTER COLUMN scope DROP DEFAULT,
    ALTER COLUMN posts_counted SET NOT NULL;
