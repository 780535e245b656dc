-- R10's reports as documents of their rating: the agency's league table (HTML, PDF), the CSV of
-- all results, and each institution's scorecard (HTML, PDF, CSV), rendered once by the task
-- that needs them (presswatch.rating.report) and kept in the database, not on one worker's
-- disk: the scorecard notices attach their PDF from here, the reports step exports the whole
-- set to a folder, and a DAG's tasks may run on different hosts.
--
-- source_sha256: the hash of everything the document shows (the rating's rows for it, the
-- medians, the trend, the names, the language, the layout's version). A rerun renders only
-- the documents whose source changed: none on a plain rerun; every one whose rank or score a
-- correction moved when the rating becomes final.
-- depends: 0015.rating_dispute

CREATE TABLE rating_document (
    rating_id       bigint NOT NULL REFERENCES rating (id) ON DELETE CASCADE,
    -- 'agency.pdf', 'agency.html', 'rating.csv', 'scorecards/<code>.pdf|.html|.csv'
    name            text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._/-]*$' AND name !~ '\.\.'),
    institution_id  bigint REFERENCES institution (id) ON DELETE RESTRICT,  -- NULL: the agency's
    content_type    text NOT NULL,
    content         bytea NOT NULL,
    source_sha256   text NOT NULL CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    rendered_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rating_id, name)
);
CREATE INDEX rating_document_institution_idx ON rating_document (rating_id, institution_id);
