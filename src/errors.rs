//! The message a person reads for an API error, in their language.

use mfa_api::codes;

use crate::api::{ApiError, NETWORK};
use crate::i18n::{Locale, td_string};

pub fn error_text(locale: Locale, error: &ApiError) -> String {
    match error.code.as_str() {
        codes::INVALID_CREDENTIALS => td_string!(locale, error_invalid_credentials).to_string(),
        NETWORK => td_string!(locale, error_network).to_string(),
        _ => td_string!(locale, error_generic).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str) -> ApiError {
        ApiError {
            status: 401,
            code: code.into(),
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
    }

    #[test]
    fn unknown_codes_get_a_generic_message() {
        assert_eq!(
            error_text(Locale::en, &error("internal_error")),
            "Something went wrong. Please try again."
        );
    }
}
