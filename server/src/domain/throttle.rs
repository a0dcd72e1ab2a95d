//! Password sign-in throttling (OWASP ASVS 2.2.1, NIST SP 800-63B 5.2.2).
//! Per account: five free failures in a row, then each further attempt
//! waits twice as long as the last (1 s, 2 s, 4 s, ... at most 15 minutes).
//! Per client IP: at most 50 failures per 15 minutes. Like every check here,
//! an attempt is claimed before the password is compared, and a right
//! password gives its claim back.

use super::clock::UnixTime;

/// What a throttle counts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The normalised email, whether an account has it or not.
    Account,
    ClientIp,
}

pub const FREE_FAILURES: i64 = 5;
pub const MAX_DELAY_SECS: i64 = 15 * 60;
pub const IP_FAILURES_PER_WINDOW: i64 = 50;
pub const IP_WINDOW_SECS: i64 = 15 * 60;

/// The stored count for one account or address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    pub window_start: UnixTime,
    pub blocked_until: UnixTime,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::ClientIp => "ip",
        }
    }

    /// Claims an attempt: the counter to store, or until when attempts are
    /// refused (unchecked).
    pub fn claim(self, counter: Counter, now: UnixTime) -> Result<Counter, UnixTime> {
        match self {
            Self::Account => {
                if now < counter.blocked_until {
                    return Err(counter.blocked_until);
                }
                let failures = counter.failures + 1;
                let blocked_until = if failures >= FREE_FAILURES {
                    now + delay_after(failures)
                } else {
                    0
                };
                Ok(Counter {
                    failures,
                    blocked_until,
                    ..counter
                })
            }
            Self::ClientIp => {
                let counter =
                    if counter.failures == 0 || now >= counter.window_start + IP_WINDOW_SECS {
                        Counter {
                            failures: 0,
                            window_start: now,
                            blocked_until: 0,
                        }
                    } else {
                        counter
                    };
                if counter.failures >= IP_FAILURES_PER_WINDOW {
                    return Err(counter.window_start + IP_WINDOW_SECS);
                }
                Ok(Counter {
                    failures: counter.failures + 1,
                    ..counter
                })
            }
        }
    }

    /// The password was right: the account starts again; the address gets
    /// this one attempt back (others from it may still be guesses).
    pub fn give_back(self, counter: Counter) -> Counter {
        match self {
            Self::Account => Counter::default(),
            Self::ClientIp => Counter {
                failures: (counter.failures - 1).max(0),
                ..counter
            },
        }
    }
}

/// The wait after the `failures`th failure in a row (from the fifth on).
fn delay_after(failures: i64) -> i64 {
    let doublings = u32::try_from((failures - FREE_FAILURES).clamp(0, 20)).unwrap_or(20);
    (1i64 << doublings).min(MAX_DELAY_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_free_failures_then_doubling_delays_up_to_fifteen_minutes() {
        let mut counter = Counter::default();
        let mut now = 1_000;
        let mut waits = Vec::new();
        for _ in 0..16 {
            counter = Scope::Account.claim(counter, now).unwrap();
            if counter.blocked_until > 0 {
                assert_eq!(
                    Scope::Account.claim(counter, now),
                    Err(counter.blocked_until)
                );
                waits.push(counter.blocked_until - now);
                now = counter.blocked_until;
            }
        }
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(Scope::Account.give_back(counter), Counter::default());
    }

    #[test]
    fn fifty_failures_per_address_per_fifteen_minutes() {
        let mut counter = Counter::default();
        for _ in 0..50 {
            counter = Scope::ClientIp.claim(counter, 100).unwrap();
        }
        assert_eq!(
            Scope::ClientIp.claim(counter, 100),
            Err(100 + IP_WINDOW_SECS)
        );
        let back = Scope::ClientIp.give_back(counter);
        assert_eq!(back.failures, 49);
        assert!(
            Scope::ClientIp.claim(counter, 100 + IP_WINDOW_SECS).is_ok(),
            "a new window"
        );
    }
}
