//! Every route path, and where to send people: plain functions, tested on
//! the host.

use leptos_router::StaticSegment;
use mfa_api::{SessionStage, percent_encode};

/// The signed-in landing page.
pub const HOME_PATH: &str = "/";
/// Email and password, then the second step.
pub const SIGN_IN_PATH: &str = "/sign-in";
/// My Profile Settings (its Profile tab).
pub const PROFILE_PATH: &str = "/profile";
/// The Password & Security tab.
pub const SECURITY_PATH: &str = "/profile/security";
/// Add (or replace) the authenticator app.
pub const ADD_AUTHENTICATOR_PATH: &str = "/profile/security/authenticator";
/// Generate a new recovery code.
pub const NEW_RECOVERY_CODE_PATH: &str = "/profile/security/recovery-code";
/// Add (or change) the phone number for texted codes.
pub const ADD_PHONE_PATH: &str = "/profile/security/phone";
/// Add a passkey (with `?rename=<id>`: name one).
pub const ADD_PASSKEY_PATH: &str = "/profile/security/passkey";

/// "Rename" on one of the user's passkeys.
pub fn rename_passkey_href(factor_id: i64) -> String {
    format!("{ADD_PASSKEY_PATH}?rename={factor_id}")
}
/// The help article (public).
pub const HELP_PATH: &str = "/help/mfa";
/// Company Settings (company admins).
pub const COMPANY_SETTINGS_PATH: &str = "/company/settings";
/// The people in the company, with their roles (company admins).
pub const COMPANY_MEMBERS_PATH: &str = "/company/members";
/// The demo's outbox (demo mode only).
pub const OUTBOX_PATH: &str = "/outbox";
/// "Forgot your password?" (public).
pub const FORGOT_PASSWORD_PATH: &str = "/forgot-password";
/// Signing in to one of the company's apps (OpenID Connect; public).
pub const AUTHORIZE_PATH: &str = "/authorize";

// Path segments, from which the router's routes (`routes`) are built; the
// paths above are these joined (a test checks).
const SIGN_IN: &str = "sign-in";
const PROFILE: &str = "profile";
const SECURITY: &str = "security";
const AUTHENTICATOR: &str = "authenticator";
const RECOVERY_CODE: &str = "recovery-code";
const PHONE: &str = "phone";
const PASSKEY: &str = "passkey";
const OUTBOX: &str = "outbox";
const COMPANY: &str = "company";
const HELP: &str = "help";
const MFA: &str = "mfa";
const SETTINGS: &str = "settings";
const MEMBERS: &str = "members";
const FORGOT_PASSWORD: &str = "forgot-password";
const RESET_PASSWORD: &str = "reset-password";
const INVITATION: &str = "invitation";
const AUTHORIZE: &str = "authorize";

/// The routes of `lib.rs`, one per path above.
pub mod routes {
    use super::*;

    type Segment = StaticSegment<&'static str>;

    /// A parent route that only wraps its children (or the home page under it).
    pub const EMPTY: Segment = StaticSegment("");
    pub const SIGN_IN: Segment = StaticSegment(super::SIGN_IN);
    /// My Profile Settings; its tabs are children.
    pub const PROFILE: Segment = StaticSegment(super::PROFILE);
    /// The Password & Security tab, under `PROFILE`.
    pub const SECURITY: Segment = StaticSegment(super::SECURITY);
    pub const ADD_AUTHENTICATOR: (Segment, Segment, Segment) = (
        StaticSegment(super::PROFILE),
        StaticSegment(super::SECURITY),
        StaticSegment(super::AUTHENTICATOR),
    );
    pub const NEW_RECOVERY_CODE: (Segment, Segment, Segment) = (
        StaticSegment(super::PROFILE),
        StaticSegment(super::SECURITY),
        StaticSegment(super::RECOVERY_CODE),
    );
    pub const ADD_PHONE: (Segment, Segment, Segment) = (
        StaticSegment(super::PROFILE),
        StaticSegment(super::SECURITY),
        StaticSegment(super::PHONE),
    );
    pub const ADD_PASSKEY: (Segment, Segment, Segment) = (
        StaticSegment(super::PROFILE),
        StaticSegment(super::SECURITY),
        StaticSegment(super::PASSKEY),
    );
    pub const OUTBOX: Segment = StaticSegment(super::OUTBOX);
    pub const HELP: (Segment, Segment) = (StaticSegment(super::HELP), StaticSegment(super::MFA));
    pub const COMPANY_SETTINGS: (Segment, Segment) = (
        StaticSegment(super::COMPANY),
        StaticSegment(super::SETTINGS),
    );
    pub const COMPANY_MEMBERS: (Segment, Segment) =
        (StaticSegment(super::COMPANY), StaticSegment(super::MEMBERS));
    pub const FORGOT_PASSWORD: Segment = StaticSegment(super::FORGOT_PASSWORD);
    pub const AUTHORIZE: Segment = StaticSegment(super::AUTHORIZE);
    /// An invitation's link: `/invitation/<token>` (public).
    pub const INVITATION: (Segment, leptos_router::ParamSegment) = (
        StaticSegment(super::INVITATION),
        leptos_router::ParamSegment("token"),
    );
    /// A reset link: `/reset-password/<token>` (public).
    pub const RESET_PASSWORD: (Segment, leptos_router::ParamSegment) = (
        StaticSegment(super::RESET_PASSWORD),
        leptos_router::ParamSegment("token"),
    );
}

