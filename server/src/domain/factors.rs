//! Rules shared by every kind of second factor.

use mfa_api::FactorKind;

use super::clock::UnixTime;

/// A factor not confirmed this long after it was started is void.
pub const PENDING_LIFETIME_SECS: i64 = 10 * 60;

/// Whether a pending factor started at `created_at` can still be confirmed.
pub fn pending_is_live(created_at: UnixTime, now: UnixTime) -> bool {
    now < created_at + PENDING_LIFETIME_SECS
}

/// Whether a pending factor of `kind` started at `created_at` can still be
/// confirmed: an authenticator for [`PENDING_LIFETIME_SECS`]; a phone
/// number as long as a code texted to it is valid (its code is checked,
/// not the factor's age).
pub fn confirmable(kind: FactorKind, created_at: UnixTime, now: UnixTime) -> bool {
    match kind {
        FactorKind::AuthenticatorApp => pending_is_live(created_at, now),
        FactorKind::Sms => true,
        // Confirmed in the request that registers it.
        FactorKind::Passkey => false,
    }
}

/// After factors were added or removed: the factor to mark preferred when
/// none is (the oldest one, given oldest first), or `None` when one already
/// is or there are none. `factors` are `(id, preferred)` pairs.
pub fn preferred_to_set(factors: impl IntoIterator<Item = (i64, bool)>) -> Option<i64> {
    let mut first = None;
    for (id, preferred) in factors {
        if preferred {
            return None;
        }
        first.get_or_insert(id);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_factor_lasts_ten_minutes() {
        assert!(pending_is_live(100, 100 + 599));
        assert!(!pending_is_live(100, 100 + 600));
    }

    #[test]
    fn an_authenticator_waits_ten_minutes_a_phone_as_long_as_its_code() {
        assert!(confirmable(FactorKind::AuthenticatorApp, 100, 100 + 599));
        assert!(!confirmable(FactorKind::AuthenticatorApp, 100, 100 + 600));
        assert!(confirmable(FactorKind::Sms, 100, 100 + 3600));
    }

    #[test]
    fn one_factor_is_always_preferred() {
        assert_eq!(preferred_to_set([]), None);
        assert_eq!(preferred_to_set([(4, false), (7, false)]), Some(4));
        assert_eq!(preferred_to_set([(4, false), (7, true)]), None);
    }
}
