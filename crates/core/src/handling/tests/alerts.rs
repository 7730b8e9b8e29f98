use super::*;
use chrono::NaiveDate;
use rstest::rstest;

const POLICY: PaymentPolicy = PaymentPolicy {
    single_payment_threshold_minor: 50_000,
    yearly_threshold_minor: 200_000,
};

fn policy() -> AlertPolicy {
    AlertPolicy::standard(POLICY)
}

/// A recruited source under a standard authorisation granted 10 March 2025 (in force to the
/// end of 9 March 2026), reviewed on 1 March 2026 so no review alert is pending in March.
fn world() -> World {
    let mut world = World::new(SourceState::InDevelopment);
    let mut auth = world.granted(
        grant_request(AuthorisationKind::Standard, AgeBand::Adult),
        t("2025-03-10T09:00:00Z"),
    );
    auth.reviews.push(Review {
        id: id(0x300),
        reviewed_by: officer(AO),
        reviewed_at: t("2026-03-01T10:00:00Z"),
        use_made: "Weekly meetings.".into(),
        tasks_given: "Report on the group.".into(),
        information_obtained: "Two reports.".into(),
        risk_assessment: id(0x200),
        necessity_still_met: true,
        proportionality_still_met: true,
        arrangements_still_met: true,
    });
    world.auths.push(auth);
    world.source.state = SourceState::Recruited;
    world
}

fn run<'a>(
    world: &'a World,
    extra: impl FnOnce(&mut HandlingRecords<'a>),
    now: &str,
) -> Vec<Alert> {
    let sources = std::slice::from_ref(&world.source);
    let mut records = HandlingRecords {
        sources,
        authorisations: &world.auths,
        roles: &world.roles,
        ..Default::default()
    };
    extra(&mut records);
    let found = alerts(&records, &policy(), t(now));
    assert_schedule_matches(&records, t(now));
    found
}

/// The alerts in force at `now` according to the schedule, in the core's order.
fn scheduled_at(schedule: &[ScheduledAlert], now: DateTime<Utc>) -> Vec<Alert> {
    let mut found: Vec<Alert> = schedule
        .iter()
        .filter(|s| s.from <= now && s.until.is_none_or(|u| now < u))
        .map(|s| s.alert.clone())
        .collect();
    sort_like_core(&mut found);
    found
}

fn sort_like_core(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.due_at.cmp(&b.due_at))
            .then_with(|| format!("{a:?}").cmp(&format!("{b:?}")))
    });
}

/// The schedule gives exactly the rules' alerts at `now`, at every instant the rules can change
/// at, one millisecond either side of it, and far before and after all of them.
fn assert_schedule_matches(records: &HandlingRecords<'_>, now: DateTime<Utc>) {
    let policy = policy();
    let schedule = alert_schedule(records, &policy);
    let mut probes = vec![now, t("1990-01-01T00:00:00Z"), t("2090-01-01T00:00:00Z")];
    for at in change_instants(records, &policy) {
        for d in [-1, 0, 1] {
            probes.push(at + chrono::Duration::milliseconds(d));
        }
    }
    for probe in probes {
        let mut expected = alerts(records, &policy, probe);
        sort_like_core(&mut expected);
        assert_eq!(
            scheduled_at(&schedule, probe),
            expected,
            "schedule and rules disagree at {probe}"
        );
    }
}

fn kinds(alerts: &[Alert]) -> Vec<AlertKind> {
    alerts.iter().map(|a| a.kind).collect()
}

#[rstest]
#[case("2026-02-09T23:59:59Z", None)]
#[case("2026-02-10T00:00:00Z", Some((AlertKind::AuthorisationExpiring { within_days: 28 }, Severity::Notice)))]
#[case("2026-02-24T00:00:00Z", Some((AlertKind::AuthorisationExpiring { within_days: 14 }, Severity::Warning)))]
#[case("2026-03-02T23:59:59Z", Some((AlertKind::AuthorisationExpiring { within_days: 14 }, Severity::Warning)))]
#[case("2026-03-03T00:00:00Z", Some((AlertKind::AuthorisationExpiring { within_days: 7 }, Severity::Critical)))]
#[case("2026-03-09T23:59:59Z", Some((AlertKind::AuthorisationExpiring { within_days: 7 }, Severity::Critical)))]
#[case("2026-03-10T00:00:00Z", Some((AlertKind::AuthorisationExpired, Severity::Critical)))]
fn expiry_warnings_at_28_14_and_7_days_then_expired(
    #[case] now: &str,
    #[case] expected: Option<(AlertKind, Severity)>,
) {
    let found: Vec<(AlertKind, Severity)> = run(&world(), |_| {}, now)
        .iter()
        .map(|a| (a.kind, a.severity))
        .collect();
    assert_eq!(found, expected.into_iter().collect::<Vec<_>>());
}

