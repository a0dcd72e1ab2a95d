//! Emails: queued with the change that causes them, sent by the worker over
//! real SMTP (a mailin server on loopback) or into the outbox, tried again
//! while the mail server is down, never sent twice.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use mailin_embedded::{Handler, Server, response};
use mfa_server::services::notify;
use serde_json::json;

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app, spawn_app_with};

/// The messages an SMTP server on loopback received, as sent.
#[derive(Clone, Default)]
struct Inbox {
    current: Vec<u8>,
    received: Arc<Mutex<Vec<String>>>,
    /// When set, the next message is held at the end of its data until
    /// the test sends on the other end (a slow mail server).
    hold: Arc<Mutex<Option<std::sync::mpsc::Receiver<()>>>>,
    /// A message is being held.
    holding: Arc<std::sync::atomic::AtomicBool>,
}

impl Handler for Inbox {
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> response::Response {
        let held = self.hold.lock().unwrap().take();
        if let Some(release) = held {
            self.holding
                .store(true, std::sync::atomic::Ordering::SeqCst);
            let _ = release.recv();
        }
        let message = String::from_utf8_lossy(&std::mem::take(&mut self.current)).into_owned();
        self.received.lock().unwrap().push(message);
        response::OK
    }
}

impl Inbox {
    fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    /// Holds the next message until the returned sender sends.
    fn hold_next(&self) -> std::sync::mpsc::Sender<()> {
        let (release, held) = std::sync::mpsc::channel();
        *self.hold.lock().unwrap() = Some(held);
        release
    }

