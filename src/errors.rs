//! The message a person reads for an API error, in their language. The match
//! on [`ErrorCode`] is exhaustive: a code added to the api crate does not
//! compile here until it has its words.

use mfa_api::ErrorCode;

use crate::api::ApiError;
use crate::dates::{format_time, now};
use crate::i18n::{Locale, td_string};
use crate::passkey::PasskeyError;

pub fn error_text(locale: Locale, error: &ApiError) -> String {
    let (code, locked_until) = match error {
        ApiError::Network => return td_string!(locale, error_network).to_string(),
        ApiError::BadResponse { .. } => return td_string!(locale, error_generic).to_string(),
        ApiError::Server {
            code, locked_until, ..
        } => (*code, *locked_until),
    };
    let wait_over = || {
        error
            .retry_after()
            .map(|wait| format_time(locale, now() + wait))
            .unwrap_or_default()
    };
    match code {
        ErrorCode::InvalidCredentials => td_string!(locale, error_invalid_credentials).to_string(),
        ErrorCode::WrongCode => match error.clock_drift_minutes() {
            Some(minutes) => td_string!(
                locale,
                error_clock_drift,
                minutes = minutes.abs().to_string()
            )
            .to_string(),
            None => td_string!(locale, error_wrong_code).to_string(),
        },
        ErrorCode::ValidationFailed => td_string!(locale, error_wrong_code).to_string(),
        ErrorCode::CodeAlreadyUsed => td_string!(locale, error_code_already_used).to_string(),
        ErrorCode::WrongPassword => td_string!(locale, error_wrong_password).to_string(),
        ErrorCode::TooManyAttempts => {
            let time = locked_until
                .map(|t| format_time(locale, t))
                .unwrap_or_default();
            td_string!(locale, error_too_many_attempts, time = time).to_string()
        }
        ErrorCode::RecoveryCodeRequired => {
            td_string!(locale, error_recovery_code_required).to_string()
        }
        ErrorCode::FactorRequired => td_string!(locale, error_factor_required).to_string(),
        ErrorCode::Unauthenticated | ErrorCode::SecondFactorRequired => {
            td_string!(locale, error_session_expired).to_string()
        }
        ErrorCode::NoPendingEnrollment => td_string!(locale, error_restart_enrollment).to_string(),
        ErrorCode::MfaEnrollmentRequired => {
            td_string!(locale, error_enrollment_required).to_string()
        }
        ErrorCode::ReauthRequired => td_string!(locale, error_reauth_required).to_string(),
        ErrorCode::Busy => td_string!(locale, error_busy).to_string(),
        ErrorCode::NotEnrolled => td_string!(locale, error_not_enrolled).to_string(),
        ErrorCode::SmsUnavailableForCountry => {
            td_string!(locale, error_sms_unavailable).to_string()
        }
        ErrorCode::InvalidPhoneNumber => td_string!(locale, error_invalid_phone).to_string(),
        ErrorCode::TooManyTexts => {
            td_string!(locale, error_too_many_texts, time = wait_over()).to_string()
        }
        ErrorCode::SmsProviderUnavailable => td_string!(locale, error_sms_provider).to_string(),
        ErrorCode::SmsNumberRejected => td_string!(locale, error_sms_rejected).to_string(),
        ErrorCode::CodeExpired => td_string!(locale, error_code_expired).to_string(),
        ErrorCode::Forbidden => td_string!(locale, error_forbidden).to_string(),
        ErrorCode::AdminNotEnrolled => td_string!(locale, error_admin_not_enrolled).to_string(),
        ErrorCode::WeakPassword => weak_password_text(locale, error),
        ErrorCode::LinkExpired => td_string!(locale, error_link_expired).to_string(),
        ErrorCode::AlreadyMember => td_string!(locale, error_already_member).to_string(),
        ErrorCode::AlreadyInvited => td_string!(locale, error_already_invited).to_string(),
        ErrorCode::AccountExists => td_string!(locale, error_account_exists).to_string(),
        ErrorCode::LastAdmin => td_string!(locale, error_last_admin).to_string(),
        ErrorCode::MethodNotAllowedByCompany => {
            td_string!(locale, error_method_not_allowed).to_string()
        }
        ErrorCode::PasskeyRefused => td_string!(locale, error_passkey_refused).to_string(),
        ErrorCode::PasskeyUnknown => td_string!(locale, error_passkey_unknown).to_string(),
        ErrorCode::PasskeyAlreadyRegistered => {
            td_string!(locale, error_passkey_already_registered).to_string()
        }
        ErrorCode::PasskeyCeremonyExpired => td_string!(locale, error_passkey_expired).to_string(),
        ErrorCode::PasskeysUnavailable => td_string!(locale, error_passkey_unsupported).to_string(),
        ErrorCode::CsrfRejected
        | ErrorCode::HostNotAllowed
        | ErrorCode::BadRequest
        | ErrorCode::NotFound
        | ErrorCode::MethodNotAllowed
        | ErrorCode::PayloadTooLarge
        | ErrorCode::UnsupportedMediaType
        | ErrorCode::InternalError
        | ErrorCode::Unknown => td_string!(locale, error_generic).to_string(),
    }
}

