//! Signing in to the company's other apps through OpenID Connect, with the
//! `openidconnect` crate as a real relying party over HTTP: discovery, the
//! code flow with PKCE, the ID token checked against the JWKS, `amr`,
//! userinfo, key rotation, logout, and every refusal.

use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use mfa_server::services::signing_keys;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde_json::{Value, json};

use crate::enforcement::company_id;
use crate::helpers::{Reply, TestApp, spawn_served_app, totp_code};

/// Every way a request can fail to hold up.
mod refusals;

const CALLBACK: &str = "http://localhost:4000/callback";
const SIGNED_OUT: &str = "https://wiki.example.com/signed-out";

/// The relying party's client, as discovery configures it.
type Rp = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

pub fn http() -> openidconnect::reqwest::Client {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A JSON document fetched over real HTTP (discovery, the JWKS).
pub async fn get_json(url: String) -> serde_json::Value {
    http().get(url).send().await.unwrap().json().await.unwrap()
}

/// The admin registers an app ("Add app"); returns (client id, secret).
async fn add_app(app: &TestApp, kind: &str) -> (String, Option<String>) {
    let admin = app.signed_in("admin@demo.test").await;
    let company = company_id(app, &admin).await;
    app.reauth(&admin).await;
    let added = app
        .post(
            &format!("/api/companies/{company}/apps"),
            Some(&admin),
            &json!({
                "name": "Wiki",
                "redirect_uris": format!("{CALLBACK}\nhttps://wiki.example.com/oidc"),
                "logout_uris": SIGNED_OUT,
                "kind": kind,
            }),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    (
        added.body["app"]["client_id"].as_str().unwrap().to_owned(),
        added.body["client_secret"].as_str().map(str::to_owned),
    )
}

/// The relying party, from discovery.
async fn relying_party(
    base: &str,
    client_id: &str,
    secret: Option<&str>,
) -> (Rp, CoreProviderMetadata) {
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(base.to_owned()).unwrap(), &http())
            .await
            .unwrap();
    let client = CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(client_id.to_owned()),
        secret.map(|s| ClientSecret::new(s.to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.to_owned()).unwrap());
    (client, metadata)
}

/// An authorization request as the relying party builds it: the path and
/// query to send the browser to, the PKCE verifier and the nonce.
struct Started {
    path: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    nonce: Nonce,
}

fn start(client: &Rp) -> Started {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    Started {
        path: format!("{}?{}", url.path(), url.query().unwrap()),
        state,
        verifier,
        nonce,
    }
}

/// The browser follows the app to `/oidc/authorize`; where it is sent.
async fn browse(app: &TestApp, path: &str, cookie: Option<&str>) -> String {
    let reply = app.get(path, cookie).await;
    assert!(
        reply.status.is_redirection(),
        "{:?} {:?}",
        reply.status,
        reply.body
    );
    reply.headers[header::LOCATION].to_str().unwrap().to_owned()
}

/// The browser follows the app to `/oidc/authorize` and is sent to the
/// sign-in page; what that page is told about the request.
async fn verdict(app: &TestApp, path: &str, cookie: Option<&str>) -> Reply {
    let location = browse(app, path, cookie).await;
    let query = location
        .strip_prefix("/authorize?")
        .unwrap_or_else(|| panic!("sent to {location}"));
    app.get(&format!("/api/oidc/authorization?{query}"), cookie)
        .await
}

/// The query parameter `name` of `location`.
fn param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(&format!("http://x{location}"))
        .or_else(|_| url::Url::parse(location))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The `amr` claim, as names.
fn amr_of(claims: &openidconnect::core::CoreIdTokenClaims) -> Vec<String> {
    claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|m| m.to_string())
        .collect()
}

fn at(app: &TestApp) -> DateTime<Utc> {
    DateTime::from_timestamp(app.now(), 0).unwrap()
}

/// The member, enrolled with an authenticator app and signed in with both
/// steps; their full session's cookie.
async fn member_with_totp(app: &TestApp) -> String {
    let first = app.signed_in("member@demo.test").await;
    let (secret, _) = app.enroll(&first).await;
    let partial = app.password_step("member@demo.test").await;
    let done = app
        .second_factor(&partial, "totp", &totp_code(&secret, app.now()))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    done.session_cookie().unwrap()
}

