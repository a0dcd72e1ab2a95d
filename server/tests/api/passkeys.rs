//! Passkeys: registration and authentication ceremonies driven by a
//! software authenticator (`soft_passkey`, real signatures over the
//! server's real challenges), and the storage of WebAuthn ceremonies
//! (their state stays on the server, bound to what started them, taken
//! once, for a limited time).

use axum::http::StatusCode;
use mfa_server::store::{CeremonyPurpose, CeremonyRow, NewCeremony};
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, Reply, TestApp, spawn_app, spawn_app_behind};
use crate::soft_passkey::SoftPasskey;

/// Re-authenticates and adds `passkey` under `name`.
async fn add_passkey(app: &TestApp, cookie: &str, passkey: &mut SoftPasskey, name: &str) -> Reply {
    app.reauth(cookie).await;
    let options = app
        .post("/api/factors/passkey/options", Some(cookie), &json!({}))
        .await;
    assert_eq!(options.status, StatusCode::OK, "{:?}", options.body);
    let credential = passkey.create(&options.body);
    app.post(
        "/api/factors/passkey",
        Some(cookie),
        &json!({ "ceremony": options.body["ceremony"], "credential": credential, "name": name }),
    )
    .await
}

/// Morgan's passkey ("Mine", its count starting at `counter`), added.
async fn member_with_passkey(app: &TestApp, counter: u32) -> SoftPasskey {
    let cookie = app.signed_in("member@demo.test").await;
    let mut passkey = SoftPasskey::new(&app.host, 1);
    passkey.counter = counter;
    let added = add_passkey(app, &cookie, &mut passkey, "Mine").await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    passkey
}

/// "Sign in with a passkey" from a browser with no session.
async fn sign_in_with(app: &TestApp, passkey: &mut SoftPasskey) -> Reply {
    let options = app
        .post("/api/sign-in/passkey/options", None, &json!({}))
        .await;
    assert_eq!(options.status, StatusCode::OK, "{:?}", options.body);
    let credential = passkey.get(&options.body);
    answer_sign_in(app, &options.body, credential).await
}

async fn answer_sign_in(app: &TestApp, options: &Value, credential: Value) -> Reply {
    app.post(
        "/api/sign-in/passkey",
        None,
        &json!({ "ceremony": options["ceremony"], "credential": credential }),
    )
    .await
}

/// The passkey as the second step of a password sign-in.
async fn second_step_with(app: &TestApp, email: &str, passkey: &mut SoftPasskey) -> Reply {
    let cookie = app.password_step(email).await;
    let options = app
        .post(
            "/api/sign-in/second-factor/passkey/options",
            Some(&cookie),
            &json!({}),
        )
        .await;
    assert_eq!(options.status, StatusCode::OK, "{:?}", options.body);
    let credential = passkey.get(&options.body);
    app.post(
        "/api/sign-in/second-factor/passkey",
        Some(&cookie),
        &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
    )
    .await
}