#[test]
fn expiry_alert_names_the_last_day_and_the_authorisation() {
    let found = run(&world(), |_| {}, "2026-03-05T12:00:00Z");
    let alert = found.first().expect("an expiry alert");
    assert_eq!(alert.subject, AlertSubject::Authorisation(id(0x100)));
    assert_eq!(alert.due_at, t("2026-03-10T00:00:00Z"));
    assert!(
        alert.message.contains("end of 2026-03-09"),
        "{}",
        alert.message
    );
}

#[test]
fn expired_authorisation_is_not_an_alert_once_replaced_or_the_case_is_closed() {
    let mut closed = world();
    closed.source.state = SourceState::Terminated;
    assert!(run(&closed, |_| {}, "2026-03-10T00:00:00Z").is_empty());

    let mut replaced = world();
    let mut fresh = replaced.granted(
        grant_request(AuthorisationKind::Standard, AgeBand::Adult),
        t("2026-03-09T09:00:00Z"),
    );
    fresh.id = id(0x101);
    replaced.auths.push(fresh);
    let found = kinds(&run(&replaced, |_| {}, "2026-03-10T00:00:00Z"));
    assert!(
        !found.contains(&AlertKind::AuthorisationExpired),
        "{found:?}"
    );
}

#[rstest]
// Granted 10 January 2026 with a 30-day interval: review due by the end of 9 February.
#[case("2026-02-02T23:59:59Z", None)]
#[case("2026-02-03T00:00:00Z", Some((AlertKind::ReviewDue, Severity::Warning)))]
#[case("2026-02-09T23:59:59Z", Some((AlertKind::ReviewDue, Severity::Warning)))]
#[case("2026-02-10T00:00:00Z", Some((AlertKind::ReviewOverdue, Severity::Critical)))]
fn review_due_and_overdue(#[case] now: &str, #[case] expected: Option<(AlertKind, Severity)>) {
    let mut world = World::new(SourceState::InDevelopment);
    world.auths.push(world.granted(
        grant_request(AuthorisationKind::Standard, AgeBand::Adult),
        t("2026-01-10T10:00:00Z"),
    ));
    world.source.state = SourceState::Recruited;
    let found: Vec<(AlertKind, Severity)> = run(&world, |_| {}, now)
        .iter()
        .map(|a| (a.kind, a.severity))
        .collect();
    assert_eq!(found, expected.into_iter().collect::<Vec<_>>());
}

fn contact(n: u128, status: ContactStatus, at: &str, next_due: Option<&str>) -> Contact {
    Contact {
        id: id(n),
        source: id(SOURCE),
        mode: ContactMode::Meeting,
        status,
        purpose: ContactPurpose::Use,
        planned_for: Some(t(at)),
        occurred_at: (status != ContactStatus::Planned).then(|| t(at)),
        officers_present: vec![officer(HANDLER)],
        appropriate_adult: None,
        location_alias: None,
        cover_used: None,
        safety_arrangements: None,
        fallback_arrangements: None,
        next_contact_due: next_due.map(t),
    }
}

#[rstest]
#[case("2026-01-27T08:59:59Z", vec![])]
#[case("2026-01-27T09:00:00Z", vec![AlertKind::ContactOverdue])]
fn overdue_contact_is_a_source_safety_alert(#[case] now: &str, #[case] expected: Vec<AlertKind>) {
    let contacts = [contact(
        0x400,
        ContactStatus::Held,
        "2026-01-20T09:00:00Z",
        Some("2026-01-27T09:00:00Z"),
    )];
    let found = run(&world(), |r| r.contacts = &contacts, now);
    assert_eq!(kinds(&found), expected);
    assert!(found.iter().all(|a| a.severity == Severity::SourceSafety));
}

