-- R3's SLA clocks (presswatch.sla.engine): opening a clock per critical (story, institution)
-- and advancing every open clock's stage, each as of `as_of` (the end of the hour swept).
-- Everything is decided from the data's own times, never from now(): a story exists for the
-- sweep when first_seen_at <= as_of, a response counts when responded_at <= as_of, an
-- operator's decision when decided_at <= as_of. Each stage's event is written once
-- (ON CONFLICT DO NOTHING on story, institution, stage) with the time the rule gives it, so a
-- rerun writes nothing and any order of sweeps over the same hours writes the same events.
-- Parameters: as_of, codes (registry codes, or NULL for all), run_id, and as named.

-- name: clock_start_span
-- The earliest and latest clock start among the clocks open_clocks would open now (the same
-- pairs as its `candidate`): the working calendar must cover them and their deadlines.
SELECT min(least(s.published_at, s.first_seen_at)), max(s.first_seen_at)
  FROM story_institution AS si
  JOIN story AS s ON s.id = si.story_id
  JOIN institution AS i ON i.id = si.institution_id AND i.active
 WHERE s.first_seen_at <= %(as_of)s
   AND CASE WHEN s.operator_decision IS NOT NULL AND s.decided_at <= %(as_of)s
            THEN s.operator_decision = 'confirmed'
            ELSE s.critical_score >= %(critical_threshold)s END
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM story_sla AS sla
                    WHERE sla.story_id = si.story_id AND sla.institution_id = si.institution_id);

