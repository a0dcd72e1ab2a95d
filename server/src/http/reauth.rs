use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use mfa_api::ReauthRequest;

use super::ApiJson;
use super::client_ip::ClientIp;
use super::session::CurrentSession;
use crate::domain::password::Password;
use crate::domain::session::REAUTH_WINDOW_SECS;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::verification::{self, Answerer};

pub fn router() -> Router<AppState> {
    Router::new().route("/reauth", post(reauth))
}

/// Confirms the current password: sensitive actions are then allowed on this
/// session for the next ten minutes.
async fn reauth(
    State(state): State<AppState>,
    session: CurrentSession,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> ApiResult<StatusCode> {
    let password =
        Password::parse(request.password).map_err(|e| ApiError::validation(e.to_string()))?;
    let who = Answerer {
        user_id: session.user_id,
        ip: ip.as_deref(),
    };
    verification::check_password(&state, who, password).await?;
    let until = state.clock.now() + REAUTH_WINDOW_SECS;
    state.store.set_reauth_until(&session.id, until).await?;
    Ok(StatusCode::NO_CONTENT)
}
