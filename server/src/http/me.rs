use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use mfa_api::{LanguageRequest, Me};

use super::ApiJson;
use super::error::{ApiError, ApiResult};
use super::session::{MayEnroll, SignedIn};
use crate::mail::templates::Language;
use crate::services::profile;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/me/language", put(set_language))
        .route("/me/passkey-offer/dismiss", post(dismiss_passkey_offer))
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

/// "Not now" on "Sign in faster and more safely with a passkey": hidden for
/// 30 days.
async fn dismiss_passkey_offer(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<StatusCode> {
    profile::hide_passkey_offer(&state.deps, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}
