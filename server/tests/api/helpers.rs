use std::collections::HashMap;
use std::sync::Arc;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use mfa_api::{CSRF_HEADER, CSRF_VALUE};
use mfa_server::domain::clock::FixedClock;
use mfa_server::domain::email::Email;
use mfa_server::domain::random::OsRandom;
use mfa_server::{Application, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const DEMO_PASSWORD: &str = "demo-password-for-tests";
/// 2026-11-28T00:00:00Z
pub const START: i64 = 1_795_824_000;

pub struct TestApp {
    pub router: axum::Router,
    /// The cookie each browser of the test holds now, by the cookie it was
    /// first given: the server rotates the session id within a session
    /// (re-authentication, the first factor confirmed) and a browser
    /// follows. Sign-in and the second step hand out cookies the tests
    /// keep themselves.
    pub jar: CookieJar,
    /// What the services run on (to run the email worker's rounds).
    pub deps: mfa_server::services::Deps,
    /// The `Host` the server answers (its public URL's).
    pub host: String,
    pub clock: Arc<FixedClock>,
    pub dir: tempfile::TempDir,
}

/// First cookie -> the cookie now (see [`TestApp::jar`]).
pub type CookieJar = Arc<std::sync::Mutex<HashMap<String, String>>>;

/// The cookie a request was built with, as the test named it.
#[derive(Clone)]
struct NamedCookie(String);

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `name=value` part of the session cookie this reply set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookie()
            .map(|c| c.split(';').next().unwrap().to_owned())
    }

    /// The `Set-Cookie` header of the session cookie, if the reply set it.
    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.contains("mfa_session="))
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

/// With `MFA_TEST_POSTGRES_URL` (a server URL whose role may create
/// databases), each test gets a fresh PostgreSQL database; otherwise SQLite
/// in the test's temporary directory.
fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("MFA_TEST_POSTGRES_URL") {
        Ok(server) => {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let name = format!("mfa_test_{}_{n}", std::process::id());
            let admin = server.clone();
            // A throwaway runtime: config() is synchronous and may run inside one.
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(async {
                        sqlx::any::install_default_drivers();
                        let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
                        sqlx::query(&format!("CREATE DATABASE {name}"))
                            .execute(&pool)
                            .await
                            .unwrap();
                        pool.close().await;
                    })
            })
            .join()
            .unwrap();
            let base = server
                .rsplit_once('/')
                .map_or(server.as_str(), |(base, _)| base);
            format!("{base}/mfa_test_{}_{n}", std::process::id())
        }
        Err(_) => format!("sqlite://{}?mode=rwc", dir.join("mfa.db").display()),
    }
}

pub fn config(dir: &std::path::Path, extra: &[(&str, &str)]) -> Config {
    let database_url = match std::fs::read_to_string(dir.join("database-url")) {
        Ok(url) => url,
        Err(_) => {
            let url = database_url(dir);
            std::fs::write(dir.join("database-url"), &url).unwrap();
            url
        }
    };
    let mut vars: HashMap<String, String> = HashMap::from([
        ("MFA_DATABASE_URL".into(), database_url),
        ("MFA_BIND".into(), "127.0.0.1:0".into()),
        ("MFA_DATA_DIR".into(), dir.display().to_string()),
        ("MFA_DEMO".into(), "1".into()),
        ("MFA_DEMO_PASSWORD".into(), DEMO_PASSWORD.into()),
        (
            "MFA_DIST_DIR".into(),
            dir.join("dist").display().to_string(),
        ),
    ]);
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_app_in(tempfile::tempdir().unwrap(), extra).await
}

/// The app served at a public URL that is not on this machine. Demo mode
/// refuses such a URL, so a first start on loopback seeds the demo
/// accounts and the app then starts again on that data without demo mode.
pub async fn spawn_app_behind(public_url: &str) -> TestApp {
    let seeded = spawn_app().await;
    spawn_app_in(
        seeded.dir,
        &[("MFA_DEMO", "0"), ("MFA_PUBLIC_URL", public_url)],
    )
    .await
}

/// The app on `dir`'s database and key (an earlier app's, or one a test prepared).
pub async fn spawn_app_in(dir: tempfile::TempDir, extra: &[(&str, &str)]) -> TestApp {
    built_app_in(dir, extra).await.0
}

/// The app served over HTTP on a free loopback port too (for clients that
/// speak HTTP themselves, like an OpenID Connect library), with its base URL.
/// The test's requests through [`TestApp::send`] reach the same state.
pub async fn spawn_served_app() -> (TestApp, String) {
    let (test_app, app) = built_app_in(tempfile::tempdir().unwrap(), &[]).await;
    let base = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    (test_app, base)
}

