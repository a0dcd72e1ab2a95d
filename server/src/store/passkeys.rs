use mfa_api::FactorKind;

use super::{Tx, flag, kind_name};

/// A confirmed passkey, as stored. Its credential stays sealed here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyRow {
    pub factor_id: i64,
    pub user_id: i64,
    /// base64url.
    pub credential_id: String,
    /// The webauthn-rs credential (JSON), sealed with the server key.
    pub credential_sealed: String,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
}

/// What an authenticator reported at its last use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasskeyUse<'a> {
    pub credential_sealed: &'a str,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
}

type Columns = (i64, i64, String, String, i64, i64, i64);

const COLUMNS: &str = "p.factor_id, f.user_id, p.credential_id, p.credential, p.sign_count, \
                       p.backup_eligible, p.backup_state";

fn passkey_row(
    (factor_id, user_id, credential_id, credential_sealed, sign_count, eligible, state): Columns,
) -> PasskeyRow {
    PasskeyRow {
        factor_id,
        user_id,
        credential_id,
        credential_sealed,
        sign_count,
        backup_eligible: flag(eligible),
        backup_state: flag(state),
    }
}

impl Tx {
    /// The user's WebAuthn user handle, if they were given one.
    pub async fn webauthn_handle(&mut self, user_id: i64) -> Result<Option<String>, sqlx::Error> {
        let handle: Option<Option<String>> =
            sqlx::query_scalar("SELECT webauthn_handle FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(self.conn())
                .await?;
        Ok(handle.flatten())
    }

    /// Gives the user `handle` unless they have one; returns the one they have.
    pub async fn give_webauthn_handle(
        &mut self,
        user_id: i64,
        handle: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query(
            "UPDATE users SET webauthn_handle = $1 WHERE id = $2 AND webauthn_handle IS NULL",
        )
        .bind(handle)
        .bind(user_id)
        .execute(self.conn())
        .await?;
        self.webauthn_handle(user_id).await
    }

    pub async fn hide_passkey_offer(
        &mut self,
        user_id: i64,
        until: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET passkey_offer_hidden_until = $1 WHERE id = $2")
            .bind(until)
            .bind(user_id)
            .execute(self.conn())
            .await
            .map(drop)
    }

    /// The user a WebAuthn user handle names.
    pub async fn user_by_webauthn_handle(
        &mut self,
        handle: &str,
    ) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM users WHERE webauthn_handle = $1")
            .bind(handle)
            .fetch_optional(self.conn())
            .await
    }

    /// Stores the credential of the pending passkey factor `factor_id`;
    /// false when the credential id is registered already (to anyone).
    pub async fn add_passkey(
        &mut self,
        factor_id: i64,
        credential_id: &str,
        first: PasskeyUse<'_>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO passkeys (factor_id, credential_id, credential, sign_count, backup_eligible, backup_state) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (credential_id) DO NOTHING",
        )
        .bind(factor_id)
        .bind(credential_id)
        .bind(first.credential_sealed)
        .bind(first.sign_count)
        .bind(i64::from(first.backup_eligible))
        .bind(i64::from(first.backup_state))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The user's confirmed passkeys, oldest first.
    pub async fn passkeys(&mut self, user_id: i64) -> Result<Vec<PasskeyRow>, sqlx::Error> {
        let rows: Vec<Columns> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM passkeys p JOIN factors f ON f.id = p.factor_id \
             WHERE f.user_id = $1 AND f.confirmed_at IS NOT NULL ORDER BY f.confirmed_at, f.id"
        ))
        .bind(user_id)
        .fetch_all(self.conn())
        .await?;
        Ok(rows.into_iter().map(passkey_row).collect())
    }

    /// The confirmed passkey with this credential id, whoever's it is.
    pub async fn passkey_by_credential(
        &mut self,
        credential_id: &str,
    ) -> Result<Option<PasskeyRow>, sqlx::Error> {
        let row: Option<Columns> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM passkeys p JOIN factors f ON f.id = p.factor_id \
             WHERE p.credential_id = $1 AND f.confirmed_at IS NOT NULL"
        ))
        .bind(credential_id)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(passkey_row))
    }

    /// Records a use of the passkey, only if its count is still
    /// `seen_count`: of two uses racing, one is recorded.
    pub async fn passkey_used(
        &mut self,
        factor_id: i64,
        seen_count: i64,
        now: PasskeyUse<'_>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE passkeys SET credential = $1, sign_count = $2, backup_eligible = $3, backup_state = $4 \
             WHERE factor_id = $5 AND sign_count = $6",
        )
        .bind(now.credential_sealed)
        .bind(now.sign_count)
        .bind(i64::from(now.backup_eligible))
        .bind(i64::from(now.backup_state))
        .bind(factor_id)
        .bind(seen_count)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Names the user's confirmed factor `factor_id` of `kind`; false when
    /// they have none by that id and kind.
    pub async fn rename_factor(
        &mut self,
        user_id: i64,
        factor_id: i64,
        kind: FactorKind,
        name: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE factors SET label = $1 \
             WHERE id = $2 AND user_id = $3 AND kind = $4 AND confirmed_at IS NOT NULL",
        )
        .bind(name)
        .bind(factor_id)
        .bind(user_id)
        .bind(kind_name(kind))
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
