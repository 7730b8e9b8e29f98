//! The handling cycle as station services: requirements, sources and their lifecycle, roles,
//! risk assessments, authorisations, taskings, contacts, payments, reports, the statutory
//! record and alerts.
//!
//! Every service follows one pattern: check role and compartment, load the records the rule
//! reads, call the pure rule in `humint_core::handling` (never re-decide it here), and hand the
//! store the writes the decision implies together with the audit event, as one transaction
//! guarded by the source version the decision was made on.
//!
//! True identities, risk-assessment welfare text, contact notes, report text, claims, grade
//! rationales and the register's free text (error descriptions and references, requirement
//! notes, break-glass reasons) are encrypted fields. Their plaintext exists only inside a call; a person's read of identity,
//! notes or report text is an audit event; analysts are never given them. The date of birth is
//! decrypted only to compute the [`AgeBand`] a rule needs.

mod access;
mod activity;
mod alerts;
mod audit_log;
mod authorisations;
mod boilerplate;
mod break_glass;
mod codenames;
mod concerns;
mod convert;
pub mod demo;
mod dependence;
mod errors;
mod import;
mod inspection;
mod open_press;
mod progress;
mod record;
mod reliability;
mod reliability_memo;
mod reliability_queue;
mod reports;
mod requirements;
mod sealed_text;
mod sources;

pub use access::{CLAIMERS, IDENTITY_READERS, READERS, RECORD_READERS, RUNNERS};
pub use activity::{ContactInput, ContactOutcomeInput, PaymentInput, PaymentView, TaskingInput};
pub(crate) use alerts::AlertsCache;
pub use alerts::{AlertsPage, AlertsRequest};
pub use audit_log::{AuditEntry, AuditPage, AuditQuery};
pub use authorisations::{
    CancellationInput, GrantInput, RenewalInput, ReviewInput, RiskInput, RiskView,
};
pub use boilerplate::{Granted, TextRepeat};
pub use break_glass::{BREAK_GLASS_READERS, BreakGlassEvent};
pub use concerns::{
    CONCERN_REVIEWERS, CONCERN_TEXT_READERS, ConcernInput, ConcernReviewInput, ConcernReviewView,
    ConcernView,
};
pub use demo::{DemoOfficer, DemoSummary, fill_demo};
pub use dependence::{DependenceGroupView, DependenceView, DependentPair, GroupMember};
pub use errors::{ERROR_RECORDERS, ErrorInput, ErrorView};
pub use humint_store::{BreakGlassRow, GradingRow, RequirementEventRow};
pub use humint_store::{
    DisseminationRow, OutcomeRow, ReportRow, RequirementRow, RoleRow, SourceRow, TransitionRow,
};
pub use import::MAX_IMPORT_REPORTS;
pub use inspection::{
    AuthorisationEntry, CancellationEntry, Finding, InspectionPack, InspectionPeriod, NoticeEntry,
    PackSummary, PaymentSection, PaymentTotals, RenewalEntry, ReviewEntry, SafeguardEntry,
    ThresholdPayment,
};
pub use open_press::{OpenSourceItemInput, OpenSourceItemView, PressEcho};
pub use progress::{RequirementEvent, RequirementHistory};
pub use record::{AlertView, SourceRecord};
pub use reliability::{
    ClaimAssessment, DependentOutlet, DependentSource, GradeDecisionView, HistoryPoint,
    ReliabilityEvidence, ReliabilityView, ReportAssessment, SourceEstimateView,
};
pub(crate) use reliability_memo::ReliabilityMemo;
pub(crate) use reliability_queue::ReliabilityQueue;
pub use reports::{ClaimInput, ClaimView, DisseminationInput, GradeInput, ReportInput, ReportView};
pub use reports::{ReportListRequest, ReportSummary};
pub use requirements::RequirementInput;
pub use sources::{
    AuthorityReference, ListedReliability, NewSource, SourceDetail, SourceListFilter, TrueIdentity,
    motivation_of,
};

use crate::{Principal, Station, StationError};
use chrono::{DateTime, NaiveDate, Utc};
use humint_core::handling::{
    AgeBand, Authorisation, OfficerId, RiskAssessment, RoleAssignment, Source, calendar,
};
use humint_crypto::FieldRef;
use humint_store::{AuditContext, Page, SourceGuard, StoreError};

/// The instant type of the core's records (so callers need not name chrono).
pub type Instant = DateTime<Utc>;
/// A page request for the list services.
pub type PageRequest = Page;

/// The most rows one page of a list may hold.
pub const MAX_PAGE: i64 = 500;
pub const DEFAULT_PAGE: i64 = 50;

/// A page request as the API receives it: an optional cursor and size.
pub fn page(after: Option<String>, limit: Option<i64>) -> Result<Page, StationError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(StationError::invalid(
            "INVALID_PAGE",
            format!("limit must be between 1 and {MAX_PAGE}"),
        ));
    }
    Ok(Page {
        after: after.filter(|a| !a.is_empty()),
        limit,
    })
}

/// An instant from RFC 3339 text (`2026-03-02T09:00:00Z`).
pub fn parse_instant(field: &str, text: &str) -> Result<DateTime<Utc>, StationError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            StationError::invalid(
                "INVALID_TIME",
                format!("{field} must be a time such as 2026-03-02T09:00:00Z"),
            )
        })
}

