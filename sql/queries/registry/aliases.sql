-- Registry import of aliases.csv into institution_alias (origin 'registry'), keyed by
-- institution, kind and alias; the rows are checked already (registry.aliases: known
-- institution, an alias that names one institution). Keys are computed here, as for every
-- alias (presswatch_match_keys). An alias an operator added first becomes the registry's.
-- `active` is an operator's switch and is left as it is.

-- name: stage
CREATE TEMP TABLE stage_alias (
    institution_code text, alias text, kind text, language text,
    PRIMARY KEY (institution_code, kind, alias)
) ON COMMIT DROP;

-- name: update
UPDATE institution_alias AS a
   SET language = s.language, origin = 'registry'
  FROM stage_alias AS s
  JOIN institution AS i ON i.code = s.institution_code
 WHERE a.institution_id = i.id AND a.kind = s.kind AND a.alias = s.alias
   AND (a.language, a.origin) IS DISTINCT FROM (s.language, 'registry')
RETURNING a.id;

-- name: insert
WITH new_alias AS MATERIALIZED (  -- each alias's keys computed once
    SELECT i.id AS institution_id, s.alias, s.kind, s.language,
           presswatch_match_keys(s.alias, 'plain') AS plain,
           presswatch_match_keys(s.alias, 'stem') AS stem
      FROM stage_alias AS s
      JOIN institution AS i ON i.code = s.institution_code
     WHERE NOT EXISTS (SELECT 1 FROM institution_alias AS a
                        WHERE a.institution_id = i.id AND a.kind = s.kind AND a.alias = s.alias)
)
INSERT INTO institution_alias (institution_id, alias, kind, origin, language, keys_plain,
                               keys_stem)
SELECT institution_id, alias, kind, 'registry', language, plain,
       CASE WHEN cardinality(stem) = cardinality(plain) THEN stem ELSE plain END
  FROM new_alias
RETURNING id;
