//! A company's members for its admins: the list, roles, removal, and the
//! company's last admin kept.

use axum::http::{Method, StatusCode};
use mfa_server::services::notify;
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, Reply, TestApp, spawn_app};

async fn ids(app: &TestApp, admin: &str) -> (i64, i64, i64) {
    let company = app.get("/api/me", Some(admin)).await.body["memberships"][0]["company"]["id"]
        .as_i64()
        .unwrap();
    let list = app
        .get(&format!("/api/companies/{company}/members"), Some(admin))
        .await;
    let id = |email: &str| {
        list.body["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == email)
            .unwrap()["user_id"]
            .as_i64()
            .unwrap()
    };
    (company, id("admin@demo.test"), id("member@demo.test"))
}

async fn set_role(app: &TestApp, cookie: &str, company: i64, user: i64, role: &str) -> Reply {
    let body = json!({ "role": role }).to_string();
    app.send(app.request(
        Method::PUT,
        &format!("/api/companies/{company}/members/{user}/role"),
        Some(cookie),
        Some(&body),
    ))
    .await
}

async fn emails_to(app: &TestApp, to: &str) -> Vec<String> {
    while notify::deliver_due(&app.deps, "w").await.unwrap().sent > 0 {}
    app.get("/api/outbox", None).await.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == to)
        .map(|m| m["subject"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn admins_list_the_members_with_their_roles_and_factors() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    app.enroll(&admin).await;
    let (company, _, _) = ids(&app, &admin).await;
    let list = app
        .get(
            &format!("/api/companies/{company}/members?filter=demo&page=1"),
            Some(&admin),
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["matching"], 3);
    let rows: Vec<(Value, Value, Value)> = list.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].clone(), m["role"].clone(), m["enrolled"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (json!("Alex Admin"), json!("admin"), json!(true)),
            (json!("Morgan Member"), json!("member"), json!(false)),
            (json!("Pat Payee"), json!("payee"), json!(false)),
        ]
    );
    let member = app.signed_in("member@demo.test").await;
    let refused = app
        .get(&format!("/api/companies/{company}/members"), Some(&member))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn roles_change_with_the_password_and_the_last_admin_stays() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let (company, admin_id, member_id) = ids(&app, &admin).await;
    let fresh = set_role(&app, &admin, company, member_id, "admin").await;
    assert_eq!(fresh.code(), "reauth_required");
    app.reauth(&admin).await;
    let alone = set_role(&app, &admin, company, admin_id, "member").await;
    assert_eq!(alone.status, StatusCode::CONFLICT);
    assert_eq!(alone.code(), "last_admin");
    let promoted = set_role(&app, &admin, company, member_id, "admin").await;
    assert_eq!(
        promoted.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        promoted.body
    );
    assert!(
        emails_to(&app, "member@demo.test")
            .await
            .contains(&"TwoStep: You are now an admin of Demo Construction".to_owned())
    );
    // With two admins, one may step down.
    let stepped = set_role(&app, &admin, company, admin_id, "member").await;
    assert_eq!(stepped.status, StatusCode::NO_CONTENT);
    let gone = app
        .get(&format!("/api/companies/{company}/members"), Some(&admin))
        .await;
    assert_eq!(gone.code(), "forbidden", "no longer an admin");
    let db = app.db().await;
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'member_role_changed'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn a_member_made_a_payee_must_enroll_at_once() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let member = app.signed_in("member@demo.test").await;
    let (company, _, member_id) = ids(&app, &admin).await;
    app.reauth(&admin).await;
    let done = set_role(&app, &admin, company, member_id, "payee").await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/me", Some(&member)).await.body["stage"],
        "must_enroll"
    );
}

#[tokio::test]
async fn a_removed_member_loses_the_company_and_their_sessions_not_their_account() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let member = app.signed_in("member@demo.test").await;
    let (company, admin_id, member_id) = ids(&app, &admin).await;
    let path = |user: i64| format!("/api/companies/{company}/members/{user}");
    assert_eq!(
        app.delete(&path(member_id), Some(&admin)).await.code(),
        "reauth_required"
    );
    app.reauth(&admin).await;
    assert_eq!(
        app.delete(&path(admin_id), Some(&admin)).await.code(),
        "last_admin"
    );
    assert_eq!(
        app.delete(&path(999_999), Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
    let removed = app.delete(&path(member_id), Some(&admin)).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
    assert_eq!(
        app.get("/api/me", Some(&member)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK, "the account stays");
    assert_eq!(again.body["me"]["memberships"], json!([]));
    assert!(
        emails_to(&app, "member@demo.test")
            .await
            .contains(&"TwoStep: You were removed from Demo Construction".to_owned())
    );
    let list = app
        .get(&format!("/api/companies/{company}/members"), Some(&admin))
        .await;
    assert_eq!(list.body["matching"], 2);
}