#[tokio::test]
async fn a_relying_party_signs_a_member_in_with_their_authenticator_and_verifies_the_id_token() {
    let (app, base) = spawn_served_app().await;
    let (client_id, secret) = add_app(&app, "web_app").await;
    let (client, metadata) = relying_party(&base, &client_id, secret.as_deref()).await;
    assert_eq!(metadata.issuer().as_str(), base);
    let member = member_with_totp(&app).await;
    let signed_in_at = app.now();
    app.clock.advance(5);

    let started = start(&client);
    let location = browse(&app, &started.path, Some(&member)).await;
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(
        param(&location, "state").as_deref(),
        Some(started.state.secret().as_str())
    );
    assert_eq!(param(&location, "iss").as_deref(), Some(base.as_str()));
    let code = param(&location, "code").unwrap();

    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(started.verifier)
        .request_async(&http())
        .await
        .unwrap();
    let now = at(&app);
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    let id_token = tokens.id_token().unwrap();
    let claims = id_token.claims(&verifier, &started.nonce).unwrap();
    let amr = amr_of(claims);
    assert_eq!(amr, ["pwd", "otp", "mfa"]);
    assert_eq!(claims.email().unwrap().as_str(), "member@demo.test");
    assert_eq!(claims.email_verified(), Some(true));
    assert!(claims.name().is_some());
    assert_ne!(claims.subject().as_str(), "member@demo.test");
    assert_eq!(claims.auth_time().unwrap().timestamp(), signed_in_at);
    assert_eq!(
        claims.expiration().timestamp() - claims.issue_time().timestamp(),
        600
    );
    let subject = claims.subject().clone();
    // A nonce other than the request's is refused by the relying party.
    assert!(
        id_token
            .claims(&verifier, &Nonce::new("another".to_owned()))
            .is_err()
    );

    let info: openidconnect::core::CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), Some(subject.clone()))
        .unwrap()
        .request_async(&http())
        .await
        .unwrap();
    assert_eq!(info.email().unwrap().as_str(), "member@demo.test");

    // The same person again: the same subject, straight back (a full session).
    let again = start(&client);
    let location = browse(&app, &again.path, Some(&member)).await;
    let tokens2 = client
        .exchange_code(AuthorizationCode::new(param(&location, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(again.verifier)
        .request_async(&http())
        .await
        .unwrap();
    let claims2 = tokens2
        .id_token()
        .unwrap()
        .claims(&verifier, &again.nonce)
        .unwrap();
    assert_eq!(claims2.subject(), &subject);

    // The first code used again: refused, and its access token stops working.
    let replay = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &"a".repeat(43)),
            ("client_id", &client_id),
            ("client_secret", secret.as_deref().unwrap()),
        ],
    )
    .await;
    assert_eq!(replay.0, StatusCode::BAD_REQUEST);
    assert_eq!(replay.1["error"], "invalid_grant");
    let revoked = userinfo(&base, tokens.access_token().secret()).await;
    assert_eq!(revoked, StatusCode::UNAUTHORIZED);
    assert_eq!(
        userinfo(&base, tokens2.access_token().secret()).await,
        StatusCode::OK
    );
    // Ten minutes on, the second access token has expired too.
    app.clock.advance(601);
    assert_eq!(
        userinfo(&base, tokens2.access_token().secret()).await,
        StatusCode::UNAUTHORIZED
    );
}

