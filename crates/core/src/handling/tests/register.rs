//! The error register, requirement reviews and closures, tasking status, break-glass reasons
//! and grading schemes, each refusal provoked and each deadline at its boundary.

use super::{HANDLER, id, officer, t};
use crate::handling::grading::{GradeCodes, GradingScheme, check_grading, parse_grading};
use crate::handling::relevant_error::{self, ErrorRequest, report_alert_window};
use crate::handling::tasking::{
    TaskingStatus, change_status, close_requirement, review_requirement,
};
use crate::handling::{BankHolidays, Priority, Requirement, Tasking, break_glass, codes};
use chrono::{DateTime, NaiveDate, Utc};

const NOW: &str = "2026-04-30T12:00:00Z";

fn request(established: Option<&str>) -> ErrorRequest {
    ErrorRequest {
        id: id(0x900),
        source: Some(id(0x50)),
        authorisation: None,
        description: "Meeting held a day after the authorisation expired.".into(),
        identified_at: t("2026-03-30T10:00:00Z"),
        established_at: established.map(t),
    }
}

/// (case, established at, deadline: the first instant past the 10th working day). London
/// time; England and Wales bank holidays.
const DEADLINES: &[(&str, &str, &str)] = &[
    // Tuesday 31 March 2026 (BST): Good Friday 3 April and Easter Monday 6 April are skipped,
    // so the 10th working day is Thursday 16 April; it ends at 23:00 UTC.
    (
        "across Easter",
        "2026-03-31T10:00:00Z",
        "2026-04-16T23:00:00Z",
    ),
    // Established late on Friday 2 January 2026 (GMT): the 10th working day is Friday 16 January.
    (
        "late on a Friday in winter",
        "2026-01-02T23:30:00Z",
        "2026-01-17T00:00:00Z",
    ),
    // Established on Saturday 28 March 2026 (GMT until the 29th): counting starts Monday 30
    // March; the 10th working day is Tuesday 14 April (after Easter), ending at 23:00 UTC.
    (
        "on a Saturday",
        "2026-03-28T00:30:00Z",
        "2026-04-14T23:00:00Z",
    ),
];

#[test]
fn the_report_deadline_is_the_end_of_the_tenth_working_day() {
    let holidays = BankHolidays::england_and_wales();
    for (case, established, deadline) in DEADLINES {
        let mut req = request(None);
        req.identified_at = t(established);
        req.established_at = Some(t(established));
        let error = relevant_error::record(req, t(NOW)).expect(case);
        let due = error.report_due(&holidays).expect(case);
        assert_eq!(due, t(deadline), "{case}");
        let just_before = due - chrono::Duration::milliseconds(1);
        assert!(
            !error.is_overdue(&holidays, just_before),
            "{case}: not overdue on the last instant"
        );
        assert!(
            error.is_overdue(&holidays, due),
            "{case}: overdue at the deadline"
        );
        // Reported on the last instant: on time. At the deadline: late.
        let on_time = relevant_error::report(&error, just_before, "IPC/1", t(NOW)).expect(case);
        assert_eq!(on_time.reported_late(&holidays), Some(false), "{case}");
        let late = relevant_error::report(&error, due, "IPC/1", t(NOW)).expect(case);
        assert_eq!(late.reported_late(&holidays), Some(true), "{case}");
        assert!(
            !late.is_overdue(&holidays, t(NOW)),
            "{case}: reported is never overdue"
        );
        assert_eq!(
            report_alert_window(&error, &holidays),
            Some((t(established), t(deadline))),
            "{case}"
        );
        assert_eq!(report_alert_window(&late, &holidays), None, "{case}");
    }
}

#[test]
fn an_error_without_an_establishment_has_no_deadline() {
    let holidays = BankHolidays::england_and_wales();
    let error = relevant_error::record(request(None), t(NOW)).expect("recorded");
    assert_eq!(error.report_due(&holidays), None);
    assert!(!error.is_overdue(&holidays, t("2030-01-01T00:00:00Z")));
    assert_eq!(report_alert_window(&error, &holidays), None);
}

fn code<T: std::fmt::Debug>(r: Result<T, crate::RuleViolation>) -> &'static str {
    r.expect_err("refused").code
}

