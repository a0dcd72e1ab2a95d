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

    /// The count for this user and kind as it stands (none yet: zero).
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

    /// Sets the count to `after` only if it is still `before` (none yet
    /// counts as zero), in one statement: false when another write came
    /// first. A compare-and-set, so two claims that read the same count
    /// cannot both be granted.
    pub async fn swap_attempts(
        &mut self,
        user_id: i64,
        kind: AttemptKind,
        before: Attempts,
        after: Attempts,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO attempt_limits (user_id, kind, failures, locked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, kind) DO UPDATE SET failures = $3, locked_until = $4 \
             WHERE attempt_limits.failures = $5 AND attempt_limits.locked_until = $6",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .bind(after.failures)
        .bind(after.locked_until.unwrap_or(0))
        .bind(before.failures)
        .bind(before.locked_until.unwrap_or(0))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
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
