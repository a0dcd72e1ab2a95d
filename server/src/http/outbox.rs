use axum::Router;
use axum::extract::State;
use axum::routing::get;
use mfa_api::Outbox;

use super::ApiJson;
use super::error::ApiResult;
use crate::services::outbox;
use crate::state::AppState;

/// Only mounted in demo mode: elsewhere `/api/outbox` is a 404.
pub fn router() -> Router<AppState> {
    Router::new().route("/outbox", get(outbox))
}

/// The texts and emails the outbox provider kept, newest first, for
/// whoever runs the demo (no sign-in: the demo's messages are for reading).
async fn outbox(State(state): State<AppState>) -> ApiResult<ApiJson<Outbox>> {
    let messages = outbox::recent(&state.deps).await?;
    Ok(ApiJson(Outbox { messages }))
}
