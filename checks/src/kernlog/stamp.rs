//! Kernel log timestamps as seconds on one axis. dmesg's `[  13.853340]` is
//! seconds since boot (aligned to wall time when the boot time is known); syslog's
//! `Nov 16 13:47:43` has no year, which is inferred: the year of the reference time,
//! or the one before when the stamp would otherwise lie in the future (a December
//! log read in January). `dmesg -T` and short-iso stamps carry their own date.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// A parsed stamp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stamp {
    /// Seconds since boot.
    Monotonic(f64),
    Wall(DateTime<Utc>),
}

/// Parse a stamp as printed by dmesg, dmesg -T, syslog or journalctl short-iso.
pub fn parse(text: &str, reference: DateTime<Utc>) -> Option<Stamp> {
    let t = text.trim();
    if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if let Ok(secs) = inner.trim().parse::<f64>() {
            return Some(Stamp::Monotonic(secs));
        }
        return NaiveDateTime::parse_from_str(inner, "%a %b %e %H:%M:%S %Y")
            .ok()
            .map(|d| Stamp::Wall(Utc.from_utc_datetime(&d)));
    }
    if let Ok(d) = DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z"))
    {
        return Some(Stamp::Wall(d.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDateTime::parse_from_str(t, "%b %e %H:%M:%S %Y") {
        return Some(Stamp::Wall(Utc.from_utc_datetime(&d)));
    }
    // Syslog without year.
    let with_year =
        |y: i32| NaiveDateTime::parse_from_str(&format!("{y} {t}"), "%Y %b %e %H:%M:%S").ok();
    let mut d = with_year(reference.year())?;
    if d > reference.naive_utc() + chrono::Duration::days(1) {
        d = with_year(reference.year() - 1)?;
    }
    Some(Stamp::Wall(Utc.from_utc_datetime(&d)))
}

/// Seconds on one axis: wall-clock seconds since the epoch, or for monotonic
/// stamps the boot time plus the stamp (0 when the boot time is unknown).
pub fn seconds(stamp: Stamp, boot: Option<DateTime<Utc>>) -> f64 {
    match stamp {
        Stamp::Wall(d) => d.timestamp() as f64 + f64::from(d.timestamp_subsec_millis()) / 1000.0,
        Stamp::Monotonic(s) => boot.map_or(0.0, |b| b.timestamp() as f64) + s,
    }
}

/// A date for tests and defaults.
pub fn date(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or_else(Utc::now, |d| Utc.from_utc_datetime(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form() {
        let r = date(2026, 11, 24);
        assert_eq!(parse("[   13.853340]", r), Some(Stamp::Monotonic(13.85334)));
        let Some(Stamp::Wall(d)) = parse("Nov 16 13:47:43", r) else {
            panic!()
        };
        assert_eq!((d.year(), d.month(), d.day()), (2026, 11, 16));
        let Some(Stamp::Wall(d)) = parse("Dec 31 23:59:59", date(2027, 1, 2)) else {
            panic!()
        };
        assert_eq!(
            d.year(),
            2026,
            "a December line read in January is last year's"
        );
        let Some(Stamp::Wall(d)) = parse("[Tue Nov 24 19:51:49 2026]", r) else {
            panic!()
        };
        assert_eq!(d.day(), 24);
        let Some(Stamp::Wall(d)) = parse("2026-11-24T19:51:49+0000", r) else {
            panic!()
        };
        assert_eq!(d.timestamp() % 60, 49);
        assert_eq!(parse("garbage", r), None);
    }
}
