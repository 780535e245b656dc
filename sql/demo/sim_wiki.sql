-- Demo generator: the simulated Wikipedias (uz, ru, en) for institutions with registry titles.
-- Parameters: seed.
--
-- A registry title may be the article's own title, a redirect to the full official title
-- ("Adliya vazirligi" -> "Oʻzbekiston Respublikasi Adliya vazirligi"), or lead nowhere (the
-- page was never written). Languages the registry does not list may still exist and are found
-- through the language links, which join all of an institution's pages.

-- name: pages
CREATE TEMP TABLE demo_wiki ON COMMIT DROP AS
WITH language AS (
    SELECT * FROM (VALUES ('uz', 1), ('ru', 2), ('en', 3)) AS l (lang, stream)
),
candidate AS (
    SELECT d.institution_id, d.ordinal, d.tier, d.unlisted_wiki_share, l.lang,
           w.title AS registry_title,
           CASE l.lang WHEN 'uz' THEN d.name_uz_latn WHEN 'ru' THEN d.name_ru ELSE d.name_en END
               AS natural_title,
           pg_temp.demo_unit(40 + l.stream, d.institution_key, %(seed)s::bigint) AS u_state,
           pg_temp.demo_unit(44, d.institution_key # l.stream, %(seed)s::bigint) AS u_pageid
      FROM demo_inst AS d
     CROSS JOIN language AS l
      LEFT JOIN wikipedia_page AS w ON w.institution_id = d.institution_id AND w.lang = l.lang
     WHERE EXISTS (SELECT 1 FROM wikipedia_page AS x WHERE x.institution_id = d.institution_id)
),
decided AS (
    SELECT c.*,
           CASE WHEN registry_title IS NOT NULL THEN
                     CASE WHEN u_state < 0.10 THEN 'missing'
                          WHEN u_state < 0.35 THEN 'redirect'
                          ELSE 'direct' END
                WHEN u_state < unlisted_wiki_share THEN 'unlisted'
                ELSE 'missing' END AS state
      FROM candidate AS c
)
SELECT institution_id, ordinal, lang, registry_title, state, u_pageid,
       CASE state
           WHEN 'direct' THEN registry_title
           WHEN 'unlisted' THEN natural_title
           -- National bodies' articles carry the Republic's name; others a disambiguator.
           WHEN 'redirect' THEN CASE
               WHEN tier = 'national' AND lang = 'uz' THEN 'Oʻzbekiston Respublikasi ' || registry_title
               WHEN tier = 'national' AND lang = 'ru' THEN registry_title || ' Республики Узбекистан'
               WHEN lang = 'uz' THEN registry_title || ' (Oʻzbekiston)'
               WHEN lang = 'ru' THEN registry_title || ' (Узбекистан)'
               ELSE registry_title || ' (Uzbekistan)' END
       END AS page_title
  FROM decided
 WHERE state <> 'missing';

-- name: insert_pages
INSERT INTO sim.wiki_page (lang, pageid, title)
SELECT lang,
       -- Page ids grow with the catalogue, each language in its own range.
       CASE lang WHEN 'uz' THEN 100000 WHEN 'ru' THEN 2000000 ELSE 30000000 END
         + 1000 * row_number() OVER (PARTITION BY lang ORDER BY ordinal)
         + floor(u_pageid * 1000)::bigint,
       page_title
  FROM demo_wiki
 ORDER BY lang, ordinal;

-- name: insert_redirects
INSERT INTO sim.wiki_redirect (lang, from_title, to_title)
SELECT lang, registry_title, page_title FROM demo_wiki WHERE state = 'redirect' ORDER BY lang, ordinal;

-- name: insert_langlinks
INSERT INTO sim.wiki_langlink (lang, pageid, target_lang, target_title)
SELECT page.lang, page.pageid, target.lang, target.title
  FROM demo_wiki AS source
  JOIN sim.wiki_page AS page ON page.lang = source.lang AND page.title = source.page_title
  JOIN demo_wiki AS other ON other.institution_id = source.institution_id AND other.lang <> source.lang
  JOIN sim.wiki_page AS target ON target.lang = other.lang AND target.title = other.page_title
 ORDER BY page.lang, page.pageid, target.lang;
