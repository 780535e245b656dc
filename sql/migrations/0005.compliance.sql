-- Daily compliance (R1, R2, R4-R8) computed by presswatch.compliance.compute_day, and the
-- results of the daily Wikipedia check (R7). Every result row carries the sha256 of the
-- settings it was computed with. A day is a calendar day in the settings' time zone.
-- depends: 0004.notice_delivery

-- R7: what the MediaWiki check found for an institution in a language on a day (after
-- redirects). The latest check on or before a day decides R7 for that day; with no check,
-- a registered wikipedia_page title counts as present.
CREATE TABLE wikipedia_check (
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    lang            text NOT NULL CHECK (lang IN ('uz', 'ru', 'en')),
    checked_on      date NOT NULL,
    page_exists     boolean NOT NULL,
    resolved_title  text,
    PRIMARY KEY (institution_id, lang, checked_on)
);

-- R2 per account and day: posts in the rolling window of `window_days` local days ending at
-- the end of `day`. Rows for the active heads' active accounts.
CREATE TABLE account_compliance_daily (
    day                   date NOT NULL,
    account_id            bigint NOT NULL REFERENCES social_account (id) ON DELETE CASCADE,
    institution_id        bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    official_id           bigint NOT NULL REFERENCES official (id) ON DELETE CASCADE,
    platform              text NOT NULL CHECK (platform IN ('facebook', 'x', 'instagram', 'telegram')),
    window_days           integer NOT NULL CHECK (window_days >= 1),
    posts_in_window       integer NOT NULL CHECK (posts_in_window >= 0),
    verified              boolean,
    meets_rolling_window  boolean NOT NULL,
    settings_sha256       text NOT NULL,
    PRIMARY KEY (day, account_id)
);
CREATE INDEX account_compliance_daily_institution_idx
    ON account_compliance_daily (institution_id, day);

-- R2 per account and ISO week (Monday-Sunday, local time), written by the run for the
-- week's Sunday (which runs after midnight on Monday).
CREATE TABLE account_week_compliance (
    iso_year         integer NOT NULL,
    iso_week         integer NOT NULL CHECK (iso_week BETWEEN 1 AND 53),
    account_id       bigint NOT NULL REFERENCES social_account (id) ON DELETE CASCADE,
    institution_id   bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    official_id      bigint NOT NULL REFERENCES official (id) ON DELETE CASCADE,
    platform         text NOT NULL CHECK (platform IN ('facebook', 'x', 'instagram', 'telegram')),
    week_start       date NOT NULL CHECK (extract(isodow FROM week_start) = 1),
    posts_in_week    integer NOT NULL CHECK (posts_in_week >= 0),
    met              boolean NOT NULL,
    computed_on      date NOT NULL CHECK (computed_on = week_start + 6),
    settings_sha256  text NOT NULL,
    PRIMARY KEY (iso_year, iso_week, account_id)
);
CREATE INDEX account_week_compliance_institution_idx
    ON account_week_compliance (institution_id, week_start);

-- R1, R2 (summary), R4-R8 per institution and day.
CREATE TABLE institution_compliance_daily (
    day                         date NOT NULL,
    institution_id              bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    head_official_id            bigint REFERENCES official (id) ON DELETE SET NULL,
    r1_missing_platforms        text[] NOT NULL,
    r1_unverified_platforms     text[] NOT NULL,
    r1_ok                       boolean NOT NULL,
    r2_accounts_below_rolling   integer NOT NULL CHECK (r2_accounts_below_rolling >= 0),
    r4_pending_overdue          integer NOT NULL CHECK (r4_pending_overdue >= 0),
    r4_decided_late             integer NOT NULL CHECK (r4_decided_late >= 0),
    r5_pool_ok                  boolean NOT NULL,
    r6_council_ok               boolean NOT NULL,
    r7_missing_wiki_langs       text[] NOT NULL,
    r8_android                  boolean NOT NULL,
    r8_ios                      boolean NOT NULL,
    r8_open_data                boolean NOT NULL,
    settings_sha256             text NOT NULL,
    PRIMARY KEY (day, institution_id)
);
CREATE INDEX institution_compliance_daily_institution_idx
    ON institution_compliance_daily (institution_id, day);
