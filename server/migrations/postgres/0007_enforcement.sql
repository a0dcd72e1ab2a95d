-- The company's enforcement date (domain/deadline.rs), and when each user
-- first signed in (people who join after the deadline get their own window).
ALTER TABLE company_settings ADD COLUMN enforcement_date TEXT;            -- YYYY-MM-DD, or NULL
ALTER TABLE company_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE company_settings ADD COLUMN deadline BIGINT;                   -- 00:00 of the date in the zone
ALTER TABLE company_settings ADD COLUMN grace_days BIGINT NOT NULL DEFAULT 14;
ALTER TABLE users ADD COLUMN first_sign_in_at BIGINT;
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;

-- What an email belongs to (company:<id>:deadline:<unix>), so that moving
-- or clearing a deadline cancels the emails planned for the old one.
ALTER TABLE email_queue ADD COLUMN topic TEXT;
CREATE INDEX email_queue_by_topic ON email_queue (topic);
