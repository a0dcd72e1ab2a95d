use super::Tx;
use crate::domain::clock::UnixTime;

/// An email to queue.
#[derive(Debug)]
pub struct NewEmail<'a> {
    /// One email per key, ever: a second enqueue with it does nothing,
    /// unless the first was cancelled before it went out (then it is
    /// queued again, with the new content and time).
    pub dedup_key: &'a str,
    pub user_id: Option<i64>,
    pub recipient: &'a str,
    pub language: &'a str,
    pub kind: &'a str,
    /// JSON for the template.
    pub payload: &'a str,
    pub now: UnixTime,
    pub send_after: UnixTime,
    /// What the email belongs to (`company:<id>:deadline:<unix>`), if anything.
    pub topic: Option<&'a str>,
}

/// A queued email a worker has claimed.
#[derive(Clone, Debug)]
pub struct QueuedEmail {
    pub id: i64,
    pub dedup_key: String,
    pub recipient: String,
    pub language: String,
    pub payload: String,
    pub attempts: i64,
}

impl Tx {
    /// Queues an email, unless one with its key was queued before and not
    /// cancelled; true when queued now.
    pub async fn enqueue_email(&mut self, email: &NewEmail<'_>) -> Result<bool, sqlx::Error> {
        Ok(self.enqueue_emails(std::slice::from_ref(email)).await? == 1)
    }

    /// Queues many emails in a few statements (those whose key was queued
    /// before are skipped, unless cancelled unsent: those are queued
    /// again); returns how many were queued.
    pub async fn enqueue_emails(&mut self, emails: &[NewEmail<'_>]) -> Result<u64, sqlx::Error> {
        /// Rows per statement: 9 parameters each, far below both engines' limits.
        const ROWS: usize = 200;
        let mut queued = 0;
        for chunk in emails.chunks(ROWS) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let p = i * 9;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                        p + 1,
                        p + 2,
                        p + 3,
                        p + 4,
                        p + 5,
                        p + 6,
                        p + 7,
                        p + 8,
                        p + 9
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO email_queue (dedup_key, user_id, recipient, language, kind, payload, created_at, send_after, topic) \
                 VALUES {} ON CONFLICT (dedup_key) DO UPDATE SET \
                 recipient = excluded.recipient, language = excluded.language, kind = excluded.kind, \
                 payload = excluded.payload, send_after = excluded.send_after, topic = excluded.topic, \
                 cancelled_at = NULL, claimed_until = 0, attempts = 0, last_error = NULL \
                 WHERE email_queue.cancelled_at IS NOT NULL AND email_queue.sent_at IS NULL",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for email in chunk {
                query = query
                    .bind(email.dedup_key)
                    .bind(email.user_id)
                    .bind(email.recipient)
                    .bind(email.language)
                    .bind(email.kind)
                    .bind(email.payload)
                    .bind(email.now)
                    .bind(email.send_after)
                    .bind(email.topic);
            }
            queued += query.execute(self.conn()).await?.rows_affected();
        }
        Ok(queued)
    }

    /// Claims up to `limit` due emails for `worker` until `lease_until`:
    /// each is taken by one worker (rows another transaction holds are
    /// skipped on PostgreSQL; SQLite's writers take turns), and one whose
    /// lease ran out (a crashed worker's) is taken over.
    pub async fn claim_emails(
        &mut self,
        worker: &str,
        now: UnixTime,
        lease_until: UnixTime,
        limit: i64,
    ) -> Result<Vec<QueuedEmail>, sqlx::Error> {
        let skip_locked = match self.for_update() {
            "" => "",
            _ => " FOR UPDATE SKIP LOCKED",
        };
        let rows: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(&format!(
            "UPDATE email_queue SET claimed_by = $1, claimed_until = $2 WHERE id IN (\
               SELECT id FROM email_queue WHERE sent_at IS NULL AND cancelled_at IS NULL \
               AND send_after <= $3 AND claimed_until <= $3 ORDER BY send_after, id LIMIT $4{skip_locked}) \
             RETURNING id, dedup_key, recipient, language, payload, attempts"
        ))
        .bind(worker)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, dedup_key, recipient, language, payload, attempts)| QueuedEmail {
                    id,
                    dedup_key,
                    recipient,
                    language,
                    payload,
                    attempts,
                },
            )
            .collect())
    }

    /// Extends `worker`'s lease on a claimed email until `until`, if the
    /// worker still holds it and it is still to be sent; false otherwise
    /// (another worker took it over, or it was sent or cancelled).
    pub async fn renew_email_lease(
        &mut self,
        id: i64,
        worker: &str,
        until: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE email_queue SET claimed_until = $1 \
             WHERE id = $2 AND claimed_by = $3 AND sent_at IS NULL AND cancelled_at IS NULL",
        )
        .bind(until)
        .bind(id)
        .bind(worker)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Cancels the unsent emails whose topic starts with `prefix`, except
    /// those of topic `keep`; returns how many.
    pub async fn cancel_emails(
        &mut self,
        prefix: &str,
        keep: Option<&str>,
        now: UnixTime,
    ) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE email_queue SET cancelled_at = $1 WHERE sent_at IS NULL AND cancelled_at IS NULL \
             AND topic LIKE $2 AND ($3 IS NULL OR topic <> $3)",
        )
        .bind(now)
        .bind(format!("{prefix}%"))
        .bind(keep)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected())
    }

    /// Cancels one claimed email that no longer applies.
    pub async fn email_cancelled(&mut self, id: i64, now: UnixTime) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE email_queue SET cancelled_at = $1, claimed_until = 0 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Records a sent email (if `worker` still holds it).
    pub async fn email_sent(
        &mut self,
        id: i64,
        worker: &str,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE email_queue SET sent_at = $1, claimed_until = 0 WHERE id = $2 AND claimed_by = $3")
            .bind(now)
            .bind(id)
            .bind(worker)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// A failed try: tried again from `retry_at`.
    pub async fn email_failed(
        &mut self,
        id: i64,
        worker: &str,
        retry_at: UnixTime,
        error: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE email_queue SET attempts = attempts + 1, send_after = $1, claimed_until = 0, last_error = $2 \
             WHERE id = $3 AND claimed_by = $4",
        )
        .bind(retry_at)
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(self.conn())
        .await
        .map(drop)
    }
}
