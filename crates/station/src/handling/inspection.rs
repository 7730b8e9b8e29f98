//! The inspection pack: what an IPCO inspector asks to see for a period (compliance.md §3,
//! INS-01; issue 6, "Auditor views"), built from the records by the core's rules.
//!
//! Who may produce it: auditors, over the compartments they are read into (product.md: the
//! auditor "reads compliance records and the audit log, produces inspection packs"), and the
//! operator's command line on the machine that holds the master key (`humint report
//! inspection`, recorded as `system`, over every compartment, like every other CLI command).
//! A signed-in admin may not: admins run users, compartments, keys and backups and are not
//! read into case records. Other roles have their own views of their own cases.
//!
//! The pack names sources by codename only: it never loads a true identity, a date of birth,
//! a contact note, report text or risk-assessment welfare text (all encrypted; none is
//! decrypted here). Its types are `Serialize` on purpose, as an export document.
//!
//! Every judgement comes from the core: live in the period, review due dates and lateness
//! ([`inspection::review_timings`], [`inspection::review_overdue_at`]), Commissioner notice
//! deadlines ([`inspection::notice_timings`]), duration ([`period_end`]), use without a live
//! authorisation ([`live_authorisation`]) and payment approval ([`payment::needs_approval`]).

use super::convert::{self, from_doc};
use crate::{Principal, Station, StationError};
use chrono::{DateTime, NaiveDate, Utc};
use humint_core::Role;
use humint_core::handling::PaymentPolicy;
use humint_core::handling::inspection::{self, Timeliness};
use humint_core::handling::payment::{self, PaymentKind};
use humint_core::handling::privilege::privileged_period_end;
use humint_core::handling::{
    AgeBand, Authorisation, AuthorisationKind, BankHolidays, Contact, ContactPurpose, Lpp, Payment,
    Source, SourceState, calendar, live_authorisation, period_end,
};
use humint_store::{AuditContext, InspectionScope, InspectionStore as _, Store as _};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A period of whole London days, `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InspectionPeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl InspectionPeriod {
    /// The period from two `YYYY-MM-DD` texts; refuses a bad date or `from` after `to`.
    pub fn parse(from: &str, to: &str) -> Result<Self, StationError> {
        Self::new(
            super::parse_date("from", from)?,
            super::parse_date("to", to)?,
        )
    }

    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, StationError> {
        if from > to {
            return Err(StationError::invalid(
                "INVALID_RANGE",
                format!("the period must start on or before its last day; {from} is after {to}"),
            ));
        }
        Ok(Self { from, to })
    }

    /// The first instant of the first day.
    pub fn start(&self) -> DateTime<Utc> {
        calendar::start_of_day(self.from)
    }

    /// The first instant after the last day.
    pub fn end(&self) -> DateTime<Utc> {
        calendar::end_of_day(self.to)
    }
}

/// Counts at the top of the pack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PackSummary {
    pub authorisations: usize,
    pub granted_in_period: usize,
    pub reviews: usize,
    pub reviews_late: usize,
    pub renewals: usize,
    pub cancellations: usize,
    pub juvenile_sources: usize,
    pub vulnerable_sources: usize,
    pub criminal_conduct: usize,
    pub notices_late_or_missing: usize,
    pub payments_over_threshold: usize,
    pub paid_minor: u64,
    pub offered_minor: u64,
    pub findings: usize,
    /// Relevant errors open at some point in the period.
    pub errors: usize,
    /// Of those, reported late or established and still unreported past the deadline.
    pub errors_late_or_unreported: usize,
    /// Concerns raised about a source that were open at some point in the period.
    pub concerns: usize,
    /// Of those, still not reviewed at the end of the period (or now).
    pub concerns_open: usize,
}

/// A concern raised about a source (compliance.md §1), as it stood at the pack's `as_of`: its
/// category, when, and the review's finding; never its account or note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConcernEntry {
    pub compartment: String,
    pub codename: String,
    /// coercion, welfare, conduct or circumstances.
    pub category: String,
    pub raised_at: DateTime<Utc>,
    /// unfounded, founded or referred; `None` while open.
    pub finding: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Founded, and about coercion, welfare or circumstances: the risk assessment was to be
    /// reviewed.
    pub risk_assessment_review_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewEntry {
    pub reviewed_at: DateTime<Utc>,
    pub reviewed_by: String,
    /// The first instant the review was late (the end of its last allowed London day).
    pub due_at: DateTime<Utc>,
    pub timeliness: Timeliness,
    pub still_justified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenewalEntry {
    pub renewed_at: DateTime<Utc>,
    pub renewed_by: String,
    /// The rank the renewing officer held, when a rank table was in force (AUTH-03).
    pub renewed_by_rank: Option<String>,
    pub takes_effect_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub self_authorised: bool,
    /// When this renewal's prior approval for privileged matters was given (PRIV-01).
    pub prior_approval_at: Option<DateTime<Utc>>,
}

/// What the grant said about privileged and confidential material (PRIV-01); the approval
/// notice's text stays sealed, only its instant is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivilegedEntry {
    /// "likely" or "intended"; "none" with confidential kinds only.
    pub lpp: String,
    pub confidential: Vec<String>,
    pub prior_approval_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CancellationEntry {
    pub cancelled_at: DateTime<Utc>,
    pub cancelled_by: String,
    pub reasons: String,
    pub instruction_to_cease_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeEntry {
    /// grant, renewal or cancellation.
    pub event: &'static str,
    pub decided_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub timeliness: Timeliness,
}

/// One authorisation live at some moment of the period, with its whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorisationEntry {
    pub id: String,
    pub codename: String,
    pub compartment: String,
    pub kind: String,
    pub ground: String,
    pub granted_by: String,
    /// The rank the grantor held, when a rank table was in force (AUTH-03).
    pub granted_by_rank: Option<String>,
    pub granted_at: DateTime<Utc>,
    /// The period the law sets for this grant ("12 months", "4 months", "72 hours").
    pub duration: &'static str,
    /// Whether the recorded expiry is the one the law sets (RIPA s.43(3); Juveniles Order art 6).
    pub duration_as_the_law_sets: bool,
    /// The source's age band at grant: "adult", "16 or 17", "under 16".
    pub age_at_grant: &'static str,
    pub expires_at: DateTime<Utc>,
    pub current_expiry: DateTime<Utc>,
    pub review_interval_days: u32,
    pub self_authorised: bool,
    pub urgency_reason: Option<String>,
    pub written_record_at: Option<DateTime<Utc>>,
    /// For criminal conduct: the use-and-conduct authorisation beneath it.
    pub parent: Option<String>,
    pub juvenile_cca_safeguards_recorded: bool,
    /// At the end of the period (or now, if sooner): live, expired, cancelled.
    pub status_at_end: String,
    pub reviews: Vec<ReviewEntry>,
    pub renewals: Vec<RenewalEntry>,
    pub cancellation: Option<CancellationEntry>,
    pub notices: Vec<NoticeEntry>,
    /// Present when privileged or confidential material was expected.
    pub privileged: Option<PrivilegedEntry>,
}

/// A juvenile or vulnerable source and the extra safeguards on record (JUV-01, JUV-02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SafeguardEntry {
    pub codename: String,
    pub compartment: String,
    pub state: String,
    pub juvenile: bool,
    pub vulnerable: bool,
    /// Ids of this source's authorisations in the pack.
    pub authorisations: Vec<String>,
    /// Meetings and calls held in the period, and how many had an appropriate adult present.
    pub conversations_held: usize,
    pub with_appropriate_adult: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PaymentTotals {
    /// A compartment name or a source codename.
    pub name: String,
    pub compartment: String,
    pub offers: usize,
    pub offered_minor: u64,
    pub payments: usize,
    pub paid_minor: u64,
}

/// A payment of the period above the approval threshold, and its approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThresholdPayment {
    pub codename: String,
    pub compartment: String,
    pub amount_minor: u64,
    pub recorded_at: DateTime<Utc>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentSection {
    pub single_payment_threshold_minor: u64,
    pub yearly_threshold_minor: u64,
    pub by_compartment: Vec<PaymentTotals>,
    pub by_source: Vec<PaymentTotals>,
    pub over_threshold: Vec<ThresholdPayment>,
}

/// A relevant error of the period and its report to the Commissioner (IPCO AR 2018 para
/// 17.4: within ten working days of being established), judged by the core's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorEntry {
    pub compartment: String,
    /// The source's codename, when the error concerns one.
    pub codename: Option<String>,
    pub description: String,
    pub identified_at: DateTime<Utc>,
    pub established_at: Option<DateTime<Utc>>,
    /// The first instant past the report deadline; `None` until established.
    pub report_due_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    /// `None` while the error is not established (no clock runs yet).
    pub timeliness: Option<Timeliness>,
}

/// Something an inspector would raise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable code: REVIEW_LATE, REVIEW_OVERDUE, NOTICE_LATE, NOTICE_MISSING,
    /// WRITTEN_RECORD_LATE, WRITTEN_RECORD_MISSING, AUTHORISATION_EXPIRED_IN_USE, USED_WITHOUT_AUTHORISATION, PAID_WITHOUT_APPROVAL,
    /// NO_APPROPRIATE_ADULT, ERROR_REPORTED_LATE, ERROR_NOT_REPORTED, AUTH_TEXT_REPEATED (a
    /// statement largely repeating an earlier authorisation's in the compartment, INS-02).
    pub code: &'static str,
    pub codename: String,
    pub compartment: String,
    pub authorisation: Option<String>,
    pub at: DateTime<Utc>,
    pub message: String,
}

/// The pack for one period, codenames only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectionPack {
    pub period: InspectionPeriod,
    /// The instant the pack judges "now" by: the end of the period, or the present if sooner.
    pub as_of: DateTime<Utc>,
    pub produced_at: DateTime<Utc>,
    pub produced_by: String,
    pub compartments: Vec<String>,
    pub summary: PackSummary,
    pub authorisations: Vec<AuthorisationEntry>,
    pub safeguarded: Vec<SafeguardEntry>,
    /// Ids (in `authorisations`) of the criminal conduct authorisations.
    pub criminal_conduct: Vec<String>,
    pub payments: PaymentSection,
    pub findings: Vec<Finding>,
    pub errors: Vec<ErrorEntry>,
    /// Concerns raised about the sources, open at some point in the period, oldest first.
    pub concerns: Vec<ConcernEntry>,
}

fn age_name(age: AgeBand) -> &'static str {
    match age {
        AgeBand::Under16 => "under 16",
        AgeBand::Aged16Or17 => "16 or 17",
        AgeBand::Adult => "adult",
    }
}

fn duration_name(kind: AuthorisationKind, age: AgeBand, lpp: Lpp) -> &'static str {
    match kind {
        AuthorisationKind::UrgentOral => "72 hours",
        _ if lpp == Lpp::Intended => "3 months (privileged matters)",
        _ if age.is_juvenile() => "4 months",
        _ => "12 months",
    }
}

impl Station {
    /// The inspection pack for the period. Reading it is an audit event (a refusal too).
    pub async fn inspection_pack(
        &self,
        actor: &Principal,
        period: InspectionPeriod,
    ) -> Result<InspectionPack, StationError> {
        let audit = AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            "inspection.pack.read",
            "inspection_pack",
            format!("{}..{}", period.from, period.to),
        );
        let reader = match inspector_scope(actor, "produce an inspection pack") {
            Ok(r) => r,
            Err(e) => {
                self.store.append_audit(&audit.denied()).await?;
                return Err(e);
            }
        };
        let policy = self.payment_policy().await?;
        let holidays = BankHolidays::england_and_wales();
        let now = self.clock().now();
        let (start, end) = (period.start(), period.end());
        let as_of = end.min(now);
        let inputs = self
            .store
            .inspection_inputs(&InspectionScope {
                reader,
                from_ms: start.timestamp_millis(),
                to_ms: end.timestamp_millis(),
            })
            .await?;
        let officers: HashMap<String, String> = inputs.officers.into_iter().collect();
        let name = |id: &dyn std::fmt::Display| {
            let id = id.to_string();
            officers.get(&id).cloned().unwrap_or(id)
        };
        let mut sources: HashMap<String, (Source, String)> = HashMap::new();
        for row in &inputs.sources {
            sources.insert(
                row.id.clone(),
                (convert::source(row)?, row.compartment.clone()),
            );
        }
        let mut auths_by_source: HashMap<String, Vec<Authorisation>> = HashMap::new();
        for row in &inputs.authorisations {
            let a: Authorisation =
                self.open_record(&row.id, &row.doc, row.text_sealed.as_deref())?;
            auths_by_source
                .entry(row.source_id.clone())
                .or_default()
                .push(a);
        }
        let mut summary = PackSummary::default();
        let mut findings = Vec::new();
        let mut entries = Vec::new();
        let mut criminal_conduct = Vec::new();
        for (source_id, auths) in &auths_by_source {
            let Some((source, compartment)) = sources.get(source_id) else {
                continue;
            };
            for a in auths
                .iter()
                .filter(|a| inspection::live_during(a, start, end))
            {
                let id = a.id.to_string();
                let finding = |code, at, message: String| Finding {
                    code,
                    codename: source.codename.clone(),
                    compartment: compartment.clone(),
                    authorisation: Some(id.clone()),
                    at,
                    message,
                };
                let then = inspection::as_it_stood(a, as_of);
                let reviews: Vec<ReviewEntry> = inspection::review_timings(&then)
                    .into_iter()
                    .filter_map(|t| {
                        let r = then.reviews.iter().find(|r| r.id == t.review)?;
                        Some(ReviewEntry {
                            reviewed_at: t.reviewed_at,
                            reviewed_by: name(&r.reviewed_by),
                            due_at: t.due_at,
                            timeliness: t.timeliness,
                            still_justified: r.still_justified(),
                        })
                    })
                    .collect();
                for r in reviews.iter().filter(|r| r.timeliness == Timeliness::Late) {
                    findings.push(finding(
                        "REVIEW_LATE",
                        r.reviewed_at,
                        format!(
                            "A review was made on {}, after the end of {}, its last allowed day.",
                            calendar::local_date(r.reviewed_at),
                            calendar::last_day_of(r.due_at)
                        ),
                    ));
                }
                if let Some(due) = inspection::review_overdue_at(a, as_of) {
                    findings.push(finding(
                        "REVIEW_OVERDUE",
                        due,
                        format!(
                            "A review was due by the end of {} and none had been made by {}.",
                            calendar::last_day_of(due),
                            calendar::local_date(as_of)
                        ),
                    ));
                }
                // Urgent oral grants: the written record by the end of the next working day
                // (Scottish Code 5.5; AUTH-05), by the core's deadline.
                if let Some(due) = a.written_record_due(&holidays) {
                    let written = a.written_record_at.filter(|w| *w <= as_of);
                    match written {
                        Some(w) if w >= due => findings.push(finding(
                            "WRITTEN_RECORD_LATE",
                            w,
                            format!(
                                "The written record of this urgent oral authorisation was completed on {}, after the end of {}, the last allowed day.",
                                calendar::local_date(w),
                                calendar::last_day_of(due)
                            ),
                        )),
                        None if as_of >= due => findings.push(finding(
                            "WRITTEN_RECORD_MISSING",
                            due,
                            format!(
                                "The written record of this urgent oral authorisation was due by the end of {}; none is recorded.",
                                calendar::last_day_of(due)
                            ),
                        )),
                        _ => {}
                    }
                }
                let notices: Vec<NoticeEntry> = inspection::notice_timings(a, as_of)
                    .into_iter()
                    .map(|n| NoticeEntry {
                        event: n.event.as_str(),
                        decided_at: n.decided_at,
                        due_at: n.due_at,
                        sent_at: n.sent_at,
                        timeliness: n.timeliness,
                    })
                    .collect();
                for n in notices.iter().filter(|n| n.timeliness.is_fault()) {
                    summary.notices_late_or_missing += 1;
                    let (code, message) = match n.sent_at {
                        Some(sent) => (
                            "NOTICE_LATE",
                            format!(
                                "The Judicial Commissioner was notified of the criminal conduct {} on {}, after the end of {}, the last allowed day.",
                                n.event,
                                calendar::local_date(sent),
                                calendar::last_day_of(n.due_at)
                            ),
                        ),
                        None => (
                            "NOTICE_MISSING",
                            format!(
                                "The Judicial Commissioner was due notice of the criminal conduct {} by the end of {}; none is recorded.",
                                n.event,
                                calendar::last_day_of(n.due_at)
                            ),
                        ),
                    };
                    findings.push(finding(code, n.due_at, message));
                }
                summary.reviews += reviews.len();
                summary.reviews_late += reviews
                    .iter()
                    .filter(|r| r.timeliness == Timeliness::Late)
                    .count();
                summary.renewals += then.renewals.len();
                summary.cancellations += usize::from(then.cancellation.is_some());
                summary.granted_in_period += usize::from(start <= a.granted_at);
                if a.kind == AuthorisationKind::CriminalConduct {
                    criminal_conduct.push(id.clone());
                }
                let age = a.source_age_at_grant;
                entries.push(AuthorisationEntry {
                    id: id.clone(),
                    codename: source.codename.clone(),
                    compartment: compartment.clone(),
                    kind: convert::name(&a.kind),
                    ground: convert::name(&a.ground),
                    granted_by: name(&a.granted_by),
                    granted_by_rank: a.granted_by_rank.clone(),
                    granted_at: a.granted_at,
                    duration: duration_name(a.kind, age, a.privileged.lpp),
                    duration_as_the_law_sets: a.expires_at
                        == privileged_period_end(
                            a.privileged.lpp,
                            a.granted_at,
                            period_end(a.kind, age, a.granted_at),
                        ),
                    age_at_grant: age_name(age),
                    expires_at: a.expires_at,
                    current_expiry: then.current_expiry(),
                    review_interval_days: a.review_interval_days,
                    self_authorised: a.self_authorised
                        || then.renewals.iter().any(|r| r.self_authorised),
                    urgency_reason: a.urgency_reason.clone(),
                    written_record_at: a.written_record_at.filter(|w| *w <= as_of),
                    parent: a.parent.map(|p| p.to_string()),
                    juvenile_cca_safeguards_recorded: a.juvenile_cca_safeguards.is_some(),
                    status_at_end: convert::name(&then.status(as_of)),
                    reviews,
                    renewals: then
                        .renewals
                        .iter()
                        .map(|r| RenewalEntry {
                            renewed_at: r.renewed_at,
                            renewed_by: name(&r.renewed_by),
                            renewed_by_rank: r.renewed_by_rank.clone(),
                            takes_effect_at: r.takes_effect_at,
                            expires_at: r.expires_at,
                            self_authorised: r.self_authorised,
                            prior_approval_at: r.prior_approval.as_ref().map(|p| p.approved_at),
                        })
                        .collect(),
                    privileged: a.privileged.is_flagged().then(|| PrivilegedEntry {
                        lpp: convert::name(&a.privileged.lpp),
                        confidential: a
                            .privileged
                            .confidential
                            .iter()
                            .map(convert::name)
                            .collect(),
                        prior_approval_at: a
                            .privileged
                            .prior_approval
                            .as_ref()
                            .map(|p| p.approved_at),
                    }),
                    cancellation: then.cancellation.as_ref().map(|c| CancellationEntry {
                        cancelled_at: c.cancelled_at,
                        cancelled_by: name(&c.cancelled_by),
                        reasons: c.reasons.clone(),
                        instruction_to_cease_at: c.instruction_to_cease_at,
                    }),
                    notices,
                });
            }
        }
        entries.sort_by(|a, b| {
            (&a.compartment, &a.codename, a.granted_at).cmp(&(
                &b.compartment,
                &b.codename,
                b.granted_at,
            ))
        });
        summary.authorisations = entries.len();
        summary.criminal_conduct = criminal_conduct.len();

        // Use without a live authorisation: held contacts "to use" the source in the period
        // (s.29; AUTH-01), and an open case whose authorisations had all lapsed by the end.
        let mut contacts_by_source: HashMap<String, Vec<Contact>> = HashMap::new();
        for row in &inputs.contacts {
            contacts_by_source
                .entry(row.source_id.clone())
                .or_default()
                .push(from_doc(&row.doc)?);
        }
        let no_auths = Vec::new();
        for (source_id, (source, compartment)) in &sources {
            let auths = auths_by_source.get(source_id).unwrap_or(&no_auths);
            let finding = |code, at, message: String| Finding {
                code,
                codename: source.codename.clone(),
                compartment: compartment.clone(),
                authorisation: None,
                at,
                message,
            };
            for c in contacts_by_source.get(source_id).into_iter().flatten() {
                let Some(at) = c.occurred_at else { continue };
                if c.purpose == ContactPurpose::Use
                    && source.recruited_at.is_some_and(|r| r <= at)
                    && let Err(v) = live_authorisation(auths, source.id, at)
                {
                    findings.push(finding(
                        "USED_WITHOUT_AUTHORISATION",
                        at,
                        format!(
                            "A contact to use the source was held on {} with no authorisation in force ({}).",
                            calendar::local_date(at),
                            v.code
                        ),
                    ));
                }
            }
            // The source's state is today's: this finding is made only when the period
            // reaches the present.
            let open = matches!(
                source.state,
                SourceState::Recruited | SourceState::Suspended
            );
            if as_of == now
                && open
                && !auths.is_empty()
                && let Err(v) = live_authorisation(auths, source.id, as_of)
            {
                findings.push(finding(
                    "AUTHORISATION_EXPIRED_IN_USE",
                    as_of,
                    format!(
                        "The source is {} but has no authorisation in force: {}",
                        source.state.as_str(),
                        v.message
                    ),
                ));
            }
        }

        // Juvenile and vulnerable sources: every case is listed (IPCO AR 2017 para 3.27).
        let mut safeguarded = Vec::new();
        for (source_id, (source, compartment)) in &sources {
            let granted_juvenile = auths_by_source
                .get(source_id)
                .is_some_and(|auths| auths.iter().any(|a| a.current_age_band().is_juvenile()));
            if !(source.juvenile || source.vulnerable || granted_juvenile) {
                continue;
            }
            let conversations: Vec<&Contact> = contacts_by_source
                .get(source_id)
                .into_iter()
                .flatten()
                .filter(|c| c.mode.is_live_conversation())
                .collect();
            let with_adult = conversations
                .iter()
                .filter(|c| c.appropriate_adult.is_some())
                .count();
            let under_16 = auths_by_source
                .get(source_id)
                .is_some_and(|auths| auths.iter().any(|a| a.current_age_band().is_under_16()));
            if under_16 {
                for c in conversations
                    .iter()
                    .filter(|c| c.appropriate_adult.is_none())
                {
                    let at = c.occurred_at.unwrap_or(start);
                    findings.push(Finding {
                        code: "NO_APPROPRIATE_ADULT",
                        codename: source.codename.clone(),
                        compartment: compartment.clone(),
                        authorisation: None,
                        at,
                        message: format!(
                            "A meeting or call with a source under 16 on {} has no appropriate adult recorded (Juveniles Order art 4).",
                            calendar::local_date(at)
                        ),
                    });
                }
            }
            summary.juvenile_sources += usize::from(source.juvenile || granted_juvenile);
            summary.vulnerable_sources += usize::from(source.vulnerable);
            safeguarded.push(SafeguardEntry {
                codename: source.codename.clone(),
                compartment: compartment.clone(),
                state: source.state.as_str().to_owned(),
                juvenile: source.juvenile || granted_juvenile,
                vulnerable: source.vulnerable,
                authorisations: entries
                    .iter()
                    .filter(|e| e.codename == source.codename && e.compartment == *compartment)
                    .map(|e| e.id.clone())
                    .collect(),
                conversations_held: conversations.len(),
                with_appropriate_adult: with_adult,
            });
        }
        safeguarded
            .sort_by(|a, b| (&a.compartment, &a.codename).cmp(&(&b.compartment, &b.codename)));

        let payments = payment_section(
            &inputs.payments,
            &sources,
            &policy,
            (start, end, as_of),
            &name,
            &mut findings,
        )?;
        summary.payments_over_threshold = payments.over_threshold.len();
        summary.paid_minor = payments.by_compartment.iter().map(|t| t.paid_minor).sum();
        summary.offered_minor = payments
            .by_compartment
            .iter()
            .map(|t| t.offered_minor)
            .sum();

        let errors = error_section(
            self,
            &inputs.errors,
            &sources,
            &holidays,
            as_of,
            &mut findings,
        )?;
        summary.errors = errors.len();
        summary.errors_late_or_unreported = errors
            .iter()
            .filter(|e| e.timeliness.is_some_and(Timeliness::is_fault))
            .count();

        // Statements repeating an earlier authorisation's in the same compartment (INS-02), as
        // stored at grant (migration 0021), for every authorisation live in the period.
        let compartment_ids: HashMap<&str, &str> = inputs
            .sources
            .iter()
            .map(|s| (s.compartment.as_str(), s.compartment_id.as_str()))
            .collect();
        let mut judged_by_compartment: BTreeMap<&str, Vec<&Authorisation>> = BTreeMap::new();
        for (source_id, auths) in &auths_by_source {
            let Some((_, compartment)) = sources.get(source_id) else {
                continue;
            };
            for a in auths {
                if inspection::live_during(a, start, end) {
                    judged_by_compartment
                        .entry(compartment.as_str())
                        .or_default()
                        .push(a);
                }
            }
        }
        for (compartment, judged) in &judged_by_compartment {
            let Some(compartment_id) = compartment_ids.get(compartment) else {
                continue;
            };
            let repeats = self
                .stored_warnings(
                    compartment_id,
                    humint_store::TextCheckScope::Compartment(compartment_id),
                    judged,
                )
                .await?;
            for r in repeats {
                let Some(a) = judged
                    .iter()
                    .find(|a| a.id.to_string() == r.authorisation_id)
                else {
                    continue;
                };
                let Some((source, _)) = sources.get(&a.source.to_string()) else {
                    continue;
                };
                findings.push(Finding {
                    code: r.code,
                    codename: source.codename.clone(),
                    compartment: (*compartment).to_owned(),
                    authorisation: Some(r.authorisation_id.clone()),
                    at: a.granted_at,
                    message: r.message,
                });
            }
        }

        let concerns = concern_section(&inputs.concerns, &sources, as_of)?;
        summary.concerns = concerns.len();
        summary.concerns_open = concerns.iter().filter(|c| c.finding.is_none()).count();

        findings.sort_by(|a, b| {
            (&a.compartment, &a.codename, a.at, a.code).cmp(&(
                &b.compartment,
                &b.codename,
                b.at,
                b.code,
            ))
        });
        summary.findings = findings.len();
        let pack = InspectionPack {
            period,
            as_of,
            produced_at: now,
            produced_by: actor.username.clone(),
            compartments: inputs.compartments,
            summary,
            authorisations: entries,
            safeguarded,
            criminal_conduct,
            payments,
            findings,
            errors,
            concerns,
        };
        self.store.append_audit(&audit).await?;
        Ok(pack)
    }
}

/// The concerns raised about the scope's sources as they stood at `as_of` (a review after it
/// is not yet known), named by codename; their text stays sealed.
fn concern_section(
    rows: &[humint_store::ConcernRow],
    sources: &HashMap<String, (Source, String)>,
    as_of: DateTime<Utc>,
) -> Result<Vec<ConcernEntry>, StationError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut concern = super::concerns::core_concern(row)?;
        if concern.raised_at > as_of {
            continue;
        }
        concern.review = concern.review.filter(|r| r.reviewed_at <= as_of);
        let Some((source, compartment)) = sources.get(&row.source_id) else {
            continue;
        };
        out.push(ConcernEntry {
            compartment: compartment.clone(),
            codename: source.codename.clone(),
            category: concern.category.as_str().to_owned(),
            raised_at: concern.raised_at,
            finding: concern.review.map(|r| r.finding.as_str().to_owned()),
            reviewed_at: concern.review.map(|r| r.reviewed_at),
            risk_assessment_review_required: concern.risk_assessment_review_required(),
        });
    }
    Ok(out)
}

/// The error register as it stood at `as_of`: each error's report judged against the core's
/// deadline, and a finding for each one reported late or overdue.
fn error_section(
    station: &Station,
    rows: &[humint_store::RelevantErrorRow],
    sources: &HashMap<String, (Source, String)>,
    holidays: &BankHolidays,
    as_of: DateTime<Utc>,
    findings: &mut Vec<Finding>,
) -> Result<Vec<ErrorEntry>, StationError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut error = super::errors::core_error(row)?;
        let (description, reference) = station.error_texts(row)?;
        // As it stood at `as_of`: later establishment or reporting is not yet known.
        error.established_at = error.established_at.filter(|t| *t <= as_of);
        error.reported_at = error.reported_at.filter(|t| *t <= as_of);
        let due = error.report_due(holidays);
        let timeliness = due.map(|due| Timeliness::judge(error.reported_at, due, as_of));
        let codename = row
            .source_id
            .as_ref()
            .and_then(|s| sources.get(s))
            .map(|(source, _)| source.codename.clone());
        if let (Some(due), Some(t)) = (due, timeliness)
            && t.is_fault()
        {
            let (code, at, message) = match error.reported_at {
                Some(reported) => (
                    "ERROR_REPORTED_LATE",
                    reported,
                    format!(
                        "A relevant error was reported to the Commissioner on {}, after the end of {}, the last allowed day.",
                        calendar::local_date(reported),
                        calendar::last_day_of(due)
                    ),
                ),
                None => (
                    "ERROR_NOT_REPORTED",
                    due,
                    format!(
                        "A relevant error was due to be reported to the Commissioner by the end of {}; no report is recorded.",
                        calendar::last_day_of(due)
                    ),
                ),
            };
            findings.push(Finding {
                code,
                codename: codename.clone().unwrap_or_default(),
                compartment: row.compartment.clone(),
                authorisation: row.authorisation_id.clone(),
                at,
                message,
            });
        }
        out.push(ErrorEntry {
            compartment: row.compartment.clone(),
            codename,
            description,
            identified_at: error.identified_at,
            established_at: error.established_at,
            report_due_at: due,
            reported_at: error.reported_at,
            reference: reference.filter(|_| error.reported_at.is_some()),
            timeliness,
        });
    }
    Ok(out)
}

/// Totals per compartment and per source codename for the period (offers by the day they were
/// recorded, payments by the day they were paid), and the payments above the threshold with
/// their approval (reg 3(n); product.md thresholds).
fn payment_section(
    rows: &[humint_store::PaymentRow],
    sources: &HashMap<String, (Source, String)>,
    policy: &PaymentPolicy,
    (start, end, as_of): (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>),
    name: &dyn Fn(&dyn std::fmt::Display) -> String,
    findings: &mut Vec<Finding>,
) -> Result<PaymentSection, StationError> {
    let all: Vec<Payment> = rows
        .iter()
        .map(|r| from_doc::<Payment>(&r.doc))
        .collect::<Result<_, _>>()?;
    let within = |t: DateTime<Utc>| start <= t && t < end;
    let mut by_compartment: BTreeMap<String, PaymentTotals> = BTreeMap::new();
    let mut by_source: BTreeMap<(String, String), PaymentTotals> = BTreeMap::new();
    let mut over_threshold = Vec::new();
    for p in &all {
        let Some((source, compartment)) = sources.get(&p.source.to_string()) else {
            continue;
        };
        let counted = match (p.kind, p.paid_at) {
            (PaymentKind::Offer, _) => within(p.recorded_at).then_some(false),
            (PaymentKind::Payment, Some(paid)) => within(paid).then_some(true),
            (PaymentKind::Payment, None) => None,
        };
        if let Some(paid) = counted {
            let c = by_compartment
                .entry(compartment.clone())
                .or_insert_with(|| PaymentTotals {
                    name: compartment.clone(),
                    compartment: compartment.clone(),
                    ..PaymentTotals::default()
                });
            add(c, paid, p.amount_minor);
            let s = by_source
                .entry((compartment.clone(), source.codename.clone()))
                .or_insert_with(|| PaymentTotals {
                    name: source.codename.clone(),
                    compartment: compartment.clone(),
                    ..PaymentTotals::default()
                });
            add(s, paid, p.amount_minor);
        }
        let in_period = within(p.recorded_at) || p.paid_at.is_some_and(within);
        let judged_at = p.paid_at.unwrap_or(as_of);
        if in_period && payment::needs_approval(p, &all, policy, judged_at) {
            let approval = p.approval.as_ref().filter(|a| a.at <= as_of);
            if let (Some(paid), None) = (p.paid_at, approval) {
                findings.push(Finding {
                        code: "PAID_WITHOUT_APPROVAL",
                        codename: source.codename.clone(),
                        compartment: compartment.clone(),
                        authorisation: None,
                        at: paid,
                        message: format!(
                            "A payment above the approval threshold was paid on {} with no controller's approval.",
                            calendar::local_date(paid)
                        ),
                    });
            }
            over_threshold.push(ThresholdPayment {
                codename: source.codename.clone(),
                compartment: compartment.clone(),
                amount_minor: p.amount_minor,
                recorded_at: p.recorded_at,
                approved_by: approval.map(|a| name(&a.by)),
                approved_at: approval.map(|a| a.at),
                paid_at: p.paid_at.filter(|t| *t <= as_of),
            });
        }
    }
    Ok(PaymentSection {
        single_payment_threshold_minor: policy.single_payment_threshold_minor,
        yearly_threshold_minor: policy.yearly_threshold_minor,
        by_compartment: by_compartment.into_values().collect(),
        by_source: by_source.into_values().collect(),
        over_threshold,
    })
}

fn add(t: &mut PaymentTotals, paid: bool, amount: u64) {
    if paid {
        t.payments += 1;
        t.paid_minor = t.paid_minor.saturating_add(amount);
    } else {
        t.offers += 1;
        t.offered_minor = t.offered_minor.saturating_add(amount);
    }
}

/// Whose records an inspector's read covers: an auditor's compartments, or every compartment
/// for the operator's command line (`system`). Anyone else is refused.
pub(crate) fn inspector_scope(p: &Principal, doing: &str) -> Result<Option<String>, StationError> {
    if p.user_id == Principal::system().user_id && p.role == Role::Admin {
        return Ok(None);
    }
    p.require_role(&[Role::Auditor], doing)?;
    Ok(Some(p.user_id.clone()))
}
