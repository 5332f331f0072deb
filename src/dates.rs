//! Calendar dates as day numbers. The plans need `YYYY-MM-DD`, periods
//! (`2027`, `2027-H1`, `2027-Q3`, `2027-05`) and day differences, and the
//! site formats a date for every change it lists: a day number is a plain
//! `i64` to subtract, sort and hash, and its civil conversion is a few
//! exact integer steps, tested against the calendar below. What needs time
//! zones comes from jiff: the local date ("today" on the reader's
//! calendar, not UTC's) and a commit's day at the offset git recorded with
//! it (a commit made at 23:30 in New York is on that day, not the next).

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses a strict `YYYY-MM-DD` date that exists in the calendar.
pub fn parse(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// The day a date or a date and time names, as written: `2026-02-10`, and
/// also `2026-02-10T00:00:00.000Z` or `2026-02-10 14:00` (specs such as
/// Ember's RFCs write timestamps). The day is the one written, whatever
/// the time zone: a target is a day on the roadmap, not an instant.
pub fn parse_day(s: &str) -> Option<i64> {
    match s.as_bytes().get(10) {
        None => parse(s),
        Some(b'T' | b't' | b' ') => parse(s.get(..10)?),
        Some(_) => None,
    }
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Formats a day number the way a person reads it: `3 Nov 2026`.
pub fn human(days: i64) -> String {
    let mut out = String::with_capacity(11);
    human_into(days, &mut out);
    out
}

/// [`human`], appending to `out` without formatting machinery: history
/// lists write one date per change, tens of thousands per build.
pub fn human_into(days: i64, out: &mut String) {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = civil_from_days(days);
    if d >= 10 {
        out.push(char::from(b'0' + (d / 10) as u8));
    }
    out.push(char::from(b'0' + (d % 10) as u8));
    out.push(' ');
    out.push_str(MONTHS[(m as usize).saturating_sub(1) % 12]);
    out.push(' ');
    if (1000..=9999).contains(&y) {
        let y = y as u32;
        for div in [1000, 100, 10, 1] {
            out.push(char::from(b'0' + ((y / div) % 10) as u8));
        }
    } else {
        out.push_str(&y.to_string());
    }
}

/// [`format()`] (`2026-11-03`) or [`quarter`] (`2026-Q4`) of a day, in a
/// buffer on the stack: `plan.json` writes one per change. None outside
/// four-digit years, where those two are the ones to use.
pub fn ascii(days: i64, as_quarter: bool) -> Option<Ascii> {
    let (y, m, d) = civil_from_days(days);
    if !(1000..=9999).contains(&y) {
        return None;
    }
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let y = y as u32;
    let mut buf = [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(d / 10),
        digit(d),
    ];
    let len = if as_quarter {
        buf[5] = b'Q';
        buf[6] = digit((m - 1) / 3 + 1);
        7
    } else {
        10
    };
    Some(Ascii { buf, len })
}

/// A date written by [`ascii`].
pub struct Ascii {
    buf: [u8; 10],
    len: usize,
}

impl Ascii {
    /// The date as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, dashes and `Q` are written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// The quarter of a day number: `2026-Q4`.
pub fn quarter(days: i64) -> String {
    let (y, m, _) = civil_from_days(days);
    format!("{y}-Q{}", (m - 1) / 3 + 1)
}

/// The first day and the day after the last of a period (`2027`,
/// `2027-H1`, `2027-Q3`, `2027-05`).
pub fn period_range(p: &str) -> Option<(i64, i64)> {
    let y: i64 = p.get(0..4)?.parse().ok()?;
    let (m0, months) = match p.get(4..) {
        Some("") => (1, 12),
        Some(rest) => {
            let rest = rest.strip_prefix('-')?;
            if let Some(h) = rest.strip_prefix('H') {
                let h: u32 = h.parse().ok().filter(|h| (1..=2).contains(h))?;
                (1 + (h - 1) * 6, 6)
            } else if let Some(q) = rest.strip_prefix('Q') {
                let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
                (1 + (q - 1) * 3, 3)
            } else {
                let m: u32 = rest.parse().ok().filter(|m| (1..=12).contains(m))?;
                (m, 1)
            }
        }
        None => return None,
    };
    let start = days_from_civil(y, m0, 1);
    let end_m = m0 + months;
    let end = if end_m > 12 {
        days_from_civil(y + 1, end_m - 12, 1)
    } else {
        days_from_civil(y, end_m, 1)
    };
    Some((start, end))
}

/// Today's date in the local time zone (`TZ`, else the system's; UTC
/// when neither can be read).
pub fn local_today() -> i64 {
    of_date(jiff::ZonedDateTime::now().date())
}

/// The day number of a civil date.
fn of_date(d: jiff::civil::Date) -> i64 {
    days_from_civil(i64::from(d.year()), d.month() as u32, d.day() as u32)
}

/// The day of a git time (seconds since the epoch, already clamped by
/// [`clamp_git_time`]) at the offset from UTC git recorded beside it, in
/// minutes. An offset git cannot have written (beyond ±25 hours) counts as
/// UTC, and a day past the years 1970 to 9999 is kept inside them.
pub fn day_at(secs: i64, offset_minutes: i32) -> i64 {
    let offset = jiff::tz::Offset::from_seconds(offset_minutes.saturating_mul(60))
        .unwrap_or(jiff::tz::Offset::UTC);
    let secs = secs.clamp(GIT_TIME_MIN, GIT_TIME_MAX);
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => of_date(offset.to_datetime(t).date()).clamp(
            GIT_TIME_MIN.div_euclid(86_400),
            GIT_TIME_MAX.div_euclid(86_400),
        ),
        Err(_) => secs.div_euclid(86_400),
    }
}

/// The earliest commit time read from git: 1970-01-01T00:00:00Z.
pub const GIT_TIME_MIN: i64 = 0;
/// The latest commit time read from git: 9999-12-31T23:59:59Z, the last
/// second a `YYYY-MM-DD` date can show. git accepts any 64-bit time
/// (`@9223372036854775807`), and day arithmetic on such a date overflows
/// or drives loops and allocations over trillions of days (the roadmap's
/// month grid, `stale`'s count).
pub const GIT_TIME_MAX: i64 = 253_402_300_799;

/// A commit time read from git, within [`GIT_TIME_MIN`]..=[`GIT_TIME_MAX`],
/// and whether it had to be moved there.
pub fn clamp_git_time(secs: i64) -> (i64, bool) {
    let clamped = secs.clamp(GIT_TIME_MIN, GIT_TIME_MAX);
    (clamped, clamped != secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_read_from_a_date_or_a_timestamp() {
        let day = parse("2026-02-10");
        assert!(day.is_some());
        for s in [
            "2026-02-10T00:00:00.000Z",
            "2026-02-10 14:00",
            "2026-02-10t09:00",
        ] {
            assert_eq!(parse_day(s), day, "{s}");
        }
        for s in [
            "2026-02-10x",
            "2026-02-1",
            "2026-02-30T00:00",
            "T2026-02-10",
        ] {
            assert_eq!(parse_day(s), None, "{s}");
        }
    }

    #[test]
    fn git_times_are_clamped_to_the_years_1970_to_9999() {
        assert_eq!(clamp_git_time(1_767_268_800), (1_767_268_800, false));
        assert_eq!(clamp_git_time(i64::MAX), (GIT_TIME_MAX, true));
        assert_eq!(clamp_git_time(i64::MIN), (GIT_TIME_MIN, true));
        assert_eq!(format(GIT_TIME_MAX.div_euclid(86_400)), "9999-12-31");
        assert_eq!(format((GIT_TIME_MAX + 1).div_euclid(86_400)), "10000-01-01");
    }

    #[test]
    fn a_commit_day_is_the_day_at_its_offset() {
        // 2026-03-16T04:30:00Z is still the 15th in New York (-05:00) and
        // already the 16th in Tokyo.
        let t = 1_773_635_400;
        assert_eq!(format(day_at(t, 0)), "2026-03-16");
        assert_eq!(format(day_at(t, -300)), "2026-03-15");
        assert_eq!(format(day_at(t, 540)), "2026-03-16");
        assert_eq!(format(day_at(t - 6 * 3600, 540)), "2026-03-16");
        assert_eq!(format(day_at(t - 6 * 3600, 0)), "2026-03-15");
        // Offsets git cannot write count as UTC; the edges stay in range.
        assert_eq!(day_at(t, i32::MAX), day_at(t, 0));
        assert_eq!(format(day_at(0, -720)), "1970-01-01");
        assert_eq!(format(day_at(GIT_TIME_MAX, 840)), "9999-12-31");
    }

    #[test]
    fn round_trips_and_rejects_impossible_dates() {
        let d = parse("2026-11-03").unwrap();
        assert_eq!(format(d), "2026-11-03");
        assert_eq!(human(d), "3 Nov 2026");
        assert_eq!(parse("2027-02-30"), None);
        assert_eq!(parse("2024-02-29").map(format), Some("2024-02-29".into()));
        assert_eq!(
            parse("2026-01-01").unwrap() - parse("2025-12-31").unwrap(),
            1
        );
    }

    #[test]
    fn human_dates_match_the_calendar_across_days_months_and_years() {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        // Every day from 1999 to 2031, against the civil date spelled out.
        for day in parse("1999-01-01").unwrap()..parse("2031-12-31").unwrap() {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(human(day), format!("{d} {} {y}", MONTHS[m as usize - 1]));
        }
        assert_eq!(human(parse("2026-12-31").unwrap()), "31 Dec 2026");
        // Years outside four digits still read right.
        assert_eq!(human(parse("0999-03-01").unwrap()), "1 Mar 999");
        let mut out = String::from("on ");
        human_into(parse("2027-01-09").unwrap(), &mut out);
        assert_eq!(out, "on 9 Jan 2027");
    }

    #[test]
    fn ascii_dates_match_format_and_quarter() {
        for day in parse("1999-01-01").unwrap()..parse("2031-12-31").unwrap() {
            assert_eq!(ascii(day, false).unwrap().as_str(), format(day));
            assert_eq!(ascii(day, true).unwrap().as_str(), quarter(day));
        }
        assert!(ascii(parse("0999-03-01").unwrap(), false).is_none());
    }

    #[test]
    fn periods() {
        let (s, e) = period_range("2027-Q2").unwrap();
        assert_eq!(
            (format(s), format(e)),
            ("2027-04-01".into(), "2027-07-01".into())
        );
        let (s, e) = period_range("2026-H2").unwrap();
        assert_eq!(
            (format(s), format(e)),
            ("2026-07-01".into(), "2027-01-01".into())
        );
        assert!(period_range("2026-Q5").is_none());
    }
}
