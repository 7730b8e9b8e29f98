//! Alerts: everything that needs someone's attention, computed from the records and `now`.
//!
//! One pure function, [`alerts`], so that the dashboard, a scheduled e-mail and the inspector's
//! pack all see the same list. Order: source safety first (product.md: "a missed or overdue
//! contact raises a source-safety alert"), then legal deadlines already missed, then warnings,
//! then notices; within a severity, the earliest due first.
//!
//! Sources per alert: contacts — product.md, reg 3(k); reviews — REV-01; expiry windows
//! (28/14/7 days) — DUR-02; cancellation — s.45; urgent written record — Scottish Code 5.5;
//! Commissioner notices — s.32C; error reports — IPCO AR 2018 para 17.4; roles — s.29(5);
//! payments — reg 3(n) and the deployment's policy; requirements — product.md; concerns
//! raised about a source — compliance.md, "Software implications" and §1; risk assessments
//! behind a founded concern or a tasking — compliance.md §1.13, IPCO AR 2018 para 5.19(v).

use super::calendar::{self, BankHolidays};
use super::concern::{Concern, ConcernCategory};
use super::contact::{Contact, ContactStatus};
use super::payment::{self, Payment, PaymentKind, PaymentPolicy};
use super::relevant_error::RelevantError;
use super::review::commissioner_notices;
use super::risk::{AssessedAt, reassessed_since};
use super::tasking::{Requirement, Tasking, TaskingState};
use super::{Authorisation, AuthorisationStatus, RoleAssignment, Source, SourceState, roles};
use crate::Id;
use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Highest last, so `Ord` sorts by urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Notice,
    Warning,
    /// A legal deadline missed or about to be.
    Critical,
    /// The source may be in danger.
    SourceSafety,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AlertKind {
    ContactOverdue,
    ContactMissed,
    ContactOutcomeNotRecorded,
    RolesNotCovered,
    ReviewDue,
    ReviewOverdue,
    AuthorisationExpiring {
        within_days: u32,
    },
    AuthorisationExpired,
    CancellationRequired,
    WrittenRecordDue,
    WrittenRecordOverdue,
    CommissionerNoticeDue,
    CommissionerNoticeOverdue,
    ErrorReportDue,
    ErrorReportOverdue,
    PaymentAwaitingApproval,
    RequirementReviewOverdue,
    /// Someone raised a concern about the source that no controller has reviewed yet.
    ConcernOpen,
    /// A concern bearing on risk was found founded and the risk assessment has not been
    /// redone since.
    RiskAssessmentAfterConcern,
    /// A live tasking was issued after the source's latest risk assessment.
    RiskAssessmentBehindTasking,
}

impl AlertKind {
    /// Every kind's name, as it appears on the wire and in [`AlertKind::name`].
    pub const NAMES: [&'static str; 20] = [
        "contact_overdue",
        "contact_missed",
        "contact_outcome_not_recorded",
        "roles_not_covered",
        "review_due",
        "review_overdue",
        "authorisation_expiring",
        "authorisation_expired",
        "cancellation_required",
        "written_record_due",
        "written_record_overdue",
        "commissioner_notice_due",
        "commissioner_notice_overdue",
        "error_report_due",
        "error_report_overdue",
        "payment_awaiting_approval",
        "requirement_review_overdue",
        "concern_open",
        "risk_assessment_after_concern",
        "risk_assessment_behind_tasking",
    ];

    /// The kind's name without its details (`authorisation_expiring` for every window).
    pub fn name(&self) -> &'static str {
        match self {
            AlertKind::ContactOverdue => Self::NAMES[0],
            AlertKind::ContactMissed => Self::NAMES[1],
            AlertKind::ContactOutcomeNotRecorded => Self::NAMES[2],
            AlertKind::RolesNotCovered => Self::NAMES[3],
            AlertKind::ReviewDue => Self::NAMES[4],
            AlertKind::ReviewOverdue => Self::NAMES[5],
            AlertKind::AuthorisationExpiring { .. } => Self::NAMES[6],
            AlertKind::AuthorisationExpired => Self::NAMES[7],
            AlertKind::CancellationRequired => Self::NAMES[8],
            AlertKind::WrittenRecordDue => Self::NAMES[9],
            AlertKind::WrittenRecordOverdue => Self::NAMES[10],
            AlertKind::CommissionerNoticeDue => Self::NAMES[11],
            AlertKind::CommissionerNoticeOverdue => Self::NAMES[12],
            AlertKind::ErrorReportDue => Self::NAMES[13],
            AlertKind::ErrorReportOverdue => Self::NAMES[14],
            AlertKind::PaymentAwaitingApproval => Self::NAMES[15],
            AlertKind::RequirementReviewOverdue => Self::NAMES[16],
            AlertKind::ConcernOpen => Self::NAMES[17],
            AlertKind::RiskAssessmentAfterConcern => Self::NAMES[18],
            AlertKind::RiskAssessmentBehindTasking => Self::NAMES[19],
        }
    }
}

