//! The two alerts that keep a risk assessment current (compliance.md §1.13): after a founded
//! concern bearing on risk, and behind a live tasking. Each at its exact boundary, and the
//! schedule agreeing with the rules at every instant they can change.

use super::*;
use crate::handling::concern::{Concern, ConcernCategory, ConcernFinding, review};
use crate::handling::risk::AssessedAt;
use crate::handling::tasking::{TaskingState, TaskingStatus, change_status};

fn policy() -> AlertPolicy {
    AlertPolicy::standard(PaymentPolicy {
        single_payment_threshold_minor: 50_000,
        yearly_threshold_minor: 200_000,
    })
}

const RAISED: &str = "2024-03-01T10:00:00Z";
const FOUND: &str = "2024-03-02T12:00:00Z";
const ISSUED: &str = "2024-04-01T09:00:00Z";

fn concern(category: ConcernCategory, finding: Option<ConcernFinding>) -> Concern {
    let raised = Concern {
        id: id(0x900),
        source: id(SOURCE),
        category,
        raised_by: officer(HANDLER),
        raised_at: t(RAISED),
        review: None,
    };
    match finding {
        Some(f) => review(&raised, officer(CONTROLLER), f, t(FOUND)).expect("review"),
        None => raised,
    }
}

fn assessed(at: &str) -> AssessedAt {
    AssessedAt {
        source: id(SOURCE),
        at: t(at),
    }
}

/// The first assessment, long before any concern or task.
fn first() -> AssessedAt {
    AssessedAt::from(&risk_at(0x200, t("2020-06-01T00:00:00Z")))
}

fn tasking() -> Tasking {
    Tasking {
        id: id(0xB00),
        source: id(SOURCE),
        requirement: id(0x600),
        authorisation: id(0x100),
        instructions: "Report who attends the Thursday meetings.".into(),
        issued_by: officer(HANDLER),
        issued_at: t(ISSUED),
        status: TaskingStatus::Issued,
        history: Vec::new(),
    }
}

/// The alerts of `kind` in force at `now`, after checking that the schedule gives exactly the
/// rules' alerts at every instant they can change at, a millisecond either side, and far out.
fn in_force(records: &HandlingRecords<'_>, kind: AlertKind, now: &str) -> Vec<Alert> {
    let policy = policy();
    let schedule = alert_schedule(records, &policy);
    let mut probes = vec![t(now), t("1990-01-01T00:00:00Z"), t("2090-01-01T00:00:00Z")];
    for at in change_instants(records, &policy) {
        for d in [-1, 0, 1] {
            probes.push(at + chrono::Duration::milliseconds(d));
        }
    }
    for probe in probes {
        let found = alerts(records, &policy, probe);
        let scheduled: Vec<&Alert> = schedule
            .iter()
            .filter(|s| s.from <= probe && s.until.is_none_or(|u| probe < u))
            .map(|s| &s.alert)
            .collect();
        assert_eq!(
            found.len(),
            scheduled.len(),
            "schedule disagrees at {probe}"
        );
        for a in &found {
            assert!(scheduled.contains(&a), "schedule lacks {a:?} at {probe}");
        }
    }
    alerts(records, &policy, t(now))
        .into_iter()
        .filter(|a| a.kind == kind)
        .collect()
}

fn concern_alerts(concern: Concern, assessments: &[AssessedAt], now: &str) -> Vec<Alert> {
    let source = super::source(SourceState::Recruited);
    let roles = roles();
    let concerns = [concern];
    let records = HandlingRecords {
        sources: std::slice::from_ref(&source),
        roles: &roles,
        concerns: &concerns,
        risk_assessed: assessments,
        ..Default::default()
    };
    in_force(&records, AlertKind::RiskAssessmentAfterConcern, now)
}

