//! Dates and times for people: in the browser, in their language and time
//! zone (`Intl` through js-sys); on the host (tests), UTC.

use crate::i18n::Locale;

/// The date part of a Unix time, as the reader's locale writes it.
pub fn format_date(locale: Locale, unix: i64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos_i18n::Locale as _;
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        js_date(unix)
            .to_locale_date_string(locale.as_str(), &options)
            .into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = locale;
        iso_date(unix)
    }
}

/// A calendar date (`YYYY-MM-DD`, as a company set it) as the reader's
/// locale writes it, without moving it to another time zone.
pub fn format_civil_date(locale: Locale, date: &str) -> String {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return date.to_owned();
    };
    #[cfg(target_arch = "wasm32")]
    {
        use leptos_i18n::Locale as _;
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
        let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into());
        let at = js_sys::Date::utc(f64::from(year), f64::from(month) - 1.0);
        let at = at + (f64::from(day) - 1.0) * 86_400_000.0;
        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at))
            .to_locale_date_string(locale.as_str(), &options)
            .into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = locale;
        format!("{year:04}-{month:02}-{day:02}")
    }
}

/// The time of day of a Unix time, hours and minutes.
pub fn format_time(locale: Locale, unix: i64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos_i18n::Locale as _;
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
        js_date(unix)
            .to_locale_time_string_with_options(locale.as_str(), &options)
            .into()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = locale;
        let secs = unix.rem_euclid(86_400);
        format!("{:02}:{:02} UTC", secs / 3600, secs % 3600 / 60)
    }
}

/// The current Unix time, in seconds.
pub fn now() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// Today's date, YYYY-MM-DD, in the reader's time zone.
pub fn today_iso() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let d = js_sys::Date::new_0();
        format!(
            "{:04}-{:02}-{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date()
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        iso_date(now())
    }
}

/// The Unix time a day (`YYYY-MM-DD`) starts at in the reader's time
/// zone, `days` later (1: the start of the next day); none for a bad date.
pub fn local_day_start(date: &str, days: u32) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(year)), Some(Some(month)), Some(Some(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    {
        let at = js_sys::Date::new_with_year_month_day(year, month as i32 - 1, (day + days) as i32);
        let millis = at.get_time();
        (!millis.is_nan()).then(|| (millis / 1000.0) as i64)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // UTC on the host: days since 1970 by the inverse of `iso_date`.
        let (y, m) = if month <= 2 {
            (i64::from(year) - 1, month + 9)
        } else {
            (i64::from(year), month - 3)
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * i64::from(m) + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some((era * 146_097 + doe - 719_468 + i64::from(days)) * 86_400)
    }
}

#[cfg(target_arch = "wasm32")]
fn js_date(unix: i64) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0))
}

/// YYYY-MM-DD of a Unix time, UTC (days-to-civil, proleptic Gregorian).
pub fn iso_date(unix: i64) -> String {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_start_is_the_inverse_of_its_date() {
        for unix in [0, 951_782_400, 1_795_824_000] {
            assert_eq!(local_day_start(&iso_date(unix), 0), Some(unix));
            assert_eq!(local_day_start(&iso_date(unix), 1), Some(unix + 86_400));
        }
        assert_eq!(local_day_start("2026-13-01", 0), None);
        assert_eq!(local_day_start("not a date", 0), None);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(951_782_400), "2000-02-29");
        assert_eq!(iso_date(1_795_824_000), "2026-11-28");
        assert_eq!(iso_date(1_795_910_399), "2026-11-28");
        assert_eq!(iso_date(-1), "1969-12-31");
    }

    #[test]
    fn host_times_are_utc() {
        assert_eq!(
            format_time(Locale::en, 1_795_824_000 + 7 * 3600 + 5 * 60),
            "07:05 UTC"
        );
    }
}
