//! Authorisations: what they are, how long they last, and the grant decision.
//!
//! Sources: RIPA s.29 (use and conduct: necessity on a s.29(3) ground, proportionality, s.29(5)
//! arrangements), s.29B-29C (criminal conduct), s.43 (duration), the CHIS (Juveniles) Order 2000
//! art 6 as amended by SI 2018/715 (4 months), the Scottish CHIS Code 5.5 (urgent oral grants
//! written up "generally the next working day"), compliance.md §1.2-1.5, §1.10, §1.12, AUTH-01..06,
//! DUR-01..02. Reviews, renewals and cancellations are in `review.rs`.

use super::calendar::{self, BankHolidays};
use super::juvenile::{self, AgeBand, JuvenileCcaSafeguards};
use super::privilege::{self, PrivilegedMaterial};
use super::review::{Cancellation, Renewal, Review};
use super::risk::{self, RiskAssessment};
use super::roles::{self, RoleAssignment};
use super::{OfficerId, Source, SourceState, codes};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorisationKind {
    /// Written use-and-conduct authorisation (s.29).
    Standard,
    /// Granted orally, or by an officer entitled to act only in urgent cases (s.43(3)(a)).
    UrgentOral,
    /// Use and conduct of a source under 18 (Juveniles Order).
    Juvenile,
    /// An undercover officer of a law-enforcement body (SI 2013/2788).
    RelevantSource,
    /// Criminal conduct (s.29B); sits on a use-and-conduct authorisation.
    CriminalConduct,
}

impl AuthorisationKind {
    /// Every kind except criminal conduct authorises the use and conduct of the source.
    pub fn is_use_and_conduct(self) -> bool {
        self != AuthorisationKind::CriminalConduct
    }
}

/// The necessity grounds of RIPA s.29(3). Which an authority may rely on is set per authority by
/// SI 2010/521 Sch col (4); that filter belongs to the deployment's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NecessityGround {
    NationalSecurity,
    PreventingOrDetectingCrimeOrDisorder,
    EconomicWellBeing,
    PublicSafety,
    PublicHealth,
    TaxCollection,
    OtherSpecifiedByOrder,
}

impl NecessityGround {
    /// RIPA s.29B(5): criminal conduct only for national security, crime or disorder, and the
    /// economic well-being of the UK.
    pub fn permits_criminal_conduct(self) -> bool {
        matches!(
            self,
            NecessityGround::NationalSecurity
                | NecessityGround::PreventingOrDetectingCrimeOrDisorder
                | NecessityGround::EconomicWellBeing
        )
    }
}

/// An authorisation and its history. Renewals, reviews and cancellation are append-only events
/// on it (compliance.md §1.5: "renewal as a new record chained to its parent").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorisation {
    pub id: Id<Authorisation>,
    pub source: Id<Source>,
    pub kind: AuthorisationKind,
    /// For criminal conduct: the use-and-conduct authorisation it sits on (s.29B(3)).
    pub parent: Option<Id<Authorisation>>,
    pub ground: NecessityGround,
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    pub tasks_in_scope: Vec<String>,
    pub granted_by: OfficerId,
    pub granted_at: DateTime<Utc>,
    /// The source's age band on the day of grant (from the decrypted date of birth).
    pub source_age_at_grant: AgeBand,
    pub urgency_reason: Option<String>,
    /// The grantor handled or controlled the source and urgency forced it: lawful only when
    /// unavoidable, and reported in the central record (Scottish Code 7.1; AUTH-04).
    pub self_authorised: bool,
    pub risk_assessment: Id<RiskAssessment>,
    /// Deadline of the original period (first instant no longer in force).
    pub expires_at: DateTime<Utc>,
    pub review_interval_days: u32,
    /// Urgent oral grants: when the written record was completed.
    pub written_record_at: Option<DateTime<Utc>>,
    pub juvenile_cca_safeguards: Option<JuvenileCcaSafeguards>,
    pub reviews: Vec<Review>,
    pub renewals: Vec<Renewal>,
    pub cancellation: Option<Cancellation>,
    /// s.32C notices given to a Judicial Commissioner (criminal conduct only).
    pub commissioner_notices: Vec<super::review::CommissionerNotice>,
    /// Legally privileged or confidential material expected, and the prior approval when
    /// privileged matters are the aim (PRIV-01). Absent from records made before it existed.
    #[serde(default)]
    pub privileged: PrivilegedMaterial,
    /// The rank the grantor held, as the rank table in force spells it, when one was in force
    /// (AUTH-03, `rank.rs`). Absent when no table was in force and on older records.
    #[serde(default)]
    pub granted_by_rank: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorisationStatus {
    NotYetInForce,
    Live,
    Expired,
    Cancelled,
}

