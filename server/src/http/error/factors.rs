//! How checking a factor's answer answers (the second step of sign-in and
//! confirming a new factor), naming the kind of factor concerned.

use mfa_api::{ErrorCode, FactorKind};

use super::ApiError;
use crate::services::answer::CheckError;

impl From<CheckError> for ApiError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::NotEnrolled(kind) => not_enrolled(kind),
            CheckError::NoPendingEnrollment(kind) => start_again(kind),
            CheckError::WrongCode => Self::code(ErrorCode::WrongCode),
            // Rounded to whole minutes (a step is 30 s), at least one.
            CheckError::ClockDrift { steps } => {
                let minutes = (steps.abs() + 1) / 2;
                Self::ClockDrift(minutes.max(1) * steps.signum())
            }
            CheckError::CodeAlreadyUsed => Self::code(ErrorCode::CodeAlreadyUsed),
            CheckError::CodeExpired => Self::code(ErrorCode::CodeExpired),
            CheckError::MethodNotAllowed(kind) => not_allowed(kind),
            CheckError::PasskeyRefused => Self::code(ErrorCode::PasskeyRefused),
            CheckError::PasskeyUnknown => Self::code(ErrorCode::PasskeyUnknown),
            CheckError::CredentialInUse => Self::code(ErrorCode::PasskeyAlreadyRegistered),
            CheckError::CeremonyExpired => Self::code(ErrorCode::PasskeyCeremonyExpired),
            CheckError::PasskeysUnavailable => Self::code(ErrorCode::PasskeysUnavailable),
            CheckError::Refused(refused) => refused.into(),
            CheckError::Busy => Self::code(ErrorCode::Busy),
            CheckError::Internal(e) => Self::Internal(e),
        }
    }
}

/// What a factor of `kind` is called in a message.
fn named(kind: FactorKind) -> &'static str {
    match kind {
        FactorKind::AuthenticatorApp => "authenticator app",
        FactorKind::Sms => "phone number",
        FactorKind::Passkey => "passkey",
    }
}

/// The user has no factor of `kind` (at the second step).
pub(super) fn not_enrolled(kind: FactorKind) -> ApiError {
    ApiError::Client {
        code: ErrorCode::NotEnrolled,
        message: format!(
            "No {} is set up: use another method or your recovery code.",
            named(kind)
        ),
    }
}

/// A company of the user does not allow `kind`.
pub(super) fn not_allowed(kind: FactorKind) -> ApiError {
    ApiError::Client {
        code: ErrorCode::MethodNotAllowedByCompany,
        message: format!(
            "Your company does not allow the {}: use another method.",
            named(kind)
        ),
    }
}

/// Nothing of `kind` waits to be confirmed: adding it starts again.
pub(super) fn start_again(kind: FactorKind) -> ApiError {
    ApiError::Client {
        code: ErrorCode::NoPendingEnrollment,
        message: format!("Start adding the {} again.", named(kind)),
    }
}

#[cfg(test)]
mod tests {
    use mfa_api::FactorKind;

    use super::{not_enrolled, start_again};
    use crate::http::error::ApiError;

    fn message(error: ApiError) -> String {
        match error {
            ApiError::Client { message, .. } => message,
            other => panic!("not a client error: {other:?}"),
        }
    }

    #[test]
    fn messages_name_the_kind_of_factor_concerned() {
        assert_eq!(
            message(start_again(FactorKind::Sms)),
            "Start adding the phone number again."
        );
        assert_eq!(
            message(start_again(FactorKind::AuthenticatorApp)),
            "Start adding the authenticator app again."
        );
        assert!(message(not_enrolled(FactorKind::Sms)).starts_with("No phone number is set up"));
        assert!(
            message(not_enrolled(FactorKind::AuthenticatorApp))
                .starts_with("No authenticator app is set up")
        );
    }
}
