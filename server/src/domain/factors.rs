//! Rules shared by every kind of second factor.

use mfa_api::FactorKind;

use super::clock::UnixTime;

/// A set of kinds of factor: the methods a company allows (stored as the
/// bits of [`MethodSet::bit`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MethodSet(u8);

impl MethodSet {
    /// Every kind: what a company allows until its admins choose.
    pub const ALL: Self = Self(0b111);

    /// The bit of `kind` (also in the store's SQL: `store::factors::KIND_BIT`).
    pub const fn bit(kind: FactorKind) -> u8 {
        match kind {
            FactorKind::AuthenticatorApp => 1,
            FactorKind::Sms => 2,
            FactorKind::Passkey => 4,
        }
    }

    /// From stored bits; unknown bits (a newer release's kinds) are kept.
    pub fn from_bits(bits: i64) -> Self {
        Self((bits & 0xff) as u8)
    }

    pub fn bits(self) -> i64 {
        i64::from(self.0)
    }

    pub fn of(kinds: impl IntoIterator<Item = FactorKind>) -> Self {
        Self(kinds.into_iter().fold(0, |bits, k| bits | Self::bit(k)))
    }

    pub fn contains(self, kind: FactorKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 & Self::ALL.0 == 0
    }

    /// The kinds in both.
    pub fn and(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The kinds, in the order the app lists them.
    pub fn kinds(self) -> Vec<FactorKind> {
        [
            FactorKind::AuthenticatorApp,
            FactorKind::Sms,
            FactorKind::Passkey,
        ]
        .into_iter()
        .filter(|k| self.contains(*k))
        .collect()
    }

    /// The kinds in `self` that `after` no longer has.
    pub fn removed_in(self, after: Self) -> Self {
        Self(self.0 & !after.0)
    }
}

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
    fn method_sets_hold_kinds() {
        let app_and_passkey = MethodSet::of([FactorKind::AuthenticatorApp, FactorKind::Passkey]);
        assert!(app_and_passkey.contains(FactorKind::Passkey));
        assert!(!app_and_passkey.contains(FactorKind::Sms));
        assert_eq!(
            app_and_passkey.kinds(),
            [FactorKind::AuthenticatorApp, FactorKind::Passkey]
        );
        assert_eq!(MethodSet::from_bits(MethodSet::ALL.bits()), MethodSet::ALL);
        assert_eq!(
            MethodSet::ALL.removed_in(app_and_passkey),
            MethodSet::of([FactorKind::Sms])
        );
        assert!(MethodSet::of([]).is_empty());
        assert_eq!(MethodSet::ALL.and(app_and_passkey), app_and_passkey);
    }

    #[test]
    fn one_factor_is_always_preferred() {
        assert_eq!(preferred_to_set([]), None);
        assert_eq!(preferred_to_set([(4, false), (7, false)]), Some(4));
        assert_eq!(preferred_to_set([(4, false), (7, true)]), None);
    }
}
