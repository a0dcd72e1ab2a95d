//! The one error type of the API. Services return their own error enums; one
//! `From` impl per enum turns each into an [`ErrorCode`], and one table
//! ([`status`]) gives each code its HTTP status. Every error becomes a JSON
//! body `{"code": ..., "message": ...}`; a 5xx is logged with its cause and
//! tells the client nothing more.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mfa_api::{ErrorBody, ErrorCode, FactorKind, PasswordFeedback};

use crate::domain::access::Denied;
use crate::services::company_policy::PolicyError;
use crate::services::factors::FactorError;
use crate::services::phone::TextError;
use crate::services::profile::ProfileError;
use crate::services::reauth::ReauthError;
use crate::services::recovery::RecoveryError;
use crate::services::session::SessionError;
use crate::services::sign_in::SignInError;
use crate::services::{Locked, Refused};
use crate::sms::SendError;

/// The errors of the services about people and passwords.
mod accounts;
/// The errors of the apps service.
mod apps;
/// The errors of checking a factor's answer (second step, enrollment).
mod factors;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client's fault: shown to the client as is.
    #[error("{code:?}: {message}")]
    Client { code: ErrorCode, message: String },
    /// Too many wrong answers: checks are locked for a while.
    #[error("too many attempts; locked until {}", .0.until)]
    TooManyAttempts(Locked),
    /// A chosen password is refused, with zxcvbn's feedback when it spoke.
    #[error("weak password: {message}")]
    WeakPassword {
        message: String,
        feedback: Option<PasswordFeedback>,
    },
    /// A company's members were told of a new date too often today.
    #[error("too many deadline announcements; allowed again at {}", .0.until)]
    TooManyAnnouncements(Locked),
    /// A wrong code at enrollment whose clock seems off by so many minutes.
    #[error("wrong code; the clock seems {0} minutes off")]
    ClockDrift(i64),
    /// The client's fault or a passing failure: try again after `wait` seconds.
    #[error("{code:?}: {message} (retry after {wait} s)")]
    RetryLater {
        code: ErrorCode,
        message: String,
        wait: i64,
    },
    /// Ours: logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The HTTP status of each error code: the one table.
pub fn status(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        BadRequest => StatusCode::BAD_REQUEST,
        InvalidCredentials | Unauthenticated | SecondFactorRequired => StatusCode::UNAUTHORIZED,
        CsrfRejected
        | ReauthRequired
        | MfaEnrollmentRequired
        | RecoveryCodeRequired
        | SmsUnavailableForCountry
        | MethodNotAllowedByCompany
        | Forbidden => StatusCode::FORBIDDEN,
        NotFound => StatusCode::NOT_FOUND,
        HostNotAllowed => StatusCode::MISDIRECTED_REQUEST,
        MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        NoPendingEnrollment
        | FactorRequired
        | NotEnrolled
        | AdminNotEnrolled
        | AlreadyMember
        | AlreadyInvited
        | AccountExists
        | LastAdmin
        | PasskeyAlreadyRegistered
        | PasskeysUnavailable => StatusCode::CONFLICT,
        PasskeyUnknown => StatusCode::UNAUTHORIZED,
        PasskeyCeremonyExpired => StatusCode::GONE,
        PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ValidationFailed | WrongPassword | WrongCode | CodeAlreadyUsed | InvalidPhoneNumber
        | SmsNumberRejected | CodeExpired | WeakPassword | PasskeyRefused => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        LinkExpired => StatusCode::GONE,
        TooManyAttempts | TooManyTexts => StatusCode::TOO_MANY_REQUESTS,
        InternalError | Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        Busy | SmsProviderUnavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The English message of each code (the SPA shows its own translation).
fn message(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        InvalidCredentials => "The email or password is incorrect.",
        Unauthenticated => "Sign in first.",
        CsrfRejected => "This request did not come from this site's own pages.",
        HostNotAllowed => "This server does not answer for that host name.",
        BadRequest => "The request could not be read.",
        ValidationFailed => "A field's value is not valid.",
        NotFound => "There is nothing here.",
        MethodNotAllowed => "This method is not allowed here.",
        PayloadTooLarge => "The request is too large.",
        UnsupportedMediaType => "Send JSON (Content-Type: application/json).",
        SecondFactorRequired => "Enter the code from your second factor to finish signing in.",
        MfaEnrollmentRequired => {
            "Set up two-factor authentication first: it is required for your account."
        }
        ReauthRequired => "Confirm your password to continue.",
        WrongPassword => "That password is not correct.",
        WrongCode => "That code is not valid.",
        CodeAlreadyUsed => "That code was already used. Wait for the next one.",
        TooManyAttempts => "Too many wrong attempts.",
        RecoveryCodeRequired => {
            "Too many wrong codes: sign in with your recovery code, then check your second-factor methods."
        }
        NoPendingEnrollment => "Start adding the method again.",
        FactorRequired => {
            "Two-factor authentication is required for your account: add another method before removing this one."
        }
        NotEnrolled => "Set up two-factor authentication first.",
        SmsUnavailableForCountry => {
            "Codes by text message are not available for that country on your account. Use an authenticator app instead."
        }
        InvalidPhoneNumber => "That is not a mobile number of the chosen country.",
        TooManyTexts => "Too many text messages were sent. Wait before asking for another code.",
        SmsProviderUnavailable => {
            "The text message service is not answering right now. Please try again in a moment."
        }
        SmsNumberRejected => {
            "The text message service cannot deliver to this number. Check it, or use an authenticator app."
        }
        CodeExpired => "This code is no longer valid. Send a new one.",
        Forbidden => "Only the company's admins may do this.",
        AdminNotEnrolled => {
            "Set up two-factor authentication for yourself first: an admin who requires it without having it could be locked out."
        }
        WeakPassword => "Choose a password of 8 to 128 characters that is hard to guess.",
        LinkExpired => {
            "This link no longer works: it expired, was used, or a newer one replaced it. Ask for a new one."
        }
        AlreadyMember => "This person is a member of the company already.",
        AlreadyInvited => {
            "An invitation to this address is waiting already: resend it from the list instead."
        }
        AccountExists => "An account has this email already: sign in to accept the invitation.",
        LastAdmin => "The company needs at least one admin: make someone else an admin first.",
        MethodNotAllowedByCompany => "Your company does not allow this method: use another one.",
        PasskeyRefused => "That passkey was not accepted. Try again, or use another method.",
        PasskeyUnknown => {
            "That passkey is not registered here. Sign in with your email and password instead."
        }
        PasskeyAlreadyRegistered => "That passkey is registered already.",
        PasskeyCeremonyExpired => "The passkey request expired. Please try again.",
        PasskeysUnavailable => {
            "Passkeys work only when this site is opened by its name, not by an IP address."
        }
        InternalError | Unknown => "Something went wrong on our side. Please try again.",
        Busy => "The server is busy. Please try again in a moment.",
    }
}