async fn built_app_in(dir: tempfile::TempDir, extra: &[(&str, &str)]) -> (TestApp, Application) {
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>MFA test index</title>",
    )
    .unwrap();
    std::fs::write(dist.join("mfa-app-0123456789abcdef.js"), "console.log(1)").unwrap();
    let clock = Arc::new(FixedClock::at(START));
    let app = Application::build_with(config(dir.path(), extra), clock.clone(), Arc::new(OsRandom))
        .await
        .unwrap();
    let test_app = TestApp {
        router: mfa_server::http::router(app.state().clone()),
        jar: CookieJar::default(),
        deps: app.state().deps.clone(),
        host: app.state().config.allowed_hosts()[0].clone(),
        clock,
        dir,
    };
    (test_app, app)
}

impl TestApp {
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let named = request.extensions().get::<NamedCookie>().cloned();
        let rotates = !request.uri().path().starts_with("/api/sign-in");
        let reply = self.send_as_is(request).await;
        if let (Some(NamedCookie(name)), Some(now), true) = (named, reply.session_cookie(), rotates)
            && !now.ends_with('=')
        {
            self.jar.lock().unwrap().insert(name, now);
        }
        reply
    }

    /// The cookie the browser first given `cookie` holds now.
    pub fn current_cookie(&self, cookie: &str) -> String {
        self.jar
            .lock()
            .unwrap()
            .get(cookie)
            .cloned()
            .unwrap_or_else(|| cookie.to_owned())
    }

    /// Sends the request as built, the jar left alone.
    pub async fn send_as_is(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Sends the requests all at once (on the test's worker threads) and
    /// returns their statuses.
    pub async fn race(&self, requests: Vec<Request<Body>>) -> Vec<StatusCode> {
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|request| {
                let router = self.router.clone();
                tokio::spawn(async move { router.oneshot(request).await.unwrap().status() })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap());
        }
        statuses
    }

    /// A request as our SPA sends it (to our host, JSON, anti-forgery
    /// header), with an optional cookie.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        body: Option<&str>,
    ) -> Request<Body> {
        let mut builder = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::HOST, &self.host);
        if method != Method::GET {
            builder = builder.header(CSRF_HEADER, CSRF_VALUE);
        }
        if let Some(cookie) = cookie {
            builder = builder
                .header(header::COOKIE, self.current_cookie(cookie))
                .extension(NamedCookie(cookie.to_owned()));
        }
        builder = builder.extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_owned()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.send(self.request(Method::GET, path, cookie, None))
            .await
    }

    pub async fn post(&self, path: &str, cookie: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::POST, path, cookie, Some(&body.to_string())))
            .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/api/sign-in",
            None,
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    pub async fn delete(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.send(self.request(Method::DELETE, path, cookie, None))
            .await
    }

    /// "Other Co" and its admin, boss@other.test (the demo password), who
    /// belongs to no other company, signed in: the company's id and the
    /// admin's cookie.
    pub async fn outsider(&self) -> (i64, String) {
        let mut tx = self.deps.store.begin().await.unwrap();
        let other = tx.create_company("Other Co", self.now()).await.unwrap();
        let hash = tx.password_hash(1).await.unwrap().unwrap();
        let boss = tx
            .create_user(
                &Email::parse("boss@other.test").unwrap(),
                "Boss",
                &hash,
                self.now(),
            )
            .await
            .unwrap();
        tx.upsert_membership(boss, other, true, false, self.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (other, self.signed_in("boss@other.test").await)
    }

    /// Signs in and returns the session cookie.
    pub async fn signed_in(&self, email: &str) -> String {
        let reply = self.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.session_cookie().expect("a session cookie")
    }
}

/// A TOTP code computed independently of the server (totp-rs directly).
pub fn totp_code(secret_base32: &str, unix_time: i64) -> String {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, secret)
        .unwrap()
        .generate(unix_time as u64)
}

/// A 6-digit code that is certainly wrong at `unix_time`: unlike the codes
/// of every time step within ten either side (the accepted window and the
/// clock-drift hint's reach).
pub fn certainly_wrong_code(secret_base32: &str, unix_time: i64) -> String {
    let near: Vec<String> = (-10..=10)
        .map(|step| totp_code(secret_base32, unix_time + step * 30))
        .collect();
    (0..)
        .map(|n: u32| format!("{n:06}"))
        .find(|candidate| !near.contains(candidate))
        .expect("21 codes cannot cover a million")
}

impl TestApp {
    pub fn now(&self) -> i64 {
        use mfa_server::domain::clock::Clock;
        self.clock.now()
    }

