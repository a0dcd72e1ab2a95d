//! Invitations: the operator's new company, an admin's invitation, the
//! link's page, joining with a new account or accepting with one's own,
//! and every way a link stops working.

use axum::http::{Method, StatusCode};
use mfa_server::domain::email::Email;
use mfa_server::services::notify;
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, Reply, TestApp, spawn_app};

const PASSWORD: &str = "harbor lantern pebble violin";

async fn company(app: &TestApp, cookie: &str) -> i64 {
    app.get("/api/me", Some(cookie)).await.body["memberships"][0]["company"]["id"]
        .as_i64()
        .unwrap()
}

async fn invite(app: &TestApp, cookie: &str, company: i64, email: &str, role: &str) -> Reply {
    app.post(
        &format!("/api/companies/{company}/invitations"),
        Some(cookie),
        &json!({ "email": email, "name": "Nina New", "role": role }),
    )
    .await
}

/// The token of the newest invitation email to `to` (sent by the worker).
async fn link_to(app: &TestApp, to: &str) -> String {
    while notify::deliver_due(&app.deps, "w").await.unwrap().sent > 0 {}
    let outbox = app.get("/api/outbox", None).await;
    let email = outbox.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["to"] == to
                && m["subject"]
                    .as_str()
                    .unwrap()
                    .starts_with("You're invited to join")
        })
        .unwrap_or_else(|| panic!("no invitation to {to}"))
        .clone();
    let body = email["body"].as_str().unwrap();
    let start = body.find("/invitation/").expect("a link") + "/invitation/".len();
    body[start..start + 64].to_owned()
}

async fn join(app: &TestApp, token: &str, password: &str) -> Reply {
    app.post(
        &format!("/api/invitations/{token}/join"),
        None,
        &json!({ "name": "Nina New", "password": password }),
    )
    .await
}

async fn status(app: &TestApp, token: &str) -> Value {
    app.get(&format!("/api/invitations/{token}"), None)
        .await
        .body["status"]
        .clone()
}

#[tokio::test]
async fn an_invited_member_joins_with_a_password_of_their_own_once() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company(&app, &admin).await;
    let sent = invite(&app, &admin, company, "Nina@Example.test", "member").await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    assert_eq!(sent.body["email"], "nina@example.test");
    let listed = app
        .get(
            &format!("/api/companies/{company}/invitations"),
            Some(&admin),
        )
        .await;
    assert_eq!(listed.body["invitations"][0]["invited_by"], "Alex Admin");
    let token = link_to(&app, "nina@example.test").await;
    let page = app.get(&format!("/api/invitations/{token}"), None).await;
    assert_eq!(page.body["status"], "pending");
    assert_eq!(page.body["company"], "Demo Construction");
    assert_eq!(page.body["account_exists"], false);
    // A refused password leaves the invitation as it was.
    let weak = join(&app, &token, "password1").await;
    assert_eq!(weak.code(), "weak_password");
    assert_eq!(status(&app, &token).await, "pending");
    let joined = join(&app, &token, PASSWORD).await;
    assert_eq!(joined.status, StatusCode::OK, "{:?}", joined.body);
    assert_eq!(joined.body["status"], "signed_in");
    assert_eq!(joined.body["me"]["stage"], "full");
    let cookie = joined.session_cookie().expect("signed in");
    let me = app.get("/api/me", Some(&cookie)).await;
    assert_eq!(
        me.body["memberships"][0]["company"]["name"],
        "Demo Construction"
    );
    // Used: the link works no more, and the page says so.
    assert_eq!(join(&app, &token, PASSWORD).await.code(), "link_expired");
    assert_eq!(status(&app, &token).await, "accepted");
    assert_eq!(
        app.sign_in("nina@example.test", PASSWORD).await.status,
        StatusCode::OK
    );
    let listed = app
        .get(
            &format!("/api/companies/{company}/invitations"),
            Some(&admin),
        )
        .await;
    assert_eq!(listed.body["invitations"], json!([]));
}

#[tokio::test]
async fn a_payee_who_joins_must_enroll_at_once() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company(&app, &admin).await;
    invite(&app, &admin, company, "pay@example.test", "payee").await;
    let token = link_to(&app, "pay@example.test").await;
    let joined = join(&app, &token, PASSWORD).await;
    assert_eq!(joined.body["me"]["stage"], "must_enroll");
}

