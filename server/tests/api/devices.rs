//! "Don't ask again on this browser", where you're signed in: the trusted
//! browser's token skips the second step of its own user's sign-in within
//! the company's days, and is forgotten whenever the account's security
//! changes; sessions are listed and signed out one by one or all at once.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::enforcement::{company_id, put_policy};
use crate::helpers::{DEMO_PASSWORD, Reply, TestApp, spawn_app, totp_code};

const DAY: i64 = 24 * 60 * 60;

/// The `mfa_trusted=...` cookie a reply set, if any.
fn trusted_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("mfa_trusted="))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// A sign-in with the browser's cookies (`cookie`, e.g. its trusted one).
async fn sign_in_with(app: &TestApp, email: &str, password: &str, cookie: &str) -> Reply {
    let body = json!({ "email": email, "password": password }).to_string();
    app.send(app.request(Method::POST, "/api/sign-in", Some(cookie), Some(&body)))
        .await
}

/// Both steps, with "Don't ask again" ticked: the trusted-browser cookie.
async fn trust_browser(app: &TestApp, email: &str, secret: &str) -> String {
    let partial = app.password_step(email).await;
    let body = json!({ "method": "totp", "code": totp_code(secret, app.now()), "remember": true });
    let done = app
        .post("/api/sign-in/second-factor", Some(&partial), &body)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    app.clock.advance(30);
    let cookie = trusted_cookie(&done).expect("a trusted-browser cookie");
    let set = done
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("mfa_trusted="))
        .unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    cookie
}

/// Whether the browser holding `cookie` skips the second step of `email`.
async fn skips(app: &TestApp, email: &str, cookie: &str) -> bool {
    let reply = sign_in_with(app, email, DEMO_PASSWORD, cookie).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    match reply.body["status"].as_str() {
        Some("signed_in") => true,
        Some("second_factor_required") => false,
        other => panic!("{other:?}"),
    }
}

async fn enrolled(app: &TestApp, email: &str) -> (String, String) {
    let cookie = app.signed_in(email).await;
    let (secret, _) = app.enroll(&cookie).await;
    (cookie, secret)
}

#[tokio::test]
async fn a_trusted_browser_skips_the_second_step_for_its_user_within_the_days_only() {
    let app = spawn_app().await;
    let (_, secret) = enrolled(&app, "member@demo.test").await;
    let (_, admin_secret) = enrolled(&app, "admin@demo.test").await;
    let partial = app.password_step("member@demo.test").await;
    let options = app.get("/api/sign-in/second-factor", Some(&partial)).await;
    assert_eq!(
        options.body["remember_days"], 30,
        "the default: {:?}",
        options.body
    );
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;

    assert!(skips(&app, "member@demo.test", &trusted).await);
    let me = sign_in_with(&app, "member@demo.test", DEMO_PASSWORD, &trusted).await;
    assert_eq!(
        me.body["me"]["user"]["email"], "member@demo.test",
        "{:?}",
        me.body
    );
    assert_eq!(me.body["me"]["stage"], "full");

    // The password is always asked, and counted when wrong.
    let wrong = sign_in_with(&app, "member@demo.test", "not-the-password", &trusted).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // Another person on the same browser has their own second step.
    assert!(!skips(&app, "admin@demo.test", &trusted).await);
    let admin_trusted = {
        let partial = app.password_step("admin@demo.test").await;
        let body = json!({ "method": "totp", "code": totp_code(&admin_secret, app.now()), "remember": true });
        let request = app.request(
            Method::POST,
            "/api/sign-in/second-factor",
            Some(&format!("{partial}; {trusted}")),
            Some(&body.to_string()),
        );
        let done = app.send(request).await;
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
        trusted_cookie(&done).unwrap()
    };
    assert!(skips(&app, "admin@demo.test", &admin_trusted).await);
    assert!(
        skips(&app, "member@demo.test", &admin_trusted).await,
        "the browser keeps both people's tokens"
    );

    // Day 30: no longer.
    app.clock.advance(30 * DAY);
    assert!(!skips(&app, "member@demo.test", &trusted).await);

    // A made-up or garbled cookie does nothing.
    assert!(
        !skips(
            &app,
            "admin@demo.test",
            &format!("mfa_trusted={}", "ab".repeat(32))
        )
        .await
    );
    assert!(!skips(&app, "admin@demo.test", "mfa_trusted=..%%..").await);
}

