-- The simulated platforms' own data (schema "sim"): what Facebook, Instagram, X, Telegram and
-- Wikipedia would hold. Written by the demo generator and by tests; read only by the simulator.
-- Not part of the production schema (sql/migrations): it exists only where demo or test data is.
-- UNLOGGED: it is rebuilt by `presswatch demo seed` at will, so it skips the write-ahead log
-- (several times faster to fill; emptied if the server crashes).

CREATE SCHEMA IF NOT EXISTS sim;

CREATE UNLOGGED TABLE IF NOT EXISTS sim.account (
    platform       text NOT NULL CHECK (platform IN ('facebook', 'x', 'instagram', 'telegram')),
    external_id    text NOT NULL,
    handle         text NOT NULL,
    name           text NOT NULL,
    verified       boolean NOT NULL DEFAULT false,
    verified_type  text,            -- X: government | business | blue | none
    followers      bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT '2015-01-01',
    deleted        boolean NOT NULL DEFAULT false,   -- the page was removed: lookups fail
    PRIMARY KEY (platform, external_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS sim_account_handle_uq ON sim.account (platform, lower(handle));

CREATE UNLOGGED TABLE IF NOT EXISTS sim.post (
    platform             text NOT NULL,
    account_external_id  text NOT NULL,
    post_id              text NOT NULL,   -- the platform's id (Telegram: message number)
    created_at           timestamptz NOT NULL,
    text                 text NOT NULL DEFAULT '',
    -- Telegram numbers messages per channel, so the id alone is not unique on a platform.
    PRIMARY KEY (platform, account_external_id, post_id),
    FOREIGN KEY (platform, account_external_id) REFERENCES sim.account (platform, external_id)
        ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS sim_post_account_time_idx
    ON sim.post (platform, account_external_id, created_at);

CREATE UNLOGGED TABLE IF NOT EXISTS sim.wiki_page (
    lang    text NOT NULL CHECK (lang IN ('uz', 'ru', 'en')),
    pageid  bigint NOT NULL,
    title   text NOT NULL,
    PRIMARY KEY (lang, pageid),
    UNIQUE (lang, title)
);

CREATE UNLOGGED TABLE IF NOT EXISTS sim.wiki_redirect (
    lang        text NOT NULL,
    from_title  text NOT NULL,
    to_title    text NOT NULL,
    PRIMARY KEY (lang, from_title)
);

CREATE UNLOGGED TABLE IF NOT EXISTS sim.wiki_langlink (
    lang          text NOT NULL,
    pageid        bigint NOT NULL,
    target_lang   text NOT NULL,
    target_title  text NOT NULL,
    PRIMARY KEY (lang, pageid, target_lang),
    FOREIGN KEY (lang, pageid) REFERENCES sim.wiki_page (lang, pageid) ON DELETE CASCADE
);
