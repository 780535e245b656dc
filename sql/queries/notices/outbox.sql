-- The notices outbox: writing notices (idempotent on dedup_key) and claiming them for delivery.

-- name: lock_key
-- Writers of the same notice queue up here, so a reference number is never spent on a
-- notice that already exists. The keys share 64 locks: a transaction that writes a backlog of
-- 100,000 notices (a first run after a long outage) holds at most 64, not one per notice (which
-- would exhaust the server's lock table); two writers of unrelated keys in one bucket merely
-- wait for each other.
SELECT pg_advisory_xact_lock(hashtext('presswatch.notice'), hashtext(%(dedup_key)s) & 63);

-- name: existing
SELECT id, reference_no, status FROM notice WHERE dedup_key = %(dedup_key)s;

-- name: next_reference
INSERT INTO notice_reference_counter AS c (year, last_number) VALUES (%(year)s, 1)
ON CONFLICT (year) DO UPDATE SET last_number = c.last_number + 1
RETURNING 'PW-' || c.year || '-' || lpad(c.last_number::text, 6, '0');

-- name: insert
INSERT INTO notice (kind, dedup_key, institution_id, language, reference_no, recipients, cc,
                    subject, body_html, body_text, status, status_when_addressed, last_error,
                    airflow_dag_id, airflow_run_id, airflow_run_type, created_at, next_attempt_at)
VALUES (%(kind)s, %(dedup_key)s, %(institution_id)s, %(language)s, %(reference_no)s,
        %(recipients)s, %(cc)s, %(subject)s, %(body_html)s, %(body_text)s, %(status)s,
        %(status_when_addressed)s, %(last_error)s, %(airflow_dag_id)s, %(airflow_run_id)s,
        %(airflow_run_type)s, %(now)s, %(now)s)
RETURNING id;

-- name: institution_code
SELECT code FROM institution WHERE id = %(institution_id)s;

-- name: insert_attachment
INSERT INTO notice_attachment (notice_id, filename, content_type, content)
VALUES (%(notice_id)s, %(filename)s, %(content_type)s, %(content)s);

-- name: registry_recipients
-- Where an institution's notices go: only addresses from the registry, never from the
-- text of a story or any other outside input.
SELECT o.email
  FROM official AS o
 WHERE o.institution_id = %(institution_id)s AND o.active AND o.role = ANY(%(roles)s)
 ORDER BY array_position(%(roles)s, o.role), o.code;

-- name: list
-- `presswatch notices list`: the newest notices matching the filters (NULL: any).
SELECT n.reference_no, n.kind, n.status, i.code, n.recipients, n.cc, n.last_error, n.created_at
  FROM notice AS n
  LEFT JOIN institution AS i ON i.id = n.institution_id
 WHERE (%(status)s::text IS NULL OR n.status = %(status)s::text)
   AND (%(kind)s::text IS NULL OR n.kind = %(kind)s::text)
   AND (%(code)s::text IS NULL OR i.code = %(code)s::text)
 ORDER BY n.id DESC
 LIMIT %(limit)s;

-- name: readdress
-- Undeliverable notices of institutions that now have addressees: the registry's addresses,
-- and the status the notice would have had (pending is due now).
WITH addressees AS (
    SELECT o.institution_id,
           array_agg(o.email ORDER BY array_position(%(roles)s::text[], o.role), o.code) AS emails
      FROM official AS o
     WHERE o.active AND o.role = ANY (%(roles)s::text[])
     GROUP BY o.institution_id
)
UPDATE notice AS n
   SET recipients = a.emails,
       status = n.status_when_addressed,
       status_when_addressed = NULL,
       last_error = NULL,
       next_attempt_at = %(now)s
  FROM addressees AS a, institution AS i
 WHERE n.status = 'undeliverable'
   AND a.institution_id = n.institution_id AND i.id = n.institution_id
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]))
RETURNING n.reference_no, n.kind, i.code, n.status, n.recipients;

-- name: count_undeliverable
SELECT count(*)
  FROM notice AS n
  LEFT JOIN institution AS i ON i.id = n.institution_id
 WHERE n.status = 'undeliverable'
   AND (%(codes)s::text[] IS NULL OR i.code = ANY (%(codes)s::text[]));

-- name: count_due
SELECT count(*) AS due
  FROM notice
 WHERE (status = 'pending' AND next_attempt_at <= %(now)s)
    OR (status = 'sending' AND claimed_at < %(now)s - make_interval(secs => %(stale_after_seconds)s));

-- name: claim
-- Due notices, plus those a dispatcher claimed but never finished (it died while sending),
-- are claimed in one statement; SKIP LOCKED lets parallel dispatchers take disjoint sets.
-- Only pending and sending notices: suppressed and undeliverable ones are never sent.
WITH due AS (
    SELECT id
      FROM notice
     WHERE (status = 'pending' AND next_attempt_at <= %(now)s)
        OR (status = 'sending' AND claimed_at < %(now)s - make_interval(secs => %(stale_after_seconds)s))
     ORDER BY next_attempt_at, id
     LIMIT %(batch_size)s
       FOR UPDATE SKIP LOCKED
)
UPDATE notice AS n
   SET status = 'sending', claimed_at = %(now)s, attempts = n.attempts + 1
  FROM due
 WHERE n.id = due.id
RETURNING n.id, n.dedup_key, n.reference_no, n.recipients, n.cc, n.subject, n.body_html,
          n.body_text, n.attempts, n.created_at;

-- name: attachments
SELECT notice_id, filename, content_type, content
  FROM notice_attachment WHERE notice_id = ANY(%(notice_ids)s) ORDER BY notice_id, filename;

-- name: mark_sent
UPDATE notice SET status = 'sent', sent_at = %(now)s, claimed_at = NULL, last_error = NULL
 WHERE id = %(id)s AND status = 'sending';

-- name: mark_retry
UPDATE notice
   SET status = 'pending', claimed_at = NULL, last_error = %(error)s,
       next_attempt_at = %(now)s + make_interval(secs => %(backoff_seconds)s)
 WHERE id = %(id)s AND status = 'sending';

-- name: mark_failed
UPDATE notice SET status = 'failed', claimed_at = NULL, last_error = %(error)s
 WHERE id = %(id)s AND status = 'sending';
