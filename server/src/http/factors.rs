use axum::extract::State;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{ConfirmTotpRequest, FactorChange, Me, RecoveryCodeText, TotpEnrollment};
use utoipa_axum::routes;

use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::{MayEnroll, Reauthenticated, SignedIn, session_cookie};
use super::{ApiJson, ApiPath};
use crate::domain::totp::TotpCode;
use crate::services::answer::FactorAnswer;
use crate::services::enrollment::{self, Confirmed};
use crate::services::{authenticator, factors, recovery};
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(start_authenticator))
        .routes(routes!(confirm_authenticator))
        .routes(routes!(remove_factor))
        .routes(routes!(prefer_factor))
        .routes(routes!(remove_authenticator))
        .routes(routes!(new_recovery_code))
}

/// A new pending authenticator (replacing any earlier pending one).
#[utoipa::path(
    post,
    path = "/factors/totp",
    tag = "factors",
    responses(
        (status = 200, description = "A pending authenticator: its otpauth URI and secret", body = TotpEnrollment),
        Errors
    ),
    security(("session" = []))
)]
async fn start_authenticator(
    State(state): State<AppState>,
    Reauthenticated(MayEnroll(session)): Reauthenticated<MayEnroll>,
) -> ApiResult<ApiJson<TotpEnrollment>> {
    let enrollment = authenticator::start(&state.deps, &session).await?;
    Ok(ApiJson(TotpEnrollment {
        factor_id: enrollment.factor_id,
        otpauth_uri: enrollment.otpauth_uri,
        secret: enrollment.secret.to_base32(),
    }))
}

/// Confirms the pending authenticator with a code from it. The first factor
/// also brings the recovery code, returned here once.
#[utoipa::path(
    post,
    path = "/factors/totp/confirm",
    tag = "factors",
    request_body = ConfirmTotpRequest,
    responses(
        (status = 200, description = "Confirmed; the first factor brings the recovery code", body = FactorChange),
        Errors
    ),
    security(("session" = []))
)]
async fn confirm_authenticator(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<ConfirmTotpRequest>,
) -> ApiResult<(CookieJar, ApiJson<FactorChange>)> {
    let code = TotpCode::parse(&request.code).map_err(ApiError::validation)?;
    let answer = FactorAnswer::AuthenticatorCode(code);
    let confirmed = enrollment::confirm(&state.deps, &session, ip.as_deref(), answer).await?;
    Ok(factor_confirmed(&state, jar, confirmed))
}

/// The answer to a confirmed factor of any kind: the user, the recovery
/// code the first factor brings, and the session's new cookie when the
/// session rose from must-enroll to full.
pub(super) fn factor_confirmed(
    state: &AppState,
    jar: CookieJar,
    confirmed: Confirmed,
) -> (CookieJar, ApiJson<FactorChange>) {
    let jar = match &confirmed.session {
        Some(token) => jar.add(session_cookie(token, &state.config)),
        None => jar,
    };
    let answer = FactorChange {
        me: confirmed.me,
        recovery_code: confirmed
            .recovery_code
            .map(|code| RecoveryCodeText(code.display())),
        factor_id: Some(confirmed.factor_id),
    };
    (jar, ApiJson(answer))
}

/// Removes a factor of any kind, unless MFA is required and it is the last.
#[utoipa::path(
    delete,
    path = "/factors/{id}",
    tag = "factors",
    params(("id" = i64, Path, description = "The factor's id")),
    responses(
        (status = 200, description = "Removed", body = Me),
        Errors
    ),
    security(("session" = []))
)]
async fn remove_factor(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath(factor_id): ApiPath<i64>,
) -> ApiResult<ApiJson<Me>> {
    let me = factors::remove(&state.deps, &session, ip.as_deref(), factor_id).await?;
    Ok(ApiJson(me))
}

/// The path of the first release, kept for its clients: as [`remove_factor`].
#[utoipa::path(
    delete,
    path = "/factors/totp/{id}",
    tag = "factors",
    description = "The first release's path for `DELETE /api/factors/{id}`, kept for its clients.",
    params(("id" = i64, Path, description = "The factor's id")),
    responses(
        (status = 200, description = "Removed", body = Me),
        Errors
    ),
    security(("session" = []))
)]
async fn remove_authenticator(
    state: State<AppState>,
    session: Reauthenticated<SignedIn>,
    ip: ClientIp,
    factor_id: ApiPath<i64>,
) -> ApiResult<ApiJson<Me>> {
    remove_factor(state, session, ip, factor_id).await
}

/// Makes a factor the one offered first at sign-in.
#[utoipa::path(
    put,
    path = "/factors/{id}/preferred",
    tag = "factors",
    params(("id" = i64, Path, description = "The factor's id")),
    responses(
        (status = 200, description = "Now the preferred factor", body = Me),
        Errors
    ),
    security(("session" = []))
)]
async fn prefer_factor(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(factor_id): ApiPath<i64>,
) -> ApiResult<ApiJson<Me>> {
    Ok(ApiJson(
        factors::set_preferred(&state.deps, &session, factor_id).await?,
    ))
}

/// Voids the recovery code and makes a new one, returned here once.
#[utoipa::path(
    post,
    path = "/recovery-code",
    tag = "factors",
    responses(
        (status = 200, description = "The new recovery code (the old one is void)", body = FactorChange),
        Errors
    ),
    security(("session" = []))
)]
async fn new_recovery_code(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
) -> ApiResult<ApiJson<FactorChange>> {
    let regenerated = recovery::regenerate(&state.deps, &session, ip.as_deref()).await?;
    Ok(ApiJson(FactorChange {
        me: regenerated.me,
        recovery_code: Some(RecoveryCodeText(regenerated.code.display())),
        factor_id: None,
    }))
}
