//! The JSON contract between the server and the single-page app.
//!
//! Serde only, so it builds for the browser (wasm32) and the server alike.

use serde::{Deserialize, Serialize};

/// Sessions, trusted browsers, activity and the company's audit log.
mod activity;
/// Apps signing in through OpenID Connect.
mod apps;
/// Company administration: policy, readiness, reminders, help examples.
mod company;
/// The error body and its codes.
mod errors;
/// The second factors of a user: kinds, status, allowed methods.
mod factors;
/// Changing a password, and resetting a forgotten one.
mod password;
/// Invitations to join a company.
mod people;
/// Phone numbers, texted codes and the demo outbox.
mod sms;

pub use activity::*;
pub use apps::*;
pub use company::*;
pub use errors::*;
pub use factors::*;
pub use password::*;
pub use people::*;
pub use sms::*;

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
    JoinRequest,
    ChangePasswordRequest,
    ResetPasswordRequest,
    RecoveryCodeText,
    SecondFactorRequest,
    SecondFactorAnswer,
    ReauthRequest,
    TotpEnrollment,
    ConfirmTotpRequest,
    StartPhoneRequest,
    ConfirmPhoneRequest,
);

/// A recovery code as shown to its owner (XXXX-XXXX-XXXX-XXXX).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct RecoveryCodeText(pub String);

/// `POST /api/sign-in/second-factor`, with the partial session of a sign-in:
/// the answer (`"method"` and `"code"`), and whether to trust this browser.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorRequest {
    #[serde(flatten)]
    pub answer: SecondFactorAnswer,
    /// "Don't ask again on this browser for N days".
    #[serde(default)]
    pub remember: bool,
}

/// The answer of a second step.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SecondFactorAnswer {
    Totp {
        code: String,
    },
    /// The code texted by `POST /api/sign-in/second-factor/sms`.
    Sms {
        code: String,
    },
    RecoveryCode {
        code: String,
    },
}

/// `POST /api/reauth`: confirm the current password for sensitive actions.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReauthRequest {
    pub password: String,
}

/// `GET /api/reauth`: whether the password was confirmed recently enough
/// for sensitive actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReauthStatus {
    /// Unix seconds until which sensitive actions are allowed; `None` when
    /// the password must be confirmed first.
    pub valid_until: Option<i64>,
}

/// `GET /api/sign-in/second-factor`: the factors offered at this sign-in's
/// second step, the preferred one first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecondFactorOptions {
    pub factors: Vec<SignInFactor>,
    /// For how many days "Don't ask again on this browser" trusts it (0:
    /// not offered).
    #[serde(default)]
    pub remember_days: i64,
}

/// `POST /api/factors/totp`: a pending authenticator, to scan and confirm.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrollment {
    pub factor_id: i64,
    /// `otpauth://totp/...`, for the QR code.
    pub otpauth_uri: String,
    /// The same secret in base32, for typing in by hand.
    pub secret: String,
}

/// `POST /api/factors/totp/confirm`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfirmTotpRequest {
    pub code: String,
}

/// After confirming an authenticator, or generating a new recovery code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactorChange {
    pub me: Me,
    /// Present when a new recovery code was made: show it, once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_code: Option<RecoveryCodeText>,
    /// The factor just confirmed, when one was (to name a new passkey).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor_id: Option<i64>,
}

/// `PUT /api/factors/{id}/name`: a passkey's new name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenameFactor {
    pub name: String,
}

/// `POST /api/sign-in`: sign in with email and password.
///
/// `Debug` is written by hand so the password can never reach a log line.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
    /// The language the app is shown in (`en`, `fr`): emails follow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// `PUT /api/me/language`: the language the person reads the app (and
/// their emails) in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LanguageRequest {
    pub language: String,
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    SecondFactorRequired {
        /// The user's factors, the preferred one first.
        #[serde(default)]
        factors: Vec<SignInFactor>,
    },
}

/// A factor offered at the second step of sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInFactor {
    pub id: i64,
    pub kind: FactorKind,
    /// The masked phone number of a phone factor.
    pub label: Option<String>,
}

/// `GET /api/me`: the signed-in user, what they belong to, and how far
/// their session may go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: User,
    /// Companies the user belongs to, with their role in each.
    pub memberships: Vec<Membership>,
    /// What this session may do (see [`SessionStage`]).
    pub stage: SessionStage,
    pub two_factor: TwoFactorStatus,
    /// Offer a passkey ("Sign in faster and more safely with a passkey"):
    /// this session signed in with a password and a code, the person has
    /// no passkey, and did not answer "Not now" in the last 30 days.
    #[serde(default)]
    pub passkey_offer: bool,
}

impl Me {
    /// The company the UI shows: users of this product belong to one company.
    pub fn primary_membership(&self) -> Option<&Membership> {
        self.memberships.first()
    }
}

