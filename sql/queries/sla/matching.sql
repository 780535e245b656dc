-- Matching stories to institutions and scoring their criticality (R3), run by
-- presswatch.sla.matching in the caller's transaction. Everything is set-based: a text's words
-- become keys once (presswatch_match_keys, migration 0010), and a phrase (an alias, a lexicon
-- term) is found where its keys stand next to each other in a story's keys, by joining the
-- story's words to the phrases on one key and comparing the slice around it.
--
-- An alias is joined on its anchor: the two adjacent keys of it that fewest aliases share
-- ("образования Юнусабадского" in "Отдел дошкольного образования Юнусабадского района", of
-- which a region has a hundred departments and Uzbekistan two hundred such), so that a word
-- meets few aliases and most meetings are matches; a one-word alias on its key. A term is
-- joined on its first key (terms are short). Only the story words equal to an anchor's first
-- key or a term's first key are ever looked at.
--
-- Positions: keys_plain, keys_stem and the whole words of a text have one element per word,
-- in order, so a phrase found at words first_pos..last_pos is at the same place in all three.
-- A story is found in both ways, 'plain' (keys) and 'stem' (Russian words by their Snowball
-- stem first); a phrase matches when either way matches.

-- name: lock
-- One matching run at a time (the hourly run and an operator's rematch), so that two runs never
-- decide about the same story at once.
SELECT pg_advisory_xact_lock(hashtext('presswatch.story_matching'));

-- name: temp_tables
DROP TABLE IF EXISTS pg_temp.match_story, pg_temp.match_word, pg_temp.match_term,
                     pg_temp.match_hit, pg_temp.match_alias, pg_temp.match_join_key;
-- The stories of this run, with their keys; words (whole) only where a check needs them.
-- toast_tuple_target: the keys, read once per word found, stay uncompressed in the row.
CREATE TEMP TABLE match_story (
    story_id     bigint PRIMARY KEY,
    language     text,
    lang_group   text,  -- uz (either script), ru, en; NULL: unknown, every term applies
    match_text   text,
    keys_plain   text[],
    keys_stem    text[],
    stems_differ boolean,  -- a Cyrillic word was stemmed: the stem way can find more
    words        text[]
) WITH (toast_tuple_target = 8160) ON COMMIT DROP;
-- The active aliases of active institutions, in each way, with their anchor: the two
-- adjacent keys (one for a one-word alias) that fewest aliases share, and how many keys stand
-- before them in the alias.
CREATE TEMP TABLE match_alias (
    alias_id        bigint NOT NULL,
    institution_id  bigint NOT NULL,
    way             text NOT NULL,  -- plain, stem
    keys            text[] NOT NULL,
    anchor_key      text NOT NULL,
    anchor_next     text,  -- NULL for a one-word alias
    anchor_offset   integer NOT NULL,
    PRIMARY KEY (alias_id, way)
) ON COMMIT DROP;
-- The keys a story word is joined on, in either way: the aliases' anchors, the terms' first
-- keys. A word equal to none of them can be part of no phrase found, and is left out.
CREATE TEMP TABLE match_join_key (
    key  text PRIMARY KEY
) ON COMMIT DROP;
-- One row per story word that is a join key (match_join_key), with the key after it.
CREATE TEMP TABLE match_word (
    story_id     bigint NOT NULL,
    pos          integer NOT NULL,
    lang_group   text,
    plain_key    text NOT NULL,
    next_plain   text,
    stem_key     text,  -- NULL unless the story's stems differ
    next_stem    text
) ON COMMIT DROP;
-- The lexicon, loaded for the run.
CREATE TEMP TABLE match_term (
    term_id      integer PRIMARY KEY,
    term         text NOT NULL,  -- as written, with its trailing * if it has one
    language     text NOT NULL,
    category     text NOT NULL,
    weight       numeric(7, 2) NOT NULL,
    prefix       boolean NOT NULL,
    place        text NOT NULL,  -- where it is in the lexicon file, for messages
    lang_group   text,
    keys_plain   text[],
    keys_stem    text[],
    prefix_word  text            -- the last word, whole, for a * term
) ON COMMIT DROP;
-- Where each alias and term was found; whole_words / prefix_word: what is still to check
-- against the story's whole words (a handle is matched whole; a * term's last word by prefix).
CREATE TEMP TABLE match_hit (
    story_id        bigint NOT NULL,
    alias_id        bigint,
    institution_id  bigint,
    term_id         integer,
    first_pos       integer NOT NULL,
    last_pos        integer NOT NULL,
    whole_words     text[],
    prefix_word     text,
    CHECK ((alias_id IS NULL) <> (term_id IS NULL))
) ON COMMIT DROP;

