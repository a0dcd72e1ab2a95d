//! Resets start a person over for real (every count and lock, every known
//! browser), and an admin's reset stays inside the companies they run.

use axum::http::{Method, StatusCode};
use mfa_server::domain::clock::{Clock, SystemClock};
use mfa_server::domain::email::Email;
use serde_json::json;

use crate::helpers::{TestApp, certainly_wrong_code, spawn_app, totp_code};
use crate::limits::fail_a_hundred_codes;
use crate::rollout::break_glass;

#[tokio::test]
async fn the_operators_reset_opens_the_codes_of_someone_locked_out_by_a_hundred_failures() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _recovery) = app.enroll(&cookie).await;
    fail_a_hundred_codes(&app, "member@demo.test", &secret).await;

    let out = break_glass(&app, "member@demo.test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The command ran on the real clock; the test's runs behind it.
    app.clock.set(SystemClock.now() + 1);

    // No factor any more: signed in at once; a new authenticator enrolls.
    let cookie = app.signed_in("member@demo.test").await;
    let secret = app.start_authenticator(&cookie).await;
    let done = app
        .confirm_authenticator(&cookie, &totp_code(&secret, app.now()))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(
        done.body["recovery_code"].is_string(),
        "a new recovery code"
    );
    app.clock.advance(30);
    // And signs in with it.
    let partial = app.password_step("member@demo.test").await;
    let signed_in = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    let db = app.db().await;
    let counted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM attempt_limits WHERE failures > 0 OR locked_until > 0",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(counted, 0);
}

#[tokio::test]
async fn an_admins_reset_clears_the_members_counts_and_locks() {
    let app = spawn_app().await;
    let member = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&member).await;
    // Ten wrong codes lock the member's second step.
    let partial = app.password_step("member@demo.test").await;
    for _ in 0..10 {
        app.second_factor(&partial, "totp", &certainly_wrong_code(&secret, app.now()))
            .await;
    }
    let admin = app.signed_in("admin@demo.test").await;
    app.reauth(&admin).await;
    let (company, member_id) = (company_of(&app, &admin).await, user_id(&app, &member).await);
    let reset = app
        .post(
            &format!("/api/companies/{company}/members/{member_id}/reset-mfa"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    let cookie = app.signed_in("member@demo.test").await;
    let secret = app.start_authenticator(&cookie).await;
    let done = app
        .confirm_authenticator(&cookie, &totp_code(&secret, app.now()))
        .await;
    assert_eq!(done.status, StatusCode::OK, "no lock left: {:?}", done.body);
}

async fn company_of(app: &TestApp, admin: &str) -> i64 {
    app.get("/api/me", Some(admin)).await.body["memberships"][0]["company"]["id"]
        .as_i64()
        .unwrap()
}

async fn user_id(app: &TestApp, cookie: &str) -> i64 {
    app.get("/api/me", Some(cookie)).await.body["user"]["id"]
        .as_i64()
        .unwrap()
}

/// Adds `email` to a second company, "Other Co", as its admin or as a payee.
async fn also_in_other_company(app: &TestApp, email: &str, admin: bool, payee: bool) {
    let mut tx = app.deps.store.begin().await.unwrap();
    let other = match tx.company_id_by_name("Other Co").await.unwrap() {
        Some(id) => id,
        None => tx.create_company("Other Co", app.now()).await.unwrap(),
    };
    let user = tx
        .user_id_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    tx.upsert_membership(user, other, admin, payee, app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_admin_cannot_reset_someone_who_also_belongs_to_another_company() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let member = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&member).await;
    let (company, member_id) = (company_of(&app, &admin).await, user_id(&app, &member).await);
    let reset_path = format!("/api/companies/{company}/members/{member_id}/reset-mfa");
    let db = app.db().await;
    let factors = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM factors WHERE user_id = $1")
            .bind(member_id)
            .fetch_one(&db)
            .await
            .unwrap()
    };

    // The member is also Other Co's admin (then, its payee): refused.
    for (their_admin, payee) in [(true, false), (false, true)] {
        also_in_other_company(&app, "member@demo.test", their_admin, payee).await;
        app.reauth(&admin).await;
        let refused = app.post(&reset_path, Some(&admin), &json!({})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
        assert_eq!(refused.code(), "forbidden");
        assert_eq!(factors().await, 1, "nothing changed");
        assert_eq!(
            app.get("/api/me", Some(&member)).await.status,
            StatusCode::OK,
            "the member's session lives"
        );
    }
    let refusals: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'mfa_reset_refused' AND user_id = $1",
    )
    .bind(user_id(&app, &admin).await)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(refusals, 2, "audited");
    let partial = app.password_step("member@demo.test").await;
    let still = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(still.status, StatusCode::OK);

    // An admin of both companies may.
    also_in_other_company(&app, "admin@demo.test", true, false).await;
    app.reauth(&admin).await;
    let done = app
        .send(app.request(Method::POST, &reset_path, Some(&admin), Some("{}")))
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
    assert_eq!(factors().await, 0);
}
