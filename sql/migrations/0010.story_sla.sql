-- R3, the one-day response rule: where stories come from, how they are matched to institutions
-- and scored, the responses, the SLA clock of each (story, institution) and its stage events.
-- Also: notices that have nowhere to go are kept as `undeliverable` (every pipeline's).
-- depends: 0009.posting_scope

-- Where stories come from: the monitoring portal's JSON feed (one row, kind 'portal') and news
-- sites' RSS/Atom feeds (the registry's feeds.csv). Each remembers what its next fetch may skip.
CREATE TABLE story_feed (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    kind             text NOT NULL CHECK (kind IN ('portal', 'rss')),  -- rss: RSS or Atom
    name             text NOT NULL CHECK (btrim(name) <> ''),
    url              text NOT NULL CHECK (url ~ '^https?://'),
    language         text CHECK (language IN ('uz-Latn', 'uz-Cyrl', 'ru', 'en')),
    active           boolean NOT NULL DEFAULT true,
    -- Incremental fetches: conditional GET for RSS, the portal's cursor.
    etag             text,
    last_modified    text,
    cursor           text,
    last_fetched_at  timestamptz,
    last_status      text,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Stories: `source` is the outlet (kun.uz), `feed_id` the feed that first brought it. A story
-- is one story however many feeds bring it: the same normalised URL (canonical_url) or the same
-- title from the same source (title_key) is merged into the row that exists.
ALTER TABLE story
    ADD COLUMN feed_id                    bigint REFERENCES story_feed (id) ON DELETE SET NULL,
    ADD COLUMN canonical_url              text,
    ADD COLUMN title_key                  text,
    ADD COLUMN body                       text,
    ADD COLUMN body_truncated             boolean NOT NULL DEFAULT false,
    -- The feed gave a time without a zone: it was read as Asia/Tashkent.
    ADD COLUMN published_at_zone_assumed  boolean NOT NULL DEFAULT false,
    -- Normalised word keys of the title and text (presswatch_match_keys): what matching and
    -- scoring compare, in both of their ways ('plain' and 'stem').
    ADD COLUMN keys_plain                 text[],
    ADD COLUMN keys_stem                  text[],
    ADD COLUMN keys_word                  text[],  -- the words whole ('word'), same positions
    ADD COLUMN matched_at                 timestamptz,
    -- Criticality: the lexicon's score, the terms that gave it, and the lexicon's sha256.
    ADD COLUMN critical_score             numeric(7, 2),
    ADD COLUMN critical_terms             text[] NOT NULL DEFAULT '{}',
    ADD COLUMN scored_with                text,
    -- An operator's decision wins over the score (is_critical follows it).
    ADD COLUMN operator_decision          text CHECK (operator_decision IN ('confirmed', 'dismissed')),
    ADD COLUMN decided_at                 timestamptz,
    ADD COLUMN decided_by                 text,
    ADD COLUMN decision_note              text,
    ADD COLUMN updated_at                 timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT story_decision_ck CHECK ((operator_decision IS NULL) = (decided_at IS NULL)),
    ADD CONSTRAINT story_decision_wins_ck CHECK (
        operator_decision IS NULL OR is_critical = (operator_decision = 'confirmed'));
ALTER TABLE story RENAME COLUMN detected_at TO first_seen_at;
UPDATE story SET canonical_url = url, title_key = lower(title) WHERE canonical_url IS NULL;
ALTER TABLE story
    ALTER COLUMN canonical_url SET NOT NULL,
    ALTER COLUMN title_key SET NOT NULL;
CREATE UNIQUE INDEX story_canonical_url_uq ON story (canonical_url);
CREATE UNIQUE INDEX story_source_title_uq ON story (source, title_key);
CREATE INDEX story_unmatched_idx ON story (id) WHERE matched_at IS NULL;
CREATE INDEX story_first_seen_idx ON story (first_seen_at);

-- Every feed item ingested, and the story it is (or was merged into).
CREATE TABLE story_item (
    feed_id        bigint NOT NULL REFERENCES story_feed (id) ON DELETE CASCADE,
    item_key       text NOT NULL CHECK (item_key <> ''),  -- the feed's id/guid, else the URL
    story_id       bigint NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    url            text NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    PRIMARY KEY (feed_id, item_key)
);
CREATE INDEX story_item_story_idx ON story_item (story_id);

-- Names an institution is known by in stories: its names in the four languages and its
-- accounts' handles (kept in step with the registry by the hourly run), the registry's
-- aliases.csv (short names, other spellings) and aliases an operator adds.
CREATE TABLE institution_alias (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    alias           text NOT NULL CHECK (btrim(alias) <> ''),
    kind            text NOT NULL CHECK (kind IN ('name', 'handle', 'short_name', 'extra')),
    origin          text NOT NULL CHECK (origin IN ('registry', 'operator')),
    language        text CHECK (language IN ('uz-Latn', 'uz-Cyrl', 'ru', 'en')),
    keys_plain      text[] NOT NULL CHECK (cardinality(keys_plain) > 0),
    keys_stem       text[] NOT NULL CHECK (cardinality(keys_stem) > 0),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, kind, alias)
);
-- Matching joins an alias on its first three keys (all of them when it has fewer): a first
-- key alone is shared by hundreds of names (Управление ..., Ministry of ...), two by dozens.
CREATE INDEX institution_alias_plain_idx
    ON institution_alias ((keys_plain[1]), (keys_plain[2]), (keys_plain[3])) WHERE active;
