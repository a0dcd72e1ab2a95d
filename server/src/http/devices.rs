//! The person's sessions, trusted browsers and recent security activity,
//! for the Password & Security tab. Fully signed-in sessions only; each
//! acts on the person's own records alone.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use mfa_api::{
    ActivityEvent, ActivityPage, PageQuery, SessionInfo, Sessions, SessionsEnded,
    TrustedBrowserInfo, TrustedBrowsers,
};

use super::error::{ApiError, ApiResult};
use super::session::SignedIn;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::domain::browser;
use crate::services::activity::{self, Page};
use crate::services::devices::{self, DevicesError};
use crate::state::AppState;
use crate::store::AuditRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/sessions", get(sessions))
        .route("/me/sessions/sign-out-others", post(sign_out_others))
        .route("/me/sessions/{id}", delete(sign_out))
        .route(
            "/me/trusted-browsers",
            get(trusted_browsers).delete(forget_all),
        )
        .route("/me/trusted-browsers/{id}", delete(forget))
        .route("/me/activity", get(recent_activity))
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
async fn sign_out(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    devices::sign_out(&state.deps, &session, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Sign out everywhere else".
async fn sign_out_others(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<ApiJson<SessionsEnded>> {
    let ended = devices::sign_out_others(&state.deps, &session).await?;
    Ok(ApiJson(SessionsEnded { ended }))
}

/// "Trusted browsers".
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
async fn forget(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    devices::forget(&state.deps, &session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Forget all".
async fn forget_all(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> ApiResult<StatusCode> {
    devices::forget_mine(&state.deps, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Recent security activity": the last 90 days, a page at a time.
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
