//! Password sign-in throttling: per account (known or not, alike), per
//! client address, and the known-device exemption.

use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, Reply, TestApp, spawn_app, spawn_app_with};

impl TestApp {
    /// A sign-in from `ip` (the test app trusts the local proxy), with cookies.
    async fn sign_in_from(
        &self,
        ip: &str,
        cookies: Option<&str>,
        email: &str,
        password: &str,
    ) -> Reply {
        let body = json!({ "email": email, "password": password }).to_string();
        let mut request = self.request(Method::POST, "/api/sign-in", cookies, Some(&body));
        request
            .headers_mut()
            .insert("x-forwarded-for", ip.parse().unwrap());
        self.send(request).await
    }
}

/// The `name=value` of the known-device cookie a reply set.
fn device_cookie(reply: &Reply) -> String {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("mfa_device="))
        .expect("a known-device cookie")
}

/// The member signs in from their own browser at `ip`: its known-device
/// cookie (`name=value`), and the sign-in's answer.
async fn known_browser(app: &TestApp, ip: &str) -> (String, Reply) {
    let mine = app
        .sign_in_from(ip, None, "member@demo.test", DEMO_PASSWORD)
        .await;
    let device = device_cookie(&mine).split(';').next().unwrap().to_owned();
    (device, mine)
}

/// What a client can see of an answer: status, body and Retry-After.
fn seen(reply: &Reply) -> (StatusCode, serde_json::Value, Option<String>) {
    (
        reply.status,
        reply.body.clone(),
        reply
            .headers
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned()),
    )
}

