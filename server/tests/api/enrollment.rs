use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, totp_code};

#[tokio::test]
async fn adding_an_authenticator_needs_the_password_then_a_code() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;

    let refused = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "reauth_required");

    let wrong = app
        .post("/api/reauth", Some(&cookie), &json!({ "password": "nope" }))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.code(), "wrong_password");

    app.reauth(&cookie).await;
    let start = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    assert_eq!(start.status, StatusCode::OK, "{:?}", start.body);
    let secret = start.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32, "160 bits in base32");
    let uri = start.body["otpauth_uri"].as_str().unwrap();
    assert_eq!(
        uri,
        format!(
            "otpauth://totp/TwoStep:member@demo.test?secret={secret}&issuer=TwoStep&algorithm=SHA1&digits=6&period=30"
        )
    );

    let bad = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": crate::helpers::certainly_wrong_code(&secret, app.now()) }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.code(), "wrong_code");
    let malformed = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": "12345" }),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);

    let code = totp_code(&secret, app.now());
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let done = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": spaced }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let recovery = done.body["recovery_code"].as_str().unwrap();
    assert!(
        recovery.len() == 19 && recovery.split('-').all(|g| g.len() == 4),
        "grouped XXXX-XXXX-XXXX-XXXX: {recovery}"
    );
    let two_factor = &done.body["me"]["two_factor"];
    assert_eq!(two_factor["enabled"], true);
    let factors = two_factor["factors"].as_array().unwrap();
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0]["kind"], "authenticator_app");
    assert_eq!(factors[0]["added_at"], app.now());
    assert_eq!(factors[0]["preferred"], true);
    assert!(factors[0]["label"].is_null());
    assert!(factors[0]["last_used_at"].is_null());
    assert_eq!(two_factor["recovery_code"]["created_at"], app.now());
}

#[tokio::test]
async fn a_pending_secret_signs_nobody_in_and_starting_again_replaces_it() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    app.reauth(&cookie).await;
    let first = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    let first_secret = first.body["secret"].as_str().unwrap().to_owned();
    let second = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    let second_secret = second.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(first_secret, second_secret);

    // The pending factor does not make sign-in ask for a code.
    let again = app
        .sign_in("member@demo.test", crate::helpers::DEMO_PASSWORD)
        .await;
    assert_eq!(again.body["status"], "signed_in");
    let cookie = again.session_cookie().unwrap();
    // Nor does a code from it do anything at the second step.
    let reply = app
        .second_factor(&cookie, "totp", &totp_code(&second_secret, app.now()))
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // The replaced secret no longer confirms; the new one does.
    let old = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": totp_code(&first_secret, app.now()) }),
        )
        .await;
    assert_eq!(old.code(), "wrong_code");
    let new = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": totp_code(&second_secret, app.now()) }),
        )
        .await;
    assert_eq!(new.status, StatusCode::OK, "{:?}", new.body);
}