/// When a period that takes effect at `takes_effect` ends (RIPA s.43(3) and Juveniles Order
/// art 6). Urgent oral: 72 hours from the instant (s.43(3)(a)) — shorter than any written period,
/// so it applies to juveniles too. Otherwise 4 months if the source is under 18, else 12 months,
/// both "beginning with the day" of effect, that day included (s.43(3)(b)).
pub fn period_end(
    kind: AuthorisationKind,
    age: AgeBand,
    takes_effect: DateTime<Utc>,
) -> DateTime<Utc> {
    match kind {
        AuthorisationKind::UrgentOral => calendar::shift(takes_effect, Duration::hours(72)),
        _ if age.is_juvenile() => calendar::months_beginning_with(takes_effect, 4),
        _ => calendar::months_beginning_with(takes_effect, 12),
    }
}

impl Authorisation {
    /// The deadline now in force: the latest renewal's, else the grant's.
    pub fn current_expiry(&self) -> DateTime<Utc> {
        self.renewals
            .last()
            .map_or(self.expires_at, |r| r.expires_at)
    }

    /// When the current period was decided (grant or latest renewal): reviews and risk
    /// assessments for a renewal must be newer than this.
    pub fn current_period_decided_at(&self) -> DateTime<Utc> {
        self.renewals
            .last()
            .map_or(self.granted_at, |r| r.renewed_at)
    }

    /// The source's age band at the latest grant or renewal.
    pub fn current_age_band(&self) -> AgeBand {
        self.renewals
            .last()
            .map_or(self.source_age_at_grant, |r| r.source_age)
    }

    pub fn status(&self, now: DateTime<Utc>) -> AuthorisationStatus {
        if self
            .cancellation
            .as_ref()
            .is_some_and(|c| c.cancelled_at <= now)
        {
            AuthorisationStatus::Cancelled
        } else if now < self.granted_at {
            AuthorisationStatus::NotYetInForce
        } else if now < self.current_expiry() {
            AuthorisationStatus::Live
        } else {
            AuthorisationStatus::Expired
        }
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.status(now) == AuthorisationStatus::Live
    }

    /// The latest review found necessity, proportionality or the s.29(5) arrangements failing and
    /// there is no cancellation yet: RIPA s.45 obliges the authorising officer to cancel.
    pub fn cancellation_required(&self) -> bool {
        self.cancellation.is_none()
            && self
                .reviews
                .iter()
                .max_by_key(|r| r.reviewed_at)
                .is_some_and(|r| !r.still_justified())
    }

    /// When the next review is due: the authorising officer's interval after the latest review
    /// (or the grant), and for a source under 18 no later than one calendar month after it
    /// (Hansard HL 16 Oct 2018: "reviewed every month"; REV-01). End of that London day.
    pub fn next_review_due(&self) -> DateTime<Utc> {
        let last = self
            .reviews
            .iter()
            .map(|r| r.reviewed_at)
            .max()
            .unwrap_or(self.granted_at)
            .max(self.granted_at);
        let last_day = calendar::local_date(last);
        let by_interval = calendar::end_of_day(calendar::add_days(
            last_day,
            u64::from(self.review_interval_days),
        ));
        if self.current_age_band().is_juvenile() {
            by_interval.min(calendar::end_of_day(calendar::add_months(last_day, 1)))
        } else {
            by_interval
        }
    }

    /// Urgent oral grants: the full written record is due by the end of the next working day
    /// (Scottish Code 5.5, "generally the next working day"; AUTH-05). `None` for other kinds.
    pub fn written_record_due(&self, holidays: &BankHolidays) -> Option<DateTime<Utc>> {
        (self.kind == AuthorisationKind::UrgentOral)
            .then(|| holidays.end_of_nth_working_day_after(self.granted_at, 1))
    }
}

/// The records a rule decision about one source reads. The store loads them; the rules never do.
#[derive(Debug, Clone, Copy)]
pub struct DecisionContext<'a> {
    pub source: &'a Source,
    pub roles: &'a [RoleAssignment],
    pub risk_assessments: &'a [RiskAssessment],
    /// The source's authorisations (others are ignored).
    pub authorisations: &'a [Authorisation],
}

