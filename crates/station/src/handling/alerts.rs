//! Alerts per caller, from the alert schedule the store keeps.
//!
//! The rules stay in the core: [`alert_schedule`] turns one source's records (or one
//! requirement) into every alert they raise, each with the span it is in force for.
//! [`CoreScheduler`] is how the store asks for that inside the transaction of every write
//! about the source, so the schedule never lags the records; alerts that fall due with the
//! passage of time alone are already there with their start. A request then reads one page of
//! the alerts in force now, filtered by compartment and handler in SQL.

use super::convert::{self, from_doc};
use super::{PageRequest, RequirementRow};
use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_core::handling::{
    Alert, AlertKind, AlertPolicy, AssessedAt, Authorisation, Contact, HandlingRecords, Payment,
    Priority, Requirement, Severity, alert_schedule,
};
use humint_store::{
    AlertCursor, AlertQuery, AlertScheduleRow, AlertScheduler, HandlingStore as _,
    SourceAlertInputs,
};
use std::collections::BTreeMap;

/// The alert schedule as the core's rules decide it, under the station's policy.
#[derive(Debug)]
pub(crate) struct CoreScheduler {
    pub(crate) policy: AlertPolicy,
    pub(crate) clock: std::sync::Arc<dyn humint_core::Clock>,
}

/// Spans that ended this long before the write are not stored: time only moves forward, so
/// they can never be in force again, and they would only lengthen every alerts query. The
/// margin covers clocks a little apart between the instances sharing a database.
const KEEP_ENDED: chrono::Duration = chrono::Duration::days(1);

fn severity_rank(s: Severity) -> i64 {
    match s {
        Severity::Notice => 0,
        Severity::Warning => 1,
        Severity::Critical => 2,
        Severity::SourceSafety => 3,
    }
}

fn rows(
    owner: &str,
    compartment: &str,
    records: &HandlingRecords<'_>,
    policy: &AlertPolicy,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<AlertScheduleRow>, String> {
    let horizon = humint_core::handling::calendar::shift(now, -KEEP_ENDED);
    alert_schedule(records, policy)
        .into_iter()
        .filter(|s| s.until.is_none_or(|u| u > horizon))
        .enumerate()
        .map(|(n, s)| {
            Ok(AlertScheduleRow {
                id: format!("{owner}/{n:04}"),
                owner_id: owner.to_owned(),
                source_id: s.alert.source.map(|id| id.to_string()),
                compartment_id: compartment.to_owned(),
                kind: s.alert.kind.name().to_owned(),
                severity: severity_rank(s.alert.severity),
                due_at_ms: s.alert.due_at.timestamp_millis(),
                starts_at_ms: s.from.timestamp_millis(),
                ends_at_ms: s.until.map(|u| u.timestamp_millis()),
                doc: serde_json::to_string(&s.alert).map_err(|e| e.to_string())?,
                handler_id: None,
                keepers_only: false,
            })
        })
        .collect()
}

fn requirement(r: &RequirementRow) -> Result<Requirement, StationError> {
    Ok(Requirement {
        id: convert::id(&r.id)?,
        title: r.title.clone(),
        detail: r.detail.clone(),
        priority: u8::try_from(r.priority)
            .ok()
            .and_then(|p| Priority::try_from(p).ok())
            .ok_or_else(|| StationError::Io("a stored priority is damaged".to_owned()))?,
        opened_at: super::ms_time(r.opened_at_ms)?,
        review_by: super::parse_date("review_by", &r.review_by)?,
        closed_at: r.closed_at_ms.map(super::ms_time).transpose()?,
    })
}

impl AlertScheduler for CoreScheduler {
    fn source_schedule(&self, inputs: &SourceAlertInputs) -> Result<Vec<AlertScheduleRow>, String> {
        let decode = || -> Result<_, StationError> {
            let source = convert::source(&inputs.source)?;
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
                .map(|p| from_doc::<Payment>(&p.doc))
                .collect::<Result<Vec<_>, _>>()?;
            let concerns = inputs
                .concerns
                .iter()
                .map(super::concerns::core_concern)
                .collect::<Result<Vec<_>, _>>()?;
            let risk_assessed = inputs
                .risk_assessed_at_ms
                .iter()
                .map(|ms| {
                    Ok(AssessedAt {
                        source: source.id,
                        at: super::ms_time(*ms)?,
                    })
                })
                .collect::<Result<Vec<_>, StationError>>()?;
            let taskings = inputs
                .live_taskings
                .iter()
                .map(convert::tasking_state)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((
                source,
                authorisations,
                roles,
                contacts,
                payments,
                concerns,
                risk_assessed,
                taskings,
            ))
        };
        let (source, authorisations, roles, contacts, payments, concerns, risk_assessed, taskings) =
            decode().map_err(|e| e.to_string())?;
        let records = HandlingRecords {
            sources: std::slice::from_ref(&source),
            authorisations: &authorisations,
            roles: &roles,
            contacts: &contacts,
            payments: &payments,
            requirements: &[],
            errors: &[],
            concerns: &concerns,
            risk_assessed: &risk_assessed,
            taskings: &taskings,
        };
        // The payment thresholds in force when this write commits, not when this server opened.
        let [single, yearly] = &inputs.payment_settings;
        let payments = super::activity::payment_policy_from([single.as_deref(), yearly.as_deref()]);
        let policy = if inputs.payments.is_empty() || payments == self.policy.payments {
            std::borrow::Cow::Borrowed(&self.policy)
        } else {
            std::borrow::Cow::Owned(AlertPolicy {
                payments,
                ..self.policy.clone()
            })
        };
        rows(
            &inputs.source.id,
            &inputs.source.compartment_id,
            &records,
            &policy,
            self.clock.now(),
        )
    }

    fn error_schedule(
        &self,
        row: &humint_store::RelevantErrorRow,
    ) -> Result<Vec<AlertScheduleRow>, String> {
        let e = super::errors::core_error(row).map_err(|e| e.to_string())?;
        let records = HandlingRecords {
            errors: std::slice::from_ref(&e),
            ..HandlingRecords::default()
        };
        // Only for those who keep the register (controllers, authorising officers, auditors).
        let mut rows = rows(
            &row.id,
            &row.compartment_id,
            &records,
            &self.policy,
            self.clock.now(),
        )?;
        for r in &mut rows {
            r.keepers_only = true;
        }
        Ok(rows)
    }

    fn requirement_schedule(&self, row: &RequirementRow) -> Result<Vec<AlertScheduleRow>, String> {
        let r = requirement(row).map_err(|e| e.to_string())?;
        let records = HandlingRecords {
            requirements: std::slice::from_ref(&r),
            ..HandlingRecords::default()
        };
        rows(
            &row.id,
            &row.compartment_id,
            &records,
            &self.policy,
            self.clock.now(),
        )
    }
}

/// What a caller asks of the alerts list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertsRequest {
    /// Only alerts of this kind (`review_overdue`, `authorisation_expiring`, …).
    pub kind: Option<String>,
    /// `after` is a cursor this service gave (the previous page's `next`).
    pub page: PageRequest,
}