#[tokio::test]
async fn the_stored_secret_is_sealed_and_tampering_is_caught() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    let db = app.db().await;
    let sealed: String = sqlx::query_scalar("SELECT secret_sealed FROM factors")
        .fetch_one(&db)
        .await
        .unwrap();
    let raw = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &secret).unwrap();
    assert!(!sealed.contains(&secret));
    assert!(!sealed.to_lowercase().contains(&hex::encode(&raw)));

    // Flip one bit of the ciphertext: the secret no longer opens.
    let mut bytes = hex::decode(&sealed).unwrap();
    bytes[20] ^= 1;
    sqlx::query("UPDATE factors SET secret_sealed = $1")
        .bind(hex::encode(bytes))
        .execute(&db)
        .await
        .unwrap();
    let partial = app.password_step("member@demo.test").await;
    let reply = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.code(), "internal_error");
    assert!(reply.set_cookie().is_none(), "not signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_confirmations_with_one_code_succeed_once() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    app.reauth(&cookie).await;
    let start = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    let code = totp_code(start.body["secret"].as_str().unwrap(), app.now());
    let body = json!({ "code": code }).to_string();
    let requests = (0..20)
        .map(|_| {
            app.request(
                axum::http::Method::POST,
                "/api/factors/totp/confirm",
                Some(&cookie),
                Some(&body),
            )
        })
        .collect();
    let mut ok = 0;
    for status in app.race(requests).await {
        assert!(status.is_success() || status.is_client_error(), "{status}");
        ok += usize::from(status == StatusCode::OK);
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn removing_needs_reauth_and_payees_keep_their_last_factor() {
    let app = spawn_app().await;
    let member = app.signed_in("member@demo.test").await;
    let _ = app.enroll(&member).await;
    let me = app.get("/api/me", Some(&member)).await;
    let id = me.body["two_factor"]["factors"][0]["id"].as_i64().unwrap();

    app.clock.advance(11 * 60); // the re-authentication window has closed
    let refused = app
        .delete(&format!("/api/factors/totp/{id}"), Some(&member))
        .await;
    assert_eq!(refused.code(), "reauth_required");
    app.reauth(&member).await;
    assert_eq!(
        app.delete("/api/factors/totp/999999", Some(&member))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let removed = app
        .delete(&format!("/api/factors/{id}"), Some(&member))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    assert_eq!(removed.body["two_factor"]["enabled"], false);
    assert!(removed.body["two_factor"]["recovery_code"].is_null());
    assert_eq!(removed.body["two_factor"]["factors"], serde_json::json!([]));

    let payee = app.signed_in("payee@demo.test").await;
    let _ = app.enroll(&payee).await;
    let me = app.get("/api/me", Some(&payee)).await;
    assert_eq!(
        me.body["two_factor"]["requirement"],
        json!({ "status": "required", "because": "payee" })
    );
    let id = me.body["two_factor"]["factors"][0]["id"].as_i64().unwrap();
    let kept = app
        .delete(&format!("/api/factors/{id}"), Some(&payee))
        .await;
    assert_eq!(kept.status, StatusCode::CONFLICT);
    assert_eq!(kept.code(), "factor_required");
}

#[tokio::test]
async fn a_user_cannot_remove_someone_elses_factor() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let _ = app.enroll(&admin).await;
    let admin_factor =
        app.get("/api/me", Some(&admin)).await.body["two_factor"]["factors"][0]["id"]
            .as_i64()
            .unwrap();
    let member = app.signed_in("member@demo.test").await;
    app.reauth(&member).await;
    let reply = app
        .delete(&format!("/api/factors/totp/{admin_factor}"), Some(&member))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let me = app.get("/api/me", Some(&admin)).await;
    assert_eq!(me.body["two_factor"]["enabled"], true);
}

#[tokio::test]
async fn the_audit_log_records_who_what_when_and_where() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (_, _) = app.enroll(&cookie).await;
    app.reauth(&cookie).await;
    let regenerated = app
        .post("/api/recovery-code", Some(&cookie), &json!({}))
        .await;
    assert_eq!(regenerated.status, StatusCode::OK);
    let db = app.db().await;
    let rows: Vec<(String, Option<String>, i64)> =
        sqlx::query_as("SELECT kind, ip, created_at FROM audit_events ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        kinds,
        ["sign_in", "factor_added", "recovery_code_regenerated"]
    );
    assert!(rows.iter().all(|r| r.1.as_deref() == Some("127.0.0.1")));
    assert!(rows.iter().all(|r| r.2 >= crate::helpers::START));
}

#[tokio::test]
async fn a_code_from_a_clock_minutes_off_gets_a_hint_at_enrollment_only() {
    let app = crate::helpers::spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let secret = app.start_authenticator(&cookie).await;
    // Four steps (two minutes) ahead: wrong, counted, with the hint.
    let ahead = app
        .confirm_authenticator(
            &cookie,
            &crate::helpers::totp_code(&secret, app.now() + 4 * 30),
        )
        .await;
    assert_eq!(ahead.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ahead.code(), "wrong_code");
    assert_eq!(ahead.body["clock_drift_minutes"], 2);
    assert!(
        ahead.body["message"]
            .as_str()
            .unwrap()
            .contains("automatic time")
    );
    let behind = app
        .confirm_authenticator(
            &cookie,
            &crate::helpers::totp_code(&secret, app.now() - 6 * 30),
        )
        .await;
    assert_eq!(behind.body["clock_drift_minutes"], -3);
    // A random wrong code: no hint.
    let right = crate::helpers::totp_code(&secret, app.now());
    let wrong = crate::helpers::certainly_wrong_code(&secret, app.now());
    let random = app.confirm_authenticator(&cookie, &wrong).await;
    assert_eq!(random.code(), "wrong_code");
    assert!(random.body.get("clock_drift_minutes").is_none());
    // Every one of them was counted.
    let db = app.db().await;
    let failures: i64 =
        sqlx::query_scalar("SELECT failures FROM attempt_limits WHERE kind = 'code'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(failures, 3);
    let done = app.confirm_authenticator(&cookie, &right).await;
    assert_eq!(done.status, axum::http::StatusCode::OK);

    // At sign-in, never: it would tell a guesser a code that works later.
    app.clock.advance(30);
    app.post("/api/sign-out", Some(&cookie), &serde_json::json!({}))
        .await;
    let partial = app.password_step("member@demo.test").await;
    let later = app
        .second_factor(
            &partial,
            "totp",
            &crate::helpers::totp_code(&secret, app.now() + 4 * 30),
        )
        .await;
    assert_eq!(later.code(), "wrong_code");
    assert!(later.body.get("clock_drift_minutes").is_none());
}