-- name: pick_unmatched
INSERT INTO match_story (story_id)
SELECT s.id FROM story AS s WHERE s.matched_at IS NULL;

-- name: pick_given
INSERT INTO match_story (story_id)
SELECT s.id FROM story AS s WHERE s.id = ANY (%(story_ids)s::bigint[]);

-- name: missing_given
SELECT given.id
  FROM unnest(%(story_ids)s::bigint[]) AS given (id)
 WHERE NOT EXISTS (SELECT 1 FROM match_story AS m WHERE m.story_id = given.id)
 ORDER BY given.id;

-- name: story_keys
-- What is matched: the title, the summary and the first match_chars characters of the text.
-- A text without Cyrillic has the same keys in both ways (only Cyrillic words are stemmed),
-- so the stemmer runs only where it can change something. MATERIALIZED: each text's keys are
-- computed once, however often the statement refers to them.
-- Stories ingested since migration 0010 bring their keys (presswatch.sla.keys computes them
-- as they arrive, the same as presswatch_match_keys, much faster on long texts); the function
-- computes those of any other.
WITH texts AS MATERIALIZED (
    SELECT s.id AS story_id, s.language, s.keys_plain, s.keys_stem,
           s.title || ' ' || coalesce(s.summary, '') || ' '
           || left(coalesce(s.body, ''), %(match_chars)s::int) AS match_text
      FROM story AS s
      JOIN match_story AS m ON m.story_id = s.id
),
keyed AS MATERIALIZED (
    SELECT story_id, language, match_text,
           coalesce(keys_plain, presswatch_match_keys(match_text, 'plain')) AS plain,
           CASE WHEN keys_stem IS NOT NULL THEN keys_stem
                WHEN lower(match_text) ~ '[а-яёўқғҳ]'
                THEN presswatch_match_keys(match_text, 'stem') END AS stem
      FROM texts
)
UPDATE match_story AS m
   SET language = k.language,
       lang_group = CASE WHEN k.language IN ('uz-Latn', 'uz-Cyrl') THEN 'uz'
                         WHEN k.language IN ('ru', 'en') THEN k.language END,
       match_text = k.match_text,
       -- [1:]: a copy, not the story's stored (compressed) value: the keys are read once per
       -- word below, and match_story keeps them uncompressed (its toast_tuple_target).
       keys_plain = k.plain[1:],
       -- The two ways have a key per word; were a stem ever to vanish, the plain keys stand in
       -- rather than shift every position after it.
       keys_stem = CASE WHEN cardinality(k.stem) = cardinality(k.plain) THEN k.stem[1:]
                        ELSE k.plain[1:] END,
       stems_differ = cardinality(k.stem) = cardinality(k.plain) AND k.stem <> k.plain
  FROM keyed AS k
 WHERE k.story_id = m.story_id;

-- name: alias_anchors
-- The anchor of an alias is its rarest pair of adjacent keys among all aliases (in its way),
-- the earlier on a tie.
WITH alias AS (
    SELECT a.id, a.institution_id, ways.way, ways.keys
      FROM institution_alias AS a
      JOIN institution AS i ON i.id = a.institution_id AND i.active
     CROSS JOIN LATERAL (VALUES ('plain', a.keys_plain), ('stem', a.keys_stem)) AS ways (way, keys)
     WHERE a.active AND cardinality(ways.keys) > 0
),
pairs AS MATERIALIZED (
    SELECT a.id, a.way, u.key, u.next, coalesce(u.next, '') AS next_or_none, u.pos
      FROM alias AS a
     CROSS JOIN LATERAL unnest(a.keys, a.keys[2:]) WITH ORDINALITY AS u (key, next, pos)
     WHERE u.key IS NOT NULL AND (u.next IS NOT NULL OR cardinality(a.keys) = 1)
),
shared AS (
    SELECT way, key, next_or_none, count(*) AS aliases FROM pairs GROUP BY 1, 2, 3
),
anchor AS (
    SELECT DISTINCT ON (p.id, p.way) p.id, p.way, p.key, p.next, p.pos
      FROM pairs AS p
      JOIN shared AS sh
        ON sh.way = p.way AND sh.key = p.key AND sh.next_or_none = p.next_or_none
     ORDER BY p.id, p.way, sh.aliases, p.pos
)
INSERT INTO match_alias (alias_id, institution_id, way, keys, anchor_key, anchor_next,
                         anchor_offset)
