use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use mfa_api::{ReauthRequest, ReauthStatus};

use super::ApiJson;
use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::session::MayEnroll;
use crate::domain::password::Password;
use crate::services::reauth;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/reauth", post(reauth).get(status))
}

/// Whether sensitive actions are allowed now, and until when: a flow asks
/// for the password only when it would be asked for anyway.
async fn status(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
) -> ApiJson<ReauthStatus> {
    ApiJson(ReauthStatus {
        valid_until: (state.deps.now() < session.reauth_until).then_some(session.reauth_until),
    })
}

/// Confirms the current password: sensitive actions are then allowed on this
/// session for the next ten minutes.
async fn reauth(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> ApiResult<StatusCode> {
    let password = Password::parse(request.password).map_err(ApiError::validation)?;
    reauth::confirm_password(&state.deps, &session, ip.as_deref(), password).await?;
    Ok(StatusCode::NO_CONTENT)
}
