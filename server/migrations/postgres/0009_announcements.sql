-- A deadline being announced to a company's members, one slice of members
-- per transaction so that sign-ins and other writes are not kept waiting
-- behind 100,000 emails. The row lives until every member not enrolled has
-- their emails queued; a server that stops midway resumes from after_user_id.
CREATE TABLE deadline_announcements (
    company_id     BIGINT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    deadline       BIGINT NOT NULL,
    set_at         BIGINT NOT NULL,   -- when the deadline was set: the key of its emails
    after_user_id  BIGINT NOT NULL DEFAULT 0
);
-- A company's members in id order, a slice at a time.
CREATE INDEX memberships_by_company_user ON memberships (company_id, user_id);
