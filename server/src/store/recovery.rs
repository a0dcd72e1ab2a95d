use super::Tx;
use crate::domain::clock::UnixTime;

impl Tx {
    /// The active recovery code's hash and creation time.
    pub async fn recovery_code(
        &mut self,
        user_id: i64,
    ) -> Result<Option<(String, UnixTime)>, sqlx::Error> {
        sqlx::query_as("SELECT code_hash, created_at FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.conn())
            .await
    }

    /// Makes `code_hash` the user's one active recovery code (voiding the old one).
    pub async fn set_recovery_code(
        &mut self,
        user_id: i64,
        code_hash: &str,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(code_hash)
        .bind(now)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Deletes the recovery code only if it is still `code_hash`: of concurrent
    /// callers with the same code, exactly one gets `true`.
    pub async fn consume_recovery_code(
        &mut self,
        user_id: i64,
        code_hash: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
            .bind(user_id)
            .bind(code_hash)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_recovery_code(&mut self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }
}
