//! The token of a link sent by email: whoever holds the link may use it,
//! so it is as strong as a session id and kept only as its hash.

use std::fmt;

use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

/// An emailed link's token (a password reset, an invitation): 256 random
/// bits in the URL, never stored (only its SHA-256) or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken([u8; 32]);

impl LinkToken {
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

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn tokens_are_256_bits_round_trip_and_never_print() {
        let token = LinkToken::generate(&mut StdRng::seed_from_u64(3));
        let text = token.text();
        assert_eq!(text.len(), 64);
        assert_eq!(LinkToken::parse(&text), Some(token.clone()));
        assert_ne!(token.hash(), text);
        assert!(!format!("{token:?}").contains(&text));
        for bad in ["", "abc", &"z".repeat(64)] {
            assert!(LinkToken::parse(bad).is_none());
        }
    }
}
