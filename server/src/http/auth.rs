use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{
    RecoveryCodeText, SecondFactorAnswer, SecondFactorOptions, SecondFactorRequest, SignInOutcome,
    SignInRequest,
};
use utoipa_axum::routes;

use super::ApiJson;
use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::{
    PendingSecondFactor, device_cookie, expired_cookie, presented_device, presented_token,
    presented_trusted, session_cookie, trusted_cookie,
};
use crate::config::Config;
use crate::domain::email::Email;
use crate::domain::password::Password;
use crate::domain::recovery::RecoveryCode;
use crate::domain::texted_code::TextedCode;
use crate::domain::totp::TotpCode;
use crate::mail::templates::Language;
use crate::services::answer::FactorAnswer;
use crate::services::second_step::{self, Answer};
use crate::services::{session, sign_in};
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(sign_in))
        .routes(routes!(second_factor, second_factor_options))
        .routes(routes!(sign_out))
}

/// Email + password. A new session replaces whatever session the browser held.
#[utoipa::path(
    post,
    path = "/sign-in",
    tag = "sign-in",
    request_body = SignInRequest,
    responses(
        (status = 200, description = "Signed in, or a second step is needed (a new session cookie either way)", body = SignInOutcome),
        Errors
    )
)]
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<SignInRequest>,
) -> ApiResult<(CookieJar, ApiJson<SignInOutcome>)> {
    let email = Email::parse(&request.email).map_err(ApiError::validation)?;
    let password = Password::parse(request.password).map_err(ApiError::validation)?;
    let secure = state.config.secure_cookies();
    let previous = presented_token(&jar, &state.config).map(|t| t.id_hash());
    let attempt = sign_in::Attempt {
        previous: previous.as_ref(),
        ip: ip.as_deref(),
        device: presented_device(&jar, secure),
        trusted: presented_trusted(&jar, secure),
        language: request.language.as_deref().and_then(Language::parse),
    };
    let accepted = sign_in::sign_in(&state.deps, attempt, &email, password)
        .await
        .inspect_err(|e| tracing::info!(reason = %e, "sign-in refused"))?;
    tracing::info!(
        user_id = accepted.user_id,
        signed_in = accepted.me.is_some(),
        "password accepted"
    );
    Ok(password_accepted(jar, accepted, &state.config))
}

/// The answer to a right password (signing in, or joining with a new
/// one): the outcome, the new session's cookie and, when signed in, the
/// known-device cookie.
pub(super) fn password_accepted(
    jar: CookieJar,
    accepted: sign_in::PasswordAccepted,
    config: &Config,
) -> (CookieJar, ApiJson<SignInOutcome>) {
    let outcome = match accepted.me {
        Some(me) => SignInOutcome::SignedIn {
            me,
            new_recovery_code: None,
        },
        None => SignInOutcome::SecondFactorRequired {
            factors: accepted.second_factors,
        },
    };
    let mut jar = jar.add(session_cookie(&accepted.token, config));
    if let Some(device) = accepted.device {
        jar = jar.add(device_cookie(device, config.secure_cookies()));
    }
    (jar, ApiJson(outcome))
}

/// The factors this sign-in may finish with (the page may have been reloaded).
#[utoipa::path(
    get,
    path = "/sign-in/second-factor",
    tag = "sign-in",
    responses(
        (status = 200, description = "The ways this person may pass the second step", body = SecondFactorOptions),
        Errors
    ),
    security(("session" = []))
)]
async fn second_factor_options(
    State(state): State<AppState>,
    PendingSecondFactor(session): PendingSecondFactor,
) -> ApiResult<ApiJson<SecondFactorOptions>> {
    let (factors, remember_days) = second_step::offered(&state.deps, &session).await?;
    Ok(ApiJson(SecondFactorOptions {
        factors,
        remember_days,
    }))
}

/// A code from a factor, or the recovery code. The half-signed-in session is
/// replaced by a full one; after a recovery code, its replacement comes back.
#[utoipa::path(
    post,
    path = "/sign-in/second-factor",
    tag = "sign-in",
    request_body = SecondFactorRequest,
    responses(
        (status = 200, description = "Signed in (a new session cookie)", body = SignInOutcome),
        Errors
    ),
    security(("session" = []))
)]
async fn second_factor(
    State(state): State<AppState>,
    PendingSecondFactor(session): PendingSecondFactor,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<SecondFactorRequest>,
) -> ApiResult<(CookieJar, ApiJson<SignInOutcome>)> {
    let answer = match request.answer {
        SecondFactorAnswer::Totp { code } => Answer::Factor(FactorAnswer::AuthenticatorCode(
            TotpCode::parse(&code).map_err(ApiError::validation)?,
        )),
        SecondFactorAnswer::Sms { code } => Answer::Factor(FactorAnswer::TextedCode(
            TextedCode::parse(&code).ok_or_else(|| {
                ApiError::validation("Enter the 6-digit code from the text message.")
            })?,
        )),
        SecondFactorAnswer::RecoveryCode { code } => {
            Answer::RecoveryCode(RecoveryCode::parse(&code).map_err(ApiError::validation)?)
        }
    };
    let done = second_step::complete(
        &state.deps,
        &session,
        ip.as_deref(),
        answer,
        request.remember,
    )
    .await?;
    Ok(signed_in(&state, jar, done))
}

/// The answer to a finished sign-in (a second step, a passkey): the user,
/// the full session's cookie, the known-device cookie and, after a
/// recovery code, its replacement.
pub(super) fn signed_in(
    state: &AppState,
    jar: CookieJar,
    done: second_step::SignedIn,
) -> (CookieJar, ApiJson<SignInOutcome>) {
    let secure = state.config.secure_cookies();
    let mut jar = jar
        .add(session_cookie(&done.token, &state.config))
        .add(device_cookie(done.device, secure));
    if let Some(token) = &done.trusted {
        let cookie = trusted_cookie(&jar, token, secure);
        jar = jar.add(cookie);
    }
    let outcome = SignInOutcome::SignedIn {
        me: done.me,
        new_recovery_code: done
            .new_recovery_code
            .map(|code| RecoveryCodeText(code.display())),
    };
    (jar, ApiJson(outcome))
}

/// Ends the session, if any, and clears the cookie. Idempotent.
#[utoipa::path(
    post,
    path = "/sign-out",
    tag = "sign-in",
    responses(
        (status = 204, description = "Signed out (the cookie is cleared)"),
        Errors
    )
)]
async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
) -> ApiResult<(CookieJar, StatusCode)> {
    if let Some(token) = presented_token(&jar, &state.config) {
        session::end(&state.deps, &token).await?;
    }
    Ok((
        jar.add(expired_cookie(&state.config)),
        StatusCode::NO_CONTENT,
    ))
}
