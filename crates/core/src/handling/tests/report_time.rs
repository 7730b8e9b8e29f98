use crate::handling::codes;
use crate::handling::report_time::check_reported_at;
use chrono::{Duration, TimeZone, Utc};

#[test]
fn a_report_may_be_dated_now_but_not_a_millisecond_later() {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 1, 10, 0, 0)
        .single()
        .expect("time");
    assert_eq!(check_reported_at(now, now, None), Ok(()));
    assert_eq!(
        check_reported_at(now - Duration::days(3650), now, None),
        Ok(()),
        "a register ten years old"
    );
    let refused =
        check_reported_at(now + Duration::milliseconds(1), now, None).expect_err("refused");
    assert_eq!(refused.code, codes::REPORTED_AT_IN_FUTURE);
    assert!(
        refused.message.contains("2026-03-01 10:00 UTC"),
        "{}",
        refused.message
    );
}

#[test]
fn a_report_of_a_contact_is_dated_at_or_after_the_contact() {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 1, 10, 0, 0)
        .single()
        .expect("time");
    let contact = now - Duration::days(2);
    assert_eq!(check_reported_at(contact, now, Some(contact)), Ok(()));
    assert_eq!(check_reported_at(now, now, Some(contact)), Ok(()));
    let refused = check_reported_at(contact - Duration::milliseconds(1), now, Some(contact))
        .expect_err("refused");
    assert_eq!(refused.code, codes::REPORTED_BEFORE_CONTACT);
    // A contact planned for later: its report cannot be filed yet.
    let planned = now + Duration::hours(1);
    assert_eq!(
        check_reported_at(now, now, Some(planned))
            .expect_err("refused")
            .code,
        codes::REPORTED_BEFORE_CONTACT
    );
}
