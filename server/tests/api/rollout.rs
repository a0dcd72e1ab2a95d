//! Running a rollout: the readiness list, reminders now, the CSV, an
//! admin's reset of a member, the operator's break-glass, and every admin
//! route refused to anyone but the company's admins.

use axum::http::{Method, StatusCode, header};
use mfa_server::services::notify;
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, Reply, TestApp, spawn_app, spawn_app_in, totp_code};

async fn company_id(app: &TestApp, cookie: &str) -> i64 {
    app.get("/api/me", Some(cookie)).await.body["memberships"][0]["company"]["id"]
        .as_i64()
        .unwrap()
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    cookie: &str,
    body: Option<Value>,
) -> Reply {
    let body = body.map(|b| b.to_string());
    app.send(app.request(method, path, Some(cookie), body.as_deref()))
        .await
}

#[tokio::test]
async fn the_dashboard_pages_filters_and_sorts_a_large_company_on_the_server() {
    let app = spawn_app().await;
    let (admin, company) = rollout(&app).await;
    // Above LARGE_COMPANY: the queries walk the users' indexes.
    let workers = mfa_server::store::LARGE_COMPANY + 1;
    app.add_workers(company, workers as usize).await;
    let page = |query: &str| {
        let path = format!("/api/companies/{company}/readiness?{query}");
        let admin = admin.clone();
        let app = &app;
        async move { app.get(&path, Some(&admin)).await }
    };
    let first = page("").await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["enrolled"], 1);
    assert_eq!(first.body["not_enrolled"], workers + 2);
    assert_eq!(first.body["matching"], workers + 2);
    assert_eq!(first.body["page"], 1);
    let rows = first.body["members"].as_array().unwrap();
    assert_eq!(rows.len(), mfa_api::READINESS_PAGE_SIZE as usize);
    assert_eq!(
        rows[0]["name"], "Morgan Member",
        "by name, case-insensitively"
    );
    assert_eq!(rows[2]["name"], "Worker 0000");
    let last = page("page=21").await;
    let rows = last.body["members"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2]["name"], "Worker 1000");
    let everyone = page("everyone=true&descending=true").await;
    assert_eq!(everyone.body["matching"], workers + 3);
    assert_eq!(everyone.body["members"][0]["name"], "Worker 1000");
    // Filter by name or email, case-insensitively; LIKE's wildcards are plain text.
    let filtered = page("filter=%20WORKER%20010").await;
    assert_eq!(filtered.body["matching"], 10, "Worker 0100 to 0109");
    assert_eq!(filtered.body["members"][9]["name"], "Worker 0109");
    assert_eq!(page("filter=%25").await.body["matching"], 0);
    assert_eq!(page("filter=_").await.body["matching"], 0);
    let by_email = page("sort=email&descending=true").await;
    assert_eq!(by_email.body["members"][0]["email"], "worker1000@demo.test");
    let never = page("sort=last_sign_in&filter=worker").await;
    assert_eq!(never.body["matching"], workers);
    let by_reminders = page("sort=reminders&descending=true").await;
    assert_eq!(by_reminders.body["members"].as_array().unwrap().len(), 50);
    // A malformed query is a JSON 400.
    let bad = page("sort=shoe_size").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.code(), "bad_request");
    let bad = page("page=-1").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// The admin, enrolled, with MFA required from 2026-12-08 (UTC), and the