/// The record an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum AlertSubject {
    Source(Id<Source>),
    Authorisation(Id<Authorisation>),
    Contact(Id<Contact>),
    Payment(Id<Payment>),
    Requirement(Id<Requirement>),
    RelevantError(Id<RelevantError>),
    Concern(Id<Concern>),
    Tasking(Id<Tasking>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    /// When the thing is (or was) due; for an overdue alert, in the past.
    pub due_at: DateTime<Utc>,
    pub subject: AlertSubject,
    /// The source concerned, where there is one, so alerts can be filtered by compartment.
    pub source: Option<Id<Source>>,
    pub message: String,
}

/// Tunable windows, the payment policy and the bank-holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPolicy {
    /// Warn this many days before expiry; the tightest window reached applies (DUR-02).
    pub expiry_warning_days: Vec<u32>,
    pub review_due_soon_days: u32,
    /// How long after a planned contact its outcome may go unrecorded before it is alarming.
    pub contact_outcome_grace: Duration,
    pub payments: PaymentPolicy,
    pub holidays: BankHolidays,
}

impl AlertPolicy {
    /// 28/14/7-day expiry warnings, reviews flagged 7 days ahead, 2 hours' grace on contact
    /// outcomes, England and Wales bank holidays.
    pub fn standard(payments: PaymentPolicy) -> Self {
        Self {
            expiry_warning_days: vec![28, 14, 7],
            review_due_soon_days: 7,
            contact_outcome_grace: Duration::hours(2),
            payments,
            holidays: BankHolidays::england_and_wales(),
        }
    }
}

/// The records alerts are computed over (typically one compartment's).
#[derive(Debug, Clone, Copy, Default)]
pub struct HandlingRecords<'a> {
    pub sources: &'a [Source],
    pub authorisations: &'a [Authorisation],
    pub roles: &'a [RoleAssignment],
    pub contacts: &'a [Contact],
    pub payments: &'a [Payment],
    pub requirements: &'a [Requirement],
    pub errors: &'a [RelevantError],
    /// Concerns raised about the sources.
    pub concerns: &'a [Concern],
    /// When each source's risks were assessed (every version).
    pub risk_assessed: &'a [AssessedAt],
    /// The sources' taskings.
    pub taskings: &'a [TaskingState],
}

/// Every alert in force at `now`, most urgent first.
pub fn alerts(
    records: &HandlingRecords<'_>,
    policy: &AlertPolicy,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let mut out = Vec::new();
    for source in records.sources {
        source_alerts(source, records, policy, now, &mut out);
    }
    for auth in records.authorisations {
        authorisation_alerts(auth, records, policy, now, &mut out);
    }
    for p in records.payments {
        let waiting = p.kind == PaymentKind::Payment && p.paid_at.is_none() && p.approval.is_none();
        if waiting && payment::needs_approval(p, records.payments, &policy.payments, now) {
            out.push(Alert {
                kind: AlertKind::PaymentAwaitingApproval,
                severity: Severity::Notice,
                due_at: p.recorded_at,
                subject: AlertSubject::Payment(p.id),
                source: Some(p.source),
                message: "A payment above the approval threshold is waiting for the controller's approval.".into(),
            });
        }
    }
    for r in records
        .requirements
        .iter()
        .filter(|r| r.closed_at.is_none())
    {
        let due = calendar::end_of_day(r.review_by);
        if now >= due {
            out.push(Alert {
                kind: AlertKind::RequirementReviewOverdue,
                severity: Severity::Notice,
                due_at: due,
                subject: AlertSubject::Requirement(r.id),
                source: None,
                message: format!(
                    "Requirement \"{}\" was due for review by the end of {}.",
                    r.title, r.review_by
                ),
            });
        }
    }
    for e in records.errors.iter().filter(|e| e.reported_at.is_none()) {
        if let Some(due) = e.report_due(&policy.holidays) {
            let overdue = now >= due;
            out.push(Alert {
                kind: if overdue {
                    AlertKind::ErrorReportOverdue
                } else {
                    AlertKind::ErrorReportDue
                },
                severity: if overdue {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                due_at: due,
                subject: AlertSubject::RelevantError(e.id),
                source: e.source,
                message: format!(
                    "A relevant error must be reported to the Commissioner by the end of {}.",
                    calendar::last_day_of(due)
                ),
            });
        }
    }
    for c in records.concerns.iter().filter(|c| c.is_open_at(now)) {
        out.push(concern_alert(c, records));
    }
    for c in records.concerns {
        out.extend(risk_after_concern_alert(c, records, now));
    }
    for t in records.taskings {
        out.extend(risk_behind_tasking_alert(t, records, now));
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.due_at.cmp(&b.due_at)));
    out
}

