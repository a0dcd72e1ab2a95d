//! Passkeys over HTTP: each ceremony is two requests, its options (for
//! `navigator.credentials`) and then the browser's answer with the
//! ceremony's id. Adding one (re-authenticated, like every factor), the
//! second step with one, "Sign in with a passkey", and naming one.

use axum::extract::State;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{FactorChange, Me, RenameFactor, SignInOutcome};
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::auth::signed_in;
use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::factors::factor_confirmed;
use super::openapi::{Errors, JsonObject, Routes};
use super::session::{MayEnroll, PendingSecondFactor, Reauthenticated, SignedIn, presented_token};
use super::{ApiJson, ApiPath};
use crate::domain::link_token::LinkToken;
use crate::domain::passkey::PasskeyName;
use crate::mail::templates::Language;
use crate::services::answer::FactorAnswer;
use crate::services::passkeys::{self, Challenge, PasskeyAnswer, PasskeyResponse};
use crate::services::second_step::{self, Answer};
use crate::services::{enrollment, factors, sign_in};
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(registration_options))
        .routes(routes!(add_passkey))
        .routes(routes!(rename_passkey))
        .routes(routes!(second_step_options))
        .routes(routes!(second_step))
        .routes(routes!(sign_in_options))
        .routes(routes!(sign_in))
}

/// A ceremony's options: `{"ceremony": "<id>", "publicKey": {...}}`, the
/// second member as `navigator.credentials` takes it (binary members in
/// base64url).
#[derive(Serialize)]
struct Options<O> {
    ceremony: String,
    #[serde(flatten)]
    options: O,
}

impl<O> From<Challenge<O>> for ApiJson<Options<O>> {
    fn from(challenge: Challenge<O>) -> Self {
        ApiJson(Options {
            ceremony: challenge.ceremony.text(),
            options: challenge.options,
        })
    }
}

/// The browser's answer to a ceremony: the credential as
/// `PublicKeyCredential.toJSON()` gives it (binary members in base64url).
#[derive(Deserialize)]
struct Answered<C> {
    ceremony: String,
    credential: Box<C>,
    /// A new passkey's name.
    #[serde(default)]
    name: Option<String>,
    /// The language the app is shown in ("Sign in with a passkey").
    #[serde(default)]
    language: Option<String>,
    /// At the second step: "Don't ask again on this browser for N days".
    #[serde(default)]
    remember: bool,
}

fn ceremony(text: &str) -> Result<LinkToken, ApiError> {
    LinkToken::parse(text).ok_or_else(|| ApiError::validation("The passkey request is not valid."))
}

#[utoipa::path(
    post,
    path = "/factors/passkey/options",
    tag = "factors",
    responses(
        (status = 200, description = "WebAuthn creation options, for navigator.credentials.create", body = JsonObject),
        Errors
    ),
    security(("session" = []))
)]
async fn registration_options(
    State(state): State<AppState>,
    Reauthenticated(MayEnroll(session)): Reauthenticated<MayEnroll>,
) -> ApiResult<ApiJson<Options<webauthn_rs::prelude::CreationChallengeResponse>>> {
    Ok(passkeys::start_registration(&state.deps, &session)
        .await?
        .into())
}

/// The new passkey, under the name given (the browser's and platform's, to
/// change at once if the person likes). Like every first factor, the first
/// brings the recovery code, returned here once.
#[utoipa::path(
    post,
    path = "/factors/passkey",
    tag = "factors",
    request_body = JsonObject,
    responses(
        (status = 200, description = "Added; the first factor brings the recovery code", body = FactorChange),
        Errors
    ),
    security(("session" = []))
)]
async fn add_passkey(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<Answered<RegisterPublicKeyCredential>>,
) -> ApiResult<(CookieJar, ApiJson<FactorChange>)> {
    let name = PasskeyName::parse(request.name.as_deref().unwrap_or_default())
        .map_err(ApiError::validation)?;
    let answer = FactorAnswer::Passkey(PasskeyAnswer {
        ceremony: ceremony(&request.ceremony)?,
        response: PasskeyResponse::Created {
            credential: request.credential,
            name,
        },
    });
    let confirmed = enrollment::confirm(&state.deps, &session, ip.as_deref(), answer).await?;
    Ok(factor_confirmed(&state, jar, confirmed))
}

