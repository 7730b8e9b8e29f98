//! The statutory record of one source (SI 2000/2725 reg 3(a)-(n)) and the alerts list.

use super::access::{self, RECORD_READERS};
use super::authorisations::RiskView;
use super::convert::{self, from_doc};
use super::reports::ReportView;
use super::sources::TrueIdentity;
use super::{PaymentView, RoleRow, SourceRow, TransitionRow};
use crate::{Principal, Station, StationError};
use chrono::Datelike;
use chrono::{DateTime, Utc};
use humint_core::handling::payment::YearTotals;
use humint_core::handling::{
    Alert, AlertPolicy, Authorisation, Contact, HandlingRecords, Payment, Priority, Requirement,
    RoleAssignment, Source, Tasking, calendar,
};
use humint_core::{Id, Role};
use humint_store::{AlertScope, HandlingStore as _, Page, Store as _};
use std::collections::{BTreeMap, HashMap};

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
        let transitions = self.store.source_transitions(id).await?;
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
                contacts.push((from_doc::<Contact>(&row.doc)?, notes));
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
            .map(|t| from_doc(&t.doc))
            .collect::<Result<_, _>>()?;
        let record = SourceRecord {
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

    /// What needs doing now, for this caller: the core's alerts over the records of the
    /// caller's compartments (a handler: their own sources), most urgent first.
    pub async fn alerts(&self, p: &Principal) -> Result<Vec<AlertView>, StationError> {
        p.require_role(super::READERS, "see alerts")?;
        let now = self.clock().now();
        let year = calendar::local_date(now).year();
        let since = chrono::NaiveDate::from_ymd_opt(year - 1, 1, 1)
            .map(calendar::start_of_day)
            .unwrap_or(now);
        let scope = AlertScope {
            reader: p.user_id.clone(),
            handled_by: (p.role == Role::Handler).then(|| p.user_id.clone()),
            now_ms: now.timestamp_millis(),
            payments_since_ms: since.timestamp_millis(),
        };
        let inputs = self.store.alert_inputs(&scope).await?;
        let sources = inputs
            .sources
            .iter()
            .map(convert::source)
            .collect::<Result<Vec<_>, _>>()?;
        let authorisations = inputs
            .authorisations
            .iter()
            .map(|a| from_doc::<Authorisation>(&a.doc))
            .collect::<Result<Vec<_>, _>>()?;
        let roles = inputs
            .roles
            .iter()
            .map(convert::role)
            .collect::<Result<Vec<_>, _>>()?;
        let contacts = inputs
            .contacts
            .iter()
            .map(|c| from_doc::<Contact>(&c.doc))
            .collect::<Result<Vec<_>, _>>()?;
        let payments = inputs
            .payments
            .iter()
            .map(|c| from_doc::<Payment>(&c.doc))
            .collect::<Result<Vec<_>, _>>()?;
        let requirements = inputs
            .requirements
            .iter()
            .map(|r| {
                Ok(Requirement {
                    id: convert::id(&r.id)?,
                    title: r.title.clone(),
                    detail: r.detail.clone(),
                    priority: u8::try_from(r.priority)
                        .ok()
                        .and_then(|p| Priority::try_from(p).ok())
                        .ok_or_else(|| {
                            StationError::Io("a stored priority is damaged".to_owned())
                        })?,
                    opened_at: super::ms_time(r.opened_at_ms)?,
                    review_by: super::parse_date("review_by", &r.review_by)?,
                    closed_at: r.closed_at_ms.map(super::ms_time).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, StationError>>()?;
        let policy = AlertPolicy::standard(self.payment_policy().await?);
        let mut alerts = alerts_by_source(
            sources,
            authorisations,
            roles,
            contacts,
            payments,
            &requirements,
            &policy,
            now,
        );
        if p.role == Role::Analyst {
            // Analysts work on requirements and reporting, not on the handling of sources.
            alerts.retain(|a| a.source.is_none());
        }
        Ok(alerts)
    }
}

/// One source's records, for asking the core about that source alone.
struct SourceRecords {
    authorisations: Vec<Authorisation>,
    roles: Vec<RoleAssignment>,
    contacts: Vec<Contact>,
    payments: Vec<Payment>,
}

/// The core's alerts over the records, asked source by source. Every alert rule about a source
/// reads only that source's records (its contacts, roles, authorisations, payments), and the
/// core finds them by scanning the slices it is given: over a whole station at once that is
/// sources × records (10,000 × 30,000 role periods), so each source gets its own small slices.
/// The rules themselves are untouched; requirements (not a source's) are asked once. Most
/// urgent first, as the core orders them.
#[allow(clippy::too_many_arguments)]
fn alerts_by_source(
    sources: Vec<Source>,
    authorisations: Vec<Authorisation>,
    roles: Vec<RoleAssignment>,
    contacts: Vec<Contact>,
    payments: Vec<Payment>,
    requirements: &[Requirement],
    policy: &AlertPolicy,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let position: HashMap<Id<Source>, usize> =
        sources.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    // The last group holds records of no listed source (none in practice: one snapshot reads
    // both); they are still asked about, with no source, as the core would have.
    let mut groups: Vec<SourceRecords> = (0..=sources.len())
        .map(|_| SourceRecords {
            authorisations: Vec::new(),
            roles: Vec::new(),
            contacts: Vec::new(),
            payments: Vec::new(),
        })
        .collect();
    let orphan = sources.len();
    let group = |id: &Id<Source>| position.get(id).copied().unwrap_or(orphan);
    for a in authorisations {
        groups[group(&a.source)].authorisations.push(a);
    }
    for r in roles {
        groups[group(&r.source)].roles.push(r);
    }
    for c in contacts {
        groups[group(&c.source)].contacts.push(c);
    }
    for p in payments {
        groups[group(&p.source)].payments.push(p);
    }
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let records = HandlingRecords {
            sources: sources.get(i).map(std::slice::from_ref).unwrap_or(&[]),
            authorisations: &g.authorisations,
            roles: &g.roles,
            contacts: &g.contacts,
            payments: &g.payments,
            requirements: &[],
            errors: &[],
        };
        out.extend(humint_core::handling::alerts(&records, policy, now));
    }
    let records = HandlingRecords {
        requirements,
        ..HandlingRecords::default()
    };
    out.extend(humint_core::handling::alerts(&records, policy, now));
    // The core's order: severity, then due time (stable, so ties keep source order).
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.due_at.cmp(&b.due_at)));
    out
}
