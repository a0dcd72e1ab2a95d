//! The JSON contract between the server and the single-page app.
//!
//! Serde only, so it builds for the browser (wasm32) and the server alike.

use serde::{Deserialize, Serialize};

/// The product's name, as shown in the app and in authenticator apps.
pub const PRODUCT_NAME: &str = "TwoStep";

/// Percent-encodes all but RFC 3986's unreserved characters and `also_keep`
/// (for URL components: a query value, an otpauth label).
pub fn percent_encode(value: &str, also_keep: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || also_keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

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
    /// With `too_many_attempts`: when checks unlock (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
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
    /// The session is waiting for its second factor.
    pub const SECOND_FACTOR_REQUIRED: &str = "second_factor_required";
    /// Confirm the password first (POST /api/reauth), then retry.
    pub const REAUTH_REQUIRED: &str = "reauth_required";
    pub const WRONG_PASSWORD: &str = "wrong_password";
    pub const WRONG_CODE: &str = "wrong_code";
    /// A right code whose time step was already used: wait for the next one.
    pub const CODE_ALREADY_USED: &str = "code_already_used";
    pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
    pub const NO_PENDING_ENROLLMENT: &str = "no_pending_enrollment";
    /// MFA is required for this user: the last factor cannot go.
    pub const FACTOR_REQUIRED: &str = "factor_required";
    /// The action needs two-factor authentication to be set up.
    pub const NOT_ENROLLED: &str = "not_enrolled";
}

/// Writes `Debug` for a type holding a secret: the type name and `<redacted>`.
macro_rules! redacted_debug {
    ($($ty:ty),* $(,)?) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}(<redacted>)", stringify!($ty))
            }
        }
    )*};
}

redacted_debug!(
    RecoveryCodeText,
    SecondFactorRequest,
    ReauthRequest,
    TotpEnrollment,
    ConfirmTotpRequest
);

/// A recovery code as shown to its owner (XXXX-XXXX-XXXX-XXXX).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecoveryCodeText(pub String);

/// `POST /api/sign-in/second-factor`, with the partial session of a sign-in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SecondFactorRequest {
    Totp { code: String },
    RecoveryCode { code: String },
}

/// `POST /api/reauth`: confirm the current password for sensitive actions.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReauthRequest {
    pub password: String,
}

/// `POST /api/factors/totp`: a pending authenticator, to scan and confirm.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrollment {
    pub factor_id: i64,
    /// `otpauth://totp/...`, for the QR code.
    pub otpauth_uri: String,
    /// The same secret in base32, for typing in by hand.
    pub secret: String,
}

/// `POST /api/factors/totp/confirm`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmTotpRequest {
    pub code: String,
}

/// After confirming an authenticator, or generating a new recovery code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorChange {
    pub me: Me,
    /// Present when a new recovery code was made: show it, once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<RecoveryCodeText>,
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
    SignedIn {
        me: Me,
        /// Set after signing in with the recovery code: it is void now, and
        /// this is its replacement, to be saved before going on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_recovery_code: Option<RecoveryCodeText>,
    },
    /// The password was right; now the second factor
    /// (`POST /api/sign-in/second-factor`).
    SecondFactorRequired,
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
    /// MFA is mandatory for this user (payee, or the company enforces it).
    pub required: bool,
    pub authenticator: Option<AuthenticatorInfo>,
    /// When the active recovery code was made (Unix seconds), if there is one.
    pub recovery_code_created_at: Option<i64>,
}

/// A confirmed authenticator app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorInfo {
    pub id: i64,
    /// Unix seconds.
    pub added_at: i64,
    /// Unix seconds of the last sign-in with it.
    pub last_used_at: Option<i64>,
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
    fn percent_encoding_keeps_unreserved_and_asked_for_bytes() {
        assert_eq!(
            percent_encode("/p?a=1&b=é", b""),
            "%2Fp%3Fa%3D1%26b%3D%C3%A9"
        );
        assert_eq!(percent_encode("a+b@c.d", b"@"), "a%2Bb@c.d");
        assert_eq!(percent_encode("Two Step", b""), "Two%20Step");
    }

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
        let json = serde_json::to_value(SignInOutcome::SignedIn {
            me,
            new_recovery_code: None,
        })
        .unwrap();
        assert_eq!(json["status"], "signed_in");
        assert_eq!(json["me"]["user"]["email"], "m@demo.test");
        assert!(json.get("new_recovery_code").is_none());
        let json = serde_json::to_value(SignInOutcome::SecondFactorRequired).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "status": "second_factor_required" })
        );
    }

    #[test]
    fn second_factor_requests_are_tagged_by_method() {
        let req: SecondFactorRequest =
            serde_json::from_str(r#"{"method":"totp","code":"123456"}"#).unwrap();
        assert_eq!(
            req,
            SecondFactorRequest::Totp {
                code: "123456".into()
            }
        );
        let req: SecondFactorRequest =
            serde_json::from_str(r#"{"method":"recovery_code","code":"AAAA-BBBB-CCCC-DDDD"}"#)
                .unwrap();
        assert!(!format!("{req:?}").contains("AAAA"));
    }
}
