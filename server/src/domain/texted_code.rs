//! Codes sent by text message: how they are made, kept, checked and limited
//! (DESIGN section 4).

use hmac::{Hmac, Mac};
use rand::{CryptoRng, Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::clock::UnixTime;
use crate::keys::ServerKey;

/// A texted code works this long.
pub const LIFETIME_SECS: i64 = 10 * 60;
/// This many wrong tries void a code: a new one must be sent.
pub const MAX_WRONG_TRIES: i64 = 5;
/// Another code may be sent this long after the last one, at the earliest.
pub const RESEND_AFTER_SECS: i64 = 60;

/// A limit on texts sent: at most `max` within `window_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimit {
    pub max: i64,
    pub window_secs: i64,
}

/// Texts per user per hour.
pub const PER_USER: SendLimit = SendLimit {
    max: 5,
    window_secs: 60 * 60,
};
/// Texts per phone number per day.
pub const PER_NUMBER: SendLimit = SendLimit {
    max: 10,
    window_secs: 24 * 60 * 60,
};
/// Texts per client address per hour (many accounts behind one address).
pub const PER_IP: SendLimit = SendLimit {
    max: 30,
    window_secs: 60 * 60,
};

impl SendLimit {
    /// Given the send times in the window, oldest first: `None` when one
    /// more may go now, else the seconds to wait.
    pub fn wait(&self, sent_at_oldest_first: &[UnixTime], now: UnixTime) -> Option<i64> {
        let recent: Vec<_> = sent_at_oldest_first
            .iter()
            .filter(|&&t| t > now - self.window_secs)
            .collect();
        let over = recent.len() as i64 - self.max + 1;
        if over <= 0 {
            return None;
        }
        let frees_at = *recent[usize::try_from(over - 1).unwrap_or(0)] + self.window_secs;
        Some((frees_at - now).max(1))
    }
}

/// Seconds to wait before resending after a code sent at `last_sent_at`.
pub fn resend_wait(last_sent_at: Option<UnixTime>, now: UnixTime) -> Option<i64> {
    let wait = last_sent_at? + RESEND_AFTER_SECS - now;
    (wait > 0).then_some(wait)
}

/// Six digits, uniform, from the caller's CSPRNG.
#[derive(Clone, PartialEq, Eq)]
pub struct TextedCode(String);

impl std::fmt::Debug for TextedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextedCode(<redacted>)")
    }
}

impl TextedCode {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        Self(format!("{:06}", rng.gen_range(0..1_000_000u32)))
    }

    /// Six digits as typed (spaces allowed); `None` for anything else.
    pub fn parse(typed: &str) -> Option<Self> {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Keyed hashes under a key derived from the server key: a stolen database
/// alone cannot test the million codes, nor list the phone numbers.
pub struct CodeHasher(Hmac<Sha256>);

impl CodeHasher {
    pub fn new(key: &ServerKey) -> Self {
        let derived = Sha256::new()
            .chain_update(b"texted-code:v1:")
            .chain_update(key.as_bytes())
            .finalize();
        Self(Hmac::new_from_slice(&derived).expect("HMAC takes any key length"))
    }

    fn mac(&self, parts: &[&[u8]]) -> String {
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// What is stored for a code: bound to its row's random salt.
    pub fn code(&self, salt: &str, code: &TextedCode) -> String {
        self.mac(&[b"code", salt.as_bytes(), code.0.as_bytes()])
    }

    pub fn matches(&self, salt: &str, code: &TextedCode, stored: &str) -> bool {
        self.code(salt, code)
            .as_bytes()
            .ct_eq(stored.as_bytes())
            .into()
    }

    /// Stands for a phone number when counting texts per number.
    pub fn number(&self, e164: &str) -> String {
        self.mac(&[b"number", e164.as_bytes()])
    }
}

/// The text: the code first (phones show the start in notifications), the
/// product, how long it works, never to share it; the last line is the
/// origin-bound one-time code format (WebOTP), so the browser on that host
/// can fill the code in.
pub fn message(product: &str, code: &TextedCode, host: &str) -> String {
    format!(
        "{code} is your {product} verification code. It expires in 10 minutes. Never share it with anyone.\n\n@{host} #{code}",
        code = code.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::random::{Draw, SeededRandom};

    #[test]
    fn codes_are_six_digits_and_parse_back() {
        let random = SeededRandom::new(7);
        for _ in 0..200 {
            let code = TextedCode::generate(&mut Draw(&random));
            assert_eq!(code.as_str().len(), 6);
            assert_eq!(TextedCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(TextedCode::parse("123 456").unwrap().as_str(), "123456");
        assert!(TextedCode::parse("12345").is_none());
        assert!(TextedCode::parse("12345a").is_none());
        assert!(TextedCode::parse("١٢٣٤٥٦").is_none());
    }

    #[test]
    fn the_hash_is_keyed_and_salted() {
        let key = ServerKey::generate(&mut Draw(&SeededRandom::new(1)));
        let other = ServerKey::generate(&mut Draw(&SeededRandom::new(2)));
        let code = TextedCode::parse("123456").unwrap();
        let hasher = CodeHasher::new(&key);
        let stored = hasher.code("salt-a", &code);
        assert!(hasher.matches("salt-a", &code, &stored));
        assert!(!hasher.matches("salt-b", &code, &stored));
        assert!(!hasher.matches("salt-a", &TextedCode::parse("123457").unwrap(), &stored));
        assert!(!CodeHasher::new(&other).matches("salt-a", &code, &stored));
        assert!(!stored.contains("123456"));
        assert_ne!(hasher.number("+33612345678"), hasher.number("+33612345679"));
    }

    #[test]
    fn resend_waits_a_minute() {
        assert_eq!(resend_wait(None, 100), None);
        assert_eq!(resend_wait(Some(100), 100), Some(60));
        assert_eq!(resend_wait(Some(100), 159), Some(1));
        assert_eq!(resend_wait(Some(100), 160), None);
    }

    #[test]
    fn send_limits_say_when_the_oldest_text_leaves_the_window() {
        let now = 10_000;
        let four: Vec<_> = (0..4).map(|i| now - 3000 + i * 10).collect();
        assert_eq!(PER_USER.wait(&four, now), None);
        let five: Vec<_> = (0..5).map(|i| now - 3000 + i * 10).collect();
        assert_eq!(PER_USER.wait(&five, now), Some(600));
        // Texts older than the window do not count.
        let old: Vec<_> = (0..9).map(|i| now - 7200 + i).collect();
        assert_eq!(PER_USER.wait(&old, now), None);
    }

    #[test]
    fn the_message_starts_with_the_code_and_ends_with_the_origin_bound_line() {
        let code = TextedCode::parse("042917").unwrap();
        let text = message("TwoStep", &code, "mfa.example.com");
        assert!(text.starts_with("042917 is your TwoStep verification code."));
        assert!(text.contains("10 minutes"));
        assert!(text.contains("Never share"));
        assert_eq!(text.lines().last(), Some("@mfa.example.com #042917"));
    }
}
