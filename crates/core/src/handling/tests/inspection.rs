//! The inspector's questions of an authorisation's history, at their boundaries: each review
//! against the schedule in force before it, a juvenile's monthly cap, an overdue review at a
//! past instant, and the Commissioner notice on the 7th and 8th day.

use super::*;
use crate::handling::inspection::{
    Timeliness, as_it_stood, live_during, notice_timings, review_overdue_at, review_timings,
};
use crate::handling::review::{CommissionerNotice, NoticeEvent};
use rstest::rstest;

/// Granted Tuesday 3 March 2026 (GMT), reviewing every 30 days: the first review is due by
/// the end of Thursday 2 April (BST), i.e. 2026-04-02T23:00:00Z.
const GRANTED: &str = "2026-03-03T10:00:00Z";

fn reviewed(kind: AuthorisationKind, age: AgeBand, at: &[&str]) -> Authorisation {
    let mut world = World::new(SourceState::Recruited);
    let mut auth = world.granted(grant_request(kind, age), t(GRANTED));
    world.risks.push(risk_at(0x201, t(GRANTED)));
    for (i, when) in at.iter().enumerate() {
        let rev = review(
            &auth,
            ReviewRequest {
                id: id(0x300 + i as u128),
                reviewed_by: officer(AO),
                use_made: "Meetings.".into(),
                tasks_given: "Finances.".into(),
                information_obtained: "Two reports.".into(),
                necessity_still_met: true,
                proportionality_still_met: true,
                arrangements_still_met: true,
            },
            &world.ctx(),
            t(when),
        )
        .expect("lawful review");
        auth.reviews.push(rev);
    }
    auth
}

#[rstest]
#[case::last_second_of_the_last_day("2026-04-02T22:59:59Z", Timeliness::OnTime)]
#[case::first_instant_after("2026-04-02T23:00:00Z", Timeliness::Late)]
fn a_review_is_on_time_until_the_end_of_its_last_allowed_day(
    #[case] at: &str,
    #[case] expected: Timeliness,
) {
    let auth = reviewed(AuthorisationKind::Standard, AgeBand::Adult, &[at]);
    let timings = review_timings(&auth);
    assert_eq!(timings.len(), 1);
    assert_eq!(timings[0].due_at, t("2026-04-02T23:00:00Z"));
    assert_eq!(timings[0].timeliness, expected);
}

#[test]
fn each_review_is_due_from_the_one_before_it() {
    // On time on 20 March; the next is then due 30 days after 20 March (end of 19 April).
    let auth = reviewed(
        AuthorisationKind::Standard,
        AgeBand::Adult,
        &["2026-03-20T10:00:00Z", "2026-04-20T10:00:00Z"],
    );
    let timings = review_timings(&auth);
    assert_eq!(
        timings
            .iter()
            .map(|r| (r.due_at, r.timeliness))
            .collect::<Vec<_>>(),
        vec![
            (t("2026-04-02T23:00:00Z"), Timeliness::OnTime),
            (t("2026-04-19T23:00:00Z"), Timeliness::Late),
        ]
    );
}

#[test]
fn a_juvenile_is_reviewed_at_least_monthly_whatever_the_interval() {
    let mut auth = reviewed(AuthorisationKind::Juvenile, AgeBand::Aged16Or17, &[]);
    auth.review_interval_days = 60;
    // One calendar month from 3 March: due by the end of 3 April.
    assert_eq!(
        review_overdue_at(&auth, t("2026-04-03T22:59:59Z")),
        None,
        "not yet overdue on its last day"
    );
    assert_eq!(
        review_overdue_at(&auth, t("2026-04-03T23:00:00Z")),
        Some(t("2026-04-03T23:00:00Z"))
    );
}

#[test]
fn an_overdue_review_is_judged_on_the_history_as_it_stood() {
    // Reviewed late on 10 April: overdue on 5 April, not overdue after the review.
    let auth = reviewed(
        AuthorisationKind::Standard,
        AgeBand::Adult,
        &["2026-04-10T10:00:00Z"],
    );
    assert_eq!(
        review_overdue_at(&auth, t("2026-04-05T12:00:00Z")),
        Some(t("2026-04-02T23:00:00Z"))
    );
    assert_eq!(review_overdue_at(&auth, t("2026-04-10T10:00:00Z")), None);
    assert!(
        as_it_stood(&auth, t("2026-04-05T12:00:00Z"))
            .reviews
            .is_empty()
    );
}

#[rstest]
#[case::seventh_day("2026-03-10T23:59:59Z", Timeliness::OnTime)]
#[case::eighth_day("2026-03-11T00:00:00Z", Timeliness::Late)]
fn a_commissioner_notice_is_late_on_the_eighth_day(
    #[case] sent: &str,
    #[case] expected: Timeliness,
) {
    let mut auth = reviewed(AuthorisationKind::Standard, AgeBand::Adult, &[]);
    auth.kind = AuthorisationKind::CriminalConduct;
    assert_eq!(
        notice_timings(&auth, t("2026-03-10T12:00:00Z"))[0].timeliness,
        Timeliness::Pending
    );
    assert_eq!(
        notice_timings(&auth, t("2026-03-11T00:00:00Z"))[0].timeliness,
        Timeliness::Missing
    );
    auth.commissioner_notices.push(CommissionerNotice {
        event: NoticeEvent::Grant,
        decided_at: auth.granted_at,
        sent_at: t(sent),
    });
    let notices = notice_timings(&auth, t("2026-04-01T00:00:00Z"));
    assert_eq!(notices[0].due_at, t("2026-03-11T00:00:00Z"));
    assert_eq!(notices[0].timeliness, expected);
}

#[test]
fn live_during_a_period_means_in_force_at_some_instant_of_it() {
    let auth = reviewed(AuthorisationKind::Standard, AgeBand::Adult, &[]);
    let expiry = auth.current_expiry();
    assert!(live_during(
        &auth,
        t("2026-03-01T00:00:00Z"),
        auth.granted_at + chrono::Duration::milliseconds(1)
    ));
    assert!(!live_during(
        &auth,
        t("2026-03-01T00:00:00Z"),
        auth.granted_at
    ));
    assert!(live_during(
        &auth,
        expiry - chrono::Duration::milliseconds(1),
        expiry + chrono::Duration::days(1)
    ));
    assert!(!live_during(
        &auth,
        expiry,
        expiry + chrono::Duration::days(1)
    ));
}
