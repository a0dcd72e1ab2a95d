//! Faults: the real server killed with SIGKILL at chosen points of an
//! operation (`mfa_server::faults`), started again on the same data, and
//! what it left checked. Each point runs `MFA_FAULT_REPEAT` times (once by
//! default; `scripts/long-tests.sh` runs 20, dying at a random one of the
//! times the point is reached), on SQLite, or on PostgreSQL with
//! `MFA_TEST_POSTGRES_URL`.

mod server;

use rand::Rng;
use serde_json::{Value, json};
use server::{Browser, Deployment, totp};
use sqlx::AnyPool;

fn repeat() -> u32 {
    std::env::var("MFA_FAULT_REPEAT")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// Which time the point is reached that the server dies at: with repeats,
/// any of the first `most`; else the last, so the run before it is
/// exercised too.
fn dies_at(most: u32) -> u32 {
    match repeat() {
        1 => most,
        _ => rand::thread_rng().gen_range(1..=most),
    }
}

/// Says how a point's runs went (shown with `--nocapture`).
fn report(point: &str, kills: &[u32]) {
    let most = kills.iter().copied().max().unwrap_or(0);
    let spread: Vec<String> = (1..=most)
        .map(|at| {
            format!(
                "{} at reach {at}",
                kills.iter().filter(|&&k| k == at).count()
            )
        })
        .collect();
    let engine = match std::env::var("MFA_TEST_POSTGRES_URL") {
        Ok(_) => "PostgreSQL",
        Err(_) => "SQLite",
    };
    println!(
        "fault {point} on {engine}: killed {} times ({}), every invariant held",
        kills.len(),
        spread.join(", ")
    );
}

/// The server's time, its clock `days` ahead.
fn server_now(days: i64) -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    now + u64::try_from(days).unwrap() * 86_400
}

async fn count(db: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db).await.unwrap()
}

/// People with the demo password (written as the cluster tests do).
async fn add_people(db: &AnyPool, prefix: &str, count: u32, company: bool) {
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'member@demo.test'")
            .fetch_one(db)
            .await
            .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {count}) \
         INSERT INTO users (email, name, password_hash, created_at) \
         SELECT '{prefix}' || i || '@demo.test', '{prefix} ' || i, '{hash}', 0 FROM s"
    ))
    .execute(db)
    .await
    .unwrap();
    if company {
        sqlx::query(&format!(
            "INSERT INTO memberships (user_id, company_id, role, created_at) \
             SELECT u.id, c.id, 'member', 0 FROM users u, companies c \
             WHERE u.email LIKE '{prefix}%@demo.test' AND c.name = 'Demo Construction'"
        ))
        .execute(db)
        .await
        .unwrap();
    }
}

/// Adds an authenticator; its secret and the response.
async fn enroll(browser: &mut Browser, days: i64) -> (String, Result<Value, ()>) {
    let started = browser.ok("POST", "/api/factors/totp", None).await;
    let secret = started["secret"].as_str().unwrap().to_owned();
    let code = totp(&secret, server_now(days));
    let answer = browser
        .call(
            "POST",
            "/api/factors/totp/confirm",
            Some(json!({ "code": code })),
        )
        .await;
    let confirmed = match answer {
        Ok(answer) if answer.status == 200 => Ok(answer.body),
        Ok(answer) => panic!("confirm: {} {}", answer.status, answer.body),
        Err(_) => Err(()),
    };
    (secret, confirmed)
}

/// No confirmed factor without its recovery code, anyone's.
async fn every_confirmed_factor_has_its_recovery_code(db: &AnyPool) {
    let orphans = count(
        db,
        "SELECT COUNT(DISTINCT f.user_id) FROM factors f WHERE f.confirmed_at IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM recovery_codes r WHERE r.user_id = f.user_id)",
    )
    .await;
    assert_eq!(orphans, 0, "a confirmed factor without a recovery code");
}