/// Whether a session at `stage` may open `path`: one that must enroll
/// reaches only the Password & Security tab and the enrollment flow.
pub fn allowed_at(stage: SessionStage, path: &str) -> bool {
    match stage {
        SessionStage::MustEnroll => [
            SECURITY_PATH,
            ADD_AUTHENTICATOR_PATH,
            ADD_PHONE_PATH,
            ADD_PASSKEY_PATH,
        ]
        .contains(&path),
        SessionStage::Full => true,
        SessionStage::SecondFactorPending => false,
    }
}

/// Where to go once signed in: where the person was headed, unless they
/// must enroll first.
pub fn after_sign_in(stage: SessionStage, next: Option<&str>) -> String {
    let next = safe_next(next);
    if allowed_at(stage, next.split('?').next().unwrap_or_default()) {
        next
    } else {
        SECURITY_PATH.to_owned()
    }
}

/// The page to open after sign-in. Only paths on this site are followed
/// (never `//evil.example` or `https://...`), and never the sign-in page itself.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.starts_with(SIGN_IN_PATH)
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => HOME_PATH.to_owned(),
    }
}

/// The sign-in page, remembering where to come back to (when that is
/// somewhere `safe_next` would follow).
pub fn sign_in_href(return_to: &str) -> String {
    if safe_next(Some(return_to)) == HOME_PATH {
        SIGN_IN_PATH.to_owned()
    } else {
        format!("{SIGN_IN_PATH}?next={}", percent_encode(return_to, b""))
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
    fn a_session_that_must_enroll_reaches_only_enrollment() {
        use SessionStage::*;
        assert!(allowed_at(MustEnroll, SECURITY_PATH));
        assert!(allowed_at(MustEnroll, ADD_AUTHENTICATOR_PATH));
        assert!(allowed_at(MustEnroll, ADD_PASSKEY_PATH));
        assert!(allowed_at(MustEnroll, ADD_PHONE_PATH));
        for path in [
            HOME_PATH,
            PROFILE_PATH,
            NEW_RECOVERY_CODE_PATH,
            "/elsewhere",
        ] {
            assert!(!allowed_at(MustEnroll, path), "{path}");
            assert!(allowed_at(Full, path), "{path}");
        }
        assert_eq!(after_sign_in(MustEnroll, Some("/profile")), SECURITY_PATH);
        assert_eq!(after_sign_in(MustEnroll, None), SECURITY_PATH);
        assert_eq!(
            after_sign_in(MustEnroll, Some(ADD_AUTHENTICATOR_PATH)),
            ADD_AUTHENTICATOR_PATH
        );
        assert_eq!(after_sign_in(Full, Some("/profile?x=1")), "/profile?x=1");
        assert_eq!(after_sign_in(Full, None), HOME_PATH);
    }

    #[test]
    fn the_paths_are_the_routes_segments() {
        assert_eq!(SIGN_IN_PATH, format!("/{SIGN_IN}"));
        assert_eq!(PROFILE_PATH, format!("/{PROFILE}"));
        assert_eq!(SECURITY_PATH, format!("/{PROFILE}/{SECURITY}"));
        assert_eq!(
            ADD_AUTHENTICATOR_PATH,
            format!("/{PROFILE}/{SECURITY}/{AUTHENTICATOR}")
        );
        assert_eq!(
            NEW_RECOVERY_CODE_PATH,
            format!("/{PROFILE}/{SECURITY}/{RECOVERY_CODE}")
        );
        assert_eq!(ADD_PHONE_PATH, format!("/{PROFILE}/{SECURITY}/{PHONE}"));
        assert_eq!(ADD_PASSKEY_PATH, format!("/{PROFILE}/{SECURITY}/{PASSKEY}"));
        assert_eq!(OUTBOX_PATH, format!("/{OUTBOX}"));
        assert_eq!(COMPANY_SETTINGS_PATH, format!("/{COMPANY}/{SETTINGS}"));
        assert_eq!(COMPANY_MEMBERS_PATH, format!("/{COMPANY}/{MEMBERS}"));
        assert_eq!(FORGOT_PASSWORD_PATH, format!("/{FORGOT_PASSWORD}"));
        assert_eq!(AUTHORIZE_PATH, format!("/{AUTHORIZE}"));
        assert_eq!(HELP_PATH, format!("/{HELP}/{MFA}"));
    }

    #[test]
    fn joins_path_and_query() {
        assert_eq!(path_with_query("/profile", ""), "/profile");
        assert_eq!(path_with_query("/profile", "a=1"), "/profile?a=1");
    }
}
