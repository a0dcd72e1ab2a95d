use super::{Tx, flag};
use crate::domain::clock::UnixTime;

/// An app registered for OpenID Connect (its secret's hash only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppRow {
    pub id: i64,
    pub company_id: i64,
    pub client_id: String,
    pub name: String,
    /// SHA-256 of the secret; `None` for a public client (PKCE only).
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub logout_uris: Vec<String>,
    pub require_mfa: bool,
    pub created_at: UnixTime,
}

/// What a new app is written as.
#[derive(Debug)]
pub struct NewApp<'a> {
    pub company_id: i64,
    pub client_id: &'a str,
    pub name: &'a str,
    pub secret_hash: Option<&'a str>,
    pub redirect_uris: &'a [String],
    pub logout_uris: &'a [String],
    pub require_mfa: bool,
    pub created_by: i64,
    pub now: UnixTime,
}

/// An authorization code as stored, waiting to be exchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeRow {
    pub app_id: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub scope: String,
    pub methods: String,
    pub auth_time: UnixTime,
    pub expires_at: UnixTime,
    pub used: bool,
}

/// An access token's grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub app_id: i64,
    pub user_id: i64,
    pub scope: String,
    pub expires_at: UnixTime,
}

/// A signing key as stored (sealed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKeyRow {
    pub kid: String,
    pub sealed_key: String,
    pub public_jwk: String,
    pub created_at: UnixTime,
    pub retired_at: Option<UnixTime>,
}

type CodeColumns = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

const SELECT_APP: &str = "SELECT id, company_id, client_id, name, secret_hash, redirect_uris, \
     logout_uris, require_mfa, created_at FROM apps";

type AppColumns = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn app(
    (
        id,
        company_id,
        client_id,
        name,
        secret_hash,
        redirect_uris,
        logout_uris,
        require_mfa,
        created_at,
    ): AppColumns,
) -> AppRow {
    AppRow {
        id,
        company_id,
        client_id,
        name,
        secret_hash,
        redirect_uris: lines(&redirect_uris),
        logout_uris: lines(&logout_uris),
        require_mfa: flag(require_mfa),
        created_at,
    }
}

impl Tx {
    pub async fn insert_app(&mut self, new: &NewApp<'_>) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO apps (company_id, client_id, name, secret_hash, redirect_uris, logout_uris, \
             require_mfa, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.company_id)
        .bind(new.client_id)
        .bind(new.name)
        .bind(new.secret_hash)
        .bind(new.redirect_uris.join("\n"))
        .bind(new.logout_uris.join("\n"))
        .bind(i64::from(new.require_mfa))
        .bind(new.created_by)
        .bind(new.now)
        .fetch_one(self.conn())
        .await
    }

    /// The company's apps, by name.
    pub async fn apps(&mut self, company_id: i64) -> Result<Vec<AppRow>, sqlx::Error> {
        let rows: Vec<AppColumns> = sqlx::query_as(&format!(
            "{SELECT_APP} WHERE company_id = $1 ORDER BY lower(name), id"
        ))
        .bind(company_id)
        .fetch_all(self.conn())
        .await?;
        Ok(rows.into_iter().map(app).collect())
    }

