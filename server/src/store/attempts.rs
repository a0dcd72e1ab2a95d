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
        // One statement: creates the row when missing; on PostgreSQL the
        // conflicting update takes the row lock, as FOR UPDATE would.
        let row: (i64, i64) = sqlx::query_as(
            "INSERT INTO attempt_limits (user_id, kind) VALUES ($1, $2) \
             ON CONFLICT (user_id, kind) DO UPDATE SET failures = attempt_limits.failures \
             RETURNING failures, locked_until",
        )
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

    /// Forgets every count and lock of the user, of every kind.
    pub async fn clear_attempts(&mut self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM attempt_limits WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }
}