/// An open concern about a source needs the controller's attention at once (compliance.md §1:
/// "The handler must bring to the controller's attention any concern about the source's
/// personal circumstances …"), until a controller or authorising officer reviews it. A concern
/// about coercion is a danger to the source: source safety (compliance.md, "Software
/// implications": "a flag that someone raised concerns about coercion"); the others warnings.
fn concern_alert(c: &Concern, records: &HandlingRecords<'_>) -> Alert {
    let codename = records
        .sources
        .iter()
        .find(|s| s.id == c.source)
        .map_or("A source", |s| s.codename.as_str());
    let coercion = c.category == ConcernCategory::Coercion;
    Alert {
        kind: AlertKind::ConcernOpen,
        severity: if coercion {
            Severity::SourceSafety
        } else {
            Severity::Warning
        },
        due_at: c.raised_at,
        subject: AlertSubject::Concern(c.id),
        source: Some(c.source),
        message: if coercion {
            format!(
                "{codename}: someone raised a concern that the source is being or was coerced; the controller must review it."
            )
        } else {
            format!(
                "{codename}: someone raised a concern about the source's {}; the controller must review it.",
                c.category
            )
        },
    }
}

fn codename<'a>(records: &'a HandlingRecords<'_>, source: Id<Source>) -> &'a str {
    records
        .sources
        .iter()
        .find(|s| s.id == source)
        .map_or("A source", |s| s.codename.as_str())
}

/// A founded concern that bears on risk (coercion, welfare, circumstances:
/// [`Concern::risk_assessment_review_required`]) makes the risk assessment out of date: the
/// handler must bring such a concern to the controller because it "might affect the validity of
/// the risk assessment" (compliance.md §1.13), and the assessment is to be "dynamically
/// maintained and updated" (IPCO AR 2018 para 5.19(v)). In force from the instant of the
/// finding until a risk assessment of the source recorded at or after it. Coercion and welfare
/// are the source's safety; changed circumstances a warning.
fn risk_after_concern_alert(
    c: &Concern,
    records: &HandlingRecords<'_>,
    now: DateTime<Utc>,
) -> Option<Alert> {
    let found = c.review?.reviewed_at;
    if !c.risk_assessment_review_pending(records.risk_assessed, now) {
        return None;
    }
    let codename = codename(records, c.source);
    let safety = matches!(
        c.category,
        ConcernCategory::Coercion | ConcernCategory::Welfare
    );
    let what = match c.category {
        ConcernCategory::Coercion => "that the source is being or was coerced",
        ConcernCategory::Welfare => "about the source's welfare",
        _ => "about the source's circumstances",
    };
    Some(Alert {
        kind: AlertKind::RiskAssessmentAfterConcern,
        severity: if safety {
            Severity::SourceSafety
        } else {
            Severity::Warning
        },
        due_at: found,
        subject: AlertSubject::Concern(c.id),
        source: Some(c.source),
        message: format!(
            "{codename}: a concern {what} was found founded on {}; reassess the source's risks and record a new risk assessment.",
            calendar::local_date(found)
        ),
    })
}