/// Why a passkey did not sign in or was not added.
pub fn passkey_error_text(locale: Locale, error: &PasskeyError) -> String {
    match error {
        PasskeyError::NotAllowed => td_string!(locale, error_passkey_not_allowed).to_string(),
        PasskeyError::AlreadyRegistered => {
            td_string!(locale, error_passkey_already_registered).to_string()
        }
        PasskeyError::Unsupported => td_string!(locale, error_passkey_unsupported).to_string(),
        PasskeyError::Api(e) => error_text(locale, e),
    }
}

/// Why a chosen password was refused: the rule, then what zxcvbn noticed
/// and suggests, in the reader's language (feedback we have no words for
/// is left out: the rule says enough).
fn weak_password_text(locale: Locale, error: &ApiError) -> String {
    let mut text = td_string!(locale, error_weak_password).to_string();
    let Some(feedback) = error.password_feedback() else {
        return text;
    };
    let sentences = feedback
        .warning
        .iter()
        .filter_map(|w| password_warning(locale, w))
        .chain(
            feedback
                .suggestions
                .iter()
                .filter_map(|s| password_suggestion(locale, s)),
        );
    for sentence in sentences {
        text.push(' ');
        text.push_str(&sentence);
    }
    text
}

fn password_warning(locale: Locale, code: &str) -> Option<String> {
    let words = match code {
        "straight_rows_of_keys" => td_string!(locale, pw_warning_keyboard_rows),
        "short_keyboard_patterns" => td_string!(locale, pw_warning_keyboard_patterns),
        "repeated_characters" | "repeated_patterns" => td_string!(locale, pw_warning_repeats),
        "common_password" => td_string!(locale, pw_warning_common),
        "similar_to_common_password" => td_string!(locale, pw_warning_similar),
        "sequences" => td_string!(locale, pw_warning_sequences),
        "recent_years" | "dates" => td_string!(locale, pw_warning_dates),
        "single_word" => td_string!(locale, pw_warning_single_word),
        "names" => td_string!(locale, pw_warning_names),
        _ => return None,
    };
    Some(words.to_string())
}

fn password_suggestion(locale: Locale, code: &str) -> Option<String> {
    let words = match code {
        "use_a_few_words" | "add_a_word" => td_string!(locale, pw_suggest_words),
        "no_symbols_needed" => td_string!(locale, pw_suggest_no_symbols),
        "capitals_do_not_help" | "predictable_substitutions" | "reversed_words" => {
            td_string!(locale, pw_suggest_no_tricks)
        }
        "avoid_repeats" | "avoid_sequences" | "longer_keyboard_pattern" => {
            td_string!(locale, pw_suggest_no_patterns)
        }
        "avoid_dates" => td_string!(locale, pw_suggest_no_dates),
        _ => return None,
    };
    Some(words.to_string())
}

