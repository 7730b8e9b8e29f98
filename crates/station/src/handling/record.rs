//! The statutory record of one source (SI 2000/2725 reg 3(a)-(n)).

use super::access::{self, RECORD_READERS};
use super::authorisations::RiskView;
use super::reports::ReportView;
use super::sources::TrueIdentity;
use super::{PaymentView, RoleRow, SourceRow, TransitionRow};
use crate::{Principal, Station, StationError};
use humint_core::handling::payment::YearTotals;
use humint_core::handling::{Alert, Authorisation, Contact, Tasking};
use humint_store::{HandlingStore as _, Page, Store as _};
use std::collections::BTreeMap;

pub type AlertView = Alert;

/// A risk assessment with its welfare text (reg 3(e)-(f)).
#[derive(Debug, Clone)]
pub struct RiskRecord {
    pub view: RiskView,
    pub security_and_welfare: String,
    pub mitigations: String,
    pub physical_harm: Option<String>,
    pub psychological_harm: Option<String>,
}

/// Every particular reg 3 requires, for one source.
#[derive(Debug, Clone)]
pub struct SourceRecord {
    pub source: SourceRow,
    /// (a)-(d): identity, identities used, other authorities and their references.
    pub identity: TrueIdentity,
    /// (e)-(f): security and welfare, and the confirmation that risks were explained.
    pub risk_assessments: Vec<RiskRecord>,
    /// (g): when and in what circumstances the source was recruited (the recruiting transition).
    pub recruitment: Option<TransitionRow>,
    pub transitions: Vec<TransitionRow>,
    /// (h)-(i): who held each role and when.
    pub roles: Vec<RoleRow>,
    pub authorisations: Vec<Authorisation>,
    /// (j): tasks given.
    pub taskings: Vec<Tasking>,
    /// (k): every contact, with its note.
    pub contacts: Vec<(Contact, Option<String>)>,
    /// (l)-(m): information obtained and its dissemination.
    pub reports: Vec<(ReportView, String)>,
    /// (n): every payment, benefit, reward and offer, with yearly totals.
    pub payments: Vec<PaymentView>,
    pub payment_totals: BTreeMap<i32, YearTotals>,
    /// Concerns raised about the source and their reviews (compliance.md §1), newest first.
    pub concerns: Vec<super::ConcernView>,
}

impl Station {
    /// The full statutory record: for the source's handler and the compartment's controllers
    /// and authorising officers. It holds the identity, notes and report text, so the whole
    /// read is one audited event (refused attempts too).
    pub async fn source_record(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<SourceRecord, StationError> {
        let loaded = self.load_source(id).await?;
        let audit = self.handling_audit(
            p,
            "source.record.read",
            "source",
            id,
            &loaded.row.compartment,
        );
        let allowed = p
            .require_role(RECORD_READERS, "see a source's statutory record")
            .and_then(|_| {
                access::check_identity(p, &loaded, self.now_ms(), "see a source's statutory record")
            });
        if let Err(e) = allowed {
            self.store.append_audit(&audit.denied()).await?;
            return Err(e);
        }
        let mut risk_assessments = Vec::new();
        for r in self.store.risk_assessments(id).await? {
            let doc = self.risk_doc(&r)?;
            risk_assessments.push(RiskRecord {
                view: RiskView {
                    id: r.id.clone(),
                    assessed_by: r.assessed_by.clone(),
                    assessed_at_ms: r.assessed_at_ms,
                    level: r.level.clone(),
                    explained_to_source: r.explained,
                    understood_by_source: r.understood,
                },
                security_and_welfare: doc.security_and_welfare,
                mitigations: doc.mitigations,
                physical_harm: doc.physical_harm,
                psychological_harm: doc.psychological_harm,
            });
        }
        let transitions = self.opened_transitions(id).await?;
        let recruitment = transitions
            .iter()
            .rfind(|t| t.to_state == "recruited")
            .cloned();
        let mut contacts = Vec::new();
        let mut page = Page {
            after: None,
            limit: 500,
        };
        loop {
            let rows = self.store.contacts(id, &page).await?;
            let Some(last) = rows.last() else { break };
            page.after = Some(last.id.clone());
            for row in &rows {
                let notes = match self.store.contact_notes(&row.id).await? {
                    Some(blob) => {
                        let plain = self.decrypt_field("contacts", "notes", &row.id, &blob)?;
                        Some(String::from_utf8_lossy(&plain).into_owned())
                    }
                    None => None,
                };
                let contact: Contact =
                    self.open_record(&row.id, &row.doc, row.text_sealed.as_deref())?;
                contacts.push((contact, notes));
            }
        }
        let mut reports = Vec::new();
        let mut page = Page {
            after: None,
            limit: 500,
        };
        loop {
            let rows = self.store.reports(id, &page).await?;
            let Some(last) = rows.last() else { break };
            page.after = Some(last.id.clone());
            for row in &rows {
                let blob = self
                    .store
                    .report_content(&row.id)
                    .await?
                    .unwrap_or_default();
                let plain = self.decrypt_field("reports", "content", &row.id, &blob)?;
                let view = self.report_view(&loaded.row, &row.id).await?;
                reports.push((view, String::from_utf8_lossy(&plain).into_owned()));
            }
        }
        let (payments, payment_totals) = self.payments(p, id).await?;
        let taskings = self
            .store
            .taskings(id)
            .await?
            .iter()
            .map(|t| self.open_tasking(t))
            .collect::<Result<_, _>>()?;
        // Read under the record's own audit event.
        let (concerns, _) = self
            .concern_views(
                p,
                id,
                super::concerns::CONCERN_TEXT_READERS.contains(&p.role),
            )
            .await?;
        let record = SourceRecord {
            concerns,
            identity: self.identity_plain(id).await?,
            source: loaded.row.clone(),
            risk_assessments,
            recruitment,
            transitions,
            roles: loaded.role_rows.clone(),
            authorisations: loaded.auths.clone(),
            taskings,
            contacts,
            reports,
            payments,
            payment_totals,
        };
        self.store.append_audit(&audit).await?;
        Ok(record)
    }
}