/// A task given after the latest risk assessment was not weighed by it: the assessment must
/// cover "the risk to the source of any tasking", and the system should "require
/// re-assessment on tasking change" (compliance.md §1.13). In force while the task is live
/// (issued or acknowledged), from its issue until a risk assessment of the source recorded at
/// or after the issue. A warning: the task stands (a controller may task before the paperwork
/// catches up); this is the reminder.
fn risk_behind_tasking_alert(
    t: &TaskingState,
    records: &HandlingRecords<'_>,
    now: DateTime<Utc>,
) -> Option<Alert> {
    if !t.is_live_at(now) || reassessed_since(records.risk_assessed, t.source, t.issued_at, now) {
        return None;
    }
    Some(Alert {
        kind: AlertKind::RiskAssessmentBehindTasking,
        severity: Severity::Warning,
        due_at: t.issued_at,
        subject: AlertSubject::Tasking(t.id),
        source: Some(t.source),
        message: format!(
            "{}: a task given on {} came after the latest risk assessment; record a risk assessment that weighs the risk of this task.",
            codename(records, t.source),
            calendar::local_date(t.issued_at)
        ),
    })
}

fn source_alerts(
    source: &Source,
    records: &HandlingRecords<'_>,
    policy: &AlertPolicy,
    now: DateTime<Utc>,
    out: &mut Vec<Alert>,
) {
    let alert = |kind, severity, due_at, subject, message: String| Alert {
        kind,
        severity,
        due_at,
        subject,
        source: Some(source.id),
        message,
    };
    let contacts: Vec<&Contact> = records
        .contacts
        .iter()
        .filter(|c| c.source == source.id)
        .collect();
    let last_held = contacts
        .iter()
        .filter(|c| c.status == ContactStatus::Held)
        .filter_map(|c| c.occurred_at.map(|at| (at, *c)))
        .max_by_key(|(at, _)| *at);
    if let Some((_, held)) = last_held
        && let Some(due) = held.next_contact_due
        && now >= due
    {
        out.push(alert(
            AlertKind::ContactOverdue,
            Severity::SourceSafety,
            due,
            AlertSubject::Source(source.id),
            format!(
                "{}: the next contact was due at {due} and none has been held since.",
                source.codename
            ),
        ));
    }
    let since = last_held.map(|(at, _)| at);
    for c in &contacts {
        let Some(when) = c.when() else { continue };
        match c.status {
            ContactStatus::Missed if since.is_none_or(|s| when > s) => out.push(alert(
                AlertKind::ContactMissed,
                Severity::SourceSafety,
                when,
                AlertSubject::Contact(c.id),
                format!("{}: a contact was missed and no contact has been held since.", source.codename),
            )),
            ContactStatus::Planned if now >= calendar::shift(when, policy.contact_outcome_grace) => out.push(alert(
                AlertKind::ContactOutcomeNotRecorded,
                Severity::SourceSafety,
                calendar::shift(when, policy.contact_outcome_grace),
                AlertSubject::Contact(c.id),
                format!("{}: a planned contact has passed with no outcome recorded; confirm the source is safe.", source.codename),
            )),
            _ => {}
        }
    }
    if matches!(
        source.state,
        SourceState::Recruited | SourceState::Suspended
    ) && roles::holders_at(records.roles, source.id, now).is_err()
    {
        // Due since the role period boundary (or the recruitment) that left the roles
        // uncovered: coverage only changes at a boundary, so the gap is the same at `since` as
        // at `now`, and the alert does not change with the passage of time alone.
        let since = records
            .roles
            .iter()
            .filter(|r| r.source == source.id)
            .flat_map(|r| [Some(r.from), r.until])
            .flatten()
            .chain(source.recruited_at)
            .filter(|t| *t <= now)
            .max();
        // No boundary yet (a record with no recruitment time and no role period begun): the
        // gap has been there as long as the record has.
        let message = match since {
            Some(at) => roles::holders_at(records.roles, source.id, at)
                .err()
                .map(|v| v.message.into_owned()),
            None => Some(
                "nobody is recorded as the source's handler, controller and record-keeper; every source must have them at all times.".to_owned(),
            ),
        };
        if let Some(message) = message {
            out.push(alert(
                AlertKind::RolesNotCovered,
                Severity::Critical,
                since.unwrap_or(DateTime::<Utc>::MIN_UTC),
                AlertSubject::Source(source.id),
                format!("{}: {message}", source.codename),
            ));
        }
    }
}

