//! Requests that do not hold up: a redirect URI or client not registered,
//! no PKCE, the wrong verifier, redirect URI or secret, a code too late, an
//! unknown client or grant type.

use axum::http::StatusCode;
use serde_json::Value;

use super::{
    CALLBACK, add_app, browse, member_with_totp, param, relying_party, start, token_request,
    verdict,
};
use crate::helpers::spawn_served_app;

#[tokio::test]
async fn requests_that_do_not_hold_up_are_refused() {
    let (app, base) = spawn_served_app().await;
    let (client_id, secret) = add_app(&app, "web_app").await;
    let secret = secret.unwrap();
    let (client, _) = relying_party(&base, &client_id, Some(&secret)).await;
    let member = member_with_totp(&app).await;
    let started = start(&client);

    // A redirect URI the app did not register: never redirected there.
    let tampered = started.path.replace("localhost%3A4000", "evil.example.com");
    let view = verdict(&app, &tampered, Some(&member)).await;
    assert_eq!(
        view.body["verdict"]["reason"], "invalid_request",
        "{:?}",
        view.body
    );
    assert_eq!(view.body["verdict"]["return_to"], Value::Null);
    // An unknown client: the same.
    let unknown = started.path.replace(&client_id, "app-unknown");
    assert!(
        browse(&app, &unknown, Some(&member))
            .await
            .starts_with("/authorize?")
    );
    // No PKCE: back to the app with an error.
    let no_pkce: String = started
        .path
        .split('&')
        .filter(|p| !p.starts_with("code_challenge"))
        .collect::<Vec<_>>()
        .join("&");
    let location = browse(&app, &no_pkce, Some(&member)).await;
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(
        param(&location, "error").as_deref(),
        Some("invalid_request")
    );
    assert!(param(&location, "code").is_none());

    let code = |location: String| param(&location, "code").unwrap();
    let exchange = |code: String, verifier: &str, redirect: &str, secret: &str| {
        let form = [
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), code),
            ("redirect_uri".to_owned(), redirect.to_owned()),
            ("code_verifier".to_owned(), verifier.to_owned()),
            ("client_id".to_owned(), client_id.clone()),
            ("client_secret".to_owned(), secret.to_owned()),
        ];
        let base = base.clone();
        async move {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            token_request(&base, &form).await
        }
    };
    let verifier = started.verifier.secret().clone();
    // The wrong verifier, the wrong redirect URI, the wrong secret, too late.
    let c = code(browse(&app, &started.path, Some(&member)).await);
    let (status, body) = exchange(c, &"x".repeat(43), CALLBACK, &secret).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let c = code(browse(&app, &started.path, Some(&member)).await);
    let (status, body) = exchange(c, &verifier, "https://wiki.example.com/oidc", &secret).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let c = code(browse(&app, &started.path, Some(&member)).await);
    let (status, body) = exchange(c.clone(), &verifier, CALLBACK, &"0".repeat(64)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    app.clock.advance(61);
    let (status, body) = exchange(c, &verifier, CALLBACK, &secret).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "an expired code"
    );
    // The right everything still works.
    let c = code(browse(&app, &started.path, Some(&member)).await);
    let (status, body) = exchange(c, &verifier, CALLBACK, &secret).await;
    assert_eq!(status, StatusCode::OK, "{body:?}");
    // An unknown client at the token endpoint.
    let (status, body) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "app-unknown"),
            ("code", "x"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    // Another grant type.
    let (status, body) = token_request(
        &base,
        &[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(body["error"], "unsupported_grant_type", "{status}");
}
