use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Files from `dist/`; any other path gets `index.html` (200) so that deep
/// links such as `/profile/security` load the app, which then routes itself.
/// Gzip copies (`*.gz`, made by scripts/build-spa.sh) are served when accepted.
pub fn service(dist: &Path) -> Router {
    let index_path = dist.join("index.html");
    let policy = content_security_policy(&std::fs::read_to_string(&index_path).unwrap_or_default());
    // The build's precompressed copies: brotli, then gzip, then as is, by
    // what the browser accepts (with `Vary: Accept-Encoding`).
    let index = ServeFile::new(index_path)
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
}

/// Only this origin may supply scripts, styles, images and API answers; the
/// one inline script (Trunk's loader in index.html) is allowed by its hash,
/// and WebAssembly may be compiled. No framing, no plugins, no foreign forms.
fn content_security_policy(index_html: &str) -> HeaderValue {
    let hashes: String = inline_scripts(index_html)
        .map(|script| {
            format!(
                " 'sha256-{}'",
                BASE64.encode(Sha256::digest(script.as_bytes()))
            )
        })
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The bodies of `<script>` elements without a `src`, exactly as written.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Fingerprinted assets never change, so browsers may keep them for a year;
/// everything else (index.html above all) must be revalidated, so a new
/// release is picked up at once.
async fn cache_headers(request: Request, next: Next) -> Response {
    let immutable = is_fingerprinted(request.uri().path());
    let mut response = next.run(request).await;
    let value = if immutable && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    // Each file may be answered brotli, gzip or as is: caches must keep them apart.
    if !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Trunk names built assets `name-<hash>[_bg].<ext>`, the hash being a u64 in
/// hex (so up to 16 digits: leading zeros are dropped).
fn is_fingerprinted(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    matches!(ext, "js" | "wasm" | "css")
        && stem.rsplit_once('-').is_some_and(|(_, hash)| {
            (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

#[cfg(test)]
mod tests {
    use super::{content_security_policy, inline_scripts, is_fingerprinted};

    #[test]
    fn inline_scripts_are_allowed_by_hash_only() {
        let html = "<head><script type=\"module\">\nimport init from '/a.js';\n</script><script src=\"/b.js\"></script></head>";
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, ["\nimport init from '/a.js';\n"]);
        let policy = content_security_policy(html);
        let policy = policy.to_str().unwrap();
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{policy}"
        );
        assert_eq!(policy.matches("'sha256-").count(), 1);
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn recognises_trunk_fingerprints() {
        assert!(is_fingerprinted("/mfa-app-0123456789abcdef.js"));
        assert!(is_fingerprinted("/mfa-app-0123456789abcdef_bg.wasm"));
        assert!(is_fingerprinted("/main-fedcba9876543210.css"));
        assert!(
            is_fingerprinted("/main-20ae46680336147.css"),
            "15 digits: a leading zero dropped"
        );
        assert!(!is_fingerprinted("/public/favicon-0123456789abcdef.svg"));
        assert!(!is_fingerprinted("/"));
        assert!(!is_fingerprinted("/index.html"));
        assert!(!is_fingerprinted("/profile/security"));
        assert!(!is_fingerprinted("/mfa-app-0123.js"));
        assert!(!is_fingerprinted("/mfa-app-0123456789abcdeg.js"));
    }
}
