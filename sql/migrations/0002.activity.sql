-- Activity: posts (R2), accreditation requests (R4), critical stories and responses (R3),
-- media plans and events (R9).
-- depends: 0001.registry

CREATE TABLE post (
    account_id        bigint NOT NULL REFERENCES social_account (id) ON DELETE CASCADE,
    platform_post_id  text NOT NULL CHECK (platform_post_id <> ''),
    posted_at         timestamptz NOT NULL CHECK (posted_at >= '2000-01-01'),
    permalink         text,
    text_excerpt      text,
    fetched_at        timestamptz NOT NULL DEFAULT now(),
    -- Re-ingesting the same post is an upsert on this key, never a second row.
    PRIMARY KEY (account_id, platform_post_id)
);
CREATE INDEX post_account_posted_at_idx ON post (account_id, posted_at);

-- R4: accreditation of journalists and bloggers takes at most 3 calendar days.
CREATE TABLE accreditation_request (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    external_ref    text NOT NULL UNIQUE,
    applicant_name  text NOT NULL CHECK (btrim(applicant_name) <> ''),
    applicant_type  text NOT NULL CHECK (applicant_type IN ('journalist', 'blogger')),
    outlet          text,
    requested_at    timestamptz NOT NULL,
    decided_at      timestamptz CHECK (decided_at >= requested_at),
    decision        text CHECK (decision IN ('granted', 'refused')),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((decided_at IS NULL) = (decision IS NULL))
);
CREATE INDEX accreditation_request_institution_idx ON accreditation_request (institution_id, requested_at);
CREATE INDEX accreditation_request_pending_idx ON accreditation_request (requested_at)
    WHERE decided_at IS NULL;

-- R3: stories from the monitored feeds; a story may concern several institutions.
CREATE TABLE story (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source        text NOT NULL CHECK (source <> ''),
    external_id   text NOT NULL CHECK (external_id <> ''),
    url           text NOT NULL,
    title         text NOT NULL,
    summary       text,
    language      text,
    published_at  timestamptz NOT NULL,
    detected_at   timestamptz NOT NULL DEFAULT now(),
    is_critical   boolean NOT NULL DEFAULT false,
    UNIQUE (source, external_id)
);
CREATE INDEX story_published_at_idx ON story (published_at);

CREATE TABLE story_institution (
    story_id        bigint NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    match_method    text NOT NULL CHECK (match_method IN ('keyword', 'feed_tag', 'manual')),
    matched_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (story_id, institution_id)
);
CREATE INDEX story_institution_institution_idx ON story_institution (institution_id);

CREATE TABLE story_response (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    story_id          bigint NOT NULL,
    institution_id    bigint NOT NULL,
    responded_at      timestamptz NOT NULL,
    channel           text NOT NULL CHECK (channel IN (
                          'social_post', 'website', 'press_release', 'statement', 'media_comment')),
    url               text NOT NULL,
    account_id        bigint REFERENCES social_account (id) ON DELETE SET NULL,
    platform_post_id  text,
    FOREIGN KEY (story_id, institution_id)
        REFERENCES story_institution (story_id, institution_id) ON DELETE CASCADE,
    UNIQUE (story_id, institution_id, url)
);
CREATE INDEX story_response_first_idx ON story_response (story_id, institution_id, responded_at);

-- R3 state per (story, institution): the SLA clock, its deadline and the stage reached.
CREATE TABLE story_sla (
    story_id            bigint NOT NULL,
    institution_id      bigint NOT NULL,
    clock_started_at    timestamptz NOT NULL,
    due_at              timestamptz NOT NULL CHECK (due_at > clock_started_at),
    first_response_at   timestamptz,
    stage               text NOT NULL CHECK (stage IN (
                            'open', 'reminded', 'breached', 'escalated',
                            'answered_on_time', 'answered_late')),
    stage_changed_at    timestamptz NOT NULL,
    settings_sha256     text NOT NULL,
    PRIMARY KEY (story_id, institution_id),
    FOREIGN KEY (story_id, institution_id)
        REFERENCES story_institution (story_id, institution_id) ON DELETE CASCADE
);
CREATE INDEX story_sla_stage_idx ON story_sla (stage, due_at);

-- R9: media plans per period and the events planned and held under them.
CREATE TABLE media_plan (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    period_start    date NOT NULL,
    period_end      date NOT NULL CHECK (period_end >= period_start),
    approved_on     date,
    document_url    text,
    UNIQUE (institution_id, period_start)
);

CREATE TABLE media_event (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    media_plan_id   bigint REFERENCES media_plan (id) ON DELETE SET NULL,
    external_ref    text NOT NULL UNIQUE,
    kind            text NOT NULL CHECK (kind IN (
                        'briefing', 'press_conference', 'press_tour', 'live_broadcast',
                        'citizen_qa', 'interview')),
    title           text NOT NULL,
    planned_on      date,
    held_at         timestamptz,
    status          text NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    url             text,
    CHECK (status <> 'held' OR held_at IS NOT NULL),
    CHECK (planned_on IS NOT NULL OR held_at IS NOT NULL)
);
CREATE INDEX media_event_institution_idx ON media_event (institution_id, planned_on);