SELECT a.id, a.institution_id, a.way, a.keys, an.key, an.next, an.pos - 1
  FROM alias AS a
  JOIN anchor AS an ON an.id = a.id AND an.way = a.way;

-- name: join_keys
-- After the lexicon is loaded (term_keys) and the anchors chosen (alias_anchors).
INSERT INTO match_join_key (key)
SELECT anchor_key FROM match_alias
 UNION
SELECT keys_plain[1] FROM match_term WHERE cardinality(keys_plain) > 0
 UNION
SELECT keys_stem[1] FROM match_term WHERE cardinality(keys_stem) > 0;
ANALYZE match_alias;
ANALYZE match_join_key;

-- name: story_words
-- Each array is read once (unnest of several arrays walks them side by side), not once per
-- word. A story whose stems are its plain keys (no Cyrillic word the stemmer changed) has
-- nothing to find the stem way: its stem keys stay NULL, which no join key equals.
INSERT INTO match_word (story_id, pos, lang_group, plain_key, next_plain, stem_key, next_stem)
SELECT w.story_id, w.pos, w.lang_group, w.plain_key, w.next_plain, w.stem_key, w.next_stem
  FROM (SELECT m.story_id, u.pos, m.lang_group, u.plain_key, u.next_plain,
               CASE WHEN m.stems_differ IS TRUE THEN u.stem_key END AS stem_key,
               CASE WHEN m.stems_differ IS TRUE THEN u.next_stem END AS next_stem
          FROM match_story AS m
         CROSS JOIN LATERAL unnest(m.keys_plain, m.keys_plain[2:], m.keys_stem, m.keys_stem[2:])
               WITH ORDINALITY AS u (plain_key, next_plain, stem_key, next_stem, pos)
         WHERE u.plain_key IS NOT NULL) AS w
 WHERE EXISTS (SELECT 1 FROM match_join_key AS k WHERE k.key = w.plain_key)
    OR EXISTS (SELECT 1 FROM match_join_key AS k WHERE k.key = w.stem_key);

-- name: analyze
-- Temporary tables have no statistics until analysed: without them the planner pairs every
-- story with every term or alias before it looks at a key.
ANALYZE match_story;
ANALYZE match_word;

-- name: analyze_terms
ANALYZE match_term;

-- name: term_keys
WITH keyed AS MATERIALIZED (
    SELECT term_id,
           presswatch_match_keys(term, 'plain') AS plain,
           presswatch_match_keys(term, 'stem') AS stem,
           presswatch_match_keys(term, 'word') AS words
      FROM match_term
)
UPDATE match_term AS t
   SET lang_group = CASE WHEN t.language IN ('uz-Latn', 'uz-Cyrl') THEN 'uz' ELSE t.language END,
       keys_plain = k.plain,
       keys_stem = CASE WHEN cardinality(k.stem) = cardinality(k.plain) THEN k.stem
                        ELSE k.plain END,
       prefix_word = CASE WHEN t.prefix THEN k.words[cardinality(k.words)] END
  FROM keyed AS k
 WHERE k.term_id = t.term_id;

-- name: bad_terms
-- A one-word * term is joined on its key, so it must be a whole key (6 letters) long.
SELECT place, term,
       CASE WHEN cardinality(keys_plain) = 0 THEN 'has no letters or digits to match'
            WHEN cardinality(keys_plain) = 1 AND length(prefix_word) < 6
                 THEN 'a one-word * term needs at least 6 letters before the *'
            ELSE 'a * word needs at least 3 letters' END AS problem
  FROM match_term
 WHERE cardinality(keys_plain) = 0
    OR (prefix AND cardinality(keys_plain) = 1 AND length(prefix_word) < 6)
    OR (prefix AND length(prefix_word) < 3)
 ORDER BY term_id;

