-- The SLA board in the presswatch view (presswatch.ui.pages), R3. Read only.
--
-- The board shows the clocks open at a moment `at` and each one's stage at that moment, from
-- the clock's own deadlines (fixed when it opened, migration 0010.story_sla), by the rule the
-- hourly sweep applies (presswatch.sla.engine): open when first seen by `at` and not closed
-- (answered or dismissed) by then; 'escalated' from escalate_at, 'breached' from due_at,
-- 'reminder' from reminder_at, else 'opened'. So a moment after the last sweep shows the
-- stages the next sweep will record unless an answer arrives, and a past moment shows what the
-- board showed then (the answers recorded since, counted from when they were given).

-- name: last_sweep
-- The end of the last hour a sweep recorded a stage in (story_sla_event_recorded_idx).
SELECT max(recorded_at) FROM story_sla_event;

-- name: board_counts
WITH open_clock AS (
    SELECT CASE WHEN %(at)s::timestamptz >= sla.escalate_at THEN 'escalated'
                WHEN %(at)s::timestamptz >= sla.due_at THEN 'breached'
                WHEN %(at)s::timestamptz >= sla.reminder_at THEN 'reminder'
                ELSE 'opened' END AS stage
      FROM story_sla AS sla
     WHERE sla.opened_at <= %(at)s::timestamptz
       AND (sla.closed_at IS NULL OR sla.closed_at > %(at)s::timestamptz)
)
SELECT stage, count(*) FROM open_clock GROUP BY stage;

-- name: board_page
-- One page of the open clocks, `stage` only when given: those not yet due first, soonest
-- deadline first, then the breached, then the escalated, each by deadline.
WITH open_clock AS (
    SELECT sla.story_id, sla.institution_id, sla.clock_started_at, sla.reminder_at, sla.due_at,
           sla.escalate_at, sla.opened_at, sla.detected_late,
           CASE WHEN %(at)s::timestamptz >= sla.escalate_at THEN 'escalated'
                WHEN %(at)s::timestamptz >= sla.due_at THEN 'breached'
                WHEN %(at)s::timestamptz >= sla.reminder_at THEN 'reminder'
                ELSE 'opened' END AS stage
      FROM story_sla AS sla
     WHERE sla.opened_at <= %(at)s::timestamptz
       AND (sla.closed_at IS NULL OR sla.closed_at > %(at)s::timestamptz)
)
SELECT c.story_id, c.stage, c.clock_started_at, c.reminder_at, c.due_at, c.escalate_at,
       c.opened_at, c.detected_late, c.due_at - %(at)s::timestamptz AS time_left,
       s.title, s.url, s.source, s.published_at,
       i.code, i.name_en
  FROM open_clock AS c
  JOIN story AS s ON s.id = c.story_id
  JOIN institution AS i ON i.id = c.institution_id
 WHERE %(stage)s::text IS NULL OR c.stage = %(stage)s::text
 ORDER BY c.due_at <= %(at)s::timestamptz, c.escalate_at <= %(at)s::timestamptz, c.due_at,
          c.story_id, c.institution_id
 LIMIT %(limit)s::int OFFSET %(offset)s::int;
