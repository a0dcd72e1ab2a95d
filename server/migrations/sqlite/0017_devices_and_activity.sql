-- Trusted browsers ("Don't ask again on this browser for N days"): the
-- SHA-256 of each browser's token, with its user, a label from its
-- User-Agent ("browser/system"), and its times.
CREATE TABLE trusted_browsers (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    TEXT    NOT NULL UNIQUE,
    browser       TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX trusted_browsers_by_user ON trusted_browsers (user_id);
CREATE INDEX trusted_browsers_by_expiry ON trusted_browsers (expires_at);

-- For how many days a company's members' browsers may skip the second
-- step (0 to 90; 0 turns it off).
ALTER TABLE company_settings ADD COLUMN trusted_browser_days INTEGER NOT NULL DEFAULT 30;

-- Where each session is: a handle to name it by in the list (not its id),
-- the browser, and the address with when it was first seen.
ALTER TABLE sessions ADD COLUMN handle TEXT NOT NULL DEFAULT '';
UPDATE sessions SET handle = substr(id_hash, 1, 32);
ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN ip_since INTEGER NOT NULL DEFAULT 0;

-- The browser of each audit event, and the user's own events newest first
-- (by time, then id).
ALTER TABLE audit_events ADD COLUMN browser TEXT NOT NULL DEFAULT '';
DROP INDEX audit_events_by_user;
CREATE INDEX audit_events_by_user ON audit_events (user_id, created_at, id);

-- Which companies' audit logs show each event: the company of an admin's
-- action, or every company the person belonged to when it happened. Kept
-- with what the log filters on, so each page (newest first: by time, then
-- id) is one index range, whatever the filter.
CREATE TABLE audit_event_companies (
    event_id    INTEGER NOT NULL REFERENCES audit_events (id) ON DELETE CASCADE,
    company_id  INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    user_id     INTEGER,
    kind        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (event_id, company_id)
);
CREATE INDEX audit_log_by_company ON audit_event_companies (company_id, created_at, event_id);
CREATE INDEX audit_log_by_member ON audit_event_companies (company_id, user_id, created_at, event_id);
CREATE INDEX audit_log_by_kind ON audit_event_companies (company_id, kind, created_at, event_id);
INSERT INTO audit_event_companies (event_id, company_id, user_id, kind, created_at)
    SELECT e.id, m.company_id, e.user_id, e.kind, e.created_at
    FROM audit_events e JOIN memberships m ON m.user_id = e.user_id;