#[tokio::test]
async fn unticked_the_browser_is_not_trusted_and_the_session_says_how_it_signed_in() {
    let app = spawn_app().await;
    let (_, secret) = enrolled(&app, "member@demo.test").await;
    let partial = app.password_step("member@demo.test").await;
    let done = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(trusted_cookie(&done), None);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trusted_browsers")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert_eq!(rows, 0);

    app.clock.advance(30);
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    let reply = sign_in_with(&app, "member@demo.test", DEMO_PASSWORD, &trusted).await;
    let methods: String =
        sqlx::query_scalar("SELECT methods FROM sessions ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    assert_eq!(methods, "pwd trusted", "{:?}", reply.body);
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM trusted_browsers")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert!(!trusted.contains(&stored), "only a hash is kept");
}

#[tokio::test]
async fn every_security_change_forgets_the_trusted_browsers() {
    let app = spawn_app().await;
    let (member, secret) = enrolled(&app, "member@demo.test").await;

    // A new password.
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    let body =
        json!({ "current_password": DEMO_PASSWORD, "new_password": "a brand new passphrase 42" });
    let changed = app
        .send(app.request(
            Method::PUT,
            "/api/me/password",
            Some(&member),
            Some(&body.to_string()),
        ))
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    let again = sign_in_with(
        &app,
        "member@demo.test",
        "a brand new passphrase 42",
        &trusted,
    )
    .await;
    assert_eq!(again.body["status"], "second_factor_required");
    let body =
        json!({ "current_password": "a brand new passphrase 42", "new_password": DEMO_PASSWORD });
    app.send(app.request(
        Method::PUT,
        "/api/me/password",
        Some(&member),
        Some(&body.to_string()),
    ))
    .await;

    // A factor added.
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    app.reauth(&member).await;
    assert_eq!(app.enroll_phone(&member).await.status, StatusCode::OK);
    assert!(!skips(&app, "member@demo.test", &trusted).await);

    // A factor removed.
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    let factors = app.get("/api/me", Some(&member)).await.body["two_factor"]["factors"].clone();
    let phone = factors
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "sms")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.reauth(&member).await;
    let removed = app
        .delete(&format!("/api/factors/{phone}"), Some(&member))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
    assert!(!skips(&app, "member@demo.test", &trusted).await);

    // "Forget" one, then "Forget all".
    let first = trust_browser(&app, "member@demo.test", &secret).await;
    let second = trust_browser(&app, "member@demo.test", &secret).await;
    let member = app.signed_in_with_code("member@demo.test", &secret).await;
    let listed = app.get("/api/me/trusted-browsers", Some(&member)).await;
    let browsers = listed.body["browsers"].as_array().unwrap().clone();
    assert_eq!(browsers.len(), 2, "{:?}", listed.body);
    let newest = browsers[0]["id"].as_i64().unwrap();
    let forgot = app
        .delete(&format!("/api/me/trusted-browsers/{newest}"), Some(&member))
        .await;
    assert_eq!(forgot.status, StatusCode::NO_CONTENT);
    assert!(!skips(&app, "member@demo.test", &second).await);
    assert!(skips(&app, "member@demo.test", &first).await);
    let all = app.delete("/api/me/trusted-browsers", Some(&member)).await;
    assert_eq!(all.status, StatusCode::NO_CONTENT);
    assert!(!skips(&app, "member@demo.test", &first).await);

    // An admin's reset.
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    let (admin, _) = enrolled(&app, "admin@demo.test").await;
    app.reauth(&admin).await;
    let company = company_id(&app, &admin).await;
    let member_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'member@demo.test'")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    let reset = app
        .post(
            &format!("/api/companies/{company}/members/{member_id}/reset-mfa"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    let rows: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM trusted_browsers WHERE user_id = {member_id}"
    ))
    .fetch_one(&app.db().await)
    .await
    .unwrap();
    assert_eq!(rows, 0, "{trusted}");
}