-- name: alias_hits
-- A word and the next equal to an alias's anchor, in the same way, are a match when the
-- alias's keys stand around them in the story. Only the active aliases of active institutions
-- (match_alias), whatever `codes` says: every institution's names count when a shorter name
-- inside a longer one is put aside and when terms inside names are.
INSERT INTO match_hit (story_id, alias_id, institution_id, first_pos, last_pos, whole_words)
SELECT found.story_id, found.alias_id, a.institution_id, found.first_pos,
       found.first_pos + cardinality(a.keys_plain) - 1,
       CASE WHEN a.kind = 'handle' THEN presswatch_match_keys(a.alias, 'word') END
  FROM (
        -- one-word aliases
        SELECT w.story_id, ma.alias_id, w.pos AS first_pos
          FROM match_word AS w
          JOIN match_alias AS ma
            ON ma.way = 'plain' AND ma.anchor_next IS NULL AND ma.anchor_key = w.plain_key
        UNION
        SELECT w.story_id, ma.alias_id, w.pos
          FROM match_word AS w
          JOIN match_alias AS ma
            ON ma.way = 'stem' AND ma.anchor_next IS NULL AND ma.anchor_key = w.stem_key
        -- longer aliases
        UNION
        SELECT w.story_id, ma.alias_id, w.pos - ma.anchor_offset
          FROM match_word AS w
          JOIN match_alias AS ma
            ON ma.way = 'plain' AND ma.anchor_key = w.plain_key AND ma.anchor_next = w.next_plain
          JOIN match_story AS m ON m.story_id = w.story_id
         WHERE w.pos > ma.anchor_offset
           AND (cardinality(ma.keys) = 2
                OR m.keys_plain[w.pos - ma.anchor_offset
                                : w.pos - ma.anchor_offset + cardinality(ma.keys) - 1] = ma.keys)
        UNION
        SELECT w.story_id, ma.alias_id, w.pos - ma.anchor_offset
          FROM match_word AS w
          JOIN match_alias AS ma
            ON ma.way = 'stem' AND ma.anchor_key = w.stem_key AND ma.anchor_next = w.next_stem
          JOIN match_story AS m ON m.story_id = w.story_id
         WHERE w.pos > ma.anchor_offset
           AND (cardinality(ma.keys) = 2
                OR m.keys_stem[w.pos - ma.anchor_offset
                               : w.pos - ma.anchor_offset + cardinality(ma.keys) - 1] = ma.keys)
       ) AS found
  JOIN institution_alias AS a ON a.id = found.alias_id;

-- name: term_hits
-- A term applies to stories of its language (Uzbek terms in either script), every term to a
-- story of unknown language. A * term compares its last word by the first letters of its key
-- here; the whole-word prefix is checked by check_whole_words.
INSERT INTO match_hit (story_id, term_id, first_pos, last_pos, prefix_word)
SELECT found.story_id, found.term_id, found.pos, found.pos + cardinality(t.keys_plain) - 1,
       t.prefix_word
  FROM (
        SELECT w.story_id, t.term_id, w.pos
          FROM match_word AS w
          JOIN match_term AS t
            ON t.keys_plain[1] = w.plain_key
           AND (w.lang_group IS NULL OR t.lang_group = w.lang_group)
          JOIN match_story AS m ON m.story_id = w.story_id
         WHERE CASE WHEN cardinality(t.keys_plain) = 1
                    THEN NOT t.prefix OR starts_with(w.plain_key, t.keys_plain[1])
                    WHEN t.prefix
                    THEN m.keys_plain[w.pos : w.pos + cardinality(t.keys_plain) - 2]
                             = t.keys_plain[1 : cardinality(t.keys_plain) - 1]
                         AND starts_with(m.keys_plain[w.pos + cardinality(t.keys_plain) - 1],
                                         t.keys_plain[cardinality(t.keys_plain)])
                    ELSE m.keys_plain[w.pos : w.pos + cardinality(t.keys_plain) - 1]
                             = t.keys_plain END
        UNION
        SELECT w.story_id, t.term_id, w.pos
          FROM match_word AS w
          JOIN match_term AS t
            ON NOT t.prefix AND t.keys_stem[1] = w.stem_key
           AND (w.lang_group IS NULL OR t.lang_group = w.lang_group)
          JOIN match_story AS m ON m.story_id = w.story_id
         WHERE cardinality(t.keys_stem) = 1
            OR m.keys_stem[w.pos : w.pos + cardinality(t.keys_stem) - 1] = t.keys_stem
       ) AS found
  JOIN match_term AS t ON t.term_id = found.term_id;

-- name: story_whole_words
UPDATE match_story AS m
   SET words = coalesce((SELECT s.keys_word FROM story AS s WHERE s.id = m.story_id),
                        presswatch_match_keys(m.match_text, 'word'))
 WHERE EXISTS (SELECT 1 FROM match_hit AS h
                WHERE h.story_id = m.story_id
                  AND (h.whole_words IS NOT NULL OR h.prefix_word IS NOT NULL));

-- name: check_whole_words
DELETE FROM match_hit AS h
 USING match_story AS m
 WHERE m.story_id = h.story_id
   AND (h.whole_words IS NOT NULL OR h.prefix_word IS NOT NULL)
   AND ((h.whole_words IS NULL OR m.words[h.first_pos : h.last_pos] = h.whole_words)
        AND (h.prefix_word IS NULL OR starts_with(m.words[h.last_pos], h.prefix_word)))
       IS NOT TRUE;

