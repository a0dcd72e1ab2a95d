use super::Store;
use crate::domain::clock::UnixTime;
use crate::domain::session::{SessionIdHash, SessionTimes};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub user_id: i64,
    pub times: SessionTimes,
}

impl Store {
    pub async fn create_session(
        &self,
        id: &SessionIdHash,
        user_id: i64,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(now)
        .bind(SessionTimes::hard_expiry(now))
        .execute(&self.pool)
        .await
        .map(drop)
    }

    pub async fn session(&self, id: &SessionIdHash) -> Result<Option<SessionRow>, sqlx::Error> {
        let row: Option<(i64, i64, i64)> = sqlx::query_as(
            "SELECT user_id, created_at, last_seen_at FROM sessions WHERE id_hash = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(user_id, created_at, last_seen_at)| SessionRow {
            user_id,
            times: SessionTimes {
                created_at,
                last_seen_at,
            },
        }))
    }

    pub async fn touch_session(
        &self,
        id: &SessionIdHash,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .map(drop)
    }

    pub async fn delete_session(&self, id: &SessionIdHash) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .map(drop)
    }

    /// Drops sessions past their absolute end. Returns how many went.
    pub async fn delete_expired_sessions(&self, now: UnixTime) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
