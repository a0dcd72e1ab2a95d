-- Codes sent by text message, and the outbox (the default SMS "provider").

-- Every code texted, kept a day for the send limits. A code is bound to what
-- it was sent for: a pending phone factor (enrollment) or a half-signed-in
-- session (sign-in). Only its keyed hash is stored.
CREATE TABLE texted_codes (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    factor_id       INTEGER REFERENCES factors (id) ON DELETE SET NULL, -- kept for the limits when the factor goes
    purpose         TEXT    NOT NULL,          -- 'enroll' or 'sign_in'
    session_hash    TEXT,                      -- sign-in: the session it completes
    salt            TEXT    NOT NULL,
    code_hash       TEXT    NOT NULL,          -- HMAC, see domain/texted_code.rs
    number_hash     TEXT    NOT NULL,          -- HMAC of the E.164 number (per-number limit)
    ip              TEXT,
    idempotency_key TEXT    NOT NULL,
    state           TEXT    NOT NULL,          -- sending, sent, unconfirmed, failed, used, void
    wrong_tries     INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX texted_codes_idempotency ON texted_codes (user_id, idempotency_key);
CREATE INDEX texted_codes_by_user ON texted_codes (user_id, created_at);
CREATE INDEX texted_codes_by_number ON texted_codes (number_hash, created_at);
CREATE INDEX texted_codes_by_ip ON texted_codes (ip, created_at);

-- Messages "sent" by the outbox provider, newest last.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,              -- 'sms' or 'email'
    recipient   TEXT    NOT NULL,
    subject     TEXT,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
