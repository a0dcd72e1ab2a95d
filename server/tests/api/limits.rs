use axum::http::{Method, StatusCode, header};
use mfa_server::domain::attempts::AttemptKind;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, totp_code};

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

    // Even the right code is refused while locked (the recovery code has
    // its own limit: see below).
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

/// A wrong code for the current time step.
fn wrong_code(secret: &str, now: i64, n: u32) -> String {
    format!(
        "{:06}",
        (totp_code(secret, now).parse::<u32>().unwrap() + n) % 1_000_000
    )
}

#[tokio::test]
async fn a_right_code_resets_the_count() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    for round in 0..2 {
        let partial = app.password_step("member@demo.test").await;
        for n in 1..10 {
            let reply = app
                .second_factor(&partial, "totp", &wrong_code(&secret, app.now(), n))
                .await;
            assert_eq!(reply.code(), "wrong_code", "round {round}, attempt {n}");
        }
        let reply = app
            .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "round {round}: {:?}",
            reply.body
        );
        app.clock.advance(30);
    }
}

#[tokio::test]
async fn the_recovery_code_has_its_own_limit_and_opens_a_locked_account() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, recovery) = app.enroll(&cookie).await;
    let partial = app.password_step("member@demo.test").await;
    for n in 1..=10 {
        app.second_factor(&partial, "totp", &wrong_code(&secret, app.now(), n))
            .await;
    }
    let locked = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    for _ in 0..9 {
        let reply = app
            .second_factor(&partial, "recovery_code", "AAAA-AAAA-AAAA-AAAA")
            .await;
        assert_eq!(reply.code(), "wrong_code");
    }
    let reply = app
        .second_factor(&partial, "recovery_code", &recovery)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    // ...and with it the codes open again.
    let partial = app.password_step("member@demo.test").await;
    let reply = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_parallel_wrong_codes_evaluate_at_most_ten() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    let partial = app.password_step("member@demo.test").await;
    let requests = (0..300u32)
        .map(|n| {
            let body =
                json!({ "method": "totp", "code": wrong_code(&secret, app.now(), 1 + n % 7) });
            app.request(
                Method::POST,
                "/api/sign-in/second-factor",
                Some(&partial),
                Some(&body.to_string()),
            )
        })
        .collect();
    let statuses = app.race(requests).await;
    let count = |s: StatusCode| statuses.iter().filter(|&&x| x == s).count();
    assert_eq!(
        count(StatusCode::UNPROCESSABLE_ENTITY) + count(StatusCode::TOO_MANY_REQUESTS),
        300,
        "only wrong_code and too_many_attempts: {statuses:?}"
    );
    assert!(count(StatusCode::UNPROCESSABLE_ENTITY) <= 10);
    let db = app.db().await;
    let evaluated: i64 =
        sqlx::query_scalar("SELECT failures FROM attempt_limits WHERE kind = 'code'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        evaluated, 10,
        "ten claims granted, the rest refused unchecked"
    );
    let lockouts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'lockout'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(lockouts, 1);
}

/// A hundred wrong codes at the second step, waiting out each lock; the
/// length of each lock.
pub async fn fail_a_hundred_codes(app: &TestApp, email: &str, secret: &str) -> Vec<i64> {
    let mut locks = Vec::new();
    for window in 0..10 {
        let partial = app.password_step(email).await;
        for n in 1..=10 {
            let reply = app
                .second_factor(&partial, "totp", &wrong_code(secret, app.now(), n))
                .await;
            if n < 10 {
                assert_eq!(reply.code(), "wrong_code", "window {window}, attempt {n}");
            } else {
                assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
                let until = reply.body["locked_until"].as_i64().unwrap();
                locks.push(until - app.now());
                app.clock.advance(until - app.now());
            }
        }
    }
    locks
}

#[tokio::test]
async fn after_a_hundred_failures_only_the_recovery_code_signs_in() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, recovery) = app.enroll(&cookie).await;
    let locks = fail_a_hundred_codes(&app, "member@demo.test", &secret).await;
    assert_eq!(
        locks,
        [
            900, 1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400, 86_400, 86_400
        ],
        "each lock longer than the last"
    );
    app.clock.advance(30 * 86_400);
    let partial = app.password_step("member@demo.test").await;
    let closed = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    assert_eq!(closed.code(), "recovery_code_required");
    let reply = app
        .second_factor(&partial, "recovery_code", &recovery)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let partial = app.password_step("member@demo.test").await;
    let reply = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "the codes are open again");
}

#[tokio::test]
async fn enrollment_codes_count_towards_the_limit() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let secret = app.start_authenticator(&cookie).await;
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
