//! The company's MFA policy: admins only, the deadline in its time zone,
//! the emails it plans, and the must-enroll stage from the deadline on.

use axum::http::{Method, StatusCode};
use mfa_server::domain::email::Email;
use mfa_server::services::{company_policy, notify};
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, Reply, TestApp, spawn_app};

const DAY: i64 = 24 * 60 * 60;

pub async fn company_id(app: &TestApp, cookie: &str) -> i64 {
    let me = app.get("/api/me", Some(cookie)).await;
    me.body["memberships"][0]["company"]["id"].as_i64().unwrap()
}

pub async fn put_policy(app: &TestApp, cookie: &str, company: i64, body: Value) -> Reply {
    app.send(app.request(
        Method::PUT,
        &format!("/api/companies/{company}/mfa-policy"),
        Some(cookie),
        Some(&body.to_string()),
    ))
    .await
}

/// The admin, enrolled (so they may require MFA), and their company's id.
pub async fn enrolled_admin(app: &TestApp) -> (String, i64) {
    let cookie = app.signed_in("admin@demo.test").await;
    let (secret, _) = app.enroll(&cookie).await;
    std::fs::write(app.dir.path().join("admin-secret"), secret).unwrap();
    let company = company_id(app, &cookie).await;
    (cookie, company)
}

/// The enrolled admin signs in again (both steps), e.g. after a long wait.
pub async fn admin_again(app: &TestApp) -> String {
    let secret = std::fs::read_to_string(app.dir.path().join("admin-secret")).unwrap();
    let partial = app.password_step("admin@demo.test").await;
    let done = app
        .second_factor(
            &partial,
            "totp",
            &crate::helpers::totp_code(&secret, app.now()),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    done.session_cookie().unwrap()
}

/// Sends everything due; the subjects sent, per recipient.
pub async fn deliver(app: &TestApp) -> Vec<(String, String)> {
    let before: usize = app.get("/api/outbox", None).await.body["messages"]
        .as_array()
        .unwrap()
        .len();
    while notify::deliver_due(&app.deps, "w").await.unwrap().sent > 0 {}
    let outbox = app.get("/api/outbox", None).await;
    let messages = outbox.body["messages"].as_array().unwrap();
    messages[..messages.len() - before]
        .iter()
        .filter(|m| m["channel"] == "email")
        .map(|m| {
            (
                m["to"].as_str().unwrap().to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn stage_at_sign_in(app: &TestApp, email: &str) -> String {
    let reply = app.sign_in(email, DEMO_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["me"]["stage"]
        .as_str()
        .unwrap_or("second_factor_pending")
        .to_owned()
}

#[tokio::test]
async fn only_the_companys_admins_read_or_change_its_policy() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let member = app.signed_in("member@demo.test").await;
    let path = format!("/api/companies/{company}/mfa-policy");
    for cookie in [&member] {
        assert_eq!(app.get(&path, Some(cookie)).await.code(), "forbidden");
        let put = put_policy(&app, cookie, company, json!({ "required": true })).await;
        assert_eq!(put.status, StatusCode::FORBIDDEN);
    }
    // An admin of another company.
    let (other, boss) = app.outsider().await;
    app.reauth(&boss).await;
    assert_eq!(app.get(&path, Some(&boss)).await.code(), "forbidden");
    assert_eq!(
        put_policy(&app, &boss, company, json!({ "required": true }))
            .await
            .code(),
        "forbidden"
    );
    assert_eq!(
        app.get(&format!("/api/companies/{other}/mfa-policy"), Some(&admin))
            .await
            .code(),
        "forbidden"
    );
    assert_eq!(
        app.get("/api/companies/999999/mfa-policy", Some(&admin))
            .await
            .code(),
        "forbidden"
    );
    let own = app.get(&path, Some(&admin)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["required"], false);
    assert_eq!(own.body["time_zone"], "UTC");
    assert!(
        own.body["time_zones"]
            .as_array()
            .unwrap()
            .iter()
            .any(|z| z == "America/Chicago")
    );
    // Nothing changed by the refused attempts.
    let db = app.db().await;
    let changed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'company_policy_changed'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(changed, 0);
}

#[tokio::test]
async fn an_admin_without_a_factor_cannot_require_mfa() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company_id(&app, &admin).await;
    app.reauth(&admin).await;
    let refused = put_policy(&app, &admin, company, json!({ "required": true })).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "admin_not_enrolled");
    app.enroll(&admin).await;
    let done = put_policy(&app, &admin, company, json!({ "required": true })).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
}

#[tokio::test]
async fn bad_dates_and_zones_are_refused() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    for (date, zone) in [
        ("2026-11-27", "UTC"),
        ("2026-11-28", "UTC"),
        ("2026-13-01", "UTC"),
        ("next week", "UTC"),
        ("2026-12-08", "Mars/Olympus"),
    ] {
        let refused = put_policy(
            &app,
            &admin,
            company,
            json!({ "required": true, "enforcement_date": date, "time_zone": zone }),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{date} {zone}"
        );
        assert_eq!(refused.code(), "validation_failed");
    }
}

#[tokio::test]
async fn a_deadline_in_chicago_binds_from_its_first_second_across_the_dst_change() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    // 2027-03-15 00:00 in Chicago, the day after clocks sprang forward: 05:00 UTC.
    let set = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": "2027-03-15", "time_zone": "America/Chicago" }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let deadline = 1_805_086_800;
    assert_eq!(set.body["deadline"], deadline);
    assert_eq!(set.body["enforcement_date"], "2027-03-15");

    app.clock.set(deadline - 1);
    let reply = app.sign_in("member@demo.test", DEMO_PASSWORD).await;
    assert_eq!(reply.body["me"]["stage"], "full");
    let notice = &reply.body["me"]["two_factor"]["deadline"];
    assert_eq!(notice["company"], "Demo Construction");
    assert_eq!(notice["days_left"], 1);
    assert_eq!(notice["date"], "2027-03-15");
    assert_eq!(notice["time_zone"], "America/Chicago");
    // A payee must enroll already: no countdown for them.
    let payee = app.sign_in("payee@demo.test", DEMO_PASSWORD).await;
    assert_eq!(payee.body["me"]["stage"], "must_enroll");
    assert_eq!(payee.body["me"]["two_factor"]["deadline"], Value::Null);

    app.clock.set(deadline);
    assert_eq!(
        stage_at_sign_in(&app, "member@demo.test").await,
        "must_enroll"
    );
    let cookie = app.signed_in("member@demo.test").await;
    assert_eq!(
        app.get("/api/me", Some(&cookie)).await.body["two_factor"]["deadline"],
        Value::Null
    );
}

#[tokio::test]
async fn setting_the_date_emails_who_is_not_enrolled_and_plans_reminders_once() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    deliver(&app).await;
    let set = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": "2026-12-18", "time_zone": "UTC" }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let deadline = 1_795_824_000 + 20 * DAY;
    let mut sent = deliver(&app).await;
    sent.sort();
    assert_eq!(
        sent,
        [
            (
                "member@demo.test".to_owned(),
                "Set up two-factor authentication before 2026-12-18".to_owned()
            ),
            (
                "payee@demo.test".to_owned(),
                "Set up two-factor authentication before 2026-12-18".to_owned()
            ),
        ]
    );
    // Saving the same policy again announces nothing new.
    put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": "2026-12-18", "time_zone": "UTC" }),
    )
    .await;
    assert!(deliver(&app).await.is_empty());

    // 14 days before: one reminder each, once.
    app.clock.set(deadline - 14 * DAY);
    let sent = deliver(&app).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter().all(|(_, s)| s.contains("14 days left")),
        "{sent:?}"
    );
    assert!(deliver(&app).await.is_empty());

    // The member enrolls: no more reminders for them.
    let member = app.signed_in("member@demo.test").await;
    app.enroll(&member).await;
    app.clock.set(deadline - 7 * DAY);
    let sent: Vec<_> = deliver(&app)
        .await
        .into_iter()
        .filter(|(_, s)| s.contains("Reminder"))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "payee@demo.test");
    assert!(sent[0].1.contains("7 days left"));
}

