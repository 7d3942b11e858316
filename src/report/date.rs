//! Calendar buckets for the time series: a date (read by [`crate::io::date`]) becomes its
//! month `2022-03` or its ISO 8601 week `2022-W09`. Weeks start on Monday and belong to the year of their Thursday, as pandas'
//! `isocalendar()` and `date +%G-W%V` have it.

use serde::Serialize;

pub use crate::io::date::Date;

/// The calendar unit of the time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Month,
    Week,
}

impl TimeUnit {
    /// The derived field this unit goes by in `--by`.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Month => "month",
            TimeUnit::Week => "week",
        }
    }

    /// The unit a `--by` field name derives, if it is one.
    pub fn from_name(name: &str) -> Option<TimeUnit> {
        match name {
            "month" => Some(TimeUnit::Month),
            "week" => Some(TimeUnit::Week),
            _ => None,
        }
    }

    /// The bucket `date` falls in.
    pub fn bucket(self, date: Date) -> String {
        match self {
            TimeUnit::Month => format!("{:04}-{:02}", date.year, date.month),
            TimeUnit::Week => {
                let (year, week) = date.iso_week();
                format!("{year:04}-W{week:02}")
            }
        }
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

impl Date {
    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// 1 for Monday to 7 for Sunday.
    fn weekday(self) -> i64 {
        // 1970-01-01 was a Thursday.
        (self.days() + 3).rem_euclid(7) + 1
    }

    /// The ISO 8601 week-numbering year and week.
    pub fn iso_week(self) -> (i32, u32) {
        let ordinal = self.days()
            - Date {
                month: 1,
                day: 1,
                ..self
            }
            .days()
            + 1;
        let week = (ordinal - self.weekday() + 10).div_euclid(7);
        let weeks_in = |year: i32| {
            // A year has 53 weeks when it starts on a Thursday, or on a Wednesday in a leap year.
            let jan1 = Date {
                year,
                month: 1,
                day: 1,
                month_only: false,
            }
            .weekday();
            if jan1 == 4 || (jan1 == 3 && is_leap(year)) {
                53
            } else {
                52
            }
        };
        if week < 1 {
            (self.year - 1, weeks_in(self.year - 1))
        } else if week > i64::from(weeks_in(self.year)) {
            (self.year + 1, 1)
        } else {
            (self.year, week as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(s: &str) -> String {
        TimeUnit::Week.bucket(Date::parse(s).unwrap())
    }

    #[test]
    fn iso_weeks_at_year_ends() {
        // Checked against `date -d DATE +%G-W%V`.
        assert_eq!(week("2021-01-01"), "2020-W53");
        assert_eq!(week("2022-01-02"), "2021-W52");
        assert_eq!(week("2022-01-03"), "2022-W01");
        assert_eq!(week("2022-03-02"), "2022-W09");
        assert_eq!(week("2024-12-30"), "2025-W01");
        assert_eq!(week("2020-12-31"), "2020-W53");
    }

    #[test]
    fn months_and_bad_dates() {
        let d = Date::parse("2022-03-02T10:00:00Z").unwrap();
        assert_eq!(TimeUnit::Month.bucket(d), "2022-03");
        for bad in [
            "2022-02-30",
            "2022-13-01",
            "22-03-02",
            "2022/03/02",
            "2022-03-02x",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2023-02-29").is_none());
    }
}
