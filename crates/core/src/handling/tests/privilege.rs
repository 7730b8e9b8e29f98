//! PRIV-01: an authorisation to obtain legally privileged matters needs its prior approval, a
//! complete notice, and lasts three months; a renewal needs an approval of its own.

use super::*;
use crate::handling::review::{RenewalRequest, ReviewRequest, renew, review};
use crate::handling::{ConfidentialKind, Lpp, PriorApproval, PrivilegedMaterial};
use rstest::rstest;

const NOW: &str = "2026-01-10T10:00:00Z";

fn approval(at: &str) -> PriorApproval {
    PriorApproval {
        approved_by: "Judicial Commissioner (Sir A. Example)".into(),
        approved_at: t(at),
        grounds: "Serious crime; the solicitor's office is the group's meeting place.".into(),
        conduct: "Attend meetings where advice is sought for a criminal purpose.".into(),
        lawyer_and_client: "Not known".into(),
        privileged_matters: "Advice on the group's supply contracts.".into(),
        collateral: "Other clients' appointments may be overheard.".into(),
    }
}

fn lpp_request(lpp: Lpp, prior: Option<PriorApproval>) -> GrantRequest {
    GrantRequest {
        privileged: PrivilegedMaterial {
            lpp,
            confidential: Vec::new(),
            prior_approval: prior,
        },
        ..grant_request(AuthorisationKind::Standard, AgeBand::Adult)
    }
}

#[test]
fn privileged_matters_need_a_prior_approval_on_record() {
    let world = World::new(SourceState::InDevelopment);
    assert_refused(
        grant(lpp_request(Lpp::Intended, None), &world.ctx(), t(NOW)),
        codes::LPP_PRIOR_APPROVAL_REQUIRED,
    );
    // Likely but not the aim: no Commissioner's approval (the Annex A level applies instead).
    let auth = world.granted(lpp_request(Lpp::Likely, None), t(NOW));
    assert_eq!(auth.privileged.lpp, Lpp::Likely);
    assert_eq!(
        auth.expires_at,
        t("2027-01-09T23:59:59Z") + chrono::Duration::seconds(1)
    );
}

/// Every particular of the notice is needed; "not known" is an answer, blank is not.
#[rstest]
#[case::approver(|a: &mut PriorApproval| a.approved_by = " ".into())]
#[case::grounds(|a: &mut PriorApproval| a.grounds = String::new())]
#[case::conduct(|a: &mut PriorApproval| a.conduct = "\n".into())]
#[case::lawyer_and_client(|a: &mut PriorApproval| a.lawyer_and_client = String::new())]
#[case::matters(|a: &mut PriorApproval| a.privileged_matters = String::new())]
#[case::collateral(|a: &mut PriorApproval| a.collateral = String::new())]
fn an_approval_notice_missing_a_particular_is_refused(#[case] bend: fn(&mut PriorApproval)) {
    let world = World::new(SourceState::InDevelopment);
    let mut a = approval(NOW);
    bend(&mut a);
    assert_refused(
        grant(lpp_request(Lpp::Intended, Some(a)), &world.ctx(), t(NOW)),
        codes::LPP_APPROVAL_INCOMPLETE,
    );
}

/// Approved at the very instant of the grant is prior enough; a second later is not.
#[rstest]
#[case("2026-01-09T16:00:00Z", None)]
#[case(NOW, None)]
#[case("2026-01-10T10:00:01Z", Some(codes::LPP_APPROVAL_NOT_PRIOR))]
fn the_approval_must_come_before_the_grant(#[case] approved: &str, #[case] code: Option<&str>) {
    let world = World::new(SourceState::InDevelopment);
    let decided = grant(
        lpp_request(Lpp::Intended, Some(approval(approved))),
        &world.ctx(),
        t(NOW),
    );
    assert_eq!(decided.as_ref().err().map(|v| v.code), code);
}

/// Three months beginning with the day of grant (London): granted 10 January, in force to the
/// end of 9 April (British Summer Time by then), not twelve months; an urgent oral grant keeps
/// its 72 hours.
#[test]
fn an_authorisation_to_obtain_privileged_matters_lasts_three_months() {
    let world = World::new(SourceState::InDevelopment);
    let auth = world.granted(lpp_request(Lpp::Intended, Some(approval(NOW))), t(NOW));
    assert_eq!(auth.expires_at, t("2026-04-09T23:00:00Z"));
    assert!(auth.is_live(t("2026-04-09T22:59:59Z")));
    assert!(!auth.is_live(t("2026-04-09T23:00:00Z")));
    let urgent = GrantRequest {
        kind: AuthorisationKind::UrgentOral,
        urgency_reason: Some("The meeting is tonight.".into()),
        ..lpp_request(Lpp::Intended, Some(approval(NOW)))
    };
    assert_eq!(
        world.granted(urgent, t(NOW)).expires_at,
        t("2026-01-13T10:00:00Z")
    );
}

#[test]
fn confidential_kinds_are_kept_sorted_and_once() {
    let world = World::new(SourceState::InDevelopment);
    let req = GrantRequest {
        privileged: PrivilegedMaterial {
            lpp: Lpp::None,
            confidential: vec![
                ConfidentialKind::Medical,
                ConfidentialKind::Journalistic,
                ConfidentialKind::Medical,
            ],
            prior_approval: None,
        },
        ..grant_request(AuthorisationKind::Standard, AgeBand::Adult)
    };
    let auth = world.granted(req, t(NOW));
    assert_eq!(
        auth.privileged.confidential,
        [ConfidentialKind::Journalistic, ConfidentialKind::Medical]
    );
    assert!(auth.privileged.is_flagged());
}

/// A renewal needs its own approval, given after the grant it extends (at the grant's instant
/// is not after it), and runs three months from the old expiry.
#[rstest]
#[case(None, Some(codes::LPP_PRIOR_APPROVAL_REQUIRED))]
#[case(Some(NOW), Some(codes::LPP_APPROVAL_NOT_PRIOR))]
#[case(Some("2026-03-20T09:00:00Z"), None)]
fn renewing_privileged_use_needs_a_fresh_approval(
    #[case] approved: Option<&str>,
    #[case] code: Option<&str>,
) {
    let mut world = World::new(SourceState::Recruited);
    let mut auth = world.granted(lpp_request(Lpp::Intended, Some(approval(NOW))), t(NOW));
    world.risks.push(risk_at(0x201, t("2026-03-19T12:00:00Z")));
    let rev = review(
        &auth,
        ReviewRequest {
            id: id(0x300),
            reviewed_by: officer(AO),
            use_made: "Two meetings.".into(),
            tasks_given: "Attend the office.".into(),
            information_obtained: "Supply contract dates.".into(),
            necessity_still_met: true,
            proportionality_still_met: true,
            arrangements_still_met: true,
        },
        &world.ctx(),
        t("2026-03-20T08:00:00Z"),
    )
    .expect("lawful review");
    auth.reviews.push(rev);
    let renewed = renew(
        &auth,
        RenewalRequest {
            renewed_by: officer(AO),
            source_age: AgeBand::Adult,
            urgency_reason: None,
            prior_approval: approved.map(approval),
        },
        &world.ctx(),
        t("2026-03-20T10:00:00Z"),
    );
    assert_eq!(renewed.as_ref().err().map(|v| v.code), code);
    if let Ok(r) = renewed {
        assert_eq!(r.takes_effect_at, t("2026-04-09T23:00:00Z"));
        assert_eq!(r.expires_at, t("2026-07-09T23:00:00Z"));
    }
}
