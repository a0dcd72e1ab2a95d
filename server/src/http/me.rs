use axum::Router;
use axum::extract::State;
use axum::routing::get;
use mfa_api::{AuthenticatorInfo, Company, Me, Membership, Role, TwoFactorStatus, User};

use super::ApiJson;
use super::session::CurrentSession;
use crate::domain::policy;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

async fn me(State(state): State<AppState>, session: CurrentSession) -> ApiResult<ApiJson<Me>> {
    load(&state, session.user_id).await.map(ApiJson)
}

/// The signed-in user's view of themselves.
pub async fn load(state: &AppState, user_id: i64) -> ApiResult<Me> {
    let user = state
        .store
        .user(user_id)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    let memberships = state.store.memberships(user_id).await?;
    let authenticator = state.store.confirmed_totp(user_id).await?;
    let recovery_code = state.store.recovery_code(user_id).await?;
    let two_factor = TwoFactorStatus {
        enabled: authenticator.is_some(),
        required: policy::mfa_required(memberships.iter().map(|m| m.mfa_duty())),
        authenticator: authenticator.map(|f| AuthenticatorInfo {
            id: f.id,
            added_at: f.confirmed_at.unwrap_or(f.created_at),
            last_used_at: f.last_used_at,
        }),
        recovery_code_created_at: recovery_code.map(|(_, created_at)| created_at),
    };
    Ok(Me {
        user: User {
            id: user.id,
            email: user.email,
            name: user.name,
        },
        memberships: memberships
            .into_iter()
            .map(|m| Membership {
                company: Company {
                    id: m.company_id,
                    name: m.company_name,
                },
                role: if m.is_admin {
                    Role::Admin
                } else {
                    Role::Member
                },
                payee: m.payee,
            })
            .collect(),
        two_factor,
    })
}
