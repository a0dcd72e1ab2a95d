//! Passkeys (WebAuthn): the rules of ours around the ceremonies webauthn-rs
//! checks. A passkey is a factor of kind `Passkey`; a person may have
//! several, each with a name they choose.

use mfa_api::{FactorKind, SessionStage};

use super::clock::UnixTime;
use super::oidc::Methods;

/// A ceremony (the browser's dialog) must be finished this soon after it
/// was started, and only once.
pub const CEREMONY_LIFETIME_SECS: i64 = 5 * 60;

/// The longest name a passkey may have, in characters.
pub const MAX_NAME_CHARS: usize = 64;

/// When a ceremony started at `now` stops being accepted.
pub fn ceremony_expires_at(now: UnixTime) -> UnixTime {
    now + CEREMONY_LIFETIME_SECS
}

/// Whether a person may hold several factors of `kind` at once (passkeys:
/// one per device); otherwise a new one replaces the old.
pub fn several_allowed(kind: FactorKind) -> bool {
    match kind {
        FactorKind::AuthenticatorApp | FactorKind::Sms => false,
        FactorKind::Passkey => true,
    }
}

/// "Not now" hides the passkey offer this long.
pub const OFFER_PAUSE_SECS: i64 = 30 * 24 * 60 * 60;

/// Whether to offer a passkey ("Sign in faster and more safely with a
/// passkey") to someone signed in by `methods` at `stage`: after a password
/// and a code, to a person with no passkey, unless "Not now" was answered
/// until after `now`. Never while they must enroll.
pub fn offered(
    methods: &Methods,
    stage: SessionStage,
    has_passkey: bool,
    hidden_until: Option<UnixTime>,
    now: UnixTime,
) -> bool {
    stage == SessionStage::Full
        && methods.password_and_code()
        && !has_passkey
        && hidden_until.is_none_or(|until| until <= now)
}

/// A passkey's name, as the person typed it (trimmed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasskeyName(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameRejected {
    #[error("Give the passkey a name.")]
    Empty,
    #[error("A passkey's name has at most {MAX_NAME_CHARS} characters.")]
    TooLong,
    #[error("A passkey's name cannot contain control characters.")]
    ControlCharacter,
}

impl PasskeyName {
    pub fn parse(text: &str) -> Result<Self, NameRejected> {
        let name = text.trim();
        if name.is_empty() {
            return Err(NameRejected::Empty);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(NameRejected::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(NameRejected::ControlCharacter);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an assertion's signature count may follow the count stored
/// after the passkey's last use. A count that does not move forward warns
/// that a copy of the key may be in use elsewhere (a cloned authenticator);
/// authenticators that keep no count (most synced passkeys) always say 0.
pub fn counter_moved_on(stored: u32, new: u32) -> bool {
    (stored == 0 && new == 0) || new > stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::oidc::Method;

    #[test]
    fn a_ceremony_lasts_five_minutes() {
        assert_eq!(ceremony_expires_at(100), 400);
    }

    #[test]
    fn passkeys_come_several_codes_one_of_each() {
        assert!(several_allowed(FactorKind::Passkey));
        assert!(!several_allowed(FactorKind::AuthenticatorApp));
        assert!(!several_allowed(FactorKind::Sms));
    }

    #[test]
    fn names_are_trimmed_short_and_printable() {
        assert_eq!(
            PasskeyName::parse("  Chrome on Linux ").unwrap().as_str(),
            "Chrome on Linux"
        );
        assert_eq!(PasskeyName::parse("   "), Err(NameRejected::Empty));
        assert_eq!(
            PasskeyName::parse(&"é".repeat(65)),
            Err(NameRejected::TooLong)
        );
        assert!(PasskeyName::parse(&"é".repeat(64)).is_ok());
        assert_eq!(
            PasskeyName::parse("a\u{7}b"),
            Err(NameRejected::ControlCharacter)
        );
    }

    #[test]
    fn a_passkey_is_offered_after_a_password_and_a_code_until_not_now() {
        let code = Methods::password().with(Method::Otp);
        let full = SessionStage::Full;
        assert!(offered(&code, full, false, None, 100));
        assert!(offered(
            &Methods::password().with(Method::Sms),
            full,
            false,
            None,
            100
        ));
        // Not to someone who has one, nor during must-enroll, nor after
        // a password alone, a recovery code or a passkey.
        assert!(!offered(&code, full, true, None, 100));
        assert!(!offered(&code, SessionStage::MustEnroll, false, None, 100));
        assert!(!offered(&Methods::password(), full, false, None, 100));
        let recovery = Methods::password().with(Method::RecoveryCode);
        assert!(!offered(&recovery, full, false, None, 100));
        assert!(!offered(&Methods::passkey(), full, false, None, 100));
        // "Not now": hidden until then.
        assert!(!offered(&code, full, false, Some(101), 100));
        assert!(offered(&code, full, false, Some(100), 100));
        assert_eq!(OFFER_PAUSE_SECS, 2_592_000);
    }

    #[test]
    fn a_count_that_does_not_move_forward_warns_of_a_clone() {
        assert!(counter_moved_on(0, 0));
        assert!(counter_moved_on(0, 1));
        assert!(counter_moved_on(5, 6));
        assert!(!counter_moved_on(5, 5));
        assert!(!counter_moved_on(5, 2));
        assert!(!counter_moved_on(5, 0));
    }
}
