use super::*;
use crate::handling::calendar;
use crate::{Clock, FixedClock};
use chrono::Duration;
use rstest::rstest;

use AuthorisationKind::*;

/// RIPA s.43(3) and the Juveniles Order: the deadline for each kind, age and grant instant.
#[rstest]
// Standard: 12 months beginning with the day of grant (compliance.md §1.5 worked example).
#[case(
    Standard,
    AgeBand::Adult,
    "2025-03-10T09:00:00Z",
    "2026-03-10T00:00:00Z"
)]
#[case(
    Standard,
    AgeBand::Adult,
    "2025-03-10T00:00:00Z",
    "2026-03-10T00:00:00Z"
)]
#[case(
    Standard,
    AgeBand::Adult,
    "2025-03-10T23:59:59Z",
    "2026-03-10T00:00:00Z"
)]
// Summer: the last day ends at midnight BST, 23:00 UTC.
#[case(
    Standard,
    AgeBand::Adult,
    "2025-06-10T08:00:00Z",
    "2026-06-09T23:00:00Z"
)]
// 23:30 UTC on 9 June is 00:30 BST on 10 June: the day of grant is the 10th.
#[case(
    Standard,
    AgeBand::Adult,
    "2025-06-09T23:30:00Z",
    "2026-06-09T23:00:00Z"
)]
#[case(
    RelevantSource,
    AgeBand::Adult,
    "2025-03-10T09:00:00Z",
    "2026-03-10T00:00:00Z"
)]
#[case(
    CriminalConduct,
    AgeBand::Adult,
    "2025-03-10T09:00:00Z",
    "2026-03-10T00:00:00Z"
)]
// Under 18 at grant: 4 months whatever kind was asked.
#[case(
    Juvenile,
    AgeBand::Aged16Or17,
    "2026-01-15T10:00:00Z",
    "2026-05-14T23:00:00Z"
)]
#[case(
    Standard,
    AgeBand::Aged16Or17,
    "2026-01-15T10:00:00Z",
    "2026-05-14T23:00:00Z"
)]
#[case(
    Standard,
    AgeBand::Under16,
    "2026-01-15T10:00:00Z",
    "2026-05-14T23:00:00Z"
)]
#[case(
    CriminalConduct,
    AgeBand::Aged16Or17,
    "2026-01-15T10:00:00Z",
    "2026-05-14T23:00:00Z"
)]
// No 31 February: the period ends a day early rather than a day late.
#[case(
    Juvenile,
    AgeBand::Under16,
    "2025-10-31T10:00:00Z",
    "2026-02-28T00:00:00Z"
)]
// Urgent oral: 72 hours from the instant, real hours across the March clock change.
#[case(
    UrgentOral,
    AgeBand::Adult,
    "2026-03-27T15:30:00Z",
    "2026-03-30T15:30:00Z"
)]
#[case(
    UrgentOral,
    AgeBand::Under16,
    "2026-03-27T15:30:00Z",
    "2026-03-30T15:30:00Z"
)]
fn period_ends_where_the_statute_says(
    #[case] kind: AuthorisationKind,
    #[case] age: AgeBand,
    #[case] granted: &str,
    #[case] expires: &str,
) {
    assert_eq!(period_end(kind, age, t(granted)), t(expires));
}

#[rstest]
#[case("2026-03-09T23:59:59Z", AuthorisationStatus::Live)]
#[case("2026-03-10T00:00:00Z", AuthorisationStatus::Expired)]
#[case("2026-03-10T00:00:01Z", AuthorisationStatus::Expired)]
#[case("2025-03-10T08:59:59Z", AuthorisationStatus::NotYetInForce)]
fn standard_authorisation_is_live_to_the_last_second_of_its_last_day(
    #[case] now: &str,
    #[case] expected: AuthorisationStatus,
) {
    let world = World::new(SourceState::InDevelopment);
    let auth = world.granted(
        grant_request(Standard, AgeBand::Adult),
        t("2025-03-10T09:00:00Z"),
    );
    assert_eq!(auth.status(t(now)), expected);
    assert_eq!(
        calendar::last_day_of(auth.current_expiry()).to_string(),
        "2026-03-09"
    );
}

