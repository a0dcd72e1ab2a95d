use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{RecoveryCodeText, SecondFactorRequest, SignInOutcome, SignInRequest, codes};
use rand::rngs::OsRng;

use super::ApiJson;
use super::client_ip::ClientIp;
use super::session::{PendingSecondFactor, expired_cookie, presented_token, session_cookie};
use crate::domain::email::Email;
use crate::domain::password::{self, Password};
use crate::domain::recovery::RecoveryCode;
use crate::domain::session::{SessionStage, SessionToken};
use crate::domain::totp::TotpCode;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::verification::{self, Answerer};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", post(sign_in))
        .route("/sign-in/second-factor", post(second_factor))
        .route("/sign-out", post(sign_out))
}

/// Email + password. A user with a second factor gets a session that can do
/// nothing but the second step; anyone else is signed in. Either way a new
/// session replaces whatever session the browser held.
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
    let has_factor = state.store.confirmed_factor_count(user_id).await? > 0;
    if has_factor {
        let jar = start_session(&state, jar, user_id, SessionStage::SecondFactor).await?;
        tracing::info!(user_id, "password accepted; second factor due");
        return Ok((jar, ApiJson(SignInOutcome::SecondFactorRequired)));
    }
    let jar = start_session(&state, jar, user_id, SessionStage::Full).await?;
    let me = super::me::load(&state, user_id).await?;
    tracing::info!(user_id, "signed in");
    Ok((
        jar,
        ApiJson(SignInOutcome::SignedIn {
            me,
            new_recovery_code: None,
        }),
    ))
}

/// The code from the authenticator app, or the recovery code. On success the
/// half-signed-in session is replaced by a full one (a new id). A recovery
/// code is void once used; its replacement comes back in the answer.
async fn second_factor(
    State(state): State<AppState>,
    pending: PendingSecondFactor,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    ApiJson(request): ApiJson<SecondFactorRequest>,
) -> ApiResult<(CookieJar, ApiJson<SignInOutcome>)> {
    let user_id = pending.user_id;
    let who = Answerer {
        user_id,
        ip: ip.as_deref(),
    };
    let new_recovery_code = match request {
        SecondFactorRequest::Totp { code } => {
            let code = TotpCode::parse(&code).map_err(|e| ApiError::validation(e.to_string()))?;
            let factor = state.store.confirmed_totp(user_id).await?.ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    codes::NOT_ENROLLED,
                    "No authenticator app is set up: use your recovery code.",
                )
            })?;
            verification::check_totp(&state, who, &factor, &code).await?;
            None
        }
        SecondFactorRequest::RecoveryCode { code } => {
            let code =
                RecoveryCode::parse(&code).map_err(|e| ApiError::validation(e.to_string()))?;
            verification::use_recovery_code(&state, who, code).await?;
            let fresh = verification::issue_recovery_code(&state, user_id).await?;
            Some(RecoveryCodeText(fresh.display()))
        }
    };
    let jar = start_session(&state, jar, user_id, SessionStage::Full).await?;
    let me = super::me::load(&state, user_id).await?;
    tracing::info!(
        user_id,
        recovery = new_recovery_code.is_some(),
        "signed in with second factor"
    );
    Ok((
        jar,
        ApiJson(SignInOutcome::SignedIn {
            me,
            new_recovery_code,
        }),
    ))
}

/// Ends the browser's current session (if any) and starts a new one.
async fn start_session(
    state: &AppState,
    jar: CookieJar,
    user_id: i64,
    stage: SessionStage,
) -> ApiResult<CookieJar> {
    let secure = state.config.secure_cookies();
    let now = state.clock.now();
    if let Some(previous) = presented_token(&jar, secure) {
        state.store.delete_session(&previous.id_hash()).await?;
    }
    state.store.delete_expired_sessions(now).await?;
    let token = SessionToken::generate(&mut OsRng);
    state
        .store
        .create_session(&token.id_hash(), user_id, stage, now)
        .await?;
    Ok(jar.add(session_cookie(&token, secure)))
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
