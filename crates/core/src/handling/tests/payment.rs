use super::*;
use crate::handling::payment::{Approval, YearTotals, approve, check_payable, yearly_totals};
use rstest::rstest;

const POLICY: PaymentPolicy = PaymentPolicy {
    single_payment_threshold_minor: 50_000,
    yearly_threshold_minor: 200_000,
};
const NOW: &str = "2026-03-01T12:00:00Z";

fn payment(n: u128, amount: u64, paid_at: Option<&str>) -> Payment {
    Payment {
        id: id(n),
        source: id(SOURCE),
        kind: PaymentKind::Payment,
        amount_minor: amount,
        purpose: "Travel expenses".into(),
        recorded_by: officer(HANDLER),
        recorded_at: paid_at.map_or_else(|| t(NOW), t),
        approval: None,
        witnessed_by: Some(officer(RECORD_KEEPER)),
        paid_at: paid_at.map(t),
    }
}

/// £500.00 single threshold; £2,000.00 a year. "Above" the threshold means strictly above.
#[rstest]
#[case(50_000, &[], None)]
#[case(50_001, &[], Some(codes::PAYMENT_APPROVAL_REQUIRED))]
#[case(0, &[], Some(codes::PAYMENT_AMOUNT_INVALID))]
// £1,600 already paid this year: £400 reaches exactly £2,000, £400.01 goes over.
#[case(40_000, &[40_000, 40_000, 40_000, 40_000], None)]
#[case(40_001, &[40_000, 40_000, 40_000, 40_000], Some(codes::PAYMENT_APPROVAL_REQUIRED))]
fn payment_above_a_threshold_needs_approval(
    #[case] amount: u64,
    #[case] earlier: &[u64],
    #[case] refusal: Option<&str>,
) {
    let mut history: Vec<Payment> = earlier
        .iter()
        .enumerate()
        .map(|(i, a)| payment(0x700 + i as u128, *a, Some("2026-01-15T12:00:00Z")))
        .collect();
    // Last year's payments do not count towards this year's total.
    history.push(payment(0x7FF, 150_000, Some("2025-12-31T23:30:00Z")));
    let p = payment(0x710, amount, None);
    let result = check_payable(&p, &history, &POLICY, &roles(), t(NOW));
    match refusal {
        Some(code) => assert_refused(result, code),
        None => assert!(result.is_ok(), "{result:?}"),
    }
}

#[test]
fn only_the_controller_can_approve() {
    let p = payment(0x710, 90_000, None);
    assert_refused(
        approve(&p, officer(HANDLER), &roles(), t(NOW)),
        codes::PAYMENT_APPROVER_NOT_CONTROLLER,
    );
    let approval = approve(&p, officer(CONTROLLER), &roles(), t(NOW)).expect("controller approves");
    let approved = Payment {
        approval: Some(approval),
        ..p
    };
    assert!(check_payable(&approved, &[], &POLICY, &roles(), t(NOW)).is_ok());

    // An approval recorded in someone else's name does not count either.
    let forged = Payment {
        approval: Some(Approval {
            by: officer(AO),
            at: t(NOW),
        }),
        ..approved
    };
    assert_refused(
        check_payable(&forged, &[], &POLICY, &roles(), t(NOW)),
        codes::PAYMENT_APPROVER_NOT_CONTROLLER,
    );
}

#[test]
fn yearly_totals_count_offers_and_payments_by_london_calendar_year() {
    let offer = Payment {
        kind: PaymentKind::Offer,
        ..payment(0x720, 10_000, Some("2026-02-01T12:00:00Z"))
    };
    let offer = Payment {
        paid_at: None,
        recorded_at: t("2026-02-01T12:00:00Z"),
        ..offer
    };
    let payments = vec![
        payment(0x721, 20_000, Some("2025-12-31T23:30:00Z")), // GMT: still 2025
        payment(0x722, 30_000, Some("2026-01-01T00:00:00Z")),
        payment(0x723, 5_000, None), // not yet paid
        offer,
    ];
    let totals = yearly_totals(&payments, id(SOURCE));
    assert_eq!(
        totals.get(&2025),
        Some(&YearTotals {
            offered_minor: 0,
            paid_minor: 20_000
        })
    );
    assert_eq!(
        totals.get(&2026),
        Some(&YearTotals {
            offered_minor: 10_000,
            paid_minor: 30_000
        })
    );
}

/// A policy is refused when its single threshold is above its yearly one (exactly equal is
/// allowed), or when a threshold cannot be stored; zero thresholds (approve everything) stand.
#[rstest]
#[case(50_000, 500_000, None)]
#[case(500_000, 500_000, None)]
#[case(0, 0, None)]
#[case(500_001, 500_000, Some(codes::PAYMENT_POLICY_INVALID))]
#[case(50_000, PaymentPolicy::MAX_THRESHOLD_MINOR, None)]
#[case(50_000, PaymentPolicy::MAX_THRESHOLD_MINOR + 1, Some(codes::PAYMENT_POLICY_INVALID))]
fn a_payment_policy_is_consistent_and_storable(
    #[case] single: u64,
    #[case] yearly: u64,
    #[case] refusal: Option<&str>,
) {
    let policy = PaymentPolicy {
        single_payment_threshold_minor: single,
        yearly_threshold_minor: yearly,
    };
    assert_eq!(policy.check().err().map(|e| e.code), refusal);
}
