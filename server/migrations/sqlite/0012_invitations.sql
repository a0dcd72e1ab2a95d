-- Invitations to join a company. Only the SHA-256 of a link's 256-bit
-- token is kept; resending gives the row a new token (the old link stops
-- working). A company has at most one pending invitation per address.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,          -- normalised
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('member', 'admin', 'payee')),
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,  -- NULL: the operator
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'revoked')),
    ended_at    INTEGER
);
CREATE UNIQUE INDEX invitations_one_pending ON invitations (company_id, email) WHERE state = 'pending';
