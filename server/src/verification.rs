//! Checking what people type (second-factor codes, recovery codes, the
//! password for re-authentication) under the guessing limits, with the audit
//! trail. Joins the domain rules to storage; the handlers only map HTTP.

use axum::http::StatusCode;
use mfa_api::codes;
use rand::rngs::OsRng;

use crate::domain::attempts::AttemptKind;
use crate::domain::password::{self, Password};
use crate::domain::recovery::RecoveryCode;
use crate::domain::seal;
use crate::domain::totp::{self, TotpCode, TotpRejection, TotpSecret};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{AuditKind, TotpRow};

/// Who is answering, for limits and the audit log.
#[derive(Clone, Copy, Debug)]
pub struct Answerer<'a> {
    pub user_id: i64,
    pub ip: Option<&'a str>,
}

/// Refuses at once while this kind of check is locked for the user.
async fn ensure_unlocked(state: &AppState, who: Answerer<'_>, kind: AttemptKind) -> ApiResult<()> {
    let attempts = state.store.attempts(who.user_id, kind).await?;
    let now = state.clock.now();
    match attempts.locked(now) {
        Some(until) => Err(ApiError::too_many_attempts(until, now)),
        None => Ok(()),
    }
}

/// Counts a wrong answer; the one that locks is audited and answered with 429.
async fn wrong_answer(
    state: &AppState,
    who: Answerer<'_>,
    kind: AttemptKind,
    error: ApiError,
) -> ApiError {
    let now = state.clock.now();
    let attempts = match state.store.record_failure(who.user_id, kind, now).await {
        Ok(a) => a,
        Err(e) => return e.into(),
    };
    match attempts.locked(now) {
        Some(until) => {
            tracing::warn!(
                user_id = who.user_id,
                kind = kind.as_str(),
                "locked after too many wrong answers"
            );
            if let Err(e) = state
                .store
                .audit(who.user_id, AuditKind::Lockout, kind.as_str(), who.ip, now)
                .await
            {
                return e.into();
            }
            ApiError::too_many_attempts(until, now)
        }
        None => error,
    }
}

async fn right_answer(state: &AppState, who: Answerer<'_>, kind: AttemptKind) -> ApiResult<()> {
    Ok(state.store.reset_failures(who.user_id, kind).await?)
}

fn code_already_used() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        codes::CODE_ALREADY_USED,
        "That code was already used. Wait for the next one.",
    )
}

/// Opens a stored authenticator secret.
pub fn totp_secret(state: &AppState, user_id: i64, factor: &TotpRow) -> ApiResult<TotpSecret> {
    let bytes = seal::open(
        &state.key,
        &seal::totp_owner(user_id, factor.id),
        &factor.secret_sealed,
    )
    .map_err(|e| {
        ApiError::Internal(anyhow::Error::new(e).context(format!("authenticator {}", factor.id)))
    })?;
    Ok(TotpSecret::from_bytes(bytes))
}

/// Accepts `code` for `factor` once: its time step is claimed with a
/// conditional write, so of concurrent requests with one code exactly one passes.
pub async fn check_totp(
    state: &AppState,
    who: Answerer<'_>,
    factor: &TotpRow,
    code: &TotpCode,
) -> ApiResult<()> {
    ensure_unlocked(state, who, AttemptKind::Code).await?;
    let secret = totp_secret(state, who.user_id, factor)?;
    let now = state.clock.now();
    match totp::verify(&secret, code, now, factor.last_step) {
        Ok(step) => {
            if !state.store.claim_totp_step(factor.id, step, now).await? {
                return Err(code_already_used());
            }
            right_answer(state, who, AttemptKind::Code).await
        }
        // A right code used twice is not a guess: not counted.
        Err(TotpRejection::Replayed) => Err(code_already_used()),
        Err(TotpRejection::Wrong) => {
            Err(wrong_answer(state, who, AttemptKind::Code, ApiError::wrong_code()).await)
        }
    }
}

/// Uses up the user's recovery code if `code` is it (at most once, even under
/// concurrent requests), and audits the use.
pub async fn use_recovery_code(
    state: &AppState,
    who: Answerer<'_>,
    code: RecoveryCode,
) -> ApiResult<()> {
    ensure_unlocked(state, who, AttemptKind::Code).await?;
    let Some((stored_hash, _)) = state.store.recovery_code(who.user_id).await? else {
        return Err(wrong_answer(state, who, AttemptKind::Code, ApiError::wrong_code()).await);
    };
    let hash = stored_hash.clone();
    let matches = tokio::task::spawn_blocking(move || code.matches(&hash)).await?;
    if !matches {
        return Err(wrong_answer(state, who, AttemptKind::Code, ApiError::wrong_code()).await);
    }
    if !state
        .store
        .consume_recovery_code(who.user_id, &stored_hash)
        .await?
    {
        // Another request used it first.
        return Err(ApiError::wrong_code());
    }
    right_answer(state, who, AttemptKind::Code).await?;
    state
        .store
        .audit(
            who.user_id,
            AuditKind::RecoveryCodeUsed,
            "",
            who.ip,
            state.clock.now(),
        )
        .await?;
    Ok(())
}

/// Makes a new recovery code the user's only one and returns it (to show once).
pub async fn issue_recovery_code(state: &AppState, user_id: i64) -> ApiResult<RecoveryCode> {
    let code = RecoveryCode::generate(&mut OsRng);
    let to_hash = code.clone();
    let hash = tokio::task::spawn_blocking(move || to_hash.hash()).await??;
    state
        .store
        .set_recovery_code(user_id, &hash, state.clock.now())
        .await?;
    Ok(code)
}

/// Checks the current password for re-authentication, under its own limit.
pub async fn check_password(
    state: &AppState,
    who: Answerer<'_>,
    password: Password,
) -> ApiResult<()> {
    ensure_unlocked(state, who, AttemptKind::Reauth).await?;
    let phc = state
        .store
        .password_hash(who.user_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let matches = tokio::task::spawn_blocking(move || password::verify(&password, &phc)).await?;
    if matches {
        right_answer(state, who, AttemptKind::Reauth).await
    } else {
        let error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::WRONG_PASSWORD,
            "That password is not correct.",
        );
        Err(wrong_answer(state, who, AttemptKind::Reauth, error).await)
    }
}
