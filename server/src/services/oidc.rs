//! The OpenID Connect provider: the authorization code flow with PKCE (S256,
//! for every app), signed ID tokens that say how the person signed in
//! (`amr`), opaque access tokens for `/oidc/userinfo`, and RP-initiated
//! logout. An app is a company's: only that company's members may sign in
//! to it, and only with a full session (second step, enrollment and
//! deadline rules all apply first).

use chrono::{DateTime, Utc};
use mfa_api::AuthorizationRefusal;
use openidconnect::core::{
    CoreClaimName, CoreClientAuthMethod, CoreGrantType, CoreIdToken, CoreIdTokenClaims,
    CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, Audience, AuthUrl, AuthenticationMethodReference, EmptyAdditionalClaims,
    EndUserEmail, EndUserName, IssuerUrl, JsonWebKeySetUrl, Nonce, ResponseTypes, Scope,
    StandardClaims, SubjectIdentifier, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use url::Url;

use super::session::LiveSession;
use super::{Deps, internal_error, signing_keys};
use crate::domain::link_token::LinkToken;
use crate::domain::oidc::{
    self, ACCESS_TOKEN_TTL_SECS, CODE_TTL_SECS, ID_TOKEN_TTL_SECS, MAX_PASSTHROUGH_LEN, Methods,
    Scopes,
};
use crate::domain::session::SessionStage;
use crate::store::{AppRow, AuditKind, CodeRow, TokenRow, UserRow};

/// The issuer: `MFA_PUBLIC_URL`, without a trailing slash.
pub fn issuer(deps: &Deps) -> String {
    deps.public_url.trim_end_matches('/').to_owned()
}

/// What discovery adds to the core metadata.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ExtraMetadata {
    pub code_challenge_methods_supported: Vec<String>,
    pub end_session_endpoint: String,
}
impl openidconnect::AdditionalProviderMetadata for ExtraMetadata {}

pub type ProviderMetadata = openidconnect::ProviderMetadata<
    ExtraMetadata,
    openidconnect::core::CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    openidconnect::core::CoreClaimType,
    CoreGrantType,
    openidconnect::core::CoreJweContentEncryptionAlgorithm,
    openidconnect::core::CoreJweKeyManagementAlgorithm,
    openidconnect::core::CoreJsonWebKey,
    openidconnect::core::CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// `/.well-known/openid-configuration`.
pub fn discovery(deps: &Deps) -> anyhow::Result<ProviderMetadata> {
    let issuer = issuer(deps);
    let at = |path: &str| format!("{issuer}{path}");
    Ok(ProviderMetadata::new(
        IssuerUrl::new(issuer.clone())?,
        AuthUrl::new(at("/oidc/authorize"))?,
        JsonWebKeySetUrl::new(at("/oidc/jwks"))?,
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        ExtraMetadata {
            code_challenge_methods_supported: vec!["S256".to_owned()],
            end_session_endpoint: at("/oidc/logout"),
        },
    )
    .set_token_endpoint(Some(TokenUrl::new(at("/oidc/token"))?))
    .set_userinfo_endpoint(Some(UserInfoUrl::new(at("/oidc/userinfo"))?))
    .set_scopes_supported(Some(
        ["openid", "email", "profile"]
            .map(|s| Scope::new(s.to_owned()))
            .to_vec(),
    ))
    .set_grant_types_supported(Some(vec![CoreGrantType::AuthorizationCode]))
    .set_token_endpoint_auth_methods_supported(Some(vec![
        CoreClientAuthMethod::ClientSecretBasic,
        CoreClientAuthMethod::ClientSecretPost,
        CoreClientAuthMethod::None,
    ]))
    .set_claims_supported(Some(
        [
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "amr",
            "email",
            "email_verified",
            "name",
        ]
        .map(|c| CoreClaimName::new(c.to_owned()))
        .to_vec(),
    )))
}

/// `/oidc/jwks`: the keys that may have signed a live ID token.
pub async fn jwks(deps: &Deps) -> anyhow::Result<CoreJsonWebKeySet> {
    signing_keys::published(deps).await
}