    fn is_holding(&self) -> bool {
        self.holding.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A free loopback port with nothing listening on it (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts an SMTP server on `port`; it runs until the test process ends.
fn smtp_server(port: u16) -> Inbox {
    let inbox = Inbox::default();
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let mut server = Server::new(inbox.clone());
    server.with_name("smtp.test").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    inbox
}

async fn smtp_app(port: u16) -> TestApp {
    spawn_app_with(&[
        ("MFA_SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
        ("MFA_MAIL_FROM", "TwoStep <security@mfa.test>"),
    ])
    .await
}

/// Removes the authenticator (re-authenticating): one security email.
async fn remove_factor(app: &TestApp, cookie: &str) {
    let me = app.get("/api/me", Some(cookie)).await;
    let id = me.body["two_factor"]["factors"][0]["id"].as_i64().unwrap();
    app.reauth(cookie).await;
    let removed = app
        .delete(&format!("/api/factors/{id}"), Some(cookie))
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{:?}", removed.body);
}

/// One round of a worker: how many emails it sent.
async fn sent_by(app: &TestApp, worker: &str) -> usize {
    notify::deliver_due(&app.deps, worker).await.unwrap().sent
}

/// The message's text: SMTP's quoted-printable soft breaks undone.
fn unfolded(message: &str) -> String {
    message.replace("=\r\n", "").replace("=3D", "=")
}

#[tokio::test]
async fn a_new_factor_is_emailed_over_smtp_with_both_parts_and_the_link() {
    let port = free_port();
    let inbox = smtp_server(port);
    let app = smtp_app(port).await;
    let cookie = app.signed_in("member@demo.test").await;
    app.enroll(&cookie).await;
    // Queued with the change, not sent by it.
    assert!(inbox.messages().is_empty());
    let round = notify::deliver_due(&app.deps, "worker-a").await.unwrap();
    assert_eq!(round.sent, 1, "{round:?}");
    let messages = inbox.messages();
    assert_eq!(messages.len(), 1);
    let message = unfolded(&messages[0]);
    assert!(
        message.contains("From: TwoStep <security@mfa.test>"),
        "{message}"
    );
    assert!(message.contains("To: member@demo.test"), "{message}");
    assert!(
        message.contains("Subject: TwoStep: An authenticator app was added to your account"),
        "{message}"
    );
    assert!(message.contains("Message-ID: <"), "{message}");
    assert!(message.contains("multipart/alternative"), "{message}");
    assert!(message.contains("text/plain"), "{message}");
    assert!(message.contains("text/html"), "{message}");
    assert!(message.contains("If this wasn't you"), "{message}");
    let link = format!("http://{}/profile/security", app.host);
    assert!(message.contains(&link), "{message}");
    assert!(message.contains(&format!("href=\"{link}\"")), "{message}");
    // Sent once.
    assert_eq!(sent_by(&app, "worker-a").await, 0);
    assert_eq!(inbox.messages().len(), 1);
}

#[tokio::test]
async fn while_the_mail_server_is_down_the_email_waits_and_then_goes_once() {
    let port = free_port();
    let app = smtp_app(port).await;
    let cookie = app.signed_in("member@demo.test").await;
    app.enroll(&cookie).await;
    let round = notify::deliver_due(&app.deps, "worker-a").await.unwrap();
    assert_eq!((round.sent, round.failed), (0, 1));
    let db = app.db().await;
    let (attempts, error): (i64, String) =
        sqlx::query_as("SELECT attempts, last_error FROM email_queue")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(!error.is_empty());

    let inbox = smtp_server(port);
    // Not due again before its wait (30 s after the first failure).
    assert_eq!(
        notify::deliver_due(&app.deps, "worker-a").await.unwrap(),
        Default::default()
    );
    app.clock.advance(30);
    assert_eq!(sent_by(&app, "worker-a").await, 1);
    app.clock.advance(3600);
    assert_eq!(sent_by(&app, "worker-a").await, 0);
    assert_eq!(inbox.messages().len(), 1);
}

#[tokio::test]
async fn a_crashed_workers_emails_are_taken_over_after_its_lease_and_sent_once() {
    let port = free_port();
    let inbox = smtp_server(port);
    let app = smtp_app(port).await;
    let cookie = app.signed_in("member@demo.test").await;
    app.enroll(&cookie).await;
    // Worker A claims the email and dies before sending it.
    let mut tx = app.deps.store.begin().await.unwrap();
    let claimed = tx
        .claim_emails("worker-a", app.now(), app.now() + 120, 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.len(), 1);
    // B leaves it alone while A's lease lasts, then takes it over.
    assert_eq!(sent_by(&app, "worker-b").await, 0);
    app.clock.advance(120);
    assert_eq!(sent_by(&app, "worker-b").await, 1);
    // A, restarted, finds nothing left to send.
    assert_eq!(sent_by(&app, "worker-a").await, 0);
    assert_eq!(inbox.messages().len(), 1);
}

#[tokio::test]
async fn two_workers_at_once_send_each_email_once() {
    let port = free_port();
    let inbox = smtp_server(port);
    let app = smtp_app(port).await;
    // Several users, several events each.
    for email in ["member@demo.test", "admin@demo.test"] {
        let cookie = app.signed_in(email).await;
        app.enroll(&cookie).await;
        remove_factor(&app, &cookie).await;
        app.enroll(&cookie).await;
        app.post("/api/recovery-code", Some(&cookie), &json!({}))
            .await;
    }
    let db = app.db().await;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM email_queue")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(queued >= 6, "{queued}");
    let (a, b) = tokio::join!(
        notify::deliver_due(&app.deps, "worker-a"),
        notify::deliver_due(&app.deps, "worker-b"),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut rounds = vec![a, b];
    // Anything left (a batch is 20) goes in later rounds.
    loop {
        let round = notify::deliver_due(&app.deps, "worker-a").await.unwrap();
        if round.sent == 0 {
            break;
        }
        rounds.push(round);
    }
    let sent: usize = rounds.iter().map(|r| r.sent).sum();
    assert_eq!(sent as i64, queued);
    let messages = inbox.messages();
    assert_eq!(messages.len() as i64, queued);
    let mut ids: Vec<String> = messages
        .iter()
        .map(|m| {
            m.lines()
                .find(|l| l.starts_with("Message-ID:"))
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), messages.len(), "no message twice");
}

#[tokio::test]
async fn the_outbox_keeps_emails_and_writes_them_as_eml_files_in_the_readers_language() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/sign-in",
            None,
            &json!({ "email": "member@demo.test", "password": DEMO_PASSWORD, "language": "fr" }),
        )
        .await;
    let cookie = reply.session_cookie().unwrap();
    app.enroll(&cookie).await;
    assert_eq!(sent_by(&app, "w").await, 1);

    let outbox = app.get("/api/outbox", None).await;
    let email = &outbox.body["messages"][0];
    assert_eq!(email["channel"], "email");
    assert_eq!(email["to"], "member@demo.test");
    assert_eq!(
        email["subject"],
        "TwoStep: Une application d'authentification a été ajoutée à votre compte"
    );
    assert!(email["body"].as_str().unwrap().starts_with("Bonjour"));

    let dir = app.dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].extension().is_some_and(|e| e == "eml"));
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("multipart/alternative") && eml.contains("text/html"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Switching the app's language switches the emails'.
    let set = app
        .send(app.request(
            axum::http::Method::PUT,
            "/api/me/language",
            Some(&cookie),
            Some(r#"{"language":"en"}"#),
        ))
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT);
    remove_factor(&app, &cookie).await;
    notify::deliver_due(&app.deps, "w").await.unwrap();
    let outbox = app.get("/api/outbox", None).await;
    assert_eq!(
        outbox.body["messages"][0]["subject"],
        "TwoStep: An authenticator app was removed from your account"
    );
}

#[tokio::test]
async fn every_security_event_is_emailed_to_its_owner() {
    let app = spawn_app().await;
    let cookie = app.signed_in("member@demo.test").await;
    let (_, recovery) = app.enroll(&cookie).await;
    app.reauth(&cookie).await;
    app.post("/api/recovery-code", Some(&cookie), &json!({}))
        .await;
    app.post("/api/sign-out", Some(&cookie), &json!({})).await;
    // Ten wrong codes lock the codes.
    let partial = app.password_step("member@demo.test").await;
    for _ in 0..10 {
        app.second_factor(&partial, "totp", "000000").await;
    }
    let _ = recovery;
    while sent_by(&app, "w").await > 0 {}
    let outbox = app.get("/api/outbox", None).await;
    let subjects: Vec<&str> = outbox.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["channel"] == "email")
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("authenticator app was added")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("new recovery code")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.contains("locked")),
        "{subjects:?}"
    );
    assert!(
        outbox.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["channel"] == "email")
            .all(|m| m["to"] == "member@demo.test")
    );
}

