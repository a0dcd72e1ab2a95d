//! Phone numbers and texted codes, through the real router with the outbox
//! provider: availability, validation, the code's life, the send limits,
//! idempotency, sign-in by text, several factors.

use axum::http::{Method, StatusCode, header};
use mfa_api::IDEMPOTENCY_HEADER;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with, totp_code};

const MEMBER: &str = "member@demo.test";
const PAYEE: &str = "payee@demo.test";

fn retry_after(reply: &crate::helpers::Reply) -> i64 {
    reply.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn members_may_text_to_the_thirteen_countries_and_payees_to_the_us_only() {
    let app = spawn_app().await;
    let member = app.signed_in(MEMBER).await;
    let list = app
        .get("/api/factors/sms/countries?lang=fr", Some(&member))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let countries = list.body["countries"].as_array().unwrap();
    let isos: Vec<&str> = countries
        .iter()
        .map(|c| c["iso"].as_str().unwrap())
        .collect();
    assert_eq!(
        isos,
        [
            "US", "CA", "MX", "GB", "IE", "FR", "DE", "ES", "IT", "AU", "NZ", "SG", "HK"
        ]
    );
    let germany = &countries[6];
    assert_eq!(germany["name"], "Allemagne");
    assert_eq!(germany["calling_code"], 49);
    let english = app.get("/api/factors/sms/countries", Some(&member)).await;
    assert_eq!(english.body["countries"][6]["name"], "Germany");

    let payee = app.signed_in(PAYEE).await;
    let list = app.get("/api/factors/sms/countries", Some(&payee)).await;
    assert_eq!(
        list.body["countries"],
        json!([{ "iso": "US", "calling_code": 1, "name": "United States" }])
    );
}

#[tokio::test]
async fn a_member_adds_a_french_mobile_with_the_texted_code() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    let start = app.start_phone(&cookie, "FR", "+33 6.12.34.56.78").await;
    assert_eq!(start.status, StatusCode::OK, "{:?}", start.body);
    assert_eq!(start.body["to"], "+33 • •• •• •• 78");
    assert_eq!(start.body["resend_after"], 60);
    assert_eq!(start.body["expires_at"], app.now() + 600);

    let texts = app.texts().await;
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0]["to"], "+33612345678");
    let body = texts[0]["body"].as_str().unwrap();
    let code = app.texted_code().await;
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    assert!(body.contains("TwoStep"), "{body}");
    assert!(body.contains("10 minutes"), "{body}");
    assert!(body.contains("Never share"), "{body}");
    let host = app.host.split(':').next().unwrap();
    assert_eq!(body.lines().last().unwrap(), format!("@{host} #{code}"));

    let done = app.confirm_phone(&cookie, &code).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(done.body["recovery_code"].is_string(), "first factor");
    let factors = &done.body["me"]["two_factor"]["factors"];
    assert_eq!(factors[0]["kind"], "sms");
    assert_eq!(factors[0]["label"], "+33 • •• •• •• 78");
    assert_eq!(factors[0]["preferred"], true);

    // At rest: the number sealed, the code hashed.
    let db = app.db().await;
    let (sealed, label): (String, String) =
        sqlx::query_as("SELECT secret_sealed, label FROM factors WHERE kind = 'sms'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(!sealed.contains("612345678") && !sealed.is_empty());
    assert!(!label.contains("612345678"));
    let hashes: Vec<(String, String)> =
        sqlx::query_as("SELECT code_hash, number_hash FROM texted_codes")
            .fetch_all(&db)
            .await
            .unwrap();
    for (code_hash, number_hash) in hashes {
        assert!(!code_hash.contains(&code));
        assert!(!number_hash.contains("612345678"));
    }
    // Used once.
    assert_eq!(
        app.confirm_phone(&cookie, &code).await.status,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn texts_go_only_where_they_are_offered_and_to_numbers_that_take_them() {
    let app = spawn_app().await;
    let payee = app.signed_in(PAYEE).await;
    // Every supported country but the United States: refused before the
    // number is even read.
    for country in mfa_api::SMS_COUNTRIES
        .iter()
        .map(|c| c.iso)
        .filter(|c| *c != "US")
    {
        let number = "0612345678";
        let refused = app.start_phone(&payee, country, number).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{country}");
        assert_eq!(refused.code(), "sms_unavailable_for_country");
    }
    let member = app.signed_in(MEMBER).await;
    // Côte d'Ivoire (+225): not a supported country, whatever the input.
    for (country, number) in [("CI", "07 07 12 34 56"), ("XX", "0612345678")] {
        let refused = app.start_phone(&member, country, number).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{country}");
        assert_eq!(refused.code(), "sms_unavailable_for_country");
    }
    for (country, number) in [
        ("FR", "08 99 12 34 56"),  // premium rate
        ("US", "(800) 234-5678"),  // toll free
        ("FR", "01 42 68 53 00"),  // fixed line
        ("FR", "+44 7400 123456"), // another country's
        ("FR", "06 12"),
        ("FR", ""),
    ] {
        let refused = app.start_phone(&member, country, number).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{number}");
        assert_eq!(refused.code(), "invalid_phone_number");
        assert!(!refused.body["message"].as_str().unwrap().is_empty());
    }
    assert!(app.texts().await.is_empty(), "nothing was sent");
    assert_eq!(
        app.start_phone(&payee, "US", "(201) 555-0123").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_texted_code_works_for_ten_minutes() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.start_phone(&cookie, "FR", "0612345678").await;
    let code = app.texted_code().await;
    app.clock.advance(9 * 60 + 59);
    assert_eq!(
        app.confirm_phone(&cookie, &code).await.status,
        StatusCode::OK
    );

    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.start_phone(&cookie, "FR", "0612345678").await;
    let code = app.texted_code().await;
    app.clock.advance(10 * 60 + 1);
    let late = app.confirm_phone(&cookie, &code).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(late.code(), "code_expired");
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

#[tokio::test]
async fn five_wrong_tries_void_the_code() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.start_phone(&cookie, "FR", "0612345678").await;
    let code = app.texted_code().await;
    for _ in 0..4 {
        let reply = app.confirm_phone(&cookie, &wrong(&code)).await;
        assert_eq!(reply.code(), "wrong_code");
    }
    assert_eq!(
        app.confirm_phone(&cookie, &wrong(&code)).await.code(),
        "code_expired"
    );
    assert_eq!(
        app.confirm_phone(&cookie, &code).await.code(),
        "code_expired"
    );
    // A new code works.
    app.clock.advance(60);
    let resent = app
        .post("/api/factors/sms/resend", Some(&cookie), &json!({}))
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{:?}", resent.body);
    let fresh = app.texted_code().await;
    assert_eq!(
        app.confirm_phone(&cookie, &fresh).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn resending_waits_a_minute_and_voids_the_code_before() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.start_phone(&cookie, "FR", "0612345678").await;
    let first = app.texted_code().await;
    app.clock.advance(30);
    let early = app
        .post("/api/factors/sms/resend", Some(&cookie), &json!({}))
        .await;
    assert_eq!(early.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(early.code(), "too_many_texts");
    assert_eq!(retry_after(&early), 30);
    assert_eq!(early.body["retry_after"], 30);
    assert_eq!(app.texts().await.len(), 1, "nothing sent");
    app.clock.advance(30);
    let resent = app
        .post("/api/factors/sms/resend", Some(&cookie), &json!({}))
        .await;
    assert_eq!(resent.status, StatusCode::OK);
    let second = app.texted_code().await;
    if second != first {
        assert_eq!(
            app.confirm_phone(&cookie, &first).await.code(),
            "wrong_code"
        );
    }
    assert_eq!(
        app.confirm_phone(&cookie, &second).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn at_most_five_texts_per_user_per_hour_and_ten_per_number_per_day() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    for _ in 0..5 {
        let sent = app.start_phone(&cookie, "FR", "0612345678").await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
        app.clock.advance(61);
    }
    let sixth = app.start_phone(&cookie, "FR", "0612345678").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sixth.code(), "too_many_texts");
    // The first text leaves the hour 3600 s after it was sent.
    assert_eq!(retry_after(&sixth), 3600 - 5 * 61);
    assert_eq!(app.texts().await.len(), 5);

    // Another hour (and a new sign-in), five more texts: the number's
    // tenth of the day.
    app.clock.advance(3600);
    let cookie = app.signed_in(MEMBER).await;
    for _ in 0..5 {
        assert_eq!(
            app.start_phone(&cookie, "FR", "0612345678").await.status,
            StatusCode::OK
        );
        app.clock.advance(61);
    }
    app.clock.advance(3600);
    let cookie = app.signed_in(MEMBER).await;
    let eleventh = app.start_phone(&cookie, "FR", "0612345678").await;
    assert_eq!(eleventh.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&eleventh);
    assert!(wait > 3600 && wait <= 24 * 3600, "{wait}");
    // Another number is not held back by that one's day.
    assert_eq!(
        app.start_phone(&cookie, "FR", "0698765432").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_repeated_request_never_texts_twice() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.reauth(&cookie).await;
    let send = || {
        let mut request = app.request(
            Method::POST,
            "/api/factors/sms",
            Some(&cookie),
            Some(r#"{"country":"FR","number":"0612345678"}"#),
        );
        request
            .headers_mut()
            .insert(IDEMPOTENCY_HEADER, "click-1".parse().unwrap());
        app.send(request)
    };
    let first = send().await;
    let again = send().await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(again.status, StatusCode::OK, "{:?}", again.body);
    assert_eq!(again.body["to"], first.body["to"]);
    assert_eq!(app.texts().await.len(), 1);
    // The code of that one text still works.
    let code = app.texted_code().await;
    assert_eq!(
        app.confirm_phone(&cookie, &code).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn twenty_concurrent_confirmations_with_the_right_code_make_one_factor() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.start_phone(&cookie, "FR", "0612345678").await;
    let code = app.texted_code().await;
    let body = json!({ "code": code }).to_string();
    let requests = (0..20)
        .map(|_| {
            app.request(
                Method::POST,
                "/api/factors/sms/confirm",
                Some(&cookie),
                Some(&body),
            )
        })
        .collect();
    let statuses = app.race(requests).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    let db = app.db().await;
    let phones: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM factors WHERE kind = 'sms'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(phones, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_starts_at_once_text_once_and_the_texted_number_is_the_one_pending() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.reauth(&cookie).await;
    let body = json!({ "country": "FR", "number": "0612345678" }).to_string();
    let requests = (0..2)
        .map(|_| app.request(Method::POST, "/api/factors/sms", Some(&cookie), Some(&body)))
        .collect();
    let mut statuses = app.race(requests).await;
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS],
        "one texts, the other meets the resend wait"
    );
    assert_eq!(app.texts().await.len(), 1);
    // The refused start replaced nothing: the code texted confirms the phone.
    let code = app.texted_code().await;
    let confirmed = app.confirm_phone(&cookie, &code).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{:?}", confirmed.body);
}

async fn second_step_with_text(app: &TestApp) -> (String, Value) {
    let reply = app.sign_in(MEMBER, crate::helpers::DEMO_PASSWORD).await;
    assert_eq!(reply.body["status"], "second_factor_required");
    (reply.session_cookie().unwrap(), reply.body)
}

#[tokio::test]
async fn signing_in_with_a_texted_code_sent_only_when_asked() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.enroll_phone(&cookie).await;
    app.post("/api/sign-out", Some(&cookie), &json!({})).await;
    let sent_before = app.texts().await.len();

    let (partial, outcome) = second_step_with_text(&app).await;
    assert_eq!(outcome["factors"][0]["kind"], "sms");
    assert_eq!(outcome["factors"][0]["label"], "+33 • •• •• •• 78");
    assert_eq!(app.texts().await.len(), sent_before, "no text until asked");

    let asked = app
        .post("/api/sign-in/second-factor/sms", Some(&partial), &json!({}))
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{:?}", asked.body);
    assert_eq!(asked.body["to"], "+33 • •• •• •• 78");
    let code = app.texted_code().await;
    let wrong_one = app.second_factor(&partial, "sms", &wrong(&code)).await;
    assert_eq!(wrong_one.code(), "wrong_code");
    let done = app.second_factor(&partial, "sms", &code).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["status"], "signed_in");
    assert!(done.body["me"]["two_factor"]["factors"][0]["last_used_at"].is_number());
    // Bound to that sign-in: another half-signed-in session cannot use it.
    let (other, _) = second_step_with_text(&app).await;
    assert_eq!(
        app.second_factor(&other, "sms", &code).await.code(),
        "code_expired"
    );
    // Only a half-signed-in session can ask for a text.
    let full = done.session_cookie().unwrap();
    assert_eq!(
        app.post("/api/sign-in/second-factor/sms", Some(&full), &json!({}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_user_with_both_factors_signs_in_with_either_and_picks_the_preferred() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    let (secret, _) = app.enroll(&cookie).await;
    let added = app.enroll_phone(&cookie).await;
    assert!(
        added.body.get("recovery_code").is_none(),
        "not the first factor"
    );
    let factors = added.body["me"]["two_factor"]["factors"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(factors.len(), 2);
    assert_eq!(factors[0]["kind"], "authenticator_app");
    assert_eq!(factors[0]["preferred"], true);
    let phone_id = factors[1]["id"].as_i64().unwrap();

    let (partial, outcome) = second_step_with_text(&app).await;
    assert_eq!(outcome["factors"][0]["kind"], "authenticator_app");
    assert_eq!(outcome["factors"][1]["kind"], "sms");
    let done = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(done.status, StatusCode::OK);
    let full = done.session_cookie().unwrap();

    let preferred = app
        .send(app.request(
            Method::PUT,
            &format!("/api/factors/{phone_id}/preferred"),
            Some(&full),
            None,
        ))
        .await;
    assert_eq!(preferred.status, StatusCode::OK, "{:?}", preferred.body);
    assert_eq!(preferred.body["two_factor"]["factors"][0]["kind"], "sms");
    assert_eq!(
        preferred.body["two_factor"]["factors"][0]["preferred"],
        true
    );
    assert_eq!(
        preferred.body["two_factor"]["factors"][1]["preferred"],
        false
    );

    let (partial, outcome) = second_step_with_text(&app).await;
    assert_eq!(outcome["factors"][0]["kind"], "sms");
    app.post("/api/sign-in/second-factor/sms", Some(&partial), &json!({}))
        .await;
    let done = app
        .second_factor(&partial, "sms", &app.texted_code().await)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);

    // Someone else's factor id is not found.
    let other = app.signed_in("admin@demo.test").await;
    let foreign = app
        .send(app.request(
            Method::PUT,
            &format!("/api/factors/{phone_id}/preferred"),
            Some(&other),
            None,
        ))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn changing_the_number_verifies_the_new_one_before_it_replaces_the_old() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    app.enroll_phone(&cookie).await;
    let start = app.start_phone(&cookie, "GB", "07400 123456").await;
    assert_eq!(start.status, StatusCode::OK, "{:?}", start.body);
    // Until verified, the old number stays.
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(
        me.body["two_factor"]["factors"][0]["label"],
        "+33 • •• •• •• 78"
    );
    assert_eq!(app.texts().await[0]["to"], "+447400123456");
    let done = app.confirm_phone(&cookie, &app.texted_code().await).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert!(done.body.get("recovery_code").is_none());
    let factors = done.body["me"]["two_factor"]["factors"].as_array().unwrap();
    assert_eq!(factors.len(), 1);
    assert_eq!(factors[0]["label"], "+44 •••• ••••56");
    assert_eq!(factors[0]["preferred"], true);
}

#[tokio::test]
async fn the_outbox_exists_only_in_demo_mode() {
    let app = spawn_app_with(&[("MFA_DEMO", "0")]).await;
    assert_eq!(
        app.get("/api/outbox", None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/outbox", None).await.status, StatusCode::NOT_FOUND);
    let demo = spawn_app().await;
    assert_eq!(demo.get("/api/outbox", None).await.status, StatusCode::OK);
    assert_eq!(demo.get("/outbox", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_reauth_window_and_the_second_steps_factors_can_be_read() {
    let app = spawn_app().await;
    let cookie = app.signed_in(MEMBER).await;
    let closed = app.get("/api/reauth", Some(&cookie)).await;
    assert_eq!(closed.status, StatusCode::OK);
    assert_eq!(closed.body, json!({ "valid_until": null }));
    app.reauth(&cookie).await;
    let open = app.get("/api/reauth", Some(&cookie)).await;
    assert_eq!(open.body["valid_until"], app.now() + 600);

    app.enroll_phone(&cookie).await;
    app.post("/api/sign-out", Some(&cookie), &json!({})).await;
    let (partial, _) = second_step_with_text(&app).await;
    let options = app.get("/api/sign-in/second-factor", Some(&partial)).await;
    assert_eq!(options.status, StatusCode::OK);
    assert_eq!(options.body["factors"][0]["kind"], "sms");
    assert_eq!(options.body["factors"][0]["label"], "+33 • •• •• •• 78");
    assert_eq!(
        app.get("/api/sign-in/second-factor", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}
