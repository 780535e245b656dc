-- An operator's decision on a story (R3), run by presswatch.sla.decisions in the caller's
-- transaction: confirmed or dismissed wins over the lexicon's score (is_critical follows it;
-- a CHECK on story holds them together); a cleared decision gives the score back its say.
-- Deciding the same again keeps the first decided_at (what the SLA engine dates a dismissal
-- by) and updates who and the note. What a dismissal does to an open clock is the engine's.

-- name: decide
WITH before AS (
    SELECT id, operator_decision FROM story WHERE id = %(story_id)s::bigint FOR UPDATE
)
UPDATE story AS s
   SET operator_decision = %(decision)s::text,
       decided_at = CASE WHEN before.operator_decision = %(decision)s::text THEN s.decided_at
                         ELSE %(at)s::timestamptz END,
       decided_by = %(by)s::text,
       decision_note = CASE WHEN %(note)s::text IS NOT NULL THEN %(note)s::text
                            WHEN before.operator_decision = %(decision)s::text
                                THEN s.decision_note END,
       is_critical = %(decision)s::text = 'confirmed',
       updated_at = now()
  FROM before
 WHERE s.id = before.id
RETURNING before.operator_decision AS previous, s.operator_decision, s.is_critical, s.decided_at;

-- name: clear
WITH before AS (
    SELECT id, operator_decision FROM story WHERE id = %(story_id)s::bigint FOR UPDATE
)
UPDATE story AS s
   SET operator_decision = NULL, decided_at = NULL, decided_by = NULL, decision_note = NULL,
       is_critical = coalesce(s.critical_score, 0) >= %(threshold)s::numeric,
       updated_at = now()
  FROM before
 WHERE s.id = before.id
RETURNING before.operator_decision AS previous, s.operator_decision, s.is_critical, s.decided_at;

-- ---------------------------------------------------------------------------------------
-- What `presswatch stories show` prints: read-only.

-- name: show_story
SELECT s.id, s.title, s.source, f.code AS feed_code, s.url, s.language, s.published_at,
       s.published_at_zone_assumed, s.first_seen_at, s.summary, s.matched_at, s.critical_score,
       s.critical_terms, s.scored_with, s.is_critical, s.operator_decision, s.decided_at,
       s.decided_by, s.decision_note
  FROM story AS s
  LEFT JOIN story_feed AS f ON f.id = s.feed_id
 WHERE s.id = %(story_id)s::bigint;

-- name: show_items
SELECT f.code, i.item_key, i.url, i.first_seen_at
  FROM story_item AS i
  JOIN story_feed AS f ON f.id = i.feed_id
 WHERE i.story_id = %(story_id)s::bigint
 ORDER BY i.first_seen_at, f.code;

-- name: show_matches
SELECT i.code, si.match_method, si.matched_alias, si.matched_at
  FROM story_institution AS si
  JOIN institution AS i ON i.id = si.institution_id
 WHERE si.story_id = %(story_id)s::bigint
 ORDER BY i.code;

-- name: show_responses
SELECT i.code, r.responded_at, r.channel, r.origin, r.url
  FROM story_response AS r
  JOIN institution AS i ON i.id = r.institution_id
 WHERE r.story_id = %(story_id)s::bigint
 ORDER BY r.responded_at, i.code;

-- name: show_clocks
SELECT i.code, c.stage, c.stage_at, c.clock_started_at, c.calendar, c.reminder_at, c.due_at,
       c.escalate_at, c.detected_late, c.first_response_at, c.closed_at
  FROM story_sla AS c
  JOIN institution AS i ON i.id = c.institution_id
 WHERE c.story_id = %(story_id)s::bigint
 ORDER BY i.code;

-- name: show_events
SELECT i.code, e.stage, e.occurred_at, e.recorded_at, e.detected_late, e.notice_key
  FROM story_sla_event AS e
  JOIN institution AS i ON i.id = e.institution_id
 WHERE e.story_id = %(story_id)s::bigint
 ORDER BY i.code, e.occurred_at,
          array_position(ARRAY['opened', 'reminder', 'breached', 'escalated', 'fulfilled',
                               'fulfilled_late', 'dismissed'], e.stage);
