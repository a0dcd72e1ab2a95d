//! How the apps service answers.

use mfa_api::ErrorCode;

use super::ApiError;
use crate::services::apps::AppsError;

impl From<AppsError> for ApiError {
    fn from(e: AppsError) -> Self {
        match e {
            AppsError::Forbidden => Self::code(ErrorCode::Forbidden),
            AppsError::NotFound => Self::code(ErrorCode::NotFound),
            AppsError::Name
            | AppsError::NoRedirectUri
            | AppsError::Uri(_)
            | AppsError::NoSecret => {
                let mut message = e.to_string();
                if let Some(first) = message.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                Self::validation(format!("{message}."))
            }
            AppsError::Internal(e) => Self::Internal(e),
        }
    }
}