impl ApiError {
    /// The code with its standard message.
    pub fn code(code: ErrorCode) -> Self {
        Self::Client {
            code,
            message: message(code).to_owned(),
        }
    }

    /// Input that parsed as JSON but does not make sense (422), saying why.
    pub fn validation(reason: impl std::fmt::Display) -> Self {
        Self::Client {
            code: ErrorCode::ValidationFailed,
            message: reason.to_string(),
        }
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::code(code)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(e).context("database"))
    }
}

/// Malformed JSON, missing fields and wrong types, as our JSON errors.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let code = match rejection.status() {
            StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::ValidationFailed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            _ => ErrorCode::BadRequest,
        };
        // serde's message names the field and the expected type. It may quote
        // the client's own input back to that client, and 4xx bodies are never
        // logged, so nothing leaks.
        Self::Client {
            code,
            message: rejection.body_text(),
        }
    }
}

/// A path parameter that does not parse (`/api/factors/abc`).
impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::Client {
            code: ErrorCode::BadRequest,
            message: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::Client {
            code: ErrorCode::BadRequest,
            message: rejection.body_text(),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Locked(locked) => Self::TooManyAttempts(locked),
            Refused::Closed => Self::code(ErrorCode::RecoveryCodeRequired),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        Self::code(match denied {
            Denied::SecondFactorPending => ErrorCode::SecondFactorRequired,
            Denied::MustEnroll => ErrorCode::MfaEnrollmentRequired,
            Denied::NotPending => ErrorCode::Unauthenticated,
        })
    }
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::NotSignedIn => Self::code(ErrorCode::Unauthenticated),
            SessionError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<ProfileError> for ApiError {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::NoUser => Self::code(ErrorCode::Unauthenticated),
            ProfileError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<SignInError> for ApiError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::InvalidCredentials => Self::code(ErrorCode::InvalidCredentials),
            SignInError::Throttled(locked) => Self::TooManyAttempts(locked),
            SignInError::Busy => Self::code(ErrorCode::Busy),
            SignInError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<ReauthError> for ApiError {
    fn from(e: ReauthError) -> Self {
        match e {
            ReauthError::WrongPassword => Self::code(ErrorCode::WrongPassword),
            ReauthError::Refused(refused) => refused.into(),
            ReauthError::NoUser => Self::code(ErrorCode::Unauthenticated),
            ReauthError::Busy => Self::code(ErrorCode::Busy),
            ReauthError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<RecoveryError> for ApiError {
    fn from(e: RecoveryError) -> Self {
        match e {
            RecoveryError::NotEnrolled => Self::code(ErrorCode::NotEnrolled),
            RecoveryError::Busy => Self::code(ErrorCode::Busy),
            RecoveryError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<FactorError> for ApiError {
    fn from(e: FactorError) -> Self {
        match e {
            FactorError::NotFound => Self::code(ErrorCode::NotFound),
            FactorError::FactorRequired => Self::code(ErrorCode::FactorRequired),
            FactorError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<PolicyError> for ApiError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Forbidden => Self::code(ErrorCode::Forbidden),
            PolicyError::AdminNotEnrolled => Self::code(ErrorCode::AdminNotEnrolled),
            PolicyError::Date(why) => Self::validation(why),
            PolicyError::GraceDays
            | PolicyError::TrustedDays
            | PolicyError::NoDeadline
            | PolicyError::NoMethod => Self::validation(e),
            PolicyError::NotAMember => Self::code(ErrorCode::NotFound),
            PolicyError::TooManyAnnouncements(locked) => Self::TooManyAnnouncements(locked),
            PolicyError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<TextError> for ApiError {
    fn from(e: TextError) -> Self {
        let retry = |code, message: &str, wait| Self::RetryLater {
            code,
            message: message.to_owned(),
            wait,
        };
        match e {
            TextError::UnavailableForCountry => Self::code(ErrorCode::SmsUnavailableForCountry),
            TextError::InvalidNumber(why) => Self::Client {
                code: ErrorCode::InvalidPhoneNumber,
                message: why.to_string(),
            },
            TextError::NoPendingEnrollment => factors::start_again(FactorKind::Sms),
            TextError::NotEnrolled => factors::not_enrolled(FactorKind::Sms),
            TextError::MethodNotAllowed => factors::not_allowed(FactorKind::Sms),
            TextError::TooManyTexts { wait } => retry(
                ErrorCode::TooManyTexts,
                message(ErrorCode::TooManyTexts),
                wait,
            ),
            TextError::Provider {
                error: SendError::Rejected(_),
                ..
            } => Self::code(ErrorCode::SmsNumberRejected),
            TextError::Provider {
                error: SendError::TimedOut,
                wait,
            } => retry(
                ErrorCode::SmsProviderUnavailable,
                "The text message service did not answer in time. The text may still arrive; if it does not, ask for a new code when the wait is over.",
                wait,
            ),
            TextError::Provider { wait, .. } => retry(
                ErrorCode::SmsProviderUnavailable,
                message(ErrorCode::SmsProviderUnavailable),
                wait,
            ),
            TextError::Internal(e) => Self::Internal(e),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Client {
                code: ErrorCode::Busy,
                message,
            } => {
                let mut response = simple(ErrorCode::Busy, message);
                retry_after(&mut response, 1);
                response
            }
            Self::Client { code, message } => simple(code, message),
            Self::TooManyAttempts(locked) => {
                too_many_attempts(locked, "Too many wrong attempts. Try again after {when}.")
            }
            Self::WeakPassword { message, feedback } => body(ErrorBody {
                code: ErrorCode::WeakPassword,
                message,
                locked_until: None,
                retry_after: None,
                clock_drift_minutes: None,
                password_feedback: feedback,
            }),
            Self::TooManyAnnouncements(locked) => too_many_attempts(
                locked,
                "Members were told of a new enforcement date three times today already. Try again after {when}.",
            ),
            Self::ClockDrift(minutes) => body(ErrorBody {
                code: ErrorCode::WrongCode,
                message: format!(
                    "That code is not valid now. Your phone's clock seems to be off by about {} minute(s): set it to automatic time and try a new code.",
                    minutes.abs()
                ),
                locked_until: None,
                retry_after: None,
                clock_drift_minutes: Some(minutes),
                password_feedback: None,
            }),
            Self::RetryLater {
                code,
                message,
                wait,
            } => {
                let wait = wait.max(1);
                let mut response = body(ErrorBody {
                    code,
                    message,
                    locked_until: None,
                    retry_after: Some(wait),
                    clock_drift_minutes: None,
                    password_feedback: None,
                });
                retry_after(&mut response, wait);
                response
            }
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                internal_error_response()
            }
        }
    }
}

/// 429 saying when checks unlock, in the body and in `Retry-After`;
/// `{when}` in `message` becomes that time.
fn too_many_attempts(locked: Locked, message: &str) -> Response {
    let when = time::OffsetDateTime::from_unix_timestamp(locked.until)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    let mut response = body(ErrorBody {
        code: ErrorCode::TooManyAttempts,
        message: message.replace("{when}", &when),
        locked_until: Some(locked.until),
        retry_after: None,
        clock_drift_minutes: None,
        password_feedback: None,
    });
    retry_after(&mut response, locked.wait.max(1));
    response
}

/// The only thing a client learns about a server fault.
pub fn internal_error_response() -> Response {
    let code = ErrorCode::InternalError;
    simple(code, message(code).to_owned())
}

fn simple(code: ErrorCode, message: String) -> Response {
    body(ErrorBody {
        code,
        message,
        locked_until: None,
        retry_after: None,
        clock_drift_minutes: None,
        password_feedback: None,
    })
}

fn body(error: ErrorBody) -> Response {
    (status(error.code), Json(error)).into_response()
}

fn retry_after(response: &mut Response, seconds: i64) {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_their_statuses() {
        assert_eq!(
            status(ErrorCode::InvalidCredentials),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(ErrorCode::MfaEnrollmentRequired),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            status(ErrorCode::WrongCode),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(status(ErrorCode::FactorRequired), StatusCode::CONFLICT);
        assert_eq!(
            status(ErrorCode::TooManyAttempts),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(status(ErrorCode::BadRequest), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn busy_is_a_503_that_says_when_to_retry() {
        let response = ApiError::code(ErrorCode::Busy).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