/// The live use-and-conduct authorisation that permits tasking or using the source now, or the
/// reason there is none (RIPA s.29; AUTH-01, DUR-02; s.45 for one that must be cancelled).
pub fn live_authorisation(
    authorisations: &[Authorisation],
    source: Id<Source>,
    now: DateTime<Utc>,
) -> Result<&Authorisation, RuleViolation> {
    let own = || {
        authorisations
            .iter()
            .filter(|a| a.source == source && a.kind.is_use_and_conduct())
    };
    if let Some(live) = own()
        .filter(|a| a.is_live(now))
        .max_by_key(|a| a.granted_at)
    {
        if live.cancellation_required() {
            return Err(RuleViolation::new(
                codes::CANCELLATION_REQUIRED,
                "The latest review found this authorisation no longer justified; it must be cancelled, not used.",
            ));
        }
        return Ok(live);
    }
    let Some(latest) = own()
        .filter(|a| a.granted_at <= now)
        .max_by_key(|a| a.granted_at)
    else {
        return Err(RuleViolation::new(
            codes::AUTH_REQUIRED,
            "This source has no authorisation in force; it may not be tasked or used until one is granted.",
        ));
    };
    Err(match latest.status(now) {
        AuthorisationStatus::Cancelled => RuleViolation::new(
            codes::AUTH_CANCELLED,
            "This source's authorisation has been cancelled; a new one is needed before further use.",
        ),
        _ => RuleViolation::new(
            codes::AUTH_EXPIRED,
            format!(
                "This source's authorisation expired at the end of {}; it must be renewed before expiry or a new one granted.",
                calendar::last_day_of(latest.current_expiry())
            ),
        ),
    })
}

/// What an authorising officer asks to grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRequest {
    pub id: Id<Authorisation>,
    pub kind: AuthorisationKind,
    pub parent: Option<Id<Authorisation>>,
    pub ground: NecessityGround,
    pub necessity: String,
    pub proportionality: String,
    pub collateral_intrusion: String,
    pub tasks_in_scope: Vec<String>,
    pub granted_by: OfficerId,
    /// The source's age band today, computed by the store from the decrypted date of birth.
    pub source_age: AgeBand,
    pub urgency_reason: Option<String>,
    pub review_interval_days: u32,
    /// Whether the relationship to be used is with the source's parent or guardian.
    pub relationship_with_parent_or_guardian: bool,
    pub juvenile_cca_safeguards: Option<JuvenileCcaSafeguards>,
    /// Privileged or confidential material expected (PRIV-01).
    pub privileged: PrivilegedMaterial,
}

fn has_text(text: Option<&str>) -> bool {
    text.is_some_and(|t| !codes::is_blank(t))
}

/// Decides a grant: the authorisation record to store, or the rule that refuses it.
///
/// Checks, in the order a person would fix them: the case is open; the application is complete
/// (2002 Code para 4.14); the kind fits the facts; urgency is explained (Scottish Code 5.5);
/// criminal conduct sits on a live use-and-conduct authorisation on a permitted ground with the
/// juvenile safeguards (s.29B(3), (5); s.29C); the under-16 parent bar (Juveniles Order art 3);
/// a complete risk assessment (reg 3(e)-(f); art 5); the s.29(5) roles exist; and the grantor
/// neither handles nor controls the source unless urgency forced it, which is then flagged.
pub fn grant(
    req: GrantRequest,
    ctx: &DecisionContext<'_>,
    now: DateTime<Utc>,
) -> Result<Authorisation, RuleViolation> {
    let source = ctx.source;
    if source.state == SourceState::Terminated {
        return Err(RuleViolation::new(
            codes::SOURCE_TERMINATED,
            "This source's case is closed; nothing further can be authorised.",
        ));
    }
    if codes::is_blank(&req.necessity)
        || codes::is_blank(&req.proportionality)
        || codes::is_blank(&req.collateral_intrusion)
        || req.tasks_in_scope.iter().all(|t| codes::is_blank(t))
    {
        return Err(RuleViolation::new(
            codes::AUTH_INCOMPLETE,
            "An authorisation must state why it is necessary, why it is proportionate, the collateral intrusion and at least one task in scope.",
        ));
    }
    if req.review_interval_days == 0 {
        return Err(RuleViolation::new(
            codes::REVIEW_INTERVAL_INVALID,
            "Set a review interval of at least one day.",
        ));
    }
    check_kind_fits(req.kind, req.source_age, source)?;
    let urgent = has_text(req.urgency_reason.as_deref());
    if req.kind == AuthorisationKind::UrgentOral && !urgent {
        return Err(RuleViolation::new(
            codes::URGENCY_REASON_REQUIRED,
            "An urgent oral authorisation must record why the case was too urgent for a written one.",
        ));
    }
    if req.kind == AuthorisationKind::CriminalConduct {
        check_criminal_conduct(&req, ctx, now)?;
    }
    juvenile::check_parent_relationship(
        req.source_age,
        req.relationship_with_parent_or_guardian,
        codes::JUVENILE_PARENT_RELATIONSHIP,
    )?;
    let assessment =
        risk::check_assessment(ctx.risk_assessments, source.id, req.source_age, now, None)?;
    roles::holders_at(ctx.roles, source.id, now)?;
    let privileged = req.privileged.normalised();
    privilege::check_prior_approval(
        privileged.lpp,
        privileged.prior_approval.as_ref(),
        None,
        now,
    )?;
    let self_authorised = check_not_self(ctx.roles, source.id, req.granted_by, urgent, now)?;
    Ok(Authorisation {
        id: req.id,
        source: source.id,
        kind: req.kind,
        parent: req.parent,
        ground: req.ground,
        necessity: req.necessity,
        proportionality: req.proportionality,
        collateral_intrusion: req.collateral_intrusion,
        tasks_in_scope: req.tasks_in_scope,
        granted_by: req.granted_by,
        granted_at: now,
        source_age_at_grant: req.source_age,
        urgency_reason: req.urgency_reason.filter(|r| !codes::is_blank(r)),
        self_authorised,
        risk_assessment: assessment.id,
        expires_at: within_base(
            req.kind,
            req.parent,
            ctx.authorisations,
            privilege::privileged_period_end(
                privileged.lpp,
                now,
                period_end(req.kind, req.source_age, now),
            ),
        ),
        review_interval_days: req.review_interval_days,
        written_record_at: None,
        juvenile_cca_safeguards: req.juvenile_cca_safeguards,
        reviews: Vec::new(),
        renewals: Vec::new(),
        cancellation: None,
        commissioner_notices: Vec::new(),
        privileged,
        granted_by_rank: None,
    })
}

