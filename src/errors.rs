//! The message a person reads for an API error, in their language.

use mfa_api::codes;

use crate::api::{ApiError, NETWORK};
use crate::dates::format_time;
use crate::i18n::{Locale, td_string};

pub fn error_text(locale: Locale, error: &ApiError) -> String {
    match error.code.as_str() {
        codes::INVALID_CREDENTIALS => td_string!(locale, error_invalid_credentials).to_string(),
        codes::WRONG_CODE | codes::VALIDATION => td_string!(locale, error_wrong_code).to_string(),
        codes::CODE_ALREADY_USED => td_string!(locale, error_code_already_used).to_string(),
        codes::WRONG_PASSWORD => td_string!(locale, error_wrong_password).to_string(),
        codes::TOO_MANY_ATTEMPTS => {
            let time = error
                .locked_until
                .map(|t| format_time(locale, t))
                .unwrap_or_default();
            td_string!(locale, error_too_many_attempts, time = time).to_string()
        }
        codes::FACTOR_REQUIRED => td_string!(locale, error_factor_required).to_string(),
        codes::UNAUTHENTICATED => td_string!(locale, error_session_expired).to_string(),
        codes::NO_PENDING_ENROLLMENT => td_string!(locale, error_restart_enrollment).to_string(),
        NETWORK => td_string!(locale, error_network).to_string(),
        _ => td_string!(locale, error_generic).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str) -> ApiError {
        ApiError {
            status: 422,
            code: code.into(),
            locked_until: None,
        }
    }

    #[test]
    fn known_codes_get_their_own_words() {
        assert_eq!(
            error_text(Locale::en, &error("invalid_credentials")),
            "The email or password is incorrect."
        );
        assert_eq!(
            error_text(Locale::fr, &error("invalid_credentials")),
            "L'adresse e-mail ou le mot de passe est incorrect."
        );
        assert!(error_text(Locale::en, &error("network")).contains("could not be reached"));
        assert!(error_text(Locale::en, &error("wrong_code")).starts_with("That code is not valid"));
        assert!(error_text(Locale::en, &error("code_already_used")).contains("already used"));
    }

    #[test]
    fn a_lockout_says_until_when() {
        let locked = ApiError {
            status: 429,
            code: "too_many_attempts".into(),
            locked_until: Some(1_795_824_000 + 7 * 3600 + 15 * 60),
        };
        let text = error_text(Locale::en, &locked);
        assert!(text.starts_with("Too many wrong attempts"), "{text}");
        assert!(text.contains("07:15"), "{text}");
    }

    #[test]
    fn unknown_codes_get_a_generic_message() {
        assert_eq!(
            error_text(Locale::en, &error("internal_error")),
            "Something went wrong. Please try again."
        );
    }
}
