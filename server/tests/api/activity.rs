//! "Recent security activity" (a person's own events of 90 days, paged)
//! and the company's audit log (its admins only: filters, pages, CSV).

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::enforcement::enrolled_admin;
use crate::helpers::{TestApp, spawn_app};

fn kinds(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["kind"].as_str().unwrap(),
                e["detail"].as_str().unwrap()
            )
        })
        .collect()
}

/// A sign-in from a browser that says what it is.
async fn sign_in_from(app: &TestApp, email: &str, password: &str, user_agent: &str) {
    let body = json!({ "email": email, "password": password }).to_string();
    let mut request = app.request(Method::POST, "/api/sign-in", None, Some(&body));
    request
        .headers_mut()
        .insert(header::USER_AGENT, user_agent.parse().unwrap());
    app.send(request).await;
}

const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

#[tokio::test]
async fn the_activity_shows_a_failed_sign_in_and_a_factor_change_with_address_and_browser() {
    let app = spawn_app().await;
    let member = app.signed_in("member@demo.test").await;
    app.enroll(&member).await;
    app.clock.advance(60);
    sign_in_from(&app, "member@demo.test", "someone guessing", FIREFOX).await;
    app.clock.advance(60);

    let page = app.get("/api/me/activity", Some(&member)).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    let events = page.body["events"].as_array().unwrap();
    let failed = &events[0];
    assert_eq!(
        failed["kind"], "sign_in_failed",
        "the newest first: {events:?}"
    );
    assert_eq!(failed["ip"], "127.0.0.1");
    assert_eq!(failed["browser"], "Firefox");
    assert_eq!(failed["system"], "Windows 10");
    let listed = kinds(&page.body);
    assert!(
        listed.contains(&"factor_added authenticator_app".to_owned()),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"sign_in password".to_owned()),
        "{listed:?}"
    );

    // Only their own: the admin's sign-in is not there.
    let admin = app.signed_in("admin@demo.test").await;
    let theirs = app.get("/api/me/activity", Some(&admin)).await;
    assert!(
        kinds(&theirs.body)
            .iter()
            .all(|k| !k.starts_with("factor_added"))
    );
    assert_eq!(
        app.get("/api/me/activity", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_activity_goes_back_ninety_days_a_page_at_a_time() {
    let app = spawn_app().await;
    let member = app.signed_in("member@demo.test").await;
    let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'member@demo.test'")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    let now = app.now();
    let mut tx = app.deps.store.begin().await.unwrap();
    for i in 0..45 {
        tx.audit(
            user_id,
            mfa_server::store::AuditKind::SignInFailed,
            "password",
            Some("192.0.2.7"),
            now - 60 - i,
        )
        .await
        .unwrap();
    }
    tx.audit(
        user_id,
        mfa_server::store::AuditKind::SignInFailed,
        "too_old",
        None,
        now - 91 * 24 * 3600,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let first = app.get("/api/me/activity", Some(&member)).await;
    assert_eq!(first.body["events"].as_array().unwrap().len(), 20);
    assert_eq!(first.body["newer"], Value::Null);
    let older = first.body["older"].as_i64().unwrap();
    let second = app
        .get(&format!("/api/me/activity?before={older}"), Some(&member))
        .await;
    assert_eq!(second.body["events"].as_array().unwrap().len(), 20);
    let third = app
        .get(
            &format!("/api/me/activity?before={}", second.body["older"]),
            Some(&member),
        )
        .await;
    let last = kinds(&third.body);
    assert_eq!(
        last.len(),
        6,
        "45 failures and the sign-in, nothing older than 90 days: {last:?}"
    );
    assert_eq!(third.body["older"], Value::Null);
    let back = app
        .get(
            &format!("/api/me/activity?after={}", second.body["newer"]),
            Some(&member),
        )
        .await;
    assert_eq!(
        back.body["events"], first.body["events"],
        "back to the first page"
    );
    assert_eq!(back.body["newer"], Value::Null);
    let back_to_second = app
        .get(
            &format!("/api/me/activity?after={}", third.body["newer"]),
            Some(&member),
        )
        .await;
    assert_eq!(
        back_to_second.body["events"], second.body["events"],
        "Previous page"
    );
    for bad in ["before=x", "after=1.5", "before=99999999999999999999"] {
        let refused = app
            .get(&format!("/api/me/activity?{bad}"), Some(&member))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {:?}",
            refused.body
        );
        assert!(refused.body["code"].is_string());
    }
}

#[tokio::test]
async fn admins_see_their_companys_log_only_filtered_paged_and_exported() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let member = app.signed_in("member@demo.test").await;
    app.enroll(&member).await;
    app.sign_in("member@demo.test", "wrong").await;
    let (other_company, outsider) = app.outsider().await;
    app.sign_in("boss@other.test", "wrong").await;

    let path = format!("/api/companies/{company}/audit-log");
    let log = app.get(&path, Some(&admin)).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    let events = log.body["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["member_email"] == "member@demo.test" && e["kind"] == "sign_in_failed")
    );
    assert!(events.iter().any(|e| e["member_name"] == "Morgan Member"));
    assert!(
        events
            .iter()
            .all(|e| e["member_email"] != "boss@other.test"),
        "another company's people are not in it"
    );
    assert!(
        log.body["kinds"]
            .as_array()
            .unwrap()
            .contains(&json!("session_ended"))
    );

    // Not an admin of it, or not of this company: 403.
    let refused = app.get(&path, Some(&member)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&path, Some(&outsider)).await.status,
        StatusCode::FORBIDDEN
    );
    let theirs = app
        .get(
            &format!("/api/companies/{other_company}/audit-log"),
            Some(&outsider),
        )
        .await;
    assert!(
        kinds(&theirs.body)
            .iter()
            .all(|k| !k.contains("authenticator_app"))
    );
    assert_eq!(theirs.body["events"][0]["member_email"], "boss@other.test");

    // Filters: member, kind, dates.
    let by_member = app
        .get(&format!("{path}?member=member%40demo.test"), Some(&admin))
        .await;
    assert!(
        by_member.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["member_email"] == "member@demo.test")
    );
    assert!(!by_member.body["events"].as_array().unwrap().is_empty());
    let by_kind = app
        .get(&format!("{path}?kind=factor_added"), Some(&admin))
        .await;
    assert_eq!(
        kinds(&by_kind.body),
        [
            "factor_added authenticator_app",
            "factor_added authenticator_app"
        ]
    );
    let future = app
        .get(&format!("{path}?since={}", app.now() + 10), Some(&admin))
        .await;
    assert!(future.body["events"].as_array().unwrap().is_empty());
    let past = app
        .get(
            &format!("{path}?until={}", app.now() - 10_000),
            Some(&admin),
        )
        .await;
    assert!(past.body["events"].as_array().unwrap().is_empty());
    let nobody = app
        .get(&format!("{path}?member=nobody%40demo.test"), Some(&admin))
        .await;
    assert!(nobody.body["events"].as_array().unwrap().is_empty());
    for bad in ["kind=made_up", "member=not-an-email"] {
        let refused = app.get(&format!("{path}?{bad}"), Some(&admin)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(refused.code(), "validation_failed");
    }

    // The CSV: the same events, formulas defused, and the export audited.
    sqlx::query("UPDATE users SET name = '=cmd|'' /C calc''!A0' WHERE email = 'member@demo.test'")
        .execute(&app.db().await)
        .await
        .unwrap();
    let csv = app.get(&format!("{path}.csv"), Some(&admin)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("time,event,detail,member_name,member_email,ip,browser,system\r\n"));
    assert!(text.contains("'=cmd"), "{text}");
    assert!(!text.contains(",=cmd"));
    assert!(!text.contains("boss@other.test"));
    let after = app
        .get(&format!("{path}?kind=audit_log_exported"), Some(&admin))
        .await;
    assert_eq!(
        after.body["events"].as_array().unwrap().len(),
        1,
        "{:?}",
        after.body
    );
    assert_eq!(
        app.get(&format!("{path}.csv"), Some(&member)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn admin_actions_stay_in_their_own_companys_log() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let (other_company, outsider) = app.outsider().await;
    // The demo admin joins Other Co as a member too.
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@demo.test'")
        .fetch_one(&app.db().await)
        .await
        .unwrap();
    let mut tx = app.deps.store.begin().await.unwrap();
    tx.upsert_membership(admin_id, other_company, false, false, app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.reauth(&admin).await;
    let saved = crate::enforcement::put_policy(
        &app,
        &admin,
        company,
        json!({ "required": false, "grace_days": 20 }),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    let ours = app
        .get(
            &format!("/api/companies/{company}/audit-log?kind=company_policy_changed"),
            Some(&admin),
        )
        .await;
    assert_eq!(ours.body["events"].as_array().unwrap().len(), 1);
    let theirs = app
        .get(
            &format!("/api/companies/{other_company}/audit-log?kind=company_policy_changed"),
            Some(&outsider),
        )
        .await;
    assert!(
        theirs.body["events"].as_array().unwrap().is_empty(),
        "{:?}",
        theirs.body
    );
    // Their own sign-ins show in both companies' logs.
    let _ = app.sign_in("admin@demo.test", "wrong").await;
    let theirs = app
        .get(
            &format!("/api/companies/{other_company}/audit-log?kind=sign_in_failed"),
            Some(&outsider),
        )
        .await;
    assert!(
        theirs.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["member_email"] == "admin@demo.test")
    );
}

#[tokio::test]
async fn the_company_log_pages_both_ways_in_time_order() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let member_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'member@demo.test'")
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    let now = app.now();
    let mut tx = app.deps.store.begin().await.unwrap();
    // Written out of time order (as two instances' clocks may): shown by time.
    for i in 0..120 {
        let at = now - 10_000 + if i % 2 == 0 { i } else { 500 - i };
        tx.audit(
            member_id,
            mfa_server::store::AuditKind::SignIn,
            &format!("n{i}"),
            None,
            at,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let path = format!("/api/companies/{company}/audit-log?member=member%40demo.test");
    let times = |page: &Value| -> Vec<i64> {
        page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["at"].as_i64().unwrap())
            .collect()
    };
    let first = app.get(&path, Some(&admin)).await;
    let second = app
        .get(
            &format!("{path}&before={}", first.body["older"]),
            Some(&admin),
        )
        .await;
    let third = app
        .get(
            &format!("{path}&before={}", second.body["older"]),
            Some(&admin),
        )
        .await;
    let all: Vec<i64> = [&first, &second, &third]
        .iter()
        .flat_map(|p| times(&p.body))
        .collect();
    assert_eq!(all.len(), 120);
    assert!(
        all.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {all:?}"
    );
    assert_eq!(third.body["older"], Value::Null);
    let back = app
        .get(
            &format!("{path}&after={}", third.body["newer"]),
            Some(&admin),
        )
        .await;
    assert_eq!(back.body["events"], second.body["events"]);
    let stranger = app
        .get(&format!("{path}&before=999999"), Some(&admin))
        .await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert!(stranger.body["events"].as_array().unwrap().is_empty());
}
