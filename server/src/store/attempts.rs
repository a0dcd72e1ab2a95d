use super::Tx;
use crate::domain::attempts::{AttemptKind, Attempts};

/// Stored as 0 when not locked (NULL comparisons differ between engines).
fn from_row((failures, locked_until): (i64, i64)) -> Attempts {
    Attempts {
        failures,
        locked_until: (locked_until != 0).then_some(locked_until),
    }
}

impl Tx {
    /// The count for this user and kind, locked against concurrent
    /// transactions until this one ends (so claims are counted one at a time).
    pub async fn attempts_for_update(
        &mut self,
        user_id: i64,
        kind: AttemptKind,
    ) -> Result<Attempts, sqlx::Error> {
        sqlx::query("INSERT INTO attempt_limits (user_id, kind) VALUES ($1, $2) ON CONFLICT (user_id, kind) DO NOTHING")
            .bind(user_id)
            .bind(kind.as_str())
            .execute(self.conn())
            .await?;
        let sql = format!(
            "SELECT failures, locked_until FROM attempt_limits WHERE user_id = $1 AND kind = $2{}",
            self.for_update()
        );
        let row: (i64, i64) = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(kind.as_str())
            .fetch_one(self.conn())
            .await?;
        Ok(from_row(row))
    }

    pub async fn set_attempts(
        &mut self,
        user_id: i64,
        kind: AttemptKind,
        attempts: Attempts,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE attempt_limits SET failures = $1, locked_until = $2 WHERE user_id = $3 AND kind = $4",
        )
        .bind(attempts.failures)
        .bind(attempts.locked_until.unwrap_or(0))
        .bind(user_id)
        .bind(kind.as_str())
        .execute(self.conn())
        .await
        .map(drop)
    }
}
