//! The company's enforcement deadline: 00:00 of a date in a time zone (IANA
//! names, from the time-zone database jiff carries), the days left, the
//! window of people who join after it, when reminders are due, and how
//! often a company's members may be told of a new date.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::clock::UnixTime;

const DAY: i64 = 24 * 60 * 60;

/// An enforcement date as the admin gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnforcementDate {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// An IANA time-zone name (`Europe/Paris`, `UTC`).
    pub time_zone: String,
    /// 00:00 of `date` in `time_zone` (Unix seconds).
    pub deadline: UnixTime,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("the enforcement date must be a date written YYYY-MM-DD")]
    NotADate,
    #[error("{0:?} is not a time zone of the IANA database (for example Europe/Paris or UTC)")]
    UnknownTimeZone(String),
    #[error("the enforcement date must be in the future")]
    InThePast,
}

impl EnforcementDate {
    /// Checks the date and zone; the deadline must be after `now`.
    pub fn new(date: &str, time_zone: &str, now: UnixTime) -> Result<Self, DateError> {
        let civil: Date = date.trim().parse().map_err(|_| DateError::NotADate)?;
        let zone = TimeZone::get(time_zone.trim())
            .map_err(|_| DateError::UnknownTimeZone(time_zone.trim().to_owned()))?;
        // Midnight may not exist on a DST day: the first instant of the day.
        let start = civil
            .to_zoned_datetime(zone)
            .and_then(|z| z.start_of_day())
            .map_err(|_| DateError::NotADate)?;
        let deadline = start.timestamp().as_second();
        if deadline <= now {
            return Err(DateError::InThePast);
        }
        Ok(Self {
            date: civil.to_string(),
            time_zone: time_zone.trim().to_owned(),
            deadline,
        })
    }
}

/// Every time-zone name the admin may choose from, sorted.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.contains('/') || name == "UTC")
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A company's members are told of a new or moved date at most this many
/// times per [`ANNOUNCEMENT_WINDOW_SECS`] (a date moved back and forth, by
/// mistake or by a stolen session, must not flood everyone's inbox).
pub const ANNOUNCEMENTS_PER_WINDOW: usize = 3;
pub const ANNOUNCEMENT_WINDOW_SECS: i64 = DAY;

/// Given when the announcements of the last window started (oldest first),
/// the time another may start; `None`: now.
pub fn announcements_open_at(starts: &[UnixTime]) -> Option<UnixTime> {
    let n = starts.len();
    (n >= ANNOUNCEMENTS_PER_WINDOW)
        .then(|| starts[n - ANNOUNCEMENTS_PER_WINDOW] + ANNOUNCEMENT_WINDOW_SECS)
}

/// Whole days left until `deadline`, counting a started day as one (0 once passed).
pub fn days_left(deadline: UnixTime, now: UnixTime) -> i64 {
    if now >= deadline {
        0
    } else {
        (deadline - now + DAY - 1) / DAY
    }
}

/// A member's own deadline: the company's, or for someone who joined
/// after it, `grace_days` from their first sign-in (from `now` when they
/// have not signed in yet).
pub fn personal_deadline(
    company_deadline: UnixTime,
    joined_at: UnixTime,
    first_sign_in: Option<UnixTime>,
    grace_days: i64,
    now: UnixTime,
) -> UnixTime {
    if joined_at <= company_deadline {
        company_deadline
    } else {
        first_sign_in.unwrap_or(now) + grace_days * DAY
    }
}

