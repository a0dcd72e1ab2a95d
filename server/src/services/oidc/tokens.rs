//! The token endpoint (a code exchanged for an ID token and an access
//! token) and userinfo.

use chrono::{DateTime, Utc};
use openidconnect::core::{CoreIdToken, CoreIdTokenClaims, CoreJwsSigningAlgorithm};
use openidconnect::{
    AccessToken, Audience, AuthenticationMethodReference, EmptyAdditionalClaims, EndUserEmail,
    EndUserName, IssuerUrl, Nonce, StandardClaims, SubjectIdentifier,
};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::issuer;
use crate::domain::link_token::LinkToken;
use crate::domain::oidc::{self, ACCESS_TOKEN_TTL_SECS, ID_TOKEN_TTL_SECS, Methods, Scopes};
use crate::services::{Deps, internal_error, signing_keys};
use crate::store::{AppRow, CodeRow, TokenRow, UserRow};

/// A token request's form, as the app sent it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Why a token request was refused (RFC 6749 5.2).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(TokenError);

/// What the token endpoint answers.
#[derive(Debug)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: String,
    pub scope: String,
}

/// The client credentials a request presented: from the Basic header, or
/// from the form.
#[derive(Debug, Default)]
pub struct ClientAuth {
    pub basic: Option<(String, String)>,
}

/// Exchanges an authorization code for an ID token and an access token.
/// The code is used up by the first attempt, right or wrong; a second use
/// is refused and revokes the access token the first gave.
pub async fn exchange(
    deps: &Deps,
    auth: ClientAuth,
    form: TokenRequest,
) -> Result<Tokens, TokenError> {
    let (client_id, secret) = match (auth.basic, form.client_secret) {
        (Some(_), Some(_)) => {
            return Err(TokenError::InvalidRequest(
                "use one way of authenticating the client",
            ));
        }
        (Some((id, secret)), None) => {
            if form
                .client_id
                .as_ref()
                .is_some_and(|form_id| *form_id != id)
            {
                return Err(TokenError::InvalidClient);
            }
            (Some(id), Some(secret))
        }
        (None, secret) => (form.client_id, secret),
    };
    let client_id = client_id.ok_or(TokenError::InvalidClient)?;
    let mut tx = deps.read().await?;
    let app = tx
        .app_by_client_id(&client_id)
        .await?
        .ok_or(TokenError::InvalidClient)?;
    drop(tx);
    let authenticated = match (&app.secret_hash, &secret) {
        (Some(hash), Some(secret)) => LinkToken::parse(secret)
            .is_some_and(|s| bool::from(s.hash().as_bytes().ct_eq(hash.as_bytes()))),
        (None, None) => true,
        _ => false,
    };
    if !authenticated {
        return Err(TokenError::InvalidClient);
    }
    if form.grant_type.as_deref() != Some("authorization_code") {
        return Err(TokenError::UnsupportedGrantType);
    }
    let code = form
        .code
        .as_deref()
        .ok_or(TokenError::InvalidRequest("code is missing"))?;
    let code_hash = LinkToken::parse(code)
        .ok_or(TokenError::InvalidGrant("unknown code"))?
        .hash();
    // Loaded before the transaction: the first key may be generated, in a
    // transaction of its own.
    let key = signing_keys::current(deps).await?;
    let now = deps.now();
    let mut tx = deps.begin().await?;
    let code = match tx.use_authorization_code(&code_hash, now).await? {
        Ok(code) => code,
        Err(None) => return Err(TokenError::InvalidGrant("unknown code")),
        Err(Some(())) => {
            let revoked = tx.revoke_tokens_of_code(&code_hash).await?;
            tx.commit().await?;
            tracing::warn!(
                app_id = app.id,
                revoked,
                "an authorization code was used twice"
            );
            return Err(TokenError::InvalidGrant("the code was used already"));
        }
    };
    let refusal = if code.expires_at <= now {
        Some("the code has expired")
    } else if code.app_id != app.id {
        Some("the code was given to another app")
    } else if form.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        Some("redirect_uri differs from the authorization request's")
    } else if !form
        .code_verifier
        .as_deref()
        .is_some_and(|v| oidc::pkce_verifies(v, &code.code_challenge))
    {
        Some("the PKCE code_verifier does not match")
    } else if !tx
        .memberships(code.user_id)
        .await?
        .iter()
        .any(|m| m.company_id == app.company_id)
    {
        Some("the person is no longer a member")
    } else {
        None
    };
    if let Some(why) = refusal {
        // The code stays used.
        tx.commit().await?;
        return Err(TokenError::InvalidGrant(why));
    }
    let user = tx
        .user(code.user_id)
        .await?
        .ok_or(TokenError::InvalidGrant("no such person"))?;
    let access = LinkToken::generate(&mut deps.rng());
    tx.insert_access_token(
        &access.hash(),
        &code_hash,
        &TokenRow {
            app_id: app.id,
            user_id: user.id,
            scope: code.scope.clone(),
            expires_at: now + ACCESS_TOKEN_TTL_SECS,
        },
    )
    .await?;
    let access_token = access.text();
    let id_token = id_token(deps, &app, &user, &code, &access_token, &key)?;
    tx.commit().await?;
    Ok(Tokens {
        access_token,
        id_token,
        scope: code.scope,
    })
}

