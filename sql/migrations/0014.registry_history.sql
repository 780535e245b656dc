-- History of the registry facts that compliance (R1, R2, R5-R8) and the rating (R10) read, so
-- that a past day is judged on the registry as it was that day, not as it is now.
--
-- One history table per registry table (`<table>_history`), with the table's key and the
-- columns the registry import manages, typed as in the table, and the days the version held:
-- [valid_from, valid_to), valid_to NULL = still valid. Per-table, not one generic jsonb table,
-- for set-based speed: readers join 36,000 accounts and 3,000 institutions a day (and a
-- half-year's worth for a rating); typed columns need no jsonb decoding per row, carry column
-- statistics the planner can estimate joins with, and can be indexed like the tables they
-- mirror (institution_id, official_id), so the `<table>_on(day)` functions below, plain SQL
-- that PostgreSQL inlines into the calling query, plan like the tables themselves.
--
-- Versions are written by AFTER ... FOR EACH STATEMENT triggers with transition tables: one
-- set-based pass per statement (the registry import changes thousands of rows in one UPDATE),
-- not one trigger call per row. One trigger function serves every table; its arguments name
-- the table's key columns and the columns it versions.
--
-- Dates: the first version of a row is valid from '-infinity' (when a row began is not known;
-- demo data and tests that insert rows "today" and compute past days keep working). A later
-- change (update, deactivation, delete) is valid from the effective day: the setting
-- `presswatch.as_of` if set (the registry import sets it with SET LOCAL), else today in
-- Asia/Tashkent. Several changes of a row on one day keep one version for that day, the last.
-- A change effective before the row's latest version is refused (history is not rewritten).
--
-- Versioned: the registry's columns, and the platform facts the rules read: an account's
-- verified flag and type (R1). The daily fetch dates what it reads with the run's day (it
-- sets `presswatch.as_of` to the day and `presswatch.as_of_late` to 'later'): a run for a day
-- before a version already recorded (a manual rerun of an old day; backfills read no facts)
-- records its change from today instead, or from that version's day if it is later, so what a
-- past day saw is never rewritten. Not versioned: followers (no rule reads them, and a
-- counter that changes daily would add a version per account per day), external ids and the
-- fetch state; the *_on(day) functions give those as they are now.
--
-- A later migration that adds a column to one of these tables must CREATE OR REPLACE its
-- *_on function (it returns the table's row type); test_registry_history checks that each
-- function gives today's rows exactly.
-- depends: 0013.drop_alias_prefix_indexes

CREATE FUNCTION registry_effective_day() RETURNS date
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(nullif(current_setting('presswatch.as_of', true), '')::date,
                    (now() AT TIME ZONE 'Asia/Tashkent')::date)
$$;

-- TG_ARGV[0]: the key columns, comma-separated; TG_ARGV[1]: the versioned columns.
CREATE FUNCTION registry_history_record() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    history    text := quote_ident(TG_TABLE_NAME || '_history');
    keys       text[] := string_to_array(TG_ARGV[0], ',');
    versioned  text[] := string_to_array(TG_ARGV[1], ',');
    effective  date := registry_effective_day();
    columns    text;
    key_match  text;
    changes    text;  -- the rows whose version changes: key, versioned columns, gone
    late       text;
    found_any  boolean;
BEGIN
    SELECT string_agg(quote_ident(c), ', ') INTO columns FROM unnest(keys || versioned) AS c;
    SELECT string_agg(format('h.%1$I = c.%1$I', k), ' AND ') INTO key_match FROM unnest(keys) AS k;

    IF TG_OP = 'INSERT' THEN
        -- A key seen before (deleted, then inserted again) is a change; see below.
        changes := format(
            'SELECT %1$s, false AS gone FROM new_rows AS c'
            ' WHERE EXISTS (SELECT 1 FROM %2$s AS h WHERE %3$s)', columns, history, key_match);
    ELSIF TG_OP = 'UPDATE' THEN
        changes := format(
            'SELECT %1$s, false AS gone FROM new_rows AS c JOIN old_rows AS o ON %2$s'
            ' WHERE (%3$s) IS DISTINCT FROM (%4$s)',
            (SELECT string_agg('c.' || quote_ident(x), ', ') FROM unnest(keys || versioned) AS x),
            (SELECT string_agg(format('o.%1$I = c.%1$I', k), ' AND ') FROM unnest(keys) AS k),
            (SELECT 'ROW(' || string_agg('o.' || quote_ident(v), ', ') || ')'
               FROM unnest(versioned) AS v),
            (SELECT 'ROW(' || string_agg('c.' || quote_ident(v), ', ') || ')'
               FROM unnest(versioned) AS v));
    ELSE
        changes := format('SELECT %1$s, true AS gone FROM old_rows AS c', columns);
    END IF;

    EXECUTE format('SELECT EXISTS (%s)', changes) INTO found_any;
    IF found_any THEN
        EXECUTE format(
            'SELECT max(h.valid_from)::text FROM %1$s AS h'
            ' JOIN (%2$s) AS c ON %3$s WHERE h.valid_from > $1 OR h.valid_to > $1',
            history, changes, key_match) INTO late USING effective;
        IF late IS NOT NULL AND current_setting('presswatch.as_of_late', true) = 'later' THEN
            effective := greatest((now() AT TIME ZONE 'Asia/Tashkent')::date, late::date);
        ELSIF late IS NOT NULL THEN
            RAISE EXCEPTION 'registry change of % effective % is before a version already '
                            'recorded (from %); history is not rewritten',
                            TG_TABLE_NAME, effective, late
                  USING ERRCODE = 'check_violation';
        END IF;
        -- The day's version, if the row changed earlier today, gives way to this one.
        EXECUTE format('DELETE FROM %1$s AS h USING (%2$s) AS c WHERE %3$s AND h.valid_from = $1',
                       history, changes, key_match) USING effective;
        EXECUTE format('UPDATE %1$s AS h SET valid_to = $1 FROM (%2$s) AS c'
                       ' WHERE %3$s AND h.valid_to IS NULL', history, changes, key_match)
                USING effective;
        EXECUTE format('INSERT INTO %1$s (%2$s, valid_from)'
                       ' SELECT %2$s, $1 FROM (%3$s) AS c WHERE NOT c.gone',
                       history, columns, changes) USING effective;
    END IF;

    IF TG_OP = 'INSERT' THEN
        -- A key never seen: its first version, valid since always.
        EXECUTE format('INSERT INTO %1$s (%2$s, valid_from)'
                       ' SELECT %2$s, ''-infinity'' FROM new_rows AS c'
                       ' WHERE NOT EXISTS (SELECT 1 FROM %1$s AS h WHERE %3$s)',
                       history, columns, key_match);
    END IF;
    RETURN NULL;
END
$$;

-- The history tables: key, versioned columns, validity.

CREATE TABLE institution_history (
    id                  bigint NOT NULL,
    code                text NOT NULL,
    kind                text NOT NULL,
    parent_id           bigint,
    region_code         text NOT NULL,
    name_uz_latn        text NOT NULL,
    name_uz_cyrl        text NOT NULL,
    name_ru             text NOT NULL,
    name_en             text NOT NULL,
    website             text,
    preferred_language  text NOT NULL,
    active              boolean NOT NULL,
    valid_from          date NOT NULL,
    valid_to            date CHECK (valid_to > valid_from),
    PRIMARY KEY (id, valid_from)
);

CREATE TABLE official_history (
    id              bigint NOT NULL,
    code            text NOT NULL,
    institution_id  bigint NOT NULL,
    role            text NOT NULL,
    full_name       text NOT NULL,
    position_title  text NOT NULL,
    email           text NOT NULL,
    active          boolean NOT NULL,
    valid_from      date NOT NULL,
    valid_to        date CHECK (valid_to > valid_from),
    PRIMARY KEY (id, valid_from)
);
CREATE INDEX official_history_institution_idx ON official_history (institution_id);

CREATE TABLE social_account_history (
    id                    bigint NOT NULL,
    institution_id        bigint NOT NULL,
    official_id           bigint,
    platform              text NOT NULL,
    handle                text NOT NULL,
    active                boolean NOT NULL,
    verified_by_registry  boolean,
    verified              boolean,
    verified_type         text,
    valid_from            date NOT NULL,
    valid_to              date CHECK (valid_to > valid_from),
    PRIMARY KEY (id, valid_from)
);
CREATE INDEX social_account_history_institution_idx ON social_account_history (institution_id);
CREATE INDEX social_account_history_official_idx ON social_account_history (official_id);

CREATE TABLE wikipedia_page_history (
    institution_id  bigint NOT NULL,
    lang            text NOT NULL,
    title           text NOT NULL,
    valid_from      date NOT NULL,
    valid_to        date CHECK (valid_to > valid_from),
    PRIMARY KEY (institution_id, lang, valid_from)
);

CREATE TABLE mobile_app_history (
    institution_id        bigint NOT NULL,
    os                    text NOT NULL,
    store_url             text NOT NULL,
    open_data_integrated  boolean NOT NULL,
    valid_from            date NOT NULL,
    valid_to              date CHECK (valid_to > valid_from),
    PRIMARY KEY (institution_id, os, valid_from)
);

CREATE TABLE media_pool_member_history (
    id              bigint NOT NULL,
    institution_id  bigint NOT NULL,
    full_name       text NOT NULL,
    member_type     text NOT NULL,
    outlet          text,
    joined_on       date NOT NULL,
    left_on         date,
    valid_from      date NOT NULL,
    valid_to        date CHECK (valid_to > valid_from),
    PRIMARY KEY (id, valid_from)
);
CREATE INDEX media_pool_member_history_institution_idx
    ON media_pool_member_history (institution_id);

CREATE TABLE public_council_member_history (
    id              bigint NOT NULL,
    institution_id  bigint NOT NULL,
    full_name       text NOT NULL,
    member_type     text NOT NULL,
    joined_on       date NOT NULL,
    left_on         date,
    valid_from      date NOT NULL,
    valid_to        date CHECK (valid_to > valid_from),
    PRIMARY KEY (id, valid_from)
);
CREATE INDEX public_council_member_history_institution_idx
    ON public_council_member_history (institution_id);

-- The rows there are now: their first version, valid since always.

INSERT INTO institution_history
SELECT id, code, kind, parent_id, region_code, name_uz_latn, name_uz_cyrl, name_ru, name_en,
       website, preferred_language, active, '-infinity', NULL
  FROM institution;
INSERT INTO official_history
SELECT id, code, institution_id, role, full_name, position_title, email, active, '-infinity',
       NULL
  FROM official;
INSERT INTO social_account_history
SELECT id, institution_id, official_id, platform, handle, active, verified_by_registry,
       verified, verified_type, '-infinity', NULL
  FROM social_account;
INSERT INTO wikipedia_page_history
SELECT institution_id, lang, title, '-infinity', NULL FROM wikipedia_page;
INSERT INTO mobile_app_history
SELECT institution_id, os, store_url, open_data_integrated, '-infinity', NULL FROM mobile_app;
INSERT INTO media_pool_member_history
SELECT id, institution_id, full_name, member_type, outlet, joined_on, left_on, '-infinity', NULL
  FROM media_pool_member;
INSERT INTO public_council_member_history
SELECT id, institution_id, full_name, member_type, joined_on, left_on, '-infinity', NULL
  FROM public_council_member;

-- The triggers: three per table (a trigger with transition tables has one event), each
-- naming the table's key columns and the columns it versions.

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('institution', 'id',
         'code,kind,parent_id,region_code,name_uz_latn,name_uz_cyrl,name_ru,name_en,website,'
         'preferred_language,active'),
        ('official', 'id', 'code,institution_id,role,full_name,position_title,email,active'),
        ('social_account', 'id',
         'institution_id,official_id,platform,handle,active,verified_by_registry,verified,'
         'verified_type'),
        ('wikipedia_page', 'institution_id,lang', 'title'),
        ('mobile_app', 'institution_id,os', 'store_url,open_data_integrated'),
        ('media_pool_member', 'id', 'institution_id,full_name,member_type,outlet,joined_on,left_on'),
        ('public_council_member', 'id', 'institution_id,full_name,member_type,joined_on,left_on')
    ) AS v (tab, keys, versioned) LOOP
        EXECUTE format('CREATE TRIGGER %1$I AFTER INSERT ON %2$I REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION registry_history_record(%3$L, %4$L)',
                       t.tab || '_history_insert', t.tab, t.keys, t.versioned);
        EXECUTE format('CREATE TRIGGER %1$I AFTER UPDATE ON %2$I'
                       ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION registry_history_record(%3$L, %4$L)',
                       t.tab || '_history_update', t.tab, t.keys, t.versioned);
        EXECUTE format('CREATE TRIGGER %1$I AFTER DELETE ON %2$I REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION registry_history_record(%3$L, %4$L)',
                       t.tab || '_history_delete', t.tab, t.keys, t.versioned);
    END LOOP;
