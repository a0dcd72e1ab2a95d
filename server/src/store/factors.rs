use mfa_api::FactorKind;

use super::{Tx, flag};
use crate::domain::clock::UnixTime;

/// A second factor of any kind, as stored. A secret stays sealed here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactorRow {
    pub id: i64,
    pub kind: FactorKind,
    pub label: Option<String>,
    pub secret_sealed: String,
    pub created_at: UnixTime,
    pub confirmed_at: Option<UnixTime>,
    pub last_used_at: Option<UnixTime>,
    pub last_step: Option<i64>,
    pub preferred: bool,
}

/// The kind as stored (and named in the audit log).
pub fn kind_name(kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::AuthenticatorApp => "authenticator_app",
        FactorKind::Sms => "sms",
        FactorKind::Passkey => "passkey",
    }
}

fn kind_from_name(name: &str) -> Option<FactorKind> {
    match name {
        "authenticator_app" => Some(FactorKind::AuthenticatorApp),
        "sms" => Some(FactorKind::Sms),
        "passkey" => Some(FactorKind::Passkey),
        _ => None,
    }
}

const COLUMNS: &str =
    "id, kind, label, secret_sealed, created_at, confirmed_at, last_used_at, last_step, preferred";

type Columns = (
    i64,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);

/// A row of a kind this release does not know (written by a newer one) is skipped.
fn factor_row(
    (id, kind, label, secret_sealed, created_at, confirmed_at, last_used_at, last_step, preferred): Columns,
) -> Option<FactorRow> {
    Some(FactorRow {
        id,
        kind: kind_from_name(&kind)?,
        label,
        secret_sealed,
        created_at,
        confirmed_at,
        last_used_at,
        last_step,
        preferred: flag(preferred),
    })
}

impl Tx {
    /// The user's confirmed factors, the preferred one first, then oldest first.
    pub async fn factors(&mut self, user_id: i64) -> Result<Vec<FactorRow>, sqlx::Error> {
        let rows: Vec<Columns> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM factors WHERE user_id = $1 AND confirmed_at IS NOT NULL \
             ORDER BY preferred DESC, confirmed_at, id"
        ))
        .bind(user_id)
        .fetch_all(self.conn())
        .await?;
        Ok(rows.into_iter().filter_map(factor_row).collect())
    }

    /// The user's factor of this kind that waits for its first code.
    pub async fn pending_factor(
        &mut self,
        user_id: i64,
        kind: FactorKind,
    ) -> Result<Option<FactorRow>, sqlx::Error> {
        let row: Option<Columns> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM factors WHERE user_id = $1 AND kind = $2 AND confirmed_at IS NULL"
        ))
        .bind(user_id)
        .bind(kind_name(kind))
        .fetch_optional(self.conn())
        .await?;
        Ok(row.and_then(factor_row))
    }

    /// Adds a pending factor of this kind, replacing the user's earlier
    /// pending one of the same kind; returns its id.
    pub async fn add_pending_factor(
        &mut self,
        user_id: i64,
        kind: FactorKind,
        label: Option<&str>,
        now: UnixTime,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query(
            "DELETE FROM factors WHERE user_id = $1 AND kind = $2 AND confirmed_at IS NULL",
        )
        .bind(user_id)
        .bind(kind_name(kind))
        .execute(self.conn())
        .await?;
        sqlx::query_scalar(
            "INSERT INTO factors (user_id, kind, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(kind_name(kind))
        .bind(label)
        .bind(now)
        .fetch_one(self.conn())
        .await
    }

    pub async fn set_factor_secret(
        &mut self,
        factor_id: i64,
        sealed: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE factors SET secret_sealed = $1 WHERE id = $2")
            .bind(sealed)
            .bind(factor_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Records `step` as used, only if it is newer than the last one: of two
    /// requests racing with the same code, exactly one gets `true`.
    pub async fn claim_factor_step(
        &mut self,
        factor_id: i64,
        step: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE factors SET last_step = $1 \
             WHERE id = $2 AND (last_step IS NULL OR last_step < $1)",
        )
        .bind(step)
        .bind(factor_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a sign-in with a factor (shown as its "last used").
    pub async fn factor_used(&mut self, factor_id: i64, now: UnixTime) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE factors SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(factor_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// Confirms the user's pending factor; false when it is no longer pending.
    pub async fn confirm_factor(
        &mut self,
        user_id: i64,
        factor_id: i64,
        now: UnixTime,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE factors SET confirmed_at = $1 WHERE id = $2 AND user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(now)
        .bind(factor_id)
        .bind(user_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes one of the user's confirmed factors; false when there is none by that id.
    pub async fn delete_factor(
        &mut self,
        user_id: i64,
        factor_id: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM factors WHERE id = $1 AND user_id = $2 AND confirmed_at IS NOT NULL",
        )
        .bind(factor_id)
        .bind(user_id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes every factor of the user, pending or not; returns how many.
    pub async fn delete_all_factors(&mut self, user_id: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("DELETE FROM factors WHERE user_id = $1")
            .bind(user_id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected())
    }

    /// How many factors hold a secret sealed with the server key.
    pub async fn sealed_secret_count(&mut self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM factors WHERE secret_sealed <> '') \
             + (SELECT COUNT(*) FROM passkeys) \
             + (SELECT COUNT(*) FROM signing_keys)",
        )
        .fetch_one(self.conn())
        .await
    }

    /// Makes `factor_id` the user's only preferred factor.
    pub async fn set_preferred_factor(
        &mut self,
        user_id: i64,
        factor_id: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE factors SET preferred = 0 WHERE user_id = $1 AND preferred = 1 AND id <> $2",
        )
        .bind(user_id)
        .bind(factor_id)
        .execute(self.conn())
        .await?;
        sqlx::query("UPDATE factors SET preferred = 1 WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(factor_id)
            .execute(self.conn())
            .await
            .map(drop)
    }
}