/// company's id.
async fn rollout(app: &TestApp) -> (String, i64) {
    let admin = app.signed_in("admin@demo.test").await;
    app.enroll(&admin).await;
    let company = company_id(app, &admin).await;
    let set = send(
        app,
        Method::PUT,
        &format!("/api/companies/{company}/mfa-policy"),
        &admin,
        Some(json!({ "required": true, "enforcement_date": "2026-12-08", "time_zone": "UTC" })),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    (admin, company)
}

async fn deliver_all(app: &TestApp) {
    while notify::deliver_due(&app.deps, "w").await.unwrap().sent > 0 {}
}

#[tokio::test]
async fn the_dashboard_lists_who_is_not_enrolled_and_reminds_them_once_a_day() {
    let app = spawn_app().await;
    let (admin, company) = rollout(&app).await;
    // The member signs in once (their last sign-in shows).
    app.signed_in("member@demo.test").await;
    deliver_all(&app).await;
    let readiness = app
        .get(&format!("/api/companies/{company}/readiness"), Some(&admin))
        .await;
    assert_eq!(readiness.status, StatusCode::OK, "{:?}", readiness.body);
    assert_eq!(readiness.body["enrolled"], 1);
    assert_eq!(readiness.body["not_enrolled"], 2);
    assert_eq!(readiness.body["days_left"], 10);
    assert_eq!(
        readiness.body["matching"], 2,
        "those not enrolled, by default"
    );
    let names = |body: &Value| -> Vec<String> {
        body["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&readiness.body), ["Morgan Member", "Pat Payee"]);
    let everyone = app
        .get(
            &format!("/api/companies/{company}/readiness?everyone=true&sort=name&descending=true"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        names(&everyone.body),
        ["Pat Payee", "Morgan Member", "Alex Admin"]
    );
    assert_eq!(everyone.body["members"][2]["enrolled"], true);
    let members = everyone.body["members"].as_array().unwrap();
    let member = members
        .iter()
        .find(|m| m["email"] == "member@demo.test")
        .unwrap();
    assert_eq!(member["enrolled"], false);
    assert_eq!(member["last_sign_in_at"], app.now());
    assert_eq!(member["reminders_sent"], 1, "the deadline email");
    let member_id = member["user_id"].as_i64().unwrap();

    let path = format!("/api/companies/{company}/reminders");
    let one = send(
        &app,
        Method::POST,
        &path,
        &admin,
        Some(json!({ "user_id": member_id })),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(one.body["queued"], 1);
    // Everyone: the member had one today already.
    let all = send(&app, Method::POST, &path, &admin, Some(json!({}))).await;
    assert_eq!(all.body["queued"], 1);
    deliver_all(&app).await;
    let readiness = app
        .get(&format!("/api/companies/{company}/readiness"), Some(&admin))
        .await;
    let member = readiness.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "member@demo.test")
        .unwrap()
        .clone();
    assert_eq!(member["reminders_sent"], 2);
    let outbox = app.get("/api/outbox", None).await;
    assert!(
        outbox.body["messages"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("10 days left")
    );
    // Members only: not someone of another company, nor the enrolled admin.
    let admin_id = app.get("/api/me", Some(&admin)).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    let refused = send(
        &app,
        Method::POST,
        &path,
        &admin,
        Some(json!({ "user_id": admin_id })),
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_csv_holds_the_list_and_defuses_formulas() {
    let app = spawn_app().await;
    let (admin, company) = rollout(&app).await;
    let db = app.db().await;
    sqlx::query("UPDATE users SET name = '=cmd|calc' WHERE email = 'payee@demo.test'")
        .execute(&db)
        .await
        .unwrap();
    let csv = app
        .send(app.request(
            Method::GET,
            &format!("/api/companies/{company}/readiness.csv"),
            Some(&admin),
            None,
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name,email,last_sign_in,reminders_sent");
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Morgan Member,member@demo.test,")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("'=cmd|calc,payee@demo.test,")),
        "{text}"
    );
    assert!(!text.contains("admin@demo.test"), "enrolled: not listed");
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'readiness_exported'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn an_admins_reset_makes_the_member_enroll_again_and_tells_them() {
    let app = spawn_app().await;
    let (admin, company) = rollout(&app).await;
    let member = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&member).await;
    let member_id = app.get("/api/me", Some(&member)).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/companies/{company}/members/{member_id}/reset-mfa");
    // Re-authentication first (the window opened by enrolling has closed).
    app.clock.advance(11 * 60);
    assert_eq!(
        send(&app, Method::POST, &path, &admin, None).await.code(),
        "reauth_required"
    );
    app.reauth(&admin).await;
    // Not oneself, not a stranger.
    let admin_id = app.get("/api/me", Some(&admin)).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    let own = format!("/api/companies/{company}/members/{admin_id}/reset-mfa");
    assert_eq!(
        send(&app, Method::POST, &own, &admin, None).await.status,
        StatusCode::NOT_FOUND
    );
    let stranger = format!("/api/companies/{company}/members/999999/reset-mfa");
    assert_eq!(
        send(&app, Method::POST, &stranger, &admin, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let reset = send(&app, Method::POST, &path, &admin, None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    // The member's sessions ended; their old codes sign nobody in; past the
    // deadline they must enroll.
    assert_eq!(
        app.get("/api/me", Some(&member)).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.clock.advance(11 * 24 * 3600);
    let again = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(again.body["me"]["stage"], "must_enroll", "{:?}", again.body);
    let _ = totp_code(&secret, app.now());
    deliver_all(&app).await;
    let outbox = app.get("/api/outbox", None).await;
    assert!(outbox.body["messages"].as_array().unwrap().iter().any(|m| {
        m["to"] == "member@demo.test"
            && m["subject"]
                .as_str()
                .unwrap()
                .contains("administrator reset two-factor authentication")
    }));
}

#[tokio::test]
async fn every_admin_route_refuses_members_and_other_companies_admins() {
    let app = spawn_app().await;
    let (_admin, company) = rollout(&app).await;
    let member = app.signed_in("member@demo.test").await;
    let (_, boss) = app.outsider().await;
    app.reauth(&boss).await;
    app.reauth(&member).await;
    let member_id = app.get("/api/me", Some(&member)).await.body["user"]["id"]
        .as_i64()
        .unwrap();
    let routes = [
        (
            Method::GET,
            format!("/api/companies/{company}/mfa-policy"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/companies/{company}/mfa-policy"),
            Some(json!({ "required": false })),
        ),
        (
            Method::GET,
            format!("/api/companies/{company}/readiness"),
            None,
        ),
        (
            Method::GET,
            format!("/api/companies/{company}/readiness.csv"),
            None,
        ),
        (
            Method::POST,
            format!("/api/companies/{company}/reminders"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/companies/{company}/members/{member_id}/reset-mfa"),
            None,
        ),
    ];
    for cookie in [&member, &boss] {
        for (method, path, body) in &routes {
            let reply = send(&app, method.clone(), path, cookie, body.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {:?}",
                reply.body
            );
            assert_eq!(reply.code(), "forbidden");
        }
    }
    // Nothing changed: the policy stands, the member's session lives.
    assert_eq!(
        app.get("/api/me", Some(&member)).await.status,
        StatusCode::OK
    );
    let db = app.db().await;
    let changes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE kind IN ('company_policy_changed', 'mfa_reset', 'reminders_sent', 'readiness_exported')",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(changes, 1, "only the admin's own policy change");
}

/// Runs `mfa-server reset-mfa --email <email>` on the app's database.
pub fn break_glass(app: &TestApp, email: &str) -> std::process::Output {
    let url = std::fs::read_to_string(app.dir.path().join("database-url")).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_mfa-server"))
        .args(["reset-mfa", "--email", email])
        .env("MFA_DATABASE_URL", url)
        .env("MFA_DATA_DIR", app.dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_break_glass_command_resets_a_locked_out_admin_on_a_running_or_stopped_server() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    app.enroll(&admin).await;
    // While the server runs.
    let out = break_glass(&app, "admin@demo.test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 factor(s)"));
    assert_eq!(
        app.get("/api/me", Some(&admin)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let back = app.sign_in("admin@demo.test", DEMO_PASSWORD).await;
    assert_eq!(back.body["status"], "signed_in", "no second step any more");
    // The command ran on the real clock; the test's runs behind it.
    app.clock
        .set(mfa_server::domain::clock::Clock::now(&mfa_server::domain::clock::SystemClock) + 1);
    deliver_all(&app).await;
    let outbox = app.get("/api/outbox", None).await;
    assert!(
        outbox.body["messages"][0]["subject"]
            .as_str()
            .unwrap()
            .contains("operator reset")
    );

    // On a stopped server's database: the next start sees it.
    let cookie = app.signed_in("admin@demo.test").await;
    app.enroll(&cookie).await;
    let dir = app.dir;
    drop(app.router);
    let stopped = TestApp {
        router: axum::Router::new(),
        jar: Default::default(),
        deps: app.deps,
        host: app.host,
        clock: app.clock,
        dir,
    };
    let out = break_glass(&stopped, "admin@demo.test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let restarted = spawn_app_in(stopped.dir, &[]).await;
    let reply = restarted.sign_in("admin@demo.test", DEMO_PASSWORD).await;
    assert_eq!(reply.body["status"], "signed_in");

    let unknown = break_glass(&restarted, "nobody@demo.test");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user"));
}
