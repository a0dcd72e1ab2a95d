//! Guessing limits, as a policy per kind of check. Every attempt is claimed
//! (counted) before the secret is compared, and a right answer gives the
//! count back; so many claims in a row lock the check for a while, each lock
//! longer than the one before, and a kind may close for good after a ceiling
//! of failures since the last success (NIST SP 800-63B 5.2.2).

use super::clock::UnixTime;

/// Which check is being limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptKind {
    /// Codes from a factor (authenticator app), at sign-in and when
    /// confirming a new factor.
    SecondFactor,
    /// The recovery code: limited on its own, so that it still opens the
    /// way when the factor codes are closed.
    RecoveryCode,
    /// The password typed to confirm a sensitive action.
    Reauth,
}

/// How a kind of check is limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptPolicy {
    /// Claims in a row that lock the check.
    pub max_failures: i64,
    /// The first lock; each further one lasts twice as long, up to [`MAX_LOCK_SECS`].
    pub lock_secs: i64,
    /// Failures since the last success after which the check stays closed
    /// (until something else resets it).
    pub ceiling: Option<i64>,
}

/// No lock lasts longer than a day.
pub const MAX_LOCK_SECS: i64 = 24 * 60 * 60;

impl AttemptKind {
    /// The limit for this kind of check (DESIGN section 4).
    pub const fn policy(self) -> AttemptPolicy {
        match self {
            Self::SecondFactor => AttemptPolicy {
                max_failures: 10,
                lock_secs: 15 * 60,
                ceiling: Some(100),
            },
            Self::RecoveryCode | Self::Reauth => AttemptPolicy {
                max_failures: 10,
                lock_secs: 15 * 60,
                ceiling: None,
            },
        }
    }

    /// The name kept in storage and in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecondFactor => "code",
            Self::RecoveryCode => "recovery_code",
            Self::Reauth => "reauth",
        }
    }
}

impl AttemptPolicy {
    /// How long the `nth` lock (1, 2, ...) lasts.
    pub fn lock_duration(&self, nth: i64) -> i64 {
        let doublings = u32::try_from((nth - 1).clamp(0, 16)).unwrap_or(16);
        self.lock_secs
            .saturating_mul(1 << doublings)
            .min(MAX_LOCK_SECS)
    }
}

/// The stored count for one user and kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    /// Claims since the last success (a success gives them back).
    pub failures: i64,
    pub locked_until: Option<UnixTime>,
}

/// The answer to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Go ahead and check; store `after`. `locks` is set when this claim
    /// started a lock (a wrong answer then gets the lock as its answer).
    Granted {
        after: Attempts,
        locks: Option<UnixTime>,
    },
    /// Refused without checking: locked until then.
    Locked(UnixTime),
    /// Refused without checking: the ceiling was reached.
    Closed,
}

impl Attempts {
    /// `Some(until)` while checks are locked.
    pub fn locked(&self, now: UnixTime) -> Option<UnixTime> {
        self.locked_until.filter(|until| now < *until)
    }

    /// Claims one attempt under `policy`.
    pub fn claim(&self, policy: AttemptPolicy, now: UnixTime) -> Claim {
        if policy
            .ceiling
            .is_some_and(|ceiling| self.failures >= ceiling)
        {
            return Claim::Closed;
        }
        if let Some(until) = self.locked(now) {
            return Claim::Locked(until);
        }
        let failures = self.failures + 1;
        let locks = (failures % policy.max_failures == 0)
            .then(|| now + policy.lock_duration(failures / policy.max_failures));
        Claim::Granted {
            after: Self {
                failures,
                locked_until: locks.or(self.locked_until),
            },
            locks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(claim: Claim) -> (Attempts, Option<UnixTime>) {
        match claim {
            Claim::Granted { after, locks } => (after, locks),
            other => panic!("refused: {other:?}"),
        }
    }

    #[test]
    fn the_tenth_claim_locks_for_fifteen_minutes() {
        let policy = AttemptKind::SecondFactor.policy();
        let mut a = Attempts::default();
        for _ in 0..9 {
            let (after, locks) = granted(a.claim(policy, 100));
            assert_eq!(locks, None);
            a = after;
        }
        let (after, locks) = granted(a.claim(policy, 100));
        assert_eq!(locks, Some(100 + 900));
        assert_eq!(after.claim(policy, 100 + 899), Claim::Locked(100 + 900));
        assert!(matches!(
            after.claim(policy, 100 + 900),
            Claim::Granted { .. }
        ));
    }

    #[test]
    fn each_lock_lasts_longer_and_the_ceiling_closes() {
        let policy = AttemptKind::SecondFactor.policy();
        let mut a = Attempts::default();
        let mut now = 0;
        let mut locks = Vec::new();
        for _ in 0..100 {
            let (after, lock) = granted(a.claim(policy, now));
            if let Some(until) = lock {
                locks.push(until - now);
                now = until;
            }
            a = after;
        }
        assert_eq!(
            locks,
            [
                900, 1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400, 86_400, 86_400
            ]
        );
        assert_eq!(a.claim(policy, now + 10 * MAX_LOCK_SECS), Claim::Closed);
        let reauth = AttemptKind::Reauth.policy();
        assert!(matches!(
            a.claim(reauth, now + 10 * MAX_LOCK_SECS),
            Claim::Granted { .. }
        ));
    }
}
