//! "Forgot your password?": the link that lets someone choose a new one.
//! Its token is 256 random bits, kept only as its SHA-256; it works once,
//! for 30 minutes, and a newer link voids it. Links are asked for at most
//! 3 times per address and 20 times per client network an hour, and every
//! request gets the same answer, whether an account has the address or not.

use std::fmt;

use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

use super::texted_code::SendLimit;

/// A link works this long.
pub const LIFETIME_SECS: i64 = 30 * 60;
/// Links asked for, per address.
pub const PER_ADDRESS: SendLimit = SendLimit {
    max: 3,
    window_secs: 60 * 60,
};
/// Links asked for, per client network (many addresses from one place).
pub const PER_NETWORK: SendLimit = SendLimit {
    max: 20,
    window_secs: 60 * 60,
};

/// A link's token: in the emailed URL, never stored or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken([u8; 32]);

impl ResetToken {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A token from a URL; anything but 64 hex digits is none.
    pub fn parse(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// For the URL.
    pub fn text(&self) -> String {
        hex::encode(self.0)
    }

    /// What the database keeps and looks up.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0))
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}

/// The key a request is counted under: what it counts (`address` or
/// `network`) and a hash of it, so no typed address is kept.
pub fn request_key(what: &str, value: &str) -> String {
    hex::encode(Sha256::digest(format!("reset:{what}:{value}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn tokens_are_256_bits_round_trip_and_never_print() {
        let token = ResetToken::generate(&mut StdRng::seed_from_u64(3));
        let text = token.text();
        assert_eq!(text.len(), 64);
        assert_eq!(ResetToken::parse(&text), Some(token.clone()));
        assert_ne!(token.hash(), text);
        assert!(!format!("{token:?}").contains(&text));
        for bad in ["", "abc", &"z".repeat(64)] {
            assert!(ResetToken::parse(bad).is_none());
        }
    }

    #[test]
    fn three_links_an_hour_per_address() {
        assert_eq!(PER_ADDRESS.wait(&[100, 200], 300), None);
        assert_eq!(
            PER_ADDRESS.wait(&[100, 200, 250], 300),
            Some(100 + 3600 - 300)
        );
    }
}