-- name: drop_names_inside_longer_names
-- "Toshkent shahar hokimligi" inside "Toshkent shahar hokimligi huzuridagi Transport bosh
-- boshqarmasi" is the department's name, not a mention of the city administration.
DELETE FROM match_hit AS inner_hit
 USING match_hit AS outer_hit
 WHERE inner_hit.alias_id IS NOT NULL AND outer_hit.alias_id IS NOT NULL
   AND outer_hit.story_id = inner_hit.story_id
   AND outer_hit.institution_id <> inner_hit.institution_id
   AND outer_hit.first_pos <= inner_hit.first_pos AND outer_hit.last_pos >= inner_hit.last_pos
   AND outer_hit.last_pos - outer_hit.first_pos > inner_hit.last_pos - inner_hit.first_pos;

-- name: drop_terms_inside_names
-- The Anti-Corruption Agency's name says nothing about the story.
DELETE FROM match_hit AS term_hit
 USING match_hit AS name_hit
 WHERE term_hit.term_id IS NOT NULL AND name_hit.alias_id IS NOT NULL
   AND name_hit.story_id = term_hit.story_id
   AND term_hit.first_pos <= name_hit.last_pos AND term_hit.last_pos >= name_hit.first_pos;

-- name: drop_terms_inside_longer_terms
-- Where terms overlap, the longest counts (elektr uzilishi, not also uzilish). In a story's
-- term hits ordered by start (the longer first at one start), a hit lies inside a longer one
-- when an earlier hit of another place reaches as far as it does: one sort and a running
-- maximum, not a join of every pair of a story's hits (a text that repeats a complaint word
-- has hundreds). Hits of the same place (pora and пора) are peers and do not remove each other.
DELETE FROM match_hit AS h
 USING (SELECT ctid AS row_id,
               max(last_pos) OVER (PARTITION BY story_id ORDER BY first_pos, last_pos DESC
                                   GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   AS earlier_reach
          FROM match_hit
         WHERE term_id IS NOT NULL) AS c
 WHERE h.ctid = c.row_id AND c.earlier_reach >= h.last_pos;

-- name: write_matches
-- One row per (story, institution), naming its longest alias found (then one in the story's
-- language, then the names before short names, extra aliases and handles). Rows of other
-- methods (the portal's feed_tag, an operator's manual) are left as they are.
WITH best AS (
    SELECT DISTINCT ON (h.story_id, h.institution_id) h.story_id, h.institution_id, a.alias
      FROM match_hit AS h
      JOIN match_story AS m ON m.story_id = h.story_id
      JOIN institution_alias AS a ON a.id = h.alias_id
      JOIN institution AS i ON i.id = h.institution_id
     WHERE %(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[])
     ORDER BY h.story_id, h.institution_id, h.last_pos - h.first_pos DESC,
              coalesce(a.language = m.language, false) DESC,
              array_position(ARRAY['name', 'short_name', 'extra', 'handle'], a.kind), a.alias
)
INSERT INTO story_institution (story_id, institution_id, match_method, matched_alias)
SELECT story_id, institution_id, 'alias', alias FROM best
    ON CONFLICT (story_id, institution_id) DO UPDATE
   SET matched_alias = excluded.matched_alias
 WHERE story_institution.match_method = 'alias'
   AND story_institution.matched_alias IS DISTINCT FROM excluded.matched_alias
RETURNING (xmax = 0) AS inserted;

-- name: remove_stale_matches
-- An alias match the story no longer gives (an alias removed, an institution closed, a text
-- re-read) is removed, unless its clock has opened or a response is recorded: the SLA's
-- history is not rewritten; those are counted as kept.
WITH stale AS (
    SELECT si.story_id, si.institution_id,
           EXISTS (SELECT 1 FROM story_sla AS c
                    WHERE c.story_id = si.story_id AND c.institution_id = si.institution_id)
           OR EXISTS (SELECT 1 FROM story_response AS r
                       WHERE r.story_id = si.story_id AND r.institution_id = si.institution_id)
               AS has_history
      FROM story_institution AS si
      JOIN match_story AS m ON m.story_id = si.story_id
      JOIN institution AS i ON i.id = si.institution_id
     WHERE si.match_method = 'alias'
       AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
       AND NOT EXISTS (SELECT 1 FROM match_hit AS h
                        WHERE h.story_id = si.story_id AND h.institution_id = si.institution_id)
),
removed AS (
    DELETE FROM story_institution AS si
     USING stale
     WHERE si.story_id = stale.story_id AND si.institution_id = stale.institution_id
       AND NOT stale.has_history
    RETURNING si.story_id
)
SELECT (SELECT count(*) FROM removed)::int AS removed,
       (SELECT count(*) FROM stale WHERE has_history)::int AS kept_with_history;

-- name: score_and_finish
-- A story's score is the sum of the weights of the distinct terms found: at one place the
-- heaviest term counts, and a term (its keys: pora and пора are one) counts once however often
-- and in however many scripts it is found. The reason names the terms, the heaviest first,
-- each as written in the story's language where the lexicon has it so. An operator's decision
-- wins over the score. matched_at is set by a run over every institution only (with `codes`
-- the stories stay pending for the next full run); it keeps the time of the first match.
WITH at_place AS (
    SELECT DISTINCT ON (h.story_id, h.first_pos, h.last_pos)
           h.story_id, t.term_id, t.term, t.weight, t.keys_plain, t.prefix_word,
           coalesce(t.language = m.language, false) AS in_story_language
      FROM match_hit AS h
      JOIN match_term AS t ON t.term_id = h.term_id
      JOIN match_story AS m ON m.story_id = h.story_id
     ORDER BY h.story_id, h.first_pos, h.last_pos, t.weight DESC,
              coalesce(t.language = m.language, false) DESC, t.term_id
),
per_term AS (
    SELECT DISTINCT ON (story_id, keys_plain, prefix_word) story_id, term, weight
      FROM at_place
     ORDER BY story_id, keys_plain, prefix_word, weight DESC, in_story_language DESC, term_id
),
scores AS (
    SELECT story_id, sum(weight) AS score, array_agg(term ORDER BY weight DESC, term) AS terms
      FROM per_term
     GROUP BY story_id
),
computed AS (
    SELECT m.story_id, m.keys_plain, m.keys_stem,
           coalesce(sc.score, 0)::numeric(7, 2) AS critical_score,
           coalesce(sc.terms, '{}') AS critical_terms,
           CASE s.operator_decision WHEN 'confirmed' THEN true WHEN 'dismissed' THEN false
                ELSE coalesce(sc.score, 0) >= %(threshold)s::numeric END AS is_critical,
           CASE WHEN %(codes)s::text[] IS NULL THEN coalesce(s.matched_at, now())
                ELSE s.matched_at END AS matched_at
      FROM match_story AS m
      JOIN story AS s ON s.id = m.story_id
      LEFT JOIN scores AS sc ON sc.story_id = m.story_id
)
UPDATE story AS s
   SET keys_plain = c.keys_plain, keys_stem = c.keys_stem, critical_score = c.critical_score,
       critical_terms = c.critical_terms, scored_with = %(lexicon_sha256)s::text,
       is_critical = c.is_critical, matched_at = c.matched_at, updated_at = now()
  FROM computed AS c
 WHERE s.id = c.story_id
   AND (s.keys_plain, s.keys_stem, s.critical_score, s.critical_terms, s.scored_with,
        s.is_critical, s.matched_at)
       IS DISTINCT FROM
       (c.keys_plain, c.keys_stem, c.critical_score, c.critical_terms,
        %(lexicon_sha256)s::text, c.is_critical, c.matched_at)
RETURNING s.id;

-- name: batch_summary
SELECT count(*)::int AS stories,
       count(*) FILTER (WHERE s.is_critical)::int AS critical,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM story_institution AS si
                                       WHERE si.story_id = s.id))::int AS with_institution
  FROM match_story AS m
  JOIN story AS s ON s.id = m.story_id;

