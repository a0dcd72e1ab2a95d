//! The session follows privilege: a new id at every rise (the password
//! confirmed again, the first factor enrolled), and the stage decided
//! again when the company's deadline passes or the person's duties change.

use axum::http::{Method, StatusCode};
use mfa_server::domain::email::Email;
use serde_json::json;

use crate::enforcement::{enrolled_admin, put_policy};
use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app, totp_code};

/// Sends as a browser holding exactly `cookie` would (no later rotation).
async fn as_is(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    body: Option<&str>,
) -> crate::helpers::Reply {
    let mut request = app.request(method, path, None, body);
    request
        .headers_mut()
        .insert(axum::http::header::COOKIE, cookie.parse().unwrap());
    app.send_as_is(request).await
}

#[tokio::test]
async fn confirming_the_password_gives_the_session_a_new_id() {
    let app = spawn_app().await;
    let before = app.signed_in("member@demo.test").await;
    let body = json!({ "password": DEMO_PASSWORD }).to_string();
    let reauth = as_is(&app, Method::POST, "/api/reauth", &before, Some(&body)).await;
    assert_eq!(reauth.status, StatusCode::NO_CONTENT, "{:?}", reauth.body);
    let after = reauth.session_cookie().expect("a new session cookie");
    assert_ne!(after, before);
    let stolen = as_is(&app, Method::GET, "/api/me", &before, None).await;
    assert_eq!(
        stolen.status,
        StatusCode::UNAUTHORIZED,
        "the old cookie is dead"
    );
    let start = as_is(&app, Method::POST, "/api/factors/totp", &after, Some("{}")).await;
    assert_eq!(
        start.status,
        StatusCode::OK,
        "the new one may act: {:?}",
        start.body
    );
}

#[tokio::test]
async fn the_first_factor_gives_a_must_enroll_session_a_new_id() {
    let app = spawn_app().await;
    let signed_in = app.sign_in("payee@demo.test", DEMO_PASSWORD).await;
    assert_eq!(signed_in.body["me"]["stage"], "must_enroll");
    let cookie = signed_in.session_cookie().unwrap();
    let secret = app.start_authenticator(&cookie).await;
    let before = app.current_cookie(&cookie);
    let body = json!({ "code": totp_code(&secret, app.now()) }).to_string();
    let done = as_is(
        &app,
        Method::POST,
        "/api/factors/totp/confirm",
        &before,
        Some(&body),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["me"]["stage"], "full");
    let after = done.session_cookie().expect("a new session cookie");
    assert_ne!(after, before);
    assert_eq!(
        as_is(&app, Method::GET, "/api/me", &before, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let me = as_is(&app, Method::GET, "/api/me", &after, None).await;
    assert_eq!(me.body["stage"], "full");
    // The browser keeps the new cookie.
    app.jar.lock().unwrap().insert(cookie.clone(), after);
    // A factor added later (no change of stage) keeps the id.
    app.clock.advance(30);
    let phone = app.start_phone(&cookie, "US", "(201) 555-0123").await;
    assert_eq!(phone.status, StatusCode::OK, "{:?}", phone.body);
    let now = app.current_cookie(&cookie);
    let code = app.texted_code().await;
    let added = as_is(
        &app,
        Method::POST,
        "/api/factors/sms/confirm",
        &now,
        Some(&json!({ "code": code }).to_string()),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    assert!(added.session_cookie().is_none());
}

#[tokio::test]
async fn a_signed_in_member_without_a_factor_must_enroll_once_the_deadline_passes() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let set = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": "2026-11-29", "time_zone": "UTC" }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let deadline = set.body["deadline"].as_i64().unwrap();
    // Signed in shortly before the deadline, without a factor: full.
    app.clock.set(deadline - 10 * 60);
    let member = app.signed_in("member@demo.test").await;
    assert_eq!(
        app.get("/api/me", Some(&member)).await.body["stage"],
        "full"
    );
    app.clock.set(deadline - 1);
    assert_eq!(
        app.get("/api/me", Some(&member)).await.body["stage"],
        "full"
    );
    // From it on, this very session may only enroll.
    app.clock.set(deadline);
    let me = app.get("/api/me", Some(&member)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["stage"], "must_enroll");
    let refused = app
        .post("/api/recovery-code", Some(&member), &json!({}))
        .await;
    assert_eq!(refused.code(), "mfa_enrollment_required");
    // Enrolling makes it full again.
    app.enroll(&member).await;
    assert_eq!(
        app.get("/api/me", Some(&member)).await.body["stage"],
        "full"
    );
}

#[tokio::test]
async fn a_policy_that_requires_mfa_at_once_reaches_sessions_already_open() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let member = app.signed_in("member@demo.test").await;
    assert_eq!(
        app.get("/api/me", Some(&member)).await.body["stage"],
        "full"
    );
    let set = put_policy(&app, &admin, company, json!({ "required": true })).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(
        app.get("/api/me", Some(&member)).await.body["stage"],
        "must_enroll"
    );
}

#[tokio::test]
async fn a_member_made_a_payee_must_enroll_at_their_next_request() {
    let app = spawn_app().await;
    let member = app.signed_in("member@demo.test").await;
    assert_eq!(
        app.get("/api/me", Some(&member)).await.body["stage"],
        "full"
    );
    let mut tx = app.deps.store.begin().await.unwrap();
    let id = tx
        .user_id_by_email(&Email::parse("member@demo.test").unwrap())
        .await
        .unwrap()
        .unwrap();
    tx.upsert_membership(id, 1, false, true, app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let me = app.get("/api/me", Some(&member)).await;
    assert_eq!(me.body["stage"], "must_enroll");
    assert_eq!(
        me.body["two_factor"]["requirement"],
        json!({ "status": "required", "because": "payee" })
    );
}
