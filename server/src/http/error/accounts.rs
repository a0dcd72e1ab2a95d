//! How the services about people and passwords answer: invitations,
//! imports, members, passwords.

use mfa_api::{ErrorCode, PasswordFeedback};

use super::ApiError;
use crate::domain::password::PasswordRejected;
use crate::services::import::ImportError;
use crate::services::invitations::InviteError;
use crate::services::members::MembersError;
use crate::services::password::PasswordError;

/// A chosen password refused, with zxcvbn's reasons when it gave some.
fn weak_password(rejected: PasswordRejected) -> ApiError {
    let feedback = match &rejected {
        PasswordRejected::Guessable(f) => Some(PasswordFeedback {
            warning: f.warning.map(str::to_owned),
            suggestions: f.suggestions.iter().map(|s| (*s).to_owned()).collect(),
        }),
        PasswordRejected::TooShort | PasswordRejected::TooLong => None,
    };
    let mut message = rejected.to_string();
    if let Some(first) = message.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    ApiError::WeakPassword {
        message: format!("{message}."),
        feedback,
    }
}

impl From<MembersError> for ApiError {
    fn from(e: MembersError) -> Self {
        match e {
            MembersError::Forbidden => Self::code(ErrorCode::Forbidden),
            MembersError::NotFound => Self::code(ErrorCode::NotFound),
            MembersError::LastAdmin => Self::code(ErrorCode::LastAdmin),
            MembersError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::File(why) => Self::validation(why),
            ImportError::Invite(e) => e.into(),
        }
    }
}

impl From<InviteError> for ApiError {
    fn from(e: InviteError) -> Self {
        match e {
            InviteError::Forbidden => Self::code(ErrorCode::Forbidden),
            InviteError::AlreadyMember => Self::code(ErrorCode::AlreadyMember),
            InviteError::AlreadyInvited => Self::code(ErrorCode::AlreadyInvited),
            InviteError::NotFound => Self::code(ErrorCode::NotFound),
            InviteError::LinkExpired => Self::code(ErrorCode::LinkExpired),
            InviteError::AccountExists => Self::code(ErrorCode::AccountExists),
            InviteError::WrongAccount => Self::Client {
                code: ErrorCode::Forbidden,
                message: "This invitation is for another address.".to_owned(),
            },
            InviteError::Name | InviteError::CompanyExists => Self::validation(e),
            InviteError::Rejected(rejected) => weak_password(rejected),
            InviteError::Busy => Self::code(ErrorCode::Busy),
            InviteError::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<PasswordError> for ApiError {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Rejected(rejected) => weak_password(rejected),
            PasswordError::WrongPassword => Self::code(ErrorCode::WrongPassword),
            PasswordError::Refused(refused) => refused.into(),
            PasswordError::LinkExpired => Self::code(ErrorCode::LinkExpired),
            PasswordError::NoUser => Self::code(ErrorCode::Unauthenticated),
            PasswordError::Busy => Self::code(ErrorCode::Busy),
            PasswordError::Internal(e) => Self::Internal(e),
        }
    }
}
