//! Time windows: when a deployment into a stage may *start* (days of the week, hours of
//! the day, a time zone, excluded dates such as holidays). A stage may have several
//! (`window = [{ … }, { … }]`): it is open while any of them is.
//!
//! Everything here is a pure function of the window and a timestamp passed in: no clock
//! reads. Days and hours are compared in the window's civil time (via jiff's time zone
//! database), so "09:00-16:00 in America/New_York" stays 09:00-16:00 across DST changes.

use std::collections::BTreeSet;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// When deployments into a stage may start: one opening (its days, hours, time zone and
/// excluded dates) and, when `pipeline.toml` lists several, the others in `also`. The
/// window is open while any of them is.
#[derive(Clone, Debug)]
pub struct Window {
    /// Allowed days, indexed Monday = 0 … Sunday = 6.
    pub days: [bool; 7],
    /// Start of the daily opening, inclusive.
    pub start: Time,
    /// End of the daily opening, exclusive; `None` means midnight at the end of the day.
    pub end: Option<Time>,
    /// IANA name of the time zone the days and hours are read in.
    pub timezone_name: String,
    pub timezone: TimeZone,
    /// Dates (in the window's time zone) on which the window stays closed all day.
    pub exclude: BTreeSet<Date>,
    /// The other openings of a stage with several windows (each with no `also` of its
    /// own), in the order written.
    pub also: Vec<Window>,
}

impl Window {
    /// Builds a window from its textual parts, as written in `pipeline.toml`.
    /// `days` like `mon-thu` or `mon,wed,fri` (empty: every day), `hours` like
    /// `09:00-16:00` (empty: all day), dates as `YYYY-MM-DD`.
    pub fn parse(
        days: &str,
        hours: &str,
        timezone: &str,
        exclude: &[&str],
    ) -> Result<Window, String> {
        let days = if days.trim().is_empty() {
            [true; 7]
        } else {
            parse_days(days)?
        };
        let (start, end) = if hours.trim().is_empty() {
            (Time::midnight(), None)
        } else {
            parse_hours(hours)?
        };
        let tz = parse_timezone(timezone)?;
        let mut dates = BTreeSet::new();
        for date in exclude {
            dates.insert(parse_date(date)?);
        }
        Ok(Window {
            days,
            start,
            end,
            timezone_name: timezone.to_string(),
            timezone: tz,
            exclude: dates,
            also: Vec::new(),
        })
    }

    /// One window open while any of `windows` is; `None` for none.
    pub fn any_of(windows: Vec<Window>) -> Option<Window> {
        let mut openings = windows.into_iter().flat_map(Window::openings_owned);
        let mut first = openings.next()?;
        first.also = openings.collect();
        Some(first)
    }

    /// Each opening on its own: this one (without `also`), then the others.
    pub fn openings(&self) -> impl Iterator<Item = &Window> {
        std::iter::once(self).chain(self.also.iter())
    }

    fn openings_owned(mut self) -> Vec<Window> {
        let also = std::mem::take(&mut self.also);
        std::iter::once(self).chain(also).collect()
    }

    /// Whether a deployment may start at `at`.
    pub fn allows(&self, at: Timestamp) -> bool {
        self.allows_one(at) || self.also.iter().any(|w| w.allows_one(at))
    }

    fn allows_one(&self, at: Timestamp) -> bool {
        let local = at.to_zoned(self.timezone.clone()).datetime();
        self.allows_civil(local)
    }

    fn allows_civil(&self, local: DateTime) -> bool {
        let date = local.date();
        if self.exclude.contains(&date) || !self.day_allowed(date.weekday()) {
            return false;
        }
        let time = local.time();
        time >= self.start && self.end.is_none_or(|end| time < end)
    }

    fn day_allowed(&self, day: Weekday) -> bool {
        let index = usize::try_from(day.to_monday_zero_offset()).unwrap_or(0);
        self.days[index % 7]
    }

    /// The first instant at or after `at` when the window is open: `at` itself if it is
    /// open now. `None` only if the window never opens again within the search horizon
    /// (which a validated window cannot do).
    pub fn next_open(&self, at: Timestamp) -> Option<Timestamp> {
        std::iter::once(self.next_open_one(at))
            .chain(self.also.iter().map(|w| w.next_open_one(at)))
            .flatten()
            .min()
    }

