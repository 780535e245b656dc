-- The working calendar of the SLA's working-hours mode (presswatch.sla.calendar): its working
-- intervals in work_calendar_interval, each with the working seconds before it, so that a
-- point in time has a position (working seconds since the calendar's origin) and "N working
-- hours after t" is the instant where position(t) + N * 3600 is reached.
-- Parameters: calendar_key, and per statement as named.

-- name: lock
-- Builders of the same calendar queue up here, so two runs never write it twice.
SELECT pg_advisory_xact_lock(hashtextextended('work_calendar:' || %(calendar_key)s, 0));

-- name: stored_span
-- The first and last stored interval (their local years are the years stored).
SELECT min(starts_at), max(starts_at)
  FROM work_calendar_interval
 WHERE calendar_key = %(calendar_key)s;

-- name: delete
DELETE FROM work_calendar_interval WHERE calendar_key = %(calendar_key)s;

-- name: insert
INSERT INTO work_calendar_interval (calendar_key, starts_at, ends_at, working_seconds_before)
SELECT %(calendar_key)s, starts_at, ends_at, working_seconds_before
  FROM unnest(%(starts_at)s::timestamptz[], %(ends_at)s::timestamptz[],
              %(working_seconds_before)s::bigint[]) AS i (starts_at, ends_at, working_seconds_before);

-- name: add_working_hours
-- The instant `hours` working hours after `start`: the same two lookups open_clocks makes
-- (sla/engine.sql), for one instant. A start outside working time counts from the next
-- working moment; a result exactly at the end of a working day is that day's end. NULL when
-- the stored calendar does not reach that far.
SELECT CASE WHEN target.seconds <= reached.working_seconds_before
                                   + extract(epoch FROM reached.ends_at - reached.starts_at)
            THEN reached.starts_at
                 + make_interval(secs => (target.seconds - reached.working_seconds_before)::float8)
       END
  FROM (SELECT coalesce(
                   (SELECT w.working_seconds_before
                           + least(extract(epoch FROM %(start)s::timestamptz - w.starts_at),
                                   extract(epoch FROM w.ends_at - w.starts_at))
                      FROM work_calendar_interval AS w
                     WHERE w.calendar_key = %(calendar_key)s
                       AND w.starts_at <= %(start)s::timestamptz
                     ORDER BY w.starts_at DESC
                     LIMIT 1), 0) + %(hours)s::numeric * 3600 AS seconds) AS target
  LEFT JOIN LATERAL (
        SELECT w.starts_at, w.ends_at, w.working_seconds_before
          FROM work_calendar_interval AS w
         WHERE w.calendar_key = %(calendar_key)s
           AND w.working_seconds_before < ceil(target.seconds)::bigint
         ORDER BY w.working_seconds_before DESC
         LIMIT 1) AS reached ON true;
