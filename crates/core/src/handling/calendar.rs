//! Calendar arithmetic for deadlines that the law states in days, months and working days.
//!
//! The law counts in UK calendar days ("the day on which the grant takes effect", "the end of
//! the 7th day", "ten working days"), so a UTC simplification would move deadlines by an hour for
//! seven months of the year: an authorisation granted in June would appear to live until 00:59
//! BST on its last day plus one. Every day-based rule therefore converts through Europe/London
//! (tz data from `chrono-tz`), and every deadline is returned as a UTC instant.
//!
//! Convention: a deadline is the **first instant at which the period is over**. "Expires at the
//! end of 9 March" is `10 March 00:00 London`; something is in time iff `now < deadline`. Use
//! [`last_day_of`] to print the day a person expects to see ("by the end of 9 March").

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Europe::London;
use std::collections::BTreeSet;

/// The London calendar date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    // `with_timezone` panics at the very ends of chrono's range; a corrupt stored instant must
    // not crash the rules, so the offset is applied with a checked addition instead.
    let utc = at.naive_utc();
    let offset = London.offset_from_utc_datetime(&utc).fix();
    utc.checked_add_offset(offset).unwrap_or(utc).date()
}

/// The first instant of a London calendar day. UK clocks change at 01:00 UTC, never at
/// midnight, so local midnight always exists exactly once; the UTC fallback is unreachable and
/// only there so that no input can make this panic.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    London
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The deadline that falls at the end of the given London day (the start of the next day).
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    start_of_day(next_day(date))
}

/// The London day a deadline closes: the day a person would write as "by the end of …".
pub fn last_day_of(deadline: DateTime<Utc>) -> NaiveDate {
    local_date(shift(deadline, -chrono::Duration::nanoseconds(1)))
}

/// How an instant reads on a London clock, with the zone then in force: `GMT` or `BST`. Officers
/// in the UK read and type London time; the records hold UTC.
pub fn london_clock(at: DateTime<Utc>) -> (chrono::NaiveDateTime, &'static str) {
    let utc = at.naive_utc();
    let offset = London.offset_from_utc_datetime(&utc).fix();
    let zone = if offset.local_minus_utc() == 0 {
        "GMT"
    } else {
        "BST"
    };
    (utc.checked_add_offset(offset).unwrap_or(utc), zone)
}

/// A time as read on a London clock, as an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LondonTime {
    Exact(DateTime<Utc>),
    /// The clocks skip it: 01:00–01:59 on the last Sunday of March.
    Skipped,
    /// The clocks pass it twice: 01:00–01:59 on the last Sunday of October, first in BST, then
    /// in GMT.
    Twice {
        bst: DateTime<Utc>,
        gmt: DateTime<Utc>,
    },
}

/// Reads a London wall-clock time. `zone` (`GMT` or `BST`), when given, picks the reading of a
/// time the clocks pass twice; a zone that was not in force at that time is ignored for an
/// unambiguous time only if it agrees, so `12:00 GMT` in July is [`LondonTime::Skipped`] (no such
/// reading exists).
pub fn from_london_clock(local: chrono::NaiveDateTime, zone: Option<&str>) -> LondonTime {
    use chrono::LocalResult;
    let readings: Vec<DateTime<Utc>> = match London.from_local_datetime(&local) {
        LocalResult::Single(t) => vec![t.with_timezone(&Utc)],
        LocalResult::Ambiguous(a, b) => vec![a.with_timezone(&Utc), b.with_timezone(&Utc)],
        LocalResult::None => Vec::new(),
    };
    let zone_of = |t: &DateTime<Utc>| london_clock(*t).1;
    match (readings.as_slice(), zone) {
        ([], _) => LondonTime::Skipped,
        (all, Some(z)) => all
            .iter()
            .find(|t| zone_of(t) == z)
            .map_or(LondonTime::Skipped, |t| LondonTime::Exact(*t)),
        ([one], None) => LondonTime::Exact(*one),
        ([a, b, ..], None) => {
            let (bst, gmt) = if zone_of(a) == "BST" {
                (*a, *b)
            } else {
                (*b, *a)
            };
            LondonTime::Twice { bst, gmt }
        }
    }
}

