//! The JSON contract between the server and the single-page app.
//!
//! Serde only, so it builds for the browser (wasm32) and the server alike.

use serde::{Deserialize, Serialize};

/// The product's name, as shown in the app and in authenticator apps.
pub const PRODUCT_NAME: &str = "TwoStep";

/// Header every state-changing request must carry. Browsers refuse to send a
/// custom header cross-site without a CORS preflight, which the server never
/// grants, so its presence proves the request came from our own pages.
pub const CSRF_HEADER: &str = "x-mfa-csrf";
/// The value of [`CSRF_HEADER`].
pub const CSRF_VALUE: &str = "1";

/// Every error the API returns has this body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable, machine-readable: the SPA matches on it.
    pub code: String,
    /// Human-readable, in English; the SPA shows its own translation by code.
    pub message: String,
}

/// Stable error codes (the `code` of [`ErrorBody`]).
pub mod codes {
    pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    pub const CSRF_REJECTED: &str = "csrf_rejected";
    pub const BAD_REQUEST: &str = "bad_request";
    pub const VALIDATION: &str = "validation_failed";
    pub const NOT_FOUND: &str = "not_found";
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported_media_type";
    pub const INTERNAL: &str = "internal_error";
}

/// `POST /api/session`: sign in with email and password.
///
/// `Debug` is written by hand so the password can never reach a log line.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Where a sign-in attempt stands. The SPA matches on it to pick its next screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignInOutcome {
    /// Fully signed in; the session cookie is set.
    SignedIn { me: Me },
}

/// `GET /api/me`: the signed-in user and what they belong to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: User,
    /// Companies the user belongs to, with their role in each.
    pub memberships: Vec<Membership>,
    pub two_factor: TwoFactorStatus,
}

impl Me {
    /// The company the UI shows: users of this product belong to one company.
    pub fn primary_membership(&self) -> Option<&Membership> {
        self.memberships.first()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Member,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub company: Company,
    pub role: Role,
    /// A member of the company's payments product: MFA is always required.
    pub payee: bool,
}

/// The user's second factors, as the Password & Security tab shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// True once at least one factor is confirmed.
    pub enabled: bool,
}

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub database: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_request_debug_hides_the_password() {
        let req = SignInRequest {
            email: "a@b.test".into(),
            password: "hunter2-secret".into(),
        };
        let shown = format!("{req:?}");
        assert!(shown.contains("a@b.test"));
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn sign_in_outcome_is_tagged_by_status() {
        let me = Me {
            user: User {
                id: 1,
                email: "m@demo.test".into(),
                name: "M".into(),
            },
            memberships: vec![],
            two_factor: TwoFactorStatus::default(),
        };
        let json = serde_json::to_value(SignInOutcome::SignedIn { me }).unwrap();
        assert_eq!(json["status"], "signed_in");
        assert_eq!(json["me"]["user"]["email"], "m@demo.test");
    }
}
