use mfa_api::{OutboxChannel, OutboxMessage};

use super::Tx;
use crate::domain::clock::UnixTime;

fn channel_name(channel: OutboxChannel) -> &'static str {
    match channel {
        OutboxChannel::Sms => "sms",
        OutboxChannel::Email => "email",
    }
}

impl Tx {
    /// Keeps a message in the outbox; returns its id.
    pub async fn put_in_outbox(
        &mut self,
        channel: OutboxChannel,
        recipient: &str,
        subject: Option<&str>,
        body: &str,
        now: UnixTime,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO outbox (channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(channel_name(channel))
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(now)
        .fetch_one(self.conn())
        .await
    }

    /// The newest `limit` messages, newest first.
    pub async fn outbox(&mut self, limit: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
        let rows: Vec<(i64, String, String, Option<String>, String, i64)> = sqlx::query_as(
            "SELECT id, channel, recipient, subject, body, created_at FROM outbox ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, channel, to, subject, body, created_at)| OutboxMessage {
                    id,
                    channel: match channel.as_str() {
                        "email" => OutboxChannel::Email,
                        _ => OutboxChannel::Sms,
                    },
                    to,
                    subject,
                    body,
                    created_at,
                },
            )
            .collect())
    }
}