/// `at` moved by `by`, saturating at the ends of chrono's range instead of panicking, so a
/// corrupt stored instant cannot crash the rules or the alert list.
pub fn shift(at: DateTime<Utc>, by: chrono::Duration) -> DateTime<Utc> {
    at.checked_add_signed(by)
        .unwrap_or(if by < chrono::Duration::zero() {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// The next calendar day, saturating at chrono's last representable date.
pub fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(date)
}

/// `date` plus whole days, saturating.
pub fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// `date` plus calendar months. Where the target month is shorter (31 January + 1 month) the
/// date is clamped to that month's last day, which makes month-based periods end no later than
/// the statute allows: an authority that runs a day short is lawful, a day long is not.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The deadline for a period of `months` months **beginning with** the London day of `start`,
/// that day included (RIPA s.43(3)(b)). Worked example from compliance.md §1.5: effective
/// 10 March 2025 → in force to the end of 9 March 2026 → deadline 10 March 2026 00:00 London.
pub fn months_beginning_with(start: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    start_of_day(add_months(local_date(start), months))
}

/// The deadline "by the end of the `n`th day after the day of" an event: for a decision on day D
/// the days counted are D+1 … D+n and the deadline is the end of D+n (RIPA s.32C(2)).
pub fn end_of_nth_day_after(event: DateTime<Utc>, n: u64) -> DateTime<Utc> {
    end_of_day(add_days(local_date(event), n))
}

/// Bank holidays in England and Wales: rules for the regular days, plus a table of one-off
/// changes by proclamation that a deployment can extend without a new release.
///
/// Regular days (Banking and Financial Dealings Act 1971, Sch 1, and the annual proclamations):
/// New Year's Day, Good Friday, Easter Monday, the first Monday in May, the last Monday in May,
/// the last Monday in August, Christmas Day and Boxing Day. A fixed-date holiday that falls on a
/// weekend moves to the next weekday not already a holiday ("substitute day").
///
/// One-off changes are in [`ENGLAND_AND_WALES_CHANGES`] (as published on the GOV.UK bank
/// holidays list). When a new one is proclaimed, add it there, or at run time with
/// [`BankHolidays::with_holiday`] / [`BankHolidays::without_holiday`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHolidays {
    added: BTreeSet<NaiveDate>,
    removed: BTreeSet<NaiveDate>,
}

/// A change to the rule-based list: `Moved(from, to)` or an `Extra` day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayChange {
    /// A regular holiday moved by proclamation, as (year, month, day) from → to.
    Moved((i32, u32, u32), (i32, u32, u32)),
    /// An additional one-off bank holiday.
    Extra((i32, u32, u32)),
}

/// One-off changes in England and Wales since 1995.
pub const ENGLAND_AND_WALES_CHANGES: &[HolidayChange] = &[
    HolidayChange::Moved((1995, 5, 1), (1995, 5, 8)), // VE Day 50th anniversary
    HolidayChange::Extra((1999, 12, 31)),             // Millennium
    HolidayChange::Moved((2002, 5, 27), (2002, 6, 4)), // Golden Jubilee
    HolidayChange::Extra((2002, 6, 3)),
    HolidayChange::Extra((2011, 4, 29)), // Royal Wedding
    HolidayChange::Moved((2012, 5, 28), (2012, 6, 4)), // Diamond Jubilee
    HolidayChange::Extra((2012, 6, 5)),
    HolidayChange::Moved((2020, 5, 4), (2020, 5, 8)), // VE Day 75th anniversary
    HolidayChange::Moved((2022, 5, 30), (2022, 6, 2)), // Platinum Jubilee
    HolidayChange::Extra((2022, 6, 3)),
    HolidayChange::Extra((2022, 9, 19)), // State Funeral of Queen Elizabeth II
    HolidayChange::Extra((2023, 5, 8)),  // Coronation of King Charles III
];

impl BankHolidays {
    /// The regular rules and no one-off changes.
    pub fn rules_only() -> Self {
        Self {
            added: BTreeSet::new(),
            removed: BTreeSet::new(),
        }
    }