    fn next_open_one(&self, at: Timestamp) -> Option<Timestamp> {
        if self.allows_one(at) {
            return Some(at);
        }
        let mut date = at.to_zoned(self.timezone.clone()).date();
        // A week past the last excluded date is always enough for a window with at least
        // one allowed day; the bound keeps hostile input from looping forever.
        let horizon = 7 + 7 * self.exclude.len() + 2;
        for _ in 0..horizon {
            if !self.exclude.contains(&date) && self.day_allowed(date.weekday()) {
                // A start time inside a DST gap resolves to the instant just after the gap
                // (jiff's "compatible" disambiguation), like a wall clock that jumped.
                if let Ok(open) = date.to_datetime(self.start).to_zoned(self.timezone.clone()) {
                    let candidate = open.timestamp().max(at);
                    if self.allows_one(candidate) {
                        return Some(candidate);
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_one(f)?;
        for other in &self.also {
            f.write_str(" or ")?;
            other.fmt_one(f)?;
        }
        Ok(())
    }
}

impl Window {
    fn fmt_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.days == [true; 7] {
            f.write_str("every day")?;
        } else {
            f.write_str(&format_days(&self.days))?;
        }
        let end = self
            .end
            .map_or_else(|| "24:00".to_string(), |t| t.strftime("%H:%M").to_string());
        write!(
            f,
            " {}-{} {}",
            self.start.strftime("%H:%M"),
            end,
            self.timezone_name
        )?;
        match self.exclude.len() {
            0 => Ok(()),
            1 => write!(
                f,
                ", except {}",
                self.exclude
                    .iter()
                    .next()
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
            n => write!(f, ", except {n} dates"),
        }
    }
}

fn format_days(days: &[bool; 7]) -> String {
    // Compress runs: [mon, tue, wed, thu] → "mon-thu".
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if days[i] {
            let start = i;
            while i + 1 < 7 && days[i + 1] {
                i += 1;
            }
            if i == start {
                parts.push(DAY_NAMES[start].to_string());
            } else {
                parts.push(format!("{}-{}", DAY_NAMES[start], DAY_NAMES[i]));
            }
        }
        i += 1;
    }
    parts.join(",")
}

fn day_index(name: &str) -> Result<usize, String> {
    let lower = name.trim().to_ascii_lowercase();
    let short: String = lower.chars().take(3).collect();
    let full = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    DAY_NAMES
        .iter()
        .position(|d| *d == lower || (*d == short && full.iter().any(|f| *f == lower)))
        .ok_or_else(|| {
            let hint = crate::error::suggestion_hint(&lower, DAY_NAMES).unwrap_or_else(|| {
                "days are written mon, tue, wed, thu, fri, sat, sun".to_string()
            });
            format!("unknown day `{}`; {hint}", name.trim())
        })
}

/// `mon-thu`, `mon,wed,fri`, `fri-mon` (wrapping), `mon-thu,sat`.
pub fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(format!(
                "empty day in `{text}`; write days like `mon-thu` or `mon,wed,fri`"
            ));
        }
        if let Some((from, to)) = part.split_once('-') {
            let (from, to) = (day_index(from)?, day_index(to)?);
            let mut i = from;
            loop {
                days[i] = true;
                if i == to {
                    break;
                }
                i = (i + 1) % 7;
            }
        } else {
            days[day_index(part)?] = true;
        }
    }
    Ok(days)
}

fn parse_clock(text: &str) -> Result<Option<Time>, String> {
    let bad = || format!("invalid time `{text}`; write times as HH:MM, like `09:00`");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i8, i8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h == 24 && m == 0 {
        return Ok(None);
    }
    Time::new(h, m, 0, 0).map(Some).map_err(|_| bad())
}

/// `09:00-16:00`; the end is exclusive and may be `24:00`.
pub fn parse_hours(text: &str) -> Result<(Time, Option<Time>), String> {
    let (from, to) = text.split_once('-').ok_or_else(|| {
        format!("invalid hours `{text}`; write hours as HH:MM-HH:MM, like `09:00-16:00`")
    })?;
    let start = parse_clock(from)?
        .ok_or_else(|| format!("invalid hours `{text}`: the window cannot start at 24:00"))?;
    let end = parse_clock(to)?;
    if let Some(end) = end
        && end <= start
    {
        return Err(format!(
            "invalid hours `{text}`: the end must be after the start (windows do not cross midnight)"
        ));
    }
    Ok((start, end))
}

