//! Password sign-in throttling (OWASP ASVS 2.2.1, NIST SP 800-63B 5.2.2).
//! Per account: five free failures in a row, then each further attempt
//! waits twice as long as the last (1 s, 2 s, 4 s, ... at most 15 minutes).
//! Per client network (`domain::network`): at most 50 failures per 15
//! minutes. Per known-device token: five failures in a row and the token no
//! longer exempts its browser from the account's delay. Across every
//! account: past 1,000 failures in 15 minutes, browsers without a known
//! device token wait a second per attempt (password spraying slows down;
//! people on their own browsers do not). Like every check here, an attempt
//! is claimed before the password is compared, and a right password gives
//! its claim back.

use super::clock::UnixTime;

/// What a throttle counts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The normalised email, whether an account has it or not.
    Account,
    /// The client's network (`domain::network::limit_key`).
    ClientIp,
    /// A known-device token: its failures in a row.
    Device,
    /// Every password sign-in, whatever the account or address.
    Global,
}

pub const FREE_FAILURES: i64 = 5;
pub const MAX_DELAY_SECS: i64 = 15 * 60;
pub const IP_FAILURES_PER_WINDOW: i64 = 50;
pub const IP_WINDOW_SECS: i64 = 15 * 60;
/// Failures in a row after which a known-device token no longer exempts.
pub const DEVICE_FREE_FAILURES: i64 = 5;
/// Failures across all accounts per window beyond which unknown browsers wait.
pub const GLOBAL_FAILURES_PER_WINDOW: i64 = 1_000;
pub const GLOBAL_WINDOW_SECS: i64 = 15 * 60;
/// The wait of an unknown browser's attempt while over the global budget.
pub const GLOBAL_DELAY_MILLIS: u64 = 1_000;

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
            Self::Device => "device",
            Self::Global => "global",
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
                let counter = in_window(counter, now, IP_WINDOW_SECS);
                if counter.failures >= IP_FAILURES_PER_WINDOW {
                    return Err(counter.window_start + IP_WINDOW_SECS);
                }
                Ok(Counter {
                    failures: counter.failures + 1,
                    ..counter
                })
            }
            // Counted, never refused: what they decide is `exempts` and
            // `over_budget`.
            Self::Device => Ok(Counter {
                failures: counter.failures + 1,
                ..counter
            }),
            Self::Global => {
                let counter = in_window(counter, now, GLOBAL_WINDOW_SECS);
                Ok(Counter {
                    failures: counter.failures + 1,
                    ..counter
                })
            }
        }
    }

    /// A known-device token's counter: whether it still exempts its
    /// browser from the account's delay.
    pub fn exempts(counter: Counter) -> bool {
        counter.failures < DEVICE_FREE_FAILURES
    }

    /// The global counter: whether sign-ins are failing beyond the budget
    /// (unknown browsers then wait).
    pub fn over_budget(counter: Counter, now: UnixTime) -> bool {
        in_window(counter, now, GLOBAL_WINDOW_SECS).failures >= GLOBAL_FAILURES_PER_WINDOW
    }

    /// The password was right: the account starts again; the address gets
    /// this one attempt back (others from it may still be guesses).
    pub fn give_back(self, counter: Counter) -> Counter {
        match self {
            Self::Account | Self::Device => Counter::default(),
            Self::ClientIp | Self::Global => Counter {
                failures: (counter.failures - 1).max(0),
                ..counter
            },
        }
    }
}

/// The counter of a fixed window of `secs`: a new window once it ran out.
fn in_window(counter: Counter, now: UnixTime, secs: i64) -> Counter {
    if counter.failures == 0 || now >= counter.window_start + secs {
        Counter {
            failures: 0,
            window_start: now,
            blocked_until: 0,
        }
    } else {
        counter
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
    fn a_device_token_exempts_until_five_failures_in_a_row() {
        let mut counter = Counter::default();
        for _ in 0..DEVICE_FREE_FAILURES {
            assert!(Scope::exempts(counter));
            counter = Scope::Device.claim(counter, 100).unwrap();
        }
        assert!(!Scope::exempts(counter), "five wrong passwords in a row");
        assert!(
            Scope::exempts(Scope::Device.give_back(counter)),
            "until a right one"
        );
    }

    #[test]
    fn the_global_budget_is_a_thousand_failures_per_fifteen_minutes() {
        let mut counter = Counter::default();
        for _ in 0..GLOBAL_FAILURES_PER_WINDOW {
            assert!(!Scope::over_budget(counter, 100));
            counter = Scope::Global.claim(counter, 100).unwrap();
        }
        assert!(Scope::over_budget(counter, 100 + GLOBAL_WINDOW_SECS - 1));
        assert!(
            Scope::Global.claim(counter, 100).is_ok(),
            "counted, never refused"
        );
        assert!(!Scope::over_budget(counter, 100 + GLOBAL_WINDOW_SECS));
        assert!(!Scope::over_budget(Scope::Global.give_back(counter), 100));
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
