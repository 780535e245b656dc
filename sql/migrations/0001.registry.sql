-- Registry: regions, institutions, officials, their social accounts and the other registry
-- facts of R1 and R5-R8 (Wikipedia titles, mobile apps, media pool, public council).
-- Constraints keep bad rows out; the registry importer quarantines what they would reject.

CREATE TABLE region (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name_uz_latn  text NOT NULL,
    name_uz_cyrl  text NOT NULL,
    name_ru       text NOT NULL,
    name_en       text NOT NULL
);

INSERT INTO region (code, name_uz_latn, name_uz_cyrl, name_ru, name_en) VALUES
    ('national',        'Respublika darajasi',                'Республика даражаси',               'Республиканский уровень',       'National level'),
    ('karakalpakstan',  'Qoraqalpogʻiston Respublikasi',      'Қорақалпоғистон Республикаси',      'Республика Каракалпакстан',     'Republic of Karakalpakstan'),
    ('andijan',         'Andijon viloyati',                   'Андижон вилояти',                   'Андижанская область',           'Andijan Region'),
    ('bukhara',         'Buxoro viloyati',                    'Бухоро вилояти',                    'Бухарская область',             'Bukhara Region'),
    ('jizzakh',         'Jizzax viloyati',                    'Жиззах вилояти',                    'Джизакская область',            'Jizzakh Region'),
    ('kashkadarya',     'Qashqadaryo viloyati',               'Қашқадарё вилояти',                 'Кашкадарьинская область',       'Kashkadarya Region'),
    ('navoi',           'Navoiy viloyati',                    'Навоий вилояти',                    'Навоийская область',            'Navoi Region'),
    ('namangan',        'Namangan viloyati',                  'Наманган вилояти',                  'Наманганская область',          'Namangan Region'),
    ('samarkand',       'Samarqand viloyati',                 'Самарқанд вилояти',                 'Самаркандская область',         'Samarkand Region'),
    ('surkhandarya',    'Surxondaryo viloyati',               'Сурхондарё вилояти',                'Сурхандарьинская область',      'Surkhandarya Region'),
    ('syrdarya',        'Sirdaryo viloyati',                  'Сирдарё вилояти',                   'Сырдарьинская область',         'Syrdarya Region'),
    ('tashkent_region', 'Toshkent viloyati',                  'Тошкент вилояти',                   'Ташкентская область',           'Tashkent Region'),
    ('fergana',         'Fargʻona viloyati',                  'Фарғона вилояти',                   'Ферганская область',            'Fergana Region'),
    ('khorezm',         'Xorazm viloyati',                    'Хоразм вилояти',                    'Хорезмская область',            'Khorezm Region'),
    ('tashkent_city',   'Toshkent shahri',                    'Тошкент шаҳри',                     'город Ташкент',                 'Tashkent City');

CREATE TABLE institution (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    kind                text NOT NULL CHECK (kind IN (
                            'ministry', 'committee', 'agency', 'inspectorate',
                            'regional_administration', 'city_administration',
                            'district_administration', 'other')),
    parent_id           bigint REFERENCES institution (id) ON DELETE RESTRICT,
    region_code         text NOT NULL REFERENCES region (code),
    name_uz_latn        text NOT NULL CHECK (btrim(name_uz_latn) <> ''),
    name_uz_cyrl        text NOT NULL CHECK (btrim(name_uz_cyrl) <> ''),
    name_ru             text NOT NULL CHECK (btrim(name_ru) <> ''),
    name_en             text NOT NULL CHECK (btrim(name_en) <> ''),
    website             text,
    preferred_language  text NOT NULL DEFAULT 'uz-Latn'
                            CHECK (preferred_language IN ('uz-Latn', 'uz-Cyrl', 'ru', 'en')),
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX institution_parent_idx ON institution (parent_id);

CREATE TABLE official (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE RESTRICT,
    role            text NOT NULL CHECK (role IN ('head', 'deputy', 'press_secretary')),
    full_name       text NOT NULL CHECK (btrim(full_name) <> ''),
    position_title  text NOT NULL CHECK (btrim(position_title) <> ''),
    email           text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, institution_id)
);
CREATE INDEX official_institution_idx ON official (institution_id);
-- One serving head per institution.
CREATE UNIQUE INDEX official_one_active_head ON official (institution_id)
    WHERE role = 'head' AND active;

CREATE TABLE social_account (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id       bigint NOT NULL REFERENCES institution (id) ON DELETE RESTRICT,
    -- The official who owns the page (R1/R2 concern heads); NULL for the institution's own page.
    official_id          bigint,
    platform             text NOT NULL CHECK (platform IN ('facebook', 'x', 'instagram', 'telegram')),
    handle               text NOT NULL CHECK (handle ~ '^[A-Za-z0-9_.]{1,100}$'),
    external_id          text,
    active               boolean NOT NULL DEFAULT true,
    -- Facts read from the platform by the daily fetch.
    verified             boolean,
    verified_type        text,
    followers            bigint CHECK (followers >= 0),
    facts_checked_at     timestamptz,
    -- High-water mark: fetches ask only for what is newer than the last post seen.
    last_post_at         timestamptz,
    last_post_id         text,
    last_fetch_at        timestamptz,
    last_fetch_error     text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- The owner must belong to the same institution as the account.
    FOREIGN KEY (official_id, institution_id) REFERENCES official (id, institution_id)
);
CREATE UNIQUE INDEX social_account_handle_uq ON social_account (platform, lower(handle));
CREATE UNIQUE INDEX social_account_external_id_uq ON social_account (platform, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX social_account_institution_idx ON social_account (institution_id);
CREATE INDEX social_account_official_idx ON social_account (official_id);

-- R7: the institution's article title on each Wikipedia (the uz title at least); the daily
-- check follows redirects and language links from it.
CREATE TABLE wikipedia_page (
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    lang            text NOT NULL CHECK (lang IN ('uz', 'ru', 'en')),
    title           text NOT NULL CHECK (btrim(title) <> ''),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_id, lang)
);

-- R8: mobile apps and whether they are integrated with the open data portal.
CREATE TABLE mobile_app (
    institution_id        bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    os                    text NOT NULL CHECK (os IN ('android', 'ios')),
    store_url             text NOT NULL CHECK (store_url ~ '^https://'),
    open_data_integrated  boolean NOT NULL DEFAULT false,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_id, os)
);

-- R5: the institution's media pool of journalists and bloggers.
CREATE TABLE media_pool_member (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    full_name       text NOT NULL CHECK (btrim(full_name) <> ''),
    member_type     text NOT NULL CHECK (member_type IN ('journalist', 'blogger')),
    outlet          text,
    joined_on       date NOT NULL,
    left_on         date CHECK (left_on >= joined_on),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, full_name, member_type)
);

-- R6: members of the institution's public council (at least one journalist or blogger).
CREATE TABLE public_council_member (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    full_name       text NOT NULL CHECK (btrim(full_name) <> ''),
    member_type     text NOT NULL CHECK (member_type IN (
                        'journalist', 'blogger', 'expert', 'civil_society', 'official', 'other')),
    joined_on       date NOT NULL,
    left_on         date CHECK (left_on >= joined_on),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, full_name)
);