#[tokio::test]
async fn moving_the_date_re_plans_and_clearing_it_cancels() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let start = app.now();
    put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": "2026-12-18", "time_zone": "UTC" }),
    )
    .await;
    deliver(&app).await;
    // Moved ten days later: announced again, with the new date.
    let moved = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": "2026-12-28", "time_zone": "UTC" }),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK);
    let sent = deliver(&app).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter()
            .all(|(_, s)| s == "Set up two-factor authentication before 2026-12-28")
    );
    // The old date's reminders are gone; the new date's come in time.
    app.clock.set(start + 20 * DAY - 7 * DAY);
    assert!(
        deliver(&app).await.is_empty(),
        "no reminder for the old date"
    );
    app.clock.set(start + 30 * DAY - 14 * DAY);
    let sent = deliver(&app).await;
    assert!(
        sent.iter()
            .all(|(_, s)| s.contains("2026-12-28") && s.contains("14 days left")),
        "{sent:?}"
    );
    assert_eq!(sent.len(), 2);

    // Cleared: nothing more.
    let admin = admin_again(&app).await;
    app.reauth(&admin).await;
    let cleared = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": null }),
    )
    .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.body["deadline"], Value::Null);
    app.clock.set(start + 30 * DAY - DAY);
    assert!(deliver(&app).await.is_empty());
}

