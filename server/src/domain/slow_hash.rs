//! argon2id with the crate defaults (m = 19 MiB, t = 2, p = 1), OWASP's
//! recommended minimum: the one slow hash, for passwords and recovery codes
//! alike. CPU-bound: callers run it off the async executor
//! (`tokio::task::spawn_blocking`).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::{CryptoRng, RngCore};

/// 128 random bits, drawn before the (blocking) hash is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Salt([u8; 16]);

impl Salt {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }
}

/// A PHC string (algorithm, parameters, salt, hash) for `secret`.
pub fn hash(secret: &[u8], salt: Salt) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&salt.0).map_err(|e| anyhow::anyhow!("argon2 salt: {e}"))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn argon2id_with_a_salt_from_the_given_source() {
        let salt = |seed| Salt::generate(&mut StdRng::seed_from_u64(seed));
        let phc = hash(b"s", salt(1)).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(phc, hash(b"s", salt(1)).unwrap());
        assert_ne!(phc, hash(b"s", salt(2)).unwrap());
        assert!(verify(b"s", &phc));
        assert!(!verify(b"t", &phc));
        assert!(!verify(b"s", "not-a-phc-string"));
    }
}
