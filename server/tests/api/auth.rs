use std::time::Instant;

use axum::http::StatusCode;
use mfa_server::domain::session::IDLE_TIMEOUT_SECS;
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

#[tokio::test]
async fn member_signs_in_and_sees_themselves() {
    let app = spawn_app().await;
    let reply = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "signed_in");
    assert_eq!(reply.body["me"]["user"]["email"], "member@demo.test");

    let set_cookie = reply.set_cookie().unwrap();
    assert!(set_cookie.starts_with("mfa_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert!(set_cookie.contains("Path=/"));
    assert!(!set_cookie.contains("Secure"), "plain http: no Secure flag");
    let value = reply.session_cookie().unwrap();
    assert_eq!(
        value.split_once('=').unwrap().1.len(),
        64,
        "256-bit id, hex"
    );

    let me = app.get("/api/me", Some(&value)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["email"], "member@demo.test");
    assert_eq!(
        me.body["memberships"][0]["company"]["name"],
        "Demo Construction"
    );
    assert_eq!(me.body["memberships"][0]["role"], "member");
    assert_eq!(me.body["memberships"][0]["payee"], false);
    assert_eq!(me.body["two_factor"]["enabled"], false);
}

#[tokio::test]
async fn demo_roles_are_seeded() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let me = app.get("/api/me", Some(&admin)).await;
    assert_eq!(me.body["memberships"][0]["role"], "admin");
    let payee = app.signed_in("PAYEE@demo.test").await;
    let me = app.get("/api/me", Some(&payee)).await;
    assert_eq!(
        me.body["user"]["email"], "payee@demo.test",
        "email is case-insensitive"
    );
    assert_eq!(me.body["memberships"][0]["payee"], true);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = spawn_app().await;
    let wrong = app.sign_in("member@demo.test", "not-the-password").await;
    let unknown = app.sign_in("nobody@demo.test", "not-the-password").await;
    for reply in [&wrong, &unknown] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.code(), "invalid_credentials");
        assert!(reply.set_cookie().is_none(), "no session on failure");
    }
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn unknown_email_costs_as_much_as_a_wrong_password() {
    let app = spawn_app().await;
    // Each attempt is a real check: the clock moves past any delay the
    // failures before it started, so no answer is a throttle's 429.
    let timed = |email: &'static str| {
        let app = &app;
        async move {
            app.clock.advance(15 * 60);
            let t = Instant::now();
            let reply = app.sign_in(email, "x").await;
            let elapsed = t.elapsed();
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{email}: {:?}",
                reply.body
            );
            assert_eq!(reply.code(), "invalid_credentials");
            elapsed
        }
    };
    // Warm up both paths once.
    timed("member@demo.test").await;
    timed("nobody@demo.test").await;
    let mut wrong = std::time::Duration::ZERO;
    let mut unknown = std::time::Duration::ZERO;
    for _ in 0..5 {
        wrong += timed("member@demo.test").await;
        unknown += timed("nobody@demo.test").await;
    }
    // Both do one argon2 verification; an early return would be 100x faster.
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    assert!(
        (0.33..3.0).contains(&ratio),
        "unknown {unknown:?} vs wrong {wrong:?}"
    );
}

#[tokio::test]
async fn signing_in_again_rotates_the_session() {
    let app = spawn_app().await;
    let first = app.signed_in("member@demo.test").await;
    let reply = app
        .post(
            "/api/sign-in",
            Some(&first),
            &json!({ "email": "member@demo.test", "password": DEMO_PASSWORD }),
        )
        .await;
    let second = reply.session_cookie().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.get("/api/me", Some(&first)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/me", Some(&second)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let reply = app.post("/api/sign-out", Some(&cookie), &json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let cleared = reply.set_cookie().unwrap();
    assert!(
        cleared.starts_with("mfa_session=;") || cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.code(), "unauthenticated");
}

#[tokio::test]
async fn me_needs_a_live_session() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/api/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let forged = format!("mfa_session={}", "ab".repeat(32));
    assert_eq!(
        app.get("/api/me", Some(&forged)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/me", Some("mfa_session=garbage")).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn idle_sessions_expire_and_active_ones_do_not() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    // Activity keeps it alive past one idle period...
    for _ in 0..3 {
        app.clock.advance(IDLE_TIMEOUT_SECS - 60);
        assert_eq!(
            app.get("/api/me", Some(&cookie)).await.status,
            StatusCode::OK
        );
    }
    // ...silence ends it.
    app.clock.advance(IDLE_TIMEOUT_SECS);
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn https_deployments_get_secure_host_only_cookies() {
    let app = crate::helpers::spawn_app_behind("https://mfa.example.com").await;
    let reply = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    let set_cookie = reply.set_cookie().unwrap();
    assert!(
        set_cookie.starts_with("__Host-mfa_session="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("Secure"));
    let cookie = reply.session_cookie().unwrap();
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn demo_seeding_is_idempotent_and_follows_the_password() {
    let app = spawn_app().await;
    let first = app.signed_in("member@demo.test").await;
    let me = app.get("/api/me", Some(&first)).await;
    let id = me.body["user"]["id"].clone();

    // Same data dir, new password: same account, new password works, old does not.
    let config = crate::helpers::config(
        app.dir.path(),
        &[("MFA_DEMO_PASSWORD", "a-new-demo-password")],
    );
    let again = mfa_server::Application::build(config).await.unwrap();
    let again = TestApp {
        router: mfa_server::http::router(again.state().clone()),
        jar: Default::default(),
        deps: again.state().deps.clone(),
        host: again.state().config.allowed_hosts()[0].clone(),
        clock: app.clock.clone(),
        dir: tempfile::tempdir().unwrap(),
    };
    assert_eq!(
        again
            .sign_in("member@demo.test", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let reply = again
        .sign_in("member@demo.test", "a-new-demo-password")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["me"]["user"]["id"], id);
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = spawn_app().await;
    let reply = app.get("/api/health", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, json!({ "status": "ok", "database": "ok" }));
}