#[tokio::test]
async fn killed_while_confirming_a_factor_it_is_added_whole_or_not_at_all() {
    let mut kills = Vec::new();
    let deployment = Deployment::new().await;
    let server = deployment.start(None, 0).await;
    let db = deployment.db().await;
    add_people(&db, "enrolling", repeat(), false).await;
    server.stop().await;
    for rep in 1..=repeat() {
        let at = dies_at(3);
        kills.push(at);
        let server = deployment.start(Some(("enrollment.commit", at)), 0).await;
        let email = format!("enrolling{rep}@demo.test");
        let mut browser = Browser::new(&server);
        browser.sign_in(&email).await;
        browser.reauth().await;
        let mut confirmed = None;
        let mut killed = None;
        for time in 1..=at {
            let (secret, answer) = enroll(&mut browser, 0).await;
            match answer {
                Ok(_) => confirmed = Some(secret),
                Err(()) => {
                    assert_eq!(time, at, "the server died at the {at}th confirmation");
                    killed = Some(secret);
                }
            }
        }
        let killed = killed.expect("the last confirmation killed the server");
        server.killed().await;

        let server = deployment.start(None, 0).await;
        every_confirmed_factor_has_its_recovery_code(&db).await;
        let mut browser = Browser::new(&server);
        let signed_in = browser.sign_in(&email).await;
        // One step ahead: the confirmation used the current step.
        let later = server_now(0) + 30;
        match confirmed {
            // The factor being confirmed when the server died never signs in.
            None => assert_eq!(signed_in["status"], "signed_in", "{signed_in}"),
            Some(secret) => {
                assert_eq!(signed_in["status"], "second_factor_required");
                let body = json!({ "method": "totp", "code": totp(&killed, later) });
                let refused = browser
                    .call("POST", "/api/sign-in/second-factor", Some(body))
                    .await
                    .unwrap();
                assert_eq!(refused.status, 422, "{}", refused.body);
                let body = json!({ "method": "totp", "code": totp(&secret, later) });
                browser
                    .ok("POST", "/api/sign-in/second-factor", Some(body))
                    .await;
            }
        }
        server.stop().await;
    }
    report("enrollment.commit", &kills);
}

#[tokio::test]
async fn killed_while_signing_in_with_the_recovery_code_it_is_used_or_still_valid() {
    let mut kills = Vec::new();
    let deployment = Deployment::new().await;
    let server = deployment.start(None, 0).await;
    let db = deployment.db().await;
    add_people(&db, "recovering", 1, false).await;
    let email = "recovering1@demo.test";
    let mut browser = Browser::new(&server);
    browser.sign_in(email).await;
    browser.reauth().await;
    let (_, answer) = enroll(&mut browser, 0).await;
    let mut code = answer.unwrap()["recovery_code"]
        .as_str()
        .unwrap()
        .to_owned();
    server.stop().await;
    let stored = "SELECT code_hash FROM recovery_codes r JOIN users u ON u.id = r.user_id \
                  WHERE u.email = 'recovering1@demo.test'";
    for _ in 1..=repeat() {
        let at = dies_at(2);
        kills.push(at);
        let server = deployment
            .start(Some(("recovery_code.commit", at)), 0)
            .await;
        let mut died = false;
        for time in 1..=at {
            let mut browser = Browser::new(&server);
            browser.sign_in(email).await;
            let body = json!({ "method": "recovery_code", "code": code });
            match browser
                .call("POST", "/api/sign-in/second-factor", Some(body))
                .await
            {
                Ok(answer) if answer.status == 200 => {
                    code = answer.body["new_recovery_code"]
                        .as_str()
                        .unwrap()
                        .to_owned();
                }
                Ok(answer) => panic!("{} {}", answer.status, answer.body),
                Err(_) => {
                    assert_eq!(time, at);
                    died = true;
                }
            }
        }
        assert!(died);
        let before: String = sqlx::query_scalar(stored).fetch_one(&db).await.unwrap();
        server.killed().await;

        // Not used: the code the server died on is the stored one still,
        // and it signs in (once).
        let server = deployment.start(None, 0).await;
        let after: String = sqlx::query_scalar(stored).fetch_one(&db).await.unwrap();
        assert_eq!(before, after, "the killed sign-in used the code up");
        let mut browser = Browser::new(&server);
        browser.sign_in(email).await;
        let body = json!({ "method": "recovery_code", "code": code });
        let signed_in = browser
            .ok("POST", "/api/sign-in/second-factor", Some(body))
            .await;
        let fresh = signed_in["new_recovery_code"].as_str().unwrap().to_owned();
        // ... and now it is used: a second time is refused.
        let mut again = Browser::new(&server);
        again.sign_in(email).await;
        let body = json!({ "method": "recovery_code", "code": code });
        let refused = again
            .call("POST", "/api/sign-in/second-factor", Some(body))
            .await
            .unwrap();
        assert_eq!(refused.status, 422, "{}", refused.body);
        code = fresh;
        server.stop().await;
    }
    report("recovery_code.commit", &kills);
}

