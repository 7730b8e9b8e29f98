use super::*;
use crate::handling::review::NoticeEvent;
use rstest::rstest;

const GRANTED: &str = "2025-03-10T09:00:00Z";

fn review_request(n: u128, by: u128) -> ReviewRequest {
    ReviewRequest {
        id: id(n),
        reviewed_by: officer(by),
        use_made: "Four meetings; reporting on the group's finances.".into(),
        tasks_given: "Attend meetings; report names of new members.".into(),
        information_obtained: "Three reports, two corroborated.".into(),
        necessity_still_met: true,
        proportionality_still_met: true,
        arrangements_still_met: true,
    }
}

fn renewal_request(by: u128, age: AgeBand) -> RenewalRequest {
    RenewalRequest {
        renewed_by: officer(by),
        source_age: age,
        urgency_reason: None,
        prior_approval: None,
    }
}

/// A standard authorisation granted on 10 March 2025 (in force to the end of 9 March 2026),
/// reviewed on 1 February 2026 after a fresh risk assessment on 31 January.
fn reviewed_world() -> (World, Authorisation) {
    let mut world = World::new(SourceState::Recruited);
    let mut auth = world.granted(
        grant_request(AuthorisationKind::Standard, AgeBand::Adult),
        t(GRANTED),
    );
    world.risks.push(risk_at(0x201, t("2026-01-31T12:00:00Z")));
    let rev = review(
        &auth,
        review_request(0x300, AO),
        &world.ctx(),
        t("2026-02-01T10:00:00Z"),
    )
    .expect("lawful review");
    assert_eq!(
        rev.risk_assessment,
        id(0x201),
        "a review records the assessment it took account of"
    );
    auth.reviews.push(rev);
    (world, auth)
}

#[rstest]
#[case("2026-03-09T23:59:58Z")]
#[case("2026-03-09T23:59:59Z")]
fn renewal_before_expiry_starts_when_the_old_period_ends(#[case] now: &str) {
    let (world, auth) = reviewed_world();
    let renewal = renew(
        &auth,
        renewal_request(AO, AgeBand::Adult),
        &world.ctx(),
        t(now),
    )
    .expect("renewable");
    assert_eq!(renewal.takes_effect_at, t("2026-03-10T00:00:00Z"));
    assert_eq!(renewal.expires_at, t("2027-03-10T00:00:00Z"));
    assert_eq!(renewal.review, id(0x300));
}

#[rstest]
#[case("2026-03-10T00:00:00Z")]
#[case("2026-03-10T00:00:01Z")]
#[case("2026-06-01T00:00:00Z")]
fn renewal_at_or_after_expiry_is_refused(#[case] now: &str) {
    let (world, auth) = reviewed_world();
    assert_refused(
        renew(
            &auth,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t(now),
        ),
        codes::RENEWAL_AFTER_EXPIRY,
    );
}

#[test]
fn renewal_without_a_review_since_the_last_grant_is_refused() {
    let (world, mut auth) = reviewed_world();
    auth.reviews.clear();
    assert_refused(
        renew(
            &auth,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-02T00:00:00Z"),
        ),
        codes::RENEWAL_WITHOUT_REVIEW,
    );
}

#[test]
fn a_review_before_the_last_renewal_does_not_support_the_next_one() {
    let (world, mut auth) = reviewed_world();
    let first = renew(
        &auth,
        renewal_request(AO, AgeBand::Adult),
        &world.ctx(),
        t("2026-02-02T00:00:00Z"),
    )
    .expect("renewable");
    auth.renewals.push(first);
    assert_refused(
        renew(
            &auth,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2027-01-02T00:00:00Z"),
        ),
        codes::RENEWAL_WITHOUT_REVIEW,
    );
}

#[test]
fn renewal_needs_a_risk_assessment_newer_than_the_grant() {
    let (mut world, auth) = reviewed_world();
    world.risks.retain(|r| r.id != id(0x201));
    assert_refused(
        renew(
            &auth,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-02T00:00:00Z"),
        ),
        codes::RENEWAL_WITHOUT_RISK_ASSESSMENT,
    );
}

#[test]
fn renewal_is_refused_when_the_review_found_it_no_longer_justified() {
    let (world, mut auth) = reviewed_world();
    let failing = ReviewRequest {
        proportionality_still_met: false,
        ..review_request(0x301, AO)
    };
    auth.reviews.push(
        review(&auth, failing, &world.ctx(), t("2026-02-05T10:00:00Z"))
            .expect("finding is recorded"),
    );
    assert!(auth.cancellation_required());
    assert_refused(
        renew(
            &auth,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-06T00:00:00Z"),
        ),
        codes::CANCELLATION_REQUIRED,
    );
    // And the source may not be used under it meanwhile.
    assert_refused(
        live_authorisation(
            std::slice::from_ref(&auth),
            id(SOURCE),
            t("2026-02-06T00:00:00Z"),
        ),
        codes::CANCELLATION_REQUIRED,
    );
}

