//! Cross-site request protection for every state-changing request:
//! 1. our custom header must be present (a cross-site page cannot add it
//!    without a CORS preflight, which we never grant);
//! 2. when the browser says where the request came from (`Origin`,
//!    `Sec-Fetch-Site`), it must be this site.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mfa_api::{CSRF_HEADER, CSRF_VALUE, ErrorCode};

use super::error::ApiError;
use crate::config::Config;
use crate::state::AppState;

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && let Err(reason) = check(&state.config, request.headers()) {
        tracing::warn!(reason, method = %request.method(), path = request.uri().path(), "cross-site request refused");
        return ApiError::code(ErrorCode::CsrfRejected).into_response();
    }
    next.run(request).await
}

fn check(config: &Config, headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if text(CSRF_HEADER) != Some(CSRF_VALUE) {
        return Err("missing anti-forgery header");
    }
    if text("sec-fetch-site") == Some("cross-site") {
        return Err("cross-site fetch");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let same_host = text(header::HOST.as_str()).is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest == host)
        });
        if origin != config.public_origin() && !same_host {
            return Err("foreign origin");
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
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn requires_the_custom_header() {
        assert!(check(&config(), &headers(&[])).is_err());
        assert!(check(&config(), &headers(&[(CSRF_HEADER, "0")])).is_err());
        assert!(check(&config(), &headers(&[(CSRF_HEADER, CSRF_VALUE)])).is_ok());
    }

    #[test]
    fn accepts_our_origin_or_the_host_itself() {
        let ok = [
            headers(&[
                (CSRF_HEADER, CSRF_VALUE),
                ("origin", "https://mfa.example.com"),
            ]),
            headers(&[
                (CSRF_HEADER, CSRF_VALUE),
                ("origin", "http://127.0.0.1:4000"),
                ("host", "127.0.0.1:4000"),
            ]),
            headers(&[(CSRF_HEADER, CSRF_VALUE), ("sec-fetch-site", "same-origin")]),
        ];
        for h in ok {
            assert!(check(&config(), &h).is_ok(), "{h:?}");
        }
    }

    #[test]
    fn refuses_foreign_origins() {
        let bad = [
            headers(&[
                (CSRF_HEADER, CSRF_VALUE),
                ("origin", "https://evil.example"),
            ]),
            headers(&[(CSRF_HEADER, CSRF_VALUE), ("origin", "null")]),
            headers(&[
                (CSRF_HEADER, CSRF_VALUE),
                ("origin", "http://evil.test"),
                ("host", "127.0.0.1:4000"),
            ]),
            headers(&[(CSRF_HEADER, CSRF_VALUE), ("sec-fetch-site", "cross-site")]),
        ];
        for h in bad {
            assert!(check(&config(), &h).is_err(), "{h:?}");
        }
    }
}
