//! After a change to a user's factors, their other sessions end; a pending
//! enrollment does not last; sign-ins and replayed codes are audited.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, spawn_app, totp_code};

#[tokio::test]
async fn every_factor_change_ends_the_users_other_sessions() {
    let app = spawn_app().await;
    let here = app.signed_in("member@demo.test").await;
    let elsewhere = app.signed_in("member@demo.test").await;
    let someone_else = app.signed_in("admin@demo.test").await;
    let (secret, _) = app.enroll(&here).await;
    let alive = |cookie: String| {
        let app = &app;
        async move { app.get("/api/me", Some(&cookie)).await.status == StatusCode::OK }
    };
    assert!(
        alive(here.clone()).await,
        "the session that made the change stays"
    );
    assert!(
        !alive(elsewhere).await,
        "adding a factor ended the other session"
    );
    assert!(alive(someone_else).await, "other users are not touched");

    // A new recovery code, then removing the factor: each ends the others too.
    let partial = app.password_step("member@demo.test").await;
    let second = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await
        .session_cookie()
        .unwrap();
    app.reauth(&here).await;
    let regenerated = app
        .post("/api/recovery-code", Some(&here), &json!({}))
        .await;
    assert_eq!(regenerated.status, StatusCode::OK);
    assert!(!alive(second).await, "a new recovery code ended it");

    app.clock.advance(30);
    let partial = app.password_step("member@demo.test").await;
    let third = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await
        .session_cookie()
        .unwrap();
    let id = app.get("/api/me", Some(&here)).await.body["two_factor"]["factors"][0]["id"]
        .as_i64()
        .unwrap();
    let removed = app.delete(&format!("/api/factors/{id}"), Some(&here)).await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    assert!(!alive(third).await, "removing the factor ended it");
    assert!(alive(here).await);
}

#[tokio::test]
async fn a_pending_authenticator_expires_after_ten_minutes() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let secret = app.start_authenticator(&cookie).await;
    app.clock.advance(10 * 60);
    let late = app
        .confirm_authenticator(&cookie, &totp_code(&secret, app.now()))
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(late.code(), "no_pending_enrollment");
}

#[tokio::test]
async fn sign_ins_and_replayed_codes_are_audited_with_user_and_ip() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    app.sign_in("member@demo.test", "wrong-password").await;
    app.sign_in("nobody@demo.test", DEMO_PASSWORD).await;
    let code = totp_code(&secret, app.now());
    let partial = app.password_step("member@demo.test").await;
    let window: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|dt| totp_code(&secret, app.now() + dt))
        .collect();
    let wrong = (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !window.contains(c))
        .unwrap();
    app.second_factor(&partial, "totp", &wrong).await;
    assert_eq!(
        app.second_factor(&partial, "totp", &code).await.status,
        StatusCode::OK
    );
    let partial = app.password_step("member@demo.test").await;
    let replay = app.second_factor(&partial, "totp", &code).await;
    assert_eq!(replay.code(), "code_already_used");

    let db = app.db().await;
    let rows: Vec<(String, String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT kind, detail, user_id, ip FROM audit_events WHERE kind IN ('sign_in', 'sign_in_failed', 'code_replayed') ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let member: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'member@demo.test'")
        .fetch_one(&db)
        .await
        .unwrap();
    let seen: Vec<(&str, &str, Option<i64>)> = rows
        .iter()
        .map(|(kind, detail, user, _)| (kind.as_str(), detail.as_str(), *user))
        .collect();
    assert_eq!(
        seen,
        [
            ("sign_in", "password", Some(member)),
            ("sign_in_failed", "password", Some(member)),
            ("sign_in_failed", "password", None),
            ("sign_in", "password", Some(member)),
            ("sign_in_failed", "authenticator_app", Some(member)),
            ("sign_in", "authenticator_app", Some(member)),
            ("sign_in", "password", Some(member)),
            ("code_replayed", "authenticator_app", Some(member)),
        ]
    );
    assert!(rows.iter().all(|r| r.3.as_deref() == Some("127.0.0.1")));
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
    for (trusted, expected) in [("", "127.0.0.1"), ("127.0.0.0/8", "203.0.113.9")] {
        let app = crate::helpers::spawn_app_with(&[("MFA_TRUSTED_PROXIES", trusted)]).await;
        let mut request = app.request(
            axum::http::Method::POST,
            "/api/sign-in",
            None,
            Some(&json!({ "email": "member@demo.test", "password": "wrong" }).to_string()),
        );
        request.headers_mut().insert(
            "x-forwarded-for",
            "198.51.100.1, 203.0.113.9".parse().unwrap(),
        );
        assert_eq!(app.send(request).await.status, StatusCode::UNAUTHORIZED);
        let db = app.db().await;
        let ip: Option<String> =
            sqlx::query_scalar("SELECT ip FROM audit_events WHERE kind = 'sign_in_failed'")
                .fetch_one(&db)
                .await
                .unwrap();
        assert_eq!(ip.as_deref(), Some(expected), "trusted: {trusted:?}");
    }
}

#[tokio::test]
async fn replacing_the_authenticator_records_the_old_ones_removal() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let _ = app.enroll(&cookie).await;
    let secret = app.start_authenticator(&cookie).await;
    let done = app
        .confirm_authenticator(&cookie, &totp_code(&secret, app.now()))
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.body.get("recovery_code").is_none(),
        "not the first factor"
    );
    assert_eq!(
        done.body["me"]["two_factor"]["factors"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let db = app.db().await;
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM audit_events WHERE kind LIKE 'factor_%' ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(kinds, ["factor_added", "factor_removed", "factor_added"]);
}

#[tokio::test]
async fn the_background_sweep_deletes_expired_sessions_only() {
    let app = spawn_app().await;
    let old = app.signed_in("member@demo.test").await;
    app.clock
        .advance(mfa_server::domain::session::ABSOLUTE_TIMEOUT_SECS + 1);
    let fresh = app.signed_in("admin@demo.test").await;
    let swept = mfa_server::services::housekeeping::sweep(&app.deps)
        .await
        .unwrap();
    assert_eq!(swept, 1);
    assert_eq!(
        app.get("/api/me", Some(&old)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/me", Some(&fresh)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn audit_events_past_their_retention_are_deleted_in_slices() {
    use mfa_server::services::housekeeping::{AUDIT_SLICE, forget_old_audit_events};
    use mfa_server::store::AuditKind;

    let app = crate::helpers::spawn_app().await;
    let now = app.now();
    let retention = app.deps.audit_retention_secs;
    let old = (2 * AUDIT_SLICE + 5) as usize;
    let mut tx = app.deps.store.begin().await.unwrap();
    for i in 0..old {
        let at = now - retention - 1 - i as i64;
        // The admin's (user 1): each is in the company's log too.
        tx.audit(1, AuditKind::SignInFailed, "password", None, at)
            .await
            .unwrap();
    }
    for at in [now - retention, now] {
        tx.audit(None, AuditKind::SignInFailed, "password", None, at)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'sign_in_failed' AND detail = 'password'",
        )
        .fetch_one(&app.db().await)
        .await
        .unwrap()
    };
    assert_eq!(count().await, old as i64 + 2);
    let deleted = forget_old_audit_events(&app.deps).await.unwrap();
    assert_eq!(deleted, old as u64, "three slices");
    assert_eq!(count().await, 2, "those within the retention stay");
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_event_companies WHERE event_id NOT IN (SELECT id FROM audit_events)",
    )
    .fetch_one(&app.db().await)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "the company logs lose them too");
    assert_eq!(forget_old_audit_events(&app.deps).await.unwrap(), 0);
}
