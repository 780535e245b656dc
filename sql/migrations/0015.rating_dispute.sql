-- R10's dispute window: a rating stays provisional for `rating.dispute_window_days` after its
-- scorecards go out; an institution's press service files corrections meanwhile (operator CLI
-- `presswatch rating dispute`), and at the end of the window the rating becomes final with the
-- corrections applied, each logged with the value it replaced. Accountability notices go out
-- only then.
-- depends: 0014.registry_history

-- When the scorecards went out (the window opened) and the last day corrections are taken,
-- fixed when the window opens (a later settings change does not move it). notices_sent: the
-- scorecards were really sent (not a backfill's or a manual run's suppressed ones), and so the
-- accountability notices of the final rating will be.
ALTER TABLE rating
    ADD COLUMN scorecards_issued_on date,
    ADD COLUMN dispute_closes_on date,
    ADD COLUMN notices_sent boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT rating_dispute_window_check
        CHECK ((scorecards_issued_on IS NULL) = (dispute_closes_on IS NULL)
               AND dispute_closes_on >= scorecards_issued_on);

-- A correction of one indicator of one institution in one rating. value: the corrected value
-- in 0..1, NULL: the indicator is not applicable. replaced_value: the value computed from the
-- facts, recorded when the correction is applied. status: filed (to be applied when the
-- rating becomes final), withdrawn, applied. A later correction of the same indicator
-- replaces a filed one (the filed one is withdrawn).
CREATE TABLE rating_correction (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rating_id       bigint NOT NULL REFERENCES rating (id) ON DELETE CASCADE,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE RESTRICT,
    indicator       text NOT NULL CHECK (indicator IN (
                        'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9')),
    value           numeric CHECK (value BETWEEN 0 AND 1),
    reason          text NOT NULL CHECK (btrim(reason) <> ''),
    evidence        text[] NOT NULL DEFAULT '{}',   -- links or document references
    filed_by        text NOT NULL CHECK (btrim(filed_by) <> ''),
    filed_at        timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'filed'
                        CHECK (status IN ('filed', 'withdrawn', 'applied')),
    replaced_value  numeric,
    applied_at      timestamptz,
    CHECK ((status = 'applied') = (applied_at IS NOT NULL))
);
CREATE UNIQUE INDEX rating_correction_one_filed_idx
    ON rating_correction (rating_id, institution_id, indicator) WHERE status IN ('filed', 'applied');
