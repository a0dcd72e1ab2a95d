-- The company's other apps, signing their people in through OpenID Connect.
-- Secrets, codes and access tokens are kept only as SHA-256 hashes (each is
-- 256 random bits); signing keys are sealed with the server key.

-- How each session was signed in, as RFC 8176 method names ("pwd otp"),
-- for the `amr` claim of the ID tokens it gives.
ALTER TABLE sessions ADD COLUMN methods TEXT NOT NULL DEFAULT '';

CREATE TABLE apps (
    id                        INTEGER PRIMARY KEY,
    company_id                INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    client_id                 TEXT    NOT NULL UNIQUE,
    name                      TEXT    NOT NULL,
    secret_hash               TEXT,                 -- NULL: a public client (PKCE only)
    redirect_uris             TEXT    NOT NULL,     -- one per line, matched exactly
    logout_uris               TEXT    NOT NULL DEFAULT '',
    require_mfa               INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa IN (0, 1)),
    created_by                INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at                INTEGER NOT NULL
);
CREATE INDEX apps_by_company ON apps (company_id);

CREATE TABLE authorization_codes (
    code_hash       TEXT    PRIMARY KEY,
    app_id          INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri    TEXT    NOT NULL,
    code_challenge  TEXT    NOT NULL,
    nonce           TEXT,
    scope           TEXT    NOT NULL,
    methods         TEXT    NOT NULL,
    auth_time       INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER                         -- NULL: not exchanged yet
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);

CREATE TABLE access_tokens (
    token_hash  TEXT    PRIMARY KEY,
    code_hash   TEXT    NOT NULL,                   -- revoked with it when the code is replayed
    app_id      INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope       TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX access_tokens_by_code ON access_tokens (code_hash);
CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);

CREATE TABLE signing_keys (
    kid         TEXT    PRIMARY KEY,
    sealed_key  TEXT    NOT NULL,                   -- PKCS#1 PEM, sealed with the server key
    public_jwk  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER                             -- NULL: the key that signs now
);