#[rstest]
#[case("2026-03-30T15:29:59Z", true)]
#[case("2026-03-30T15:30:00Z", false)]
#[case("2026-03-30T15:30:01Z", false)]
fn urgent_oral_authorisation_lasts_exactly_72_hours(#[case] now: &str, #[case] live: bool) {
    let world = World::new(SourceState::InDevelopment);
    let req = GrantRequest {
        urgency_reason: Some("Threat to life tonight.".into()),
        ..grant_request(UrgentOral, AgeBand::Adult)
    };
    let auth = world.granted(req, t("2026-03-27T15:30:00Z"));
    assert_eq!(auth.is_live(t(now)), live);
}

#[test]
fn juvenile_authorisation_lapses_after_four_months_on_a_moving_clock() {
    let world = World::new(SourceState::InDevelopment);
    let clock = FixedClock::new(t("2026-01-15T10:00:00Z"));
    let auth = world.granted(grant_request(Juvenile, AgeBand::Aged16Or17), clock.now());
    clock.set(t("2026-05-14T22:59:59Z"));
    assert!(
        auth.is_live(clock.now()),
        "still live on the last second of 14 May (BST)"
    );
    clock.advance(Duration::seconds(1));
    assert!(!auth.is_live(clock.now()), "lapsed at midnight BST");
    assert_refused(
        live_authorisation(std::slice::from_ref(&auth), world.source.id, clock.now()),
        codes::AUTH_EXPIRED,
    );
}

#[test]
fn urgent_oral_written_record_is_due_by_the_end_of_the_next_working_day() {
    // Thursday before Easter 2026: Good Friday and Easter Monday are not working days.
    let world = World::new(SourceState::InDevelopment);
    let req = GrantRequest {
        urgency_reason: Some("Meeting tonight.".into()),
        ..grant_request(UrgentOral, AgeBand::Adult)
    };
    let auth = world.granted(req, t("2026-04-02T13:00:00Z"));
    let due = auth.written_record_due(&BankHolidays::england_and_wales());
    assert_eq!(due, Some(t("2026-04-07T23:00:00Z")));
}

#[test]
fn a_lawful_grant_records_the_facts_the_central_record_needs() {
    let world = World::new(SourceState::InDevelopment);
    let auth = world.granted(
        grant_request(Standard, AgeBand::Adult),
        t("2026-01-10T10:00:00Z"),
    );
    assert_eq!(auth.granted_by, officer(AO));
    assert!(!auth.self_authorised);
    assert_eq!(auth.risk_assessment, id(0x200));
    assert_eq!(auth.source_age_at_grant, AgeBand::Adult);
    assert_eq!(
        live_authorisation(
            std::slice::from_ref(&auth),
            world.source.id,
            t("2026-06-01T00:00:00Z")
        )
        .map(|a| a.id),
        Ok(auth.id)
    );
}

#[test]
fn no_authorisation_at_all_is_auth_required() {
    assert_refused(
        live_authorisation(&[], id(SOURCE), t("2026-01-01T00:00:00Z")),
        codes::AUTH_REQUIRED,
    );
}

#[test]
fn handler_may_not_authorise_their_own_source() {
    let world = World::new(SourceState::InDevelopment);
    let req = GrantRequest {
        granted_by: officer(HANDLER),
        ..grant_request(Standard, AgeBand::Adult)
    };
    assert_refused(
        grant(req, &world.ctx(), t("2026-01-10T10:00:00Z")),
        codes::SELF_AUTHORISATION,
    );
    let req = GrantRequest {
        granted_by: officer(CONTROLLER),
        ..grant_request(Standard, AgeBand::Adult)
    };
    assert_refused(
        grant(req, &world.ctx(), t("2026-01-10T10:00:00Z")),
        codes::SELF_AUTHORISATION,
    );
}

#[test]
fn self_authorisation_forced_by_urgency_is_allowed_and_flagged() {
    let world = World::new(SourceState::InDevelopment);
    let req = GrantRequest {
        granted_by: officer(CONTROLLER),
        urgency_reason: Some("No other authorising officer reachable; risk to life.".into()),
        ..grant_request(UrgentOral, AgeBand::Adult)
    };
    let auth = world.granted(req, t("2026-01-10T10:00:00Z"));
    assert!(
        auth.self_authorised,
        "the central record must show it was self-authorised"
    );
}