/// An IANA time zone name, checked against jiff's time zone database.
pub fn parse_timezone(name: &str) -> Result<TimeZone, String> {
    if let Some(zone) = zoneinfo_file(name) {
        return Ok(zone);
    }
    TimeZone::get(name).map_err(|_| {
        // Suggest from the same database that refused the name.
        let names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_string())
            .collect();
        let hint = crate::error::suggestion_hint(name, names.iter().map(String::as_str))
            .unwrap_or_else(|| "use an IANA name like `Europe/Paris` or `UTC`".to_string());
        format!("unknown time zone `{name}`; {hint}")
    })
}

/// The zone read straight from its file in the system's zoneinfo directory (`TZDIR`, or
/// /usr/share/zoneinfo) when `name` is written as the file is named. jiff's database
/// lists the whole directory on its first lookup (to match names without regard to
/// case), which costs every command about a millisecond; an unusual spelling or a
/// system without the files still goes through it.
fn zoneinfo_file(name: &str) -> Option<TimeZone> {
    if name == "UTC" {
        return Some(TimeZone::UTC);
    }
    let plain = name.split('/').all(|part| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
    });
    if !plain {
        return None;
    }
    let dir = std::env::var_os("TZDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "/usr/share/zoneinfo".into());
    let data = std::fs::read(dir.join(name)).ok()?;
    TimeZone::tzif(name, &data).ok()
}