/// An authorization request's parameters, as the app sent them.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AuthorizeRequest {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
}

/// What to do with an authorization request.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// It names no registered app, or a redirect URI the app did not
    /// register: never redirect (RFC 6749 4.1.2.1); the page says so.
    Invalid,
    /// Back to the app with an error.
    AppError { location: String },
    /// The person signs in (or finishes signing in) first.
    SignIn { app: String },
    /// The app cannot have this sign-in; `return_to` tells it `access_denied`.
    Refused {
        app: String,
        reason: AuthorizationRefusal,
        return_to: String,
    },
    /// Signed in as the app needs (a check only: no code issued).
    Ready { app: String },
    /// Back to the app with a code.
    Granted { location: String },
}

/// Whether [`authorize`] issues a code or only says what it would do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Issue,
    Check,
}

/// Decides an authorization request for the browser's session (if any).
pub async fn authorize(
    deps: &Deps,
    request: &AuthorizeRequest,
    session: Option<&LiveSession>,
    ip: Option<&str>,
    mode: Mode,
) -> anyhow::Result<Decision> {
    let mut tx = deps.read().await?;
    let app = match &request.client_id {
        Some(id) => tx.app_by_client_id(id).await?,
        None => None,
    };
    let (Some(app), Some(redirect_uri)) = (app, &request.redirect_uri) else {
        return Ok(Decision::Invalid);
    };
    if !app.redirect_uris.contains(redirect_uri) {
        return Ok(Decision::Invalid);
    }
    let state = request.state.as_deref();
    let back = |pairs: &[(&str, &str)]| to_app(deps, redirect_uri, pairs, state);
    let error = |code: &str, description: &str| Decision::AppError {
        location: back(&[("error", code), ("error_description", description)]),
    };
    if request.response_type.as_deref() != Some("code") {
        return Ok(error(
            "unsupported_response_type",
            "only response_type=code is supported",
        ));
    }
    let Some(scopes) = request.scope.as_deref().and_then(Scopes::parse) else {
        return Ok(error("invalid_scope", "the scope must include openid"));
    };
    let challenge = request.code_challenge.as_deref().unwrap_or_default();
    if request.code_challenge_method.as_deref() != Some("S256")
        || !oidc::is_s256_challenge(challenge)
    {
        return Ok(error(
            "invalid_request",
            "PKCE is required: code_challenge with code_challenge_method=S256",
        ));
    }
    let too_long = |v: &Option<String>| v.as_ref().is_some_and(|v| v.len() > MAX_PASSTHROUGH_LEN);
    if too_long(&request.state) || too_long(&request.nonce) {
        return Ok(error(
            "invalid_request",
            "state and nonce are limited to 512 characters",
        ));
    }
    let session = session.filter(|s| s.stage == SessionStage::Full);
    let Some(session) = session else {
        return Ok(match request.prompt.as_deref() {
            Some("none") => error("login_required", "the person is not signed in"),
            _ => Decision::SignIn { app: app.name },
        });
    };
    let member = tx
        .memberships(session.user_id)
        .await?
        .iter()
        .any(|m| m.company_id == app.company_id);
    drop(tx);
    let refusal = if !member {
        Some(AuthorizationRefusal::NotAMember)
    } else if app.require_mfa && !session.methods.has_second_factor() {
        Some(AuthorizationRefusal::MfaRequired)
    } else {
        None
    };
    if let Some(reason) = refusal {
        if mode == Mode::Issue {
            let mut tx = deps.begin().await?;
            tx.audit(
                session.user_id,
                AuditKind::AppSignInRefused,
                &format!("app={:?} reason={reason:?}", app.name),
                ip,
                deps.now(),
            )
            .await?;
            tx.commit().await?;
        }
        return Ok(Decision::Refused {
            return_to: back(&[
                ("error", "access_denied"),
                ("error_description", "this person may not use this app"),
            ]),
            app: app.name,
            reason,
        });
    }
    if mode == Mode::Check {
        return Ok(Decision::Ready { app: app.name });
    }
    let code = LinkToken::generate(&mut deps.rng());
    let now = deps.now();
    let mut tx = deps.begin().await?;
    tx.insert_authorization_code(
        &code.hash(),
        &CodeRow {
            app_id: app.id,
            user_id: session.user_id,
            redirect_uri: redirect_uri.clone(),
            code_challenge: challenge.to_owned(),
            nonce: request.nonce.clone(),
            scope: scopes.granted(),
            methods: session.methods.stored(),
            auth_time: session.signed_in_at,
            expires_at: now + CODE_TTL_SECS,
            used: false,
        },
    )
    .await?;
    tx.audit(
        session.user_id,
        AuditKind::AppSignIn,
        &format!("app={:?}", app.name),
        ip,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        user_id = session.user_id,
        app_id = app.id,
        "authorization code issued"
    );
    Ok(Decision::Granted {
        location: back(&[("code", &code.text())]),
    })
}

