use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, totp_code};

#[tokio::test]
async fn sign_in_asks_for_the_code_and_rotates_the_session() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    app.post("/api/sign-out", Some(&cookie), &json!({})).await;

    let partial = app.password_step("member@demo.test").await;
    // Half signed in: nothing but the second step.
    let me = app.get("/api/me", Some(&partial)).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.code(), "second_factor_required");
    let reauth = app
        .post(
            "/api/reauth",
            Some(&partial),
            &json!({ "password": crate::helpers::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(reauth.status, StatusCode::UNAUTHORIZED);

    let reply = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["status"], "signed_in");
    assert!(reply.body.get("new_recovery_code").is_none());
    let full = reply.session_cookie().unwrap();
    assert_ne!(full, partial, "a new session id after the second step");
    assert_eq!(
        app.get("/api/me", Some(&partial)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let me = app.get("/api/me", Some(&full)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.body["two_factor"]["factors"][0]["last_used_at"],
        app.now()
    );
}

#[tokio::test]
async fn a_code_works_once() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    let code = totp_code(&secret, app.now());

    let first = app.password_step("member@demo.test").await;
    assert_eq!(
        app.second_factor(&first, "totp", &code).await.status,
        StatusCode::OK
    );
    let second = app.password_step("member@demo.test").await;
    let replay = app.second_factor(&second, "totp", &code).await;
    assert_eq!(replay.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(replay.code(), "code_already_used");
    // The previous step's code is older than the one used: refused too.
    let older = app
        .second_factor(&second, "totp", &totp_code(&secret, app.now() - 30))
        .await;
    assert_eq!(older.code(), "code_already_used");
    app.clock.advance(30);
    let next = app
        .second_factor(&second, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(next.status, StatusCode::OK);
}

#[tokio::test]
async fn the_recovery_code_works_once_and_is_replaced() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (_, recovery) = app.enroll(&cookie).await;

    let partial = app.password_step("member@demo.test").await;
    let reply = app
        .second_factor(&partial, "recovery_code", &recovery.to_lowercase())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let fresh = reply.body["new_recovery_code"].as_str().unwrap().to_owned();
    assert_ne!(fresh, recovery);

    let partial = app.password_step("member@demo.test").await;
    let reused = app
        .second_factor(&partial, "recovery_code", &recovery)
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.code(), "wrong_code");
    let reply = app.second_factor(&partial, "recovery_code", &fresh).await;
    assert_eq!(reply.status, StatusCode::OK);

    let db = app.db().await;
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM audit_events WHERE kind NOT LIKE 'sign_in%' ORDER BY id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        kinds,
        ["factor_added", "recovery_code_used", "recovery_code_used"]
    );
    let stored: String = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"));
}

#[tokio::test]
async fn a_new_recovery_code_voids_the_old_one() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (_, old) = app.enroll(&cookie).await;
    app.clock.advance(11 * 60);
    let refused = app
        .post("/api/recovery-code", Some(&cookie), &json!({}))
        .await;
    assert_eq!(refused.code(), "reauth_required");
    app.reauth(&cookie).await;
    let reply = app
        .post("/api/recovery-code", Some(&cookie), &json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let new = reply.body["recovery_code"].as_str().unwrap().to_owned();
    assert_ne!(new, old);

    let partial = app.password_step("member@demo.test").await;
    assert_eq!(
        app.second_factor(&partial, "recovery_code", &old)
            .await
            .code(),
        "wrong_code"
    );
    assert_eq!(
        app.second_factor(&partial, "recovery_code", &new)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_sign_ins_with_one_recovery_code_succeed_once() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (_, recovery) = app.enroll(&cookie).await;
    let mut partials = Vec::new();
    for _ in 0..20 {
        partials.push(app.password_step("member@demo.test").await);
    }
    let body = json!({ "method": "recovery_code", "code": recovery }).to_string();
    let requests = partials
        .iter()
        .map(|partial| {
            app.request(
                axum::http::Method::POST,
                "/api/sign-in/second-factor",
                Some(partial),
                Some(&body),
            )
        })
        .collect();
    let mut ok = 0;
    for status in app.race(requests).await {
        // The losers hold a used (or, once replaced, a wrong) code; enough of
        // them may even trip the lockout.
        let refused = [
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::TOO_MANY_REQUESTS,
        ];
        assert!(
            status == StatusCode::OK || refused.contains(&status),
            "{status}"
        );
        ok += usize::from(status == StatusCode::OK);
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn a_recovery_code_read_with_look_alike_digits_still_works() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (_, recovery) = app.enroll(&cookie).await;
    // As someone might copy it from paper: O as 0, I as 1, B as 8, lower case.
    let misread = recovery
        .replace('O', "0")
        .replace('I', "1")
        .replace('B', "8")
        .to_lowercase();
    let partial = app.password_step("member@demo.test").await;
    let reply = app.second_factor(&partial, "recovery_code", &misread).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}
