use axum::http::{StatusCode, header};

use crate::helpers::spawn_app;

#[tokio::test]
async fn deep_links_get_the_app_shell() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/sign-in",
        "/profile/security",
        "/profile/security?x=1",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(
            reply.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(reply.body.as_str().unwrap().contains("MFA test index"));
        assert_eq!(reply.headers[header::CACHE_CONTROL], "no-cache", "{path}");
        let csp = reply.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.starts_with("default-src 'self'"), "{csp}");
    }
}

#[tokio::test]
async fn fingerprinted_assets_are_cached_for_good() {
    let app = spawn_app().await;
    let reply = app.get("/mfa-app-0123456789abcdef.js", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        reply.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(reply.headers[header::X_FRAME_OPTIONS], "DENY");
}

#[tokio::test]
async fn precompressed_assets_go_by_accept_encoding_brotli_first() {
    let app = spawn_app().await;
    let dist = app.dir.path().join("dist");
    let js = "mfa-app-0123456789abcdef.js";
    std::fs::write(dist.join(format!("{js}.br")), "brotli bytes").unwrap();
    std::fs::write(dist.join(format!("{js}.gz")), "gzip bytes").unwrap();
    let fetch = |accept: Option<&'static str>| {
        let mut request = app.request(axum::http::Method::GET, &format!("/{js}"), None, None);
        if let Some(accept) = accept {
            request
                .headers_mut()
                .insert(header::ACCEPT_ENCODING, accept.parse().unwrap());
        }
        app.send(request)
    };
    for (accept, encoding, body) in [
        (Some("gzip, deflate, br"), Some("br"), "brotli bytes"),
        (Some("br"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (None, None, "console.log(1)"),
    ] {
        let reply = fetch(accept).await;
        assert_eq!(reply.status, StatusCode::OK, "{accept:?}");
        assert_eq!(
            reply
                .headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        assert_eq!(reply.body, body, "{accept:?}");
        assert!(
            reply.headers[header::VARY]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{accept:?}"
        );
        assert_eq!(
            reply.headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
    }
}
