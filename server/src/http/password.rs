use axum::extract::State;
use axum::http::StatusCode;
use mfa_api::{ChangePasswordRequest, ErrorCode, ForgotPasswordRequest, ResetPasswordRequest};
use utoipa_axum::routes;

use super::client_ip::ClientIp;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::SignedIn;
use super::{ApiJson, ApiPath};
use crate::domain::email::Email;
use crate::domain::link_token::LinkToken;
use crate::domain::password::Password;
use crate::mail::templates::Language;
use crate::services::password;
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(change))
        .routes(routes!(ask_for_reset))
        .routes(routes!(reset, link_status))
}

/// Changes the signed-in user's password (the current one typed again).
#[utoipa::path(
    put,
    path = "/me/password",
    tag = "password",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; other sessions end"),
        Errors
    ),
    security(("session" = []))
)]
async fn change(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    let current = Password::parse(request.current_password).map_err(ApiError::validation)?;
    password::change(
        &state.deps,
        &session,
        ip.as_deref(),
        current,
        request.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Forgot your password?": 202 and no body, whether or not an account
/// has that address (the link, if any, goes by email).
#[utoipa::path(
    post,
    path = "/password-reset",
    tag = "password",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "A link is emailed when the address has an account (the same answer either way)"),
        Errors
    )
)]
async fn ask_for_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ForgotPasswordRequest>,
) -> ApiResult<StatusCode> {
    let email = Email::parse(&request.email).map_err(ApiError::validation)?;
    let language = request.language.as_deref().and_then(Language::parse);
    password::ask_for_reset(&state.deps, ip.as_deref(), &email, language).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A link's token from the path: 410 `link_expired` for one that is not
/// even well-formed (nothing says which links exist).
fn token(text: &str) -> Result<LinkToken, ApiError> {
    LinkToken::parse(text).ok_or_else(|| ApiError::code(ErrorCode::LinkExpired))
}

/// Whether the link still works: 204, else 410 `link_expired`.
#[utoipa::path(
    get,
    path = "/password-reset/{token}",
    tag = "password",
    params(("token" = String, Path, description = "The token from the link")),
    responses(
        (status = 204, description = "The link is valid"),
        Errors
    )
)]
async fn link_status(
    State(state): State<AppState>,
    ApiPath(text): ApiPath<String>,
) -> ApiResult<StatusCode> {
    password::reset_link_works(&state.deps, &token(&text)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new password with the link (nobody is signed in by it).
#[utoipa::path(
    post,
    path = "/password-reset/{token}",
    tag = "password",
    request_body = ResetPasswordRequest,
    params(("token" = String, Path, description = "The token from the link")),
    responses(
        (status = 204, description = "The new password is set; every session ends"),
        Errors
    )
)]
async fn reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiPath(text): ApiPath<String>,
    ApiJson(request): ApiJson<ResetPasswordRequest>,
) -> ApiResult<StatusCode> {
    let token = token(&text)?;
    password::reset(&state.deps, ip.as_deref(), &token, request.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
