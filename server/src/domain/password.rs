//! Passwords as typed, hashed with the one slow hash (`slow_hash`, argon2id).
//! Hashing is CPU-bound: callers run these functions off the async executor.

use rand::{CryptoRng, RngCore};

use super::secret::SecretString;
use super::slow_hash::{self, Memory, Salt};

/// Longest password we hash: generous for passphrases, bounded against abuse.
pub const MAX_PASSWORD_CHARS: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("enter your password")]
    Empty,
    #[error("the password is longer than {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

/// A password as typed, checked for length once at the edge.
#[derive(Clone, Debug)]
pub struct Password(SecretString);

impl Password {
    pub fn parse(input: String) -> Result<Self, PasswordError> {
        if input.is_empty() {
            return Err(PasswordError::Empty);
        }
        if input.chars().count() > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(SecretString::new(input)))
    }

    fn bytes(&self) -> &[u8] {
        self.0.expose().as_bytes()
    }
}

/// Hashes a password into a PHC string (algorithm, parameters, salt, hash).
pub fn hash(password: &Password, salt: Salt, memory: &mut Memory) -> anyhow::Result<String> {
    slow_hash::hash(password.bytes(), salt, memory)
}

/// True when `password` matches the PHC string. A malformed stored hash never matches.
pub fn verify(password: &Password, phc: &str, memory: &mut Memory) -> bool {
    slow_hash::verify(password.bytes(), phc, memory)
}

/// A random password and a salt, whose hash is verified against when the
/// email is unknown, so that "no such user" takes as long as "wrong password".
pub fn decoy(rng: &mut (impl RngCore + CryptoRng)) -> (Password, Salt) {
    let mut random = [0u8; 32];
    rng.fill_bytes(&mut random);
    (
        Password(SecretString::new(hex::encode(random))),
        Salt::generate(rng),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn verifies_the_right_password_only() {
        let pw = Password::parse("correct horse".into()).unwrap();
        let phc = hash(&pw, Salt::generate(&mut OsRng), &mut Memory::new()).unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(!phc.contains("correct horse"));
        assert!(verify(&pw, &phc, &mut Memory::new()));
        assert!(!verify(
            &Password::parse("Correct horse".into()).unwrap(),
            &phc,
            &mut Memory::new()
        ));
    }

    #[test]
    fn same_password_hashes_differently() {
        let pw = Password::parse("same".into()).unwrap();
        assert_ne!(
            hash(&pw, Salt::generate(&mut OsRng), &mut Memory::new()).unwrap(),
            hash(&pw, Salt::generate(&mut OsRng), &mut Memory::new()).unwrap()
        );
    }

    #[test]
    fn malformed_hash_never_matches() {
        let pw = Password::parse("x".into()).unwrap();
        assert!(!verify(&pw, "not-a-phc-string", &mut Memory::new()));
        assert!(!verify(&pw, "", &mut Memory::new()));
    }

    #[test]
    fn length_is_checked_at_parse() {
        assert_eq!(
            Password::parse(String::new()).unwrap_err(),
            PasswordError::Empty
        );
        assert!(Password::parse("é".repeat(MAX_PASSWORD_CHARS)).is_ok());
        assert_eq!(
            Password::parse("a".repeat(MAX_PASSWORD_CHARS + 1)).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let pw = Password::parse("hunter2".into()).unwrap();
        assert!(!format!("{pw:?}").contains("hunter2"));
    }
}
