use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use mfa_api::{CSRF_HEADER, CSRF_VALUE};
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

fn raw_sign_in(app: &TestApp, content_type: &str, body: &str) -> Request<Body> {
    Request::post("/api/sign-in")
        .header(header::HOST, &app.host)
        .header(CSRF_HEADER, CSRF_VALUE)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn assert_json_error(reply: &crate::helpers::Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert!(reply.body["code"].is_string(), "{:?}", reply.body);
    assert!(reply.body["message"].is_string(), "{:?}", reply.body);
    assert!(reply.set_cookie().is_none());
}

#[tokio::test]
async fn malformed_input_is_a_4xx_with_a_json_body() {
    let app = spawn_app().await;
    let cases = [
        ("application/json", "{not json", StatusCode::BAD_REQUEST),
        ("application/json", "", StatusCode::BAD_REQUEST),
        (
            "application/json",
            r#"{"email":"member@demo.test"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "application/json",
            r#"{"email":42,"password":"x"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "text/plain",
            r#"{"email":"member@demo.test","password":"x"}"#,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (content_type, body, status) in cases {
        let reply = app.send(raw_sign_in(&app, content_type, body)).await;
        assert_json_error(&reply, status);
    }
}

#[tokio::test]
async fn invalid_fields_are_422() {
    let app = spawn_app().await;
    for body in [
        json!({ "email": "", "password": DEMO_PASSWORD }),
        json!({ "email": "not-an-email", "password": DEMO_PASSWORD }),
        json!({ "email": "member@demo.test", "password": "" }),
        json!({ "email": "member@demo.test", "password": "x".repeat(1025) }),
    ] {
        let reply = app.post("/api/sign-in", None, &body).await;
        assert_json_error(&reply, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.code(), "validation_failed");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = spawn_app().await;
    let huge =
        json!({ "email": "member@demo.test", "password": "x".repeat(3 * 1024 * 1024) }).to_string();
    let reply = app.send(raw_sign_in(&app, "application/json", &huge)).await;
    assert_json_error(&reply, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn state_changes_without_the_anti_forgery_header_are_refused() {
    let app = spawn_app().await;
    let body = json!({ "email": "member@demo.test", "password": DEMO_PASSWORD }).to_string();
    let no_header = Request::post("/api/sign-in")
        .header(header::HOST, &app.host)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let reply = app.send(no_header).await;
    assert_json_error(&reply, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "csrf_rejected");

    let foreign = Request::post("/api/sign-in")
        .header(header::HOST, &app.host)
        .header(CSRF_HEADER, CSRF_VALUE)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    assert_json_error(&app.send(foreign).await, StatusCode::FORBIDDEN);

    // Sign-out is state-changing too.
    let cookie = app.signed_in("member@demo.test").await;
    let sign_out = Request::post("/api/sign-out")
        .header(header::HOST, &app.host)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    assert_json_error(&app.send(sign_out).await, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_api_paths_and_methods_are_json_errors() {
    let app = spawn_app().await;
    let reply = app.get("/api/does-not-exist", None).await;
    assert_json_error(&reply, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "not_found");
    let reply = app
        .send(app.request(Method::DELETE, "/api/me", None, None))
        .await;
    assert_json_error(&reply, StatusCode::METHOD_NOT_ALLOWED);
    let reply = app.get("/api/sign-in", None).await;
    assert_json_error(&reply, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn api_answers_are_never_cached() {
    let app = spawn_app().await;
    let reply = app.get("/api/health", None).await;
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn malformed_path_parameters_are_json_400s() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    app.reauth(&cookie).await;
    for path in [
        "/api/factors/totp/abc",
        "/api/factors/abc",
        "/api/factors/99999999999999999999",
    ] {
        let reply = app.delete(path, Some(&cookie)).await;
        assert_json_error(&reply, StatusCode::BAD_REQUEST);
        assert_eq!(reply.code(), "bad_request", "{path}");
    }
}

#[tokio::test]
async fn only_the_public_host_and_origin_are_answered_and_nothing_changes_otherwise() {
    let app = spawn_app().await;
    let body = json!({ "email": "member@demo.test", "password": DEMO_PASSWORD }).to_string();
    let port = app.host.rsplit_once(':').unwrap().1.to_owned();
    let attempt = |host: &str, origin: &str| {
        Request::post("/api/sign-in")
            .header(header::HOST, host)
            .header(header::ORIGIN, origin)
            .header(CSRF_HEADER, CSRF_VALUE)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    // DNS rebinding: the attacker's name, pointing at us, with a matching Origin.
    let rebinding = app
        .send(attempt("attacker.test", "http://attacker.test"))
        .await;
    assert_json_error(&rebinding, StatusCode::MISDIRECTED_REQUEST);
    assert_eq!(rebinding.code(), "host_not_allowed");
    let reading = app
        .send(
            Request::get("/api/health")
                .header(header::HOST, "attacker.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reading.status, StatusCode::MISDIRECTED_REQUEST);
    // Our host, but another origin (or another port, or plain http for https).
    for origin in [
        "http://attacker.test",
        &format!("http://{}:1", "127.0.0.1"),
        "null",
    ] {
        let reply = app.send(attempt(&app.host, origin)).await;
        assert_json_error(&reply, StatusCode::FORBIDDEN);
        assert_eq!(reply.code(), "csrf_rejected", "{origin}");
    }
    let db = app.db().await;
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "nothing was done");

    // The default public URL on a loopback address: both names work.
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let reply = app.send(attempt(&host, &format!("http://{host}"))).await;
        assert_eq!(reply.status, StatusCode::OK, "{host}: {:?}", reply.body);
    }
}

#[tokio::test]
async fn https_deployments_send_strict_transport_security() {
    let app = crate::helpers::spawn_app_behind("https://mfa.example.com").await;
    assert_eq!(app.host, "mfa.example.com");
    let reply = app.get("/api/health", None).await;
    assert_eq!(
        reply.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
    let plain = spawn_app().await.get("/api/health", None).await;
    assert!(
        plain
            .headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
}

#[tokio::test]
async fn a_public_url_in_capitals_with_its_default_port_still_answers() {
    let app = crate::helpers::spawn_app_behind("https://MFA.Example.com:443").await;
    assert_eq!(app.host, "mfa.example.com");
    for (host, origin) in [
        ("mfa.example.com", "https://mfa.example.com"),
        ("MFA.EXAMPLE.COM", "https://Mfa.Example.Com"),
        ("mfa.example.com:443", "https://mfa.example.com:443"),
    ] {
        let request = axum::http::Request::builder()
            .method("POST")
            .uri("/api/sign-in")
            .header(header::HOST, host)
            .header(header::ORIGIN, origin)
            .header(mfa_api::CSRF_HEADER, mfa_api::CSRF_VALUE)
            .header(header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(
                serde_json::json!({"email": "member@demo.test", "password": crate::helpers::DEMO_PASSWORD})
                    .to_string(),
            ))
            .unwrap();
        let reply = app.send(request).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{host} {origin}: {:?}",
            reply.body
        );
    }
    // Another port, scheme or host is still another origin.
    for (host, origin) in [
        ("mfa.example.com:8443", "https://mfa.example.com"),
        ("mfa.example.com", "http://mfa.example.com"),
        ("mfa.example.com", "https://mfa.example.com:80"),
    ] {
        let request = axum::http::Request::builder()
            .uri("/api/health")
            .header(header::HOST, host)
            .header(header::ORIGIN, origin)
            .body(axum::body::Body::empty())
            .unwrap();
        let reply = app.send(request).await;
        assert!(
            reply.status.is_client_error(),
            "{host} {origin}: {}",
            reply.status
        );
    }
}

#[test]
fn demo_mode_refuses_to_start_off_this_machine() {
    for (bind, url) in [
        ("0.0.0.0:0", None),
        ("127.0.0.1:0", Some("https://mfa.example.com")),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_mfa-server"));
        command
            .env("MFA_DEMO", "1")
            .env("MFA_BIND", bind)
            .env("MFA_DATA_DIR", dir.path())
            .env("MFA_DEMO_PASSWORD", DEMO_PASSWORD)
            .env_remove("MFA_PUBLIC_URL")
            .env_remove("MFA_DATABASE_URL");
        if let Some(url) = url {
            command.env("MFA_PUBLIC_URL", url);
        }
        let mut child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(30) {
                child.kill().unwrap();
                panic!("{bind} {url:?}: the demo server started");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(!status.success(), "{bind} {url:?}");
        assert!(stderr.contains("demo mode"), "{stderr}");
        assert!(
            !dir.path().join("mfa.db").exists(),
            "refused before touching anything"
        );
    }
}
