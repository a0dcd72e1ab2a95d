use axum::Router;
use axum::extract::State;
use axum::routing::get;
use mfa_api::Me;

use super::ApiJson;
use super::error::ApiResult;
use super::session::MayEnroll;
use crate::services::profile;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

/// The signed-in user, also while they must enroll a factor first.
async fn me(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
) -> ApiResult<ApiJson<Me>> {
    Ok(ApiJson(profile::me(&state.deps, &session).await?))
}