/// One page of the caller's alerts, most urgent first, and how many of each kind are in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertsPage {
    pub alerts: Vec<Alert>,
    /// Every kind in force for the caller and how many, whatever the page or kind asked.
    pub counts: BTreeMap<String, i64>,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<String>,
}

/// What one alerts answer depends on besides the records: who asks and which page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AlertsKey {
    user: String,
    role: Role,
    kind: Option<String>,
    after: Option<String>,
    limit: i64,
}

#[derive(Debug, Clone)]
struct CachedAlerts {
    /// The audit ledger's head when it was read: every write (a record, a role, a compartment
    /// granted) appends to the ledger in its own transaction, from any process sharing the
    /// database, so a different head means the answer may have changed.
    generation: i64,
    /// The clock when it was read, and the first instant after it at which the answer changes
    /// with time alone (`None`: never, until a write).
    from_ms: i64,
    until_ms: Option<i64>,
    page: AlertsPage,
}

/// Recent alerts answers. Officers reload their alerts far more often than the records
/// change: an answer is reused while no write has happened anywhere and the clock is still
/// before its next change; either one, and it is read afresh. Checking costs one read of the
/// ledger's head instead of gathering every alert in force.
#[derive(Debug, Default)]
pub(crate) struct AlertsCache {
    entries: std::sync::Mutex<std::collections::HashMap<AlertsKey, CachedAlerts>>,
}

/// Past this many answers the cache starts again: a few hundred officers with a home page and
/// an alerts page each. An answer is at most a home page's 200 alerts (about 100 kB), so the
/// cache stays under about 50 MB.
const ALERTS_CACHE_ENTRIES: usize = 512;

impl AlertsCache {
    fn get(&self, key: &AlertsKey, generation: i64, now_ms: i64) -> Option<AlertsPage> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let hit = entries.get(key)?;
        (hit.generation == generation
            && now_ms >= hit.from_ms
            && hit.until_ms.is_none_or(|until| now_ms < until))
        .then(|| hit.page.clone())
    }

    fn put(&self, key: AlertsKey, value: CachedAlerts) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= ALERTS_CACHE_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, value);
    }
}

