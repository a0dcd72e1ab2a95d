use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use mfa_api::Health;
use utoipa_axum::routes;

use super::openapi::{Errors, Routes};
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new().routes(routes!(health))
}

/// 200 when the database answers, 503 when it does not.
#[utoipa::path(
    get,
    path = "/health",
    tag = "service",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = Health),
        Errors
    )
)]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.deps.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok".into(),
                database: "ok".into(),
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "degraded".into(),
                    database: "unreachable".into(),
                }),
            )
        }
    }
}
