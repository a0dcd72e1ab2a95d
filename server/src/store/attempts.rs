use super::Store;
use crate::domain::attempts::{AttemptKind, Attempts};
use crate::domain::clock::UnixTime;

/// Far more rounds than concurrent requests of one user can force.
const CAS_ROUNDS: usize = 64;

/// Stored as 0 when not locked (NULL comparisons differ between engines).
fn from_row((failures, locked_until): (i64, i64)) -> Attempts {
    Attempts {
        failures,
        locked_until: (locked_until != 0).then_some(locked_until),
    }
}

impl Store {
    pub async fn attempts(&self, user_id: i64, kind: AttemptKind) -> Result<Attempts, sqlx::Error> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT failures, locked_until FROM attempt_limits WHERE user_id = $1 AND kind = $2",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(from_row).unwrap_or_default())
    }

    /// Counts one more wrong answer, by the domain's rule, and returns the new
    /// state. Compare-and-swap, so concurrent failures are all counted; gives
    /// up (as an error) only if the row keeps changing or vanishes.
    pub async fn record_failure(
        &self,
        user_id: i64,
        kind: AttemptKind,
        now: UnixTime,
    ) -> Result<Attempts, sqlx::Error> {
        sqlx::query("INSERT INTO attempt_limits (user_id, kind) VALUES ($1, $2) ON CONFLICT (user_id, kind) DO NOTHING")
            .bind(user_id)
            .bind(kind.as_str())
            .execute(&self.pool)
            .await?;
        for _ in 0..CAS_ROUNDS {
            let before = self.attempts(user_id, kind).await?;
            let after = before.after_failure(now);
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
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                return Ok(after);
            }
        }
        Err(sqlx::Error::Protocol(
            "attempt counter kept changing under concurrent updates".into(),
        ))
    }

    /// A right answer: the count starts again.
    pub async fn reset_failures(&self, user_id: i64, kind: AttemptKind) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE attempt_limits SET failures = 0 WHERE user_id = $1 AND kind = $2 AND failures <> 0")
            .bind(user_id)
            .bind(kind.as_str())
            .execute(&self.pool)
            .await
            .map(drop)
    }
}
