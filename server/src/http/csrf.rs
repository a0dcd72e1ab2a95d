//! Where API requests may come from, checked before anything else:
//! 1. the `Host` must be the public URL's (a DNS-rebinding page that makes a
//!    browser talk to us under its own name is refused);
//! 2. an `Origin`, when the browser sends one, must be exactly the public
//!    origin (scheme, host and port);
//! 3. every state-changing request carries our custom header (a cross-site
//!    page cannot add it without a CORS preflight, which we never grant) and
//!    is not a cross-site fetch.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mfa_api::{CSRF_HEADER, CSRF_VALUE, ErrorCode};

use super::error::ApiError;
use crate::config::{Config, origin};
use crate::state::AppState;

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // A reverse proxy's check carries the protected app's Host and Origin.
    if super::forward_auth::is_proxy_check(request.uri().path()) && request.method() == Method::GET
    {
        return next.run(request).await;
    }
    let state_changing = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if let Err((code, reason)) = check(&state.config, request.headers(), state_changing) {
        tracing::warn!(reason, method = %request.method(), path = request.uri().path(), "request refused");
        return ApiError::code(code).into_response();
    }
    next.run(request).await
}

fn check(
    config: &Config,
    headers: &HeaderMap,
    state_changing: bool,
) -> Result<(), (ErrorCode, &'static str)> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    // Compared as the configured URL is: lower case, no default port.
    let host = origin::normalise_authority(
        config.public_scheme(),
        text(header::HOST.as_str()).unwrap_or_default(),
    );
    if !config.allowed_hosts().contains(&host) {
        return Err((ErrorCode::HostNotAllowed, "foreign host"));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().ok().and_then(origin::normalise_url);
        if !origin.is_some_and(|origin| config.allowed_origins().contains(&origin)) {
            return Err((ErrorCode::CsrfRejected, "foreign origin"));
        }
    }
    if state_changing {
        if text(CSRF_HEADER) != Some(CSRF_VALUE) {
            return Err((ErrorCode::CsrfRejected, "missing anti-forgery header"));
        }
        if text("sec-fetch-site") == Some("cross-site") {
            return Err((ErrorCode::CsrfRejected, "cross-site fetch"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config() -> Config {
        Config::from_lookup(|name| {
            (name == "MFA_PUBLIC_URL").then(|| "https://mfa.example.com".to_owned())
        })
        .unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("mfa.example.com"));
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn refused(h: &HeaderMap, state_changing: bool) -> Option<ErrorCode> {
        check(&config(), h, state_changing)
            .err()
            .map(|(code, _)| code)
    }

    #[test]
    fn state_changes_need_the_custom_header() {
        assert_eq!(refused(&headers(&[]), true), Some(ErrorCode::CsrfRejected));
        assert_eq!(
            refused(&headers(&[(CSRF_HEADER, "0")]), true),
            Some(ErrorCode::CsrfRejected)
        );
        assert_eq!(refused(&headers(&[(CSRF_HEADER, CSRF_VALUE)]), true), None);
        assert_eq!(refused(&headers(&[]), false), None, "reads need no header");
    }

    #[test]
    fn only_the_public_host_and_origin_are_answered() {
        let ok = headers(&[
            (CSRF_HEADER, CSRF_VALUE),
            ("origin", "https://mfa.example.com"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(refused(&ok, true), None);
        for (name, value, code) in [
            ("host", "attacker.test", ErrorCode::HostNotAllowed),
            ("host", "mfa.example.com:8443", ErrorCode::HostNotAllowed),
            ("origin", "https://evil.example", ErrorCode::CsrfRejected),
            ("origin", "http://mfa.example.com", ErrorCode::CsrfRejected),
            (
                "origin",
                "https://mfa.example.com:444",
                ErrorCode::CsrfRejected,
            ),
            ("origin", "null", ErrorCode::CsrfRejected),
            ("sec-fetch-site", "cross-site", ErrorCode::CsrfRejected),
        ] {
            let mut h = ok.clone();
            h.insert(name, HeaderValue::from_static(value));
            assert_eq!(refused(&h, true), Some(code), "{name}: {value}");
        }
        for (host, origin) in [
            ("MFA.Example.COM", "https://MFA.example.com"),
            ("mfa.example.com:443", "https://mfa.example.com:443"),
        ] {
            let mut h = ok.clone();
            h.insert("host", HeaderValue::from_static(host));
            h.insert("origin", HeaderValue::from_static(origin));
            assert_eq!(refused(&h, true), None, "{host} {origin}");
        }
        let mut rebinding = headers(&[("origin", "http://attacker.test")]);
        rebinding.insert("host", HeaderValue::from_static("attacker.test"));
        assert_eq!(refused(&rebinding, false), Some(ErrorCode::HostNotAllowed));
        assert_eq!(
            refused(&headers(&[("origin", "https://evil.example")]), false),
            Some(ErrorCode::CsrfRejected)
        );
    }
}
