//! The real server (this build's binary, so its fault points are armed) on
//! a free loopback port, with a data dir and database that outlive it:
//! killed, it is started again on the same data.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{Handler, response};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const PASSWORD: &str = "fault-demo-password-0123";

/// Where a server's state lives: its data dir, its database, its mail.
pub struct Deployment {
    pub dir: tempfile::TempDir,
    pub database_url: String,
    pub port: u16,
    pub inbox: Inbox,
    smtp_port: u16,
}

/// A running server.
pub struct Server {
    child: Child,
    pub url: String,
}

/// The messages the SMTP server on loopback received.
#[derive(Clone, Default)]
pub struct Inbox {
    current: Vec<u8>,
    received: Arc<Mutex<Vec<String>>>,
}

impl Handler for Inbox {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> response::Response {
        let message = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.received.lock().unwrap().push(message);
        response::OK
    }
}

impl Inbox {
    /// Each received message's Message-ID.
    pub fn message_ids(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter_map(|m| {
                m.lines()
                    .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                    .map(|l| l[11..].trim().to_owned())
            })
            .collect()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Deployment {
    /// A fresh one: SQLite in its dir, or with `MFA_TEST_POSTGRES_URL` a
    /// fresh PostgreSQL database.
    pub async fn new() -> Self {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let database_url = match std::env::var("MFA_TEST_POSTGRES_URL") {
            Ok(server) => {
                static NEXT: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let name = format!("mfa_test_faults_{}_{n}", std::process::id());
                let pool = sqlx::AnyPool::connect(&server).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                let base = server.rsplit_once('/').unwrap().0;
                format!("{base}/{name}")
            }
            Err(_) => format!("sqlite://{}/mfa.db?mode=rwc", dir.path().display()),
        };
        let inbox = Inbox::default();
        let smtp_port = free_port();
        let listener = std::net::TcpListener::bind(("127.0.0.1", smtp_port)).unwrap();
        let mut smtp = mailin_embedded::Server::new(inbox.clone());
        smtp.with_name("smtp.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = smtp.serve();
        });
        Self {
            dir,
            database_url,
            port: free_port(),
            inbox,
            smtp_port,
        }
    }

    /// Starts the server, its clock `days` ahead, armed to die at the
    /// `at`-th time it reaches `fault`.
    pub async fn start(&self, fault: Option<(&str, u32)>, days: i64) -> Server {
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut command = Command::new(env!("CARGO_BIN_EXE_mfa-server"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MFA_BIND", format!("127.0.0.1:{}", self.port))
            .env("MFA_PUBLIC_URL", &url)
            .env("MFA_DATA_DIR", self.dir.path())
            .env("MFA_DATABASE_URL", &self.database_url)
            .env("MFA_DEMO", "1")
            .env("MFA_DEMO_PASSWORD", PASSWORD)
            .env("MFA_DEMO_CLOCK_OFFSET_DAYS", days.to_string())
            .env(
                "MFA_SMTP_URL",
                format!("smtp://127.0.0.1:{}", self.smtp_port),
            )
            .env("MFA_MAIL_FROM", "TwoStep <security@mfa.test>")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some((point, at)) = fault {
            command
                .env("MFA_FAULT", point)
                .env("MFA_FAULT_AT", at.to_string());
        }
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if line.starts_with("listening on ") {
                    return;
                }
            }
            panic!("the server stopped before listening");
        })
        .await
        .expect("the server listens within a minute");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server { child, url }
    }

    /// The database, for checking what the server left.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url).await.unwrap()
    }
}

impl Server {
    /// Waits for the server to have killed itself at its fault point.
    pub async fn killed(mut self) {
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("the server reaches its fault point within a minute")
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A browser's session against a server: its cookie jar of one.
pub struct Browser {
    http: reqwest::Client,
    url: String,
    cookie: Option<String>,
}

/// An answer: its status and JSON body (Null when none or not JSON).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Browser {
    pub fn new(server: &Server) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            url: server.url.clone(),
            cookie: None,
        }
    }

    /// Sends a request as the app does; `Err` when the server died on it.
    pub async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Answer, reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("x-mfa-csrf", "1")
            .header("origin", &self.url);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        for value in response.headers().get_all("set-cookie") {
            let value = value.to_str().unwrap_or_default();
            if let Some(pair) = value.split(';').next()
                && pair.starts_with("mfa_session=")
                && pair.len() > "mfa_session=".len()
            {
                self.cookie = Some(pair.to_owned());
            }
        }
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }

    /// `call` that must be answered with 2xx.
    pub async fn ok(&mut self, method: &str, path: &str, body: Option<Value>) -> Value {
        let answer = self.call(method, path, body).await.unwrap();
        assert!(
            (200..300).contains(&answer.status),
            "{method} {path}: {} {}",
            answer.status,
            answer.body
        );
        answer.body
    }

    pub async fn sign_in(&mut self, email: &str) -> Value {
        let body = serde_json::json!({ "email": email, "password": PASSWORD });
        self.ok("POST", "/api/sign-in", Some(body)).await
    }

    pub async fn reauth(&mut self) {
        let body = serde_json::json!({ "password": PASSWORD });
        self.ok("POST", "/api/reauth", Some(body)).await;
    }
}

/// The code an authenticator with this base32 secret shows at `unix`.
pub fn totp(secret: &str, unix: u64) -> String {
    let bytes = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret).unwrap();
    totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).generate(unix)
}