/// An instant as written for a freeze or `captain freeze --until`: RFC 3339 with an
/// offset (`2026-12-21T18:00:00Z`, `…+01:00`), or a civil date-time (`2026-12-21T18:00`,
/// `2026-12-21 18:00`) or date (`2026-12-21`) read in `zone`. A date alone is its start,
/// or with `end` its end (the start of the next day), so `to = 2026-12-26` covers the 26th.
pub fn parse_instant(text: &str, zone: &TimeZone, end: bool) -> Result<Timestamp, String> {
    let text = text.trim();
    let bad = || format!("invalid date-time `{text}`");
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    // TOML writes an offset date-time with a space or a `T`; a civil one has no offset.
    if let Ok(t) = text.replacen(' ', "T", 1).parse::<Timestamp>() {
        return Ok(t);
    }
    let civil = match text.replacen(' ', "T", 1).parse::<DateTime>() {
        Ok(dt) if text.len() > 10 => dt,
        _ => {
            let date = text.parse::<Date>().map_err(|_| bad())?;
            if end {
                date.tomorrow()
                    .map_err(|_| bad())?
                    .to_datetime(Time::midnight())
            } else {
                date.to_datetime(Time::midnight())
            }
        }
    };
    civil
        .to_zoned(zone.clone())
        .map(|z| z.timestamp())
        .map_err(|e| format!("{}: {e}", bad()))
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("invalid date `{text}`; write dates as YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse()
            .unwrap_or_else(|e| panic!("bad test timestamp {text}: {e}"))
    }

    fn ny() -> Window {
        Window::parse(
            "mon-thu",
            "09:00-16:00",
            "America/New_York",
            &["2026-11-26"],
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn days_parse_ranges_lists_and_wraps() {
        assert_eq!(
            parse_days("mon-thu"),
            Ok([true, true, true, true, false, false, false])
        );
        assert_eq!(
            parse_days("mon,wed,Friday"),
            Ok([true, false, true, false, true, false, false])
        );
        assert_eq!(
            parse_days("fri-mon"),
            Ok([true, false, false, false, true, true, true])
        );
        assert!(
            parse_days("mon-thr")
                .err()
                .unwrap_or_default()
                .contains("did you mean `thu`")
        );
        assert!(parse_days("mon,,tue").is_err());
    }

    #[test]
    fn hours_parse_and_reject_backwards_ranges() {
        assert!(parse_hours("09:00-16:00").is_ok());
        assert_eq!(parse_hours("00:00-24:00").map(|(_, end)| end), Ok(None));
        assert!(parse_hours("16:00-09:00").is_err());
        assert!(parse_hours("9-16").is_err());
        assert!(parse_hours("25:00-26:00").is_err());
        assert!(parse_hours("24:00-24:00").is_err());
    }

    #[test]
    fn allows_uses_civil_time_on_both_sides_of_spring_forward() {
        let w = ny();
        // Thursday 2026-03-05 is EST (UTC-5): 09:00 local = 14:00Z.
        assert!(!w.allows(ts("2026-03-05T13:59:59Z")));
        assert!(w.allows(ts("2026-03-05T14:00:00Z")));
        // Monday 2026-03-09, the day after the change to EDT (UTC-4): 09:00 local = 13:00Z.
        assert!(w.allows(ts("2026-03-09T13:00:00Z")));
        assert!(!w.allows(ts("2026-03-09T12:59:59Z")));
        assert!(w.allows(ts("2026-03-09T19:59:59Z")));
        assert!(!w.allows(ts("2026-03-09T20:00:00Z")));
    }

    #[test]
    fn next_open_crosses_the_dst_change() {
        let w = ny();
        // Thursday 2026-03-05 17:00 EST (closed) → next open is Monday 09:00 EDT = 13:00Z,
        // not 14:00Z as a fixed-offset calculation would give.
        let next = w.next_open(ts("2026-03-05T22:00:00Z"));
        assert_eq!(next, Some(ts("2026-03-09T13:00:00Z")));
        // Fall back: Thursday 2026-10-29 after hours (EDT) → Monday 2026-11-02 09:00 EST = 14:00Z.
        let next = w.next_open(ts("2026-10-29T21:00:00Z"));
        assert_eq!(next, Some(ts("2026-11-02T14:00:00Z")));
    }

    #[test]
    fn a_window_inside_the_repeated_hour_of_fall_back() {
        // 2026-11-01 01:00-02:00 in New York happens twice (EDT then EST): both are inside.
        let w = Window::parse("sun", "01:00-02:00", "America/New_York", &[])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(w.allows(ts("2026-11-01T05:30:00Z"))); // 01:30 EDT
        assert!(w.allows(ts("2026-11-01T06:30:00Z"))); // 01:30 EST
        assert!(!w.allows(ts("2026-11-01T07:00:00Z"))); // 02:00 EST
        assert_eq!(
            w.next_open(ts("2026-11-01T04:00:00Z")),
            Some(ts("2026-11-01T05:00:00Z"))
        );
    }

    #[test]
    fn a_start_inside_the_spring_forward_gap_opens_after_the_gap() {
        // 02:00-04:00 on 2026-03-08: 02:00-03:00 does not exist in New York.
        let w = Window::parse("sun", "02:00-04:00", "America/New_York", &[])
            .unwrap_or_else(|e| panic!("{e}"));
        // Saturday evening → opens at 03:00 EDT = 07:00Z.
        assert_eq!(
            w.next_open(ts("2026-03-07T23:00:00Z")),
            Some(ts("2026-03-08T07:00:00Z"))
        );
    }

    #[test]
    fn excluded_dates_stay_closed_all_day() {
        let w = ny();
        // Thanksgiving, Thursday 2026-11-26, 10:00 EST = 15:00Z: closed.
        assert!(!w.allows(ts("2026-11-26T15:00:00Z")));
        // The Wednesday before is open.
        assert!(w.allows(ts("2026-11-25T15:00:00Z")));
        // From Wednesday after hours, the next opening skips Thursday (excluded) and the
        // weekend (not allowed) to Monday 2026-11-30 09:00 EST.
        assert_eq!(
            w.next_open(ts("2026-11-25T22:00:00Z")),
            Some(ts("2026-11-30T14:00:00Z"))
        );
    }

    #[test]
    fn next_open_is_now_when_open() {
        let w = ny();
        let now = ts("2026-03-10T15:00:00Z");
        assert_eq!(w.next_open(now), Some(now));
    }

    #[test]
    fn display_is_compact() {
        assert_eq!(
            ny().to_string(),
            "mon-thu 09:00-16:00 America/New_York, except 2026-11-26"
        );
    }

    #[test]
    fn unknown_time_zone_is_rejected() {
        assert!(parse_timezone("America/New_Yrok").is_err());
        assert!(parse_timezone("Europe/Paris").is_ok());
    }

    /// A zone read straight from its file is the zone jiff's database gives.
    #[test]
    fn a_zone_read_from_its_file_is_the_databases() {
        for name in ["America/Los_Angeles", "Europe/Paris", "UTC", "Asia/Kolkata"] {
            let ours = parse_timezone(name).expect(name);
            let theirs = TimeZone::get(name).expect(name);
            assert_eq!(ours.iana_name(), theirs.iana_name(), "{name}");
            for t in [
                "2026-03-08T10:30:00Z",
                "2026-07-01T00:00:00Z",
                "2026-11-01T09:30:00Z",
            ] {
                let t: Timestamp = t.parse().expect("instant");
                assert_eq!(ours.to_offset(t), theirs.to_offset(t), "{name} at {t}");
            }
        }
        // Written otherwise than the file is named: jiff's database still answers.
        assert!(parse_timezone("america/new_york").is_ok_and(|z| z.iana_name().is_some()));
        assert!(parse_timezone("../etc/passwd").is_err());
    }
}