#[test]
fn handler_may_not_review_or_renew_their_own_source() {
    let (world, auth) = reviewed_world();
    let now = t("2026-02-02T00:00:00Z");
    assert_refused(
        review(&auth, review_request(0x302, HANDLER), &world.ctx(), now),
        codes::SELF_AUTHORISATION,
    );
    assert_refused(
        renew(
            &auth,
            renewal_request(CONTROLLER, AgeBand::Adult),
            &world.ctx(),
            now,
        ),
        codes::SELF_AUTHORISATION,
    );
}

#[test]
fn review_must_cover_use_tasks_and_information() {
    let (world, auth) = reviewed_world();
    let blank = ReviewRequest {
        information_obtained: "".into(),
        ..review_request(0x303, AO)
    };
    assert_refused(
        review(&auth, blank, &world.ctx(), t("2026-02-02T00:00:00Z")),
        codes::REVIEW_INCOMPLETE,
    );
}

#[test]
fn an_expired_or_cancelled_authorisation_cannot_be_reviewed() {
    let (world, mut auth) = reviewed_world();
    assert_refused(
        review(
            &auth,
            review_request(0x304, AO),
            &world.ctx(),
            t("2026-03-10T00:00:00Z"),
        ),
        codes::AUTH_EXPIRED,
    );
    auth.cancellation = Some(
        cancel(&auth, cancellation_request(), t("2026-02-10T00:00:00Z")).expect("cancellable"),
    );
    assert_refused(
        review(
            &auth,
            review_request(0x305, AO),
            &world.ctx(),
            t("2026-02-11T00:00:00Z"),
        ),
        codes::AUTH_CANCELLED,
    );
    assert_refused(
        renew(
            &auth,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-11T00:00:00Z"),
        ),
        codes::AUTH_CANCELLED,
    );
}

#[test]
fn a_juvenile_renewed_after_turning_18_gets_twelve_months() {
    let mut world = World::new(SourceState::Recruited);
    let mut auth = world.granted(
        grant_request(AuthorisationKind::Juvenile, AgeBand::Aged16Or17),
        t("2026-01-15T10:00:00Z"),
    );
    assert_eq!(auth.current_expiry(), t("2026-05-14T23:00:00Z"));
    world.risks.push(risk_at(0x201, t("2026-05-01T00:00:00Z")));
    auth.reviews.push(
        review(
            &auth,
            review_request(0x300, AO),
            &world.ctx(),
            t("2026-05-02T00:00:00Z"),
        )
        .expect("review"),
    );
    let as_adult = renew(
        &auth,
        renewal_request(AO, AgeBand::Adult),
        &world.ctx(),
        t("2026-05-03T00:00:00Z"),
    )
    .expect("renewal");
    assert_eq!(as_adult.expires_at, t("2027-05-14T23:00:00Z"));
    let still_17 = renew(
        &auth,
        renewal_request(AO, AgeBand::Aged16Or17),
        &world.ctx(),
        t("2026-05-03T00:00:00Z"),
    )
    .expect("renewal");
    assert_eq!(still_17.expires_at, t("2026-09-14T23:00:00Z"));
}

fn cancellation_request() -> CancellationRequest {
    CancellationRequest {
        cancelled_by: officer(AO),
        reasons: "The operation has ended.".into(),
        instruction_to_cease_at: Some(t("2026-02-10T09:00:00Z")),
        welfare_plan: "Handler keeps monthly welfare contact for six months.".into(),
    }
}

#[rstest]
#[case::no_reasons(|c: &mut CancellationRequest| c.reasons = " ".into(), codes::CANCELLATION_REASONS_REQUIRED)]
#[case::no_welfare_plan(|c: &mut CancellationRequest| c.welfare_plan = String::new(), codes::WELFARE_PLAN_REQUIRED)]
fn cancellation_refusals(#[case] bend: fn(&mut CancellationRequest), #[case] code: &str) {
    let (_, auth) = reviewed_world();
    let mut req = cancellation_request();
    bend(&mut req);
    assert_refused(cancel(&auth, req, t("2026-02-10T10:00:00Z")), code);
}

#[test]
fn cancellation_ends_use_and_records_reasons_and_time() {
    let (_, mut auth) = reviewed_world();
    let now = t("2026-02-10T10:00:00Z");
    let cancellation = cancel(&auth, cancellation_request(), now).expect("cancellable");
    assert_eq!(cancellation.cancelled_at, now);
    auth.cancellation = Some(cancellation);
    assert_eq!(auth.status(now), AuthorisationStatus::Cancelled);
    assert_refused(
        live_authorisation(std::slice::from_ref(&auth), id(SOURCE), now),
        codes::AUTH_CANCELLED,
    );
    assert_refused(
        cancel(&auth, cancellation_request(), now),
        codes::AUTH_CANCELLED,
    );
}

