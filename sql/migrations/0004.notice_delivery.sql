-- Notice delivery: attachments stored with the notice (so any worker can send it), and the
-- index the dispatcher claims by.
-- depends: 0003.outbox_quarantine_rating

CREATE TABLE notice_attachment (
    notice_id     bigint NOT NULL REFERENCES notice (id) ON DELETE CASCADE,
    filename      text NOT NULL CHECK (filename ~ '^[^/\\]{1,200}$'),
    content_type  text NOT NULL CHECK (content_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    content       bytea NOT NULL,
    PRIMARY KEY (notice_id, filename)
);

-- Stale claims (a dispatcher that died while sending) are found by their claim time.
CREATE INDEX notice_sending_idx ON notice (claimed_at) WHERE status = 'sending';
