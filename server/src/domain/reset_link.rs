//! "Forgot your password?": the link that lets someone choose a new one.
//! Its token is 256 random bits, kept only as its SHA-256; it works once,
//! for 30 minutes, and a newer link voids it. Links are asked for at most
//! 3 times per address and 20 times per client network an hour, and every
//! request gets the same answer, whether an account has the address or not.

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

/// The key a request is counted under: what it counts (`address` or
/// `network`) and a hash of it, so no typed address is kept.
pub fn request_key(what: &str, value: &str) -> String {
    hex::encode(Sha256::digest(format!("reset:{what}:{value}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_links_an_hour_per_address() {
        assert_eq!(PER_ADDRESS.wait(&[100, 200], 300), None);
        assert_eq!(
            PER_ADDRESS.wait(&[100, 200, 250], 300),
            Some(100 + 3600 - 300)
        );
    }
}