/// When each reminder is due: `days` before the deadline, those still in
/// the future.
pub fn reminders(deadline: UnixTime, days: &[i64], now: UnixTime) -> Vec<(i64, UnixTime)> {
    days.iter()
        .map(|&d| (d, deadline - d * DAY))
        .filter(|&(_, at)| at > now)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-28T00:00:00Z
    const NOW: UnixTime = 1_795_824_000;

    #[test]
    fn three_announcements_a_day() {
        assert_eq!(announcements_open_at(&[]), None);
        assert_eq!(announcements_open_at(&[NOW, NOW + 5]), None);
        assert_eq!(
            announcements_open_at(&[NOW, NOW + 5, NOW + 9]),
            Some(NOW + DAY)
        );
        assert_eq!(
            announcements_open_at(&[NOW, NOW + 5, NOW + 9, NOW + 20]),
            Some(NOW + 5 + DAY)
        );
    }

    #[test]
    fn the_deadline_is_midnight_in_the_chosen_zone() {
        let utc = EnforcementDate::new("2026-12-08", "UTC", NOW).unwrap();
        assert_eq!(utc.deadline, NOW + 10 * DAY);
        let paris = EnforcementDate::new("2026-12-08", "Europe/Paris", NOW).unwrap();
        assert_eq!(paris.deadline, NOW + 10 * DAY - 3600, "UTC+1 in winter");
        assert_eq!(paris.date, "2026-12-08");
    }

    #[test]
    fn chicago_across_the_spring_change() {
        // 2027-03-14: clocks go from 02:00 CST to 03:00 CDT. Midnight of the
        // 15th is then UTC-5, of the 13th UTC-6.
        let after = EnforcementDate::new("2027-03-15", "America/Chicago", NOW).unwrap();
        let before = EnforcementDate::new("2027-03-13", "America/Chicago", NOW).unwrap();
        // 2027-03-15T05:00:00Z and 2027-03-13T06:00:00Z.
        assert_eq!(after.deadline, 1_805_086_800);
        assert_eq!(before.deadline, 1_804_917_600);
        assert_eq!(after.deadline - before.deadline, 2 * DAY - 3600);
    }

    #[test]
    fn past_dates_nonsense_and_unknown_zones_are_refused() {
        assert_eq!(
            EnforcementDate::new("2026-11-28", "UTC", NOW),
            Err(DateError::InThePast)
        );
        assert_eq!(
            EnforcementDate::new("2026-11-27", "UTC", NOW),
            Err(DateError::InThePast)
        );
        assert_eq!(
            EnforcementDate::new("28/12/2026", "UTC", NOW),
            Err(DateError::NotADate)
        );
        assert_eq!(
            EnforcementDate::new("2026-02-30", "UTC", NOW),
            Err(DateError::NotADate)
        );
        assert!(matches!(
            EnforcementDate::new("2026-12-08", "Mars/Olympus", NOW),
            Err(DateError::UnknownTimeZone(_))
        ));
        let names = time_zone_names();
        assert!(names.contains(&"America/Chicago".to_owned()));
        assert!(names.contains(&"UTC".to_owned()));
    }

    #[test]
    fn days_left_count_a_started_day() {
        let deadline = NOW + 10 * DAY;
        assert_eq!(days_left(deadline, NOW), 10);
        assert_eq!(days_left(deadline, NOW + 1), 10);
        assert_eq!(days_left(deadline, deadline - 1), 1);
        assert_eq!(days_left(deadline, deadline), 0);
    }

    #[test]
    fn late_joiners_get_their_own_window() {
        let deadline = NOW + DAY;
        assert_eq!(personal_deadline(deadline, NOW, None, 14, NOW), deadline);
        let joined = deadline + 5 * DAY;
        assert_eq!(
            personal_deadline(deadline, joined, Some(joined + DAY), 14, joined + 2 * DAY),
            joined + 15 * DAY
        );
        assert_eq!(
            personal_deadline(deadline, joined, None, 14, joined + 3 * DAY),
            joined + 17 * DAY
        );
    }

    #[test]
    fn reminders_are_the_ones_still_ahead() {
        let deadline = NOW + 10 * DAY;
        assert_eq!(
            reminders(deadline, &[14, 7, 1], NOW),
            [(7, NOW + 3 * DAY), (1, NOW + 9 * DAY)]
        );
    }
}
