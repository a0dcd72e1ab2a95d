//! The body of every error the API answers with, and its codes.

use serde::{Deserialize, Serialize};

use crate::PasswordFeedback;

/// Every error the API returns has this body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable, machine-readable: the SPA matches on it.
    pub code: ErrorCode,
    /// Human-readable, in English; the SPA shows its own translation by code.
    pub message: String,
    /// With `too_many_attempts`: when checks unlock (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
    /// With a retryable error (`too_many_texts`, `sms_provider_unavailable`):
    /// seconds to wait, as in the `Retry-After` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
    /// With `wrong_code` when confirming a new authenticator: the code
    /// would be right with a clock this many minutes ahead (negative:
    /// behind). Never at sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_drift_minutes: Option<i64>,
    /// With `weak_password`: why the password is easy to guess, and what
    /// would help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_feedback: Option<PasswordFeedback>,
}

/// Every error code the API answers with, as the snake_case string of the
/// body's `code`. The server answers with these and the SPA matches on them
/// exhaustively, so a new code cannot go unhandled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidCredentials,
    Unauthenticated,
    CsrfRejected,
    /// The request's `Host` is not the product's public host.
    HostNotAllowed,
    BadRequest,
    /// Input that parsed but does not make sense (a field's value).
    ValidationFailed,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    InternalError,
    /// Too many requests are waiting for a password check: retry shortly.
    Busy,
    /// The session is waiting for its second factor.
    SecondFactorRequired,
    /// MFA is required and not set up yet: only enrolling is allowed.
    MfaEnrollmentRequired,
    /// Confirm the password first (`POST /api/reauth`), then retry.
    ReauthRequired,
    WrongPassword,
    WrongCode,
    /// A right code whose time step was already used: wait for the next one.
    CodeAlreadyUsed,
    TooManyAttempts,
    /// Too many wrong codes since the last success: only the recovery code
    /// signs in now (and reopens the codes).
    RecoveryCodeRequired,
    NoPendingEnrollment,
    /// MFA is required for this user: the last factor cannot go.
    FactorRequired,
    /// The action needs two-factor authentication to be set up.
    NotEnrolled,
    /// Text messages are not offered for that country (or not to this user).
    SmsUnavailableForCountry,
    /// Not a phone number of the chosen country that can receive texts.
    InvalidPhoneNumber,
    /// A texting limit was reached (resend too soon, per hour, per day):
    /// `Retry-After` says when.
    TooManyTexts,
    /// The text message service failed or did not answer: retry later.
    SmsProviderUnavailable,
    /// The text message service refused to deliver to this number.
    SmsNumberRejected,
    /// The texted code expired, was used, or was tried too often: send a new one.
    CodeExpired,
    /// Only a company's admins may do this.
    Forbidden,
    /// An admin must set up two-factor authentication before requiring it.
    AdminNotEnrolled,
    /// A chosen password is too short, too long, or too easy to guess
    /// (`password_feedback` says why, when zxcvbn did).
    WeakPassword,
    /// A link (password reset) that expired, was used, or was replaced.
    LinkExpired,
    /// Already a member of this company (an invitation, say).
    AlreadyMember,
    /// An invitation to this address is waiting already.
    AlreadyInvited,
    /// An account has this email: sign in to accept the invitation.
    AccountExists,
    /// The company's last admin cannot be removed or made a member.
    LastAdmin,
    /// The company does not allow this method (any more): use another.
    MethodNotAllowedByCompany,
    /// The passkey's signature was not accepted (or its count went back).
    PasskeyRefused,
    /// "Sign in with a passkey" with a passkey no account here holds.
    PasskeyUnknown,
    /// That passkey is registered already (to this account or another).
    PasskeyAlreadyRegistered,
    /// The passkey request expired or was used: start again.
    PasskeyCeremonyExpired,
    /// The server's public URL is an IP address: browsers refuse passkeys
    /// there (open it by its host name).
    PasskeysUnavailable,
    /// A code this client does not know (a newer server).
    #[serde(other)]
    Unknown,
}
