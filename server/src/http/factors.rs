use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use mfa_api::{
    ConfirmTotpRequest, FactorChange, Me, PRODUCT_NAME, RecoveryCodeText, TotpEnrollment, codes,
};
use rand::rngs::OsRng;

use super::ApiJson;
use super::client_ip::ClientIp;
use super::session::CurrentSession;
use crate::domain::policy;
use crate::domain::seal;
use crate::domain::totp::{self, TotpCode, TotpSecret};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::AuditKind;
use crate::verification::{self, Answerer};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/factors/totp", post(start_totp))
        .route("/factors/totp/confirm", post(confirm_totp))
        .route("/factors/totp/{id}", delete(remove_totp))
        .route("/recovery-code", post(new_recovery_code))
}

/// A new pending authenticator (replacing any earlier pending one). It signs
/// nobody in until confirmed with a code.
async fn start_totp(
    State(state): State<AppState>,
    session: CurrentSession,
) -> ApiResult<ApiJson<TotpEnrollment>> {
    let now = state.clock.now();
    session.require_reauth(now)?;
    let user = state
        .store
        .user(session.user_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let secret = TotpSecret::generate(&mut OsRng);
    let key = state.key.clone();
    let factor_id = state
        .store
        .replace_pending_totp(user.id, now, |factor_id| {
            seal::seal(
                &key,
                &seal::totp_owner(user.id, factor_id),
                secret.as_bytes(),
                &mut OsRng,
            )
        })
        .await?;
    Ok(ApiJson(TotpEnrollment {
        factor_id,
        otpauth_uri: totp::otpauth_uri(PRODUCT_NAME, &user.email, &secret),
        secret: secret.to_base32(),
    }))
}

/// Confirms the pending authenticator with a code from it. The first factor
/// also brings the recovery code, returned here once.
async fn confirm_totp(
    State(state): State<AppState>,
    session: CurrentSession,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ConfirmTotpRequest>,
) -> ApiResult<ApiJson<FactorChange>> {
    let user_id = session.user_id;
    let code = TotpCode::parse(&request.code).map_err(|e| ApiError::validation(e.to_string()))?;
    let pending = state
        .store
        .pending_totp(user_id)
        .await?
        .ok_or_else(no_pending_enrollment)?;
    let who = Answerer {
        user_id,
        ip: ip.as_deref(),
    };
    verification::check_totp(&state, who, &pending, &code).await?;
    let now = state.clock.now();
    if !state.store.confirm_totp(user_id, pending.id, now).await? {
        // Another request confirmed it (or a new start replaced it) meanwhile.
        return Err(no_pending_enrollment());
    }
    state
        .store
        .audit(
            user_id,
            AuditKind::FactorAdded,
            "authenticator_app",
            who.ip,
            now,
        )
        .await?;
    let recovery_code = match state.store.recovery_code(user_id).await? {
        Some(_) => None,
        None => Some(RecoveryCodeText(
            verification::issue_recovery_code(&state, user_id)
                .await?
                .display(),
        )),
    };
    tracing::info!(user_id, factor_id = pending.id, "authenticator app added");
    let me = super::me::load(&state, user_id).await?;
    Ok(ApiJson(FactorChange { me, recovery_code }))
}

fn no_pending_enrollment() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        codes::NO_PENDING_ENROLLMENT,
        "Start adding the authenticator app again.",
    )
}

/// Removes an authenticator, unless MFA is required and it is the last factor.
/// With no factor left, the recovery code goes too.
async fn remove_totp(
    State(state): State<AppState>,
    session: CurrentSession,
    ClientIp(ip): ClientIp,
    Path(factor_id): Path<i64>,
) -> ApiResult<ApiJson<Me>> {
    let now = state.clock.now();
    session.require_reauth(now)?;
    let user_id = session.user_id;
    let memberships = state.store.memberships(user_id).await?;
    let required = policy::mfa_required(memberships.iter().map(|m| m.mfa_duty()));
    let count = state.store.confirmed_factor_count(user_id).await?;
    if count > 0 && !policy::may_remove_factor(required, count) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::FACTOR_REQUIRED,
            "Two-factor authentication is required for your account: add another method before removing this one.",
        ));
    }
    if !state.store.delete_totp(user_id, factor_id).await? {
        return Err(ApiError::not_found());
    }
    if count == 1 {
        state.store.delete_recovery_code(user_id).await?;
    }
    state
        .store
        .audit(
            user_id,
            AuditKind::FactorRemoved,
            "authenticator_app",
            ip.as_deref(),
            now,
        )
        .await?;
    tracing::info!(user_id, factor_id, "authenticator app removed");
    Ok(ApiJson(super::me::load(&state, user_id).await?))
}

/// Voids the recovery code and makes a new one, returned here once.
async fn new_recovery_code(
    State(state): State<AppState>,
    session: CurrentSession,
    ClientIp(ip): ClientIp,
) -> ApiResult<ApiJson<FactorChange>> {
    let now = state.clock.now();
    session.require_reauth(now)?;
    let user_id = session.user_id;
    if state.store.confirmed_factor_count(user_id).await? == 0 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::NOT_ENROLLED,
            "Set up two-factor authentication first.",
        ));
    }
    let code = verification::issue_recovery_code(&state, user_id).await?;
    state
        .store
        .audit(
            user_id,
            AuditKind::RecoveryCodeRegenerated,
            "",
            ip.as_deref(),
            now,
        )
        .await?;
    let me = super::me::load(&state, user_id).await?;
    Ok(ApiJson(FactorChange {
        me,
        recovery_code: Some(RecoveryCodeText(code.display())),
    }))
}
