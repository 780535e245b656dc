-- The notices outbox, the quarantine for bad input, and semiannual ratings (R10).
-- depends: 0002.activity

-- One row per notice; dedup_key makes writing the same notice twice a no-op.
CREATE TABLE notice (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind              text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$'),
    dedup_key         text NOT NULL UNIQUE,
    institution_id    bigint REFERENCES institution (id) ON DELETE RESTRICT,
    language          text NOT NULL CHECK (language IN ('uz-Latn', 'uz-Cyrl', 'ru', 'en')),
    reference_no      text NOT NULL UNIQUE CHECK (reference_no ~ '^PW-[0-9]{4}-[0-9]{6}$'),
    recipients        text[] NOT NULL CHECK (cardinality(recipients) > 0),
    cc                text[] NOT NULL DEFAULT '{}',
    subject           text NOT NULL,
    body_html         text NOT NULL,
    body_text         text NOT NULL,
    attachments       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attachments) = 'array'),
    status            text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error        text,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    claimed_at        timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    sent_at           timestamptz,
    airflow_dag_id    text,
    airflow_run_id    text,
    airflow_run_type  text,
    CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
CREATE INDEX notice_due_idx ON notice (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX notice_institution_idx ON notice (institution_id, created_at);

-- Reference numbers PW-<year>-<6 digits>, sequential per year.
CREATE TABLE notice_reference_counter (
    year         integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2999),
    last_number  integer NOT NULL CHECK (last_number BETWEEN 0 AND 999999)
);

-- Bad input is kept here with the reason, never silently dropped. The same bad item seen
-- again (same source, reason and payload) is recorded once.
CREATE TABLE quarantine (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source          text NOT NULL CHECK (source <> ''),
    reason          text NOT NULL CHECK (reason <> ''),
    raw_payload     text NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    airflow_run_id  text,
    fingerprint     text GENERATED ALWAYS AS
                        (md5(source || chr(31) || reason || chr(31) || raw_payload)) STORED,
    UNIQUE (fingerprint)
);
CREATE INDEX quarantine_source_idx ON quarantine (source, received_at);

-- R10: one rating per half-year, with the exact settings it was computed with.
CREATE TABLE rating (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period_start     date NOT NULL,
    period_end       date NOT NULL CHECK (period_end > period_start),
    settings         jsonb NOT NULL,
    settings_sha256  text NOT NULL,
    computed_at      timestamptz NOT NULL DEFAULT now(),
    airflow_run_id   text,
    UNIQUE (period_start, period_end)
);

CREATE TABLE rating_result (
    rating_id       bigint NOT NULL REFERENCES rating (id) ON DELETE CASCADE,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE RESTRICT,
    indicators      jsonb NOT NULL CHECK (jsonb_typeof(indicators) = 'object'),
    score           numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
    rank            integer NOT NULL CHECK (rank > 0),
    band            text NOT NULL CHECK (band IN ('green', 'yellow', 'red')),
    flagged         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (rating_id, institution_id)
);
