-- What the hourly critical-story run decides from the database (presswatch.sla.hourly).

-- name: institutions_awaiting_answers
-- Institutions whose posts may hold an answer soon: those with a clock open as of %(as_of)s
-- that escalated less than %(recent_days)s days ago or not yet, or about to open (a critical
-- story seen by then, no clock yet). Their accounts are read every hour; answers to older
-- clocks come with the daily pipeline's posts.
SELECT DISTINCT i.code
  FROM story_institution AS si
  JOIN story AS s ON s.id = si.story_id
  JOIN institution AS i ON i.id = si.institution_id AND i.active
  LEFT JOIN story_sla AS sla
         ON (sla.story_id, sla.institution_id) = (si.story_id, si.institution_id)
 WHERE s.first_seen_at <= %(as_of)s
   AND (s.critical_score >= %(threshold)s OR s.operator_decision = 'confirmed')
   AND (sla.story_id IS NULL
        OR ((sla.closed_at IS NULL OR sla.closed_at > %(as_of)s)
            AND sla.escalate_at > %(as_of)s - make_interval(days => %(recent_days)s)))
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
 ORDER BY i.code;