/// "Juvenile" only for a source under 18; "relevant source" exactly for undercover officers,
/// whose authorisations need the enhanced rank (SI 2013/2788 art 16).
fn check_kind_fits(
    kind: AuthorisationKind,
    age: AgeBand,
    source: &Source,
) -> Result<(), RuleViolation> {
    let refuse =
        |message: &'static str| Err(RuleViolation::new(codes::AUTH_KIND_MISMATCH, message));
    match kind {
        AuthorisationKind::Juvenile if !age.is_juvenile() => refuse(
            "A juvenile authorisation is only for a source under 18; this source is an adult.",
        ),
        AuthorisationKind::RelevantSource if !source.undercover_operative => refuse(
            "A relevant-source authorisation is only for an undercover officer of a law-enforcement body.",
        ),
        AuthorisationKind::Standard | AuthorisationKind::Juvenile
            if source.undercover_operative =>
        {
            refuse(
                "An undercover officer needs a relevant-source authorisation at the enhanced rank.",
            )
        }
        _ => Ok(()),
    }
}

/// Criminal conduct cannot outlast the use-and-conduct authorisation it rests on: s.29B(3)
/// permits it only with "an authorisation under section 29" in place, so its period (at grant or
/// renewal) ends at the base's current expiry if that comes first. Other kinds: `end` as given.
pub(crate) fn within_base(
    kind: AuthorisationKind,
    parent: Option<Id<Authorisation>>,
    auths: &[Authorisation],
    end: DateTime<Utc>,
) -> DateTime<Utc> {
    if kind != AuthorisationKind::CriminalConduct {
        return end;
    }
    parent
        .and_then(|p| auths.iter().find(|a| a.id == p))
        .map_or(end, |base| end.min(base.current_expiry()))
}

/// RIPA s.29B(3): "after, or at the same time as, an authorisation under section 29"; s.29B(5):
/// three grounds only; s.29C: juvenile safeguards.
fn check_criminal_conduct(
    req: &GrantRequest,
    ctx: &DecisionContext<'_>,
    now: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    if !req.ground.permits_criminal_conduct() {
        return Err(RuleViolation::new(
            codes::CCA_GROUND_NOT_PERMITTED,
            "Criminal conduct may only be authorised for national security, preventing or detecting crime or disorder, or the UK's economic well-being.",
        ));
    }
    let parent_live = req.parent.is_some_and(|parent| {
        ctx.authorisations.iter().any(|a| {
            a.id == parent
                && a.source == ctx.source.id
                && a.kind.is_use_and_conduct()
                && a.is_live(now)
                && !a.cancellation_required()
        })
    });
    if !parent_live {
        return Err(RuleViolation::new(
            codes::CCA_REQUIRES_LIVE_AUTHORISATION,
            "Criminal conduct can only be authorised on top of a live use-and-conduct authorisation for the same source.",
        ));
    }
    juvenile::check_juvenile_cca(req.source_age, req.juvenile_cca_safeguards.as_ref())
}

/// AUTH-04: an officer may not decide for a source they handle or control. Urgency is the only
/// exception; the decision is then flagged (returns `true`) for the central record.
pub(crate) fn check_not_self(
    assignments: &[RoleAssignment],
    source: Id<Source>,
    officer: OfficerId,
    urgent: bool,
    now: DateTime<Utc>,
) -> Result<bool, RuleViolation> {
    if !roles::handles_or_controls(assignments, source, officer, now) {
        return Ok(false);
    }
    if urgent {
        return Ok(true);
    }
    Err(RuleViolation::new(
        codes::SELF_AUTHORISATION,
        "You handle or control this source, so you may not authorise, review or renew for it; ask an independent authorising officer.",
    ))
}
