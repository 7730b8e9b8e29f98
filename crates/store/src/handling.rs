//! Storage of the handling cycle: requirements, sources, roles, risk assessments,
//! authorisations, taskings, contacts, payments, reports, claims, disseminations, outcomes.
//!
//! The store decides nothing here. The station loads the records a rule needs, calls the pure
//! rule in `humint_core::handling`, and hands back the writes the decision implies; this module
//! persists them in one transaction with their audit events. Rows keep in columns what SQL
//! filters, orders and pages on, and in `doc` the rest of the core record as JSON. Encrypted
//! columns arrive here as ciphertext only.
//!
//! Concurrency: every write about a source names the source version it was decided on
//! ([`SourceGuard`]); the version is bumped in the same transaction, so a decision made on a
//! stale read (two officers granting at once) is refused with `Conflict` rather than stored.

mod boilerplate;
mod concerns;
mod register;
mod sql;
pub(crate) use sql::reschedule_source;
mod write;

pub use boilerplate::*;
pub use concerns::*;
pub use register::*;

use crate::{AuditContext, Result, Store};
use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementRow {
    pub id: String,
    pub compartment_id: String,
    /// The compartment's name (filled on read; ignored on write).
    pub compartment: String,
    pub title: String,
    pub detail: String,
    pub priority: i64,
    pub opened_at_ms: i64,
    /// London day, `YYYY-MM-DD`.
    pub review_by: String,
    pub review_due_at_ms: i64,
    pub closed_at_ms: Option<i64>,
    pub created_by: String,
    /// Sources with an issued or agreed tasking against it (filled on read).
    pub tasked_sources: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    pub id: String,
    pub compartment_id: String,
    /// The compartment's name (filled on read; ignored on write).
    pub compartment: String,
    pub codename: String,
    pub state: String,
    pub origin: String,
    pub juvenile: bool,
    pub vulnerable: bool,
    pub undercover: bool,
    pub recruited_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub created_by: String,
    pub version: i64,
    /// The declared motivation's name (migration 0013); `None` when not recorded.
    pub motivation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRow {
    pub id: String,
    pub source_id: String,
    pub from_state: String,
    pub to_state: String,
    pub at_ms: i64,
    pub actor: String,
    /// The event's document in plaintext: blank in rows written since migration 0014 (and in
    /// older rows once sealed); the station reads `doc_sealed` and fills this when it opens it.
    pub doc: String,
    /// The event's document as an envelope (`None` only in a row written before 0014 that no
    /// station has sealed yet).
    pub doc_sealed: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRow {
    pub id: String,
    pub source_id: String,
    pub role: String,
    pub officer_id: String,
    /// The officer's username (filled on read; ignored on write).
    pub officer_name: String,
    pub from_ms: i64,
    pub until_ms: Option<i64>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct RiskRow {
    pub id: String,
    pub source_id: String,
    pub assessed_by: String,
    pub assessed_at_ms: i64,
    pub level: String,
    pub explained: bool,
    pub understood: bool,
    /// Ciphertext of the welfare text.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for RiskRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RiskRow")
            .field("id", &self.id)
            .field("source_id", &self.source_id)
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorisationRow {
    pub id: String,
    pub source_id: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub granted_by: String,
    pub granted_at_ms: i64,
    pub expires_at_ms: i64,
    pub cancelled_at_ms: Option<i64>,
    pub next_review_due_ms: i64,
    /// The authorisation as a document, its justification and the free text of its reviews,
    /// renewals and cancellation blank in rows written since migration 0016 (and in older rows
    /// once sealed): what the alert scheduler decodes without keys.
    pub doc: String,
    /// That text as an envelope, which the station opens and merges back (`None` only in a
    /// row written before 0016 that no station has sealed yet).
    pub text_sealed: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskingRow {
    pub id: String,
    pub source_id: String,
    pub requirement_id: String,
    pub authorisation_id: String,
    pub issued_by: String,
    pub issued_at_ms: i64,
    pub status: String,
    /// The tasking's document in plaintext: blank in rows written since migration 0015 (and
    /// in older rows once sealed); the station reads `doc_sealed` and fills this.
    pub doc: String,
    /// The document as an envelope (`None` only in a row written before 0015 that no station
    /// has sealed yet).
    pub doc_sealed: Option<Vec<u8>>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub id: String,
    pub source_id: String,
    pub status: String,
    pub at_ms: i64,
    pub next_contact_due_ms: Option<i64>,
    pub recorded_by: String,
    pub recorded_at_ms: i64,
    /// The contact as a document, its location alias and fallback arrangements blanked in
    /// rows written since migration 0016 (and in older rows once sealed): what the alert
    /// scheduler decodes without keys.
    pub doc: String,
    /// The blanked free text as an envelope, which the station opens and merges back (`None`
    /// only in a row written before 0016 that no station has sealed yet).
    pub text_sealed: Option<Vec<u8>>,
    /// Ciphertext of the contact note. Lists leave it out (`None`); read it with
    /// [`HandlingStore::contact_notes`].
    pub notes: Option<Vec<u8>>,
}

impl std::fmt::Debug for ContactRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactRow")
            .field("id", &self.id)
            .field("source_id", &self.source_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: String,
    pub source_id: String,
    pub kind: String,
    pub amount_minor: i64,
    pub recorded_at_ms: i64,
    pub approved_at_ms: Option<i64>,
    pub paid_at_ms: Option<i64>,
    /// The payment as a document, its purpose blank in rows written since migration 0016
    /// (and in older rows once sealed): what the alert scheduler decodes without keys.
    pub doc: String,
    /// The purpose as an envelope, which the station opens and merges back (`None` only in a
    /// row written before 0016 that no station has sealed yet).
    pub text_sealed: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: String,
    pub source_id: String,
    pub contact_id: Option<String>,
    pub requirement_id: Option<String>,
    pub status: String,
    pub source_grade: Option<String>,
    pub info_grade: Option<i64>,
    pub handling_code: Option<String>,
    pub graded_by: Option<String>,
    pub graded_at_ms: Option<i64>,
    pub created_by: String,
    /// When the report was written into the database (the ledger's time too).
    pub created_at_ms: i64,
    /// When the source gave the information (migration 0020): the report's time for the
    /// validation (volume, who reported first, open press). At or before `created_at_ms`.
    pub reported_at_ms: i64,
}

#[derive(Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub id: String,
    pub report_id: String,
    pub observed_at_ms: i64,
    pub recorded_by: String,
    pub recorded_at_ms: i64,
    /// Ciphertext of (subject, attribute, value).
    pub content: Vec<u8>,
}

impl std::fmt::Debug for ClaimRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimRow")
            .field("id", &self.id)
            .field("report_id", &self.report_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisseminationRow {
    pub id: String,
    pub report_id: String,
    pub recipient: String,
    pub handling_code: String,
    pub sanitised: bool,
    pub disseminated_by: String,
    pub disseminated_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRow {
    pub id: String,
    pub claim_id: String,
    pub verdict: String,
    pub means: String,
    pub established_at_ms: i64,
    pub recorded_by: String,
    pub recorded_at_ms: i64,
}

/// One change a handling decision implies. A service call hands the store all of its changes
/// at once, so they land together with the audit events or not at all.
#[derive(Debug, Clone)]
pub enum HandlingWrite {
    InsertRequirement(RequirementRow),
    /// A new source and the ciphertext of its true identity.
    InsertSource {
        row: SourceRow,
        true_identity: Vec<u8>,
    },
    SetSourceState {
        source_id: String,
        state: String,
        recruited_at_ms: Option<i64>,
    },
    /// A source's declared motivation changed (`None`: not recorded).
    SetSourceMotivation {
        source_id: String,
        motivation: Option<String>,
    },
    InsertTransition(TransitionRow),
    InsertRole(RoleRow),
    /// Ends a role period (a handover).
    CloseRole {
        id: String,
        until_ms: i64,
    },
    InsertRisk(RiskRow),
    InsertAuthorisation(AuthorisationRow),
    /// Replaces the authorisation's columns and doc (a review, renewal, cancellation or notice
    /// appended to its history).
    UpdateAuthorisation(AuthorisationRow),
    InsertTasking(TaskingRow),
    InsertContact(ContactRow),
    /// Records the outcome of a planned contact (`notes: None` keeps the stored note).
    UpdateContact(ContactRow),
    InsertPayment(PaymentRow),
    UpdatePayment(PaymentRow),
    InsertReport {
        row: ReportRow,
        content: Vec<u8>,
    },
    /// Status and grading columns.
    UpdateReport(ReportRow),
    InsertClaim(ClaimRow),
    InsertDissemination(DisseminationRow),
    InsertOutcome(OutcomeRow),
    InsertRelevantError(RelevantErrorRow),
    /// Establishment and report columns.
    UpdateRelevantError(RelevantErrorRow),
    /// A review (new review-by) or closure of a requirement.
    UpdateRequirement {
        id: String,
        review_by: String,
        review_due_at_ms: i64,
        closed_at_ms: Option<i64>,
    },
    InsertRequirementEvent(RequirementEventRow),
    /// A tasking's status and its doc (with the status history).
    UpdateTasking {
        id: String,
        source_id: String,
        status: String,
        /// The new document as an envelope; the plaintext column is blanked.
        doc_sealed: Vec<u8>,
    },
    InsertBreakGlass(BreakGlassRow),
    InsertGrading(GradingRow),
    /// A grade decision with its suggestion and rationale (issue 4), beside `UpdateReport`.
    InsertGradeDecision(crate::reliability::GradeDecisionRow),
    /// The boilerplate comparison of an authorisation granted in the same call (after its
    /// `InsertAuthorisation`; migration 0021). `compared`: how many other authorisations the
    /// compartment held when they were read to compare (`None` when none was read); refused
    /// with `Conflict` ([`COMPARTMENT_AUTHORISATIONS_CHANGED`]) if it holds another number now.
    InsertTextCheck {
        compartment_id: String,
        compared: Option<i64>,
        check: TextCheckRow,
    },
}

/// The source version a decision was made on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceGuard {
    pub source_id: String,
    pub version: i64,
}

/// Keyset pagination: rows after `after` (an id; ids are time-ordered UUIDv7), at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub after: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFilter {
    /// Only sources in compartments this user is read into.
    pub reader: String,
    pub compartment: Option<String>,
    pub state: Option<String>,
    /// Only sources this officer currently handles.
    pub handled_by: Option<String>,
    /// Only sources whose suggested reliability letter (A-F) is this.
    pub letter: Option<String>,
    pub page: Page,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementFilter {
    /// Only requirements in compartments this user is read into.
    pub reader: String,
    pub compartment: Option<String>,
    pub open_only: bool,
    /// Coverage view: only open requirements no source is tasked against (issued or agreed).
    pub uncovered_only: bool,
    pub page: Page,
}

/// What one source's alert schedule is computed from, read inside the transaction that
/// changed the source: the records the alert rules read, narrowed in SQL to those the rules
/// can raise an alert from (the latest held contact, missed ones since it, planned ones;
/// payments, not offers; no cancelled authorisation but a criminal conduct one).
#[derive(Debug, Clone)]
pub struct SourceAlertInputs {
    pub source: SourceRow,
    pub authorisations: Vec<AuthorisationRow>,
    pub roles: Vec<RoleRow>,
    pub contacts: Vec<ContactRow>,
    pub payments: Vec<PaymentRow>,
    /// Concerns raised about the source, with their reviews (migration 0018).
    pub concerns: Vec<ConcernRow>,
    /// When each version of the source's risk assessment was made (the plain column; the
    /// welfare text stays sealed), oldest first.
    pub risk_assessed_at_ms: Vec<i64>,
    /// The source's live taskings (issued, acknowledged or the legacy agreed): an ended one
    /// raises no alert from the write that ended it onwards.
    pub live_taskings: Vec<TaskingRow>,
    /// The payment approval thresholds as stored ([`crate::PAYMENT_SETTINGS`]; `None`: not
    /// set), read in the same transaction, so every server schedules by the policy in force
    /// (read only when the source has payments).
    pub payment_settings: [Option<String>; 2],
}

/// One scheduled alert: in force from `starts_at_ms` (inclusive) to `ends_at_ms` (exclusive;
/// `None`: until its owner's records change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertScheduleRow {
    /// `<owner_id>/<n>`.
    pub id: String,
    /// The source or requirement whose records raise it; its rows are replaced together.
    pub owner_id: String,
    pub source_id: Option<String>,
    pub compartment_id: String,
    pub kind: String,
    /// 0 notice … 3 source safety.
    pub severity: i64,
    pub due_at_ms: i64,
    pub starts_at_ms: i64,
    pub ends_at_ms: Option<i64>,
    /// The core's alert as JSON.
    pub doc: String,
    /// The source's current handler, filled by the store when it keeps the row (what a
    /// scheduler returns is ignored).
    pub handler_id: Option<String>,
    /// Only for those who keep the compartment's relevant-error register (controllers,
    /// authorising officers, auditors), not handlers or analysts.
    pub keepers_only: bool,
}

/// Computes alert schedules for the store (the station does, with the core's rules), so the
/// store can keep them in the same transaction as every write that changes them without
/// deciding anything itself.
pub trait AlertScheduler: Send + Sync + std::fmt::Debug {
    fn source_schedule(
        &self,
        inputs: &SourceAlertInputs,
    ) -> std::result::Result<Vec<AlertScheduleRow>, String>;
    fn requirement_schedule(
        &self,
        row: &RequirementRow,
    ) -> std::result::Result<Vec<AlertScheduleRow>, String>;
    /// The "error report due" / "overdue" alerts of one relevant error.
    fn error_schedule(
        &self,
        row: &RelevantErrorRow,
    ) -> std::result::Result<Vec<AlertScheduleRow>, String>;
}

/// Where a page of alerts starts: after this (severity, due time, id) in the order
/// most urgent first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertCursor {
    pub severity: i64,
    pub due_at_ms: i64,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertQuery {
    /// Only alerts in compartments this user is read into.
    pub reader: String,
    /// Only alerts about sources this officer currently handles (and those about no source).
    pub handled_by: Option<String>,
    /// `false`: only alerts about no source (an analyst's).
    pub about_sources: bool,
    /// Whether the reader keeps the relevant-error register (sees its alerts).
    pub keeps_register: bool,
    /// In force at this instant.
    pub now_ms: i64,
    pub kind: Option<String>,
    pub after: Option<AlertCursor>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertPage {
    pub rows: Vec<AlertScheduleRow>,
    /// (kind, how many in force for this reader), whatever the page and kind filter.
    pub counts: Vec<(String, i64)>,
    /// The first instant after `now_ms` at which this answer could change with no write: an
    /// alert in force ends or one in the reader's compartments starts. `None`: nothing is due
    /// to change.
    pub next_change_ms: Option<i64>,
}

#[async_trait]
pub trait HandlingStore: Store {
    /// Applies a decision's writes and audit events in one transaction, after checking (and
    /// bumping) the source version it was decided on.
    async fn handling_write(
        &self,
        guard: Option<&SourceGuard>,
        writes: &[HandlingWrite],
        audit: &[AuditContext],
    ) -> Result<()>;

    async fn requirement(&self, id: &str) -> Result<Option<RequirementRow>>;
    async fn list_requirements(&self, filter: &RequirementFilter) -> Result<Vec<RequirementRow>>;

    async fn source(&self, id: &str) -> Result<Option<SourceRow>>;
    async fn list_sources(&self, filter: &SourceFilter) -> Result<Vec<SourceRow>>;
    async fn source_count(&self) -> Result<i64>;
    /// Ciphertext of the true identity.
    async fn source_identity(&self, id: &str) -> Result<Option<Vec<u8>>>;
    async fn source_transitions(&self, source_id: &str) -> Result<Vec<TransitionRow>>;
    async fn source_roles(&self, source_id: &str) -> Result<Vec<RoleRow>>;
    async fn risk_assessments(&self, source_id: &str) -> Result<Vec<RiskRow>>;
    async fn authorisations(&self, source_id: &str) -> Result<Vec<AuthorisationRow>>;
    async fn authorisation(&self, id: &str) -> Result<Option<AuthorisationRow>>;
    async fn taskings(&self, source_id: &str) -> Result<Vec<TaskingRow>>;
    /// A source's contacts, newest first, paged by id; notes left out.
    async fn contacts(&self, source_id: &str, page: &Page) -> Result<Vec<ContactRow>>;
    async fn contact(&self, id: &str) -> Result<Option<ContactRow>>;
    async fn contact_notes(&self, id: &str) -> Result<Option<Vec<u8>>>;
    async fn payments(&self, source_id: &str) -> Result<Vec<PaymentRow>>;
    async fn payment(&self, id: &str) -> Result<Option<PaymentRow>>;
    async fn reports(&self, source_id: &str, page: &Page) -> Result<Vec<ReportRow>>;
    async fn report(&self, id: &str) -> Result<Option<ReportRow>>;
    /// Ciphertext of the debrief text.
    async fn report_content(&self, id: &str) -> Result<Option<Vec<u8>>>;
    async fn claims(&self, report_id: &str) -> Result<Vec<ClaimRow>>;
    async fn claim(&self, id: &str) -> Result<Option<ClaimRow>>;
    async fn disseminations(&self, report_id: &str) -> Result<Vec<DisseminationRow>>;
    async fn outcomes(&self, claim_id: &str) -> Result<Vec<OutcomeRow>>;

    /// The alerts in force for a reader at an instant, most urgent first, one page of them, and
    /// how many of each kind there are (one snapshot).
    async fn alert_page(&self, query: &AlertQuery) -> Result<AlertPage>;
    /// Whether every existing source's schedule has been computed.
    async fn alert_schedule_built(&self) -> Result<bool>;
    /// Deletes the spans that ended at or before `ended_by_ms`: time only moves forward, so
    /// they can never be in force again, and every alerts query would step over them. Returns
    /// how many were deleted.
    async fn prune_alert_schedule(&self, ended_by_ms: i64) -> Result<u64>;
    /// Recomputes every source's and open requirement's schedule with the installed
    /// [`AlertScheduler`] (a station upgraded from before the schedule, or a restored backup
    /// without it), a few hundred sources per transaction, then records that it is built.
    /// Returns how many owners were scheduled.
    async fn rebuild_alert_schedule(&self) -> Result<u64>;

    /// Bulk load for benchmark and demo stations: many contacts in one transaction under one
    /// audit event, without per-source guards. Not reachable from the API.
    async fn bulk_insert_contacts(&self, rows: &[ContactRow], audit: &AuditContext) -> Result<()>;
}
