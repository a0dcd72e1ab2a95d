//! The company's allowed methods: a method turned off can no longer be
//! added; members who have only that method count as not enrolled ("needs
//! another method"), are emailed once, and keep signing in with it until
//! the enforcement date (at once when there is none).

use axum::http::StatusCode;
use serde_json::json;

use crate::enforcement::{enrolled_admin, put_policy};
use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

async fn emails_of_kind(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM email_queue WHERE kind = $1")
        .bind(kind)
        .fetch_one(&app.db().await)
        .await
        .unwrap()
}

/// Morgan adds a phone number (their only factor).
async fn phone_only_member(app: &TestApp) {
    let member = app.signed_in("member@demo.test").await;
    app.reauth(&member).await;
    app.enroll_phone(&member).await;
}

#[tokio::test]
async fn admins_choose_at_least_one_method_and_the_change_is_audited() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let policy = app
        .get(
            &format!("/api/companies/{company}/mfa-policy"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        policy.body["allowed_methods"],
        json!(["authenticator_app", "sms", "passkey"]),
        "every method until an admin chooses"
    );
    let none = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": false, "allowed_methods": [] }),
    )
    .await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        none.body
    );
    let unknown = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": false, "allowed_methods": ["fax"] }),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": false, "allowed_methods": ["authenticator_app", "passkey"] }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(
        saved.body["allowed_methods"],
        json!(["authenticator_app", "passkey"])
    );
    // Saved without the field: unchanged.
    let again = put_policy(&app, &admin, company, json!({ "required": false })).await;
    assert_eq!(
        again.body["allowed_methods"],
        json!(["authenticator_app", "passkey"])
    );
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE kind = 'company_policy_changed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db().await)
    .await
    .unwrap();
    assert!(
        detail.ends_with("methods=authenticator_app,passkey"),
        "{detail}"
    );
    // A member sees what they may add; texts can no longer be added.
    let member = app.signed_in("member@demo.test").await;
    let me = app.get("/api/me", Some(&member)).await;
    assert_eq!(
        me.body["two_factor"]["allowed_methods"],
        json!(["authenticator_app", "passkey"])
    );
    app.reauth(&member).await;
    let phone = app.start_phone(&member, "FR", "06 12 34 56 78").await;
    assert_eq!(phone.status, StatusCode::FORBIDDEN, "{:?}", phone.body);
    assert_eq!(phone.body["code"], "method_not_allowed_by_company");
    assert!(app.texts().await.is_empty(), "nothing texted");
}

#[tokio::test]
async fn a_phone_only_member_is_warned_once_and_held_at_the_enforcement_date() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    phone_only_member(&app).await;
    // 00:00 on the 29th at UTC+14: ten hours after the tests' start.
    let (date, zone) = ("2026-11-29", "Pacific/Kiritimati");
    let saved = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": date, "time_zone": zone,
                "allowed_methods": ["authenticator_app", "passkey"] }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(emails_of_kind(&app, "methods_turned_off").await, 1);
    // Saved again: nobody is told twice.
    put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": date, "time_zone": zone }),
    )
    .await;
    assert_eq!(emails_of_kind(&app, "methods_turned_off").await, 1);

    // Readiness: not enrolled, needing another method.
    let readiness = app
        .get(
            &format!("/api/companies/{company}/readiness?everyone=true"),
            Some(&admin),
        )
        .await;
    let morgan = readiness.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "member@demo.test")
        .unwrap()
        .clone();
    assert_eq!(morgan["enrolled"], false, "{morgan}");
    assert_eq!(morgan["needs_another_method"], true);

    // Before the date: texts still finish a sign-in, and the banner shows.
    let step = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(
        step.body["status"], "second_factor_required",
        "{:?}",
        step.body
    );
    assert_eq!(step.body["factors"][0]["kind"], "sms");
    let partial = step.session_cookie().unwrap();
    let texted = app
        .post("/api/sign-in/second-factor/sms", Some(&partial), &json!({}))
        .await;
    assert_eq!(texted.status, StatusCode::OK, "{:?}", texted.body);
    let done = app
        .second_factor(&partial, "sms", &app.texted_code().await)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(
        done.body["me"]["two_factor"]["deadline"].is_object(),
        "the banner"
    );
    let session = done.session_cookie().unwrap();

    // From the date: held, the signed-in session too (kept alive until then).
    let deadline = saved.body["deadline"].as_i64().unwrap();
    while app.now() < deadline {
        app.clock.advance(20 * 60);
        let me = app.get("/api/me", Some(&session)).await;
        assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    }
    let me = app.get("/api/me", Some(&session)).await;
    assert_eq!(me.body["stage"], "must_enroll", "{:?}", me.body);
    let again = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(again.body["me"]["stage"], "must_enroll", "{:?}", again.body);
}

#[tokio::test]
async fn without_a_date_a_method_turned_off_stops_at_once() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    phone_only_member(&app).await;
    let partial = app.password_step("member@demo.test").await;
    put_policy(
        &app,
        &admin,
        company,
        json!({ "required": false, "allowed_methods": ["authenticator_app"] }),
    )
    .await;
    // A sign-in under way cannot finish with a text any more.
    let texted = app
        .post("/api/sign-in/second-factor/sms", Some(&partial), &json!({}))
        .await;
    assert_eq!(texted.status, StatusCode::FORBIDDEN, "{:?}", texted.body);
    assert_eq!(texted.body["code"], "method_not_allowed_by_company");
    // MFA is not required: the password alone signs in, and the phone is
    // not offered.
    let signed_in = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(
        signed_in.body["status"], "signed_in",
        "{:?}",
        signed_in.body
    );
    assert_eq!(
        signed_in.body["me"]["two_factor"]["allowed_methods"],
        json!(["authenticator_app"])
    );
}