#[tokio::test]
async fn a_slow_batch_is_not_sent_twice_by_a_second_worker() {
    let port = free_port();
    let inbox = smtp_server(port);
    let app = smtp_app(port).await;
    for email in ["member@demo.test", "admin@demo.test", "payee@demo.test"] {
        let cookie = app.signed_in(email).await;
        app.enroll(&cookie).await;
    }
    // Worker A claims the three emails; the mail server is slow to take
    // the first one.
    let release = inbox.hold_next();
    let a = tokio::spawn({
        let deps = app.deps.clone();
        async move { notify::deliver_due(&deps, "worker-a").await.unwrap() }
    });
    while !inbox.is_holding() {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Past the claim's lease, worker B takes what A has not started on.
    app.clock.advance(121);
    let b = sent_by(&app, "worker-b").await;
    release.send(()).unwrap();
    let a = a.await.unwrap().sent;
    assert_eq!(
        (a, b),
        (1, 2),
        "A sent the one it was sending, B the others"
    );
    let mut to: Vec<String> = inbox
        .messages()
        .iter()
        .map(|m| {
            m.lines()
                .find(|l| l.starts_with("To: "))
                .unwrap()
                .to_owned()
        })
        .collect();
    to.sort();
    assert_eq!(
        to,
        [
            "To: admin@demo.test",
            "To: member@demo.test",
            "To: payee@demo.test"
        ],
        "each once"
    );
    assert_eq!(sent_by(&app, "worker-c").await, 0, "nothing left");
}
