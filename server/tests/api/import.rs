//! "Import members" from a CSV file: the preview row by row, the import of
//! the rows it would invite, and a second import of the same file that
//! invites nobody twice.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn company(app: &TestApp, cookie: &str) -> i64 {
    app.get("/api/me", Some(cookie)).await.body["memberships"][0]["company"]["id"]
        .as_i64()
        .unwrap()
}

async fn preview(app: &TestApp, cookie: &str, company: i64, csv: &str) -> Value {
    let reply = app
        .post(
            &format!("/api/companies/{company}/imports/preview"),
            Some(cookie),
            &json!({ "csv": csv }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

const FILE: &str = "\u{feff}Email;Name;Role\r\n\
    new@acme.test;\"Newton; Isaac\";member\r\n\
    member@demo.test;Morgan;member\r\n\
    waiting@acme.test;Wai;payee\r\n\
    not-an-email;X;member\r\n\
    boss@acme.test;Boss;king\r\n\
    NEW@acme.test;Again;admin\r\n";

#[tokio::test]
async fn the_preview_says_what_each_row_will_do_and_the_import_does_it_once() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company(&app, &admin).await;
    let waiting = app
        .post(
            &format!("/api/companies/{company}/invitations"),
            Some(&admin),
            &json!({ "email": "waiting@acme.test", "name": "Wai" }),
        )
        .await;
    assert_eq!(waiting.status, StatusCode::CREATED);
    let seen = preview(&app, &admin, company, FILE).await;
    let rows: Vec<(Value, Value, Value)> = seen["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].clone(), r["status"].clone(), r["error"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (json!(2), json!("invite"), Value::Null),
            (json!(3), json!("already_member"), Value::Null),
            (json!(4), json!("already_invited"), Value::Null),
            (json!(5), json!("error"), json!("invalid_email")),
            (json!(6), json!("error"), json!("unknown_role")),
            (json!(7), json!("error"), json!("duplicate")),
        ]
    );
    assert_eq!(seen["rows"][0]["name"], "Newton; Isaac");
    assert_eq!(seen["to_invite"], 1);
    // Previewing sends nothing.
    let pending = || async {
        app.get(
            &format!("/api/companies/{company}/invitations"),
            Some(&admin),
        )
        .await
        .body["invitations"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(pending().await, 1);
    let done = app
        .post(
            &format!("/api/companies/{company}/imports"),
            Some(&admin),
            &json!({ "csv": FILE }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    assert_eq!(done.body["invited"], 1);
    assert_eq!(pending().await, 2);
    // The same file again: nobody twice.
    let again = app
        .post(
            &format!("/api/companies/{company}/imports"),
            Some(&admin),
            &json!({ "csv": FILE }),
        )
        .await;
    assert_eq!(again.body["invited"], 0);
    assert_eq!(pending().await, 2);
    assert_eq!(
        preview(&app, &admin, company, FILE).await["rows"][0]["status"],
        "already_invited"
    );
}

#[tokio::test]
async fn ten_thousand_rows_are_previewed_and_more_are_refused() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company(&app, &admin).await;
    let mut csv = String::from("email,name,role\n");
    for i in 0..10_000 {
        csv.push_str(&format!("person{i}@big.test,Person {i},member\n"));
    }
    let seen = preview(&app, &admin, company, &csv).await;
    assert_eq!(seen["to_invite"], 10_000);
    csv.push_str("one@more.test,One,member\n");
    let refused = app
        .post(
            &format!("/api/companies/{company}/imports/preview"),
            Some(&admin),
            &json!({ "csv": csv }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body["message"].as_str().unwrap().contains("10000"));
}

#[tokio::test]
async fn only_the_companys_admins_import() {
    let app = spawn_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company(&app, &admin).await;
    let member = app.signed_in("member@demo.test").await;
    for path in ["imports/preview", "imports"] {
        let reply = app
            .post(
                &format!("/api/companies/{company}/{path}"),
                Some(&member),
                &json!({ "csv": FILE }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
    }
}
