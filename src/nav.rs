//! Where to send people: plain functions, tested on the host.

use mfa_api::percent_encode;

/// The Password & Security tab.
pub const SECURITY_PATH: &str = "/profile/security";
/// Add (or replace) the authenticator app.
pub const ADD_AUTHENTICATOR_PATH: &str = "/profile/security/authenticator";
/// Generate a new recovery code.
pub const NEW_RECOVERY_CODE_PATH: &str = "/profile/security/recovery-code";

/// The page to open after sign-in. Only paths on this site are followed
/// (never `//evil.example` or `https://...`), and never the sign-in page itself.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with("/sign-in")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The sign-in page, remembering where to come back to (when that is
/// somewhere `safe_next` would follow).
pub fn sign_in_href(return_to: &str) -> String {
    if safe_next(Some(return_to)) == "/" {
        "/sign-in".to_owned()
    } else {
        format!("/sign-in?next={}", percent_encode(return_to, b""))
    }
}

/// `pathname` plus `?search` (the router gives the search without its `?`).
pub fn path_with_query(pathname: &str, search: &str) -> String {
    if search.is_empty() {
        pathname.to_owned()
    } else {
        format!("{pathname}?{search}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_only_local_paths() {
        assert_eq!(safe_next(Some("/profile/security")), "/profile/security");
        assert_eq!(safe_next(Some("/profile?tab=1")), "/profile?tab=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "profile",
            "",
            "/sign-in?next=/x",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn sign_in_link_carries_the_path_encoded() {
        assert_eq!(sign_in_href("/"), "/sign-in");
        // Already there (say, just after signing out): nothing to come back to.
        assert_eq!(sign_in_href("/sign-in"), "/sign-in");
        assert_eq!(sign_in_href("/sign-in?next=%2Fprofile"), "/sign-in");
        assert_eq!(
            sign_in_href("/profile/security"),
            "/sign-in?next=%2Fprofile%2Fsecurity"
        );
        assert_eq!(
            sign_in_href("/p?a=1&b=é"),
            "/sign-in?next=%2Fp%3Fa%3D1%26b%3D%C3%A9"
        );
    }

    #[test]
    fn joins_path_and_query() {
        assert_eq!(path_with_query("/profile", ""), "/profile");
        assert_eq!(path_with_query("/profile", "a=1"), "/profile?a=1");
    }
}