fn bad_cursor() -> StationError {
    StationError::invalid(
        "INVALID_PAGE",
        "the alerts cursor is not one this server gave; start again without it",
    )
}

fn parse_cursor(text: &str) -> Result<AlertCursor, StationError> {
    let mut parts = text.splitn(3, '~');
    let severity = parts.next().and_then(|s| s.parse().ok());
    let due = parts.next().and_then(|s| s.parse().ok());
    let id = parts.next().filter(|s| !s.is_empty());
    match (severity, due, id) {
        (Some(severity), Some(due_at_ms), Some(id)) => Ok(AlertCursor {
            severity,
            due_at_ms,
            id: id.to_owned(),
        }),
        _ => Err(bad_cursor()),
    }
}

impl Station {
    /// Installs the core's scheduler in the store and fills the schedule of a station that
    /// has none yet (upgraded from before it, or restored from a backup without it).
    pub(crate) async fn prepare_alert_schedule(&self) -> Result<(), StationError> {
        use humint_store::Store as _;
        let policy = AlertPolicy::standard(self.payment_policy().await?);
        self.store
            .set_alert_scheduler(std::sync::Arc::new(CoreScheduler {
                policy,
                clock: self.clock.clone(),
            }));
        if !self.store.is_empty().await? && !self.store.alert_schedule_built().await? {
            self.store.rebuild_alert_schedule().await?;
        }
        self.prune_alerts().await?;
        Ok(())
    }

    /// Drops the alert spans that ended more than a day ago (the margin writes keep too). A
    /// source nobody writes to for weeks leaves spans ending behind it as time passes (an
    /// authorisation "expiring in 28 days" becomes "in 14 days"); unpruned, every alerts query
    /// steps over them. Run at open and by `humint serve` every minute; returns how many went.
    pub async fn prune_alerts(&self) -> Result<u64, StationError> {
        let horizon = humint_core::handling::calendar::shift(self.clock().now(), -KEEP_ENDED);
        Ok(self
            .store
            .prune_alert_schedule(horizon.timestamp_millis())
            .await?)
    }

    /// What needs doing now, for this caller, one page at a time, most urgent first: the
    /// alerts in force in the caller's compartments (a handler: their own sources'; an
    /// analyst: only those about no source), with how many of each kind there are.
    pub async fn alerts(
        &self,
        p: &Principal,
        request: &AlertsRequest,
    ) -> Result<AlertsPage, StationError> {
        p.require_role(super::READERS, "see alerts")?;
        if let Some(kind) = &request.kind
            && !AlertKind::NAMES.contains(&kind.as_str())
        {
            return Err(StationError::invalid(
                "INVALID_ALERT_KIND",
                format!(
                    "\"{kind}\" is not a kind of alert; use one of {}",
                    AlertKind::NAMES.join(", ")
                ),
            ));
        }
        let after = request
            .page
            .after
            .as_deref()
            .map(parse_cursor)
            .transpose()?;
        // The ledger's head first: a write that commits after this read makes the next
        // request miss, whatever this one reads.
        let generation = humint_store::Store::audit_last_seq(self.store.as_ref()).await?;
        let now_ms = self.clock().now().timestamp_millis();
        let key = AlertsKey {
            user: p.user_id.clone(),
            role: p.role,
            kind: request.kind.clone(),
            after: request.page.after.clone(),
            limit: request.page.limit,
        };
        if let Some(hit) = self.alerts_cache().get(&key, generation, now_ms) {
            return Ok(hit);
        }
        let page = self
            .store
            .alert_page(&AlertQuery {
                reader: p.user_id.clone(),
                handled_by: (p.role == Role::Handler).then(|| p.user_id.clone()),
                about_sources: p.role != Role::Analyst,
                keeps_register: matches!(
                    p.role,
                    Role::Controller | Role::AuthorisingOfficer | Role::Auditor
                ),
                now_ms,
                kind: request.kind.clone(),
                after,
                limit: request.page.limit,
            })
            .await?;
        let next = (page.rows.len() as i64 == request.page.limit)
            .then(|| {
                page.rows
                    .last()
                    .map(|r| format!("{}~{}~{}", r.severity, r.due_at_ms, r.id))
            })
            .flatten();
        let alerts = page
            .rows
            .iter()
            .map(|r| from_doc::<Alert>(&r.doc))
            .collect::<Result<Vec<_>, _>>()?;
        let answer = AlertsPage {
            alerts,
            counts: page.counts.into_iter().collect(),
            next,
        };
        self.alerts_cache().put(
            key,
            CachedAlerts {
                generation,
                from_ms: now_ms,
                until_ms: page.next_change_ms,
                page: answer.clone(),
            },
        );
        Ok(answer)
    }
}
