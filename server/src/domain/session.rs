//! A session is named by a 256-bit random token that only the browser holds
//! (in an HttpOnly cookie); the database keeps its SHA-256, so a leaked
//! database cannot be replayed as cookies.

use std::fmt;

use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

pub use mfa_api::SessionStage;

use super::clock::UnixTime;

/// A session ends after this long without a request...
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// ...and in any case this long after sign-in.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// A half-signed-in session (password right, second factor due) lasts this long.
pub const SECOND_FACTOR_WINDOW_SECS: i64 = 10 * 60;
/// Confirming the password allows sensitive actions for this long.
pub const REAUTH_WINDOW_SECS: i64 = 10 * 60;
/// `last_seen` is written at most this often, to spare the database a write per request.
pub const TOUCH_INTERVAL_SECS: i64 = 60;

const TOKEN_BYTES: usize = 32;

/// The cookie value. Never printed: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken([u8; TOKEN_BYTES]);

impl SessionToken {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads a cookie value; anything but 64 hex digits is no session at all.
    pub fn parse(cookie: &str) -> Option<Self> {
        let mut bytes = [0u8; TOKEN_BYTES];
        hex::decode_to_slice(cookie, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// The value to put in the cookie.
    pub fn cookie_value(&self) -> String {
        hex::encode(self.0)
    }

    /// What the database stores and looks up.
    pub fn id_hash(&self) -> SessionIdHash {
        SessionIdHash(hex::encode(Sha256::digest(self.0)))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// SHA-256 of a session token, hex. Safe to store; still not worth logging.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionIdHash(String);

impl SessionIdHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionIdHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionIdHash(<redacted>)")
    }
}

/// The timestamps that decide whether a session is still alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionTimes {
    pub created_at: UnixTime,
    pub last_seen_at: UnixTime,
}

impl SessionTimes {
    pub fn is_live(&self, stage: SessionStage, now: UnixTime) -> bool {
        let lifetime = match stage {
            SessionStage::Full | SessionStage::MustEnroll => ABSOLUTE_TIMEOUT_SECS,
            SessionStage::SecondFactorPending => SECOND_FACTOR_WINDOW_SECS,
        };
        now < self.created_at + lifetime && now < self.last_seen_at + IDLE_TIMEOUT_SECS
    }

    pub fn needs_touch(&self, now: UnixTime) -> bool {
        now - self.last_seen_at >= TOUCH_INTERVAL_SECS
    }

    /// When the session can no longer be live, whatever happens: rows past this are garbage.
    pub fn hard_expiry(created_at: UnixTime) -> UnixTime {
        created_at + ABSOLUTE_TIMEOUT_SECS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn tokens_are_256_bits_and_round_trip_through_the_cookie() {
        let mut rng = StdRng::seed_from_u64(7);
        let token = SessionToken::generate(&mut rng);
        let value = token.cookie_value();
        assert_eq!(value.len(), 64);
        assert_eq!(SessionToken::parse(&value), Some(token.clone()));
        assert_ne!(SessionToken::generate(&mut rng), token);
    }

    #[test]
    fn the_stored_hash_is_not_the_token() {
        let token = SessionToken::generate(&mut StdRng::seed_from_u64(1));
        let hash = token.id_hash();
        assert_eq!(hash.as_str().len(), 64);
        assert_ne!(hash.as_str(), token.cookie_value());
        assert_eq!(
            hash,
            SessionToken::parse(&token.cookie_value())
                .unwrap()
                .id_hash()
        );
    }

    #[test]
    fn garbage_cookies_are_no_session() {
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(63), &"a".repeat(66)] {
            assert!(SessionToken::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let token = SessionToken::generate(&mut StdRng::seed_from_u64(2));
        assert!(!format!("{token:?}").contains(&token.cookie_value()));
        assert!(!format!("{:?}", token.id_hash()).contains(token.id_hash().as_str()));
    }

    #[test]
    fn sessions_die_when_idle_or_old() {
        let t = SessionTimes {
            created_at: 0,
            last_seen_at: 0,
        };
        assert!(t.is_live(SessionStage::Full, IDLE_TIMEOUT_SECS - 1));
        assert!(!t.is_live(SessionStage::Full, IDLE_TIMEOUT_SECS));
        let busy = SessionTimes {
            created_at: 0,
            last_seen_at: ABSOLUTE_TIMEOUT_SECS - 10,
        };
        assert!(busy.is_live(SessionStage::Full, ABSOLUTE_TIMEOUT_SECS - 1));
        assert!(!busy.is_live(SessionStage::Full, ABSOLUTE_TIMEOUT_SECS));
        let half = SessionTimes {
            created_at: 0,
            last_seen_at: SECOND_FACTOR_WINDOW_SECS - 1,
        };
        assert!(half.is_live(
            SessionStage::SecondFactorPending,
            SECOND_FACTOR_WINDOW_SECS - 1
        ));
        assert!(!half.is_live(SessionStage::SecondFactorPending, SECOND_FACTOR_WINDOW_SECS));
        assert!(!t.needs_touch(TOUCH_INTERVAL_SECS - 1));
        assert!(t.needs_touch(TOUCH_INTERVAL_SECS));
    }
}
