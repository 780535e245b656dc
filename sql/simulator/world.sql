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

-- The monitoring portal (a media-monitoring service with a JSON API): the stories its crawler
-- collected, and the institutions' responses it recorded. Its API lists both in its own
-- sequence, (collected_at, portal_id) and (recorded_at, portal_id). Columns a real portal always
-- fills are nullable here so that tests can serve broken items.
CREATE UNLOGGED TABLE IF NOT EXISTS sim.portal_story (
    portal_id          bigint PRIMARY KEY,
    source_name        text NOT NULL,                 -- the outlet: "Kun.uz"
    source_domain      text NOT NULL,                 -- "kun.uz"
    url                text,                          -- NULL: served without one (a bad item)
    title              text,                          -- NULL: served without one (a bad item)
    text               text NOT NULL DEFAULT '',
    language           text,                          -- uz-Latn, uz-Cyrl, ru, en
    published_at       timestamptz,                   -- NULL: served without one (a bad item)
    collected_at       timestamptz NOT NULL,          -- when the portal's crawler found it
    institution_codes  text[] NOT NULL DEFAULT '{}',  -- the institutions the portal tagged
    tone               text CHECK (tone IN ('negative', 'neutral', 'positive'))
);
CREATE INDEX IF NOT EXISTS sim_portal_story_sequence_idx
    ON sim.portal_story (collected_at, portal_id);

CREATE UNLOGGED TABLE IF NOT EXISTS sim.portal_response (
    portal_id          bigint PRIMARY KEY,
    story_portal_id    bigint,            -- NULL: a story the portal knows only by its URL
    story_url          text NOT NULL,
    institution_code   text NOT NULL,
    responded_at       timestamptz,       -- NULL: served without one (a bad item)
    url                text NOT NULL,
    channel            text NOT NULL CHECK (channel IN (
                           'social_post', 'website', 'press_release', 'statement',
                           'media_comment')),
    account_platform   text,              -- a social post: the account it was posted from
    account_handle     text,
    recorded_at        timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sim_portal_response_sequence_idx
    ON sim.portal_response (recorded_at, portal_id);

-- News sites' RSS and Atom feeds, served at /feeds/{host}{path}. raw_body, when set, is served
-- verbatim instead of the generated feed (an HTML error page, a truncated file...).
CREATE UNLOGGED TABLE IF NOT EXISTS sim.feed (
    host              text NOT NULL,                  -- kun.uz
    path              text NOT NULL CHECK (left(path, 1) = '/'),  -- /ru/news/rss
    format            text NOT NULL DEFAULT 'rss' CHECK (format IN ('rss', 'atom')),
    title             text NOT NULL,
    language          text,                           -- the feed's own <language> / xml:lang
    item_limit        integer NOT NULL DEFAULT 100 CHECK (item_limit > 0),  -- the latest N
    raw_body          text,
    raw_status        integer NOT NULL DEFAULT 200,
    raw_content_type  text NOT NULL DEFAULT 'text/html; charset=utf-8',
    PRIMARY KEY (host, path)
);

-- A feed's items as the site writes them: any element may be missing (NULL), the title may
-- hold HTML, pub_date is the text written in the feed (RFC 822 in RSS, RFC 3339 in Atom, or
-- anything a test wants), and nothing stops the same guid from appearing twice. listed_at
-- orders the feed (newest first) and dates it (Last-Modified).
CREATE UNLOGGED TABLE IF NOT EXISTS sim.feed_item (
    host         text NOT NULL,
    path         text NOT NULL,
    guid         text,
    link         text,
    title        text,
    description  text,      -- <description> / <summary>: usually an HTML teaser
    body         text,      -- <content:encoded> / <content>: the full text
    pub_date     text,
    listed_at    timestamptz NOT NULL,
    FOREIGN KEY (host, path) REFERENCES sim.feed (host, path) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS sim_feed_item_listing_idx ON sim.feed_item (host, path, listed_at);
