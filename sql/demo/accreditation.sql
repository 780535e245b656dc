-- Demo generator: accreditation requests from journalists and bloggers over the period (R4).
-- Parameters: seed, start_date, days, period_end (timestamptz: the end of the last day),
-- male_names, female_names, surnames (Latin, male form), surnames_ascii, outlets,
-- blog_platforms.
--
-- Most requests are decided within the 3 days the rule allows; some take 4-6 days, some are
-- still pending, about one in eight is refused. A decision that would fall after the period is
-- not made yet: the request is pending at the end of the demo.

-- name: requests
INSERT INTO accreditation_request (institution_id, external_ref, applicant_name, applicant_type,
                                   outlet, requested_at, decided_at, decision, updated_at)
WITH request AS (
    SELECT d.institution_id, d.code, n, d.institution_key # (n::bigint << 32) AS request_key
      FROM demo_inst AS d
     CROSS JOIN LATERAL generate_series(
           1,
           floor(d.accreditations_per_year * %(days)s / 365.0
                 + pg_temp.demo_unit(50, d.institution_key, %(seed)s::bigint))::integer) AS n
),
drawn AS (
    SELECT r.*,
           -- Local midnight of the request's day, as seconds since 1970 (UTC+5).
           (%(start_date)s::date - date '1970-01-01'
              + floor(pg_temp.demo_unit(51, request_key, %(seed)s::bigint) * %(days)s)::integer
           )::bigint * 86400 - 18000 AS day_start,
           28800 + floor(pg_temp.demo_unit(52, request_key, %(seed)s::bigint) * 39600)::bigint
               AS request_second,                               -- 08:00-19:00
           -- Calendar days to the decision; 7 stands for "never decided".
           width_bucket(pg_temp.demo_unit(53, request_key, %(seed)s::bigint),
                        ARRAY[0.25, 0.50, 0.70, 0.82, 0.89, 0.93, 0.96]::float8[]) AS decision_days,
           pg_temp.demo_unit(54, request_key, %(seed)s::bigint) AS u_decision_time,
           pg_temp.demo_unit(55, request_key, %(seed)s::bigint) AS u_refused,
           pg_temp.demo_unit(56, request_key, %(seed)s::bigint) AS u_person,
           pg_temp.demo_unit(57, request_key, %(seed)s::bigint) AS u_surname,
           pg_temp.demo_unit(58, request_key, %(seed)s::bigint) AS u_type,
           pg_temp.demo_unit(59, request_key, %(seed)s::bigint) AS u_outlet
      FROM request AS r
),
timed AS (
    SELECT d.*,
           to_timestamp(day_start + request_second) AS requested_at,
           CASE WHEN decision_days = 7 THEN NULL
                WHEN decision_days = 0
                     THEN to_timestamp(day_start + request_second + 3600
                                       + floor(u_decision_time * 18000)::bigint)
                ELSE to_timestamp(day_start + decision_days * 86400 + 32400
                                  + floor(u_decision_time * 32400)::bigint)   -- 09:00-18:00
           END AS decision_at,
           1 + floor(u_surname * array_length(%(surnames)s::text[], 1))::integer AS surname_number
      FROM drawn AS d
),
decided AS (
    SELECT t.*,
           CASE WHEN t.decision_at <= %(period_end)s::timestamptz THEN t.decision_at END AS decided_at
      FROM timed AS t
)
SELECT institution_id,
       'AKR-' || code || '-' || lpad(n::text, 4, '0'),
       CASE WHEN u_person < 0.4
            THEN (%(female_names)s::text[])[1 + floor(u_person / 0.4 * array_length(%(female_names)s::text[], 1))::integer]
                 || ' ' || (%(surnames)s::text[])[surname_number] || 'a'
            ELSE (%(male_names)s::text[])[1 + floor((u_person - 0.4) / 0.6 * array_length(%(male_names)s::text[], 1))::integer]
                 || ' ' || (%(surnames)s::text[])[surname_number]
       END,
       CASE WHEN u_type < 0.35 THEN 'blogger' ELSE 'journalist' END,
       CASE WHEN u_type < 0.35
            THEN (%(blog_platforms)s::text[])[1 + floor(u_outlet * array_length(%(blog_platforms)s::text[], 1))::integer]
                 || ': @' || (%(surnames_ascii)s::text[])[surname_number] || '_blog'
            ELSE (%(outlets)s::text[])[1 + floor(u_outlet * array_length(%(outlets)s::text[], 1))::integer]
       END,
       requested_at,
       decided_at,
       CASE WHEN decided_at IS NULL THEN NULL
            WHEN u_refused < 0.12 THEN 'refused'
            ELSE 'granted' END,
       coalesce(decided_at, requested_at)
  FROM decided
 ORDER BY requested_at, code, n;