async fn audit_kinds(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, COALESCE(detail, '') FROM audit_events ORDER BY id")
        .fetch_all(&app.db().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_passkey_is_added_with_the_recovery_code_named_and_listed() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let mut passkey = SoftPasskey::new(&app.host, 1);
    let added = add_passkey(&app, &cookie, &mut passkey, "Chrome on Linux").await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    assert!(added.body["recovery_code"].is_string(), "the first factor");
    let factor_id = added.body["factor_id"].as_i64().unwrap();
    let factors = added.body["me"]["two_factor"]["factors"]
        .as_array()
        .unwrap();
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0]["kind"], "passkey");
    assert_eq!(factors[0]["label"], "Chrome on Linux");
    assert_eq!(factors[0]["preferred"], true);

    let renamed = app
        .send(app.request(
            axum::http::Method::PUT,
            &format!("/api/factors/{factor_id}/name"),
            Some(&cookie),
            Some(r#"{"name":"  Work laptop "}"#),
        ))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    assert_eq!(
        renamed.body["two_factor"]["factors"][0]["label"],
        "Work laptop"
    );

    // A second passkey joins the first (one per device), without a new code.
    let mut phone = SoftPasskey::new(&app.host, 2);
    let second = add_passkey(&app, &cookie, &mut phone, "Phone").await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    assert!(second.body.get("recovery_code").is_none());
    assert_eq!(
        second.body["me"]["two_factor"]["factors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn names_are_checked_and_only_passkeys_are_renamed() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let mut passkey = SoftPasskey::new(&app.host, 1);
    let unnamed = add_passkey(&app, &cookie, &mut passkey, "  ").await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unnamed.body["code"], "validation_failed");
    let (_, _) = app.enroll(&cookie).await;
    let me = app.get("/api/me", Some(&cookie)).await;
    let totp = me.body["two_factor"]["factors"][0]["id"].as_i64().unwrap();
    let rename = |id: i64, body: &'static str| {
        app.send(app.request(
            axum::http::Method::PUT,
            &format!("/api/factors/{id}/name"),
            Some(&cookie),
            Some(body),
        ))
    };
    assert_eq!(
        rename(totp, r#"{"name":"Mine"}"#).await.status,
        StatusCode::NOT_FOUND
    );
    let long = rename(
        totp,
        r#"{"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#,
    )
    .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn adding_a_passkey_needs_the_password_confirmed_and_the_sessions_own_ceremony() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let options = app
        .post("/api/factors/passkey/options", Some(&cookie), &json!({}))
        .await;
    assert_eq!(options.status, StatusCode::FORBIDDEN);
    assert_eq!(options.body["code"], "reauth_required");

    // Another session cannot finish this one's ceremony.
    app.reauth(&cookie).await;
    let options = app
        .post("/api/factors/passkey/options", Some(&cookie), &json!({}))
        .await;
    let mut passkey = SoftPasskey::new(&app.host, 1);
    let credential = passkey.create(&options.body);
    let other = app.signed_in("member@demo.test").await;
    let body =
        json!({ "ceremony": options.body["ceremony"], "credential": credential, "name": "Mine" });
    let stolen = app.post("/api/factors/passkey", Some(&other), &body).await;
    assert_eq!(stolen.status, StatusCode::CONFLICT, "{:?}", stolen.body);
    assert_eq!(stolen.body["code"], "no_pending_enrollment");
    assert_eq!(
        app.get("/api/me", Some(&other)).await.body["two_factor"]["factors"],
        json!([])
    );
    // A malformed ceremony id or credential changes nothing.
    for bad in [
        json!({ "ceremony": "zz", "credential": credential, "name": "Mine" }),
        json!({ "ceremony": options.body["ceremony"], "credential": {"id": 3}, "name": "Mine" }),
    ] {
        let refused = app.post("/api/factors/passkey", Some(&cookie), &bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.body["two_factor"]["factors"], json!([]));
    // Its own session finishes it, once.
    let done = app.post("/api/factors/passkey", Some(&cookie), &body).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let replayed = app.post("/api/factors/passkey", Some(&cookie), &body).await;
    assert_eq!(replayed.body["code"], "no_pending_enrollment");
}

#[tokio::test]
async fn a_credential_registered_to_any_account_is_refused() {
    let app = spawn_app().await;
    let member = app.signed_in("member@demo.test").await;
    let mut passkey = SoftPasskey::new(&app.host, 7);
    let added = add_passkey(&app, &member, &mut passkey, "Mine").await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    let admin = app.signed_in("admin@demo.test").await;
    let again = add_passkey(&app, &admin, &mut passkey, "Stolen").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    assert_eq!(again.body["code"], "passkey_already_registered");
}

#[tokio::test]
async fn sign_in_with_a_passkey_needs_no_email_and_is_both_steps() {
    let app = spawn_app().await;
    let mut passkey = member_with_passkey(&app, 0).await;
    let signed_in = sign_in_with(&app, &mut passkey).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    assert_eq!(signed_in.body["status"], "signed_in");
    assert_eq!(signed_in.body["me"]["user"]["email"], "member@demo.test");
    assert_eq!(signed_in.body["me"]["stage"], "full");
    let session = signed_in.session_cookie().unwrap();
    let me = app.get("/api/me", Some(&session)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body["two_factor"]["factors"][0]["last_used_at"].is_i64());
    let audit = audit_kinds(&app).await;
    assert!(audit.contains(&("sign_in".to_owned(), "passkey".to_owned())));
}

#[tokio::test]
async fn a_passkey_finishes_a_password_sign_in_as_the_second_step() {
    let app = spawn_app().await;
    let mut passkey = member_with_passkey(&app, 0).await;
    let step = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(step.body["status"], "second_factor_required");
    assert_eq!(step.body["factors"][0]["kind"], "passkey");
    let done = second_step_with(&app, "member@demo.test", &mut passkey).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["me"]["stage"], "full");
}

#[tokio::test]
async fn a_must_enroll_person_who_adds_a_passkey_is_enrolled() {
    let app = spawn_app().await;
    let signed_in = app.sign_in("payee@demo.test", DEMO_PASSWORD).await;
    assert_eq!(signed_in.body["me"]["stage"], "must_enroll");
    let cookie = signed_in.session_cookie().unwrap();
    let mut passkey = SoftPasskey::new(&app.host, 1);
    let added = add_passkey(&app, &cookie, &mut passkey, "Mine").await;
    assert_eq!(added.status, StatusCode::OK, "{:?}", added.body);
    assert_eq!(added.body["me"]["stage"], "full");
    assert!(added.session_cookie().is_some(), "a new session id");
    let again = sign_in_with(&app, &mut passkey).await;
    assert_eq!(again.body["me"]["stage"], "full");
}

#[tokio::test]
async fn a_ceremony_is_answered_once_and_within_five_minutes() {
    let app = spawn_app().await;
    let mut passkey = member_with_passkey(&app, 0).await;
    let options = app
        .post("/api/sign-in/passkey/options", None, &json!({}))
        .await;
    let credential = passkey.get(&options.body);
    let first = answer_sign_in(&app, &options.body, credential.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let replayed = answer_sign_in(&app, &options.body, credential).await;
    assert_eq!(replayed.status, StatusCode::GONE, "{:?}", replayed.body);
    assert_eq!(replayed.body["code"], "passkey_ceremony_expired");

    let options = app
        .post("/api/sign-in/passkey/options", None, &json!({}))
        .await;
    let credential = passkey.get(&options.body);
    app.clock.advance(5 * 60);
    let late = answer_sign_in(&app, &options.body, credential).await;
    assert_eq!(late.status, StatusCode::GONE, "{:?}", late.body);
}

#[tokio::test]
async fn a_count_that_goes_back_is_refused_and_audited_as_a_clone() {
    let app = spawn_app().await;
    let mut passkey = member_with_passkey(&app, 10).await;
    let fine = sign_in_with(&app, &mut passkey).await;
    assert_eq!(fine.status, StatusCode::OK, "{:?}", fine.body);
    // A copy of the key, behind the original's count.
    let mut clone = passkey.clone();
    clone.counter = 5;
    let refused = sign_in_with(&app, &mut clone).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.body["code"], "passkey_refused");
    assert!(refused.session_cookie().is_none());
    let audit = audit_kinds(&app).await;
    assert!(
        audit
            .iter()
            .any(|(kind, _)| kind == "passkey_clone_warning"),
        "{audit:?}"
    );
    // The original goes on working.
    let again = sign_in_with(&app, &mut passkey).await;
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
}

#[tokio::test]
async fn without_user_verification_a_passkey_is_refused_and_counts_as_a_wrong_code() {
    let app = spawn_app().await;
    let mut passkey = member_with_passkey(&app, 0).await;
    passkey.user_verified = false;
    for _ in 0..9 {
        let refused = sign_in_with(&app, &mut passkey).await;
        assert_eq!(
            refused.body["code"], "passkey_refused",
            "{:?}",
            refused.body
        );
    }
    let last = sign_in_with(&app, &mut passkey).await;
    assert_eq!(
        last.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        last.body
    );
    // Locked: even a verified answer waits now.
    passkey.user_verified = true;
    let locked = sign_in_with(&app, &mut passkey).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        locked.body
    );
}