END
$$;

-- The rows as they were on a day (a local calendar day), in the table's own row type: the
-- versioned columns from the version valid that day, the others (platform facts, timestamps)
-- as they are now (NULL for a row deleted since). Plain SQL, STABLE, not STRICT: inlined into
-- the calling query, so filters and joins on it reach the history tables' indexes.

CREATE FUNCTION institution_on(day date) RETURNS SETOF institution
LANGUAGE sql STABLE
AS $$
    SELECT h.id, h.code, h.kind, h.parent_id, h.region_code, h.name_uz_latn, h.name_uz_cyrl,
           h.name_ru, h.name_en, h.website, h.preferred_language, h.active, t.created_at,
           t.updated_at
      FROM institution_history AS h
      LEFT JOIN institution AS t ON t.id = h.id
     WHERE h.valid_from <= day AND (h.valid_to IS NULL OR h.valid_to > day)
$$;

CREATE FUNCTION official_on(day date) RETURNS SETOF official
LANGUAGE sql STABLE
AS $$
    SELECT h.id, h.code, h.institution_id, h.role, h.full_name, h.position_title, h.email,
           h.active, t.created_at, t.updated_at
      FROM official_history AS h
      LEFT JOIN official AS t ON t.id = h.id
     WHERE h.valid_from <= day AND (h.valid_to IS NULL OR h.valid_to > day)
