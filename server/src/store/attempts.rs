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
    pub async fn attempts(
        &mut self,
        user_id: i64,
        kind: AttemptKind,
    ) -> Result<Attempts, sqlx::Error> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT failures, locked_until FROM attempt_limits WHERE user_id = $1 AND kind = $2",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(from_row).unwrap_or_default())
    }

    /// Stores the count computed from `before`, only if the row still holds
    /// `before` (compare-and-swap): false when a concurrent transaction
    /// changed it first, and the caller should read it again.
    pub async fn swap_attempts(
        &mut self,
        user_id: i64,
        kind: AttemptKind,
        before: Attempts,
        after: Attempts,
    ) -> Result<bool, sqlx::Error> {
        sqlx::query("INSERT INTO attempt_limits (user_id, kind) VALUES ($1, $2) ON CONFLICT (user_id, kind) DO NOTHING")
            .bind(user_id)
            .bind(kind.as_str())
            .execute(self.conn())
            .await?;
        let done = sqlx::query(
            "UPDATE attempt_limits SET failures = $1, locked_until = $2 \
             WHERE user_id = $3 AND kind = $4 AND failures = $5 AND locked_until = $6",
        )
        .bind(after.failures)
        .bind(after.locked_until.unwrap_or(0))
        .bind(user_id)
        .bind(kind.as_str())
        .bind(before.failures)
        .bind(before.locked_until.unwrap_or(0))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A right answer: the count starts again.
    pub async fn reset_failures(
        &mut self,
        user_id: i64,
        kind: AttemptKind,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE attempt_limits SET failures = 0 WHERE user_id = $1 AND kind = $2 AND failures <> 0")
            .bind(user_id)
            .bind(kind.as_str())
            .execute(self.conn())
            .await
            .map(drop)
    }
}
