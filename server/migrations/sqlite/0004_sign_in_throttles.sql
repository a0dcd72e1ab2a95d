-- Password sign-in throttles, per account (normalised email, known or not)
-- and per client IP; keys are SHA-256 hashes, never the email or address.
CREATE TABLE sign_in_throttles (
    scope          TEXT    NOT NULL,           -- 'account' or 'ip'
    key_hash       TEXT    NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    window_start   INTEGER NOT NULL DEFAULT 0,
    blocked_until  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key_hash)
);