$$;

CREATE FUNCTION social_account_on(day date) RETURNS SETOF social_account
LANGUAGE sql STABLE
AS $$
    SELECT h.id, h.institution_id, h.official_id, h.platform, h.handle, t.external_id, h.active,
           h.verified, h.verified_type, t.followers, t.facts_checked_at, t.last_post_at,
           t.last_post_id, t.last_fetch_at, t.last_fetch_error, t.created_at, t.updated_at,
           t.covered_from, t.covered_until, h.verified_by_registry
      FROM social_account_history AS h
      LEFT JOIN social_account AS t ON t.id = h.id
     WHERE h.valid_from <= day AND (h.valid_to IS NULL OR h.valid_to > day)
$$;

CREATE FUNCTION wikipedia_page_on(day date) RETURNS SETOF wikipedia_page
LANGUAGE sql STABLE
AS $$
    SELECT h.institution_id, h.lang, h.title, t.updated_at
      FROM wikipedia_page_history AS h
      LEFT JOIN wikipedia_page AS t ON t.institution_id = h.institution_id AND t.lang = h.lang
     WHERE h.valid_from <= day AND (h.valid_to IS NULL OR h.valid_to > day)
$$;

CREATE FUNCTION mobile_app_on(day date) RETURNS SETOF mobile_app
LANGUAGE sql STABLE
AS $$
    SELECT h.institution_id, h.os, h.store_url, h.open_data_integrated, t.updated_at
      FROM mobile_app_history AS h
      LEFT JOIN mobile_app AS t ON t.institution_id = h.institution_id AND t.os = h.os
     WHERE h.valid_from <= day AND (h.valid_to IS NULL OR h.valid_to > day)
$$;

CREATE FUNCTION media_pool_member_on(day date) RETURNS SETOF media_pool_member
LANGUAGE sql STABLE
AS $$
    SELECT h.id, h.institution_id, h.full_name, h.member_type, h.outlet, h.joined_on, h.left_on,
           t.updated_at
      FROM media_pool_member_history AS h
      LEFT JOIN media_pool_member AS t ON t.id = h.id
     WHERE h.valid_from <= day AND (h.valid_to IS NULL OR h.valid_to > day)
$$;

CREATE FUNCTION public_council_member_on(day date) RETURNS SETOF public_council_member
LANGUAGE sql STABLE
AS $$
    SELECT h.id, h.institution_id, h.full_name, h.member_type, h.joined_on, h.left_on,
           t.updated_at
      FROM public_council_member_history AS h
      LEFT JOIN public_council_member AS t ON t.id = h.id
     WHERE h.valid_from <= day AND (h.valid_to IS NULL OR h.valid_to > day)
$$;
