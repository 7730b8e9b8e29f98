use super::t;
use crate::handling::calendar::{self, BankHolidays, easter_sunday};
use crate::handling::relevant_error::report_deadline;
use chrono::NaiveDate;
use rstest::rstest;

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test date is ISO 8601")
}

#[rstest]
#[case(2019, "2019-04-21")]
#[case(2024, "2024-03-31")]
#[case(2025, "2025-04-20")]
#[case(2026, "2026-04-05")]
#[case(2027, "2027-03-28")]
#[case(2038, "2038-04-25")]
#[case(2285, "2285-03-22")]
fn easter_sunday_matches_published_dates(#[case] year: i32, #[case] expected: &str) {
    assert_eq!(easter_sunday(year), Some(d(expected)));
}

/// The GOV.UK lists for England and Wales, including substitute days and one-off changes.
#[rstest]
#[case(2020, &["2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"])]
#[case(2022, &["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"])]
#[case(2023, &["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"])]
#[case(2026, &["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"])]
#[case(2027, &["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"])]
fn england_and_wales_bank_holidays(#[case] year: i32, #[case] expected: &[&str]) {
    let expected: Vec<NaiveDate> = expected.iter().map(|s| d(s)).collect();
    assert_eq!(
        BankHolidays::england_and_wales().holidays_in(year),
        expected
    );
}

#[test]
fn a_newly_proclaimed_holiday_can_be_added_without_a_release() {
    let extra = d("2026-11-09");
    let cal = BankHolidays::england_and_wales().with_holiday(extra);
    assert!(cal.is_holiday(extra));
    assert!(!cal.is_working_day(extra));
    assert!(BankHolidays::england_and_wales().is_working_day(extra));
}

#[rstest]
// Thursday before Easter 2026: Good Friday and Easter Monday are skipped.
#[case("2026-04-02T09:00:00Z", "2026-04-20")]
// Saturday: counting starts on the next working day.
#[case("2026-04-04T12:00:00Z", "2026-04-20")]
// Friday before Christmas 2026: 25th, 28th (Boxing Day substitute) and New Year's Day skipped.
#[case("2026-12-18T10:00:00Z", "2027-01-06")]
// 23:30 UTC on 30 June is 00:30 BST on 1 July: the London day counts, not the UTC one.
#[case("2026-06-30T23:30:00Z", "2026-07-15")]
fn relevant_error_report_is_due_by_the_end_of_the_tenth_working_day(
    #[case] established: &str,
    #[case] last_day: &str,
) {
    let due = report_deadline(t(established), &BankHolidays::england_and_wales());
    assert_eq!(calendar::last_day_of(due), d(last_day));
    assert_eq!(due, calendar::end_of_day(d(last_day)));
}

#[rstest]
#[case("2026-04-20T22:59:59Z", false)]
#[case("2026-04-20T23:00:00Z", true)]
#[case("2026-04-20T23:00:01Z", true)]
fn relevant_error_report_deadline_is_midnight_london_time(
    #[case] now: &str,
    #[case] overdue: bool,
) {
    // Established the Thursday before Easter; the 10th working day is Monday 20 April (BST).
    let due = report_deadline(
        t("2026-04-02T09:00:00Z"),
        &BankHolidays::england_and_wales(),
    );
    assert_eq!(t(now) >= due, overdue);
}

#[rstest]
#[case("2026-03-28", "2026-03-28T00:00:00Z")] // GMT
#[case("2026-03-29", "2026-03-29T00:00:00Z")] // clocks go forward at 01:00 UTC that day
#[case("2026-03-30", "2026-03-29T23:00:00Z")] // BST
#[case("2026-10-25", "2026-10-24T23:00:00Z")] // clocks go back at 01:00 UTC that day
#[case("2026-10-26", "2026-10-26T00:00:00Z")]
fn london_midnight_across_clock_changes(#[case] day: &str, #[case] utc: &str) {
    assert_eq!(calendar::start_of_day(d(day)), t(utc));
}

