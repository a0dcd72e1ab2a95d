//! The limits per number and per client network hold when many people text
//! at once (several connections, PostgreSQL's concurrent writers included).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Method, StatusCode};
use mfa_server::domain::email::Email;

use crate::helpers::{TestApp, spawn_app};

/// Adds `count` members with the demo password, each signed in and
/// re-authenticated; returns their cookies.
async fn people(app: &TestApp, count: usize) -> Vec<String> {
    let mut tx = app.deps.store.begin().await.unwrap();
    let hash = tx.password_hash(1).await.unwrap().unwrap();
    for i in 0..count {
        let email = Email::parse(&format!("texter{i}@demo.test")).unwrap();
        let user = tx
            .create_user(&email, &format!("Texter {i}"), &hash, app.now())
            .await
            .unwrap();
        tx.upsert_membership(user, 1, false, false, app.now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut cookies = Vec::new();
    for i in 0..count {
        let cookie = app.signed_in(&format!("texter{i}@demo.test")).await;
        app.reauth(&cookie).await;
        cookies.push(cookie);
    }
    cookies
}

async fn texts_sent(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM texted_codes WHERE state <> 'failed'")
        .fetch_one(&app.db().await)
        .await
        .unwrap()
}

/// Each person asks for a text at once: `ask(i)` is person i's number and
/// address. The statuses.
async fn all_at_once(
    app: &TestApp,
    cookies: &[String],
    ask: impl Fn(usize) -> (String, std::net::IpAddr),
) -> Vec<StatusCode> {
    let requests = cookies
        .iter()
        .enumerate()
        .map(|(i, cookie)| {
            let (number, ip) = ask(i);
            let body = format!(r#"{{"country":"FR","number":"{number}"}}"#);
            let mut request =
                app.request(Method::POST, "/api/factors/sms", Some(cookie), Some(&body));
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip, 40_000)));
            request
        })
        .collect();
    app.race(requests).await
}

#[tokio::test]
async fn forty_people_texting_one_number_at_once_send_at_most_ten() {
    let app = spawn_app().await;
    let cookies = people(&app, 40).await;
    // Each from a network of its own: only the number's limit binds.
    let statuses = all_at_once(&app, &cookies, |i| {
        (
            "06 12 34 56 78".into(),
            Ipv4Addr::new(198, 51, 100, i as u8).into(),
        )
    })
    .await;
    let sent = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(sent, 10, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(texts_sent(&app).await, 10);
}

#[tokio::test]
async fn forty_people_texting_from_one_network_at_once_send_at_most_thirty() {
    let app = spawn_app().await;
    let cookies = people(&app, 40).await;
    // One IPv6 /64, a different address and number each.
    let statuses = all_at_once(&app, &cookies, |i| {
        let ip = Ipv6Addr::new(0x2001, 0xdb8, 7, 7, 0, 0, 0, i as u16 + 1);
        (format!("06 12 34 56 {i:02}"), ip.into())
    })
    .await;
    let sent = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(sent, 30, "{statuses:?}");
    assert_eq!(texts_sent(&app).await, 30);
}
