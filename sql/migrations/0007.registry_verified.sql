-- The agency's own check of whether an account is verified, from the registry (accounts.csv,
-- column `verified`; NULL: not checked). It exists for platforms whose API does not say
-- (Instagram's business discovery has no verified flag). The registry never writes
-- `verified`, which holds what the platform itself said; compliance takes
-- coalesce(verified, verified_by_registry), so a platform that says wins.
-- depends: 0006.fetch_coverage

ALTER TABLE social_account ADD COLUMN verified_by_registry boolean;
