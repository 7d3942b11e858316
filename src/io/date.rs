//! Reading a date field, the one way every command reads it: ISO 8601 by default (`2022-02-24`,
//! a month `2022-02`, or an RFC 3339 timestamp `2022-02-24T10:00:00+02:00`, whose date is
//! taken as written, not moved to UTC), or a strftime-style `--date-format` (`%d/%m/%Y`), and
//! a tally of the dates of a file that could not be read, so that a caller can name them once
//! per file instead of dropping them in silence.
//!
//! The format is parsed with `chrono`, the well-kept crate whose patterns are strftime's, as
//! a spreadsheet user will know them (the `time` crate has its own pattern syntax).

use std::path::{Path, PathBuf};

use crate::io::corpus::Document;

use chrono::format::{Item, StrftimeItems};
use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// A checked calendar date; `day` is 1 when only a month was given (`month_only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub month_only: bool,
}

impl Date {
    /// Parses an ISO date, month or timestamp; `None` if it is not a real date.
    pub fn parse(s: &str) -> Option<Date> {
        DateFormat::Iso.parse(s)
    }

    fn from_naive(d: NaiveDate) -> Date {
        Date {
            year: d.year(),
            month: d.month(),
            day: d.day(),
            month_only: false,
        }
    }

    /// The date as `YYYY-MM-DD`, or `YYYY-MM` for a month.
    pub fn iso(&self) -> String {
        if self.month_only {
            format!("{:04}-{:02}", self.year, self.month)
        } else {
            format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
        }
    }
}

/// How dates are written. Defaults to ISO 8601.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DateFormat {
    #[default]
    Iso,
    /// A checked strftime-style pattern such as `%d/%m/%Y`.
    Pattern(String),
}

/// Why a `--date-format` pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("date format {pattern:?} {why}; write it strftime-style, such as %d/%m/%Y")]
pub struct DateFormatError {
    pub pattern: String,
    why: &'static str,
}

/// The patterns tried to suggest a `--date-format` for dates that are not ISO.
const COMMON: &[&str] = &[
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%y",
    "%Y%m%d",
    "%d %b %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%B %d, %Y",
];

impl DateFormat {
    /// A strftime-style pattern, checked: it must be valid and name a day, a month and a year.
    pub fn pattern(pattern: &str) -> Result<DateFormat, DateFormatError> {
        let refuse = |why| DateFormatError {
            pattern: pattern.to_string(),
            why,
        };
        if StrftimeItems::new(pattern).any(|item| matches!(item, Item::Error)) {
            return Err(refuse("is not a valid strftime pattern"));
        }
        let has = |specs: &[&str]| specs.iter().any(|s| pattern.contains(s));
        if !has(&["%Y", "%y", "%C", "%F", "%D", "%x"])
            || !has(&["%m", "%b", "%B", "%h", "%F", "%D", "%x"])
        {
            return Err(refuse("needs a year and a month"));
        }
        Ok(DateFormat::Pattern(pattern.to_string()))
    }

    /// The format `--date-format` names, ISO without one.
    pub fn from_option(pattern: Option<&str>) -> Result<DateFormat, DateFormatError> {
        pattern.map_or(Ok(DateFormat::Iso), DateFormat::pattern)
    }

    /// How the format is described in messages.
    pub fn describe(&self) -> String {
        match self {
            DateFormat::Iso => "YYYY-MM-DD".to_string(),
            DateFormat::Pattern(p) => format!("{p} or YYYY-MM-DD"),
        }
    }

    /// Reads `s` (trimmed); `None` if it is not a date in this format.
    pub fn parse(&self, s: &str) -> Option<Date> {
        let s = s.trim();
        match self {
            DateFormat::Iso => parse_iso(s),
            // An ISO date is unambiguous, so it reads whatever the pattern.
            DateFormat::Pattern(p) => NaiveDate::parse_from_str(s, p)
                .or_else(|_| NaiveDateTime::parse_from_str(s, p).map(|t| t.date()))
                .ok()
                .map(Date::from_naive)
                .or_else(|| parse_iso(s)),
        }
    }

    /// A common pattern that reads every one of `samples`, if there is one.
    pub fn suggest<'a>(samples: impl IntoIterator<Item = &'a str> + Clone) -> Option<&'static str> {
        COMMON.iter().copied().find(|p| {
            let format = DateFormat::Pattern(p.to_string());
            samples
                .clone()
                .into_iter()
                .all(|s| format.parse(s).is_some())
        })
    }
}

/// `2022-02-24`, `2022-02`, or an RFC 3339 / ISO timestamp (`T` or a space after the date).
fn parse_iso(s: &str) -> Option<Date> {
    if s.len() == 7 {
        let d = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok()?;
        return (s.as_bytes()[4] == b'-').then_some(Date {
            month_only: true,
            ..Date::from_naive(d)
        });
    }
    let head = s.get(..10)?;
    let rest = &s[10..];
    if !rest.is_empty() {
        let time = rest.strip_prefix(['T', 't', ' '])?;
        if chrono::DateTime::parse_from_rfc3339(&format!("{head}T{time}")).is_err()
            && NaiveDateTime::parse_from_str(&format!("{head}T{time}"), "%Y-%m-%dT%H:%M:%S%.f")
                .is_err()
            && NaiveDateTime::parse_from_str(&format!("{head}T{time}"), "%Y-%m-%dT%H:%M").is_err()
        {
            return None;
        }
    }
    // chrono accepts unpadded fields and signs; an ISO date is exactly YYYY-MM-DD.
    let b = head.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)) {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .ok()
        .map(Date::from_naive)
}