#[tokio::test]
async fn another_users_token_is_refused_and_others_cannot_forget_yours() {
    let app = spawn_app().await;
    let (_, secret) = enrolled(&app, "member@demo.test").await;
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    let member = app.signed_in_with_code("member@demo.test", &secret).await;
    let id = app
        .get("/api/me/trusted-browsers", Some(&member))
        .await
        .body["browsers"][0]["id"]
        .as_i64()
        .unwrap();
    let admin = app.signed_in("admin@demo.test").await;
    let theirs = app
        .delete(&format!("/api/me/trusted-browsers/{id}"), Some(&admin))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(theirs.code(), "not_found");
    assert!(skips(&app, "member@demo.test", &trusted).await);
    let nonsense = app
        .delete("/api/me/trusted-browsers/not-a-number", Some(&admin))
        .await;
    assert!(nonsense.status.is_client_error());
    assert!(nonsense.body.is_object(), "{:?}", nonsense.body);
    let signed_out = app.get("/api/me/trusted-browsers", None).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_company_setting_turns_it_off_or_shortens_it_and_payees_are_never_remembered() {
    let app = spawn_app().await;
    let (admin, company) = crate::enforcement::enrolled_admin(&app).await;
    let (_, secret) = enrolled(&app, "member@demo.test").await;
    let policy = app
        .get(
            &format!("/api/companies/{company}/mfa-policy"),
            Some(&admin),
        )
        .await;
    assert_eq!(policy.body["trusted_browser_days"], 30);
    app.reauth(&admin).await;
    for bad in [json!(-1), json!(91), json!("seven")] {
        let refused = put_policy(
            &app,
            &admin,
            company,
            json!({ "required": false, "trusted_browser_days": bad }),
        )
        .await;
        assert!(
            refused.status.is_client_error(),
            "{bad}: {:?}",
            refused.body
        );
    }
    assert_eq!(
        app.get(
            &format!("/api/companies/{company}/mfa-policy"),
            Some(&admin)
        )
        .await
        .body["trusted_browser_days"],
        30,
        "nothing changed"
    );

    // Lowered to 7 days: a browser trusted 8 days ago no longer is.
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    app.clock.advance(8 * DAY);
    let admin = crate::enforcement::admin_again(&app).await;
    app.reauth(&admin).await;
    let saved = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": false, "trusted_browser_days": 7 }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    assert_eq!(saved.body["trusted_browser_days"], 7);
    assert!(!skips(&app, "member@demo.test", &trusted).await);
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    assert!(skips(&app, "member@demo.test", &trusted).await);

    // 0: not offered, and every member's trusted browser is forgotten.
    let saved = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": false, "trusted_browser_days": 0 }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM trusted_browsers")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    let partial = app.password_step("member@demo.test").await;
    let options = app.get("/api/sign-in/second-factor", Some(&partial)).await;
    assert_eq!(options.body["remember_days"], 0);
    let body = json!({ "method": "totp", "code": totp_code(&secret, app.now()), "remember": true });
    let done = app
        .post("/api/sign-in/second-factor", Some(&partial), &body)
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(trusted_cookie(&done), None, "remember is ignored when off");

    // A payee: never.
    let payee = app.signed_in("payee@demo.test").await;
    let (payee_secret, _) = app.enroll(&payee).await;
    let partial = app.password_step("payee@demo.test").await;
    let options = app.get("/api/sign-in/second-factor", Some(&partial)).await;
    assert_eq!(options.body["remember_days"], 0);
    let body =
        json!({ "method": "totp", "code": totp_code(&payee_secret, app.now()), "remember": true });
    let done = app
        .post("/api/sign-in/second-factor", Some(&partial), &body)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(trusted_cookie(&done), None);
}

