//! Guessing limits, as a policy per kind of check: so many wrong answers in
//! a row lock that check for the user for a while; a right answer resets the
//! count.

use super::clock::UnixTime;

/// Which check is being limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptKind {
    /// The second step: codes from any factor and the recovery code, at
    /// sign-in and when confirming a new factor.
    SecondFactor,
    /// The password typed to confirm a sensitive action.
    Reauth,
}

/// How many wrong answers in a row lock a check, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptPolicy {
    pub max_failures: i64,
    pub lock_secs: i64,
}

impl AttemptKind {
    /// The limit for this kind of check (DESIGN section 4).
    pub const fn policy(self) -> AttemptPolicy {
        match self {
            Self::SecondFactor | Self::Reauth => AttemptPolicy {
                max_failures: 10,
                lock_secs: 15 * 60,
            },
        }
    }

    /// The name kept in storage and in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecondFactor => "code",
            Self::Reauth => "reauth",
        }
    }
}

/// The stored count for one user and kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    pub failures: i64,
    pub locked_until: Option<UnixTime>,
}

impl Attempts {
    /// `Some(until)` while checks are locked.
    pub fn locked(&self, now: UnixTime) -> Option<UnixTime> {
        self.locked_until.filter(|until| now < *until)
    }

    /// The state after one more wrong answer: the last one the policy allows
    /// locks (and starts a fresh count for after the lock).
    pub fn after_failure(&self, policy: AttemptPolicy, now: UnixTime) -> Self {
        let failures = self.failures + 1;
        if failures >= policy.max_failures {
            Self {
                failures: 0,
                locked_until: Some(now + policy.lock_secs),
            }
        } else {
            Self {
                failures,
                locked_until: self.locked_until,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenth_failure_locks_for_fifteen_minutes() {
        let policy = AttemptKind::SecondFactor.policy();
        assert_eq!(policy.lock_secs, 900);
        let mut a = Attempts::default();
        for _ in 0..9 {
            a = a.after_failure(policy, 100);
            assert_eq!(a.locked(100), None);
        }
        a = a.after_failure(policy, 100);
        assert_eq!(a.locked(100), Some(100 + 900));
        assert_eq!(a.locked(100 + 900 - 1), Some(100 + 900));
        assert_eq!(a.locked(100 + 900), None);
        assert_eq!(a.failures, 0, "a fresh count after the lock");
    }

    #[test]
    fn policies_are_per_kind() {
        let tight = AttemptPolicy {
            max_failures: 2,
            lock_secs: 60,
        };
        let a = Attempts::default().after_failure(tight, 0);
        assert_eq!(a.locked(0), None);
        assert_eq!(a.after_failure(tight, 0).locked(0), Some(60));
        assert_eq!(AttemptKind::Reauth.as_str(), "reauth");
    }
}
