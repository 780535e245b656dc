-- R10, the semiannual rating: replaces 0003's draft `rating` and `rating_result` (never written).
-- A rating is one half-year's scores under one methodology (presswatch.rating.methodology: the
-- settings the numbers depend on, stored whole, versioned by its sha256). A period has one
-- rating per methodology: a settings change never rewrites a published rating, it makes the
-- period's next version (presswatch.rating.compute). A `final` rating is never rewritten
-- (a trigger refuses it); a `provisional` one is recomputed by a rerun (identical facts give
-- identical rows, and nothing is written).
-- depends: 0010.story_sla

DROP TABLE rating_result;
DROP TABLE rating;

CREATE TABLE rating (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period              text NOT NULL CHECK (period ~ '^[0-9]{4}-H[12]$'),  -- 2025-H1
    period_start        date NOT NULL,   -- the first local day
    period_end          date NOT NULL,   -- the day after the last (exclusive)
    version             integer NOT NULL CHECK (version >= 1),  -- 1, 2, ... within the period
    status              text NOT NULL DEFAULT 'provisional'
                            CHECK (status IN ('provisional', 'final')),
    methodology         jsonb NOT NULL CHECK (jsonb_typeof(methodology) = 'object'),
    methodology_sha256  text NOT NULL CHECK (methodology_sha256 ~ '^[0-9a-f]{64}$'),
    -- The previous half-year's rating the score changes are taken from (its newest version
    -- when this one was computed), kept so that reproduce compares against the same one.
    previous_rating_id  bigint REFERENCES rating (id) ON DELETE RESTRICT,
    institutions        integer NOT NULL DEFAULT 0 CHECK (institutions >= 0),
    computed_at         timestamptz NOT NULL DEFAULT now(),
    finalized_at        timestamptz,
    airflow_run_id      text,
    CHECK (period_end > period_start),
    CHECK ((status = 'final') = (finalized_at IS NOT NULL)),
    CHECK (previous_rating_id IS DISTINCT FROM id),
    UNIQUE (period, version),
    UNIQUE (period, methodology_sha256)
);

-- One row per active institution. score NULL: nothing to measure (no indicator applicable),
-- then no rank and no band. rank: RANK() over the rounded score, ties share it (1, 1, 3).
CREATE TABLE rating_result (
    rating_id           bigint NOT NULL REFERENCES rating (id) ON DELETE CASCADE,
    institution_id      bigint NOT NULL REFERENCES institution (id) ON DELETE RESTRICT,
    score               numeric(5, 2) CHECK (score BETWEEN 0 AND 100),
    rank                integer CHECK (rank > 0),
    band                text CHECK (band IN ('green', 'yellow', 'red')),
    weight_applicable   numeric NOT NULL CHECK (weight_applicable >= 0),  -- sum of applicable weights
    previous_score      numeric(5, 2),
    score_change        numeric(6, 2),    -- score - previous_score; NULL without either
    held_accountable    boolean NOT NULL,
    -- Why: 'red_band' and/or 'lowest_share' (among the lowest ceil(share * rated)).
    accountable_because text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (rating_id, institution_id),
    CHECK ((score IS NULL) = (rank IS NULL) AND (score IS NULL) = (band IS NULL)),
    CHECK (held_accountable = (cardinality(accountable_because) > 0)),
    CHECK (score_change IS NULL OR (score IS NOT NULL AND previous_score IS NOT NULL))
);
CREATE INDEX rating_result_rank_idx ON rating_result (rating_id, rank);

-- Each indicator of each institution: r1..r9 in 0..1 (NULL: not applicable, nothing to
-- measure; its weight is spread over the applicable ones), plus 'r3_median_response_hours'
-- (hours, not weighted). weight: the methodology's; weight_used: weight / the applicable
-- weights' sum (NULL when not applicable), so an institution's weight_used sum to 1.
-- evidence: the counts behind the value and at most `methodology.rating.evidence_ids` ids or
-- links of what was missed (late clocks, late requests, unmet weeks, events not held), with
-- "more": true when there were more; bounded, never every post.
CREATE TABLE rating_indicator (
    rating_id       bigint NOT NULL,
    institution_id  bigint NOT NULL,
    indicator       text NOT NULL CHECK (indicator IN (
                        'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9',
                        'r3_median_response_hours')),
    value           numeric CHECK (
                        indicator = 'r3_median_response_hours' AND value >= 0
                        OR value BETWEEN 0 AND 1),
    weight          numeric NOT NULL CHECK (weight >= 0),
    weight_used     numeric CHECK (weight_used BETWEEN 0 AND 1),
    evidence        jsonb NOT NULL CHECK (jsonb_typeof(evidence) = 'object'),
    PRIMARY KEY (rating_id, institution_id, indicator),
    FOREIGN KEY (rating_id, institution_id)
        REFERENCES rating_result (rating_id, institution_id) ON DELETE CASCADE,
    CHECK (value IS NOT NULL OR weight_used IS NULL)
);

-- A final rating is never rewritten: its row keeps its numbers, its results and indicators
-- cannot be inserted, changed or deleted.
CREATE FUNCTION presswatch_rating_final_guard() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    target bigint;
BEGIN
    IF TG_TABLE_NAME = 'rating' THEN
        IF OLD.status = 'final' THEN
            RAISE EXCEPTION 'rating % (%, version %) is final and is never rewritten',
                OLD.id, OLD.period, OLD.version;
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    target := CASE WHEN TG_OP = 'INSERT' THEN NEW.rating_id ELSE OLD.rating_id END;
    IF EXISTS (SELECT 1 FROM rating WHERE id = target AND status = 'final') THEN
        RAISE EXCEPTION 'rating % is final: its % rows are never rewritten', target, TG_TABLE_NAME;
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

CREATE TRIGGER rating_final_guard BEFORE UPDATE OR DELETE ON rating
    FOR EACH ROW EXECUTE FUNCTION presswatch_rating_final_guard();
CREATE TRIGGER rating_result_final_guard BEFORE INSERT OR UPDATE OR DELETE ON rating_result
    FOR EACH ROW EXECUTE FUNCTION presswatch_rating_final_guard();
CREATE TRIGGER rating_indicator_final_guard BEFORE INSERT OR UPDATE OR DELETE ON rating_indicator
    FOR EACH ROW EXECUTE FUNCTION presswatch_rating_final_guard();

-- The rating reads a half-year of clocks by deadline and of ISO weeks by their Sunday.
CREATE INDEX story_sla_due_idx ON story_sla (due_at);
CREATE INDEX account_week_compliance_computed_on_idx ON account_week_compliance (computed_on);