/// How far a session has got. Decided by the server at sign-in; every
/// endpoint checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// The password was right; the second factor is due. Only the second
    /// step (and sign-out) is allowed.
    SecondFactorPending,
    /// MFA is required and no factor is set up: only `/api/me`,
    /// re-authentication, enrolling a factor and sign-out are allowed;
    /// everything else answers 403 `mfa_enrollment_required`.
    MustEnroll,
    /// Fully signed in.
    Full,
}

/// Whether the user must have a second factor, and why.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MfaRequirement {
    /// The user may add a factor, or not.
    #[default]
    Optional,
    /// The user must keep at least one factor.
    Required { because: RequiredBecause },
}

impl MfaRequirement {
    pub fn is_required(self) -> bool {
        matches!(self, Self::Required { .. })
    }
}

/// Why MFA is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequiredBecause {
    /// A member of a payments product: always required.
    Payee,
    /// A company the user belongs to requires it.
    CompanyPolicy,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Company {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Member,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub company: Company,
    pub role: Role,
    /// A member of the company's payments product: MFA is always required.
    pub payee: bool,
}

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
            language: None,
        };
        let shown = format!("{req:?}");
        assert!(shown.contains("a@b.test"));
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn sign_in_outcome_is_tagged_by_status() {
        let me = Me {
            passkey_offer: false,
            user: User {
                id: 1,
                email: "m@demo.test".into(),
                name: "M".into(),
            },
            memberships: vec![],
            stage: SessionStage::Full,
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
        let json =
            serde_json::to_value(SignInOutcome::SecondFactorRequired { factors: vec![] }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "status": "second_factor_required", "factors": [] })
        );
        let older: SignInOutcome =
            serde_json::from_str(r#"{"status":"second_factor_required"}"#).unwrap();
        assert_eq!(
            older,
            SignInOutcome::SecondFactorRequired { factors: vec![] }
        );
    }

    #[test]
    fn second_factor_requests_are_tagged_by_method() {
        let req: SecondFactorRequest =
            serde_json::from_str(r#"{"method":"totp","code":"123456"}"#).unwrap();
        assert_eq!(
            req,
            SecondFactorRequest {
                answer: SecondFactorAnswer::Totp {
                    code: "123456".into()
                },
                remember: false,
            }
        );
        let remembered: SecondFactorRequest =
            serde_json::from_str(r#"{"method":"sms","code":"123456","remember":true}"#).unwrap();
        assert!(remembered.remember);
        assert_eq!(
            serde_json::to_value(&remembered).unwrap(),
            serde_json::json!({ "method": "sms", "code": "123456", "remember": true })
        );
        let req: SecondFactorRequest =
            serde_json::from_str(r#"{"method":"recovery_code","code":"AAAA-BBBB-CCCC-DDDD"}"#)
                .unwrap();
        assert!(!format!("{req:?}").contains("AAAA"));
    }

    #[test]
    fn error_codes_keep_their_wire_names() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"code":"validation_failed","message":"m","locked_until":5}"#)
                .unwrap();
        assert_eq!(body.code, ErrorCode::ValidationFailed);
        assert_eq!(
            serde_json::to_value(ErrorCode::MfaEnrollmentRequired).unwrap(),
            "mfa_enrollment_required"
        );
        assert_eq!(
            serde_json::to_value(ErrorCode::TooManyAttempts).unwrap(),
            "too_many_attempts"
        );
        let newer: ErrorBody =
            serde_json::from_str(r#"{"code":"from_the_future","message":"m"}"#).unwrap();
        assert_eq!(newer.code, ErrorCode::Unknown);
    }

    #[test]
    fn requirement_and_stage_are_tagged_for_the_wire() {
        let required = MfaRequirement::Required {
            because: RequiredBecause::Payee,
        };
        assert_eq!(
            serde_json::to_value(required).unwrap(),
            serde_json::json!({ "status": "required", "because": "payee" })
        );
        assert!(required.is_required());
        assert!(!MfaRequirement::Optional.is_required());
        assert_eq!(
            serde_json::to_value(SessionStage::MustEnroll).unwrap(),
            "must_enroll"
        );
        assert_eq!(
            serde_json::to_value(FactorKind::AuthenticatorApp).unwrap(),
            "authenticator_app"
        );
        assert_eq!(serde_json::to_value(FactorKind::Sms).unwrap(), "sms");
    }

    #[test]
    fn sms_countries_are_the_thirteen_and_payees_get_the_us() {
        assert_eq!(SMS_COUNTRIES.len(), 13);
        assert_eq!(SmsCountryInfo::find("fr").unwrap().calling_code, 33);
        assert_eq!(SmsCountryInfo::find("FR").unwrap().name("fr"), "France");
        assert_eq!(SmsCountryInfo::find("DE").unwrap().name("fr"), "Allemagne");
        assert!(SmsCountryInfo::find("CI").is_none());
        for iso in PAYEE_SMS_COUNTRIES {
            assert!(SmsCountryInfo::find(iso).is_some());
        }
    }
}
