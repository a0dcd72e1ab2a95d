use axum::extract::State;
use mfa_api::Outbox;
use utoipa_axum::routes;

use super::ApiJson;
use super::error::ApiResult;
use super::openapi::{Errors, Routes};
use crate::services::outbox;
use crate::state::AppState;

/// Only mounted in demo mode: elsewhere `/api/outbox` is a 404.
pub fn router() -> Routes {
    Routes::new().routes(routes!(outbox))
}

/// The texts and emails the outbox provider kept, newest first, for
/// whoever runs the demo (no sign-in: the demo's messages are for reading).
#[utoipa::path(
    get,
    path = "/outbox",
    tag = "service",
    responses(
        (status = 200, description = "The demo's messages, newest first (demo mode only)", body = Outbox),
        Errors
    )
)]
async fn outbox(State(state): State<AppState>) -> ApiResult<ApiJson<Outbox>> {
    let messages = outbox::recent(&state.deps).await?;
    Ok(ApiJson(Outbox { messages }))
}