#[test]
fn missed_contact_alerts_until_a_contact_is_held() {
    let missed = contact(0x401, ContactStatus::Missed, "2026-01-22T09:00:00Z", None);
    let before = [
        contact(0x400, ContactStatus::Held, "2026-01-20T09:00:00Z", None),
        missed.clone(),
    ];
    assert_eq!(
        kinds(&run(
            &world(),
            |r| r.contacts = &before,
            "2026-01-23T00:00:00Z"
        )),
        vec![AlertKind::ContactMissed]
    );

    let after = [
        missed,
        contact(0x402, ContactStatus::Held, "2026-01-22T18:00:00Z", None),
    ];
    assert!(run(&world(), |r| r.contacts = &after, "2026-01-23T00:00:00Z").is_empty());
}

#[rstest]
#[case("2026-01-22T10:59:59Z", false)]
#[case("2026-01-22T11:00:00Z", true)]
fn planned_contact_without_an_outcome_alerts_after_two_hours(
    #[case] now: &str,
    #[case] alert: bool,
) {
    let contacts = [contact(
        0x403,
        ContactStatus::Planned,
        "2026-01-22T09:00:00Z",
        None,
    )];
    let found = kinds(&run(&world(), |r| r.contacts = &contacts, now));
    assert_eq!(found.contains(&AlertKind::ContactOutcomeNotRecorded), alert);
}

#[test]
fn source_safety_comes_before_legal_deadlines() {
    let contacts = [contact(
        0x400,
        ContactStatus::Held,
        "2026-01-20T09:00:00Z",
        Some("2026-01-27T09:00:00Z"),
    )];
    // In the last week before expiry (Critical) with an overdue contact (SourceSafety).
    let found = run(&world(), |r| r.contacts = &contacts, "2026-03-05T12:00:00Z");
    assert_eq!(
        kinds(&found),
        vec![
            AlertKind::ContactOverdue,
            AlertKind::AuthorisationExpiring { within_days: 7 }
        ]
    );
}

#[test]
fn roles_not_covered_for_a_recruited_source() {
    let mut world = world();
    world.roles.retain(|r| r.role != SourceRole::RecordKeeper);
    let found = kinds(&run(&world, |_| {}, "2026-01-05T00:00:00Z"));
    assert_eq!(found, vec![AlertKind::RolesNotCovered]);
}

#[test]
fn review_finding_raises_cancellation_required() {
    let mut world = world();
    if let Some(review) = world.auths[0].reviews.first_mut() {
        review.necessity_still_met = false;
    }
    let found = kinds(&run(&world, |_| {}, "2026-03-01T12:00:00Z"));
    assert_eq!(
        found,
        vec![
            AlertKind::CancellationRequired,
            AlertKind::AuthorisationExpiring { within_days: 14 }
        ]
    );
}

#[rstest]
#[case(
    "2026-03-09T23:59:59Z",
    AlertKind::CommissionerNoticeDue,
    Severity::Warning
)]
#[case(
    "2026-03-10T00:00:00Z",
    AlertKind::CommissionerNoticeOverdue,
    Severity::Critical
)]
fn commissioner_notice_due_then_overdue(
    #[case] now: &str,
    #[case] kind: AlertKind,
    #[case] severity: Severity,
) {
    let mut world = World::new(SourceState::InDevelopment);
    let base = world.granted(
        grant_request(AuthorisationKind::Standard, AgeBand::Adult),
        t("2026-03-02T09:00:00Z"),
    );
    world.auths.push(base.clone());
    let req = GrantRequest {
        id: id(0x101),
        parent: Some(base.id),
        ..grant_request(AuthorisationKind::CriminalConduct, AgeBand::Adult)
    };
    world
        .auths
        .push(world.granted(req, t("2026-03-02T10:00:00Z")));
    world.source.state = SourceState::Recruited;
    let found = run(&world, |_| {}, now);
    let notice = found
        .iter()
        .find(|a| a.subject == AlertSubject::Authorisation(id(0x101)))
        .expect("notice alert");
    assert_eq!(
        (notice.kind, notice.severity, notice.due_at),
        (kind, severity, t("2026-03-10T00:00:00Z"))
    );
}

