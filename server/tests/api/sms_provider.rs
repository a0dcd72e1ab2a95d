//! The Twilio-compatible provider against a local HTTP server started here,
//! which records each request and answers as told: 201, 400, 429, 500, or
//! not at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use mfa_api::IDEMPOTENCY_HEADER;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app_with};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    Created,
    BadNumber,
    RateLimited,
    Broken,
    Hang,
    /// Created, once the test lets the answer go.
    Held,
}

#[derive(Clone, Debug)]
struct Recorded {
    account: String,
    authorization: String,
    content_type: String,
    idempotency_key: Option<String>,
    form: HashMap<String, String>,
}

#[derive(Clone)]
struct Provider {
    answer: Arc<Mutex<Answer>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
    /// Lets a held answer go.
    release: Arc<tokio::sync::Notify>,
}

impl Provider {
    fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn messages(
    State(provider): State<Provider>,
    Path(account): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    provider.requests.lock().unwrap().push(Recorded {
        account,
        authorization: text(header::AUTHORIZATION),
        content_type: text(header::CONTENT_TYPE),
        idempotency_key: headers
            .get("idempotency-key")
            .map(|v| v.to_str().unwrap().to_owned()),
        form,
    });
    let answer = *provider.answer.lock().unwrap();
    match answer {
        Answer::Created => (
            StatusCode::CREATED,
            axum::Json(json!({ "sid": "SM0123456789abcdef", "status": "queued" })),
        )
            .into_response(),
        Answer::BadNumber => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400 })),
        )
            .into_response(),
        Answer::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "7")],
            axum::Json(json!({ "code": 20429, "message": "Too Many Requests", "status": 429 })),
        )
            .into_response(),
        Answer::Broken => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::CREATED.into_response()
        }
        Answer::Held => {
            provider.release.notified().await;
            (
                StatusCode::CREATED,
                axum::Json(json!({ "sid": "SM0123456789abcdef", "status": "queued" })),
            )
                .into_response()
        }
    }
}

/// The local provider, and our app configured to use it (sends time out
/// after a second).
async fn app_with_provider(sender: (&str, &str)) -> (TestApp, Provider) {
    app_with_provider_timeout(sender, "1").await
}

async fn app_with_provider_timeout(sender: (&str, &str), timeout: &str) -> (TestApp, Provider) {
    let provider = Provider {
        answer: Arc::new(Mutex::new(Answer::Created)),
        requests: Arc::default(),
        release: Arc::default(),
    };
    let router = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            post(messages),
        )
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let app = spawn_app_with(&[
        ("MFA_SMS_PROVIDER", "twilio"),
        ("MFA_TWILIO_ACCOUNT_SID", "AC0123"),
        ("MFA_TWILIO_AUTH_TOKEN", "secret-token"),
        sender,
        ("MFA_TWILIO_BASE_URL", &base),
        ("MFA_SMS_TIMEOUT_SECS", timeout),
    ])
    .await;
    (app, provider)
}

#[tokio::test]
async fn texts_are_posted_form_encoded_with_basic_auth() {
    let (app, provider) = app_with_provider(("MFA_TWILIO_FROM", "+15005550006")).await;
    let cookie = app.signed_in("member@demo.test").await;
    let sent = app.start_phone(&cookie, "FR", "06 12 34 56 78").await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);

    let requests = provider.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.account, "AC0123");
    let basic = base64::engine::general_purpose::STANDARD.encode("AC0123:secret-token");
    assert_eq!(request.authorization, format!("Basic {basic}"));
    assert_eq!(request.content_type, "application/x-www-form-urlencoded");
    assert!(
        request
            .idempotency_key
            .as_deref()
            .is_some_and(|k| !k.is_empty())
    );
    assert_eq!(request.form["To"], "+33612345678");
    assert_eq!(request.form["From"], "+15005550006");
    assert!(!request.form.contains_key("MessagingServiceSid"));
    let body = &request.form["Body"];
    let code = &body[..6];
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{body}");
    assert!(body.ends_with(&format!("#{code}")), "{body}");
    assert!(app.texts().await.is_empty(), "the outbox is not used");

    let done = app.confirm_phone(&cookie, code).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
}

#[tokio::test]
async fn a_messaging_service_replaces_the_from_number() {
    let (app, provider) = app_with_provider(("MFA_TWILIO_MESSAGING_SERVICE_SID", "MG0123")).await;
    let cookie = app.signed_in("member@demo.test").await;
    assert_eq!(
        app.start_phone(&cookie, "FR", "0612345678").await.status,
        StatusCode::OK
    );
    let request = &provider.requests()[0];
    assert_eq!(request.form["MessagingServiceSid"], "MG0123");
    assert!(!request.form.contains_key("From"));
}