#[tokio::test]
async fn a_passkey_nobody_holds_signs_nobody_in() {
    let app = spawn_app().await;
    let passkey = member_with_passkey(&app, 0).await;
    let mut stranger = passkey.clone();
    stranger.credential_id = vec![9; 32];
    let refused = sign_in_with(&app, &mut stranger).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.body["code"], "passkey_unknown");
}

#[tokio::test]
async fn the_second_step_with_a_passkey_counts_like_a_code() {
    let app = spawn_app().await;
    let mut passkey = member_with_passkey(&app, 0).await;
    passkey.user_verified = false;
    let refused = second_step_with(&app, "member@demo.test", &mut passkey).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.body["code"], "passkey_refused");
    let audit = audit_kinds(&app).await;
    assert!(audit.contains(&("sign_in_failed".to_owned(), "passkey".to_owned())));
    // Without a passkey, there is no passkey ceremony to start.
    let admin = app.signed_in("admin@demo.test").await;
    app.enroll(&admin).await;
    let admin = app.password_step("admin@demo.test").await;
    let none = app
        .post(
            "/api/sign-in/second-factor/passkey/options",
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(none.status, StatusCode::CONFLICT, "{:?}", none.body);
}

#[tokio::test]
async fn passkeys_are_off_at_an_ip_address() {
    let app = spawn_app_behind("http://192.0.2.10:8080").await;
    let options = app
        .post("/api/sign-in/passkey/options", None, &json!({}))
        .await;
    assert_eq!(options.status, StatusCode::CONFLICT, "{:?}", options.body);
    assert_eq!(options.body["code"], "passkeys_unavailable");
}

