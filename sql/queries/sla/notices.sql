-- The notices of R3's SLA stages (presswatch.sla.notices).
-- Parameters: as_of (the end of the hour swept), codes (registry codes, or NULL for all).

-- name: stages_without_notice
-- Reminder, breach and escalation events recorded by as_of that have no notice yet, of clocks
-- still open as of as_of (a stage answered or dismissed before its notice went out gets none:
-- the notice would ask for what was already done), with what the notice says: the story, the
-- deadline, the institution in its language, and its head and press secretary by name.
SELECT e.story_id, e.institution_id, e.stage, e.detected_late,
       s.title, s.url, s.source, s.published_at, s.first_seen_at, sla.due_at,
       i.code, i.preferred_language,
       CASE i.preferred_language WHEN 'uz-Latn' THEN i.name_uz_latn
                                 WHEN 'uz-Cyrl' THEN i.name_uz_cyrl
                                 WHEN 'ru' THEN i.name_ru
                                 ELSE i.name_en END AS institution_name,
       head.full_name AS head_name, head.position_title AS head_title,
       press.full_name AS press_name, press.position_title AS press_title
  FROM story_sla_event AS e
  JOIN story_sla AS sla ON sla.story_id = e.story_id AND sla.institution_id = e.institution_id
  JOIN story AS s ON s.id = e.story_id
  JOIN institution AS i ON i.id = e.institution_id
  LEFT JOIN official AS head
         ON head.institution_id = i.id AND head.role = 'head' AND head.active
  LEFT JOIN LATERAL (
        SELECT o.full_name, o.position_title
          FROM official AS o
         WHERE o.institution_id = i.id AND o.role = 'press_secretary' AND o.active
         ORDER BY o.code
         LIMIT 1) AS press ON true
 WHERE e.notice_key IS NULL
   AND e.stage IN ('reminder', 'breached', 'escalated')
   AND e.recorded_at <= %(as_of)s
   AND (sla.closed_at IS NULL OR sla.closed_at > %(as_of)s)
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY e.institution_id, e.story_id,
          array_position(ARRAY['reminder', 'breached', 'escalated'], e.stage);

-- name: mark_noticed
-- The notice each stage gave (its dedup key), in one statement for the whole sweep.
UPDATE story_sla_event AS e
   SET notice_key = n.notice_key
  FROM unnest(%(story_ids)s::bigint[], %(institution_ids)s::bigint[], %(stages)s::text[],
              %(notice_keys)s::text[]) AS n (story_id, institution_id, stage, notice_key)
 WHERE e.story_id = n.story_id AND e.institution_id = n.institution_id AND e.stage = n.stage;