/// `redirect_uri` with `pairs`, the app's `state` and our issuer (RFC 9207)
/// added to its query.
fn to_app(deps: &Deps, redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let mut url = Url::parse(redirect_uri).expect("registered redirect URIs are URLs");
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        query.append_pair("iss", &issuer(deps));
    }
    url.into()
}

/// A token request's form, as the app sent it.
#[derive(Clone, Debug, Default, Deserialize)]
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

/// An app's request to sign the person out (RP-initiated logout).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LogoutRequest {
    pub id_token_hint: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error("id_token_hint must be an ID token this server issued")]
    BadHint,
    #[error("post_logout_redirect_uri is not one the app registered")]
    UnregisteredUri,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

internal_error!(LogoutError);

/// Where the browser goes after an app's logout, and whether its session
/// (when it is the hint's person's) ends.
#[derive(Debug)]
pub struct Logout {
    pub end_session: bool,
    pub location: String,
}

/// Checks the hint (an ID token we signed, expired or not), and the
/// address the app asked to come back to.
pub async fn logout(
    deps: &Deps,
    request: &LogoutRequest,
    session: Option<&LiveSession>,
) -> Result<Logout, LogoutError> {
    let hint: CoreIdToken = request
        .id_token_hint
        .as_deref()
        .and_then(|t| t.parse().ok())
        .ok_or(LogoutError::BadHint)?;
    let jwks = signing_keys::published(deps).await?;
    let verifier = CoreIdTokenVerifier::new_public_client(
        openidconnect::ClientId::new(String::new()),
        IssuerUrl::new(issuer(deps)).map_err(anyhow::Error::new)?,
        jwks,
    )
    .require_audience_match(false)
    // An expired hint still names the person and the app.
    .set_time_fn(|| DateTime::UNIX_EPOCH);
    let claims = hint
        .claims(&verifier, |_: Option<&Nonce>| Ok(()))
        .map_err(|_| LogoutError::BadHint)?;
    let client_id = claims
        .audiences()
        .first()
        .ok_or(LogoutError::BadHint)?
        .to_string();
    let subject = claims.subject().to_string();
    let mut tx = deps.begin().await?;
    let app = tx
        .app_by_client_id(&client_id)
        .await?
        .ok_or(LogoutError::BadHint)?;
    let location = match &request.post_logout_redirect_uri {
        Some(uri) if app.logout_uris.contains(uri) => {
            let mut url = Url::parse(uri).map_err(|_| LogoutError::UnregisteredUri)?;
            if let Some(state) = &request.state {
                url.query_pairs_mut().append_pair("state", state);
            }
            url.into()
        }
        Some(_) => return Err(LogoutError::UnregisteredUri),
        None => "/sign-in".to_owned(),
    };
    let end_session = session.is_some_and(|s| oidc::subject(&deps.key, s.user_id) == subject);
    if let Some(session) = session.filter(|_| end_session) {
        tx.revoke_app_tokens(app.id, session.user_id).await?;
    }
    tx.commit().await?;
    Ok(Logout {
        end_session,
        location,
    })
}