#[tokio::test]
async fn provider_failures_are_clear_retryable_errors_and_never_send_twice() {
    let (app, provider) = app_with_provider(("MFA_TWILIO_FROM", "+15005550006")).await;
    let cookie = app.signed_in("member@demo.test").await;

    provider.answer(Answer::BadNumber);
    let refused = app.start_phone(&cookie, "FR", "0612345678").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code(), "sms_number_rejected");

    provider.answer(Answer::RateLimited);
    let limited = app.start_phone(&cookie, "FR", "0612345678").await;
    assert_eq!(limited.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(limited.code(), "sms_provider_unavailable");
    assert_eq!(limited.headers[header::RETRY_AFTER], "7");

    provider.answer(Answer::Broken);
    let broken = app.start_phone(&cookie, "FR", "0612345678").await;
    assert_eq!(broken.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(broken.code(), "sms_provider_unavailable");
    assert!(broken.headers.contains_key(header::RETRY_AFTER));
    // One request per attempt: nothing retried behind the caller's back.
    assert_eq!(provider.requests().len(), 3);

    // Refused texts did not go out, so they do not hold back the next one.
    provider.answer(Answer::Created);
    let sent = app.start_phone(&cookie, "FR", "0612345678").await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    assert_eq!(provider.requests().len(), 4);
}

#[tokio::test]
async fn a_hung_provider_times_out_and_a_retry_sends_nothing_more() {
    let (app, provider) = app_with_provider(("MFA_TWILIO_FROM", "+15005550006")).await;
    let cookie = app.signed_in("member@demo.test").await;
    provider.answer(Answer::Hang);
    app.reauth(&cookie).await;
    let send = |key: &'static str| {
        let mut request = app.request(
            Method::POST,
            "/api/factors/sms",
            Some(&cookie),
            Some(r#"{"country":"FR","number":"0612345678"}"#),
        );
        request
            .headers_mut()
            .insert(IDEMPOTENCY_HEADER, key.parse().unwrap());
        app.send(request)
    };
    let started = std::time::Instant::now();
    let hung = send("attempt-1").await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(hung.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(hung.code(), "sms_provider_unavailable");
    assert!(
        hung.body["message"]
            .as_str()
            .unwrap()
            .contains("may still arrive")
    );
    assert_eq!(hung.headers[header::RETRY_AFTER], "60");

    // The same request again: answered from the first, nothing sent.
    provider.answer(Answer::Created);
    let again = send("attempt-1").await;
    assert_eq!(again.status, StatusCode::SERVICE_UNAVAILABLE);
    // A new request within the minute: the first text may still arrive.
    let other = send("attempt-2").await;
    assert_eq!(other.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(provider.requests().len(), 1, "exactly one text handed over");
    // After the minute, a new code may go.
    app.clock.advance(60);
    assert_eq!(send("attempt-3").await.status, StatusCode::OK);
    assert_eq!(provider.requests().len(), 2);
}

/// Starts adding a phone whose text the provider holds (its answer waits
/// for `provider.release`): the request under way, and the code the
/// provider has.
async fn held_send(
    app: &TestApp,
    provider: &Provider,
    cookie: &str,
) -> (
    tokio::task::JoinHandle<Result<Response, std::convert::Infallible>>,
    String,
) {
    app.reauth(cookie).await;
    provider.answer(Answer::Held);
    let request = app.request(
        Method::POST,
        "/api/factors/sms",
        Some(cookie),
        Some(r#"{"country":"FR","number":"0612345678"}"#),
    );
    let sending = tokio::spawn(tower::ServiceExt::oneshot(app.router.clone(), request));
    let code = loop {
        if let Some(request) = provider.requests().first() {
            break request.form["Body"][..6].to_owned();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    (sending, code)
}

#[tokio::test]
async fn a_code_voided_while_its_text_was_being_sent_stays_void() {
    let (app, provider) =
        app_with_provider_timeout(("MFA_TWILIO_FROM", "+15005550006"), "30").await;
    let cookie = app.signed_in("member@demo.test").await;
    let (sending, first) = held_send(&app, &provider, &cookie).await;
    let code = first;
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    for n in 0..5 {
        let reply = app.confirm_phone(&cookie, &wrong).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "try {n}");
    }
    provider.release.notify_one();
    let sent = sending.await.unwrap().unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    // Five wrong tries voided it: the provider's answer does not revive it.
    let right = app.confirm_phone(&cookie, &code).await;
    assert_eq!(
        right.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        right.body
    );
    assert_eq!(right.code(), "code_expired");
    let db = app.db().await;
    let state: String = sqlx::query_scalar("SELECT state FROM texted_codes")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(state, "void");
}

#[tokio::test]
async fn a_code_replaced_while_its_text_was_being_sent_stays_replaced() {
    let (app, provider) =
        app_with_provider_timeout(("MFA_TWILIO_FROM", "+15005550006"), "30").await;
    let cookie = app.signed_in("member@demo.test").await;
    let (sending, first) = held_send(&app, &provider, &cookie).await;
    // A minute later the person asks for another code, which goes at once.
    provider.answer(Answer::Created);
    app.clock.advance(61);
    let resent = app
        .post("/api/factors/sms/resend", Some(&cookie), &json!({}))
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{:?}", resent.body);
    let second = provider.requests()[1].form["Body"][..6].to_owned();
    // Then the first send's answer comes.
    provider.release.notify_one();
    assert_eq!(sending.await.unwrap().unwrap().status(), StatusCode::OK);
    // The second code is tried five times wrong and is void...
    let wrong = (0..)
        .map(|n: u32| format!("{n:06}"))
        .find(|c| *c != first && *c != second)
        .unwrap();
    for _ in 0..5 {
        app.confirm_phone(&cookie, &wrong).await;
    }
    // ...and the replaced first code does not come back in its place.
    let replaced = app.confirm_phone(&cookie, &first).await;
    assert_eq!(
        replaced.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        replaced.body
    );
    assert_eq!(replaced.code(), "code_expired");
}
