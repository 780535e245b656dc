-- A rating's dispute window (R10, migration 0015), run by presswatch.rating.dispute.

-- name: window
-- The period's rating: `version`, or the newest.
SELECT id, period, version, status, scorecards_issued_on, dispute_closes_on, notices_sent
  FROM rating
 WHERE period = %(period)s::text AND (%(version)s::int IS NULL OR version = %(version)s::int)
 ORDER BY version DESC
 LIMIT 1;

-- name: window_of
SELECT id, period, version, status, scorecards_issued_on, dispute_closes_on, notices_sent
  FROM rating
 WHERE id = %(rating_id)s::bigint;

-- name: open_window
-- The first issue of the scorecards opens the window; a provisional rating only.
UPDATE rating
   SET scorecards_issued_on = %(issued_on)s::date,
       dispute_closes_on = %(issued_on)s::date + %(days)s::int,
       notices_sent = %(sent)s::boolean
 WHERE id = %(rating_id)s::bigint AND status = 'provisional' AND scorecards_issued_on IS NULL;

-- name: due
SELECT id, period, version, status, scorecards_issued_on, dispute_closes_on, notices_sent
  FROM rating
 WHERE status = 'provisional' AND dispute_closes_on <= %(today)s::date
 ORDER BY period, version;

-- name: institution_in_rating
SELECT r.institution_id
  FROM rating_result AS r
  JOIN institution AS i ON i.id = r.institution_id
 WHERE r.rating_id = %(rating_id)s::bigint AND i.code = %(code)s::text;
