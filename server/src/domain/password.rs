//! argon2id with the crate defaults (m = 19 MiB, t = 2, p = 1), which are
//! OWASP's recommended minimum. Hashing is CPU-bound: callers run these
//! functions off the async executor (`tokio::task::spawn_blocking`).

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use super::secret::SecretString;

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
pub fn hash(password: &Password) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default()
        .hash_password(password.bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?;
    Ok(phc.to_string())
}

/// True when `password` matches the PHC string. A malformed stored hash never matches.
pub fn verify(password: &Password, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a random password, verified against when the email is unknown so
/// that "no such user" takes as long as "wrong password".
pub fn decoy_hash() -> anyhow::Result<String> {
    let random = SaltString::generate(&mut OsRng);
    hash(&Password(SecretString::new(random.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_the_right_password_only() {
        let pw = Password::parse("correct horse".into()).unwrap();
        let phc = hash(&pw).unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(!phc.contains("correct horse"));
        assert!(verify(&pw, &phc));
        assert!(!verify(
            &Password::parse("Correct horse".into()).unwrap(),
            &phc
        ));
    }

    #[test]
    fn same_password_hashes_differently() {
        let pw = Password::parse("same".into()).unwrap();
        assert_ne!(hash(&pw).unwrap(), hash(&pw).unwrap());
    }

    #[test]
    fn malformed_hash_never_matches() {
        let pw = Password::parse("x".into()).unwrap();
        assert!(!verify(&pw, "not-a-phc-string"));
        assert!(!verify(&pw, ""));
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
