//! A user's second factors as the app shows them: the kinds, each factor,
//! the Password & Security tab's status, and the methods allowed.

use serde::{Deserialize, Serialize};

use crate::MfaRequirement;

/// The user's second factors, as the Password & Security tab shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TwoFactorStatus {
    /// True once at least one factor is confirmed.
    pub enabled: bool,
    pub requirement: MfaRequirement,
    /// Confirmed factors, the preferred one first.
    pub factors: Vec<FactorInfo>,
    /// The active recovery code, if there is one (never the code itself).
    pub recovery_code: Option<RecoveryCodeState>,
    /// The methods this person may add (every one of their companies
    /// allows them).
    #[serde(default = "all_methods")]
    pub allowed_methods: Vec<FactorKind>,
    /// A company's enforcement deadline still ahead, while no factor is set
    /// up (the app's banner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Box<DeadlineNotice>>,
}

/// Nothing set up yet, every method allowed.
impl Default for TwoFactorStatus {
    fn default() -> Self {
        Self {
            enabled: false,
            requirement: MfaRequirement::default(),
            factors: Vec::new(),
            recovery_code: None,
            allowed_methods: all_methods(),
            deadline: None,
        }
    }
}

/// "<company> requires two-factor authentication from <date>: <n> days left."
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineNotice {
    pub company: String,
    /// Unix seconds: 00:00 of `date` in `time_zone`.
    pub deadline: i64,
    /// `YYYY-MM-DD`, as the admin set it.
    pub date: String,
    /// IANA name.
    pub time_zone: String,
    /// Whole days left, a started day counting as one.
    pub days_left: i64,
}

/// Every kind of factor, in the order the app lists them.
pub fn all_methods() -> Vec<FactorKind> {
    vec![
        FactorKind::AuthenticatorApp,
        FactorKind::Sms,
        FactorKind::Passkey,
    ]
}

/// The kinds of second factor. Every kind is listed, counted, removed and
/// preferred the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    /// A TOTP app (RFC 6238).
    AuthenticatorApp,
    /// A phone number that receives codes by text message.
    Sms,
    /// A WebAuthn credential (a passkey): discoverable, user-verifying. A
    /// person may have several, told apart by their names.
    Passkey,
}

/// A confirmed second factor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactorInfo {
    pub id: i64,
    pub kind: FactorKind,
    /// What tells this factor apart from others of its kind (a masked phone
    /// number); none for an authenticator app.
    pub label: Option<String>,
    /// Unix seconds.
    pub added_at: i64,
    /// Unix seconds of the last sign-in with it.
    pub last_used_at: Option<i64>,
    /// The one offered first at sign-in.
    pub preferred: bool,
}

/// The active recovery code's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodeState {
    /// Unix seconds.
    pub created_at: i64,
}
