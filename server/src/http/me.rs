use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use mfa_api::{LanguageRequest, Me};

use super::ApiJson;
use super::error::{ApiError, ApiResult};
use super::session::MayEnroll;
use crate::mail::templates::Language;
use crate::services::profile;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/me/language", put(set_language))
}

/// The language the person reads the app in: their emails follow it.
async fn set_language(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
    ApiJson(request): ApiJson<LanguageRequest>,
) -> ApiResult<StatusCode> {
    let language = Language::parse(&request.language)
        .ok_or_else(|| ApiError::validation("language must be en or fr"))?;
    profile::set_language(&state.deps, &session, language).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user, also while they must enroll a factor first.
async fn me(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
) -> ApiResult<ApiJson<Me>> {
    Ok(ApiJson(profile::me(&state.deps, &session).await?))
}
