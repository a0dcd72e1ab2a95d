-- Companies, their people and browser sessions.
-- Portable on purpose: timestamps are Unix seconds, flags are 0/1 integers,
-- so the same queries run on SQLite and PostgreSQL (see ../postgres).

CREATE TABLE companies (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE,  -- lower-cased at the edge
    name           TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,         -- argon2id PHC string
    created_at     INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    payee       INTEGER NOT NULL DEFAULT 0 CHECK (payee IN (0, 1)),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, company_id)
);
CREATE INDEX memberships_by_company ON memberships (company_id);

CREATE TABLE sessions (
    id_hash       TEXT    PRIMARY KEY,       -- SHA-256 of the cookie value, hex
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL           -- absolute end; idle end is computed
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