fn ceremony<'a>(
    id_hash: &'a str,
    purpose: CeremonyPurpose,
    session_hash: Option<&'a str>,
    expires_at: i64,
) -> NewCeremony<'a> {
    NewCeremony {
        id_hash,
        purpose,
        session_hash,
        user_id: Some(1),
        state: "{\"challenge\":\"c\"}",
        expires_at,
    }
}

#[tokio::test]
async fn a_ceremony_is_taken_once_by_its_session_for_its_purpose_before_it_expires() {
    let app = spawn_app().await;
    let now = app.now();
    let mut tx = app.deps.store.begin().await.unwrap();
    for (id, purpose, session) in [
        ("once", CeremonyPurpose::Register, Some("s1")),
        ("other-session", CeremonyPurpose::Register, Some("s3")),
        ("other-purpose", CeremonyPurpose::Register, Some("s4")),
        ("expired", CeremonyPurpose::SecondFactor, Some("s5")),
        ("anonymous", CeremonyPurpose::SignIn, None),
    ] {
        let expires_at = if id == "expired" { now } else { now + 300 };
        tx.insert_ceremony(&ceremony(id, purpose, session, expires_at))
            .await
            .unwrap();
    }
    let taken = tx
        .take_ceremony("once", CeremonyPurpose::Register, Some("s1"), now)
        .await
        .unwrap();
    assert_eq!(
        taken,
        Some(CeremonyRow {
            user_id: Some(1),
            state: "{\"challenge\":\"c\"}".to_owned(),
        })
    );
    // Used once: a replay finds nothing.
    let again = tx
        .take_ceremony("once", CeremonyPurpose::Register, Some("s1"), now)
        .await
        .unwrap();
    assert_eq!(again, None);
    // Another session, another purpose, or too late: refused, and gone.
    for (id, purpose, session) in [
        ("other-session", CeremonyPurpose::Register, Some("s2")),
        ("other-purpose", CeremonyPurpose::SecondFactor, Some("s4")),
        ("expired", CeremonyPurpose::SecondFactor, Some("s5")),
        ("other-session", CeremonyPurpose::Register, Some("s3")),
    ] {
        let taken = tx.take_ceremony(id, purpose, session, now).await.unwrap();
        assert_eq!(taken, None, "{id}");
    }
    // "Sign in with a passkey" has no session; a session does not fit it.
    let with_session = tx
        .take_ceremony("anonymous", CeremonyPurpose::SignIn, Some("s1"), now)
        .await
        .unwrap();
    assert_eq!(with_session, None);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn expired_ceremonies_are_swept() {
    let app = spawn_app().await;
    let now = app.now();
    let mut tx = app.deps.store.begin().await.unwrap();
    tx.insert_ceremony(&ceremony("old", CeremonyPurpose::SignIn, None, now - 1))
        .await
        .unwrap();
    tx.insert_ceremony(&ceremony("live", CeremonyPurpose::SignIn, None, now + 300))
        .await
        .unwrap();
    assert_eq!(tx.forget_expired_ceremonies(now).await.unwrap(), 1);
    let live = tx
        .take_ceremony("live", CeremonyPurpose::SignIn, None, now)
        .await
        .unwrap();
    assert!(live.is_some());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_sessions_newer_ceremony_voids_its_older_one_of_that_purpose() {
    let app = spawn_app().await;
    let now = app.now();
    let mut tx = app.deps.store.begin().await.unwrap();
    for (id, purpose) in [
        ("older", CeremonyPurpose::Register),
        ("other-purpose", CeremonyPurpose::SecondFactor),
        ("newer", CeremonyPurpose::Register),
    ] {
        tx.insert_ceremony(&ceremony(id, purpose, Some("s1"), now + 300))
            .await
            .unwrap();
    }
    for (id, purpose, kept) in [
        ("older", CeremonyPurpose::Register, false),
        ("other-purpose", CeremonyPurpose::SecondFactor, true),
        ("newer", CeremonyPurpose::Register, true),
    ] {
        let taken = tx
            .take_ceremony(id, purpose, Some("s1"), now)
            .await
            .unwrap();
        assert_eq!(taken.is_some(), kept, "{id}");
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_passkey_is_offered_after_a_password_and_a_code_until_not_now() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(me.body["passkey_offer"], false, "a password alone");
    let (secret, _) = app.enroll(&cookie).await;
    let step = app.password_step("member@demo.test").await;
    let code = crate::helpers::totp_code(&secret, app.now());
    let done = app.second_factor(&step, "totp", &code).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["me"]["passkey_offer"], true);
    let session = done.session_cookie().unwrap();
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["passkey_offer"],
        true,
        "still offered on a reload"
    );
    let dismissed = app
        .post("/api/me/passkey-offer/dismiss", Some(&session), &json!({}))
        .await;
    assert_eq!(dismissed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["passkey_offer"],
        false
    );
    app.clock.advance(30 * 24 * 60 * 60);
    let step = app.password_step("member@demo.test").await;
    let code = crate::helpers::totp_code(&secret, app.now());
    let again = app.second_factor(&step, "totp", &code).await;
    assert_eq!(again.body["me"]["passkey_offer"], true, "30 days later");
    let session = again.session_cookie().unwrap();
    // Not once the person has a passkey.
    let mut passkey = SoftPasskey::new(&app.host, 1);
    add_passkey(&app, &session, &mut passkey, "Mine").await;
    assert_eq!(
        app.get("/api/me", Some(&session)).await.body["passkey_offer"],
        false
    );
    // "Not now" needs a full session.
    let half = app.password_step("member@demo.test").await;
    let refused = app
        .post("/api/me/passkey-offer/dismiss", Some(&half), &json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
}