    pub async fn app_by_client_id(
        &mut self,
        client_id: &str,
    ) -> Result<Option<AppRow>, sqlx::Error> {
        let row: Option<AppColumns> = sqlx::query_as(&format!("{SELECT_APP} WHERE client_id = $1"))
            .bind(client_id)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.map(app))
    }

    pub async fn app(&mut self, id: i64) -> Result<Option<AppRow>, sqlx::Error> {
        let row: Option<AppColumns> = sqlx::query_as(&format!("{SELECT_APP} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.map(app))
    }

    /// A confidential app's new secret; false when there is no such app.
    pub async fn set_app_secret(
        &mut self,
        id: i64,
        secret_hash: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE apps SET secret_hash = $1 WHERE id = $2 AND secret_hash IS NOT NULL",
        )
        .bind(secret_hash)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the app with its codes and tokens; false when there was none.
    pub async fn delete_app(&mut self, id: i64) -> Result<bool, sqlx::Error> {
        for table in ["access_tokens", "authorization_codes"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE app_id = $1"))
                .bind(id)
                .execute(self.conn())
                .await?;
        }
        let done = sqlx::query("DELETE FROM apps WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn insert_authorization_code(
        &mut self,
        code_hash: &str,
        code: &CodeRow,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, app_id, user_id, redirect_uri, code_challenge, \
             nonce, scope, methods, auth_time, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(code_hash)
        .bind(code.app_id)
        .bind(code.user_id)
        .bind(&code.redirect_uri)
        .bind(&code.code_challenge)
        .bind(code.nonce.as_deref())
        .bind(&code.scope)
        .bind(&code.methods)
        .bind(code.auth_time)
        .bind(code.expires_at)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Marks the code used and gives it back, if it was not used yet: of
    /// two requests with one code, exactly one gets it. `Err(None)`: no
    /// such code; `Err(Some(_))`: used before.
    pub async fn use_authorization_code(
        &mut self,
        code_hash: &str,
        now: UnixTime,
    ) -> Result<Result<CodeRow, Option<()>>, sqlx::Error> {
        let used = sqlx::query(
            "UPDATE authorization_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL",
        )
        .bind(now)
        .bind(code_hash)
        .execute(self.conn())
        .await?
        .rows_affected()
            == 1;
        let row: Option<CodeColumns> = sqlx::query_as(
            "SELECT app_id, user_id, redirect_uri, code_challenge, nonce, scope, methods, \
                 auth_time, expires_at FROM authorization_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(self.conn())
        .await?;
        Ok(match (row, used) {
            (None, _) => Err(None),
            (Some(_), false) => Err(Some(())),
            (
                Some((
                    app_id,
                    user_id,
                    redirect_uri,
                    code_challenge,
                    nonce,
                    scope,
                    methods,
                    auth_time,
                    expires_at,
                )),
                true,
            ) => Ok(CodeRow {
                app_id,
                user_id,
                redirect_uri,
                code_challenge,
                nonce,
                scope,
                methods,
                auth_time,
                expires_at,
                used: true,
            }),
        })
    }

    pub async fn insert_access_token(
        &mut self,
        token_hash: &str,
        code_hash: &str,
        token: &TokenRow,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO access_tokens (token_hash, code_hash, app_id, user_id, scope, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(code_hash)
        .bind(token.app_id)
        .bind(token.user_id)
        .bind(&token.scope)
        .bind(token.expires_at)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Revokes every access token a code gave (the code was replayed).
    pub async fn revoke_tokens_of_code(&mut self, code_hash: &str) -> Result<u64, sqlx::Error> {
        Ok(
            sqlx::query("DELETE FROM access_tokens WHERE code_hash = $1")
                .bind(code_hash)
                .execute(self.conn())
                .await?
                .rows_affected(),
        )
    }

    /// Revokes the person's access tokens for one app (they signed out of it).
    pub async fn revoke_app_tokens(
        &mut self,
        app_id: i64,
        user_id: i64,
    ) -> Result<u64, sqlx::Error> {
        Ok(
            sqlx::query("DELETE FROM access_tokens WHERE app_id = $1 AND user_id = $2")
                .bind(app_id)
                .bind(user_id)
                .execute(self.conn())
                .await?
                .rows_affected(),
        )
    }

    pub async fn access_token(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<TokenRow>, sqlx::Error> {
        let row: Option<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT app_id, user_id, scope, expires_at FROM access_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.conn())
        .await?;
        Ok(row.map(|(app_id, user_id, scope, expires_at)| TokenRow {
            app_id,
            user_id,
            scope,
            expires_at,
        }))
    }

    /// Codes and access tokens past their end.
    pub async fn delete_expired_grants(&mut self, now: UnixTime) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        for table in ["authorization_codes", "access_tokens"] {
            deleted += sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
                .bind(now)
                .execute(self.conn())
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }

    /// Every signing key still published: the current one (no `retired_at`)
    /// first, then retired ones, newest first.
    pub async fn signing_keys(&mut self) -> Result<Vec<SigningKeyRow>, sqlx::Error> {
        let rows: Vec<(String, String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT kid, sealed_key, public_jwk, created_at, retired_at FROM signing_keys \
             ORDER BY retired_at IS NOT NULL, created_at DESC",
        )
        .fetch_all(self.conn())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(kid, sealed_key, public_jwk, created_at, retired_at)| SigningKeyRow {
                    kid,
                    sealed_key,
                    public_jwk,
                    created_at,
                    retired_at,
                },
            )
            .collect())
    }

    /// Retires the current key (it stays published) and makes `new` the one
    /// that signs.
    pub async fn replace_signing_key(
        &mut self,
        new: &SigningKeyRow,
        now: UnixTime,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(now)
            .execute(self.conn())
            .await?;
        sqlx::query(
            "INSERT INTO signing_keys (kid, sealed_key, public_jwk, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&new.kid)
        .bind(&new.sealed_key)
        .bind(&new.public_jwk)
        .bind(new.created_at)
        .execute(self.conn())
        .await
        .map(drop)
    }

    /// Forgets keys retired before `before` (no token they signed is valid).
    pub async fn delete_retired_signing_keys(
        &mut self,
        before: UnixTime,
    ) -> Result<u64, sqlx::Error> {
        Ok(
            sqlx::query(
                "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1",
            )
            .bind(before)
            .execute(self.conn())
            .await?
            .rows_affected(),
        )
    }
}