/// A calendar day from `YYYY-MM-DD`.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, StationError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        StationError::invalid(
            "INVALID_DATE",
            format!("{field} must be a date such as 2026-03-02"),
        )
    })
}

/// Free text a person types: required ones must not be blank, and no field may be huge.
pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<String, StationError> {
    if value.len() > max {
        return Err(StationError::invalid(
            "TEXT_TOO_LONG",
            format!("{field} may be at most {max} bytes"),
        ));
    }
    Ok(value.to_owned())
}

pub(crate) const SHORT: usize = 200;
pub(crate) const LONG: usize = 64 * 1024;

/// The officer id the rules know a principal by.
pub(crate) fn officer_id(p: &Principal) -> Result<OfficerId, StationError> {
    OfficerId::parse(&p.user_id).ok_or_else(|| {
        StationError::forbidden("this action needs a signed-in officer, not the system account")
    })
}

/// Store refusals in the terms of the handling API: a lost race is a conflict to retry.
pub(crate) fn stored(e: StoreError) -> StationError {
    match e {
        StoreError::Conflict { what } if what.starts_with("a newer change") => {
            StationError::Conflict {
                code: "STALE_RECORD",
                message: "someone else changed this source while you were deciding; reload it and try again".to_owned(),
            }
        }
        StoreError::Conflict { what } if what == humint_store::COMPARTMENT_AUTHORISATIONS_CHANGED => {
            StationError::Conflict {
                code: "STALE_RECORD",
                message: "other authorisations kept being granted in this compartment while this one was compared with them; try again".to_owned(),
            }
        }
        other => other.into(),
    }
}

pub(crate) fn ms_time(ms: i64) -> Result<DateTime<Utc>, StationError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StationError::Io(format!("a stored time is out of range: {ms}")))
}

/// A source's records as the rules read them, and the version they were read at.
pub(crate) struct Loaded {
    pub row: SourceRow,
    pub source: Source,
    pub role_rows: Vec<RoleRow>,
    pub roles: Vec<RoleAssignment>,
    pub risks: Vec<RiskAssessment>,
    pub auths: Vec<Authorisation>,
}

impl Loaded {
    pub fn guard(&self) -> SourceGuard {
        SourceGuard {
            source_id: self.row.id.clone(),
            version: self.row.version,
        }
    }

    pub fn decision(&self) -> humint_core::handling::DecisionContext<'_> {
        humint_core::handling::DecisionContext {
            source: &self.source,
            roles: &self.roles,
            risk_assessments: &self.risks,
            authorisations: &self.auths,
        }
    }

    /// The officer currently holding a role, if anyone.
    pub fn holder(&self, role: &str, now_ms: i64) -> Option<&RoleRow> {
        self.role_rows.iter().find(|r| {
            r.role == role && r.from_ms <= now_ms && r.until_ms.is_none_or(|u| now_ms < u)
        })
    }
}

impl Station {
    pub(crate) fn handling_audit(
        &self,
        actor: &Principal,
        action: &str,
        object_type: &str,
        object_id: &str,
        compartment: &str,
    ) -> AuditContext {
        AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            action,
            object_type,
            object_id,
        )
        .in_compartment(compartment)
    }

    pub(crate) fn encrypt_field(
        &self,
        table: &'static str,
        column: &'static str,
        row: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, StationError> {
        Ok(self
            .keyring()?
            .encrypt(FieldRef { table, column, row }, plaintext, self.entropy())?)
    }

    pub(crate) fn decrypt_field(
        &self,
        table: &'static str,
        column: &'static str,
        row: &str,
        blob: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, StationError> {
        Ok(self
            .keyring()?
            .decrypt(FieldRef { table, column, row }, blob)?)
    }

    /// The source's row, or 404.
    pub(crate) async fn source_row(&self, id: &str) -> Result<SourceRow, StationError> {
        use humint_store::HandlingStore as _;
        self.store
            .source(id)
            .await?
            .ok_or(StationError::NotFound { what: "source" })
    }

    /// Everything a rule about the source reads.
    pub(crate) async fn load_source(&self, id: &str) -> Result<Loaded, StationError> {
        use humint_store::HandlingStore as _;
        let row = self.source_row(id).await?;
        let role_rows = self.store.source_roles(id).await?;
        let roles = role_rows
            .iter()
            .map(convert::role)
            .collect::<Result<Vec<_>, _>>()?;
        let mut risks = Vec::new();
        for r in self.store.risk_assessments(id).await? {
            risks.push(self.risk_from_row(&r)?);
        }
        let auths = self
            .store
            .authorisations(id)
            .await?
            .iter()
            .map(|a| self.open_record::<Authorisation>(&a.id, &a.doc, a.text_sealed.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Loaded {
            source: convert::source(&row)?,
            row,
            role_rows,
            roles,
            risks,
            auths,
        })
    }

    /// The source's age band on the London day of `at`, from the decrypted date of birth,
    /// which is dropped (zeroised) before this returns.
    pub(crate) async fn age_band(
        &self,
        source_id: &str,
        at: DateTime<Utc>,
    ) -> Result<AgeBand, StationError> {
        let identity = self.identity_plain(source_id).await?;
        Ok(AgeBand::on(
            identity.date_of_birth,
            calendar::local_date(at),
        ))
    }
}
