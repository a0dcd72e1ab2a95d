//! No secret reaches the logs: a full flow runs with every log level on,
//! and the captured output is searched for each secret that went by.

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use helpers::{DEMO_PASSWORD, spawn_app, totp_code};
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_full_flow_leaves_no_secret_in_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .init();

    let app = spawn_app().await;
    let mut secrets = vec![DEMO_PASSWORD.to_owned()];

    let sign_in = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    let cookie = sign_in.session_cookie().unwrap();
    secrets.push(cookie.split_once('=').unwrap().1.to_owned());
    app.reauth(&cookie).await;
    let start = app
        .post("/api/factors/totp", Some(&cookie), &json!({}))
        .await;
    let secret = start.body["secret"].as_str().unwrap().to_owned();
    secrets.push(secret.clone());
    let code = totp_code(&secret, app.now());
    secrets.push(code.clone());
    let done = app
        .post(
            "/api/factors/totp/confirm",
            Some(&cookie),
            &json!({ "code": code }),
        )
        .await;
    let recovery = done.body["recovery_code"].as_str().unwrap().to_owned();
    secrets.push(recovery.clone());
    app.clock.advance(30);
    // Wrong answers are logged as events too: they must not carry the input.
    let wrong_password = "wrong-password-xyzzy".to_owned();
    app.post(
        "/api/reauth",
        Some(&cookie),
        &json!({ "password": wrong_password }),
    )
    .await;
    secrets.push(wrong_password);
    app.post("/api/sign-out", Some(&cookie), &json!({})).await;

    let partial = app.password_step("member@demo.test").await;
    secrets.push(partial.split_once('=').unwrap().1.to_owned());
    let code = totp_code(&secret, app.now());
    secrets.push(code.clone());
    let reply = app.second_factor(&partial, "totp", &code).await;
    assert_eq!(reply.status, StatusCode::OK);
    secrets.push(
        reply
            .session_cookie()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_owned(),
    );

    let partial = app.password_step("member@demo.test").await;
    let reply = app
        .second_factor(&partial, "recovery_code", &recovery)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let fresh = reply.body["new_recovery_code"].as_str().unwrap().to_owned();
    secrets.push(fresh);
    let full = reply.session_cookie().unwrap();

    // A phone number and its texted codes, and the emails sent meanwhile.
    secrets.extend(["+33612345678".to_owned(), "612345678".to_owned()]);
    let start = app.start_phone(&full, "FR", "06 12 34 56 78").await;
    assert_eq!(start.status, StatusCode::OK);
    let texted = app.texted_code().await;
    secrets.push(texted.clone());
    assert_eq!(
        app.confirm_phone(&full, &texted).await.status,
        StatusCode::OK
    );
    app.clock.advance(61);
    app.post("/api/sign-out", Some(&full), &json!({})).await;
    let partial = app.password_step("member@demo.test").await;
    app.post("/api/sign-in/second-factor/sms", Some(&partial), &json!({}))
        .await;
    let texted = app.texted_code().await;
    secrets.push(texted.clone());
    let reply = app.second_factor(&partial, "sms", &texted).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    while mfa_server::services::notify::deliver_due(&app.deps, "w")
        .await
        .unwrap()
        .sent
        > 0
    {}

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signed in with second factor"),
        "the capture works"
    );
    for secret in &secrets {
        let forms = [
            secret.clone(),
            secret.replace('-', ""),
            secret.to_lowercase(),
        ];
        for form in forms {
            assert!(
                !contains_token(&logs, &form),
                "a secret ({} chars) is in the logs",
                form.len()
            );
        }
    }
}

/// `needle` in `haystack`, not as part of a longer run of digits (so a
/// six-digit code does not "match" inside some unrelated number).
fn contains_token(haystack: &str, needle: &str) -> bool {
    let digit_before_or_after = |start: usize| {
        let before = haystack[..start].chars().next_back();
        let after = haystack[start + needle.len()..].chars().next();
        before.is_some_and(|c| c.is_ascii_digit()) || after.is_some_and(|c| c.is_ascii_digit())
    };
    haystack.match_indices(needle).any(|(start, _)| {
        !needle.bytes().all(|b| b.is_ascii_digit()) || !digit_before_or_after(start)
    })
}
