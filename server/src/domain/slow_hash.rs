//! argon2id with the crate defaults (m = 19 MiB, t = 2, p = 1), OWASP's
//! recommended minimum, for passwords and recovery codes alike. CPU-bound:
//! callers run it off the async executor (`tokio::task::spawn_blocking`).

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// A PHC string (algorithm, parameters, salt, hash) for `secret`.
pub fn hash(secret: &[u8]) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default()
        .hash_password(secret, &salt)
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?;
    Ok(phc.to_string())
}

/// True when `secret` matches the PHC string; a malformed string never matches.
pub fn verify(secret: &[u8], phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|parsed| Argon2::default().verify_password(secret, &parsed).is_ok())
}