    /// Confirms the password on this session (opens the re-authentication window).
    pub async fn reauth(&self, cookie: &str) {
        let reply = self
            .post(
                "/api/reauth",
                Some(cookie),
                &json!({ "password": DEMO_PASSWORD }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    }

    /// Re-authenticates and starts adding an authenticator app; returns its
    /// base32 secret.
    pub async fn start_authenticator(&self, cookie: &str) -> String {
        self.reauth(cookie).await;
        let start = self
            .post("/api/factors/totp", Some(cookie), &json!({}))
            .await;
        assert_eq!(start.status, StatusCode::OK, "{:?}", start.body);
        start.body["secret"].as_str().unwrap().to_owned()
    }

    pub async fn confirm_authenticator(&self, cookie: &str, code: &str) -> Reply {
        self.post(
            "/api/factors/totp/confirm",
            Some(cookie),
            &json!({ "code": code }),
        )
        .await
    }

    /// Re-authenticates, adds an authenticator app and confirms it.
    /// Returns (base32 secret, recovery code). Moves the clock to a fresh step.
    pub async fn enroll(&self, cookie: &str) -> (String, String) {
        let secret = self.start_authenticator(cookie).await;
        let done = self
            .confirm_authenticator(cookie, &totp_code(&secret, self.now()))
            .await;
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
        let recovery = done.body["recovery_code"].as_str().unwrap().to_owned();
        self.clock.advance(30);
        (secret, recovery)
    }

    /// Password step only: returns the half-signed-in session's cookie.
    pub async fn password_step(&self, email: &str) -> String {
        let reply = self.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(
            reply.body["status"], "second_factor_required",
            "{:?}",
            reply.body
        );
        reply.session_cookie().unwrap()
    }

    /// Both steps, with the authenticator app: the full session's cookie.
    /// Moves the clock to a fresh time step.
    pub async fn signed_in_with_code(&self, email: &str, secret: &str) -> String {
        let partial = self.password_step(email).await;
        let done = self
            .second_factor(&partial, "totp", &totp_code(secret, self.now()))
            .await;
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
        self.clock.advance(30);
        done.session_cookie().unwrap()
    }

    pub async fn second_factor(&self, cookie: &str, method: &str, code: &str) -> Reply {
        self.post(
            "/api/sign-in/second-factor",
            Some(cookie),
            &json!({ "method": method, "code": code }),
        )
        .await
    }

    /// Raw access to the test database, to check what is stored.
    /// Adds `count` members to the company (worker0000@demo.test, ...), in
    /// one transaction: a large company without a request per person.
    pub async fn add_workers(&self, company: i64, count: usize) {
        let mut tx = self.deps.store.begin().await.unwrap();
        for i in 0..count {
            let email = Email::parse(&format!("worker{i:04}@demo.test")).unwrap();
            let user = tx
                .create_user(&email, &format!("Worker {i:04}"), "x", self.now())
                .await
                .unwrap();
            tx.upsert_membership(user, company, false, false, self.now())
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }

    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        let url = std::fs::read_to_string(self.dir.path().join("database-url")).unwrap();
        sqlx::AnyPool::connect(&url).await.unwrap()
    }
}

/// Phone numbers and texted codes.
impl TestApp {
    /// Starts adding (or changing to) a phone number, after re-authenticating.
    pub async fn start_phone(&self, cookie: &str, country: &str, number: &str) -> Reply {
        self.reauth(cookie).await;
        self.post(
            "/api/factors/sms",
            Some(cookie),
            &json!({ "country": country, "number": number }),
        )
        .await
    }

    /// The texts the outbox kept, newest first (demo mode).
    pub async fn texts(&self) -> Vec<Value> {
        let outbox = self.get("/api/outbox", None).await;
        assert_eq!(outbox.status, StatusCode::OK, "{:?}", outbox.body);
        outbox.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["channel"] == "sms")
            .cloned()
            .collect()
    }

    /// The code of the newest text, read as a person would: its first word.
    pub async fn texted_code(&self) -> String {
        let texts = self.texts().await;
        let body = texts.first().expect("a text")["body"]
            .as_str()
            .unwrap()
            .to_owned();
        body.split_whitespace().next().unwrap().to_owned()
    }

    pub async fn confirm_phone(&self, cookie: &str, code: &str) -> Reply {
        self.post(
            "/api/factors/sms/confirm",
            Some(cookie),
            &json!({ "code": code }),
        )
        .await
    }

    /// Adds a French mobile and confirms it with the texted code; returns
    /// the confirming reply. Moves the clock past the resend wait.
    pub async fn enroll_phone(&self, cookie: &str) -> Reply {
        let start = self.start_phone(cookie, "FR", "06 12 34 56 78").await;
        assert_eq!(start.status, StatusCode::OK, "{:?}", start.body);
        let done = self.confirm_phone(cookie, &self.texted_code().await).await;
        assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
        self.clock.advance(61);
        done
    }
}
