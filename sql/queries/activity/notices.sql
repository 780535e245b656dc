-- The findings of one day's compliance that give notices (presswatch.activity.notices).
-- Parameters: day, tz, codes (or NULL), max_days. Each query reads what compute_day wrote
-- for the day (or, for accreditation, the same condition it counts), so a notice always
-- matches a compliance row. The registry is read as it was on `day` (institution_on(day) and
-- its siblings, migration 0014), as compute_day reads it.

-- name: institutions
-- Institutions in scope with their head, the language their notices are written in, and
-- their name in that language.
SELECT i.id, i.code, i.preferred_language,
       CASE i.preferred_language WHEN 'uz-Latn' THEN i.name_uz_latn
                                 WHEN 'uz-Cyrl' THEN i.name_uz_cyrl
                                 WHEN 'ru' THEN i.name_ru
                                 ELSE i.name_en END,
       h.id, h.full_name, h.position_title
  FROM institution_on(%(day)s::date) AS i
  LEFT JOIN official_on(%(day)s::date) AS h
         ON h.institution_id = i.id AND h.role = 'head' AND h.active
 WHERE i.active
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]));

-- name: weekly_lapses
-- R2: accounts below the weekly minimum in the ISO week that ended on `day` (a Sunday), with
-- their official, the scope the week was computed under and the count it was checked against.
SELECT w.institution_id, w.official_id, w.account_id, w.platform, a.handle, w.posts_in_week,
       w.scope, w.posts_counted, w.iso_year, w.iso_week, w.week_start
  FROM account_week_compliance AS w
  JOIN social_account_on(%(day)s::date) AS a ON a.id = w.account_id
  JOIN institution AS i ON i.id = w.institution_id
 WHERE w.computed_on = %(day)s::date AND NOT w.met
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY w.institution_id, w.official_id, w.platform, w.account_id;

-- name: overdue_accreditations
-- R4: requests still undecided at the end of `day`, made before local day `day - max_days`
-- began (the condition compute_day counts as r4_pending_overdue).
SELECT ar.institution_id, ar.id, ar.external_ref, ar.applicant_name, ar.applicant_type,
       ar.outlet, (ar.requested_at AT TIME ZONE %(tz)s::text)::date AS requested_on
  FROM accreditation_request AS ar
  JOIN institution_on(%(day)s::date) AS i ON i.id = ar.institution_id AND i.active
 WHERE ar.requested_at < ((%(day)s::date - %(max_days)s::int)::timestamp AT TIME ZONE %(tz)s::text)
   AND (ar.decided_at IS NULL
        OR ar.decided_at >= ((%(day)s::date + 1)::timestamp AT TIME ZONE %(tz)s::text))
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY ar.institution_id, ar.requested_at, ar.id;

-- name: account_gaps
-- R1 on `day`: the head's missing and unverified required platforms, with the unverified
-- accounts' handles (verified as compute_day reads it: the platform's flag, else the registry's).
SELECT d.institution_id, d.head_official_id, d.r1_missing_platforms,
       coalesce((SELECT array_agg(a.platform || ':' || a.handle ORDER BY p.ord, a.handle)
                   FROM unnest(d.r1_unverified_platforms) WITH ORDINALITY AS p (platform, ord)
                   JOIN social_account_on(%(day)s::date) AS a
                     ON a.official_id = d.head_official_id AND a.platform = p.platform
                    AND a.active
                    AND coalesce(a.verified, a.verified_by_registry) IS NOT TRUE), '{}')
           AS unverified
  FROM institution_compliance_daily AS d
  JOIN institution AS i ON i.id = d.institution_id
 WHERE d.day = %(day)s::date AND d.head_official_id IS NOT NULL
   AND cardinality(d.r1_missing_platforms) + cardinality(d.r1_unverified_platforms) > 0
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY d.institution_id;

-- name: wikipedia_gaps
-- R7 on `day`: the missing languages, and the pages that exist (latest check on or before
-- the day, else the registered title).
SELECT d.institution_id, d.r7_missing_wiki_langs,
       coalesce((SELECT array_agg(l.lang || ':' || coalesce(c.resolved_title, w.title)
                                  ORDER BY l.lang)
                   FROM unnest(%(wiki_langs)s::text[]) AS l (lang)
                   LEFT JOIN wikipedia_page_on(%(day)s::date) AS w
                          ON w.institution_id = d.institution_id AND w.lang = l.lang
                   LEFT JOIN LATERAL (
                         SELECT wc.page_exists, wc.resolved_title
                           FROM wikipedia_check AS wc
                          WHERE wc.institution_id = d.institution_id AND wc.lang = l.lang
                            AND wc.checked_on <= %(day)s::date
                          ORDER BY wc.checked_on DESC LIMIT 1) AS c ON true
                  WHERE l.lang <> ALL (d.r7_missing_wiki_langs)
                    AND coalesce(c.resolved_title, w.title) IS NOT NULL), '{}') AS existing
  FROM institution_compliance_daily AS d
  JOIN institution AS i ON i.id = d.institution_id
 WHERE d.day = %(day)s::date AND cardinality(d.r7_missing_wiki_langs) > 0
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY d.institution_id;