#[tokio::test]
async fn five_free_failures_then_doubling_delays_alike_for_unknown_emails() {
    let app = spawn_app().await;
    let mut answers: Vec<Vec<_>> = vec![Vec::new(), Vec::new()];
    for (i, email) in ["member@demo.test", "nobody@demo.test"].iter().enumerate() {
        let start = app.now();
        for _ in 0..5 {
            let reply = app.sign_in(email, "wrong").await;
            assert_eq!(reply.code(), "invalid_credentials");
            answers[i].push(seen(&reply));
        }
        let mut waits = Vec::new();
        for _ in 0..11 {
            let refused = app.sign_in(email, "wrong").await;
            assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(refused.code(), "too_many_attempts");
            let until = refused.body["locked_until"].as_i64().unwrap();
            waits.push(until - app.now());
            answers[i].push(seen(&refused));
            // Inside the delay even the right password is refused, unchecked.
            let right = app.sign_in(email, DEMO_PASSWORD).await;
            assert_eq!(seen(&right), seen(&refused));
            app.clock.advance(until - app.now());
            let wrong = app.sign_in(email, "wrong").await;
            assert_eq!(wrong.code(), "invalid_credentials");
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
        // The other email starts from the same moment.
        app.clock.advance(start - app.now());
    }
    // The answers do not tell whether the account exists.
    let strip = |a: &Vec<(StatusCode, serde_json::Value, Option<String>)>| {
        a.iter()
            .map(|(s, b, r)| (*s, b["code"].clone(), r.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&answers[0]), strip(&answers[1]));

    // Once the delay is over, the right password signs in and resets.
    app.clock.advance(1923 + 900);
    let ok = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    for _ in 0..4 {
        assert_eq!(
            app.sign_in("member@demo.test", "wrong").await.code(),
            "invalid_credentials"
        );
    }
}

#[tokio::test]
async fn a_known_browser_is_not_kept_out_by_someone_elses_guesses() {
    let app = spawn_app_with(&[("MFA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    // The member's own browser signs in once and keeps the device cookie.
    let mine = app
        .sign_in_from("198.51.100.1", None, "member@demo.test", DEMO_PASSWORD)
        .await;
    let device = device_cookie(&mine);
    assert!(device.contains("HttpOnly"), "{device}");
    assert!(device.contains("Max-Age=31536000"), "{device}");
    let device = device.split(';').next().unwrap().to_owned();

    // An attacker elsewhere locks the account's password step.
    for _ in 0..6 {
        app.sign_in_from("203.0.113.66", None, "member@demo.test", "guess")
            .await;
    }
    let attacker = app
        .sign_in_from("203.0.113.66", None, "member@demo.test", DEMO_PASSWORD)
        .await;
    assert_eq!(attacker.status, StatusCode::TOO_MANY_REQUESTS);
    let another_browser = app
        .sign_in_from("198.51.100.1", None, "member@demo.test", DEMO_PASSWORD)
        .await;
    assert_eq!(another_browser.status, StatusCode::TOO_MANY_REQUESTS);

    // The known browser still gets in.
    let known = app
        .sign_in_from(
            "198.51.100.1",
            Some(&device),
            "member@demo.test",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(known.status, StatusCode::OK, "{:?}", known.body);

    // Its cookie does nothing for another account.
    for _ in 0..6 {
        app.sign_in_from("203.0.113.66", None, "admin@demo.test", "guess")
            .await;
    }
    let borrowed = app
        .sign_in_from(
            "198.51.100.1",
            Some(&device),
            "admin@demo.test",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(borrowed.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn fifty_failures_from_one_address_per_fifteen_minutes() {
    let app = spawn_app_with(&[("MFA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let signed_in = app
        .sign_in_from("198.51.100.9", None, "member@demo.test", DEMO_PASSWORD)
        .await;
    let device = device_cookie(&signed_in)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for n in 0..50 {
        let reply = app
            .sign_in_from(
                "203.0.113.7",
                None,
                &format!("someone{n}@demo.test"),
                "guess",
            )
            .await;
        assert_eq!(reply.code(), "invalid_credentials", "attempt {n}");
    }
    let refused = app
        .sign_in_from("203.0.113.7", None, "fresh@demo.test", "guess")
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.body["locked_until"], app.now() + 900);
    // A known device is no way around the address limit.
    let known = app
        .sign_in_from(
            "203.0.113.7",
            Some(&device),
            "member@demo.test",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(known.status, StatusCode::TOO_MANY_REQUESTS);
    // Other addresses are not affected; the window ends.
    let elsewhere = app
        .sign_in_from("203.0.113.8", None, "member@demo.test", DEMO_PASSWORD)
        .await;
    assert_eq!(elsewhere.status, StatusCode::OK);
    app.clock.advance(900);
    let later = app
        .sign_in_from("203.0.113.7", None, "member@demo.test", DEMO_PASSWORD)
        .await;
    assert_eq!(later.status, StatusCode::OK);
}

#[tokio::test]
async fn an_ipv6_client_is_limited_by_its_slash_64() {
    let app = spawn_app_with(&[("MFA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    // Fifty failures, each from another address of one /64.
    for n in 0..50 {
        let reply = app
            .sign_in_from(
                &format!("2001:db8:1:2::{:x}", n + 1),
                None,
                &format!("someone{n}@demo.test"),
                "guess",
            )
            .await;
        assert_eq!(reply.code(), "invalid_credentials", "attempt {n}");
    }
    let same_network = app
        .sign_in_from(
            "2001:db8:1:2:ffff:ffff:ffff:ffff",
            None,
            "fresh@demo.test",
            "guess",
        )
        .await;
    assert_eq!(same_network.status, StatusCode::TOO_MANY_REQUESTS);
    let next_network = app
        .sign_in_from("2001:db8:1:3::1", None, "fresh@demo.test", "guess")
        .await;
    assert_eq!(next_network.code(), "invalid_credentials");
    // The audit log keeps every full address.
    let db = app.db().await;
    let addresses: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT ip) FROM audit_events WHERE kind = 'sign_in_failed' AND ip LIKE '2001:db8:1:2:%'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(addresses, 50);

    // An IPv4-mapped address is its IPv4 address.
    for n in 0..50 {
        app.sign_in_from("203.0.113.7", None, &format!("other{n}@demo.test"), "guess")
            .await;
    }
    let mapped = app
        .sign_in_from("::ffff:203.0.113.7", None, "fresh@demo.test", "guess")
        .await;
    assert_eq!(mapped.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn past_the_global_budget_unknown_browsers_wait_and_known_ones_do_not() {
    let app = spawn_app_with(&[("MFA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let (device, _) = known_browser(&app, "198.51.100.1").await;
    let timed = |ip: &'static str, cookie: Option<String>, email: &'static str| {
        let app = &app;
        async move {
            let started = std::time::Instant::now();
            let reply = app
                .sign_in_from(ip, cookie.as_deref(), email, "guess")
                .await;
            assert_eq!(reply.code(), "invalid_credentials");
            started.elapsed()
        }
    };
    assert!(timed("203.0.113.1", None, "a@demo.test").await < std::time::Duration::from_secs(1));

    // A thousand failures across all accounts in this window (as a spray
    // from many networks would leave them).
    let db = app.db().await;
    sqlx::query(
        "UPDATE sign_in_throttles SET failures = 1000, window_start = $1 WHERE scope = 'global'",
    )
    .bind(app.now())
    .execute(&db)
    .await
    .unwrap();
    let unknown = timed("203.0.113.2", None, "b@demo.test").await;
    assert!(unknown >= std::time::Duration::from_secs(1), "{unknown:?}");
    let known = timed("198.51.100.1", Some(device), "member@demo.test").await;
    assert!(known < std::time::Duration::from_secs(1), "{known:?}");
    // The window ends.
    app.clock.advance(15 * 60);
    assert!(timed("203.0.113.3", None, "c@demo.test").await < std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn five_wrong_passwords_from_a_known_browser_end_its_exemption_until_it_signs_in() {
    let app = spawn_app_with(&[("MFA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let (device, _) = known_browser(&app, "198.51.100.1").await;
    let lock_the_account = || async {
        for _ in 0..6 {
            app.sign_in_from("203.0.113.66", None, "member@demo.test", "guess")
                .await;
        }
    };
    // Someone with the stolen cookie guesses five times...
    for n in 0..5 {
        let reply = app
            .sign_in_from("198.51.100.1", Some(&device), "member@demo.test", "guess")
            .await;
        assert_eq!(reply.code(), "invalid_credentials", "guess {n}");
    }
    // ...and the cookie no longer skips the account's delay.
    lock_the_account().await;
    let refused = app
        .sign_in_from(
            "198.51.100.1",
            Some(&device),
            "member@demo.test",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    // Once the delay is over, a right password with it makes it count again.
    app.clock.advance(15 * 60);
    let ok = app
        .sign_in_from(
            "198.51.100.1",
            Some(&device),
            "member@demo.test",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    lock_the_account().await;
    let known = app
        .sign_in_from(
            "198.51.100.1",
            Some(&device),
            "member@demo.test",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(known.status, StatusCode::OK, "{:?}", known.body);
}

#[tokio::test]
async fn a_reset_forgets_every_known_browser_of_its_user() {
    let app = spawn_app_with(&[("MFA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let (device, mine) = known_browser(&app, "198.51.100.1").await;
    let admin = app.signed_in("admin@demo.test").await;
    app.reauth(&admin).await;
    let me = app.get("/api/me", Some(&admin)).await.body;
    let company = me["memberships"][0]["company"]["id"].as_i64().unwrap();
    let member = mine.body["me"]["user"]["id"].as_i64().unwrap();
    let reset = app
        .post(
            &format!("/api/companies/{company}/members/{member}/reset-mfa"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    for _ in 0..6 {
        app.sign_in_from("203.0.113.66", None, "member@demo.test", "guess")
            .await;
    }
    let forgotten = app
        .sign_in_from(
            "198.51.100.1",
            Some(&device),
            "member@demo.test",
            DEMO_PASSWORD,
        )
        .await;
    assert_eq!(forgotten.status, StatusCode::TOO_MANY_REQUESTS);
}
