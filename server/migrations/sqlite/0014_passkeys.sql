-- Passkeys (WebAuthn). A passkey is a factor of kind 'passkey'; its public
-- credential lives here, with what the authenticator last reported.

-- The user handle every passkey of a user carries (WebAuthn's user.id: a
-- random UUID, given with the first passkey; never the email or the row id).
-- A discoverable credential names its user by it.
ALTER TABLE users ADD COLUMN webauthn_handle TEXT;
CREATE UNIQUE INDEX users_by_webauthn_handle ON users (webauthn_handle);

CREATE TABLE passkeys (
    factor_id        INTEGER PRIMARY KEY REFERENCES factors (id) ON DELETE CASCADE,
    -- base64url; a credential belongs to one account only, whoever's it is.
    credential_id    TEXT    NOT NULL UNIQUE,
    credential       TEXT    NOT NULL,             -- webauthn-rs Passkey (JSON), sealed with the server key
    sign_count       INTEGER NOT NULL DEFAULT 0,   -- a count going backwards means a cloned key
    backup_eligible  INTEGER NOT NULL DEFAULT 0 CHECK (backup_eligible IN (0, 1)),
    backup_state     INTEGER NOT NULL DEFAULT 0 CHECK (backup_state IN (0, 1))
);

-- A WebAuthn ceremony under way: its state stays on the server, bound to
-- the session that asked for it (none for "Sign in with a passkey": then to
-- the browser, by a random id only it holds), taken once, for 5 minutes.
CREATE TABLE webauthn_ceremonies (
    id_hash       TEXT    PRIMARY KEY,             -- SHA-256 of 256 random bits
    purpose       TEXT    NOT NULL,                -- 'register', 'second_factor', 'sign_in'
    session_hash  TEXT,                            -- NULL only for 'sign_in'
    user_id       INTEGER REFERENCES users (id) ON DELETE CASCADE,
    state         TEXT    NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX webauthn_ceremonies_by_expiry ON webauthn_ceremonies (expires_at);