/// The dates of one file that could not be read: how many of how many, and the first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BadDates {
    pub path: PathBuf,
    pub bad: usize,
    pub total: usize,
    /// The line (when known) and value of the first bad date.
    pub first: Option<(Option<usize>, String)>,
    /// Up to a few bad values, to suggest a format from.
    samples: Vec<String>,
}

/// How many bad values a tally keeps to suggest a format from.
const SAMPLES: usize = 20;

impl BadDates {
    /// An empty tally for `path`.
    pub fn new(path: &Path) -> BadDates {
        BadDates {
            path: path.to_path_buf(),
            ..BadDates::default()
        }
    }

    /// Reads one non-empty date value at `line`, counting it, and returns it if it is a date.
    pub fn read(&mut self, format: &DateFormat, value: &str, line: Option<usize>) -> Option<Date> {
        self.total += 1;
        let date = format.parse(value);
        if date.is_none() {
            self.bad += 1;
            self.first.get_or_insert_with(|| (line, value.to_string()));
            if self.samples.len() < SAMPLES {
                self.samples.push(value.trim().to_string());
            }
        }
        date
    }

    /// "28 of 30 dates in FILE are not YYYY-MM-DD, e.g. line 2: "24/02/2022"; pass
    /// --date-format %d/%m/%Y", or `None` when every date was read. `option` is how the
    /// caller names the date format.
    pub fn message(&self, format: &DateFormat, option: &str) -> Option<String> {
        let (line, value) = self.first.as_ref()?;
        let at = line.map_or_else(String::new, |l| format!("line {l}: "));
        let hint = match DateFormat::suggest(self.samples.iter().map(String::as_str)) {
            // Quoted for the shell when it holds a space.
            Some(p) if p.contains(' ') => format!("; pass {option} '{p}'"),
            Some(p) => format!("; pass {option} {p}"),
            None => format!("; pass {option} with their strftime pattern"),
        };
        Some(format!(
            "{} of {} date{} in {} {} not {}, e.g. {at}{value:?}{hint}",
            self.bad,
            self.total,
            if self.total == 1 { "" } else { "s" },
            self.path.display(),
            if self.bad == 1 { "is" } else { "are" },
            format.describe(),
        ))
    }
}

/// Reads the date of every document of one file in `format`, rewriting each that reads to ISO
/// (`2022-02-24`, or `2022-02` for a month) so that every later stage sees one form. Dates that
/// do not read are left as they are, and returned: the tally (its first line unknown) and
/// which documents hold them.
pub fn normalize_dates(
    docs: &mut [Document],
    format: &DateFormat,
    path: &Path,
) -> (BadDates, Vec<usize>) {
    let mut tally = BadDates::new(path);
    let mut bad = Vec::new();
    for (i, doc) in docs.iter_mut().enumerate() {
        let Some(value) = doc.date.as_deref().filter(|d| !d.trim().is_empty()) else {
            continue;
        };
        match tally.read(format, value, None) {
            Some(date) => doc.date = Some(date.iso()),
            None => bad.push(i),
        }
    }
    (tally, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        Date::parse(s).map(|d| d.iso())
    }

    #[test]
    fn iso_dates_months_and_timestamps() {
        assert_eq!(iso("2022-02-24").as_deref(), Some("2022-02-24"));
        assert_eq!(iso(" 2022-02 ").as_deref(), Some("2022-02"));
        assert_eq!(
            iso("2022-02-24T23:30:00+02:00").as_deref(),
            Some("2022-02-24")
        );
        assert_eq!(iso("2022-02-24T10:00:00Z").as_deref(), Some("2022-02-24"));
        assert_eq!(iso("2022-02-24 10:00:00").as_deref(), Some("2022-02-24"));
        for bad in [
            "24/02/2022",
            "2022-2-4",
            "2022-02-30",
            "2022-13",
            "2022-02-24x",
            "",
            "2022/02",
        ] {
            assert_eq!(iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn patterns_are_checked_and_read() {
        let f = DateFormat::pattern("%d/%m/%Y").unwrap();
        assert_eq!(
            f.parse("24/02/2022").map(|d| d.iso()).as_deref(),
            Some("2022-02-24")
        );
        assert_eq!(
            f.parse("2022-02-24").map(|d| d.iso()).as_deref(),
            Some("2022-02-24")
        );
        assert_eq!(f.parse("2022/02/24"), None);
        assert!(DateFormat::pattern("%d/%Q").is_err());
        assert!(DateFormat::pattern("%d").is_err());
    }

    #[test]
    fn bad_dates_are_counted_and_a_format_suggested() {
        let mut t = BadDates::new(Path::new("a.csv"));
        let f = DateFormat::Iso;
        assert!(t.read(&f, "2022-02-01", Some(2)).is_some());
        assert!(t.read(&f, "24/02/2022", Some(3)).is_none());
        assert!(t.read(&f, "25/02/2022", Some(4)).is_none());
        assert_eq!(
            t.message(&f, "--date-format").unwrap(),
            "2 of 3 dates in a.csv are not YYYY-MM-DD, e.g. line 3: \"24/02/2022\"; pass --date-format %d/%m/%Y"
        );
        assert_eq!(
            BadDates::new(Path::new("b")).message(&f, "--date-format"),
            None
        );
    }
}
