-- Links to choose a new password ("Forgot your password?"). Only the
-- SHA-256 of a link's 256-bit token is kept; a link works once, for 30
-- minutes, and a newer one voids the older (used_at is set then too).
CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER                    -- NULL while the link works
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- Every request for a link, by the hash of the address asked for and of
-- the client's network, for the hourly limits (known address or not).
CREATE TABLE password_reset_requests (
    key_hash      TEXT    NOT NULL,
    requested_at  INTEGER NOT NULL
);
CREATE INDEX password_reset_requests_by_key ON password_reset_requests (key_hash, requested_at);
