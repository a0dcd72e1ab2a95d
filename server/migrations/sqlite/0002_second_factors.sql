-- Second factors, recovery codes, guessing limits and the audit log.

-- 'second_factor': the password was right, the second step is still due.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
-- Until when sensitive actions are allowed without typing the password again.
ALTER TABLE sessions ADD COLUMN reauth_until INTEGER NOT NULL DEFAULT 0;

CREATE TABLE totp_factors (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT    NOT NULL,          -- AES-256-GCM, see domain/seal.rs
    created_at    INTEGER NOT NULL,
    confirmed_at  INTEGER,                   -- NULL while pending
    last_used_at  INTEGER,
    last_step     INTEGER                    -- last accepted time step (replay guard)
);
CREATE INDEX totp_factors_by_user ON totp_factors (user_id);
CREATE UNIQUE INDEX totp_factors_one_pending ON totp_factors (user_id) WHERE confirmed_at IS NULL;

CREATE TABLE recovery_codes (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,            -- argon2id PHC string
    created_at  INTEGER NOT NULL
);

CREATE TABLE attempt_limits (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('code', 'reauth')),
    failures      INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0,  -- 0: not locked
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    ip          TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX audit_events_by_user ON audit_events (user_id, created_at);
