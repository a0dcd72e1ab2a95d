//! Trusted browsers: "Don't ask again on this browser for N days". After a
//! second step with the box ticked, the browser keeps a random token (in
//! an HttpOnly cookie); the server keeps its SHA-256 with the user. Within
//! the user's N days the token skips the second step of that user's sign-in,
//! never the password. One browser may hold the tokens of a few people.
//!
//! N is the company's setting (0 to 90, 30 by default): the smallest of the
//! user's companies, and 0 for a payee, whose second step is always asked.

use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

use super::access::MfaDuty;
use super::clock::UnixTime;

/// A company's setting until an admin chooses one.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest a company may choose.
pub const MAX_DAYS: i64 = 90;
/// How many people's tokens one browser keeps (the newest).
pub const PER_BROWSER: usize = 5;

const DAY_SECS: i64 = 24 * 60 * 60;
const TOKEN_BYTES: usize = 32;

/// How many days the user's browsers may be trusted: 0 turns it off.
pub fn days(duties: impl IntoIterator<Item = MfaDuty>) -> i64 {
    duties
        .into_iter()
        .map(|d| if d.payee { 0 } else { d.trusted_days })
        .min()
        .unwrap_or(DEFAULT_DAYS)
        .clamp(0, MAX_DAYS)
}

/// Whether `days` is a setting a company may choose.
pub fn valid_days(days: i64) -> bool {
    (0..=MAX_DAYS).contains(&days)
}

/// How long `days` trust a browser.
pub fn lifetime_secs(days: i64) -> i64 {
    days * DAY_SECS
}

/// Until when a browser trusted at `created_at` (stored to end at
/// `expires_at`) is trusted while the user's setting is `days`: a setting
/// lowered shortens it.
pub fn trusted_until(created_at: UnixTime, expires_at: UnixTime, days: i64) -> UnixTime {
    expires_at.min(created_at + lifetime_secs(days))
}

/// When a browser trusted now for `days` stops being trusted.
pub fn expiry(now: UnixTime, days: i64) -> UnixTime {
    now + lifetime_secs(days)
}

/// A fresh token (64 hex digits) for the cookie.
pub fn new_token(rng: &mut (impl RngCore + CryptoRng)) -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    rng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the server keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The well-formed tokens of a cookie value (dot-separated), at most
/// [`PER_BROWSER`]; anything else in it is ignored.
pub fn tokens(cookie: &str) -> Vec<&str> {
    cookie
        .split('.')
        .filter(|t| t.len() == TOKEN_BYTES * 2 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .take(PER_BROWSER)
        .collect()
}

/// The cookie value with `token` added first (the oldest dropped past
/// [`PER_BROWSER`]).
pub fn with_token(cookie: Option<&str>, token: &str) -> String {
    std::iter::once(token)
        .chain(cookie.map(tokens).unwrap_or_default())
        .take(PER_BROWSER)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::factors::MethodSet;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn duty(payee: bool, trusted_days: i64) -> MfaDuty {
        MfaDuty {
            payee,
            company_requires_mfa: true,
            deadline: None,
            allowed: MethodSet::ALL,
            trusted_days,
        }
    }

    #[test]
    fn the_strictest_company_sets_the_days_and_payees_are_never_trusted() {
        assert_eq!(days([]), DEFAULT_DAYS);
        assert_eq!(days([duty(false, 7)]), 7);
        assert_eq!(days([duty(false, 60), duty(false, 14)]), 14);
        assert_eq!(days([duty(false, 0), duty(false, 30)]), 0);
        assert_eq!(days([duty(true, 90)]), 0);
        assert_eq!(days([duty(false, 90)]), 90);
    }

    #[test]
    fn a_lowered_setting_shortens_a_trusted_browser() {
        let created = 1_000;
        let stored = expiry(created, 30);
        assert_eq!(trusted_until(created, stored, 30), stored);
        assert_eq!(trusted_until(created, stored, 7), created + 7 * DAY_SECS);
        assert_eq!(
            trusted_until(created, stored, 90),
            stored,
            "raising does not lengthen"
        );
        assert_eq!(trusted_until(created, stored, 0), created);
    }

    #[test]
    fn a_browser_keeps_the_newest_tokens_of_a_few_people() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut cookie = String::new();
        let mut issued = Vec::new();
        for _ in 0..7 {
            let token = new_token(&mut rng);
            cookie = with_token(Some(&cookie), &token);
            issued.push(token);
        }
        let kept = tokens(&cookie);
        assert_eq!(kept.len(), PER_BROWSER);
        assert_eq!(kept[0], issued[6]);
        assert!(!kept.contains(&issued[0].as_str()));
        assert_ne!(token_hash(&issued[0]), token_hash(&issued[1]));
        assert!(tokens("junk.zz.").is_empty());
        assert_eq!(
            tokens(&format!("x.{}", issued[3])),
            vec![issued[3].as_str()]
        );
    }
}
