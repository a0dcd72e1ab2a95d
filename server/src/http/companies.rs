use axum::Router;
use axum::extract::State;
use axum::routing::get;
use mfa_api::{Company, MfaPolicy, MfaPolicyRequest};

use super::client_ip::ClientIp;
use super::error::ApiResult;
use super::session::SignedIn;
use super::{ApiJson, ApiPath};
use crate::domain::deadline;
use crate::services::company_policy::{self, PolicyChange};
use crate::state::AppState;
use crate::store::CompanySettings;

pub fn router() -> Router<AppState> {
    Router::new().route("/companies/{id}/mfa-policy", get(policy).put(save_policy))
}

fn answer(settings: CompanySettings) -> ApiJson<MfaPolicy> {
    ApiJson(MfaPolicy {
        company: Company {
            id: settings.company_id,
            name: settings.company_name,
        },
        required: settings.mfa_required,
        enforcement_date: settings.enforcement_date,
        time_zone: settings.time_zone,
        deadline: settings.deadline,
        grace_days: settings.grace_days,
        time_zones: deadline::time_zone_names(),
    })
}

/// The company's MFA policy (its admins only).
async fn policy(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
) -> ApiResult<ApiJson<MfaPolicy>> {
    Ok(answer(
        company_policy::get(&state.deps, &session, company_id).await?,
    ))
}

/// Requires MFA (or not), from a date in a time zone (or at once).
async fn save_policy(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
    ApiJson(request): ApiJson<MfaPolicyRequest>,
) -> ApiResult<ApiJson<MfaPolicy>> {
    let change = PolicyChange {
        required: request.required,
        enforcement_date: request.enforcement_date,
        time_zone: request.time_zone,
        grace_days: request.grace_days,
    };
    Ok(answer(
        company_policy::save(&state.deps, &session, ip.as_deref(), company_id, change).await?,
    ))
}
