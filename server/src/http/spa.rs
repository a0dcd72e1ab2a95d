use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// Files from `dist/`; any other path gets `index.html` (200) so that deep
/// links such as `/profile/security` load the app, which then routes itself.
/// Gzip copies (`*.gz`, made by scripts/build-spa.sh) are served when accepted.
pub fn service(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html")).precompressed_gzip();
    let files = ServeDir::new(dist).precompressed_gzip().fallback(index);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_headers))
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
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
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
    use super::is_fingerprinted;

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