#[test]
fn a_founded_welfare_concern_alerts_from_the_finding_until_a_new_assessment() {
    let c = concern(ConcernCategory::Welfare, Some(ConcernFinding::Founded));
    let only_first = [first()];
    assert!(concern_alerts(c, &only_first, "2024-03-02T11:59:59.999Z").is_empty());
    let raised = concern_alerts(c, &only_first, FOUND);
    assert_eq!(raised.len(), 1);
    let a = &raised[0];
    assert_eq!(a.severity, Severity::SourceSafety);
    assert_eq!(a.due_at, t(FOUND));
    assert_eq!(a.subject, AlertSubject::Concern(id(0x900)));
    assert_eq!(a.source, Some(id(SOURCE)));
    assert_eq!(
        a.message,
        "LANTERN: a concern about the source's welfare was found founded on 2024-03-02; reassess the source's risks and record a new risk assessment."
    );
    // Nobody reassesses: it stays.
    assert_eq!(
        concern_alerts(c, &only_first, "2030-01-01T00:00:00Z").len(),
        1
    );
    // Reassessed three days later: in force until that instant, not after.
    let redone = [first(), assessed("2024-03-05T09:00:00Z")];
    assert_eq!(
        concern_alerts(c, &redone, "2024-03-05T08:59:59.999Z").len(),
        1
    );
    assert!(concern_alerts(c, &redone, "2024-03-05T09:00:00Z").is_empty());
    assert!(concern_alerts(c, &redone, "2030-01-01T00:00:00Z").is_empty());
}

#[test]
fn an_assessment_a_millisecond_before_the_finding_leaves_the_alert_and_one_at_it_clears_it() {
    let c = concern(
        ConcernCategory::Circumstances,
        Some(ConcernFinding::Founded),
    );
    let just_before = [first(), assessed("2024-03-02T11:59:59.999Z")];
    let left = concern_alerts(c, &just_before, "2030-01-01T00:00:00Z");
    assert_eq!(
        left.len(),
        1,
        "an assessment before the finding cannot weigh it"
    );
    assert_eq!(left[0].severity, Severity::Warning);
    assert!(
        left[0].message.contains("circumstances"),
        "{}",
        left[0].message
    );
    let at_the_finding = [first(), assessed(FOUND)];
    for now in [FOUND, "2030-01-01T00:00:00Z"] {
        assert!(concern_alerts(c, &at_the_finding, now).is_empty(), "{now}");
    }
}

#[test]
fn an_assessment_of_another_source_does_not_clear_it() {
    let c = concern(ConcernCategory::Welfare, Some(ConcernFinding::Founded));
    let other = [
        first(),
        AssessedAt {
            source: id(SOURCE + 1),
            at: t("2024-03-03T00:00:00Z"),
        },
    ];
    assert_eq!(concern_alerts(c, &other, "2030-01-01T00:00:00Z").len(), 1);
}

#[test]
fn coercion_founded_is_source_safety_and_says_so() {
    let c = concern(ConcernCategory::Coercion, Some(ConcernFinding::Founded));
    let a = concern_alerts(c, &[first()], FOUND);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].severity, Severity::SourceSafety);
    assert!(a[0].message.contains("coerced"), "{}", a[0].message);
}

#[test]
fn unfounded_referred_unreviewed_or_conduct_only_concerns_raise_nothing() {
    for category in ConcernCategory::ALL {
        for finding in [
            None,
            Some(ConcernFinding::Unfounded),
            Some(ConcernFinding::Referred),
            Some(ConcernFinding::Founded),
        ] {
            let c = concern(category, finding);
            let expected = usize::from(
                category != ConcernCategory::Conduct && finding == Some(ConcernFinding::Founded),
            );
            for now in [FOUND, "2030-01-01T00:00:00Z"] {
                assert_eq!(
                    concern_alerts(c, &[first()], now).len(),
                    expected,
                    "{category} {finding:?} at {now}"
                );
            }
        }
    }
}

fn tasking_alerts(taskings: &[TaskingState], assessments: &[AssessedAt], now: &str) -> Vec<Alert> {
    let source = super::source(SourceState::Recruited);
    let roles = roles();
    let records = HandlingRecords {
        sources: std::slice::from_ref(&source),
        roles: &roles,
        taskings,
        risk_assessed: assessments,
        ..Default::default()
    };
    in_force(&records, AlertKind::RiskAssessmentBehindTasking, now)
}

