use super::Store;
use crate::domain::clock::UnixTime;

/// An authenticator app (TOTP) as stored: the secret stays sealed here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpRow {
    pub id: i64,
    pub secret_sealed: String,
    pub created_at: UnixTime,
    pub confirmed_at: Option<UnixTime>,
    pub last_used_at: Option<UnixTime>,
    pub last_step: Option<i64>,
}

const TOTP_COLUMNS: &str = "id, secret_sealed, created_at, confirmed_at, last_used_at, last_step";

type TotpTuple = (i64, String, i64, Option<i64>, Option<i64>, Option<i64>);

fn totp_row(
    (id, secret_sealed, created_at, confirmed_at, last_used_at, last_step): TotpTuple,
) -> TotpRow {
    TotpRow {
        id,
        secret_sealed,
        created_at,
        confirmed_at,
        last_used_at,
        last_step,
    }
}

impl Store {
    /// Replaces the user's pending authenticator (if any) with a new one.
    /// `seal` gets the new factor's id, so the sealed secret can be bound to it.
    pub async fn replace_pending_totp(
        &self,
        user_id: i64,
        now: UnixTime,
        seal: impl FnOnce(i64) -> String,
    ) -> Result<i64, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO totp_factors (user_id, secret_sealed, created_at) VALUES ($1, '', $2) RETURNING id",
        )
        .bind(user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE totp_factors SET secret_sealed = $1 WHERE id = $2")
            .bind(seal(id))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn pending_totp(&self, user_id: i64) -> Result<Option<TotpRow>, sqlx::Error> {
        let row: Option<TotpTuple> = sqlx::query_as(&format!(
            "SELECT {TOTP_COLUMNS} FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NULL"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(totp_row))
    }

    pub async fn confirmed_totp(&self, user_id: i64) -> Result<Option<TotpRow>, sqlx::Error> {
        let row: Option<TotpTuple> = sqlx::query_as(&format!(
            "SELECT {TOTP_COLUMNS} FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL \
             ORDER BY confirmed_at DESC, id DESC LIMIT 1"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(totp_row))
    }

    pub async fn confirmed_factor_count(&self, user_id: i64) -> Result<usize, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM totp_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Records `step` as used, only if it is newer than the last one: of two
    /// requests racing with the same code, exactly one gets `true`.
    pub async fn claim_totp_step(
        &self,
        factor_id: i64,
        step: i64,
        now: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_step = $1, \
             last_used_at = CASE WHEN confirmed_at IS NULL THEN last_used_at ELSE $3 END \
             WHERE id = $2 AND (last_step IS NULL OR last_step < $1)",
        )
        .bind(step)
        .bind(factor_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes the pending factor the user's authenticator, replacing any earlier one.
    pub async fn confirm_totp(
        &self,
        user_id: i64,
        factor_id: i64,
        now: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE totp_factors SET confirmed_at = $1 WHERE id = $2 AND user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(factor_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM totp_factors WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(factor_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a confirmed authenticator of this user; false when there is none by that id.
    pub async fn delete_totp(&self, user_id: i64, factor_id: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM totp_factors WHERE id = $1 AND user_id = $2 AND confirmed_at IS NOT NULL",
        )
        .bind(factor_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The active recovery code's hash and creation time.
    pub async fn recovery_code(
        &self,
        user_id: i64,
    ) -> Result<Option<(String, UnixTime)>, sqlx::Error> {
        sqlx::query_as("SELECT code_hash, created_at FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Makes `code_hash` the user's one active recovery code (voiding the old one).
    pub async fn set_recovery_code(
        &self,
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
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// Uses up the recovery code whose hash is `code_hash`: of concurrent
    /// callers with the same code, exactly one gets `true`.
    pub async fn consume_recovery_code(
        &self,
        user_id: i64,
        code_hash: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1 AND code_hash = $2")
            .bind(user_id)
            .bind(code_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_recovery_code(&self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map(drop)
    }
}
