//! Changing a company's policy needs the admin's password again, and does
//! not flood members: one email per member and deadline date, three
//! announcements a day at most.

use axum::http::{StatusCode, header};
use serde_json::json;

use crate::enforcement::{admin_again, company_id, deliver, enrolled_admin, put_policy};
use crate::helpers::spawn_app;

const A: &str = "2026-12-20";
const B: &str = "2026-12-27";

fn date(day: &str) -> serde_json::Value {
    json!({ "required": true, "enforcement_date": day, "time_zone": "UTC" })
}

/// The deadline emails the member got, by subject.
fn to_member(sent: &[(String, String)]) -> Vec<String> {
    sent.iter()
        .filter(|(to, _)| to == "member@demo.test")
        .map(|(_, subject)| subject.clone())
        .collect()
}

#[tokio::test]
async fn a_policy_change_needs_the_password_again_even_right_after_sign_in() {
    let app = spawn_app().await;
    enrolled_admin(&app).await;
    app.clock.advance(11 * 60);
    let fresh = admin_again(&app).await;
    let company = company_id(&app, &fresh).await;
    deliver(&app).await;
    let refused = put_policy(&app, &fresh, company, date(A)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    assert_eq!(refused.code(), "reauth_required");
    let policy = app
        .get(
            &format!("/api/companies/{company}/mfa-policy"),
            Some(&fresh),
        )
        .await;
    assert_eq!(policy.body["required"], false, "nothing changed");
    assert!(deliver(&app).await.is_empty(), "nobody emailed");
    app.reauth(&fresh).await;
    let saved = put_policy(&app, &fresh, company, date(A)).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    // Ten minutes later the window has closed again.
    app.clock.advance(10 * 60);
    let later = put_policy(&app, &fresh, company, json!({ "required": false })).await;
    assert_eq!(later.code(), "reauth_required");
}

#[tokio::test]
async fn a_date_moved_away_and_back_at_once_is_still_announced_once() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    for day in [A, B, A] {
        let saved = put_policy(&app, &admin, company, date(day)).await;
        assert_eq!(saved.status, StatusCode::OK, "{day}: {:?}", saved.body);
    }
    let sent = deliver(&app).await;
    assert_eq!(
        to_member(&sent),
        [format!("Set up two-factor authentication before {A}")],
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_date_announced_already_is_not_announced_again_and_three_a_day_is_the_most() {
    let app = spawn_app().await;
    let (admin, company) = enrolled_admin(&app).await;
    let mut got = Vec::new();
    for day in [A, B, A] {
        let saved = put_policy(&app, &admin, company, date(day)).await;
        assert_eq!(saved.status, StatusCode::OK, "{day}: {:?}", saved.body);
        got.extend(to_member(&deliver(&app).await));
        app.clock.advance(60);
    }
    assert_eq!(
        got,
        [
            format!("Set up two-factor authentication before {A}"),
            format!("Set up two-factor authentication before {B}"),
        ],
        "back to A: told already"
    );
    // A fourth announcement today is refused, and changes nothing.
    let refused = put_policy(&app, &admin, company, date(B)).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.code(), "too_many_attempts");
    let wait: i64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(wait, 24 * 60 * 60 - 3 * 60);
    let policy = app
        .get(
            &format!("/api/companies/{company}/mfa-policy"),
            Some(&admin),
        )
        .await;
    assert_eq!(policy.body["enforcement_date"], A);
    assert!(deliver(&app).await.is_empty());
    // Changes that announce nothing are not limited.
    let off = put_policy(&app, &admin, company, json!({ "required": false })).await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    // A day after the first, a new date may go out again.
    app.clock.advance(wait);
    let admin = admin_again(&app).await;
    app.reauth(&admin).await;
    let later = put_policy(&app, &admin, company, date(B)).await;
    assert_eq!(later.status, StatusCode::OK, "{:?}", later.body);
}
