//! The person's sessions, trusted browsers and recent activity, and the
//! company's audit log.

use gloo_net::http::Request;
use mfa_api::{
    ActivityPage, AuditLog, AuditLogQuery, PageQuery, Sessions, SessionsEnded, TrustedBrowsers,
};

use super::{ApiError, build, guarded, json, send};

/// "Where you're signed in".
pub async fn sessions() -> Result<Sessions, ApiError> {
    json(build(Request::get("/api/me/sessions"))?).await
}

/// "Sign out" of one of the person's other sessions.
pub async fn sign_out_session(id: String) -> Result<(), ApiError> {
    send(build(guarded(Request::delete(&format!(
        "/api/me/sessions/{id}"
    ))))?)
    .await
    .map(drop)
}

/// "Sign out everywhere else".
pub async fn sign_out_others() -> Result<SessionsEnded, ApiError> {
    json(build(guarded(Request::post(
        "/api/me/sessions/sign-out-others",
    )))?)
    .await
}

/// "Trusted browsers".
pub async fn trusted_browsers() -> Result<TrustedBrowsers, ApiError> {
    json(build(Request::get("/api/me/trusted-browsers"))?).await
}

/// "Forget" one trusted browser, or (none) "Forget all".
pub async fn forget_browsers(id: Option<i64>) -> Result<(), ApiError> {
    let path = match id {
        Some(id) => format!("/api/me/trusted-browsers/{id}"),
        None => "/api/me/trusted-browsers".to_owned(),
    };
    send(build(guarded(Request::delete(&path)))?)
        .await
        .map(drop)
}

/// A page of "Recent security activity".
pub async fn activity(query: &PageQuery) -> Result<ActivityPage, ApiError> {
    json(build(Request::get(&format!(
        "/api/me/activity?{}",
        query.to_query_string()
    )))?)
    .await
}

/// A page of the company's audit log (company admins).
pub async fn audit_log(company: i64, query: &AuditLogQuery) -> Result<AuditLog, ApiError> {
    json(build(Request::get(&audit_log_path(company, "", query)))?).await
}

/// The filtered audit log as CSV (every page).
pub async fn audit_log_csv(company: i64, query: &AuditLogQuery) -> Result<String, ApiError> {
    let filters = AuditLogQuery {
        before: None,
        after: None,
        ..query.clone()
    };
    let response = send(build(Request::get(&audit_log_path(
        company, ".csv", &filters,
    )))?)
    .await?;
    let status = response.status();
    response
        .text()
        .await
        .map_err(|_| ApiError::BadResponse { status })
}

fn audit_log_path(company: i64, suffix: &str, query: &AuditLogQuery) -> String {
    format!(
        "/api/companies/{company}/audit-log{suffix}?{}",
        query.to_query_string()
    )
}