pub async fn token_request(base: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let reply = http()
        .post(format!("{base}/oidc/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(reply.status().as_u16()).unwrap();
    (status, reply.json().await.unwrap())
}

async fn userinfo(base: &str, token: &str) -> StatusCode {
    let reply = http()
        .get(format!("{base}/oidc/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    StatusCode::from_u16(reply.status().as_u16()).unwrap()
}

#[tokio::test]
async fn an_app_without_a_secret_signs_in_someone_who_used_a_texted_code() {
    let (app, base) = spawn_served_app().await;
    let (client_id, secret) = add_app(&app, "public_app").await;
    assert_eq!(secret, None);
    let (client, _) = relying_party(&base, &client_id, None).await;
    let first = app.signed_in("member@demo.test").await;
    app.reauth(&first).await;
    app.enroll_phone(&first).await;
    let partial = app.password_step("member@demo.test").await;
    let sent = app
        .post("/api/sign-in/second-factor/sms", Some(&partial), &json!({}))
        .await;
    assert!(sent.status.is_success(), "{:?}", sent.body);
    let done = app
        .second_factor(&partial, "sms", &app.texted_code().await)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    let member = done.session_cookie().unwrap();

    let started = start(&client);
    let location = browse(&app, &started.path, Some(&member)).await;
    let code = param(&location, "code").unwrap();
    // Without the verifier, a public client has nothing to prove itself with.
    let (status, body) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );

    let started = start(&client);
    let location = browse(&app, &started.path, Some(&member)).await;
    let tokens = client
        .exchange_code(AuthorizationCode::new(param(&location, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(started.verifier)
        .request_async(&http())
        .await
        .unwrap();
    let now = at(&app);
    let claims = tokens
        .id_token()
        .unwrap()
        .claims(
            &client.id_token_verifier().set_time_fn(move || now),
            &started.nonce,
        )
        .unwrap();
    let amr = amr_of(claims);
    assert_eq!(amr, ["pwd", "sms", "mfa"]);
}

#[tokio::test]
async fn someone_signed_out_signs_in_first_and_someone_of_another_company_is_refused() {
    let (app, base) = spawn_served_app().await;
    let (client_id, secret) = add_app(&app, "web_app").await;
    let (client, _) = relying_party(&base, &client_id, secret.as_deref()).await;
    let started = start(&client);

    // Signed out: the sign-in page, which names the app.
    let view = verdict(&app, &started.path, None).await;
    assert_eq!(
        view.body,
        json!({ "app": "Wiki", "verdict": { "verdict": "sign_in" } })
    );
    // Half signed in (the second step due): still the sign-in page.
    let member = member_with_totp(&app).await;
    drop(member);
    let partial = app.password_step("member@demo.test").await;
    assert!(
        browse(&app, &started.path, Some(&partial))
            .await
            .starts_with("/authorize?")
    );

    // Someone of another company only.
    let (_, boss) = app.outsider().await;
    let view = verdict(&app, &started.path, Some(&boss)).await;
    assert_eq!(view.body["verdict"]["reason"], "not_a_member");
    let back = view.body["verdict"]["return_to"].as_str().unwrap();
    assert!(back.starts_with(CALLBACK));
    assert_eq!(param(back, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        param(back, "state").as_deref(),
        Some(started.state.secret().as_str())
    );
    let refused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'app_sign_in_refused' AND detail LIKE '%Wiki%'",
    )
    .fetch_one(&app.db().await)
    .await
    .unwrap();
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn a_rotated_key_signs_new_tokens_while_the_old_one_stays_published_until_its_tokens_expire()
{
    let (app, base) = spawn_served_app().await;
    let (client_id, secret) = add_app(&app, "web_app").await;
    let (client, _) = relying_party(&base, &client_id, secret.as_deref()).await;
    let member = member_with_totp(&app).await;
    let (old, old_nonce) = sign_in_through(&app, &client, &member).await;
    let old_kid = kid(&old);

    let new_kid = signing_keys::rotate(&app.deps).await.unwrap();
    assert_ne!(new_kid, old_kid);
    // A relying party that fetches the keys again checks both tokens.
    let (client, _) = relying_party(&base, &client_id, secret.as_deref()).await;
    let (new, new_nonce) = sign_in_through(&app, &client, &member).await;
    assert_eq!(kid(&new), new_kid);
    let now = at(&app);
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    new.claims(&verifier, &new_nonce).unwrap();
    old.claims(&verifier, &old_nonce).unwrap();

    // Once the old key's tokens have expired, the next rotation (the
    // operator's command, on the server's database) drops it.
    app.clock.advance(601);
    let url = std::fs::read_to_string(app.dir.path().join("database-url")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mfa-server"))
        .arg("rotate-signing-key")
        .env("MFA_DATABASE_URL", url)
        .env("MFA_DATA_DIR", app.dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("signs ID tokens from now on"));
    let jwks = get_json(format!("{base}/oidc/jwks")).await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids.len(), 2, "{kids:?}");
    assert!(kids.contains(&new_kid.as_str()) && !kids.contains(&old_kid.as_str()));
}

fn kid(token: &CoreIdToken) -> String {
    use base64::Engine;
    let header = token.to_string().split('.').next().unwrap().to_owned();
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    header["kid"].as_str().unwrap().to_owned()
}

/// The relying party exchanges the code the browser brought back.
async fn client_exchange(client: &Rp, location: &str, verifier: PkceCodeVerifier) -> CoreIdToken {
    client
        .exchange_code(AuthorizationCode::new(param(location, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http())
        .await
        .unwrap()
        .id_token()
        .unwrap()
        .clone()
}

/// The member goes through the app's sign-in with their full session.
async fn sign_in_through(app: &TestApp, client: &Rp, member: &str) -> (CoreIdToken, Nonce) {
    let started = start(client);
    let location = browse(app, &started.path, Some(member)).await;
    (
        client_exchange(client, &location, started.verifier).await,
        started.nonce,
    )
}

#[tokio::test]
async fn an_app_signs_the_person_out_to_an_address_it_registered() {
    let (app, base) = spawn_served_app().await;
    let (client_id, secret) = add_app(&app, "web_app").await;
    let (client, _) = relying_party(&base, &client_id, secret.as_deref()).await;
    let member = member_with_totp(&app).await;
    let started = start(&client);
    let location = browse(&app, &started.path, Some(&member)).await;
    let id_token = client_exchange(&client, &location, started.verifier)
        .await
        .to_string();

    let logout = |uri: &str| {
        format!(
            "/oidc/logout?id_token_hint={id_token}&post_logout_redirect_uri={}&state=bye",
            url::form_urlencoded::byte_serialize(uri.as_bytes()).collect::<String>()
        )
    };
    let refused = app
        .get(&logout("https://evil.example.com/"), Some(&member))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/api/me", Some(&member)).await.status,
        StatusCode::OK
    );
    // One character of the signature changed (not the last: its low bits
    // are padding).
    let at = id_token.len() - 20;
    let other = if &id_token[at..=at] == "A" { "B" } else { "A" };
    let forged_token = format!("{}{other}{}", &id_token[..at], &id_token[at + 1..]);
    let forged = app
        .get(
            &format!("/oidc/logout?id_token_hint={forged_token}"),
            Some(&member),
        )
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);

    let out = app.get(&logout(SIGNED_OUT), Some(&member)).await;
    assert!(out.status.is_redirection());
    assert_eq!(
        out.headers[header::LOCATION],
        format!("{SIGNED_OUT}?state=bye")
    );
    assert_eq!(
        app.get("/api/me", Some(&member)).await.status,
        StatusCode::UNAUTHORIZED
    );
}