/// Each way a grant application can be refused, with the code the person sees.
#[rstest]
#[case::blank_proportionality(|r: &mut GrantRequest| r.proportionality = "  ".into(), codes::AUTH_INCOMPLETE)]
#[case::no_tasks(|r: &mut GrantRequest| r.tasks_in_scope.clear(), codes::AUTH_INCOMPLETE)]
#[case::zero_review_interval(|r: &mut GrantRequest| r.review_interval_days = 0, codes::REVIEW_INTERVAL_INVALID)]
#[case::juvenile_kind_for_adult(|r: &mut GrantRequest| r.kind = Juvenile, codes::AUTH_KIND_MISMATCH)]
#[case::relevant_source_not_undercover(|r: &mut GrantRequest| r.kind = RelevantSource, codes::AUTH_KIND_MISMATCH)]
#[case::urgent_without_reason(|r: &mut GrantRequest| r.kind = UrgentOral, codes::URGENCY_REASON_REQUIRED)]
#[case::cca_on_tax_ground(|r: &mut GrantRequest| { r.kind = CriminalConduct; r.ground = NecessityGround::TaxCollection; }, codes::CCA_GROUND_NOT_PERMITTED)]
#[case::cca_without_parent(|r: &mut GrantRequest| r.kind = CriminalConduct, codes::CCA_REQUIRES_LIVE_AUTHORISATION)]
#[case::under_16_against_parent(|r: &mut GrantRequest| { r.source_age = AgeBand::Under16; r.relationship_with_parent_or_guardian = true; }, codes::JUVENILE_PARENT_RELATIONSHIP)]
fn grant_refusals(#[case] bend: fn(&mut GrantRequest), #[case] code: &str) {
    let world = World::new(SourceState::InDevelopment);
    let mut req = grant_request(Standard, AgeBand::Adult);
    bend(&mut req);
    assert_refused(grant(req, &world.ctx(), t("2026-01-10T10:00:00Z")), code);
}

#[test]
fn undercover_officer_needs_the_relevant_source_kind() {
    let mut world = World::new(SourceState::InDevelopment);
    world.source.undercover_operative = true;
    assert_refused(
        grant(
            grant_request(Standard, AgeBand::Adult),
            &world.ctx(),
            t("2026-01-10T10:00:00Z"),
        ),
        codes::AUTH_KIND_MISMATCH,
    );
    assert!(
        grant(
            grant_request(RelevantSource, AgeBand::Adult),
            &world.ctx(),
            t("2026-01-10T10:00:00Z")
        )
        .is_ok()
    );
}

#[test]
fn closed_case_cannot_be_authorised() {
    let world = World::new(SourceState::Terminated);
    assert_refused(
        grant(
            grant_request(Standard, AgeBand::Adult),
            &world.ctx(),
            t("2026-01-10T10:00:00Z"),
        ),
        codes::SOURCE_TERMINATED,
    );
}

#[test]
fn grant_needs_a_complete_risk_assessment() {
    let now = t("2026-01-10T10:00:00Z");
    let mut world = World::new(SourceState::InDevelopment);
    world.risks.clear();
    assert_refused(
        grant(grant_request(Standard, AgeBand::Adult), &world.ctx(), now),
        codes::RISK_ASSESSMENT_REQUIRED,
    );

    world.risks = vec![RiskAssessment {
        understood_by_source: false,
        ..risk_at(0x201, t("2026-01-09T00:00:00Z"))
    }];
    assert_refused(
        grant(grant_request(Standard, AgeBand::Adult), &world.ctx(), now),
        codes::RISK_NOT_EXPLAINED,
    );

    // An assessment made after the decision does not count.
    world.risks = vec![risk_at(0x202, t("2026-01-10T10:00:01Z"))];
    assert_refused(
        grant(grant_request(Standard, AgeBand::Adult), &world.ctx(), now),
        codes::RISK_ASSESSMENT_REQUIRED,
    );

    world.risks = vec![RiskAssessment {
        psychological_harm: None,
        ..risk_at(0x203, t("2026-01-09T00:00:00Z"))
    }];
    assert!(
        grant(grant_request(Standard, AgeBand::Adult), &world.ctx(), now).is_ok(),
        "adults need no enhanced assessment"
    );
    assert_refused(
        grant(
            grant_request(Juvenile, AgeBand::Aged16Or17),
            &world.ctx(),
            now,
        ),
        codes::JUVENILE_RISK_ASSESSMENT,
    );
}