-- name: stories_first_seen_since
SELECT s.id FROM story AS s
 WHERE s.first_seen_at >= (%(since)s::date)::timestamp AT TIME ZONE %(tz)s::text
 ORDER BY s.id;

-- ---------------------------------------------------------------------------------------
-- Aliases: whether an alias names one institution, the registry's names and handles kept in
-- step, an operator's aliases.

-- name: alias_temp_tables
DROP TABLE IF EXISTS pg_temp.alias_check, pg_temp.generic_word, pg_temp.alias_wanted;
-- Aliases to check (filled by the caller), with their keys and what is wrong, if anything.
-- whole_words: a handle, matched on whole words, is checked on them too (tashkentuz is not
-- the place name Tashkent, though its key is).
CREATE TEMP TABLE alias_check (
    ord          integer PRIMARY KEY,
    alias        text NOT NULL,
    whole_words  boolean NOT NULL DEFAULT false,
    keys_plain   text[],
    keys_stem    text[],
    problem      text
) ON COMMIT DROP;
-- The common words and place names, as keys (whole = false) and as whole words (true).
CREATE TEMP TABLE generic_word (
    unit   text NOT NULL,
    whole  boolean NOT NULL,
    place  boolean NOT NULL,  -- a region's name rather than a word from generic_words.yaml
    PRIMARY KEY (unit, whole)
) ON COMMIT DROP;
CREATE TEMP TABLE alias_wanted (
    ord             integer PRIMARY KEY,
    institution_id  bigint NOT NULL,
    kind            text NOT NULL,
    alias           text NOT NULL,
    language        text,
    UNIQUE (institution_id, kind, alias)
) ON COMMIT DROP;