#[rstest]
// Monday 2 March: the days counted are 3-9 March; due by the end of 9 March (GMT).
#[case("2026-03-02T10:00:00Z", "2026-03-10T00:00:00Z")]
// Across the clock change: decided 25 March, due by the end of 1 April (BST).
#[case("2026-03-25T12:00:00Z", "2026-04-01T23:00:00Z")]
// 23:30 UTC on 1 July is 2 July in London: due by the end of 9 July.
#[case("2026-07-01T23:30:00Z", "2026-07-09T23:00:00Z")]
fn commissioner_notice_is_due_by_the_end_of_the_seventh_day_after(
    #[case] decided: &str,
    #[case] due: &str,
) {
    assert_eq!(commissioner_notice_deadline(t(decided)), t(due));
}

#[test]
fn criminal_conduct_owes_a_notice_for_grant_renewal_and_cancellation() {
    let (mut world, base) = reviewed_world();
    world.auths.push(base.clone());
    let req = GrantRequest {
        id: id(0x101),
        parent: Some(base.id),
        ..grant_request(AuthorisationKind::CriminalConduct, AgeBand::Adult)
    };
    let mut cca = grant(req, &world.ctx(), t("2026-02-02T10:00:00Z")).expect("cca");
    cca.reviews.push(
        review(
            &cca,
            review_request(0x310, AO),
            &world.ctx(),
            t("2026-02-03T10:00:00Z"),
        )
        .expect("review"),
    );
    world.risks.push(risk_at(0x202, t("2026-02-03T09:00:00Z")));
    // Criminal conduct cannot outlast its base: renewing it needs the base renewed first.
    assert_eq!(cca.current_expiry(), base.current_expiry());
    assert_refused(
        renew(
            &cca,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-04T10:00:00Z"),
        ),
        codes::CCA_REQUIRES_LIVE_AUTHORISATION,
    );
    let mut renewed_base = base.clone();
    renewed_base.renewals.push(
        renew(
            &base,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-04T09:00:00Z"),
        )
        .expect("renew the base"),
    );
    world.auths = vec![renewed_base.clone()];
    cca.renewals.push(
        renew(
            &cca,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-04T10:00:00Z"),
        )
        .expect("renew"),
    );
    assert_eq!(
        cca.current_expiry(),
        renewed_base.current_expiry(),
        "the renewed criminal conduct ends with the renewed base"
    );
    cca.cancellation =
        Some(cancel(&cca, cancellation_request(), t("2026-02-05T10:00:00Z")).expect("cancel"));
    cca.commissioner_notices.push(CommissionerNotice {
        event: NoticeEvent::Grant,
        decided_at: t("2026-02-02T10:00:00Z"),
        sent_at: t("2026-02-03T08:00:00Z"),
    });

    let owed: Vec<(NoticeEvent, bool)> = commissioner_notices(&cca)
        .iter()
        .map(|n| (n.event, n.sent_at.is_some()))
        .collect();
    assert_eq!(
        owed,
        vec![
            (NoticeEvent::Grant, true),
            (NoticeEvent::Renewal, false),
            (NoticeEvent::Cancellation, false)
        ]
    );
    assert!(
        commissioner_notices(&base).is_empty(),
        "use-and-conduct authorisations owe no s.32C notice"
    );
}

#[test]
fn criminal_conduct_cannot_be_renewed_once_its_parent_is_cancelled() {
    let (mut world, mut base) = reviewed_world();
    world.auths.push(base.clone());
    let req = GrantRequest {
        id: id(0x101),
        parent: Some(base.id),
        ..grant_request(AuthorisationKind::CriminalConduct, AgeBand::Adult)
    };
    let mut cca = grant(req, &world.ctx(), t("2026-02-02T10:00:00Z")).expect("cca");
    cca.reviews.push(
        review(
            &cca,
            review_request(0x310, AO),
            &world.ctx(),
            t("2026-02-03T10:00:00Z"),
        )
        .expect("review"),
    );
    world.risks.push(risk_at(0x202, t("2026-02-03T09:00:00Z")));
    base.cancellation =
        Some(cancel(&base, cancellation_request(), t("2026-02-03T12:00:00Z")).expect("cancel"));
    world.auths = vec![base];
    assert_refused(
        renew(
            &cca,
            renewal_request(AO, AgeBand::Adult),
            &world.ctx(),
            t("2026-02-04T10:00:00Z"),
        ),
        codes::CCA_REQUIRES_LIVE_AUTHORISATION,
    );
}
