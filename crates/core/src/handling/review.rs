//! Reviews, renewals, cancellations and Commissioner notices of an authorisation.
//!
//! Sources: IPCO AR 2017 para 3.21 (regular reviews taking account of the risk assessment);
//! RIPA s.43(4) (renewal before expiry, taking effect when the current period would end) and
//! s.43(6)-(7) (a review of use, tasks and information obtained before renewal); s.45 (must
//! cancel when the s.29 criteria or the s.29(5) arrangements fail); s.32C (notice of every
//! criminal conduct grant, renewal and cancellation to a Judicial Commissioner by the end of the
//! 7th day after the decision). compliance.md §1.6-1.8, §1.12, REV-01, REN-01, CAN-01, CCA-02.

use super::authorisation::{
    Authorisation, AuthorisationKind, DecisionContext, check_not_self, period_end,
};
use super::calendar;
use super::juvenile::AgeBand;
use super::privilege::PriorApproval;
use super::risk::{self, RiskAssessment};
use super::{OfficerId, codes, roles};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One review of an authorisation, recorded with its result (REV-01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: Id<Review>,
    pub reviewed_by: OfficerId,
    pub reviewed_at: DateTime<Utc>,
    pub use_made: String,
    pub tasks_given: String,
    pub information_obtained: String,
    pub risk_assessment: Id<RiskAssessment>,
    pub necessity_still_met: bool,
    pub proportionality_still_met: bool,
    /// The s.29(5) handler/controller/record-keeper arrangements still exist.
    pub arrangements_still_met: bool,
}

impl Review {
    pub fn still_justified(&self) -> bool {
        self.necessity_still_met && self.proportionality_still_met && self.arrangements_still_met
    }
}

/// A renewal: a new period chained to the authorisation, starting when the old one would end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewal {
    pub renewed_by: OfficerId,
    pub renewed_at: DateTime<Utc>,
    /// The review this renewal relied on (s.43(6)-(7)).
    pub review: Id<Review>,
    pub risk_assessment: Id<RiskAssessment>,
    /// The source's age band on the day of renewal: a juvenile who has turned 18 gets 12 months.
    pub source_age: AgeBand,
    pub takes_effect_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub urgency_reason: Option<String>,
    pub self_authorised: bool,
    /// The renewal's own prior approval, for an authorisation to obtain privileged matters.
    #[serde(default)]
    pub prior_approval: Option<PriorApproval>,
    /// The rank the renewing officer held, when a rank table was in force (AUTH-03).
    #[serde(default)]
    pub renewed_by_rank: Option<String>,
}

/// A cancellation (s.45; CAN-01). Welfare planning continues after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub cancelled_by: OfficerId,
    pub cancelled_at: DateTime<Utc>,
    pub reasons: String,
    /// When the source was told to stop (the Code records this separately).
    pub instruction_to_cease_at: Option<DateTime<Utc>>,
    pub welfare_plan: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub id: Id<Review>,
    pub reviewed_by: OfficerId,
    pub use_made: String,
    pub tasks_given: String,
    pub information_obtained: String,
    pub necessity_still_met: bool,
    pub proportionality_still_met: bool,
    pub arrangements_still_met: bool,
}