#[utoipa::path(
    put,
    path = "/factors/{id}/name",
    tag = "factors",
    request_body = RenameFactor,
    params(("id" = i64, Path, description = "The passkey's factor id")),
    responses(
        (status = 200, description = "Renamed", body = Me),
        Errors
    ),
    security(("session" = []))
)]
async fn rename_passkey(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(factor_id): ApiPath<i64>,
    ApiJson(request): ApiJson<RenameFactor>,
) -> ApiResult<ApiJson<Me>> {
    let name = PasskeyName::parse(&request.name).map_err(ApiError::validation)?;
    let me = factors::rename_passkey(&state.deps, &session, factor_id, &name).await?;
    Ok(ApiJson(me))
}

#[utoipa::path(
    post,
    path = "/sign-in/second-factor/passkey/options",
    tag = "sign-in",
    responses(
        (status = 200, description = "WebAuthn request options, for navigator.credentials.get", body = JsonObject),
        Errors
    ),
    security(("session" = []))
)]
async fn second_step_options(
    State(state): State<AppState>,
    PendingSecondFactor(session): PendingSecondFactor,
) -> ApiResult<ApiJson<Options<webauthn_rs::prelude::RequestChallengeResponse>>> {
    Ok(passkeys::start_second_step(&state.deps, &session)
        .await?
        .into())
}

fn asserted(request: Answered<PublicKeyCredential>) -> Result<PasskeyAnswer, ApiError> {
    Ok(PasskeyAnswer {
        ceremony: ceremony(&request.ceremony)?,
        response: PasskeyResponse::Asserted(request.credential),
    })
}

/// A passkey as the second step: the half-signed-in session becomes a full one.
#[utoipa::path(
    post,
    path = "/sign-in/second-factor/passkey",
    tag = "sign-in",
    request_body = JsonObject,
    responses(
        (status = 200, description = "Signed in (a new session cookie)", body = SignInOutcome),
        Errors
    ),
    security(("session" = []))
)]
async fn second_step(
    State(state): State<AppState>,
    PendingSecondFactor(session): PendingSecondFactor,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<Answered<PublicKeyCredential>>,
) -> ApiResult<(CookieJar, ApiJson<SignInOutcome>)> {
    let remember = request.remember;
    let answer = Answer::Factor(FactorAnswer::Passkey(asserted(request)?));
    let done =
        second_step::complete(&state.deps, &session, ip.as_deref(), answer, remember).await?;
    Ok(signed_in(&state, jar, done))
}

/// Open to anyone: the ceremony is bound to nothing but its random id,
/// which only this browser holds.
#[utoipa::path(
    post,
    path = "/sign-in/passkey/options",
    tag = "sign-in",
    responses(
        (status = 200, description = "WebAuthn request options for a discoverable passkey", body = JsonObject),
        Errors
    )
)]
async fn sign_in_options(
    State(state): State<AppState>,
) -> ApiResult<ApiJson<Options<webauthn_rs::prelude::RequestChallengeResponse>>> {
    Ok(passkeys::start_sign_in(&state.deps).await?.into())
}

/// "Sign in with a passkey": both steps at once, a full session.
#[utoipa::path(
    post,
    path = "/sign-in/passkey",
    tag = "sign-in",
    request_body = JsonObject,
    responses(
        (status = 200, description = "Signed in (a new session cookie)", body = SignInOutcome),
        Errors
    )
)]
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<Answered<PublicKeyCredential>>,
) -> ApiResult<(CookieJar, ApiJson<SignInOutcome>)> {
    let previous = presented_token(&jar, &state.config).map(|t| t.id_hash());
    let attempt = sign_in::Attempt {
        previous: previous.as_ref(),
        ip: ip.as_deref(),
        device: None,
        trusted: None,
        language: request.language.as_deref().and_then(Language::parse),
    };
    let answer = asserted(request)?;
    let done = passkeys::sign_in(&state.deps, attempt, answer)
        .await
        .inspect_err(|e| tracing::info!(reason = %e, "passkey sign-in refused"))?;
    Ok(signed_in(&state, jar, done))
}
