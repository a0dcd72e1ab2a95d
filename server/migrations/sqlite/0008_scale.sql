-- Counting each member's sent reminders on the readiness page without
-- scanning the whole queue (100,000 members make it hundreds of thousands of rows).
CREATE INDEX email_queue_by_user ON email_queue (user_id, topic);
-- The readiness list's default order (by name) read from an index: the first
-- page of a 100,000-member company without sorting them all.
CREATE INDEX users_by_name ON users (lower(name));