/// As [`error_text`], for saving a company's policy: there a 429 means its
/// members were told of a new date too often today, not wrong answers.
pub fn policy_error_text(locale: Locale, error: &ApiError) -> String {
    match error {
        ApiError::Server {
            code: ErrorCode::TooManyAttempts,
            locked_until,
            ..
        } => {
            let time = locked_until
                .map(|t| format_time(locale, t))
                .unwrap_or_default();
            td_string!(locale, error_too_many_announcements, time = time).to_string()
        }
        other => error_text(locale, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: ErrorCode) -> ApiError {
        ApiError::server(code)
    }

    #[test]
    fn known_codes_get_their_own_words() {
        assert_eq!(
            error_text(Locale::en, &error(ErrorCode::InvalidCredentials)),
            "The email or password is incorrect."
        );
        assert_eq!(
            error_text(Locale::fr, &error(ErrorCode::InvalidCredentials)),
            "L'adresse e-mail ou le mot de passe est incorrect."
        );
        assert!(error_text(Locale::en, &ApiError::Network).contains("could not be reached"));
        assert!(
            error_text(Locale::en, &error(ErrorCode::WrongCode))
                .starts_with("That code is not valid")
        );
        assert!(
            error_text(Locale::en, &error(ErrorCode::CodeAlreadyUsed)).contains("already used")
        );
        assert!(
            error_text(Locale::en, &error(ErrorCode::MfaEnrollmentRequired))
                .contains("two-factor authentication")
        );
    }

    #[test]
    fn a_lockout_says_until_when() {
        let locked = ApiError::Server {
            status: 429,
            code: ErrorCode::TooManyAttempts,
            locked_until: Some(1_795_824_000 + 7 * 3600 + 15 * 60),
            retry_after: None,
            clock_drift_minutes: None,
            password_feedback: None,
        };
        let text = error_text(Locale::en, &locked);
        assert!(text.starts_with("Too many wrong attempts"), "{text}");
        assert!(text.contains("07:15"), "{text}");
    }

    #[test]
    fn server_faults_get_a_generic_message() {
        for error in [
            error(ErrorCode::InternalError),
            error(ErrorCode::Unknown),
            ApiError::BadResponse { status: 200 },
        ] {
            assert_eq!(
                error_text(Locale::en, &error),
                "Something went wrong. Please try again."
            );
        }
    }

    #[test]
    fn a_weak_password_is_explained_in_the_readers_language() {
        let weak = ApiError::Server {
            status: 422,
            code: ErrorCode::WeakPassword,
            locked_until: None,
            retry_after: None,
            clock_drift_minutes: None,
            password_feedback: Some(mfa_api::PasswordFeedback {
                warning: Some("common_password".into()),
                suggestions: vec!["add_a_word".into(), "something_new".into()],
            }),
        };
        let en = error_text(Locale::en, &weak);
        assert!(
            en.starts_with("Choose a password of 8 to 128 characters"),
            "{en}"
        );
        assert!(en.contains("one of the most used passwords"), "{en}");
        assert!(en.contains("a few unrelated words"), "{en}");
        let fr = error_text(Locale::fr, &weak);
        assert!(fr.contains("les plus utilisés"), "{fr}");
        assert!(
            error_text(Locale::en, &error(ErrorCode::WeakPassword)).ends_with("could not guess."),
            "no feedback: the rule alone"
        );
    }

    #[test]
    fn a_clock_off_by_minutes_is_said_in_plain_words() {
        let drift = ApiError::Server {
            status: 422,
            code: ErrorCode::WrongCode,
            locked_until: None,
            retry_after: None,
            clock_drift_minutes: Some(-3),
            password_feedback: None,
        };
        let text = error_text(Locale::en, &drift);
        assert!(text.contains("about 3 minutes"), "{text}");
        assert!(text.contains("automatic"), "{text}");
        assert!(error_text(Locale::fr, &drift).contains("3 minutes"));
    }
}