#[tokio::test]
async fn sessions_are_listed_and_signed_out_one_or_all_and_trusted_browsers_stay() {
    let app = spawn_app().await;
    let (_, secret) = enrolled(&app, "member@demo.test").await;
    let trusted = trust_browser(&app, "member@demo.test", &secret).await;
    let here = app.signed_in_with_code("member@demo.test", &secret).await;
    let there = app.signed_in_with_code("member@demo.test", &secret).await;
    let third = app.signed_in_with_code("member@demo.test", &secret).await;
    let someone_else = app.signed_in("admin@demo.test").await;

    let listed = app.get("/api/me/sessions", Some(&here)).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    let sessions = listed.body["sessions"].as_array().unwrap().clone();
    assert!(sessions.len() >= 3, "{sessions:?}");
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "one is this browser");
    assert_eq!(current[0]["ip"], "127.0.0.1");
    assert!(
        sessions
            .iter()
            .all(|s| s["id"].as_str().unwrap().len() == 32)
    );
    assert!(
        !listed
            .body
            .to_string()
            .contains(here.split('=').nth(1).unwrap()),
        "no cookie shown"
    );

    // Sign out one other session: its next request is refused.
    let other_id = {
        let theirs = app.get("/api/me/sessions", Some(&there)).await;
        theirs.body["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["current"] == true)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let by_someone_else = app
        .delete(&format!("/api/me/sessions/{other_id}"), Some(&someone_else))
        .await;
    assert_eq!(by_someone_else.status, StatusCode::NOT_FOUND);
    let ended = app
        .delete(&format!("/api/me/sessions/{other_id}"), Some(&here))
        .await;
    assert_eq!(ended.status, StatusCode::NO_CONTENT, "{:?}", ended.body);
    assert_eq!(
        app.get("/api/me", Some(&there)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .delete(&format!("/api/me/sessions/{other_id}"), Some(&here))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // "Sign out everywhere else".
    let everywhere = app
        .post("/api/me/sessions/sign-out-others", Some(&here), &json!({}))
        .await;
    assert_eq!(everywhere.status, StatusCode::OK, "{:?}", everywhere.body);
    assert!(everywhere.body["ended"].as_u64().unwrap() >= 1);
    assert_eq!(
        app.get("/api/me", Some(&third)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/me", Some(&here)).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/api/me", Some(&someone_else)).await.status,
        StatusCode::OK
    );
    let left = app.get("/api/me/sessions", Some(&here)).await;
    assert_eq!(left.body["sessions"].as_array().unwrap().len(), 1);
    assert!(
        skips(&app, "member@demo.test", &trusted).await,
        "signing out does not forget"
    );

    // The current session is not signed out by its id.
    let mine = left.body["sessions"][0]["id"].as_str().unwrap().to_owned();
    let own = app
        .delete(&format!("/api/me/sessions/{mine}"), Some(&here))
        .await;
    assert_eq!(own.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn over_https_the_trusted_browser_cookie_is_host_only_and_secure() {
    let app = crate::helpers::spawn_app_behind("https://mfa.example.com").await;
    let member = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&member).await;
    let partial = app.password_step("member@demo.test").await;
    let body = json!({ "method": "totp", "code": totp_code(&secret, app.now()), "remember": true });
    let done = app
        .post("/api/sign-in/second-factor", Some(&partial), &body)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let set = done
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.contains("mfa_trusted="))
        .expect("a trusted-browser cookie");
    assert!(set.starts_with("__Host-mfa_trusted="), "{set}");
    for part in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(part), "{part}: {set}");
    }
    assert!(!set.contains("Domain"), "{set}");
    let trusted = set.split(';').next().unwrap().to_owned();
    assert!(skips(&app, "member@demo.test", &trusted).await);
}
