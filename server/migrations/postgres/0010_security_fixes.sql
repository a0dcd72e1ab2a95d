-- Known-device tokens carry the epoch they were issued in; a password
-- change or an MFA reset bumps it, and older tokens stop counting.
ALTER TABLE users ADD COLUMN device_epoch BIGINT NOT NULL DEFAULT 0;

-- When a session's stage must be decided again (a deadline of one of the
-- user's companies, or a change to the policy, the memberships or the
-- factors); 0: never. Sessions already open are checked once.
ALTER TABLE sessions ADD COLUMN recheck_at BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET recheck_at = 1 WHERE stage = 'full';

-- Each start of a deadline's announcement, for the daily limit per company.
CREATE TABLE announcement_starts (
    company_id  BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    started_at  BIGINT NOT NULL
);
CREATE INDEX announcement_starts_by_company ON announcement_starts (company_id, started_at);
