-- Emails go through a queue written in the same transaction as the change
-- that causes them; a worker sends them (see services/notify.rs).
CREATE TABLE email_queue (
    id            INTEGER PRIMARY KEY,
    dedup_key     TEXT    NOT NULL UNIQUE,   -- one email per recipient, kind and occasion
    user_id       INTEGER REFERENCES users (id) ON DELETE CASCADE,
    recipient     TEXT    NOT NULL,
    language      TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,          -- JSON: what the template needs
    created_at    INTEGER NOT NULL,
    send_after    INTEGER NOT NULL,          -- due time; pushed back after a failure
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT,
    claimed_until INTEGER NOT NULL DEFAULT 0, -- a worker's lease; taken over once past
    sent_at       INTEGER,
    cancelled_at  INTEGER,
    last_error    TEXT
);
CREATE INDEX email_queue_due ON email_queue (send_after) WHERE sent_at IS NULL AND cancelled_at IS NULL;

-- The language the person reads the app in, for their emails.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