-- name: generic_words
-- The words of generic_words.yaml, and of the regions' names in their four languages.
INSERT INTO generic_word (unit, whole, place)
SELECT unit, whole, bool_and(place)
  FROM (SELECT u.unit, ways.whole, source.place
          FROM (SELECT g.word AS text, false AS place
                  FROM unnest(%(generic_words)s::text[]) AS g (word)
                UNION ALL
                SELECT concat_ws(' ', r.name_uz_latn, r.name_uz_cyrl, r.name_ru, r.name_en), true
                  FROM region AS r) AS source
         CROSS JOIN (VALUES ('plain', false), ('word', true)) AS ways (way, whole)
         CROSS JOIN LATERAL unnest(presswatch_match_keys(source.text, ways.way)) AS u (unit)
       ) AS units
 GROUP BY unit, whole;

-- name: check_aliases
-- An alias must name one institution: not nothing, not one short word, not one common word
-- or place name alone, not common words only ("Davlat qoʻmitasi").
WITH keyed AS MATERIALIZED (
    SELECT ord, plain, stem,
           CASE WHEN whole_words THEN presswatch_match_keys(alias, 'word') ELSE plain END
               AS units
      FROM (SELECT ord, alias, whole_words,
                   presswatch_match_keys(alias, 'plain') AS plain,
                   presswatch_match_keys(alias, 'stem') AS stem
              FROM alias_check
            OFFSET 0) AS computed  -- OFFSET 0: computed once, not once per use in units
)
UPDATE alias_check AS c
   SET keys_plain = k.plain,
       keys_stem = CASE WHEN cardinality(k.stem) = cardinality(k.plain) THEN k.stem
                        ELSE k.plain END,
       problem = CASE
           WHEN cardinality(k.units) = 0 THEN 'has no letters or digits to match'
           WHEN cardinality(k.units) = 1 AND length(k.units[1]) < 4
               THEN 'is one word of fewer than 4 letters: it would match too many stories'
           WHEN cardinality(k.units) = 1 AND EXISTS (
                    SELECT 1 FROM generic_word AS g
                     WHERE g.unit = k.units[1] AND g.whole = c.whole_words AND g.place)
               THEN 'is a place name alone: it names no one institution'
           WHEN NOT EXISTS (
                    SELECT 1 FROM unnest(k.units) AS a (unit)
                     WHERE NOT EXISTS (SELECT 1 FROM generic_word AS g
                                        WHERE g.unit = a.unit AND g.whole = c.whole_words
                                          AND NOT g.place))
               THEN 'is made of common words only (include/lexicon/generic_words.yaml): '
                    || 'it names no one institution'
       END
  FROM keyed AS k
 WHERE k.ord = c.ord;

-- name: analyze_check
ANALYZE alias_check;

-- name: alias_checked
SELECT ord, problem FROM alias_check ORDER BY ord;

