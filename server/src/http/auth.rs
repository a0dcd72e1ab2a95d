use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{SignInOutcome, SignInRequest};
use rand::rngs::OsRng;

use super::ApiJson;
use super::session::{expired_cookie, presented_token, session_cookie};
use crate::domain::email::Email;
use crate::domain::password::{self, Password};
use crate::domain::session::SessionToken;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
}

/// Email + password. On success a new session replaces whatever session the
/// browser held (its id is never reused across a privilege change).
async fn sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    ApiJson(request): ApiJson<SignInRequest>,
) -> ApiResult<(CookieJar, ApiJson<SignInOutcome>)> {
    let email = Email::parse(&request.email).map_err(|e| ApiError::validation(e.to_string()))?;
    let password =
        Password::parse(request.password).map_err(|e| ApiError::validation(e.to_string()))?;
    let Some(user_id) = authenticate(&state, &email, password).await? else {
        tracing::info!("sign-in refused: wrong email or password");
        return Err(ApiError::invalid_credentials());
    };

    let secure = state.config.secure_cookies();
    let now = state.clock.now();
    if let Some(previous) = presented_token(&jar, secure) {
        state.store.delete_session(&previous.id_hash()).await?;
    }
    state.store.delete_expired_sessions(now).await?;
    let token = SessionToken::generate(&mut OsRng);
    state
        .store
        .create_session(&token.id_hash(), user_id, now)
        .await?;
    let me = super::me::load(&state, user_id).await?;
    tracing::info!(user_id, "signed in");
    Ok((
        jar.add(session_cookie(&token, secure)),
        ApiJson(SignInOutcome::SignedIn { me }),
    ))
}

/// The user id when the password is right. Unknown emails are checked against
/// a decoy hash, so both failures cost the same argon2 work.
async fn authenticate(
    state: &AppState,
    email: &Email,
    password: Password,
) -> ApiResult<Option<i64>> {
    let (user_id, phc) = match state.store.credentials(email).await? {
        Some((id, phc)) => (Some(id), phc),
        None => (None, state.decoy_hash.to_string()),
    };
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &phc)).await?;
    Ok(user_id.filter(|_| matches))
}

/// Ends the session, if any, and clears the cookie. Idempotent.
async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
) -> ApiResult<(CookieJar, StatusCode)> {
    let secure = state.config.secure_cookies();
    if let Some(token) = presented_token(&jar, secure) {
        state.store.delete_session(&token.id_hash()).await?;
    }
    Ok((jar.add(expired_cookie(secure)), StatusCode::NO_CONTENT))
}
