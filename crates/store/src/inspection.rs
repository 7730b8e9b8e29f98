//! Reads for the inspector: the records an inspection pack covers for a period, and the audit
//! ledger searched and paged in the database. Reads only; the pack's own read is audited by
//! the station with [`Store::append_audit`](crate::Store::append_audit).

use crate::{AuthorisationRow, ContactRow, HandlingStore, PaymentRow, Result, SourceRow};
use async_trait::async_trait;
use humint_audit::AuditEvent;

/// Which records a pack covers: the reader's compartments (`None`: every compartment, for the
/// operator's command line) and the period `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionScope {
    pub reader: Option<String>,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// The records of the scope's sources, narrowed in SQL to what can matter for the period.
#[derive(Debug, Clone, Default)]
pub struct InspectionInputs {
    /// Sources created before the period ended.
    pub sources: Vec<SourceRow>,
    /// Authorisations granted before the period ended and not cancelled before it began.
    pub authorisations: Vec<AuthorisationRow>,
    /// Held contacts inside the period (notes left out).
    pub contacts: Vec<ContactRow>,
    /// Payments and offers recorded before the period ended (earlier ones count towards the
    /// yearly approval threshold).
    pub payments: Vec<PaymentRow>,
    /// Every officer's (id, username), to name who decided what.
    pub officers: Vec<(String, String)>,
    /// Compartment names in scope, in order.
    pub compartments: Vec<String>,
    /// Relevant errors identified before the period ended and not reported before it began.
    pub errors: Vec<crate::RelevantErrorRow>,
    /// Concerns raised about the scope's sources before the period ended and not reviewed
    /// before it began (migration 0018; their envelopes are never opened for the pack).
    pub concerns: Vec<crate::ConcernRow>,
}

/// An audit-log search, newest first. Every field narrows it; `before_seq` is the cursor (the
/// last sequence number of the previous page).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// Only events outside any compartment or in a compartment this user is read into
    /// (`None`: every event).
    pub reader: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub before_seq: Option<i64>,
    pub limit: i64,
}

#[async_trait]
pub trait InspectionStore: HandlingStore {
    async fn inspection_inputs(&self, scope: &InspectionScope) -> Result<InspectionInputs>;
    /// Events matching the filter, newest first, at most `limit`.
    async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>>;
}