#[test]
fn grant_needs_the_three_roles_in_place() {
    let mut world = World::new(SourceState::InDevelopment);
    world.roles.retain(|r| r.role != SourceRole::RecordKeeper);
    assert_refused(
        grant(
            grant_request(Standard, AgeBand::Adult),
            &world.ctx(),
            t("2026-01-10T10:00:00Z"),
        ),
        codes::ROLE_NOT_COVERED,
    );
}

#[test]
fn criminal_conduct_sits_on_a_live_use_and_conduct_authorisation() {
    let mut world = World::new(SourceState::Recruited);
    let base = world.granted(
        grant_request(Standard, AgeBand::Adult),
        t("2025-03-10T09:00:00Z"),
    );
    world.auths.push(base.clone());
    let cca = GrantRequest {
        id: id(0x101),
        parent: Some(base.id),
        ..grant_request(CriminalConduct, AgeBand::Adult)
    };

    let granted = grant(cca.clone(), &world.ctx(), t("2026-03-09T23:59:59Z")).expect("parent live");
    assert_eq!(granted.parent, Some(base.id));
    // It cannot outlast its base: twelve months asked, it ends when the base does.
    assert_eq!(granted.expires_at, base.current_expiry());
    assert_eq!(granted.expires_at, t("2026-03-10T00:00:00Z"));
    let early = grant(cca.clone(), &world.ctx(), t("2025-03-11T09:00:00Z")).expect("parent live");
    assert_eq!(
        early.expires_at,
        base.current_expiry(),
        "capped a day in, too"
    );
    // The parent lapses at midnight: criminal conduct can no longer be granted on it.
    assert_refused(
        grant(cca, &world.ctx(), t("2026-03-10T00:00:00Z")),
        codes::CCA_REQUIRES_LIVE_AUTHORISATION,
    );
}

#[test]
fn juvenile_criminal_conduct_needs_the_section_29c_safeguards() {
    let mut world = World::new(SourceState::Recruited);
    let base = world.granted(
        grant_request(Juvenile, AgeBand::Aged16Or17),
        t("2026-01-10T09:00:00Z"),
    );
    world.auths.push(base.clone());
    let req = GrantRequest {
        id: id(0x101),
        parent: Some(base.id),
        ..grant_request(CriminalConduct, AgeBand::Aged16Or17)
    };
    let now = t("2026-01-11T09:00:00Z");
    assert_refused(
        grant(req.clone(), &world.ctx(), now),
        codes::JUVENILE_CCA_SAFEGUARDS,
    );

    let safeguards = JuvenileCcaSafeguards {
        exceptional_circumstances: "Only route to the kidnappers.".into(),
        no_foreseeable_harm: true,
        best_interests: "Protects the source's sibling.".into(),
        meeting_arrangements: "Appropriate adult present; no unaccompanied meetings.".into(),
    };
    let with = GrantRequest {
        juvenile_cca_safeguards: Some(safeguards.clone()),
        ..req.clone()
    };
    assert!(grant(with, &world.ctx(), now).is_ok());
    let harm_foreseeable = GrantRequest {
        juvenile_cca_safeguards: Some(JuvenileCcaSafeguards {
            no_foreseeable_harm: false,
            ..safeguards
        }),
        ..req
    };
    assert_refused(
        grant(harm_foreseeable, &world.ctx(), now),
        codes::JUVENILE_CCA_SAFEGUARDS,
    );
}

#[rstest]
// Interval 30 days after grant on 10 January: due by the end of 9 February.
#[case(AgeBand::Adult, 30, "2026-02-10T00:00:00Z")]
// Juvenile with a 60-day interval: monthly wins, due by the end of 10 February.
#[case(AgeBand::Aged16Or17, 60, "2026-02-11T00:00:00Z")]
// Juvenile with a shorter interval keeps it.
#[case(AgeBand::Under16, 14, "2026-01-25T00:00:00Z")]
fn next_review_due(#[case] age: AgeBand, #[case] interval: u32, #[case] due: &str) {
    let world = World::new(SourceState::InDevelopment);
    let req = GrantRequest {
        review_interval_days: interval,
        ..grant_request(Standard, age)
    };
    let auth = world.granted(req, t("2026-01-10T10:00:00Z"));
    assert_eq!(auth.next_review_due(), t(due));
}
