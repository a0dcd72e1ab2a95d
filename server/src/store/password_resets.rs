use super::Tx;
use crate::domain::clock::UnixTime;

/// A reset link as stored (its token's hash only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordResetRow {
    pub id: i64,
    pub user_id: i64,
    pub expires_at: UnixTime,
    /// Set once used or replaced by a newer link.
    pub used_at: Option<UnixTime>,
}

impl Tx {
    /// Stores a new link for the user; their earlier links stop working.
    pub async fn insert_password_reset(
        &mut self,
        user_id: i64,
        token_hash: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .execute(self.conn())
        .await?;
        sqlx::query_scalar(
            "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(self.conn())
        .await
    }

    /// The link whose token hashes to `token_hash`, if any.
    pub async fn password_reset(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetRow>, sqlx::Error> {
        let row: Option<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.conn())
        .await?;
        Ok(
            row.map(|(id, user_id, expires_at, used_at)| PasswordResetRow {
                id,
                user_id,
                expires_at,
                used_at,
            }),
        )
    }

    /// Uses the link up, if it still works: of concurrent uses, one gets `true`.
    pub async fn use_password_reset(
        &mut self,
        id: i64,
        now: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE password_resets SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a request for a link under each of `key_hashes` (the address
    /// asked for, the client's network), forgetting those past `forget_before`.
    pub async fn record_reset_request(
        &mut self,
        key_hashes: &[&str],
        now: UnixTime,
        forget_before: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM password_reset_requests WHERE requested_at < $1")
            .bind(forget_before)
            .execute(self.conn())
            .await?;
        for key in key_hashes {
            sqlx::query(
                "INSERT INTO password_reset_requests (key_hash, requested_at) VALUES ($1, $2)",
            )
            .bind(*key)
            .bind(now)
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }

    /// Requests for a link under `key_hash` since `since`, oldest first.
    pub async fn reset_requests_since(
        &mut self,
        key_hash: &str,
        since: UnixTime,
    ) -> Result<Vec<UnixTime>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT requested_at FROM password_reset_requests WHERE key_hash = $1 AND requested_at > $2 ORDER BY requested_at",
        )
        .bind(key_hash)
        .bind(since)
        .fetch_all(self.conn())
        .await
    }
}
