//! A company's audit log, for its admins: a page at a time, filtered by
//! member, kind and dates, and as a CSV download.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use mfa_api::{AuditLog, AuditLogQuery};
use utoipa_axum::routes;

use super::client_ip::ClientIp;
use super::devices::page;
use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::SignedIn;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::services::activity::{self, LogError, LogQuery};
use crate::state::AppState;
use crate::store::AuditKind;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(audit_log))
        .routes(routes!(audit_log_csv))
}

impl From<LogError> for ApiError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::Policy(e) => e.into(),
            LogError::Invalid(why) => Self::validation(why),
        }
    }
}

fn filter(query: &AuditLogQuery) -> LogQuery {
    LogQuery {
        member: query.member.clone(),
        kind: query.kind.clone(),
        since: query.since,
        until: query.until,
    }
}

/// One page of the log, the newest first.
#[utoipa::path(
    get,
    path = "/companies/{id}/audit-log",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), AuditLogQuery),
    responses(
        (status = 200, description = "A page of the company's audit log, newest first", body = AuditLog),
        Errors
    ),
    security(("session" = []))
)]
async fn audit_log(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(company_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<AuditLogQuery>,
) -> ApiResult<ApiJson<AuditLog>> {
    let cursor = activity::cursor(query.before, query.after);
    let read =
        activity::company_log(&state.deps, &session, company_id, &filter(&query), cursor).await?;
    Ok(ApiJson(AuditLog {
        page: page(read),
        kinds: AuditKind::ALL
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect(),
    }))
}

/// "Export CSV": the filtered log (audited).
#[utoipa::path(
    get,
    path = "/companies/{id}/audit-log.csv",
    tag = "companies",
    params(("id" = i64, Path, description = "The company's id"), AuditLogQuery),
    responses(
        (status = 200, description = "The filtered log as CSV (at most 100,000 rows)", content_type = "text/csv", body = String),
        Errors
    ),
    security(("session" = []))
)]
async fn audit_log_csv(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ClientIp(ip): ClientIp,
    ApiPath(company_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<AuditLogQuery>,
) -> ApiResult<impl IntoResponse> {
    let csv = activity::export_csv(
        &state.deps,
        &session,
        ip.as_deref(),
        company_id,
        &filter(&query),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"audit-log-company-{company_id}.csv\""),
            ),
        ],
        csv,
    ))
}