CREATE INDEX institution_alias_stem_idx
    ON institution_alias ((keys_stem[1]), (keys_stem[2]), (keys_stem[3])) WHERE active;

ALTER TABLE story_institution
    DROP CONSTRAINT story_institution_match_method_check,
    ADD CONSTRAINT story_institution_match_method_check
        CHECK (match_method IN ('alias', 'keyword', 'feed_tag', 'manual')),
    ADD COLUMN matched_alias text;

-- Responses: a post of the institution's own accounts that links to or names the story, one
-- the portal recorded, or one an operator entered. recorded_at: when it was written here.
ALTER TABLE story_response
    ADD COLUMN origin       text NOT NULL DEFAULT 'operator'
                                 CHECK (origin IN ('post', 'portal', 'operator')),
    ADD COLUMN external_id  text,
    ADD COLUMN entered_by   text,
    ADD COLUMN recorded_at  timestamptz NOT NULL DEFAULT now();
ALTER TABLE story_response ALTER COLUMN origin DROP DEFAULT;
CREATE UNIQUE INDEX story_response_external_uq ON story_response (origin, external_id)
    WHERE external_id IS NOT NULL;

-- Responses reported by the portal or entered by an operator wait here until checked: the
-- story must be known (the portal may report a response before its story arrives), the
-- institution in the registry, the time not before the story, the account (if any) the
-- institution's own. Checked ones become story_response rows; rejected ones go to quarantine
-- with the reason; none is dropped.
CREATE TABLE story_response_inbox (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    origin             text NOT NULL CHECK (origin IN ('portal', 'operator')),
    external_id        text NOT NULL CHECK (external_id <> ''),
    story_id           bigint,           -- an operator names the story by our id
    story_external_id  text,             -- the portal by its own id ...
    story_url          text,             -- ... and its URL
    institution_code   text NOT NULL,
    responded_at       timestamptz NOT NULL,
    url                text NOT NULL,
    channel            text NOT NULL,
    account_platform   text,
    account_handle     text,
    entered_by         text,
    payload            jsonb NOT NULL,
    outcome            text CHECK (outcome IN ('recorded', 'rejected')),
    outcome_reason     text,
    response_id        bigint REFERENCES story_response (id) ON DELETE SET NULL,
    processed_at       timestamptz,
    UNIQUE (origin, external_id),
    CHECK (story_id IS NOT NULL OR story_external_id IS NOT NULL OR story_url IS NOT NULL)
);
CREATE INDEX story_response_inbox_pending_idx ON story_response_inbox (responded_at)
    WHERE outcome IS NULL;

-- The SLA clock of a critical story for one institution (replaces 0002's draft, never
-- written). Deadlines are fixed when the clock opens, with the settings it opened under.
DROP TABLE story_sla;
CREATE TABLE story_sla (
    story_id           bigint NOT NULL,
    institution_id     bigint NOT NULL,
    clock_started_at   timestamptz NOT NULL,
    calendar           text NOT NULL CHECK (calendar IN ('calendar_hours', 'working_hours')),
    reminder_at        timestamptz NOT NULL,
    due_at             timestamptz NOT NULL,
    escalate_at        timestamptz NOT NULL,
    opened_at          timestamptz NOT NULL,   -- when the story was first seen
    detected_late      boolean NOT NULL,       -- first seen after its deadline
    stage              text NOT NULL CHECK (stage IN (
                           'opened', 'reminder', 'breached', 'escalated',
                           'fulfilled', 'fulfilled_late', 'dismissed')),
    stage_at           timestamptz NOT NULL,
    first_response_id  bigint REFERENCES story_response (id) ON DELETE SET NULL,
    first_response_at  timestamptz,
    closed_at          timestamptz,            -- fulfilled, fulfilled late or dismissed
    settings_sha256    text NOT NULL,
    PRIMARY KEY (story_id, institution_id),
    FOREIGN KEY (story_id, institution_id)
        REFERENCES story_institution (story_id, institution_id) ON DELETE CASCADE,
    CHECK (clock_started_at <= reminder_at AND reminder_at <= due_at AND due_at < escalate_at),
    CHECK ((closed_at IS NULL) = (stage IN ('opened', 'reminder', 'breached', 'escalated')))
);
CREATE INDEX story_sla_open_idx ON story_sla (due_at) WHERE closed_at IS NULL;
CREATE INDEX story_sla_institution_idx ON story_sla (institution_id, clock_started_at);