#[tokio::test]
async fn killed_after_sending_an_email_it_sends_every_one_and_at_most_that_one_twice() {
    let mut kills = Vec::new();
    let deployment = Deployment::new().await;
    let server = deployment.start(None, 0).await;
    let db = deployment.db().await;
    add_people(&db, "mailed", 3 * repeat(), false).await;
    server.stop().await;
    for rep in 1..=repeat() {
        // Two days a round: the restart's clock is past the killed
        // worker's lease on the email it was sending.
        let days = 2 * i64::from(rep);
        let at = dies_at(3);
        kills.push(at);
        let server = deployment.start(Some(("email.sent", at)), days).await;
        // Three emails: each person is told of their new authenticator.
        for n in 3 * rep - 2..=3 * rep {
            let mut browser = Browser::new(&server);
            browser.sign_in(&format!("mailed{n}@demo.test")).await;
            browser.reauth().await;
            let (_, confirmed) = enroll(&mut browser, days).await;
            if confirmed.is_err() {
                break;
            }
        }
        server.killed().await;

        let server = deployment.start(None, days + 1).await;
        let mut unsent = 1;
        for _ in 0..120 {
            unsent = count(
                &db,
                "SELECT COUNT(*) FROM email_queue WHERE sent_at IS NULL AND cancelled_at IS NULL",
            )
            .await;
            if unsent == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        assert_eq!(unsent, 0, "every queued email is sent");
        let sent: Vec<i64> = sqlx::query_scalar("SELECT id FROM email_queue")
            .fetch_all(&db)
            .await
            .unwrap();
        let received = deployment.inbox.message_ids();
        let times = |id: i64| {
            received
                .iter()
                .filter(|m| m.starts_with(&format!("<{id}.")))
                .count()
        };
        for &id in &sent {
            assert!(times(id) >= 1, "email {id} arrived: {received:?}");
        }
        let twice = sent.iter().filter(|&&id| times(id) == 2).count();
        assert!(
            twice <= rep as usize,
            "at most the one in flight each time twice: {received:?}"
        );
        assert!(sent.iter().all(|&id| times(id) <= 2), "{received:?}");
        server.stop().await;
    }
    report("email.sent", &kills);
}

#[tokio::test]
async fn killed_between_slices_of_an_announcement_every_member_is_told_once() {
    let mut kills = Vec::new();
    for _ in 1..=repeat() {
        let deployment = Deployment::new().await;
        let server = deployment.start(None, 0).await;
        let db = deployment.db().await;
        // Three slices of 1,000.
        add_people(&db, "announced", 2_500, true).await;
        let company: i64 =
            sqlx::query_scalar("SELECT id FROM companies WHERE name = 'Demo Construction'")
                .fetch_one(&db)
                .await
                .unwrap();
        let mut admin = Browser::new(&server);
        admin.sign_in("admin@demo.test").await;
        admin.reauth().await;
        let (secret, answer) = enroll(&mut admin, 0).await;
        answer.unwrap();
        server.stop().await;

        let at = dies_at(2);
        kills.push(at);
        let server = deployment.start(Some(("announcement.slice", at)), 0).await;
        let mut admin = Browser::new(&server);
        admin.sign_in("admin@demo.test").await;
        let body = json!({ "method": "totp", "code": totp(&secret, server_now(0) + 30) });
        admin
            .ok("POST", "/api/sign-in/second-factor", Some(body))
            .await;
        admin.reauth().await;
        let date = (time::OffsetDateTime::now_utc() + time::Duration::days(40))
            .date()
            .format(time::macros::format_description!("[year]-[month]-[day]"))
            .unwrap();
        let policy = json!({ "required": true, "enforcement_date": date, "time_zone": "UTC" });
        let saving = admin
            .call(
                "PUT",
                &format!("/api/companies/{company}/mfa-policy"),
                Some(policy),
            )
            .await;
        assert!(saving.is_err(), "the server died announcing");
        server.killed().await;
        let queued = count(
            &db,
            "SELECT COUNT(*) FROM email_queue WHERE kind = 'deadline'",
        )
        .await;
        assert!(
            (1_000 * i64::from(at)..2_500).contains(&queued),
            "killed midway: {queued}"
        );

        // Started again, it finishes the announcement.
        let server = deployment.start(None, 0).await;
        let missing_sql = "SELECT COUNT(*) FROM users u WHERE u.email LIKE 'announced%@demo.test' \
             AND NOT EXISTS (SELECT 1 FROM email_queue q WHERE q.user_id = u.id AND q.kind = 'deadline')";
        let mut missing = 1;
        for _ in 0..120 {
            missing = count(&db, missing_sql).await;
            if missing == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        assert_eq!(missing, 0, "every member's email is queued");
        let twice = count(
            &db,
            "SELECT COUNT(*) FROM (SELECT user_id FROM email_queue WHERE kind = 'deadline' \
             GROUP BY user_id HAVING COUNT(*) > 1) t",
        )
        .await;
        assert_eq!(twice, 0, "once each");
        server.stop().await;
    }
    report("announcement.slice", &kills);
}

#[tokio::test]
async fn killed_after_texting_a_code_the_text_is_recorded_and_counted() {
    let mut kills = Vec::new();
    let deployment = Deployment::new().await;
    let server = deployment.start(None, 0).await;
    let db = deployment.db().await;
    add_people(&db, "texted", 2 * repeat(), false).await;
    server.stop().await;
    for rep in 1..=repeat() {
        // A day a round: the last round's texts are outside the limits.
        let days = i64::from(rep);
        let at = dies_at(2);
        kills.push(at);
        let server = deployment.start(Some(("text.sent", at)), days).await;
        let mut killed_user = None;
        for time in 1..=at {
            let n = 2 * rep - 2 + time;
            let email = format!("texted{n}@demo.test");
            let mut browser = Browser::new(&server);
            browser.sign_in(&email).await;
            browser.reauth().await;
            let number = format!("+1 201 555 {:04}", n % 10_000);
            let body = json!({ "country": "US", "number": number });
            match browser.call("POST", "/api/factors/sms", Some(body)).await {
                Ok(answer) => assert_eq!(answer.status, 200, "{}", answer.body),
                Err(_) => killed_user = Some((email, number)),
            }
        }
        let (email, number) = killed_user.expect("the server died texting");
        server.killed().await;

        let server = deployment.start(None, days).await;
        // Every text the provider took was recorded first.
        let e164 = format!(
            "+1201555{:04}",
            number[number.len() - 4..].parse::<u32>().unwrap()
        );
        let texts = count(
            &db,
            &format!("SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND recipient = '{e164}'"),
        )
        .await;
        let recorded = count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM texted_codes t JOIN users u ON u.id = t.user_id \
                 WHERE u.email = '{email}'"
            ),
        )
        .await;
        assert_eq!(texts, 1, "the text went out");
        assert_eq!(recorded, texts, "every text sent is recorded");
        // ... and counted: another one at once waits.
        let mut browser = Browser::new(&server);
        browser.sign_in(&email).await;
        browser.reauth().await;
        let again = browser
            .call("POST", "/api/factors/sms/resend", None)
            .await
            .unwrap();
        assert_eq!(again.status, 429, "{}", again.body);
        server.stop().await;
    }
    report("text.sent", &kills);
}
