//! Guessing limits: ten wrong answers in a row lock that kind of check for
//! the user for fifteen minutes; a right answer resets the count.

use super::clock::UnixTime;

pub const MAX_FAILURES: i64 = 10;
pub const LOCK_SECS: i64 = 15 * 60;

/// Which check is being limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptKind {
    /// Second-factor codes (TOTP) and recovery codes, at sign-in and enrollment.
    Code,
    /// The password typed to confirm a sensitive action.
    Reauth,
}

impl AttemptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
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

    /// The state after one more wrong answer: the tenth in a row locks
    /// (and starts a fresh count for after the lock).
    pub fn after_failure(&self, now: UnixTime) -> Self {
        let failures = self.failures + 1;
        if failures >= MAX_FAILURES {
            Self {
                failures: 0,
                locked_until: Some(now + LOCK_SECS),
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
        let mut a = Attempts::default();
        for _ in 0..9 {
            a = a.after_failure(100);
            assert_eq!(a.locked(100), None);
        }
        a = a.after_failure(100);
        assert_eq!(a.locked(100), Some(100 + LOCK_SECS));
        assert_eq!(a.locked(100 + LOCK_SECS - 1), Some(100 + LOCK_SECS));
        assert_eq!(a.locked(100 + LOCK_SECS), None);
        assert_eq!(a.failures, 0, "a fresh count after the lock");
    }
}