-- The stage history: one row per stage a clock reached, written once. occurred_at is when
-- the rule says it happened (the deadline, the response's time); recorded_at the end of the
-- hour whose sweep wrote it. notice_key: the outbox notice the stage gave, if any.
CREATE TABLE story_sla_event (
    story_id        bigint NOT NULL,
    institution_id  bigint NOT NULL,
    stage           text NOT NULL CHECK (stage IN (
                        'opened', 'reminder', 'breached', 'escalated',
                        'fulfilled', 'fulfilled_late', 'dismissed')),
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    detected_late   boolean NOT NULL DEFAULT false,
    notice_key      text,
    airflow_run_id  text,
    PRIMARY KEY (story_id, institution_id, stage),
    FOREIGN KEY (story_id, institution_id)
        REFERENCES story_sla (story_id, institution_id) ON DELETE CASCADE
);
CREATE INDEX story_sla_event_recorded_idx ON story_sla_event (recorded_at);
CREATE INDEX story_sla_event_unnoticed_idx ON story_sla_event (recorded_at)
    WHERE notice_key IS NULL AND stage IN ('reminder', 'breached', 'escalated');

-- Working time for the working-hours mode: the working intervals of a calendar (working days
-- and hours, the Uzbek public holidays, the settings' one-off days), each with the working
-- seconds before it, so that "24 working hours after t" is two index lookups.
CREATE TABLE work_calendar_interval (
    calendar_key            text NOT NULL,
    starts_at               timestamptz NOT NULL,
    ends_at                 timestamptz NOT NULL CHECK (ends_at > starts_at),
    working_seconds_before  bigint NOT NULL CHECK (working_seconds_before >= 0),
    PRIMARY KEY (calendar_key, starts_at)
);
CREATE INDEX work_calendar_interval_end_idx ON work_calendar_interval (calendar_key, ends_at);
CREATE INDEX work_calendar_interval_position_idx
    ON work_calendar_interval (calendar_key, working_seconds_before);

-- A notice whose institution has no addressee in the registry is kept as `undeliverable`
-- (with the reason in last_error), never only logged. status_when_addressed: what it would
-- have been (pending, or suppressed for a backfill), what `presswatch notices readdress`
-- makes it once the registry has an addressee.
ALTER TABLE notice
    DROP CONSTRAINT notice_status_check,
    ADD CONSTRAINT notice_status_check CHECK (status IN (
        'pending', 'sending', 'sent', 'failed', 'suppressed', 'undeliverable')),
    DROP CONSTRAINT notice_recipients_check,
    ADD CONSTRAINT notice_recipients_check
        CHECK (cardinality(recipients) > 0 OR status = 'undeliverable'),
    ADD COLUMN status_when_addressed text
        CHECK (status_when_addressed IN ('pending', 'suppressed')),
    ADD CONSTRAINT notice_undeliverable_ck
        CHECK ((status = 'undeliverable') = (status_when_addressed IS NOT NULL));
CREATE INDEX notice_undeliverable_idx ON notice (institution_id) WHERE status = 'undeliverable';

-- The match keys of a text: its words, lowercased, without the apostrophes Uzbek is typed with
-- (' ‘ ’ ` ʻ ʼ), Cyrillic transliterated to Uzbek Latin, each cut to its first 6 letters, so
-- that Uzbek suffixes (vazirligi, vazirligiga) and most Russian endings compare equal and
-- Latin and Cyrillic Uzbek meet. way 'stem' first stems Cyrillic words with PostgreSQL's
-- Snowball Russian stemmer (суда -> суд), for Russian stems shorter than 6 letters. way 'word'
-- keeps the words whole (not cut), position for position with 'plain': what handles and the
-- lexicon's prefix terms (bajarilma*) are compared with, where 6 letters cannot tell
-- bajarilmadi (not done) from bajarildi (done).
CREATE FUNCTION presswatch_match_keys(input text, way text DEFAULT 'plain')
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT coalesce(array_agg(CASE WHEN way = 'word' THEN latin ELSE left(latin, 6) END ORDER BY n),
                '{}')
  FROM (
        SELECT n,
               replace(replace(replace(replace(replace(replace(replace(replace(
                   translate(stemmed,
                             'абвгдезийклмнопрстуфхыэўқғҳъь',
                             'abvgdeziyklmnoprstufxieoqgh'),
                   'ё', 'yo'), 'ж', 'j'), 'ц', 'ts'), 'ч', 'ch'), 'щ', 'shch'), 'ш', 'sh'),
                   'ю', 'yu'), 'я', 'ya') AS latin
          FROM (
                SELECT n,
                       CASE WHEN way = 'stem' AND word ~ '[а-яёўқғҳ]'
                            THEN coalesce((ts_lexize('russian_stem', word))[1], word)
                            ELSE word END AS stemmed
                  FROM regexp_split_to_table(
                           translate(lower(normalize(coalesce(input, ''), NFC)),
                                     U&'\0027\2018\2019\0060\02BB\02BC\00B4\02B9', ''),
                           '[^0-9a-zа-яёўқғҳ]+') WITH ORDINALITY AS w (word, n)
                 WHERE word <> ''
               ) AS words
       ) AS transliterated
 WHERE latin <> '';
$$;