#[test]
fn the_register_refuses_what_did_not_happen_in_order() {
    let now = t(NOW);
    let mut blank = request(None);
    blank.description = "  ".into();
    assert_eq!(
        code(relevant_error::record(blank, now)),
        codes::ERROR_DESCRIPTION_REQUIRED
    );
    let mut future = request(None);
    future.identified_at = t("2026-05-01T00:00:00Z");
    assert_eq!(
        code(relevant_error::record(future, now)),
        codes::ERROR_TIME_IN_FUTURE
    );
    assert_eq!(
        code(relevant_error::record(
            request(Some("2026-03-29T10:00:00Z")),
            now
        )),
        codes::ERROR_TIMES_OUT_OF_ORDER
    );
    let open = relevant_error::record(request(None), now).expect("recorded");
    assert_eq!(
        code(relevant_error::report(&open, now, "IPC/1", now)),
        codes::ERROR_NOT_ESTABLISHED
    );
    let established =
        relevant_error::establish(&open, t("2026-04-01T09:00:00Z"), now).expect("established");
    assert_eq!(
        code(relevant_error::establish(&established, now, now)),
        codes::ERROR_ALREADY_ESTABLISHED
    );
    assert_eq!(
        code(relevant_error::report(&established, now, " ", now)),
        codes::ERROR_REFERENCE_REQUIRED
    );
    assert_eq!(
        code(relevant_error::report(
            &established,
            t("2026-03-31T09:00:00Z"),
            "IPC/1",
            now
        )),
        codes::ERROR_TIMES_OUT_OF_ORDER
    );
    let reported = relevant_error::report(&established, now, "IPC/1", now).expect("reported");
    assert_eq!(
        code(relevant_error::report(&reported, now, "IPC/2", now)),
        codes::ERROR_ALREADY_REPORTED
    );
}

fn requirement(closed_at: Option<DateTime<Utc>>) -> Requirement {
    Requirement {
        id: id(0x600),
        title: "Supply routes".into(),
        detail: "Who moves the goods.".into(),
        priority: Priority::try_from(2).expect("valid priority"),
        opened_at: t("2026-01-01T00:00:00Z"),
        review_by: NaiveDate::from_ymd_opt(2026, 4, 1).expect("valid date"),
        closed_at,
    }
}

#[test]
fn requirements_are_reviewed_to_a_future_day_and_closed_with_a_reason() {
    // 30 April 2026, 23:30 UTC is already 1 May in London (BST).
    let now = t("2026-04-30T23:30:00Z");
    let open = requirement(None);
    let may_1 = NaiveDate::from_ymd_opt(2026, 5, 1).expect("date");
    let reviewed = review_requirement(&open, may_1, "Still needed.", now).expect("today is fine");
    assert_eq!(reviewed.review_by, may_1);
    assert_eq!(
        code(review_requirement(
            &open,
            may_1.pred_opt().expect("date"),
            "Still needed.",
            now
        )),
        codes::REVIEW_BY_IN_PAST
    );
    assert_eq!(
        code(review_requirement(&open, may_1, "", now)),
        codes::REQUIREMENT_NOTE_REQUIRED
    );
    assert_eq!(
        code(close_requirement(&open, " ", now)),
        codes::REQUIREMENT_NOTE_REQUIRED
    );
    let closed = close_requirement(&open, "Route disrupted by arrests.", now).expect("closed");
    assert_eq!(closed.closed_at, Some(now));
    assert_eq!(
        code(close_requirement(&closed, "Again.", now)),
        codes::REQUIREMENT_CLOSED
    );
    assert_eq!(
        code(review_requirement(&closed, may_1, "Still needed.", now)),
        codes::REQUIREMENT_CLOSED
    );
}

fn tasking(status: TaskingStatus) -> Tasking {
    Tasking {
        id: id(0x700),
        source: id(0x50),
        requirement: id(0x600),
        authorisation: id(0x400),
        instructions: "Note the vehicles used.".into(),
        issued_by: officer(HANDLER),
        issued_at: t("2026-04-01T09:00:00Z"),
        status,
        history: Vec::new(),
    }
}

#[test]
fn taskings_move_issued_acknowledged_completed_or_withdrawn() {
    use TaskingStatus::*;
    let now = t(NOW);
    // (from, to, allowed)
    let table = [
        (Issued, Acknowledged, true),
        (Issued, Withdrawn, true),
        (Issued, Completed, false),
        (Acknowledged, Completed, true),
        (Acknowledged, Withdrawn, true),
        (Acknowledged, Issued, false),
        (Completed, Withdrawn, false),
        (Withdrawn, Acknowledged, false),
        (Completed, Completed, false),
    ];
    for (from, to, allowed) in table {
        let result = change_status(
            &tasking(from),
            to,
            officer(HANDLER),
            Some("As planned.".into()),
            now,
        );
        match result {
            Ok(next) => {
                assert!(allowed, "{from:?} → {to:?} should be refused");
                assert_eq!(next.status, to);
                assert_eq!(next.history.len(), 1);
                assert_eq!(next.history[0].from, from);
                assert_eq!(next.history[0].at, now);
                assert_eq!(next.history[0].by, officer(HANDLER));
            }
            Err(e) => {
                assert!(!allowed, "{from:?} → {to:?} should be allowed: {e:?}");
                assert_eq!(e.code, codes::TASKING_INVALID_TRANSITION);
            }
        }
    }
    assert_eq!(
        code(change_status(
            &tasking(Issued),
            Withdrawn,
            officer(HANDLER),
            None,
            now
        )),
        codes::TASKING_NOTE_REQUIRED
    );
}