#[tokio::test]
async fn links_stop_working_when_expired_revoked_or_sent_again() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company(&app, &admin).await;
    let first = invite(&app, &admin, company, "a@example.test", "member").await;
    let old = link_to(&app, "a@example.test").await;
    // Sent again: a new link, the old one void.
    let id = first.body["id"].as_i64().unwrap();
    let resent = app
        .post(
            &format!("/api/companies/{company}/invitations/{id}/resend"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(resent.status, StatusCode::OK, "{:?}", resent.body);
    let new = link_to(&app, "a@example.test").await;
    assert_ne!(new, old);
    assert_eq!(
        app.get(&format!("/api/invitations/{old}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(join(&app, &old, PASSWORD).await.status, StatusCode::GONE);
    // Revoked.
    let revoked = app
        .delete(
            &format!("/api/companies/{company}/invitations/{id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(status(&app, &new).await, "revoked");
    assert_eq!(join(&app, &new, PASSWORD).await.code(), "link_expired");
    // Expired after seven days.
    invite(&app, &admin, company, "b@example.test", "member").await;
    let late = link_to(&app, "b@example.test").await;
    app.clock.advance(7 * 24 * 60 * 60 - 1);
    assert_eq!(status(&app, &late).await, "pending");
    app.clock.advance(1);
    assert_eq!(status(&app, &late).await, "expired");
    assert_eq!(join(&app, &late, PASSWORD).await.code(), "link_expired");
    // An expired one may be sent anew.
    let admin = app.signed_in("admin@demo.test").await;
    let again = invite(&app, &admin, company, "b@example.test", "member").await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
}

/// "Other Co", whose admin (the demo's payee, enrolled) is signed in:
/// its id and the admin's cookie.
async fn other_company_admin(app: &TestApp) -> (i64, String) {
    let mut tx = app.deps.store.begin().await.unwrap();
    let other = tx.create_company("Other Co", app.now()).await.unwrap();
    let boss = tx
        .user_id_by_email(&Email::parse("payee@demo.test").unwrap())
        .await
        .unwrap()
        .unwrap();
    tx.upsert_membership(boss, other, true, false, app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let boss = app.signed_in("payee@demo.test").await;
    app.enroll(&boss).await;
    (other, boss)
}

#[tokio::test]
async fn members_and_waiting_invitations_are_not_invited_twice_nor_into_other_companies() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company(&app, &admin).await;
    let member = invite(&app, &admin, company, "member@demo.test", "member").await;
    assert_eq!(member.status, StatusCode::CONFLICT);
    assert_eq!(member.code(), "already_member");
    invite(&app, &admin, company, "c@example.test", "member").await;
    let twice = invite(&app, &admin, company, "C@example.test", "admin").await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.code(), "already_invited");
    // A member, and the admin of another company, may not invite here.
    let plain = app.signed_in("member@demo.test").await;
    assert_eq!(
        invite(&app, &plain, company, "d@example.test", "member")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let (_, boss) = other_company_admin(&app).await;
    let refused = invite(&app, &boss, company, "d@example.test", "admin").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "forbidden");
    for (method, path) in [
        (Method::GET, format!("/api/companies/{company}/invitations")),
        (
            Method::POST,
            format!("/api/companies/{company}/invitations/1/resend"),
        ),
        (
            Method::DELETE,
            format!("/api/companies/{company}/invitations/1"),
        ),
    ] {
        let reply = app
            .send(app.request(method, &path, Some(&boss), Some("{}")))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn someone_with_an_account_signs_in_and_accepts() {
    let app = spawn_app().await;
    let (other, boss) = other_company_admin(&app).await;
    let sent = invite(&app, &boss, other, "member@demo.test", "member").await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    let token = link_to(&app, "member@demo.test").await;
    let page = app.get(&format!("/api/invitations/{token}"), None).await;
    assert_eq!(page.body["account_exists"], true);
    // Nobody sets the password of an existing account.
    let refused = join(&app, &token, PASSWORD).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "account_exists");
    assert_eq!(
        app.sign_in("member@demo.test", DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
    // Someone else signed in cannot take it.
    let admin = app.signed_in("admin@demo.test").await;
    let wrong = app
        .post(
            &format!("/api/invitations/{token}/accept"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let member = app.signed_in("member@demo.test").await;
    let accepted = app
        .post(
            &format!("/api/invitations/{token}/accept"),
            Some(&member),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
    let companies: Vec<&str> = accepted.body["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["company"]["name"].as_str().unwrap())
        .collect();
    assert!(companies.contains(&"Other Co"), "{companies:?}");
    assert_eq!(status(&app, &token).await, "accepted");
}

/// Runs `mfa-server create-company ...` on the app's database and key.
fn create_company(app: &TestApp, args: &[&str]) -> std::process::Output {
    let url = std::fs::read_to_string(app.dir.path().join("database-url")).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_mfa-server"))
        .arg("create-company")
        .args(args)
        .env("MFA_DATABASE_URL", url)
        .env("MFA_DATA_DIR", app.dir.path())
        .env("MFA_PUBLIC_URL", "https://mfa.example.com")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_operator_creates_a_company_and_invites_its_first_admin() {
    let app = spawn_app().await;
    let out = create_company(
        &app,
        &[
            "--name",
            "Acme Builders",
            "--admin-email",
            "ops@acme.test",
            "--admin-name",
            "Ada Lovelace",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let start = stdout
        .find("https://mfa.example.com/invitation/")
        .expect("the link")
        + 35;
    let token = &stdout[start..start + 64];
    // The server (which has the same key) opens it, and its email is queued.
    let page = app.get(&format!("/api/invitations/{token}"), None).await;
    assert_eq!(page.body["company"], "Acme Builders");
    assert_eq!(page.body["name"], "Ada Lovelace");
    assert_eq!(page.body["invited_by"], Value::Null);
    app.clock
        .set(mfa_server::domain::clock::Clock::now(&mfa_server::domain::clock::SystemClock) + 1);
    assert_eq!(link_to(&app, "ops@acme.test").await, token);
    let joined = join(&app, token, PASSWORD).await;
    assert_eq!(joined.status, StatusCode::OK, "{:?}", joined.body);
    assert_eq!(joined.body["me"]["memberships"][0]["role"], "admin");

    // A name taken (in any case), a bad email: a clear refusal, status 2.
    for args in [
        ["--name", "acme builders", "--admin-email", "x@acme.test"],
        ["--name", "Other", "--admin-email", "not an email"],
    ] {
        let out = create_company(&app, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("create-company:"), "{stderr}");
    }
    assert_eq!(
        create_company(&app, &["--name", "No Admin"]).status.code(),
        Some(2)
    );
}
