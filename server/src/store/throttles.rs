use super::Tx;
use crate::domain::throttle::{Counter, Scope};

impl Tx {
    /// The counter of `key_hash` in `scope`, locked until this transaction ends.
    pub async fn throttle_for_update(
        &mut self,
        scope: Scope,
        key_hash: &str,
    ) -> Result<Counter, sqlx::Error> {
        sqlx::query("INSERT INTO sign_in_throttles (scope, key_hash) VALUES ($1, $2) ON CONFLICT (scope, key_hash) DO NOTHING")
            .bind(scope.as_str())
            .bind(key_hash)
            .execute(self.conn())
            .await?;
        let sql = format!(
            "SELECT failures, window_start, blocked_until FROM sign_in_throttles WHERE scope = $1 AND key_hash = $2{}",
            self.for_update()
        );
        let (failures, window_start, blocked_until): (i64, i64, i64) = sqlx::query_as(&sql)
            .bind(scope.as_str())
            .bind(key_hash)
            .fetch_one(self.conn())
            .await?;
        Ok(Counter {
            failures,
            window_start,
            blocked_until,
        })
    }

    pub async fn set_throttle(
        &mut self,
        scope: Scope,
        key_hash: &str,
        counter: Counter,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sign_in_throttles SET failures = $1, window_start = $2, blocked_until = $3 WHERE scope = $4 AND key_hash = $5",
        )
        .bind(counter.failures)
        .bind(counter.window_start)
        .bind(counter.blocked_until)
        .bind(scope.as_str())
        .bind(key_hash)
        .execute(self.conn())
        .await
        .map(drop)
    }
}