proptest::proptest! {
    /// For any day, the 10th working day after it is a working day with exactly ten working days
    /// in (day, result], whatever weekends and holidays lie between.
    #[test]
    fn tenth_working_day_counts_exactly_ten(offset in 0i64..(200 * 366)) {
        let cal = BankHolidays::england_and_wales();
        let start = d("1990-01-01") + chrono::Duration::days(offset);
        let end = cal.add_working_days(start, 10);
        proptest::prop_assert!(cal.is_working_day(end));
        let counted = start.iter_days().skip(1).take_while(|day| *day <= end).filter(|day| cal.is_working_day(*day)).count();
        proptest::prop_assert_eq!(counted, 10);
    }
}

#[test]
fn extreme_stored_instants_do_not_panic() {
    use crate::handling::{AgeBand, AuthorisationKind, period_end};
    let max = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    let min = chrono::DateTime::<chrono::Utc>::MIN_UTC;
    for at in [max, min] {
        for kind in [AuthorisationKind::UrgentOral, AuthorisationKind::Standard] {
            let _ = period_end(kind, AgeBand::Under16, at);
        }
        let _ = calendar::last_day_of(at);
        let _ = report_deadline(at, &BankHolidays::england_and_wales());
    }
}

fn wall(text: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("test wall time")
}

/// 2026: BST from 01:00 UTC on 29 March to 01:00 UTC on 25 October.
#[rstest]
#[case("2026-03-29T00:59:00Z", "2026-03-29 00:59", "GMT")]
#[case("2026-03-29T01:00:00Z", "2026-03-29 02:00", "BST")]
#[case("2026-07-01T12:00:00Z", "2026-07-01 13:00", "BST")]
#[case("2026-10-25T00:59:00Z", "2026-10-25 01:59", "BST")]
#[case("2026-10-25T01:00:00Z", "2026-10-25 01:00", "GMT")]
#[case("2026-11-22T09:30:00Z", "2026-11-22 09:30", "GMT")]
fn london_clock_reads_gmt_and_bst_from_the_exact_change(
    #[case] at: &str,
    #[case] reads: &str,
    #[case] zone: &str,
) {
    let (local, z) = calendar::london_clock(t(at));
    assert_eq!(
        (local.format("%Y-%m-%d %H:%M").to_string().as_str(), z),
        (reads, zone)
    );
}

#[test]
fn london_wall_times_become_instants_and_the_change_hours_are_named() {
    use calendar::{LondonTime, from_london_clock};
    assert_eq!(
        from_london_clock(wall("2026-07-01 13:00"), None),
        LondonTime::Exact(t("2026-07-01T12:00:00Z"))
    );
    assert_eq!(
        from_london_clock(wall("2026-03-29 00:59"), None),
        LondonTime::Exact(t("2026-03-29T00:59:00Z"))
    );
    // The hour skipped in spring, at both of its ends.
    assert_eq!(
        from_london_clock(wall("2026-03-29 01:00"), None),
        LondonTime::Skipped
    );
    assert_eq!(
        from_london_clock(wall("2026-03-29 01:59"), None),
        LondonTime::Skipped
    );
    assert_eq!(
        from_london_clock(wall("2026-03-29 02:00"), None),
        LondonTime::Exact(t("2026-03-29T01:00:00Z"))
    );
    // The hour passed twice in autumn: first in BST, then in GMT; a zone picks one.
    let twice = LondonTime::Twice {
        bst: t("2026-10-25T00:30:00Z"),
        gmt: t("2026-10-25T01:30:00Z"),
    };
    assert_eq!(from_london_clock(wall("2026-10-25 01:30"), None), twice);
    assert_eq!(
        from_london_clock(wall("2026-10-25 01:30"), Some("BST")),
        LondonTime::Exact(t("2026-10-25T00:30:00Z"))
    );
    assert_eq!(
        from_london_clock(wall("2026-10-25 01:30"), Some("GMT")),
        LondonTime::Exact(t("2026-10-25T01:30:00Z"))
    );
    assert_eq!(
        from_london_clock(wall("2026-10-25 02:00"), None),
        LondonTime::Exact(t("2026-10-25T02:00:00Z"))
    );
    // A zone not in force at that time names no instant.
    assert_eq!(
        from_london_clock(wall("2026-07-01 12:00"), Some("GMT")),
        LondonTime::Skipped
    );
}
