//! Passwords: the one rule for a chosen password, changing one's own, and
//! a forgotten password reset by an emailed link that never gets around the
//! second factor.

use axum::http::{Method, StatusCode};
use mfa_server::services::notify;
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, TestApp, certainly_wrong_code, spawn_app, totp_code};

const NEW_PASSWORD: &str = "lantern orbit velvet quarry";

async fn change(app: &TestApp, cookie: &str, current: &str, new: &str) -> crate::helpers::Reply {
    let body = json!({ "current_password": current, "new_password": new }).to_string();
    app.send(app.request(Method::PUT, "/api/me/password", Some(cookie), Some(&body)))
        .await
}

/// Sends every queued email; the emails in the outbox, newest first.
async fn emails(app: &TestApp) -> Vec<Value> {
    while notify::deliver_due(&app.deps, "w").await.unwrap().sent > 0 {}
    let outbox = app.get("/api/outbox", None).await;
    outbox.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["channel"] == "email")
        .cloned()
        .collect()
}

/// Waits for the reset email to `to` (made after the answer) and returns
/// its link's token.
async fn reset_link(app: &TestApp, to: &str) -> String {
    for _ in 0..100 {
        let found = emails(app)
            .await
            .into_iter()
            .find(|m| m["to"] == to && m["subject"] == "Choose a new TwoStep password");
        if let Some(email) = found {
            let body = email["body"].as_str().unwrap();
            let start = body.find("/reset-password/").expect("a link") + "/reset-password/".len();
            return body[start..start + 64].to_owned();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no reset email to {to}");
}

async fn ask(app: &TestApp, email: &str) -> crate::helpers::Reply {
    app.post("/api/password-reset", None, &json!({ "email": email }))
        .await
}

async fn reset(app: &TestApp, token: &str, password: &str) -> crate::helpers::Reply {
    app.post(
        &format!("/api/password-reset/{token}"),
        None,
        &json!({ "password": password }),
    )
    .await
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let here = app.signed_in("member@demo.test").await;
    let elsewhere = app.signed_in("member@demo.test").await;
    let wrong = change(&app, &here, "not-my-password", NEW_PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.code(), "wrong_password");
    for (weak, why) in [
        ("short", None),
        ("password123", Some("common_password")),
        ("member@demo.test", None),
    ] {
        let refused = change(&app, &here, DEMO_PASSWORD, weak).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}");
        assert_eq!(refused.code(), "weak_password", "{weak}");
        if let Some(why) = why {
            assert_eq!(refused.body["password_feedback"]["warning"], why);
        }
    }
    let done = change(&app, &here, DEMO_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    assert_eq!(app.get("/api/me", Some(&here)).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/me", Some(&elsewhere)).await.status,
        StatusCode::UNAUTHORIZED,
        "other sessions end"
    );
    assert_eq!(
        app.sign_in("member@demo.test", DEMO_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in("member@demo.test", NEW_PASSWORD).await.status,
        StatusCode::OK
    );
    let notice = emails(&app)
        .await
        .into_iter()
        .find(|m| m["subject"] == "Your TwoStep password was changed")
        .expect("the notice");
    assert_eq!(notice["to"], "member@demo.test");
    assert!(
        notice["body"]
            .as_str()
            .unwrap()
            .contains("If this wasn't you")
    );
    let db = app.db().await;
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'password_changed'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_forgotten_password_gets_the_same_answer_for_any_address() {
    let app = spawn_app().await;
    let known = ask(&app, "member@demo.test").await;
    let unknown = ask(&app, "nobody@demo.test").await;
    for reply in [&known, &unknown] {
        assert_eq!(reply.status, StatusCode::ACCEPTED);
        assert!(reply.set_cookie().is_none());
    }
    assert_eq!(known.body, unknown.body);
    reset_link(&app, "member@demo.test").await;
    assert!(
        !emails(&app)
            .await
            .iter()
            .any(|m| m["to"] == "nobody@demo.test"),
        "nothing to an address without an account"
    );
    let malformed = ask(&app, "not an address").await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_reset_link_works_once_within_thirty_minutes_and_still_asks_for_the_second_factor() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    // Locked out of the codes (ten wrong ones): a reset does not open them.
    let partial = app.password_step("member@demo.test").await;
    for _ in 0..10 {
        app.second_factor(&partial, "totp", &certainly_wrong_code(&secret, app.now()))
            .await;
    }
    ask(&app, "member@demo.test").await;
    let token = reset_link(&app, "member@demo.test").await;
    let status = app.get(&format!("/api/password-reset/{token}"), None).await;
    assert_eq!(status.status, StatusCode::NO_CONTENT);
    // A refused password leaves the link working.
    let weak = reset(&app, &token, "password1").await;
    assert_eq!(weak.code(), "weak_password");
    let done = reset(&app, &token, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    assert!(done.set_cookie().is_none(), "nobody is signed in");
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::UNAUTHORIZED,
        "every session ended"
    );
    let again = reset(&app, &token, "another fine long passphrase").await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.code(), "link_expired");
    // The new password leads to the second step, still locked.
    let signed_in = app.sign_in("member@demo.test", NEW_PASSWORD).await;
    assert_eq!(signed_in.body["status"], "second_factor_required");
    let partial = signed_in.session_cookie().unwrap();
    let locked = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    let subjects: Vec<Value> = emails(&app)
        .await
        .iter()
        .map(|m| m["subject"].clone())
        .collect();
    assert!(
        subjects.contains(&json!("Your TwoStep password was changed")),
        "{subjects:?}"
    );

    // Thirty minutes, and a newer link voids the older.
    ask(&app, "member@demo.test").await;
    let older = reset_link(&app, "member@demo.test").await;
    app.clock.advance(60);
    ask(&app, "member@demo.test").await;
    let newer = loop {
        let token = reset_link(&app, "member@demo.test").await;
        if token != older {
            break token;
        }
    };
    assert_eq!(
        reset(&app, &older, "older link passphrase here")
            .await
            .code(),
        "link_expired"
    );
    app.clock.advance(30 * 60);
    assert_eq!(
        reset(&app, &newer, "newer link passphrase here")
            .await
            .code(),
        "link_expired"
    );
    assert_eq!(
        app.get("/api/password-reset/not-a-token", None)
            .await
            .code(),
        "link_expired"
    );
}

#[tokio::test]
async fn reset_links_are_limited_per_address_and_per_network_with_the_same_answer() {
    let app = spawn_app().await;
    for _ in 0..5 {
        let reply = ask(&app, "member@demo.test").await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    reset_link(&app, "member@demo.test").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let sent = emails(&app)
        .await
        .iter()
        .filter(|m| m["subject"] == "Choose a new TwoStep password")
        .count();
    assert_eq!(sent, 3, "three an hour per address");
    // From one network, twenty requests an hour whatever the address.
    for n in 0..20 {
        ask(&app, &format!("someone{n}@demo.test")).await;
    }
    let db = app.db().await;
    let counted = |db: sqlx::AnyPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM password_reset_requests")
            .fetch_one(&db)
            .await
            .unwrap()
    };
    let before = counted(db.clone()).await;
    let over = ask(&app, "admin@demo.test").await;
    assert_eq!(over.status, StatusCode::ACCEPTED, "the same answer");
    assert_eq!(
        counted(db.clone()).await,
        before,
        "not counted, nothing sent"
    );
    app.clock.advance(60 * 60);
    ask(&app, "admin@demo.test").await;
    reset_link(&app, "admin@demo.test").await;
}