    /// England and Wales: the regular rules plus [`ENGLAND_AND_WALES_CHANGES`].
    pub fn england_and_wales() -> Self {
        ENGLAND_AND_WALES_CHANGES
            .iter()
            .fold(Self::rules_only(), |cal, change| match *change {
                HolidayChange::Moved(from, to) => match (ymd(from), ymd(to)) {
                    (Some(from), Some(to)) => cal.without_holiday(from).with_holiday(to),
                    _ => cal,
                },
                HolidayChange::Extra(day) => match ymd(day) {
                    Some(day) => cal.with_holiday(day),
                    None => cal,
                },
            })
    }

    /// Adds a proclaimed one-off holiday.
    pub fn with_holiday(mut self, date: NaiveDate) -> Self {
        self.removed.remove(&date);
        self.added.insert(date);
        self
    }

    /// Removes a regular holiday that a proclamation moved.
    pub fn without_holiday(mut self, date: NaiveDate) -> Self {
        self.added.remove(&date);
        self.removed.insert(date);
        self
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        if self.added.contains(&date) {
            return true;
        }
        !self.removed.contains(&date) && regular_holidays(date.year()).contains(&date)
    }

    /// Monday to Friday and not a bank holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !is_weekend(date) && !self.is_holiday(date)
    }

    /// Every bank holiday in a year, in date order.
    pub fn holidays_in(&self, year: i32) -> Vec<NaiveDate> {
        let mut days: BTreeSet<NaiveDate> = regular_holidays(year)
            .into_iter()
            .filter(|d| !self.removed.contains(d))
            .collect();
        days.extend(self.added.iter().copied().filter(|d| d.year() == year));
        days.into_iter().collect()
    }

    /// The `n`th working day after `date` (the day itself not counted). `n = 0` is `date`.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = date;
        let mut counted = 0;
        while counted < n {
            let next = next_day(day);
            if next == day {
                break; // end of the representable calendar
            }
            day = next;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// The deadline "within `n` working days after" an event: the end of the `n`th working day
    /// after the London day on which the event happened.
    pub fn end_of_nth_working_day_after(&self, event: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        end_of_day(self.add_working_days(local_date(event), n))
    }
}

fn ymd((y, m, d): (i32, u32, u32)) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Easter Sunday in the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The regular England and Wales bank holidays of a year, before one-off changes.
fn regular_holidays(year: i32) -> BTreeSet<NaiveDate> {
    let mut days = BTreeSet::new();
    let fixed = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    substitute_into(&mut days, &[fixed(1, 1)]);
    if let Some(easter) = easter_sunday(year) {
        days.extend(easter.checked_sub_days(Days::new(2)));
        days.extend(easter.checked_add_days(Days::new(1)));
    }
    days.extend(NaiveDate::from_weekday_of_month_opt(
        year,
        5,
        Weekday::Mon,
        1,
    ));
    days.extend(last_monday(year, 5));
    days.extend(last_monday(year, 8));
    substitute_into(&mut days, &[fixed(12, 25), fixed(12, 26)]);
    days
}

/// Adds fixed-date holidays, moving any that fall on a weekend to the next weekday that is not
/// already one of them (so Christmas on a Saturday gives Monday 27th and Tuesday 28th).
fn substitute_into(days: &mut BTreeSet<NaiveDate>, fixed: &[Option<NaiveDate>]) {
    let fixed: Vec<NaiveDate> = fixed.iter().flatten().copied().collect();
    days.extend(fixed.iter().copied().filter(|d| !is_weekend(*d)));
    for day in fixed.iter().copied().filter(|d| is_weekend(*d)) {
        let mut candidate = next_day(day);
        while is_weekend(candidate) || days.contains(&candidate) {
            let next = next_day(candidate);
            if next == candidate {
                return;
            }
            candidate = next;
        }
        days.insert(candidate);
    }
}

fn last_monday(year: i32, month: u32) -> Option<NaiveDate> {
    (1..=5)
        .rev()
        .find_map(|n| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n))
}