#[test]
fn urgent_oral_written_record_overdue() {
    let mut world = World::new(SourceState::InDevelopment);
    let req = GrantRequest {
        urgency_reason: Some("Tonight.".into()),
        ..grant_request(AuthorisationKind::UrgentOral, AgeBand::Adult)
    };
    world
        .auths
        .push(world.granted(req, t("2026-04-02T13:00:00Z")));
    world.source.state = SourceState::Recruited;
    let due = |now| {
        run(&world, |_| {}, now)
            .into_iter()
            .find(|a| a.kind == AlertKind::WrittenRecordOverdue)
    };
    assert!(due("2026-04-04T12:00:00Z").is_none());
    // Expired by then, but the written record is still owed.
    assert_eq!(
        due("2026-04-07T23:00:00Z").map(|a| a.due_at),
        Some(t("2026-04-07T23:00:00Z"))
    );
}

#[test]
fn payments_requirements_and_errors() {
    let payments = [Payment {
        id: id(0x700),
        source: id(SOURCE),
        kind: PaymentKind::Payment,
        amount_minor: 75_000,
        purpose: "Reward".into(),
        recorded_by: officer(HANDLER),
        recorded_at: t("2026-01-02T10:00:00Z"),
        approval: None,
        witnessed_by: None,
        paid_at: None,
    }];
    let requirements = [Requirement {
        id: id(0x600),
        title: "Supply routes".into(),
        detail: "Who moves the goods.".into(),
        priority: Priority::try_from(2).expect("valid priority"),
        opened_at: t("2025-06-01T00:00:00Z"),
        review_by: NaiveDate::from_ymd_opt(2026, 1, 3).expect("valid date"),
        closed_at: None,
    }];
    let errors = [RelevantError {
        id: id(0x800),
        source: Some(id(SOURCE)),
        authorisation: None,
        description: "Meeting held a day after expiry.".into(),
        identified_at: t("2026-01-01T09:00:00Z"),
        established_at: Some(t("2026-01-02T09:00:00Z")),
        reported_at: None,
    }];
    let world = world();
    // Established Friday 2 January 2026: 10 working days → end of Friday 16 January.
    let found = run(
        &world,
        |r| {
            r.payments = &payments;
            r.requirements = &requirements;
            r.errors = &errors;
        },
        "2026-01-05T00:00:00Z",
    );
    assert_eq!(
        found
            .iter()
            .map(|a| (a.kind, a.severity))
            .collect::<Vec<_>>(),
        vec![
            (AlertKind::ErrorReportDue, Severity::Warning),
            (AlertKind::PaymentAwaitingApproval, Severity::Notice),
            (AlertKind::RequirementReviewOverdue, Severity::Notice),
        ]
    );
    assert_eq!(found[0].due_at, t("2026-01-17T00:00:00Z"));
    let later = kinds(&run(&world, |r| r.errors = &errors, "2026-01-17T00:00:00Z"));
    assert!(later.contains(&AlertKind::ErrorReportOverdue), "{later:?}");
}

/// A recruited source whose record-keeper's period ends: the alert is due from that instant,
/// not from whenever someone looks, and the schedule starts it exactly there.
#[test]
fn roles_not_covered_is_due_from_the_end_of_the_period() {
    let mut world = world();
    let ends = t("2026-01-20T17:00:00Z");
    for r in world
        .roles
        .iter_mut()
        .filter(|r| r.role == SourceRole::RecordKeeper)
    {
        r.until = Some(ends);
    }
    let found = run(&world, |_| {}, "2026-02-01T00:00:00Z");
    let gap: Vec<&Alert> = found
        .iter()
        .filter(|a| a.kind == AlertKind::RolesNotCovered)
        .collect();
    assert_eq!(gap.len(), 1);
    assert_eq!(gap[0].due_at, ends);
    assert!(
        run(&world, |_| {}, "2026-01-20T16:59:59.999Z")
            .iter()
            .all(|a| a.kind != AlertKind::RolesNotCovered)
    );
}
