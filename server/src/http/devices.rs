//! The person's sessions, trusted browsers and recent security activity,
//! for the Password & Security tab. Fully signed-in sessions only; each
//! acts on the person's own records alone.

use axum::extract::State;
use axum::http::StatusCode;
use mfa_api::{
    ActivityEvent, ActivityPage, PageQuery, SessionInfo, Sessions, SessionsEnded,
    TrustedBrowserInfo, TrustedBrowsers,
};
use utoipa_axum::routes;

use super::error::{ApiError, ApiResult};
use super::openapi::{Errors, Routes};
use super::session::SignedIn;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::domain::browser;
use crate::services::activity::{self, Page};
use crate::services::devices::{self, DevicesError};
use crate::state::AppState;
use crate::store::AuditRow;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(sessions))
        .routes(routes!(sign_out_others))
        .routes(routes!(sign_out))
        .routes(routes!(trusted_browsers, forget_all))
        .routes(routes!(forget))
        .routes(routes!(recent_activity))
}

impl From<DevicesError> for ApiError {
    fn from(e: DevicesError) -> Self {
        match e {
            DevicesError::NotFound => Self::code(mfa_api::ErrorCode::NotFound),
            DevicesError::Internal(e) => Self::Internal(e),
        }
    }
}

/// "Where you're signed in".
#[utoipa::path(
    get,
    path = "/me/sessions",
    tag = "me",
    responses(
        (status = 200, description = "Where this person is signed in", body = Sessions),
        Errors
    ),
    security(("session" = []))
)]
async fn sessions(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<ApiJson<Sessions>> {
    let sessions = devices::sessions(&state.deps, &session)
        .await?
        .into_iter()
        .map(|s| {
            let (browser, system) = browser::parts(&s.browser);
            SessionInfo {
                id: s.handle,
                browser,
                system,
                ip: s.ip,
                ip_since: s.ip_since,
                signed_in_at: s.times.created_at,
                last_active_at: s.times.last_seen_at,
                current: s.current,
            }
        })
        .collect();
    Ok(ApiJson(Sessions { sessions }))
}

/// "Sign out" of another session: at once, no password (it only takes
/// access away).
#[utoipa::path(
    delete,
    path = "/me/sessions/{id}",
    tag = "me",
    params(("id" = String, Path, description = "The session's handle (never the current one)")),
    responses(
        (status = 204, description = "That session ended"),
        Errors
    ),
    security(("session" = []))
)]
async fn sign_out(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    devices::sign_out(&state.deps, &session, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Sign out everywhere else".
#[utoipa::path(
    post,
    path = "/me/sessions/sign-out-others",
    tag = "me",
    responses(
        (status = 200, description = "Every other session ended", body = SessionsEnded),
        Errors
    ),
    security(("session" = []))
)]
async fn sign_out_others(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<ApiJson<SessionsEnded>> {
    let ended = devices::sign_out_others(&state.deps, &session).await?;
    Ok(ApiJson(SessionsEnded { ended }))
}

/// "Trusted browsers".
#[utoipa::path(
    get,
    path = "/me/trusted-browsers",
    tag = "me",
    responses(
        (status = 200, description = "Browsers that skip the second step", body = TrustedBrowsers),
        Errors
    ),
    security(("session" = []))
)]
async fn trusted_browsers(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<ApiJson<TrustedBrowsers>> {
    let (browsers, remember_days) = devices::trusted_browsers(&state.deps, &session).await?;
    let browsers = browsers
        .into_iter()
        .map(|b| {
            let (browser, system) = browser::parts(&b.browser);
            TrustedBrowserInfo {
                id: b.id,
                browser,
                system,
                added_at: b.created_at,
                last_used_at: b.last_used_at,
                expires_at: b.expires_at,
            }
        })
        .collect();
    Ok(ApiJson(TrustedBrowsers {
        browsers,
        remember_days,
    }))
}

/// "Forget": the browser asks for the second step again.
#[utoipa::path(
    delete,
    path = "/me/trusted-browsers/{id}",
    tag = "me",
    params(("id" = i64, Path, description = "The trusted browser's id")),
    responses(
        (status = 204, description = "That browser forgotten"),
        Errors
    ),
    security(("session" = []))
)]
async fn forget(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    devices::forget(&state.deps, &session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Forget all".
#[utoipa::path(
    delete,
    path = "/me/trusted-browsers",
    tag = "me",
    responses(
        (status = 204, description = "Every trusted browser forgotten"),
        Errors
    ),
    security(("session" = []))
)]
async fn forget_all(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<StatusCode> {
    devices::forget_mine(&state.deps, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Recent security activity": the last 90 days, a page at a time.
#[utoipa::path(
    get,
    path = "/me/activity",
    tag = "me",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of this person's security events, newest first", body = ActivityPage),
        Errors
    ),
    security(("session" = []))
)]
async fn recent_activity(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<ApiJson<ActivityPage>> {
    let cursor = activity::cursor(query.before, query.after);
    Ok(ApiJson(page(
        activity::recent(&state.deps, &session, cursor).await?,
    )))
}

/// A page of events as the API shows them.
pub(super) fn page(page: Page) -> ActivityPage {
    ActivityPage {
        events: page.events.into_iter().map(event).collect(),
        newer: page.newer,
        older: page.older,
    }
}

fn event(row: AuditRow) -> ActivityEvent {
    let (browser, system) = browser::parts(&row.browser);
    ActivityEvent {
        id: row.id,
        at: row.created_at,
        kind: row.kind,
        detail: row.detail,
        ip: row.ip,
        browser,
        system,
        member_name: row.name,
        member_email: row.email,
    }
}