-- name: registry_wanted
-- What the registry says an institution is called: its four names, and its active accounts'
-- handles (lowercase: the platforms' handles are not case-sensitive).
INSERT INTO alias_wanted (ord, institution_id, kind, alias, language)
SELECT row_number() OVER (ORDER BY institution_id, kind, alias), institution_id, kind, alias,
       language
  FROM (SELECT DISTINCT ON (institution_id, kind, alias) institution_id, kind, alias, language
          FROM (SELECT i.id AS institution_id, 'name' AS kind, btrim(n.alias) AS alias,
                       n.language, n.ord
                  FROM institution AS i
                 CROSS JOIN LATERAL (VALUES (1, i.name_uz_latn, 'uz-Latn'),
                                            (2, i.name_uz_cyrl, 'uz-Cyrl'),
                                            (3, i.name_ru, 'ru'),
                                            (4, i.name_en, 'en')) AS n (ord, alias, language)
                UNION ALL
                SELECT a.institution_id, 'handle', lower(a.handle), NULL, 5
                  FROM social_account AS a
                 WHERE a.active) AS named
         ORDER BY institution_id, kind, alias, ord) AS distinct_names;

-- name: analyze_wanted
ANALYZE alias_wanted;

-- name: check_new_wanted
-- Only what is not yet an alias is checked: what is stays (an operator may have switched it
-- off; a check changed since does not remove it).
INSERT INTO alias_check (ord, alias, whole_words)
SELECT w.ord, w.alias, w.kind = 'handle'
  FROM alias_wanted AS w
 WHERE NOT EXISTS (SELECT 1 FROM institution_alias AS a
                    WHERE a.institution_id = w.institution_id AND a.kind = w.kind
                      AND a.alias = w.alias);

-- name: registry_insert
INSERT INTO institution_alias (institution_id, alias, kind, origin, language, keys_plain,
                               keys_stem)
SELECT w.institution_id, w.alias, w.kind, 'registry', w.language, c.keys_plain, c.keys_stem
  FROM alias_wanted AS w
  JOIN alias_check AS c ON c.ord = w.ord
 WHERE c.problem IS NULL
    ON CONFLICT (institution_id, kind, alias) DO NOTHING
RETURNING id;

-- name: registry_update
UPDATE institution_alias AS a
   SET language = w.language
  FROM alias_wanted AS w
 WHERE a.origin = 'registry' AND a.kind IN ('name', 'handle')
   AND a.institution_id = w.institution_id AND a.kind = w.kind AND a.alias = w.alias
   AND a.language IS DISTINCT FROM w.language
RETURNING a.id;

-- name: registry_delete_stale
-- A renamed institution's old name, a closed account's handle.
DELETE FROM institution_alias AS a
 WHERE a.origin = 'registry' AND a.kind IN ('name', 'handle')
   AND NOT EXISTS (SELECT 1 FROM alias_wanted AS w
                    WHERE w.institution_id = a.institution_id AND w.kind = a.kind
                      AND w.alias = a.alias)
RETURNING a.id;

-- name: registry_refused
SELECT i.code, w.kind, w.alias, w.language, c.problem
  FROM alias_wanted AS w
  JOIN alias_check AS c ON c.ord = w.ord
  JOIN institution AS i ON i.id = w.institution_id
 WHERE c.problem IS NOT NULL
 ORDER BY i.code, w.kind, w.alias;

-- name: institution_by_code
SELECT id, code FROM institution WHERE code = %(code)s;

-- name: switch_on_by_text
-- Adding an alias the institution has, switched off (of any kind, a registry name too),
-- switches that one on again.
UPDATE institution_alias
   SET active = true
 WHERE institution_id = %(institution_id)s::bigint AND alias = %(alias)s::text AND NOT active
RETURNING id;

-- name: operator_add
INSERT INTO institution_alias (institution_id, alias, kind, origin, language, keys_plain,
                               keys_stem)
SELECT %(institution_id)s::bigint, c.alias, %(kind)s::text, 'operator', %(language)s::text,
       c.keys_plain, c.keys_stem
  FROM alias_check AS c
 WHERE c.ord = 1
    ON CONFLICT (institution_id, kind, alias) DO NOTHING
RETURNING id;

-- name: alias_by_text
SELECT id, origin, active FROM institution_alias
 WHERE institution_id = %(institution_id)s::bigint AND kind = %(kind)s::text
   AND alias = %(alias)s::text;

-- name: list_aliases
-- What each alias is compared by: its keys, or a handle's whole words.
SELECT a.id, a.kind, a.origin, a.language, a.active, a.alias,
       CASE WHEN a.kind = 'handle' THEN presswatch_match_keys(a.alias, 'word')
            ELSE a.keys_plain END
  FROM institution_alias AS a
 WHERE a.institution_id = %(institution_id)s
 ORDER BY array_position(ARRAY['name', 'short_name', 'extra', 'handle'], a.kind), a.alias;

-- name: alias_by_id
SELECT a.id, a.origin, a.kind, a.alias, a.active, i.code
  FROM institution_alias AS a
  JOIN institution AS i ON i.id = a.institution_id
 WHERE a.id = %(alias_id)s;

-- name: delete_alias
DELETE FROM institution_alias WHERE id = %(alias_id)s;

-- name: deactivate_alias
UPDATE institution_alias SET active = false WHERE id = %(alias_id)s AND active;