-- name: open_clocks
-- A clock for every (story, institution) whose story is critical as of as_of and has none
-- yet. Critical as of as_of: an operator's decision made by then wins, else the lexicon's
-- score (story.is_critical follows decisions made later, so it is not read here).
-- The clock starts at publication (never after the story was first seen: a feed's time in
-- the future gives no extra time) or, with clock_start 'detection', when it was first seen.
-- Deadlines: reminder_hours, response_hours and escalate_hours after the start, in calendar
-- hours or, with calendar_key set, in working hours: position(start) is the working seconds
-- before it (the latest interval starting at or before it, capped at that interval's end),
-- and the deadline the instant in the first interval whose working seconds before are below
-- position + hours * 3600 (so a deadline exactly at a day's end is that day's end).
WITH candidate AS (
    SELECT si.story_id, si.institution_id, s.first_seen_at,
           CASE WHEN %(clock_start)s::text = 'detection' THEN s.first_seen_at
                ELSE least(s.published_at, s.first_seen_at) END AS clock_started_at
      FROM story_institution AS si
      JOIN story AS s ON s.id = si.story_id
      JOIN institution AS i ON i.id = si.institution_id AND i.active
     WHERE s.first_seen_at <= %(as_of)s
       AND CASE WHEN s.operator_decision IS NOT NULL AND s.decided_at <= %(as_of)s
                THEN s.operator_decision = 'confirmed'
                ELSE s.critical_score >= %(critical_threshold)s END
       AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
       AND NOT EXISTS (SELECT 1 FROM story_sla AS sla
                        WHERE sla.story_id = si.story_id AND sla.institution_id = si.institution_id)
),
positioned AS (
    SELECT c.*, coalesce(p.seconds, 0) AS start_position
      FROM candidate AS c
      LEFT JOIN LATERAL (
            SELECT w.working_seconds_before
                   + least(extract(epoch FROM c.clock_started_at - w.starts_at),
                           extract(epoch FROM w.ends_at - w.starts_at)) AS seconds
              FROM work_calendar_interval AS w
             WHERE w.calendar_key = %(calendar_key)s::text
               AND w.starts_at <= c.clock_started_at
             ORDER BY w.starts_at DESC
             LIMIT 1) AS p ON true
),
deadline AS (
    SELECT c.story_id, c.institution_id, c.first_seen_at, c.clock_started_at,
           max(d.instant) FILTER (WHERE h.deadline = 'reminder') AS reminder_at,
           max(d.instant) FILTER (WHERE h.deadline = 'due') AS due_at,
           max(d.instant) FILTER (WHERE h.deadline = 'escalate') AS escalate_at
      FROM positioned AS c
     CROSS JOIN (VALUES ('reminder', %(reminder_hours)s::int),
                        ('due', %(response_hours)s::int),
                        ('escalate', %(escalate_hours)s::int)) AS h (deadline, hours)
     CROSS JOIN LATERAL (
            SELECT CASE WHEN %(calendar_key)s::text IS NULL
                        THEN c.clock_started_at + make_interval(hours => h.hours)
                        -- NULL (and the insert fails) if the calendar stops short of it.
                        WHEN t.target <= w.working_seconds_before
                                         + extract(epoch FROM w.ends_at - w.starts_at)
                        THEN w.starts_at
                             + make_interval(secs => (t.target - w.working_seconds_before)::float8)
                   END AS instant
              FROM (SELECT c.start_position + h.hours * 3600 AS target) AS t
              -- The interval the target falls in: the last one with fewer working seconds
              -- before it (compared as bigint, the same for whole seconds, so that
              -- work_calendar_interval_position_idx gives the range).
              LEFT JOIN LATERAL (
                    SELECT w.starts_at, w.ends_at, w.working_seconds_before
                      FROM work_calendar_interval AS w
                     WHERE w.calendar_key = %(calendar_key)s::text
                       AND w.working_seconds_before < ceil(t.target)::bigint
                     ORDER BY w.working_seconds_before DESC
                     LIMIT 1) AS w ON true) AS d
     GROUP BY c.story_id, c.institution_id, c.first_seen_at, c.clock_started_at
),
opened AS (
    INSERT INTO story_sla (story_id, institution_id, clock_started_at, calendar, reminder_at,
                           due_at, escalate_at, opened_at, detected_late, stage, stage_at,
                           settings_sha256)
    SELECT story_id, institution_id, clock_started_at, %(calendar)s::text, reminder_at, due_at,
           escalate_at, first_seen_at, first_seen_at > due_at, 'opened', first_seen_at,
           %(settings_sha256)s::text
      FROM deadline
    ON CONFLICT (story_id, institution_id) DO NOTHING
    RETURNING story_id, institution_id, opened_at, detected_late
)
INSERT INTO story_sla_event (story_id, institution_id, stage, occurred_at, recorded_at,
                             detected_late, airflow_run_id)
SELECT story_id, institution_id, 'opened', opened_at, %(as_of)s, detected_late, %(run_id)s
  FROM opened
ON CONFLICT DO NOTHING;

-- name: advance
-- Every open clock's stages as of as_of, in one pass (a clock may pass several at once: after
-- an outage, or a story first seen long after its deadline). The clock closes at its first
-- response by as_of (fulfilled when at or before due_at, else fulfilled_late) or at an
-- operator's dismissal by as_of, whichever came first (a response at the same instant wins).
-- A stage at instant X is reached when as_of >= X and the clock was not closed at or before X:
--   reminder  at reminder_at  (only for a story first seen by its deadline)
--   breached  at due_at       (detected_late: the story was first seen after it)
--   escalated at escalate_at
-- Then story_sla moves to its furthest stage; it never moves back (a sweep of an earlier hour
-- after a later one reaches nothing new).
WITH clock AS (
    SELECT sla.story_id, sla.institution_id, sla.reminder_at, sla.due_at, sla.escalate_at,
           sla.detected_late, sla.stage,
           response.id AS response_id, response.responded_at,
           CASE WHEN s.operator_decision = 'dismissed' AND s.decided_at <= %(as_of)s
                THEN s.decided_at END AS dismissed_at
      FROM story_sla AS sla
      JOIN story AS s ON s.id = sla.story_id
      JOIN institution AS i ON i.id = sla.institution_id
      LEFT JOIN LATERAL (
            SELECT r.id, r.responded_at
              FROM story_response AS r
             WHERE r.story_id = sla.story_id AND r.institution_id = sla.institution_id
               AND r.responded_at <= %(as_of)s
             ORDER BY r.responded_at, r.id
             LIMIT 1) AS response ON true
     WHERE sla.closed_at IS NULL
       AND sla.opened_at <= %(as_of)s
       AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
),
closing AS (
    SELECT c.*,
           CASE WHEN c.responded_at IS NOT NULL
                 AND (c.dismissed_at IS NULL OR c.responded_at <= c.dismissed_at)
                THEN CASE WHEN c.responded_at <= c.due_at THEN 'fulfilled'
                          ELSE 'fulfilled_late' END
                WHEN c.dismissed_at IS NOT NULL THEN 'dismissed' END AS closing_stage,
           least(c.responded_at, c.dismissed_at) AS closed_at
      FROM clock AS c
),
reached AS (
    SELECT c.story_id, c.institution_id, c.closing_stage, c.closed_at, c.response_id,
           c.responded_at, c.stage AS current_stage,
           st.stage, st.occurred_at, st.detected_late, st.rank
      FROM closing AS c
     CROSS JOIN LATERAL (VALUES
            ('reminder', c.reminder_at, false, 1,
             %(as_of)s >= c.reminder_at AND NOT c.detected_late),
            ('breached', c.due_at, c.detected_late, 2, %(as_of)s >= c.due_at),
            ('escalated', c.escalate_at, false, 3, %(as_of)s >= c.escalate_at),
            (c.closing_stage, c.closed_at, false, 4, c.closed_at IS NOT NULL)
           ) AS st (stage, occurred_at, detected_late, rank, is_due)
     WHERE st.is_due
       AND (st.rank = 4 OR c.closed_at IS NULL OR c.closed_at > st.occurred_at)
),
inserted AS (
    INSERT INTO story_sla_event (story_id, institution_id, stage, occurred_at, recorded_at,
                                 detected_late, airflow_run_id)
    SELECT story_id, institution_id, stage, occurred_at, %(as_of)s, detected_late, %(run_id)s
      FROM reached
    ON CONFLICT DO NOTHING
    RETURNING stage
),
furthest AS (
    SELECT DISTINCT ON (story_id, institution_id) *
      FROM reached
     ORDER BY story_id, institution_id, rank DESC
),
updated AS (
    UPDATE story_sla AS sla
       SET stage = f.stage,
           stage_at = f.occurred_at,
           closed_at = CASE WHEN f.rank = 4 THEN f.closed_at END,
           first_response_id = CASE WHEN f.stage IN ('fulfilled', 'fulfilled_late')
                                    THEN f.response_id END,
           first_response_at = CASE WHEN f.stage IN ('fulfilled', 'fulfilled_late')
                                    THEN f.responded_at END
      FROM furthest AS f
     WHERE sla.story_id = f.story_id AND sla.institution_id = f.institution_id
       AND f.rank > array_position(ARRAY['opened', 'reminder', 'breached', 'escalated'],
                                   f.current_stage) - 1
    RETURNING 1
)
SELECT (SELECT count(*) FROM clock) AS swept,
       (SELECT count(*) FROM updated) AS changed,
       coalesce((SELECT jsonb_object_agg(stage, written)
                   FROM (SELECT stage, count(*) AS written FROM inserted GROUP BY stage) AS n),
                '{}'::jsonb) AS written;
