//! argon2id with the crate defaults (m = 19 MiB, t = 2, p = 1), OWASP's
//! recommended minimum: the one slow hash, for passwords and recovery codes
//! alike. It works in a [`Memory`] the caller owns and reuses, so hashing
//! allocates nothing large (the allocator would keep every freed 19 MiB
//! buffer). CPU-bound: callers run it off the async executor, a bounded
//! number at a time (`services::hashing`).

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;

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

/// The working memory of one hash (one 1 KiB block per KiB of `m`).
pub struct Memory(Vec<Block>);

impl Memory {
    /// Enough for the product's parameters.
    pub fn new() -> Self {
        Self(vec![Block::default(); Params::default().block_count()])
    }

    /// The first `blocks` blocks, growing for hashes made with a larger `m`.
    fn blocks(&mut self, blocks: usize) -> &mut [Block] {
        if self.0.len() < blocks {
            self.0.resize(blocks, Block::default());
        }
        &mut self.0[..blocks]
    }
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

/// A PHC string (algorithm, parameters, salt, hash) for `secret`.
pub fn hash(secret: &[u8], salt: Salt, memory: &mut Memory) -> anyhow::Result<String> {
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            secret,
            &salt.0,
            &mut out,
            memory.blocks(params.block_count()),
        )
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?;
    let salt = SaltString::encode_b64(&salt.0).map_err(|e| anyhow::anyhow!("argon2 salt: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// True when `secret` matches the PHC string (argon2id, any parameters); a
/// malformed string never matches.
pub fn verify(secret: &[u8], phc: &str, memory: &mut Memory) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(params), Some(expected), Some(salt)) =
        (Params::try_from(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    let blocks = params.block_count();
    Argon2::new(Algorithm::Argon2id, version, params)
        .hash_password_into_with_memory(secret, salt, &mut out, memory.blocks(blocks))
        .is_ok()
        && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString as Salted};
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn argon2id_with_a_salt_from_the_given_source() {
        let mut memory = Memory::new();
        let salt = |seed| Salt::generate(&mut StdRng::seed_from_u64(seed));
        let phc = hash(b"s", salt(1), &mut memory).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(phc, hash(b"s", salt(1), &mut memory).unwrap());
        assert_ne!(phc, hash(b"s", salt(2), &mut memory).unwrap());
        assert!(verify(b"s", &phc, &mut memory));
        assert!(!verify(b"t", &phc, &mut memory));
        assert!(!verify(b"s", "not-a-phc-string", &mut memory));
        assert!(!verify(b"s", "", &mut memory));
    }

    #[test]
    fn agrees_with_the_argon2_crates_own_hashing() {
        let mut memory = Memory::new();
        let theirs = Argon2::default()
            .hash_password(b"pw", &Salted::encode_b64(&[7u8; 16]).unwrap())
            .unwrap()
            .to_string();
        assert!(verify(b"pw", &theirs, &mut memory));
        let ours = hash(b"pw", Salt([7u8; 16]), &mut memory).unwrap();
        assert_eq!(ours, theirs);
        // A hash made with other (larger) parameters still verifies.
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &Salted::encode_b64(&[8u8; 16]).unwrap())
        .unwrap()
        .to_string();
        assert!(verify(b"pw", &bigger, &mut memory));
        assert!(!verify(b"px", &bigger, &mut memory));
    }
}