fn authorisation_alerts(
    auth: &Authorisation,
    records: &HandlingRecords<'_>,
    policy: &AlertPolicy,
    now: DateTime<Utc>,
    out: &mut Vec<Alert>,
) {
    let alert = |kind, severity, due_at, message: String| Alert {
        kind,
        severity,
        due_at,
        subject: AlertSubject::Authorisation(auth.id),
        source: Some(auth.source),
        message,
    };
    for notice in commissioner_notices(auth)
        .into_iter()
        .filter(|n| n.sent_at.is_none())
    {
        let overdue = now >= notice.due_at;
        out.push(alert(
            if overdue { AlertKind::CommissionerNoticeOverdue } else { AlertKind::CommissionerNoticeDue },
            if overdue { Severity::Critical } else { Severity::Warning },
            notice.due_at,
            format!(
                "The Judicial Commissioner must be notified of this criminal conduct {} by the end of {}.",
                notice.event.as_str(),
                calendar::last_day_of(notice.due_at)
            ),
        ));
    }
    if auth.written_record_at.is_none()
        && auth.cancellation.is_none()
        && let Some(due) = auth.written_record_due(&policy.holidays)
    {
        let overdue = now >= due;
        out.push(alert(
            if overdue {
                AlertKind::WrittenRecordOverdue
            } else {
                AlertKind::WrittenRecordDue
            },
            if overdue {
                Severity::Critical
            } else {
                Severity::Warning
            },
            due,
            format!(
                "The written record of this urgent oral authorisation is due by the end of {}.",
                calendar::last_day_of(due)
            ),
        ));
    }
    let expiry = auth.current_expiry();
    match auth.status(now) {
        AuthorisationStatus::Live => {
            if auth.cancellation_required() {
                let found = auth
                    .reviews
                    .iter()
                    .map(|r| r.reviewed_at)
                    .max()
                    .unwrap_or(now);
                out.push(alert(
                    AlertKind::CancellationRequired,
                    Severity::Critical,
                    found,
                    "The latest review found this authorisation no longer justified; it must be cancelled.".into(),
                ));
            }
            let mut windows = policy.expiry_warning_days.clone();
            windows.sort_unstable();
            if let Some(days) = windows
                .into_iter()
                .find(|d| now >= calendar::shift(expiry, -Duration::days(i64::from(*d))))
            {
                out.push(alert(
                    AlertKind::AuthorisationExpiring { within_days: days },
                    match days {
                        ..=7 => Severity::Critical,
                        8..=14 => Severity::Warning,
                        _ => Severity::Notice,
                    },
                    expiry,
                    format!("This authorisation expires at the end of {}; renew it before then or let it lapse deliberately.", calendar::last_day_of(expiry)),
                ));
            }
            let review_due = auth.next_review_due();
            if review_due < expiry {
                let soon = calendar::shift(
                    review_due,
                    -Duration::days(i64::from(policy.review_due_soon_days)),
                );
                if now >= review_due {
                    out.push(alert(
                        AlertKind::ReviewOverdue,
                        Severity::Critical,
                        review_due,
                        format!(
                            "A review of this authorisation was due by the end of {}.",
                            calendar::last_day_of(review_due)
                        ),
                    ));
                } else if now >= soon {
                    out.push(alert(
                        AlertKind::ReviewDue,
                        Severity::Warning,
                        review_due,
                        format!(
                            "A review of this authorisation is due by the end of {}.",
                            calendar::last_day_of(review_due)
                        ),
                    ));
                }
            }
        }
        AuthorisationStatus::Expired if auth.kind.is_use_and_conduct() => {
            let source_open = records
                .sources
                .iter()
                .find(|s| s.id == auth.source)
                .is_some_and(|s| {
                    matches!(s.state, SourceState::Recruited | SourceState::Suspended)
                });
            let replaced = records
                .authorisations
                .iter()
                .any(|a| a.source == auth.source && a.kind.is_use_and_conduct() && a.is_live(now));
            if source_open && !replaced {
                out.push(alert(
                    AlertKind::AuthorisationExpired,
                    Severity::Critical,
                    expiry,
                    format!(
                        "This authorisation expired at the end of {}; the source may not be used until a new one is granted.",
                        calendar::last_day_of(expiry)
                    ),
                ));
            }
        }
        _ => {}
    }
}

/// One alert and the span of time it is in force for, as long as the records do not change:
/// from `from` (inclusive) until `until` (exclusive; `None`: for as long as the records stay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledAlert {
    pub alert: Alert,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// The instants at which [`alerts`] over these records can change with the passage of time
