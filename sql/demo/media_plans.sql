-- Demo generator: media plans per half-year and the events planned and held under them (R9).
-- Parameters: seed, start_date, end_date, period_end (timestamptz), event_kinds (text[]),
-- event_kind_titles and event_topics (text[][], one row per language).
--
-- Most planned events are held (a day or two late at times), some are cancelled and some
-- simply never happen; institutions also hold events their plan did not foresee. Nothing is
-- held after the period; planned dates after it stay planned.

-- name: plans
INSERT INTO media_plan (institution_id, period_start, period_end, approved_on, document_url)
WITH half_year AS (
    SELECT h::date AS period_start, (h + interval '6 months' - interval '1 day')::date AS period_end
      FROM generate_series(date_trunc('year', %(start_date)s::date), %(end_date)s::date,
                           interval '6 months') AS h
),
drawn AS (
    SELECT d.institution_id, d.ordinal, d.domain, h.period_start, h.period_end,
           d.institution_key # (h.period_start - date '2000-01-01') AS plan_key,
           d.plan_share
      FROM demo_inst AS d
     CROSS JOIN half_year AS h
     WHERE h.period_end >= %(start_date)s::date
),
approval AS (
    SELECT dr.*,
           pg_temp.demo_unit(61, plan_key, %(seed)s::bigint) AS u_approval,
           pg_temp.demo_unit(62, plan_key, %(seed)s::bigint) AS u_days
      FROM drawn AS dr
     WHERE pg_temp.demo_unit(60, plan_key, %(seed)s::bigint) < dr.plan_share
)
SELECT institution_id, period_start, period_end,
       -- Usually approved in the weeks before the half-year, sometimes weeks into it, and
       -- not at all when that date has not come yet.
       CASE WHEN u_approval < 0.80 THEN period_start - 1 - floor(u_days * 20)::integer
            WHEN u_approval < 0.95 AND period_start + 5 + floor(u_days * 40)::integer <= %(end_date)s::date
                 THEN period_start + 5 + floor(u_days * 40)::integer
       END,
       'https://' || domain || '/media-reja/' || to_char(period_start, 'YYYY')
           || CASE WHEN extract(month FROM period_start) = 1 THEN '-h1' ELSE '-h2' END || '.pdf'
  FROM approval
 ORDER BY period_start, ordinal;

-- name: events
INSERT INTO media_event (institution_id, media_plan_id, external_ref, kind, title, planned_on,
                         held_at, status, url)
WITH planned AS (
    SELECT p.id AS plan_id, d.institution_id, d.code, d.domain, d.language_index, p.period_start,
           n, d.institution_key # ((p.period_start - date '2000-01-01')::bigint << 20) # n AS event_key,
           p.period_start + floor(pg_temp.demo_unit(71, d.institution_key
                                  # ((p.period_start - date '2000-01-01')::bigint << 20) # n,
                                  %(seed)s::bigint)
                                  * (p.period_end - p.period_start + 1))::integer AS planned_on
      FROM media_plan AS p
      JOIN demo_inst AS d ON d.institution_id = p.institution_id
     CROSS JOIN LATERAL generate_series(
           1,
           floor(d.events_per_half_year
                 * (0.7 + 0.6 * pg_temp.demo_unit(70, d.institution_key # p.id, %(seed)s::bigint)))::integer
           ) AS n
),
planned_outcome AS (
    SELECT pl.*,
           pg_temp.demo_unit(72, event_key, %(seed)s::bigint) AS u_outcome,
           -- Local noon of the planned day (UTC+5), then a few days and hours of drift.
           (planned_on - date '1970-01-01')::bigint * 86400 - 18000
             + 86400 * floor(pg_temp.demo_unit(73, event_key, %(seed)s::bigint) * 3)::bigint
             + 36000 + floor(pg_temp.demo_unit(74, event_key, %(seed)s::bigint) * 25200)::bigint
             AS held_epoch
      FROM planned AS pl
     WHERE pl.planned_on >= %(start_date)s::date
),
unplanned AS (
    SELECT d.institution_id, d.code, d.domain, d.language_index, n,
           d.institution_key # (n::bigint << 40) AS event_key,
           (%(start_date)s::date - date '1970-01-01'
              + floor(pg_temp.demo_unit(75, d.institution_key # (n::bigint << 40), %(seed)s::bigint)
                      * (%(end_date)s::date - %(start_date)s::date + 1))::integer
           )::bigint * 86400 - 18000 + 36000
             + floor(pg_temp.demo_unit(76, d.institution_key # (n::bigint << 40), %(seed)s::bigint)
                     * 25200)::bigint AS held_epoch
      FROM demo_inst AS d
     CROSS JOIN LATERAL generate_series(
           1,
           floor(d.events_per_half_year * 0.2 * (%(end_date)s::date - %(start_date)s::date + 1) / 182.0
                 + pg_temp.demo_unit(77, d.institution_key, %(seed)s::bigint))::integer) AS n
),
event AS (
    SELECT institution_id, plan_id, code, domain, language_index, event_key,
           'TDB-' || code || '-' || to_char(period_start, 'YYYY')
             || CASE WHEN extract(month FROM period_start) = 1 THEN 'h1' ELSE 'h2' END
             || '-' || lpad(n::text, 3, '0') AS external_ref,
           planned_on,
           CASE WHEN planned_on > %(end_date)s::date THEN 'planned'
                WHEN u_outcome < 0.72 AND to_timestamp(held_epoch) < %(period_end)s::timestamptz
                     THEN 'held'
                WHEN u_outcome < 0.72 THEN 'planned'   -- due, but the period ends first
                WHEN u_outcome < 0.80 THEN 'cancelled'
                ELSE 'planned' END AS status,
           held_epoch
      FROM planned_outcome
    UNION ALL
    SELECT institution_id, NULL, code, domain, language_index, event_key,
           'TDB-' || code || '-x' || lpad(n::text, 4, '0'),
           NULL, 'held', held_epoch
      FROM unplanned
)
SELECT institution_id, plan_id, external_ref,
       (%(event_kinds)s::text[])[kind_number],
       (%(event_kind_titles)s::text[])[language_index][kind_number] || ': '
         || (%(event_topics)s::text[])[language_index][topic_number],
       planned_on,
       CASE WHEN status = 'held' THEN to_timestamp(held_epoch) END,
       status,
       CASE WHEN status = 'held' THEN 'https://' || domain || '/press/events/' || lower(external_ref) END
  FROM event
 CROSS JOIN LATERAL (
       SELECT 1 + floor(pg_temp.demo_unit(78, event_key, %(seed)s::bigint)
                        * array_length(%(event_kinds)s::text[], 1))::integer AS kind_number,
              1 + floor(pg_temp.demo_unit(79, event_key, %(seed)s::bigint)
                        * array_length(%(event_topics)s::text[], 2))::integer AS topic_number
       ) AS pick
 ORDER BY coalesce(planned_on, date '1970-01-01' + ((held_epoch + 18000) / 86400)::integer), external_ref;
