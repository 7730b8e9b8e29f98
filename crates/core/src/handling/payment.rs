//! Payments, benefits and rewards to a source, and offers of them.
//!
//! Sources: SI 2000/2725 reg 3(n) (every payment, benefit or reward **and every offer** is
//! recorded, except for undercover operatives; REC-02); product.md (controllers approve
//! payments; totals per source per year with approval thresholds). The thresholds are the
//! deployment's policy, not law, so they are parameters ([`PaymentPolicy`]). Amounts are whole
//! minor units (pence) of the deployment's single accounting currency: no floating point.

use super::calendar;
use super::roles::{self, RoleAssignment, SourceRole};
use super::{OfficerId, Source, codes};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// Offered (recorded even if declined or never paid).
    Offer,
    /// To be paid, or paid once `paid_at` is set.
    Payment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub by: OfficerId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: Id<Payment>,
    pub source: Id<Source>,
    pub kind: PaymentKind,
    pub amount_minor: u64,
    pub purpose: String,
    pub recorded_by: OfficerId,
    pub recorded_at: DateTime<Utc>,
    pub approval: Option<Approval>,
    pub witnessed_by: Option<OfficerId>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// The deployment's approval thresholds, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPolicy {
    /// A single payment above this needs a controller's approval.
    pub single_payment_threshold_minor: u64,
    /// A payment that takes the source's paid total for the calendar year above this needs a
    /// controller's approval.
    pub yearly_threshold_minor: u64,
}

impl PaymentPolicy {
    /// The policy of a station whose administrator has set none: £500 a payment, £5,000 a
    /// source's calendar year.
    pub const DEFAULT: PaymentPolicy = PaymentPolicy {
        single_payment_threshold_minor: 50_000,
        yearly_threshold_minor: 500_000,
    };

    /// The largest threshold a station can hold: amounts are stored as signed 64-bit minor units.
    pub const MAX_THRESHOLD_MINOR: u64 = i64::MAX as u64;

    /// Checks a policy an administrator proposes. A single payment above the yearly threshold
    /// already needs approval under the yearly rule, so a single threshold above the yearly one
    /// would promise a freedom the policy does not give: refused as inconsistent rather than
    /// silently meaning the lower of the two. Zero is allowed (every payment approved).
    pub fn check(&self) -> Result<(), RuleViolation> {
        let largest = self
            .single_payment_threshold_minor
            .max(self.yearly_threshold_minor);
        if largest > Self::MAX_THRESHOLD_MINOR {
            return Err(RuleViolation::new(
                codes::PAYMENT_POLICY_INVALID,
                format!(
                    "A payment threshold of {largest} minor units is more than the station can record ({} at most).",
                    Self::MAX_THRESHOLD_MINOR
                ),
            ));
        }
        if self.single_payment_threshold_minor > self.yearly_threshold_minor {
            return Err(RuleViolation::new(
                codes::PAYMENT_POLICY_INVALID,
                format!(
                    "The single-payment threshold ({}) is above the yearly threshold ({}): every payment above the yearly one needs approval anyway, so set the single threshold at or below it.",
                    self.single_payment_threshold_minor, self.yearly_threshold_minor
                ),
            ));
        }
        Ok(())
    }
}

/// Offered and paid totals for one source in one calendar year (London dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct YearTotals {
    pub offered_minor: u64,
    pub paid_minor: u64,
}

/// The calendar year a payment counts in: the London year it was paid, or offered.
pub fn payment_year(p: &Payment) -> i32 {
    calendar::local_date(p.paid_at.unwrap_or(p.recorded_at)).year()
}

/// Totals per calendar year for one source (saturating, so no input can overflow them).
pub fn yearly_totals(payments: &[Payment], source: Id<Source>) -> BTreeMap<i32, YearTotals> {
    let mut totals: BTreeMap<i32, YearTotals> = BTreeMap::new();
    for p in payments.iter().filter(|p| p.source == source) {
        let year = totals.entry(payment_year(p)).or_default();
        match (p.kind, p.paid_at) {
            (PaymentKind::Offer, _) => {
                year.offered_minor = year.offered_minor.saturating_add(p.amount_minor)
            }
            (PaymentKind::Payment, Some(_)) => {
                year.paid_minor = year.paid_minor.saturating_add(p.amount_minor)
            }
            (PaymentKind::Payment, None) => {}
        }
    }
    totals
}

/// Whether a payment needs a controller's approval under the policy, given the source's other
/// payments: above the single threshold, or taking the year's paid total above the yearly one.
/// The year is the one the payment will count in if paid now (`at`).
pub fn needs_approval(
    payment: &Payment,
    others: &[Payment],
    policy: &PaymentPolicy,
    at: DateTime<Utc>,
) -> bool {
    if payment.kind == PaymentKind::Offer {
        return false;
    }
    let year = calendar::local_date(payment.paid_at.unwrap_or(at)).year();
    let paid_this_year = others
        .iter()
        .filter(|o| {
            o.id != payment.id && o.source == payment.source && o.kind == PaymentKind::Payment
        })
        .filter(|o| o.paid_at.is_some() && payment_year(o) == year)
        .fold(0u64, |sum, o| sum.saturating_add(o.amount_minor));
    payment.amount_minor > policy.single_payment_threshold_minor
        || paid_this_year.saturating_add(payment.amount_minor) > policy.yearly_threshold_minor
}

/// Decides a controller's approval: only the source's controller at that moment may approve.
pub fn approve(
    payment: &Payment,
    approver: OfficerId,
    assignments: &[RoleAssignment],
    now: DateTime<Utc>,
) -> Result<Approval, RuleViolation> {
    check_amount(payment)?;
    check_controller(payment.source, approver, assignments, now)?;
    Ok(Approval {
        by: approver,
        at: now,
    })
}

/// Decides whether a payment may be recorded as paid now: a positive amount and, when the
/// policy requires it, an approval by the controller who held that role when approving.
pub fn check_payable(
    payment: &Payment,
    others: &[Payment],
    policy: &PaymentPolicy,
    assignments: &[RoleAssignment],
    now: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    check_amount(payment)?;
    if !needs_approval(payment, others, policy, now) {
        return Ok(());
    }
    match &payment.approval {
        None => Err(RuleViolation::new(
            codes::PAYMENT_APPROVAL_REQUIRED,
            "This payment is above the approval threshold (alone or with this year's other payments); the source's controller must approve it first.",
        )),
        Some(approval) => check_controller(payment.source, approval.by, assignments, approval.at),
    }
}

/// A payment or offer must be for something (reg 3(n) records what was offered or given); checked
/// when it is recorded, approved and paid.
pub fn check_amount(payment: &Payment) -> Result<(), RuleViolation> {
    if payment.amount_minor == 0 {
        return Err(RuleViolation::new(
            codes::PAYMENT_AMOUNT_INVALID,
            "A payment or offer must be for more than nothing.",
        ));
    }
    Ok(())
}

fn check_controller(
    source: Id<Source>,
    approver: OfficerId,
    assignments: &[RoleAssignment],
    at: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    match roles::holder_at(assignments, source, SourceRole::Controller, at) {
        Ok(controller) if controller == approver => Ok(()),
        _ => Err(RuleViolation::new(
            codes::PAYMENT_APPROVER_NOT_CONTROLLER,
            "Only the source's controller at the time can approve this payment.",
        )),
    }
}
