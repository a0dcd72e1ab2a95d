//! Session stages: who may do what before and after enrolling a factor.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, spawn_app};

#[tokio::test]
async fn a_payee_without_a_factor_may_only_enroll_then_reaches_everything() {
    let app = spawn_app().await;
    let reply = app.sign_in("payee@demo.test", DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["status"], "signed_in");
    assert_eq!(reply.body["me"]["stage"], "must_enroll");
    assert_eq!(
        reply.body["me"]["two_factor"]["requirement"],
        json!({ "status": "required", "because": "payee" })
    );
    let cookie = reply.session_cookie().unwrap();

    // Reading oneself and re-authenticating are allowed...
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["stage"], "must_enroll");
    app.reauth(&cookie).await;
    // ...anything else is not, even with the password just confirmed.
    for reply in [
        app.post("/api/recovery-code", Some(&cookie), &json!({}))
            .await,
        app.delete("/api/factors/1", Some(&cookie)).await,
    ] {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
        assert_eq!(reply.code(), "mfa_enrollment_required");
    }
    let db = app.db().await;
    let codes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(codes, 0, "nothing was made");

    // Enrolling lifts the restriction on this very session.
    let (_, _) = app.enroll(&cookie).await;
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.body["stage"], "full");
    app.reauth(&cookie).await;
    let fresh = app
        .post("/api/recovery-code", Some(&cookie), &json!({}))
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{:?}", fresh.body);

    // From now on, the second step comes first.
    app.post("/api/sign-out", Some(&cookie), &json!({})).await;
    app.password_step("payee@demo.test").await;
}

#[tokio::test]
async fn the_confirmation_tells_the_new_stage() {
    let app = spawn_app().await;
    let cookie = app.signed_in("payee@demo.test").await;
    let secret = app.start_authenticator(&cookie).await;
    let done = app
        .confirm_authenticator(&cookie, &crate::helpers::totp_code(&secret, app.now()))
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.body["me"]["stage"], "full");
}

#[tokio::test]
async fn a_member_without_a_factor_is_fully_signed_in() {
    let app = spawn_app().await;
    let reply = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(reply.body["me"]["stage"], "full");
    assert_eq!(
        reply.body["me"]["two_factor"]["requirement"],
        json!({ "status": "optional" })
    );
}

#[tokio::test]
async fn a_company_that_requires_mfa_sends_its_members_to_enroll() {
    let app = spawn_app().await;
    let db = app.db().await;
    sqlx::query(
        "INSERT INTO company_settings (company_id, mfa_required, updated_at) SELECT id, 1, 0 FROM companies",
    )
    .execute(&db)
    .await
    .unwrap();
    let reply = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(reply.body["me"]["stage"], "must_enroll");
    assert_eq!(
        reply.body["me"]["two_factor"]["requirement"],
        json!({ "status": "required", "because": "company_policy" })
    );
}
