//! Forward authentication for a reverse proxy (nginx `auth_request`,
//! Traefik and Caddy forward auth), through the real router: who is let
//! through with which headers, where everyone else is sent, and that `rd`
//! never sends anyone off the configured domains. (A real nginx in front
//! of a real upstream is the browser test's, e2e/forward-auth.test.mjs.)

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use std::net::SocketAddr;

use crate::helpers::{Reply, TestApp, spawn_app_behind, spawn_app_with, totp_code};

const PROXIED: &[(&str, &str)] = &[
    ("MFA_TRUSTED_PROXIES", "127.0.0.1"),
    (
        "MFA_FORWARD_AUTH_DOMAINS",
        "wiki.example.com,.apps.example.org",
    ),
];

/// A proxy's check: the protected app's Host, the original request's
/// headers, the person's cookie, from `peer`.
async fn proxy_check(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    peer: [u8; 4],
) -> Reply {
    let mut request = Request::get(path).header(header::HOST, "wiki.example.com");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, app.current_cookie(cookie));
    }
    let request = request
        .extension(ConnectInfo(SocketAddr::from((peer, 50_000))))
        .body(Body::empty())
        .unwrap();
    app.send_as_is(request).await
}

fn location(reply: &Reply) -> String {
    reply.headers[header::LOCATION].to_str().unwrap().to_owned()
}

const LOCAL: [u8; 4] = [127, 0, 0, 1];

#[tokio::test]
async fn someone_signed_out_is_sent_to_sign_in_with_the_page_they_asked_for() {
    let app = spawn_app_with(PROXIED).await;
    let original = [
        ("x-original-url", "https://wiki.example.com/page?x=1"),
        ("origin", "https://wiki.example.com"),
    ];
    let reply = proxy_check(&app, "/api/authz/auth-request", None, &original, LOCAL).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        location(&reply),
        format!(
            "http://{}/sign-in?rd=https%3A%2F%2Fwiki.example.com%2Fpage%3Fx%3D1",
            app.host
        )
    );
    let forwarded = [
        ("x-forwarded-method", "GET"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "tracker.apps.example.org"),
        ("x-forwarded-uri", "/issue/7"),
    ];
    let reply = proxy_check(&app, "/api/authz/forward-auth", None, &forwarded, LOCAL).await;
    assert!(reply.status.is_redirection(), "{:?}", reply.status);
    assert!(
        location(&reply)
            .ends_with("/sign-in?rd=https%3A%2F%2Ftracker.apps.example.org%2Fissue%2F7")
    );

    // A page on another domain is not remembered; nor are the headers of a
    // peer that is not a trusted proxy.
    let elsewhere = [("x-original-url", "https://evil.example.com/")];
    let reply = proxy_check(&app, "/api/authz/auth-request", None, &elsewhere, LOCAL).await;
    assert_eq!(location(&reply), format!("http://{}/sign-in", app.host));
    let reply = proxy_check(
        &app,
        "/api/authz/auth-request",
        None,
        &original,
        [10, 9, 9, 9],
    )
    .await;
    assert_eq!(location(&reply), format!("http://{}/sign-in", app.host));
}

#[tokio::test]
async fn a_full_session_passes_with_who_it_is_and_a_half_one_does_not() {
    let app = spawn_app_with(PROXIED).await;
    let member = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&member).await;
    let partial = app.password_step("member@demo.test").await;
    let original = [("x-original-url", "https://wiki.example.com/")];
    let reply = proxy_check(
        &app,
        "/api/authz/auth-request",
        Some(&partial),
        &original,
        LOCAL,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "the second step is due"
    );

    let done = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    let full = done.session_cookie().unwrap();
    for path in ["/api/authz/auth-request", "/api/authz/forward-auth"] {
        let reply = proxy_check(&app, path, Some(&full), &original, LOCAL).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.headers["remote-user"], "member@demo.test");
        assert_eq!(reply.headers["remote-email"], "member@demo.test");
        assert!(!reply.headers["remote-name"].is_empty());
        assert!(
            reply.headers["remote-groups"]
                .to_str()
                .unwrap()
                .ends_with(":member"),
            "{:?}",
            reply.headers["remote-groups"]
        );
    }
    // Signed out: no longer.
    app.post("/api/sign-out", Some(&full), &serde_json::json!({}))
        .await;
    let reply = proxy_check(
        &app,
        "/api/authz/auth-request",
        Some(&full),
        &original,
        LOCAL,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn after_sign_in_only_a_configured_domain_is_returned_to() {
    let app = spawn_app_with(PROXIED).await;
    for (rd, to) in [
        (
            "https%3A%2F%2Fwiki.example.com%2Fpage",
            "https://wiki.example.com/page",
        ),
        (
            "https%3A%2F%2Fa.apps.example.org%2F",
            "https://a.apps.example.org/",
        ),
        ("https%3A%2F%2Fevil.example.com%2F", "/"),
        ("%2F%2Fevil.example.com", "/"),
        ("https%3A%2F%2Fwiki.example.com.evil.test%2F", "/"),
        ("javascript%3Aalert(1)", "/"),
    ] {
        let reply = app.get(&format!("/api/authz/continue?rd={rd}"), None).await;
        assert!(reply.status.is_redirection());
        assert_eq!(location(&reply), to, "{rd}");
    }
    let reply = app.get("/api/authz/continue", None).await;
    assert_eq!(location(&reply), "/");
}

#[tokio::test]
async fn a_cookie_domain_shares_the_session_with_sibling_hosts_under_the_secure_prefix() {
    let app = spawn_app_behind("https://mfa.example.com").await;
    let plain = app
        .sign_in("member@demo.test", crate::helpers::DEMO_PASSWORD)
        .await;
    let cookie = plain.set_cookie().unwrap();
    assert!(cookie.starts_with("__Host-mfa_session="), "{cookie}");
    assert!(!cookie.to_lowercase().contains("domain="));

    let dir = app.dir;
    let app = crate::helpers::spawn_app_in(
        dir,
        &[
            ("MFA_DEMO", "0"),
            ("MFA_PUBLIC_URL", "https://mfa.example.com"),
            ("MFA_COOKIE_DOMAIN", "example.com"),
        ],
    )
    .await;
    let signed = app
        .sign_in("member@demo.test", crate::helpers::DEMO_PASSWORD)
        .await;
    let cookie = signed.set_cookie().unwrap();
    assert!(cookie.starts_with("__Secure-mfa_session="), "{cookie}");
    assert!(
        cookie.contains("Domain=example.com") && cookie.contains("Secure"),
        "{cookie}"
    );
    let value = signed.session_cookie().unwrap();
    assert_eq!(
        app.get("/api/me", Some(&value)).await.status,
        StatusCode::OK
    );

    for bad in ["other.com", "com", "ample.com"] {
        let refused = mfa_server::Config::from_lookup(|name| match name {
            "MFA_PUBLIC_URL" => Some("https://mfa.example.com".to_owned()),
            "MFA_COOKIE_DOMAIN" => Some(bad.to_owned()),
            _ => None,
        });
        assert!(refused.is_err(), "{bad}");
    }
}
