//! A company's apps (OpenID Connect clients), for its admins: who may
//! manage them, what a registration must hold, a secret shown once and
//! rotated, and what discovery says about the provider.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::enforcement::company_id;
use crate::helpers::spawn_served_app;
use crate::oidc::{get_json, token_request};

#[tokio::test]
async fn only_the_companys_admins_manage_its_apps_with_the_password_confirmed() {
    let (app, base) = spawn_served_app().await;
    let admin = app.signed_in("admin@demo.test").await;
    let company = company_id(&app, &admin).await;
    let path = format!("/api/companies/{company}/apps");
    let body = json!({ "name": "Tracker", "redirect_uris": "https://tracker.example.com/cb", "kind": "web_app" });
    assert_eq!(
        app.post(&path, Some(&admin), &body).await.code(),
        "reauth_required"
    );
    let member = app.signed_in("member@demo.test").await;
    app.reauth(&member).await;
    assert_eq!(app.get(&path, Some(&member)).await.code(), "forbidden");
    assert_eq!(
        app.post(&path, Some(&member), &body).await.code(),
        "forbidden"
    );

    app.reauth(&admin).await;
    for bad in [
        json!({ "name": "", "redirect_uris": "https://a.example/cb", "kind": "web_app" }),
        json!({ "name": "A", "redirect_uris": "", "kind": "web_app" }),
        json!({ "name": "A", "redirect_uris": "http://a.example/cb", "kind": "web_app" }),
        json!({ "name": "A", "redirect_uris": "https://a.example/cb#x", "kind": "public_app" }),
        json!({ "name": "A", "redirect_uris": "https://a.example/cb", "kind": "robot" }),
    ] {
        let reply = app.post(&path, Some(&admin), &bad).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad} {:?}",
            reply.body
        );
        assert!(reply.body["message"].is_string());
    }
    assert_eq!(app.get(&path, Some(&admin)).await.body["apps"], json!([]));

    let added = app.post(&path, Some(&admin), &body).await;
    assert_eq!(added.status, StatusCode::CREATED);
    let id = added.body["app"]["id"].as_i64().unwrap();
    let client_id = added.body["app"]["client_id"].as_str().unwrap().to_owned();
    let first = added.body["client_secret"].as_str().unwrap().to_owned();
    let listed = app.get(&path, Some(&admin)).await;
    assert_eq!(listed.body["apps"][0]["name"], "Tracker");
    assert!(
        !listed.body.to_string().contains(&first),
        "the secret is shown once"
    );

    let rotated = app
        .post(&format!("{path}/{id}/secret"), Some(&admin), &json!({}))
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let second = rotated.body["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let exchange = |secret: String| {
        let base = base.clone();
        let client_id = client_id.clone();
        async move {
            token_request(
                &base,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &"0".repeat(64)),
                    ("client_id", &client_id),
                    ("client_secret", &secret),
                ],
            )
            .await
        }
    };
    assert_eq!(exchange(first).await.1["error"], "invalid_client");
    assert_eq!(
        exchange(second.clone()).await.1["error"],
        "invalid_grant",
        "the new secret is accepted"
    );

    // Another company's admin sees nothing of it.
    let deleted = app
        .send(app.request(Method::DELETE, &format!("{path}/{id}"), Some(&member), None))
        .await;
    assert_eq!(deleted.status, StatusCode::FORBIDDEN);
    let deleted = app.delete(&format!("{path}/{id}"), Some(&admin)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(exchange(second).await.1["error"], "invalid_client");
    let audited: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM audit_events WHERE kind LIKE 'app_%' ORDER BY id")
            .fetch_all(&app.db().await)
            .await
            .unwrap();
    assert_eq!(audited, ["app_added", "app_secret_rotated", "app_deleted"]);
}

#[tokio::test]
async fn discovery_names_every_endpoint_and_s256() {
    let (app, base) = spawn_served_app().await;
    let doc = get_json(format!("{base}/.well-known/openid-configuration")).await;
    assert_eq!(doc["issuer"], base);
    for (key, path) in [
        ("authorization_endpoint", "/oidc/authorize"),
        ("token_endpoint", "/oidc/token"),
        ("userinfo_endpoint", "/oidc/userinfo"),
        ("jwks_uri", "/oidc/jwks"),
        ("end_session_endpoint", "/oidc/logout"),
    ] {
        assert_eq!(doc[key], format!("{base}{path}"), "{key}");
    }
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    drop(app);
}
