//! Forward authentication for a reverse proxy in front of the company's
//! other apps: Traefik's `forwardAuth` and Caddy's `forward_auth` call
//! `/api/authz/forward-auth` (the original request in `X-Forwarded-Method`,
//! `-Proto`, `-Host`, `-Uri`), nginx's `auth_request` calls
//! `/api/authz/auth-request` (`X-Original-URL`). A full session answers 200
//! with `Remote-User` (the email), `Remote-Email`, `Remote-Name` and
//! `Remote-Groups`; anything else is sent to the sign-in page with the
//! original URL as `rd`, which `/api/authz/continue` returns to after sign-in
//! only when its host is in `MFA_FORWARD_AUTH_DOMAINS`. The forwarded
//! headers count only from `MFA_TRUSTED_PROXIES`.

use std::net::SocketAddr;
use utoipa_axum::routes;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use mfa_api::{ErrorCode, SessionStage, percent_encode};
use serde::Deserialize;

use super::error::ApiError;
use super::openapi::{Errors, Routes};
use super::session::any_session;
use crate::config::forward_auth::allowed_return;
use crate::services::forward_auth::{self, IdentityError};
use crate::state::AppState;

pub fn router() -> Routes {
    Routes::new()
        .routes(routes!(forward_auth_check))
        .routes(routes!(auth_request))
        .routes(routes!(continue_to))
}

/// The paths a proxy calls under `/api`: they answer for any `Host` and
/// `Origin` (the proxy passes the app's), and only read.
pub fn is_proxy_check(path: &str) -> bool {
    ["/authz/forward-auth", "/authz/auth-request"]
        .iter()
        .any(|p| path == *p || path.strip_prefix("/api").is_some_and(|rest| rest == *p))
}

/// How the proxy describes the request it checks.
#[derive(Clone, Copy)]
enum Proxy {
    /// Traefik, Caddy: `X-Forwarded-*`, and a redirect when signed out.
    Forward,
    /// nginx: `X-Original-URL`, and 401 with `Location` when signed out.
    AuthRequest,
}

#[utoipa::path(
    get,
    path = "/authz/forward-auth",
    tag = "apps",
    responses(
        (status = 200, description = "Signed in: Remote-User, Remote-Email, Remote-Name and Remote-Groups name the person"),
        (status = 303, description = "Not signed in: to the sign-in page"),
        Errors
    )
)]
async fn forward_auth_check(
    state: State<AppState>,
    extensions: Extensions,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    check(state, extensions, jar, headers, Proxy::Forward).await
}

#[utoipa::path(
    get,
    path = "/authz/auth-request",
    tag = "apps",
    responses(
        (status = 200, description = "Signed in: Remote-User, Remote-Email, Remote-Name and Remote-Groups name the person"),
        Errors
    )
)]
async fn auth_request(
    state: State<AppState>,
    extensions: Extensions,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    check(state, extensions, jar, headers, Proxy::AuthRequest).await
}

async fn check(
    State(state): State<AppState>,
    extensions: Extensions,
    jar: CookieJar,
    headers: HeaderMap,
    proxy: Proxy,
) -> Response {
    let session = match any_session(&jar, &state).await {
        Ok(session) => session.filter(|s| s.stage == SessionStage::Full),
        Err(e) => return e.into_response(),
    };
    if let Some(session) = session {
        return match forward_auth::identity(&state.deps, &session).await {
            Ok(identity) => {
                let mut response = StatusCode::OK.into_response();
                let h = response.headers_mut();
                put(h, "remote-user", &identity.email);
                put(h, "remote-email", &identity.email);
                put(h, "remote-name", &identity.name);
                put(h, "remote-groups", &identity.groups.join(","));
                response
            }
            Err(IdentityError::Gone) => ApiError::code(ErrorCode::Unauthenticated).into_response(),
            Err(IdentityError::Internal(e)) => ApiError::Internal(e).into_response(),
        };
    }
    let peer = extensions.get::<ConnectInfo<SocketAddr>>();
    let trusted = peer.is_some_and(|ConnectInfo(addr)| {
        state
            .config
            .trusted_proxies
            .iter()
            .any(|range| range.contains(addr.ip()))
    });
    let original = trusted.then(|| original_url(&headers, proxy)).flatten();
    let sign_in = match original
        .filter(|rd| allowed_return(rd, &state.config.forward_auth_domains).is_some())
    {
        Some(rd) => format!(
            "{}/sign-in?rd={}",
            state.config.public_origin(),
            percent_encode(&rd, &[])
        ),
        None => format!("{}/sign-in", state.config.public_origin()),
    };
    match proxy {
        Proxy::Forward => Redirect::to(&sign_in).into_response(),
        Proxy::AuthRequest => {
            let mut response = ApiError::code(ErrorCode::Unauthenticated).into_response();
            if let Ok(location) = HeaderValue::from_str(&sign_in) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
    }
}

/// A header value as given (UTF-8 names pass as bytes), control characters dropped.
fn put(headers: &mut HeaderMap, name: &'static str, value: &str) {
    let clean: String = value.chars().filter(|c| !c.is_control()).collect();
    if let Ok(value) = HeaderValue::from_bytes(clean.as_bytes()) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

/// The URL the person asked the proxy for.
fn original_url(headers: &HeaderMap, proxy: Proxy) -> Option<String> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match proxy {
        Proxy::AuthRequest => text("x-original-url").map(str::to_owned),
        Proxy::Forward => {
            let proto = text("x-forwarded-proto").unwrap_or("https");
            let host = text("x-forwarded-host")?;
            let uri = text("x-forwarded-uri").unwrap_or("/");
            let uri = if uri.starts_with('/') { uri } else { "/" };
            Some(format!("{proto}://{host}{uri}"))
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Continue {
    rd: Option<String>,
}

/// After sign-in: back to `rd` when its host is one forward authentication
/// serves (`MFA_FORWARD_AUTH_DOMAINS`), else home. Never an open redirect.
#[utoipa::path(
    get,
    path = "/authz/continue",
    tag = "apps",
    params(Continue),
    responses(
        (status = 303, description = "To rd when forward authentication serves its host, else home"),
        Errors
    )
)]
async fn continue_to(
    State(state): State<AppState>,
    query: Result<Query<Continue>, QueryRejection>,
) -> Response {
    let target = query
        .ok()
        .and_then(|Query(c)| c.rd)
        .and_then(|rd| allowed_return(&rd, &state.config.forward_auth_domains));
    match target {
        Some(url) => Redirect::to(url.as_str()).into_response(),
        None => Redirect::to("/").into_response(),
    }
}