#[test]
fn a_break_glass_reason_is_a_sentence() {
    for word in ["", "audit", "inspection check", "checking three things"] {
        assert_eq!(
            code(break_glass::check_reason(word)),
            codes::BREAK_GLASS_REASON_REQUIRED,
            "{word:?}"
        );
    }
    assert_eq!(
        break_glass::check_reason(
            "  Verifying the identity recorded against the 2026 inspection sample. "
        )
        .expect("a sentence"),
        "Verifying the identity recorded against the 2026 inspection sample."
    );
}

fn codes_of(
    source: &str,
    information: &str,
    handling: &str,
    conditions: Option<&str>,
) -> GradeCodes {
    GradeCodes {
        source: source.into(),
        information: information.into(),
        handling: handling.into(),
        conditions: conditions.map(str::to_owned),
    }
}

#[test]
fn each_scheme_reads_its_own_codes_and_no_other() {
    use GradingScheme::*;
    // (scheme, source, information, handling, valid)
    let table = [
        (Police3x5x2, "1", "A", "P", true),
        (Police3x5x2, "3", "e", "p", true),
        (Police3x5x2, "4", "A", "P", false),
        (Police3x5x2, "B", "2", "P", false),
        (Police3x5x2, "1", "F", "P", false),
        (Police3x5x2, "1", "A", "X", false),
        (Legacy5x5x5, "E", "5", "1", true),
        (Legacy5x5x5, "F", "1", "1", false),
        (Legacy5x5x5, "A", "6", "1", false),
        (Legacy5x5x5, "A", "1", "6", false),
        (Admiralty, "F", "6", "", true),
        (Admiralty, "G", "1", "", false),
        (Admiralty, "A", "7", "", false),
        (Admiralty, "1", "A", "", false),
    ];
    for (scheme, s, i, h, valid) in table {
        let parsed = parse_grading(scheme, &codes_of(s, i, h, None));
        match parsed {
            Ok(g) => {
                assert!(valid, "{scheme:?} {s}{i}{h} should be refused");
                assert_eq!(g.scheme(), scheme);
                let (cs, ci, _, _) = g.codes();
                assert_eq!((cs, ci), (s.to_uppercase(), i.to_uppercase()));
            }
            Err(e) => {
                assert!(!valid, "{scheme:?} {s}{i}{h} should be read: {e:?}");
                assert_eq!(e.code, codes::GRADE_INVALID);
            }
        }
    }
    assert_eq!(
        code(GradingScheme::parse("4x4")),
        codes::GRADING_SCHEME_UNKNOWN
    );
    assert_eq!(GradingScheme::parse("3X5X2"), Ok(GradingScheme::DEFAULT));
}

#[test]
fn conditional_handling_codes_need_their_conditions() {
    use GradingScheme::*;
    // (scheme, handling, conditions, needs conditions)
    let table = [
        (Police3x5x2, "C", None, true),
        (Police3x5x2, "C", Some("  "), true),
        (
            Police3x5x2,
            "C",
            Some("Not to be shared outside the unit."),
            false,
        ),
        (Police3x5x2, "P", None, false),
        (Legacy5x5x5, "3", None, true),
        (Legacy5x5x5, "5", Some(" "), true),
        (Legacy5x5x5, "5", Some("Refer to the originator."), false),
        (Legacy5x5x5, "4", None, false),
    ];
    for (scheme, handling, conditions, needs) in table {
        let (s, i) = if scheme == Police3x5x2 {
            ("2", "B")
        } else {
            ("B", "2")
        };
        let grading =
            parse_grading(scheme, &codes_of(s, i, handling, conditions)).expect("valid codes");
        let checked = check_grading(&grading);
        if needs {
            assert_eq!(
                code(checked),
                codes::GRADING_CONDITIONS_REQUIRED,
                "{scheme:?} {handling}"
            );
        } else {
            assert!(checked.is_ok(), "{scheme:?} {handling} {conditions:?}");
        }
    }
}