fn time(at: i64) -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp(at, 0).ok_or_else(|| anyhow::anyhow!("time out of range"))
}

fn id_token(
    deps: &Deps,
    app: &AppRow,
    user: &UserRow,
    code: &CodeRow,
    access_token: &str,
    key: &openidconnect::core::CoreRsaPrivateSigningKey,
) -> anyhow::Result<String> {
    let now = deps.now();
    let scopes = Scopes::parse(&code.scope).unwrap_or_default();
    let amr = Methods::from_stored(&code.methods)
        .amr()
        .into_iter()
        .map(|m| AuthenticationMethodReference::new(m.to_owned()))
        .collect();
    let claims = CoreIdTokenClaims::new(
        IssuerUrl::new(issuer(deps))?,
        vec![Audience::new(app.client_id.clone())],
        time(now + ID_TOKEN_TTL_SECS)?,
        time(now)?,
        standard_claims(deps, user, scopes),
        EmptyAdditionalClaims {},
    )
    .set_nonce(code.nonce.clone().map(Nonce::new))
    .set_auth_time(Some(time(code.auth_time)?))
    .set_auth_method_refs(Some(amr));
    let token = CoreIdToken::new(
        claims,
        key,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some(&AccessToken::new(access_token.to_owned())),
        None,
    )?;
    Ok(token.to_string())
}

/// `sub` always; the email with `email`, the name with `profile`.
fn standard_claims(
    deps: &Deps,
    user: &UserRow,
    scopes: Scopes,
) -> StandardClaims<openidconnect::core::CoreGenderClaim> {
    let mut claims = StandardClaims::new(SubjectIdentifier::new(oidc::subject(&deps.key, user.id)));
    if scopes.email {
        claims = claims
            .set_email(Some(EndUserEmail::new(user.email.clone())))
            // Proved by the invitation link the person followed.
            .set_email_verified(Some(true));
    }
    if scopes.profile {
        claims = claims.set_name(Some(EndUserName::new(user.name.clone()).into()));
    }
    claims
}

#[derive(Debug, thiserror::Error)]
pub enum UserInfoError {
    #[error("the access token is invalid or has expired")]
    InvalidToken,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(UserInfoError);

/// `/oidc/userinfo`: the claims an access token's scope allows.
pub async fn user_info(
    deps: &Deps,
    bearer: &str,
) -> Result<openidconnect::core::CoreUserInfoClaims, UserInfoError> {
    let hash = LinkToken::parse(bearer)
        .ok_or(UserInfoError::InvalidToken)?
        .hash();
    let mut tx = deps.read().await?;
    let token = tx
        .access_token(&hash)
        .await?
        .filter(|t| deps.now() < t.expires_at)
        .ok_or(UserInfoError::InvalidToken)?;
    let user = tx
        .user(token.user_id)
        .await?
        .ok_or(UserInfoError::InvalidToken)?;
    let scopes = Scopes::parse(&token.scope).unwrap_or_default();
    Ok(openidconnect::core::CoreUserInfoClaims::new(
        standard_claims(deps, &user, scopes),
        EmptyAdditionalClaims {},
    ))
}