/// alone: every `now >= …` comparison the rules above make, and the instants their inputs
/// (authorisation status, role coverage, the payment year) change at. Between two of them, and
/// after the last, the alerts are the same at every instant.
pub fn change_instants(records: &HandlingRecords<'_>, policy: &AlertPolicy) -> Vec<DateTime<Utc>> {
    let mut at: Vec<DateTime<Utc>> = Vec::new();
    for s in records.sources {
        at.extend(s.recruited_at);
    }
    for r in records.roles {
        at.push(r.from);
        at.extend(r.until);
    }
    for c in records.contacts {
        at.extend(c.next_contact_due);
        if let Some(when) = c.when() {
            at.push(when);
            at.push(calendar::shift(when, policy.contact_outcome_grace));
        }
        at.extend(c.occurred_at);
    }
    for a in records.authorisations {
        let expiry = a.current_expiry();
        at.push(a.granted_at);
        at.push(expiry);
        at.extend(a.cancellation.as_ref().map(|c| c.cancelled_at));
        for d in &policy.expiry_warning_days {
            at.push(calendar::shift(expiry, -Duration::days(i64::from(*d))));
        }
        let review_due = a.next_review_due();
        at.push(review_due);
        at.push(calendar::shift(
            review_due,
            -Duration::days(i64::from(policy.review_due_soon_days)),
        ));
        at.extend(a.reviews.iter().map(|r| r.reviewed_at));
        at.extend(commissioner_notices(a).iter().map(|n| n.due_at));
        at.extend(a.written_record_due(&policy.holidays));
    }
    // An unpaid payment counts in the year it would be paid in "now": the start of each London
    // year from the first payment to the year after the last one paid (after that, nothing paid
    // falls in the year any more).
    let years = records
        .payments
        .iter()
        .flat_map(|p| [Some(p.recorded_at), p.paid_at])
        .flatten()
        .map(|t| calendar::local_date(t).year());
    if let (Some(first), Some(last)) = (years.clone().min(), years.max()) {
        for y in first..=last.saturating_add(1) {
            if let Some(day) = chrono::NaiveDate::from_ymd_opt(y, 1, 1) {
                at.push(calendar::start_of_day(day));
            }
        }
    }
    for r in records.requirements {
        at.push(calendar::end_of_day(r.review_by));
    }
    for e in records.errors {
        at.extend(e.report_due(&policy.holidays));
    }
    for c in records.concerns {
        at.push(c.raised_at);
        at.extend(c.review.map(|r| r.reviewed_at));
    }
    at.extend(records.risk_assessed.iter().map(|a| a.at));
    for t in records.taskings {
        at.push(t.issued_at);
        at.extend(t.ended_at);
    }
    at.sort_unstable();
    at.dedup();
    at
}

/// Every alert these records raise at any instant, each with the span it is in force for: the
/// rules of [`alerts`] evaluated once before the first of the [`change_instants`] and once at
/// each of them, so `alerts(records, policy, now)` is exactly the scheduled alerts whose span
/// holds `now`, for every `now`. A store keeps this per source, replaced with each write about
/// the source, and selects `from <= now < until` without running the rules per request.
pub fn alert_schedule(records: &HandlingRecords<'_>, policy: &AlertPolicy) -> Vec<ScheduledAlert> {
    let instants = change_instants(records, policy);
    let mut out: Vec<ScheduledAlert> = Vec::new();
    let mut open: Vec<ScheduledAlert> = Vec::new();
    let first = instants
        .first()
        .map(|t| calendar::shift(*t, -Duration::milliseconds(1)));
    let points = std::iter::once((DateTime::<Utc>::MIN_UTC, first))
        .chain(instants.iter().map(|t| (*t, Some(*t))));
    for (from, probe) in points {
        let Some(probe) = probe else {
            // No instant at all: the alerts never change.
            open = alerts(records, policy, DateTime::<Utc>::MIN_UTC)
                .into_iter()
                .map(|alert| ScheduledAlert {
                    alert,
                    from,
                    until: None,
                })
                .collect();
            continue;
        };
        let now = alerts(records, policy, probe);
        let (kept, ended): (Vec<_>, Vec<_>) =
            open.into_iter().partition(|s| now.contains(&s.alert));
        out.extend(ended.into_iter().map(|mut s| {
            s.until = Some(from);
            s
        }));
        open = kept;
        for alert in now {
            if !open.iter().any(|s| s.alert == alert) {
                open.push(ScheduledAlert {
                    alert,
                    from,
                    until: None,
                });
            }
        }
    }
    out.extend(open);
    out
}