/// Decides a review. A review that finds the authorisation no longer justified is accepted (the
/// finding must be on record); the authorisation then reports `cancellation_required`.
pub fn review(
    auth: &Authorisation,
    req: ReviewRequest,
    ctx: &DecisionContext<'_>,
    now: DateTime<Utc>,
) -> Result<Review, RuleViolation> {
    require_in_force(auth, now)?;
    if codes::is_blank(&req.use_made)
        || codes::is_blank(&req.tasks_given)
        || codes::is_blank(&req.information_obtained)
    {
        return Err(RuleViolation::new(
            codes::REVIEW_INCOMPLETE,
            "A review must record the use made of the source, the tasks given and the information obtained.",
        ));
    }
    check_not_self(ctx.roles, auth.source, req.reviewed_by, false, now)?;
    let assessment = risk::check_assessment(
        ctx.risk_assessments,
        auth.source,
        auth.current_age_band(),
        now,
        None,
    )?;
    Ok(Review {
        id: req.id,
        reviewed_by: req.reviewed_by,
        reviewed_at: now,
        use_made: req.use_made,
        tasks_given: req.tasks_given,
        information_obtained: req.information_obtained,
        risk_assessment: assessment.id,
        necessity_still_met: req.necessity_still_met,
        proportionality_still_met: req.proportionality_still_met,
        arrangements_still_met: req.arrangements_still_met,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalRequest {
    pub renewed_by: OfficerId,
    /// The source's age band today, from the decrypted date of birth.
    pub source_age: AgeBand,
    pub urgency_reason: Option<String>,
    /// Required to renew an authorisation to obtain privileged matters (SI 2010/123).
    pub prior_approval: Option<PriorApproval>,
}

/// Decides a renewal (s.43(4), (6)-(7); REN-01): only while the authorisation is in force; only
/// after a review since the last grant or renewal that still finds it justified; only on a risk
/// assessment newer than the last grant or renewal; not by the source's handler or controller
/// unless urgent (flagged); for criminal conduct, only while the parent authorisation is live.
pub fn renew(
    auth: &Authorisation,
    req: RenewalRequest,
    ctx: &DecisionContext<'_>,
    now: DateTime<Utc>,
) -> Result<Renewal, RuleViolation> {
    if auth.status(now) == super::AuthorisationStatus::Cancelled {
        return Err(cancelled());
    }
    if now >= auth.current_expiry() {
        return Err(RuleViolation::new(
            codes::RENEWAL_AFTER_EXPIRY,
            format!(
                "This authorisation expired at the end of {}; an expired authorisation cannot be renewed, so a new one must be granted.",
                calendar::last_day_of(auth.current_expiry())
            ),
        ));
    }
    let since = auth.current_period_decided_at();
    let Some(latest_review) = auth
        .reviews
        .iter()
        .filter(|r| since < r.reviewed_at && r.reviewed_at <= now)
        .max_by_key(|r| r.reviewed_at)
    else {
        return Err(RuleViolation::new(
            codes::RENEWAL_WITHOUT_REVIEW,
            "Before renewing, review the use made of the source, the tasks given and the information obtained since the last grant or renewal.",
        ));
    };
    if !latest_review.still_justified() {
        return Err(RuleViolation::new(
            codes::CANCELLATION_REQUIRED,
            "The latest review found this authorisation no longer justified; it must be cancelled, not renewed.",
        ));
    }
    let assessment = risk::check_assessment(
        ctx.risk_assessments,
        auth.source,
        req.source_age,
        now,
        Some((since, codes::RENEWAL_WITHOUT_RISK_ASSESSMENT)),
    )?;
    if auth.kind == AuthorisationKind::CriminalConduct {
        let parent_live = auth
            .parent
            .and_then(|p| ctx.authorisations.iter().find(|a| a.id == p))
            .is_some_and(|p| p.is_live(now) && !p.cancellation_required());
        if !parent_live {
            return Err(RuleViolation::new(
                codes::CCA_REQUIRES_LIVE_AUTHORISATION,
                "Criminal conduct can only be renewed while the use-and-conduct authorisation beneath it is live.",
            ));
        }
    }
    roles::holders_at(ctx.roles, auth.source, now)?;
    let urgent = req
        .urgency_reason
        .as_deref()
        .is_some_and(|r| !codes::is_blank(r));
    super::privilege::check_prior_approval(
        auth.privileged.lpp,
        req.prior_approval.as_ref(),
        Some(since),
        now,
    )?;
    let self_authorised = check_not_self(ctx.roles, auth.source, req.renewed_by, urgent, now)?;
    let takes_effect_at = auth.current_expiry();
    let expires_at = super::authorisation::within_base(
        auth.kind,
        auth.parent,
        ctx.authorisations,
        super::privilege::privileged_period_end(
            auth.privileged.lpp,
            takes_effect_at,
            period_end(auth.kind, req.source_age, takes_effect_at),
        ),
    );
    if expires_at <= takes_effect_at {
        return Err(RuleViolation::new(
            codes::CCA_REQUIRES_LIVE_AUTHORISATION,
            "Renew the use-and-conduct authorisation first: criminal conduct cannot outlast it, and this one already ends with it.",
        ));
    }
    Ok(Renewal {
        renewed_by: req.renewed_by,
        renewed_at: now,
        review: latest_review.id,
        risk_assessment: assessment.id,
        source_age: req.source_age,
        takes_effect_at,
        expires_at,
        urgency_reason: req.urgency_reason.filter(|r| !codes::is_blank(r)),
        self_authorised,
        prior_approval: req.prior_approval,
        renewed_by_rank: None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancellationRequest {
    pub cancelled_by: OfficerId,
    pub reasons: String,
    pub instruction_to_cease_at: Option<DateTime<Utc>>,
    pub welfare_plan: String,
}

/// Decides a cancellation (s.45; CAN-01). An expired authorisation may still be cancelled so the
/// record shows why it ended.
pub fn cancel(
    auth: &Authorisation,
    req: CancellationRequest,
    now: DateTime<Utc>,
) -> Result<Cancellation, RuleViolation> {
    if auth.cancellation.is_some() {
        return Err(cancelled());
    }
    if codes::is_blank(&req.reasons) {
        return Err(RuleViolation::new(
            codes::CANCELLATION_REASONS_REQUIRED,
            "Record the reasons for cancelling.",
        ));
    }
    if codes::is_blank(&req.welfare_plan) {
        return Err(RuleViolation::new(
            codes::WELFARE_PLAN_REQUIRED,
            "Record how the source's security and welfare will be looked after once the authorisation ends.",
        ));
    }
    Ok(Cancellation {
        cancelled_by: req.cancelled_by,
        cancelled_at: now,
        reasons: req.reasons,
        instruction_to_cease_at: req.instruction_to_cease_at,
        welfare_plan: req.welfare_plan,
    })
}

/// The criminal conduct authorisations still in force that rest on `base` and so fall with its
/// cancellation. RIPA s.29B(3) permits criminal conduct only "after, or at the same time as, an
/// authorisation under section 29": once the use-and-conduct authorisation is cancelled the source
/// may not be used at all, so conduct authorised on top of it cannot go on (compliance.md §1.12).
/// Each is cancelled with its own record, so its own s.32C cancellation notice falls due.
pub fn falling_with(
    auths: &[Authorisation],
    base: &Authorisation,
    now: DateTime<Utc>,
) -> Vec<Id<Authorisation>> {
    if !base.kind.is_use_and_conduct() {
        return Vec::new();
    }
    auths
        .iter()
        .filter(|a| {
            a.kind == AuthorisationKind::CriminalConduct
                && a.parent == Some(base.id)
                && a.cancellation.is_none()
                && a.status(now) != super::AuthorisationStatus::Expired
        })
        .map(|a| a.id)
        .collect()
}

fn cancelled() -> RuleViolation {
    RuleViolation::new(
        codes::AUTH_CANCELLED,
        "This authorisation has already been cancelled.",
    )
}

fn require_in_force(auth: &Authorisation, now: DateTime<Utc>) -> Result<(), RuleViolation> {
    match auth.status(now) {
        super::AuthorisationStatus::Cancelled => Err(cancelled()),
        super::AuthorisationStatus::Expired => Err(RuleViolation::new(
            codes::AUTH_EXPIRED,
            format!(
                "This authorisation expired at the end of {}.",
                calendar::last_day_of(auth.current_expiry())
            ),
        )),
        super::AuthorisationStatus::NotYetInForce | super::AuthorisationStatus::Live => Ok(()),
    }
}

/// The decisions that need a s.32C notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeEvent {
    Grant,
    Renewal,
    Cancellation,
}

impl NoticeEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeEvent::Grant => "grant",
            NoticeEvent::Renewal => "renewal",
            NoticeEvent::Cancellation => "cancellation",
        }
    }
}

/// Proof that a notice was given (CCA-02: "proof of sending is stored").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionerNotice {
    pub event: NoticeEvent,
    /// The decision the notice is about.
    pub decided_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
}

/// A notice that is owed, whether or not it has been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDue {
    pub authorisation: Id<Authorisation>,
    pub event: NoticeEvent,
    pub decided_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// RIPA s.32C(2): "before the end of the period of 7 days beginning with the day after" the
/// decision. Decision on London day D → the days D+1 … D+7 → deadline the end of D+7.
pub fn commissioner_notice_deadline(decided_at: DateTime<Utc>) -> DateTime<Utc> {
    calendar::end_of_nth_day_after(decided_at, 7)
}

/// Every s.32C notice a criminal conduct authorisation owes (renewals count as grants, RIPA
/// s.43(5)), each matched with its proof of sending. Empty for other kinds.
pub fn commissioner_notices(auth: &Authorisation) -> Vec<NoticeDue> {
    if auth.kind != AuthorisationKind::CriminalConduct {
        return Vec::new();
    }
    let decisions = std::iter::once((NoticeEvent::Grant, auth.granted_at))
        .chain(
            auth.renewals
                .iter()
                .map(|r| (NoticeEvent::Renewal, r.renewed_at)),
        )
        .chain(
            auth.cancellation
                .iter()
                .map(|c| (NoticeEvent::Cancellation, c.cancelled_at)),
        );
    decisions
        .map(|(event, decided_at)| NoticeDue {
            authorisation: auth.id,
            event,
            decided_at,
            due_at: commissioner_notice_deadline(decided_at),
            sent_at: auth
                .commissioner_notices
                .iter()
                .filter(|n| n.event == event && n.decided_at == decided_at)
                .map(|n| n.sent_at)
                .min(),
        })
        .collect()
}
