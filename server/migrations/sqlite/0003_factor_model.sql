-- One table for every kind of second factor (authenticator app now; SMS and
-- passkeys later), company settings, and attempt kinds open to new checks.

CREATE TABLE factors (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,          -- 'authenticator_app', ...
    label         TEXT,                      -- tells factors of one kind apart (a masked phone number)
    secret_sealed TEXT    NOT NULL DEFAULT '', -- AES-256-GCM, see domain/seal.rs; '' for kinds without one
    created_at    INTEGER NOT NULL,
    confirmed_at  INTEGER,                   -- NULL while pending
    last_used_at  INTEGER,
    last_step     INTEGER,                   -- authenticator apps: last accepted time step (replay guard)
    preferred     INTEGER NOT NULL DEFAULT 0 CHECK (preferred IN (0, 1))
);
CREATE INDEX factors_by_user ON factors (user_id);
CREATE UNIQUE INDEX factors_one_pending_per_kind ON factors (user_id, kind) WHERE confirmed_at IS NULL;
CREATE UNIQUE INDEX factors_one_preferred ON factors (user_id) WHERE preferred = 1;

-- Ids are kept: sealed secrets are bound to them.
INSERT INTO factors (id, user_id, kind, secret_sealed, created_at, confirmed_at, last_used_at, last_step, preferred)
SELECT id, user_id, 'authenticator_app', secret_sealed, created_at, confirmed_at, last_used_at, last_step,
       CASE WHEN confirmed_at IS NULL THEN 0 ELSE 1 END
FROM totp_factors;
DROP TABLE totp_factors;

-- Per company; no row means the defaults.
CREATE TABLE company_settings (
    company_id    INTEGER PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    mfa_required  INTEGER NOT NULL DEFAULT 0 CHECK (mfa_required IN (0, 1)),
    updated_at    INTEGER NOT NULL
);

-- Attempt kinds are the domain's (domain/attempts.rs): no fixed list here.
CREATE TABLE attempt_limits_new (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0,  -- 0: not locked
    PRIMARY KEY (user_id, kind)
);
INSERT INTO attempt_limits_new SELECT user_id, kind, failures, locked_until FROM attempt_limits;
DROP TABLE attempt_limits;
ALTER TABLE attempt_limits_new RENAME TO attempt_limits;
