//! The OpenID Connect provider: the authorization code flow with PKCE (S256,
//! for every app), signed ID tokens that say how the person signed in
//! (`amr`), opaque access tokens for `/oidc/userinfo`, and RP-initiated
//! logout. An app is a company's: only that company's members may sign in
//! to it, and only with a full session (second step, enrollment and
//! deadline rules all apply first).

use mfa_api::AuthorizationRefusal;
use openidconnect::core::{
    CoreClaimName, CoreClientAuthMethod, CoreGrantType, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AuthUrl, IssuerUrl, JsonWebKeySetUrl, ResponseTypes, Scope, TokenUrl, UserInfoUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// RP-initiated logout.
mod logout;
/// The token endpoint and userinfo.
mod tokens;

pub use logout::{Logout, LogoutError, LogoutRequest, logout};
pub use tokens::{
    ClientAuth, TokenError, TokenRequest, Tokens, UserInfoError, exchange, user_info,
};

use super::session::LiveSession;
use super::{Deps, signing_keys};
use crate::domain::link_token::LinkToken;
use crate::domain::oidc::{self, CODE_TTL_SECS, MAX_PASSTHROUGH_LEN, Scopes};
use crate::domain::session::SessionStage;
use crate::store::{AuditKind, CodeRow};

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
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
            tx.audit_in(
                app.company_id,
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
    tx.audit_in(
        app.company_id,
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
