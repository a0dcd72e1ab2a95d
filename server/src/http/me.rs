use axum::extract::State;
use axum::http::StatusCode;
use mfa_api::{LanguageRequest, Me};
use utoipa_axum::routes;

use super::ApiJson;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::{MayEnroll, SignedIn};
use crate::mail::templates::Language;
use crate::services::profile;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(me))
        .routes(routes!(set_language))
        .routes(routes!(dismiss_passkey_offer))
}

/// The language the person reads the app in: their emails follow it.
#[utoipa::path(
    put,
    path = "/me/language",
    tag = "me",
    request_body = LanguageRequest,
    responses(
        (status = 204, description = "Saved"),
        Errors
    ),
    security(("session" = []))
)]
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
#[utoipa::path(
    get,
    path = "/me",
    tag = "me",
    responses(
        (status = 200, description = "The signed-in person", body = Me),
        Errors
    ),
    security(("session" = []))
)]
async fn me(
    State(state): State<AppState>,
    MayEnroll(session): MayEnroll,
) -> ApiResult<ApiJson<Me>> {
    Ok(ApiJson(profile::me(&state.deps, &session).await?))
}

/// "Not now" on "Sign in faster and more safely with a passkey": hidden for
/// 30 days.
#[utoipa::path(
    post,
    path = "/me/passkey-offer/dismiss",
    tag = "me",
    responses(
        (status = 204, description = "Hidden for 30 days"),
        Errors
    ),
    security(("session" = []))
)]
async fn dismiss_passkey_offer(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<StatusCode> {
    profile::hide_passkey_offer(&state.deps, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}
