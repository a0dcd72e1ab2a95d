use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{ReauthRequest, ReauthStatus};
use utoipa_axum::routes;

use super::ApiJson;
use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::{MayEnroll, session_cookie};
use crate::domain::password::Password;
use crate::services::reauth;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new().routes(routes!(reauth, status))
}

/// Whether sensitive actions are allowed now, and until when: a flow asks
/// for the password only when it would be asked for anyway.
#[utoipa::path(
    get,
    path = "/reauth",
    tag = "password",
    responses(
        (status = 200, description = "Until when sensitive actions are allowed", body = ReauthStatus),
        Errors
    ),
    security(("session" = []))
)]
async fn status(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
) -> ApiJson<ReauthStatus> {
    ApiJson(ReauthStatus {
        valid_until: (state.deps.now() < session.reauth_until).then_some(session.reauth_until),
    })
}

/// Confirms the current password: sensitive actions are then allowed on this
/// session for the next ten minutes, under a new session id (the cookie
/// the browser held until now stops working).
#[utoipa::path(
    post,
    path = "/reauth",
    tag = "password",
    request_body = ReauthRequest,
    responses(
        (status = 204, description = "Confirmed for ten minutes (a new session cookie)"),
        Errors
    ),
    security(("session" = []))
)]
async fn reauth(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> ApiResult<(CookieJar, StatusCode)> {
    let password = Password::parse(request.password).map_err(ApiError::validation)?;
    let token = reauth::confirm_password(&state.deps, &session, ip.as_deref(), password).await?;
    let jar = jar.add(session_cookie(&token, &state.config));
    Ok((jar, StatusCode::NO_CONTENT))
}