#[tokio::test]
async fn someone_who_joins_after_the_deadline_gets_their_own_window() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    put_policy(&app, &admin, company, json!({ "required": true, "enforcement_date": "2026-12-08", "time_zone": "UTC", "grace_days": 14 })).await;
    let deadline = 1_795_824_000 + 10 * DAY;
    app.clock.set(deadline + 5 * DAY);
    let mut tx = app.deps.store.begin().await.unwrap();
    let hash = tx.password_hash(1).await.unwrap().unwrap();
    let email = Email::parse("late@demo.test").unwrap();
    let late = tx
        .create_user(&email, "Late", &hash, app.now())
        .await
        .unwrap();
    tx.upsert_membership(late, company, false, false, app.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    app.clock.advance(DAY);
    let first = app.sign_in("late@demo.test", DEMO_PASSWORD).await;
    assert_eq!(first.body["me"]["stage"], "full");
    assert_eq!(first.body["me"]["two_factor"]["deadline"]["days_left"], 14);
    // The others are held at enrollment already.
    assert_eq!(
        stage_at_sign_in(&app, "member@demo.test").await,
        "must_enroll"
    );
    app.clock.advance(14 * DAY - 1);
    assert_eq!(stage_at_sign_in(&app, "late@demo.test").await, "full");
    app.clock.advance(1);
    assert_eq!(
        stage_at_sign_in(&app, "late@demo.test").await,
        "must_enroll"
    );
}

/// Deadline emails queued for the company's deadline: (emails, people).
async fn queued_for(db: &sqlx::AnyPool, topic: &str) -> (i64, i64) {
    sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT user_id) FROM email_queue WHERE topic = $1")
        .bind(topic)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_large_company_hears_of_its_deadline_a_slice_at_a_time_and_a_stopped_announcement_resumes()
 {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    // Three slices of members (1,000 each): 2,100 workers, the member and the payee.
    let workers = 2_100;
    app.add_workers(company, workers as usize).await;

    let set = put_policy(
        &app,
        &admin,
        company,
        json!({ "required": true, "enforcement_date": "2026-12-18", "time_zone": "UTC" }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let deadline = set.body["deadline"].as_i64().unwrap();
    let topic = format!("company:{company}:deadline:{deadline}");
    let db = app.db().await;
    // Answered once every email was queued: the news and 3 reminders each.
    let people = workers + 2;
    assert_eq!(queued_for(&db, &topic).await, (people * 4, people));
    let announcing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deadline_announcements")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(announcing, 0, "the announcement is over");

    // A server that stopped midway: the announcement is left after some
    // member, and those after them have nothing queued yet.
    let midway: i64 = sqlx::query_scalar(
        "SELECT user_id FROM email_queue WHERE topic = $1 ORDER BY user_id LIMIT 1 OFFSET 1500",
    )
    .bind(&topic)
    .fetch_one(&db)
    .await
    .unwrap();
    sqlx::query("DELETE FROM email_queue WHERE topic = $1 AND user_id > $2")
        .bind(&topic)
        .bind(midway)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO deadline_announcements (company_id, deadline, set_at, after_user_id) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(company)
    .bind(deadline)
    .bind(app.now())
    .bind(midway)
    .execute(&db)
    .await
    .unwrap();
    assert!(queued_for(&db, &topic).await.1 < people);
    let resumed = company_policy::resume_announcements(&app.deps)
        .await
        .unwrap();
    assert_eq!(resumed, 1);
    assert_eq!(queued_for(&db, &topic).await, (people * 4, people));
    // Once over, nothing to resume and nothing queued twice.
    assert_eq!(
        company_policy::resume_announcements(&app.deps)
            .await
            .unwrap(),
        0
    );
    assert_eq!(queued_for(&db, &topic).await, (people * 4, people));

    // An announcement of a deadline the company no longer has ends
    // without a word.
    sqlx::query(
        "INSERT INTO deadline_announcements (company_id, deadline, set_at, after_user_id) \
         VALUES ($1, $2, $3, 0)",
    )
    .bind(company)
    .bind(deadline + DAY)
    .bind(app.now())
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(
        company_policy::resume_announcements(&app.deps)
            .await
            .unwrap(),
        1
    );
    let stale = format!("company:{company}:deadline:{}", deadline + DAY);
    assert_eq!(queued_for(&db, &stale).await, (0, 0));
    assert_eq!(
        company_policy::resume_announcements(&app.deps)
            .await
            .unwrap(),
        0
    );

    // "Send reminder now" to everyone goes a slice at a time too, once a day.
    let path = format!("/api/companies/{company}/reminders");
    let all = app.post(&path, Some(&admin), &json!({})).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    assert_eq!(all.body["queued"], people);
    assert_eq!(queued_for(&db, &topic).await, (people * 5, people));
    let again = app.post(&path, Some(&admin), &json!({})).await;
    assert_eq!(again.body["queued"], 0);
    // A member id no one has, at the edge of its type (found by schemathesis).
    for user_id in [i64::MIN, 0, i64::MAX] {
        let nobody = app
            .post(&path, Some(&admin), &json!({ "user_id": user_id }))
            .await;
        assert_eq!(nobody.status, StatusCode::NOT_FOUND, "{:?}", nobody.body);
    }
}