#[test]
fn a_task_given_after_the_latest_assessment_warns_from_its_issue() {
    let live = [TaskingState::from(&tasking())];
    let only_first = [first()];
    assert!(tasking_alerts(&live, &only_first, "2024-04-01T08:59:59.999Z").is_empty());
    let raised = tasking_alerts(&live, &only_first, ISSUED);
    assert_eq!(raised.len(), 1);
    let a = &raised[0];
    assert_eq!(a.severity, Severity::Warning);
    assert_eq!(a.due_at, t(ISSUED));
    assert_eq!(a.subject, AlertSubject::Tasking(id(0xB00)));
    assert_eq!(a.source, Some(id(SOURCE)));
    assert_eq!(
        a.message,
        "LANTERN: a task given on 2024-04-01 came after the latest risk assessment; record a risk assessment that weighs the risk of this task."
    );
    // An acknowledged task is still live.
    let acknowledged = change_status(
        &tasking(),
        TaskingStatus::Acknowledged,
        officer(HANDLER),
        None,
        t("2024-04-02T09:00:00Z"),
    )
    .expect("acknowledged");
    let acknowledged = [TaskingState::from(&acknowledged)];
    assert_eq!(
        tasking_alerts(&acknowledged, &only_first, "2030-01-01T00:00:00Z").len(),
        1
    );
}

#[test]
fn an_assessment_at_the_issue_clears_it_and_one_a_millisecond_before_does_not() {
    let live = [TaskingState::from(&tasking())];
    let just_before = [first(), assessed("2024-04-01T08:59:59.999Z")];
    assert_eq!(
        tasking_alerts(&live, &just_before, "2030-01-01T00:00:00Z").len(),
        1
    );
    let at_issue = [first(), assessed(ISSUED)];
    for now in [ISSUED, "2030-01-01T00:00:00Z"] {
        assert!(tasking_alerts(&live, &at_issue, now).is_empty(), "{now}");
    }
    let later = [first(), assessed("2024-04-03T15:00:00Z")];
    assert_eq!(
        tasking_alerts(&live, &later, "2024-04-03T14:59:59.999Z").len(),
        1
    );
    assert!(tasking_alerts(&live, &later, "2024-04-03T15:00:00Z").is_empty());
}

#[test]
fn a_withdrawn_or_completed_task_ends_its_alert_at_that_instant() {
    let withdrawn = change_status(
        &tasking(),
        TaskingStatus::Withdrawn,
        officer(HANDLER),
        Some("The meetings moved abroad.".into()),
        t("2024-04-03T10:00:00Z"),
    )
    .expect("withdrawn");
    let acknowledged = change_status(
        &tasking(),
        TaskingStatus::Acknowledged,
        officer(HANDLER),
        None,
        t("2024-04-02T10:00:00Z"),
    )
    .expect("acknowledged");
    let completed = change_status(
        &acknowledged,
        TaskingStatus::Completed,
        officer(HANDLER),
        None,
        t("2024-04-03T10:00:00Z"),
    )
    .expect("completed");
    for ended in [withdrawn, completed] {
        let states = [TaskingState::from(&ended)];
        assert_eq!(states[0].ended_at, Some(t("2024-04-03T10:00:00Z")));
        assert_eq!(
            tasking_alerts(&states, &[first()], "2024-04-03T09:59:59.999Z").len(),
            1
        );
        assert!(tasking_alerts(&states, &[first()], "2024-04-03T10:00:00Z").is_empty());
    }
    // Read without keys, an ended task has its status and no time: it raises nothing at all.
    let keyless = [TaskingState {
        ended_at: None,
        status: TaskingStatus::Withdrawn,
        ..TaskingState::from(&tasking())
    }];
    for now in [ISSUED, "2030-01-01T00:00:00Z"] {
        assert!(tasking_alerts(&keyless, &[first()], now).is_empty());
    }
}

#[test]
fn the_new_kinds_have_their_names_on_the_wire() {
    for (kind, name) in [
        (
            AlertKind::RiskAssessmentAfterConcern,
            "risk_assessment_after_concern",
        ),
        (
            AlertKind::RiskAssessmentBehindTasking,
            "risk_assessment_behind_tasking",
        ),
    ] {
        assert_eq!(kind.name(), name);
        assert!(AlertKind::NAMES.contains(&name));
        assert_eq!(
            serde_json::to_value(kind).expect("json")["kind"],
            serde_json::json!(name)
        );
    }
    let subject = serde_json::to_value(AlertSubject::Tasking(id(0xB00))).expect("json");
    assert_eq!(subject["type"], "tasking");
}
