use axum::http::{StatusCode, header};
use mfa_server::domain::attempts::AttemptKind;
use serde_json::json;

use crate::helpers::{spawn_app, totp_code};

const LOCK_SECS: i64 = AttemptKind::SecondFactor.policy().lock_secs;

#[tokio::test]
async fn ten_wrong_codes_lock_the_second_step_for_fifteen_minutes() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    let partial = app.password_step("member@demo.test").await;
    let wrong = |n: u32| {
        format!(
            "{:06}",
            (totp_code(&secret, app.now()).parse::<u32>().unwrap() + n) % 1_000_000
        )
    };

    for n in 1..10 {
        let reply = app.second_factor(&partial, "totp", &wrong(n)).await;
        assert_eq!(reply.code(), "wrong_code", "attempt {n}");
    }
    let locked = app.second_factor(&partial, "totp", &wrong(10)).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.code(), "too_many_attempts");
    assert_eq!(locked.body["locked_until"], app.now() + LOCK_SECS);
    assert!(
        locked.body["message"]
            .as_str()
            .unwrap()
            .contains("Try again after")
    );
    assert_eq!(locked.headers[header::RETRY_AFTER], LOCK_SECS.to_string());

    // Even the right code is refused while locked, and the recovery code too.
    let right = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);

    app.clock.advance(LOCK_SECS - 1);
    let partial = app.password_step("member@demo.test").await;
    let still = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(still.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(1);
    let open = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(open.status, StatusCode::OK, "{:?}", open.body);

    let db = app.db().await;
    let lockouts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'lockout'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(lockouts, 1);
}

#[tokio::test]
async fn a_right_code_resets_the_count() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    let partial = app.password_step("member@demo.test").await;
    for _ in 0..9 {
        assert_eq!(
            app.second_factor(&partial, "recovery_code", "AAAA-AAAA-AAAA-AAAA")
                .await
                .code(),
            "wrong_code"
        );
    }
    assert_eq!(
        app.second_factor(&partial, "totp", &totp_code(&secret, app.now()))
            .await
            .status,
        StatusCode::OK
    );
    app.clock.advance(30);
    let partial = app.password_step("member@demo.test").await;
    for _ in 0..9 {
        assert_eq!(
            app.second_factor(&partial, "recovery_code", "AAAA-AAAA-AAAA-AAAA")
                .await
                .code(),
            "wrong_code"
        );
    }
    assert_eq!(
        app.second_factor(&partial, "totp", &totp_code(&secret, app.now()))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn enrollment_codes_count_towards_the_limit() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    app.reauth(&cookie).await;
    let start = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    let secret = start.body["secret"].as_str().unwrap().to_owned();
    let right = totp_code(&secret, app.now());
    let wrong = format!(
        "{:06}",
        (right.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    for _ in 0..9 {
        let reply = app
            .post(
                "/api/factors/totp/confirm",
                Some(&cookie),
                &json!({ "code": wrong }),
            )
            .await;
        assert_eq!(reply.code(), "wrong_code");
    }
    let reply = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": wrong }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let reply = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": right }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn wrong_reauth_passwords_are_limited_too() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    for _ in 0..9 {
        let reply = app
            .post(
                "/api/reauth",
                Some(&cookie),
                &json!({ "password": "wrong" }),
            )
            .await;
        assert_eq!(reply.code(), "wrong_password");
    }
    let reply = app
        .post(
            "/api/reauth",
            Some(&cookie),
            &json!({ "password": "wrong" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let reply = app
        .post(
            "/api/reauth",
            Some(&cookie),
            &json!({ "password": crate::helpers::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(LOCK_SECS);
    app.reauth(&cookie).await;
}
