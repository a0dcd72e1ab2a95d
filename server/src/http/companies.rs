use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use mfa_api::{
    Company, MemberReadiness, MfaPolicy, MfaPolicyRequest, Readiness, ReadinessQuery,
    RemindersQueued, RemindersRequest,
};
use utoipa_axum::routes;

use super::client_ip::ClientIp;
use super::error::ApiResult;
use super::openapi::{Errors, Routes};
use super::session::{Reauthenticated, SignedIn};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::domain::deadline;
use crate::domain::factors::MethodSet;
use crate::services::company_policy::{self, PolicyChange};
use crate::services::rollout;
use crate::state::AppState;
use crate::store::CompanySettings;

/// Every route here is for the company's admins: the services check the
/// caller's role in that company on each call.
pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(policy, save_policy))
        .routes(routes!(readiness))
        .routes(routes!(readiness_csv))
        .routes(routes!(send_reminders))
        .routes(routes!(reset_member))
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
        allowed_methods: settings.allowed_methods.kinds(),
        trusted_browser_days: settings.trusted_browser_days,
    })
}

/// The company's MFA policy.
#[utoipa::path(
    get,
    path = "/companies/{id}/mfa-policy",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "The company's MFA policy", body = MfaPolicy),
        Errors
    ),
    security(("session" = []))
)]
async fn policy(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
) -> ApiResult<ApiJson<MfaPolicy>> {
    Ok(answer(
        company_policy::get(&state.deps, &session, company_id).await?,
    ))
}

/// Requires MFA (or not), from a date in a time zone (or at once). The
/// admin confirms their password first: a stolen session must not turn
/// enforcement off, nor email every member.
#[utoipa::path(
    put,
    path = "/companies/{id}/mfa-policy",
    tag = "companies",
    request_body = MfaPolicyRequest,
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "The policy as saved", body = MfaPolicy),
        Errors
    ),
    security(("session" = []))
)]
async fn save_policy(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
    ApiJson(request): ApiJson<MfaPolicyRequest>,
) -> ApiResult<ApiJson<MfaPolicy>> {
    let change = PolicyChange {
        required: request.required,
        enforcement_date: request.enforcement_date,
        time_zone: request.time_zone,
        grace_days: request.grace_days,
        allowed_methods: request.allowed_methods.map(MethodSet::of),
        trusted_browser_days: request.trusted_browser_days,
    };
    Ok(answer(
        company_policy::save(&state.deps, &session, ip.as_deref(), company_id, change).await?,
    ))
}

/// Who is enrolled, who is not, and how long is left; one page of the list.
#[utoipa::path(
    get,
    path = "/companies/{id}/readiness",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), ReadinessQuery),
    responses(
        (status = 200, description = "Who has enrolled, a page of members", body = Readiness),
        Errors
    ),
    security(("session" = []))
)]
async fn readiness(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ReadinessQuery>,
) -> ApiResult<ApiJson<Readiness>> {
    let readiness = rollout::readiness(&state.deps, &session, company_id, &query).await?;
    let count = |n: i64| usize::try_from(n).unwrap_or_default();
    Ok(ApiJson(Readiness {
        enrolled: count(readiness.enrolled),
        not_enrolled: count(readiness.not_enrolled),
        deadline: readiness.settings.deadline,
        days_left: readiness.days_left,
        matching: count(readiness.matching),
        page: readiness.page_number,
        members: readiness
            .page
            .into_iter()
            .map(|m| MemberReadiness {
                user_id: m.user_id,
                name: m.name,
                email: m.email,
                enrolled: m.enrolled,
                needs_another_method: m.has_factor && !m.enrolled,
                last_sign_in_at: m.last_sign_in_at,
                reminders_sent: m.reminders_sent,
            })
            .collect(),
    }))
}

/// The not-enrolled list as a CSV download.
#[utoipa::path(
    get,
    path = "/companies/{id}/readiness.csv",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "Members not enrolled yet, as CSV", content_type = "text/csv", body = String),
        Errors
    ),
    security(("session" = []))
)]
async fn readiness_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let csv = rollout::export_csv(&state.deps, &session, ip.as_deref(), company_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"not-enrolled-company-{company_id}.csv\""),
            ),
        ],
        csv,
    ))
}

/// "Send reminder now", to one member or to all not enrolled.
#[utoipa::path(
    post,
    path = "/companies/{id}/reminders",
    tag = "companies",
    request_body = RemindersRequest,
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, description = "Reminders queued", body = RemindersQueued),
        Errors
    ),
    security(("session" = []))
)]
async fn send_reminders(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
    ApiJson(request): ApiJson<RemindersRequest>,
) -> ApiResult<ApiJson<RemindersQueued>> {
    let queued = rollout::send_reminders(
        &state.deps,
        &session,
        ip.as_deref(),
        company_id,
        request.user_id,
    )
    .await?;
    Ok(ApiJson(RemindersQueued { queued }))
}

/// Resets a member's MFA (the admin confirms their password first).
#[utoipa::path(
    post,
    path = "/companies/{id}/members/{member}/reset-mfa",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), ("member" = i64, Path, description = "The member's user id")),
    responses(
        (status = 204, description = "The member's factors and recovery code are removed"),
        Errors
    ),
    security(("session" = []))
)]
async fn reset_member(
    State(state): State<AppState>,
    Reauthenticated(SignedIn(session)): Reauthenticated<SignedIn>,
    ClientIp(ip): ClientIp,
    ApiPath((company_id, member_id)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::http::StatusCode> {
    rollout::reset_member(&state.deps, &session, ip.as_deref(), company_id, member_id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
