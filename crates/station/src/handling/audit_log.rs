//! The audit log as an inspector reads it: searched and paged in the database, newest first,
//! and the bigot list of each compartment the inspector is read into.
//!
//! Events carry identifiers and action names only (humint-audit's invariant), so no protected
//! plaintext can appear here. An auditor sees the events of the compartments they are read
//! into and the station-wide events (sign-ins, accounts); the operator's command line sees
//! all. Each read is itself an audit event, appended after the page was read; pages are cut by
//! sequence number, so events appended meanwhile never shift a page and each event is listed
//! once.

use super::inspection::inspector_scope;
use crate::{Principal, Station, StationError};
use chrono::NaiveDate;
use humint_audit::AuditEvent;
use humint_core::Role;
use humint_core::handling::calendar;
use humint_store::{AuditContext, AuditFilter, InspectionStore as _, Store as _};
use std::collections::HashMap;

/// What an inspector asks of the log. `actor` is a username (or `system`, `volunteer`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// First and last London day, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    pub limit: Option<i64>,
}

/// One event, with the actor's username where the actor is an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub event: AuditEvent,
    pub actor_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub events: Vec<AuditEntry>,
    /// Pass as `cursor` for the next (older) page; `None` on the last page.
    pub next_cursor: Option<i64>,
}

impl AuditQuery {
    /// A cursor from its text: a positive sequence number.
    pub fn parse_cursor(text: &str) -> Result<i64, StationError> {
        text.trim()
            .parse::<i64>()
            .ok()
            .filter(|c| *c > 0)
            .ok_or_else(|| {
                StationError::invalid(
                    "INVALID_CURSOR",
                    "cursor must be the next_cursor of a previous page",
                )
            })
    }
}

impl Station {
    /// A page of the audit log, newest first, filtered in the database.
    pub async fn audit_log(
        &self,
        actor: &Principal,
        query: &AuditQuery,
    ) -> Result<AuditPage, StationError> {
        let audit = AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            "audit.log.read",
            "audit_log",
            "log",
        );
        let reader = match inspector_scope(actor, "read the audit log") {
            Ok(r) => r,
            Err(e) => {
                self.store.append_audit(&audit.denied()).await?;
                return Err(e);
            }
        };
        let page = super::page(None, query.limit)?;
        if let (Some(from), Some(to)) = (query.from, query.to) {
            super::inspection::InspectionPeriod::new(from, to)?;
        }
        let actor_id = match query
            .actor
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            None => None,
            Some(name @ ("system" | "volunteer")) => Some(name.to_owned()),
            Some(name) => Some(
                self.store
                    .user_by_name(name)
                    .await?
                    .ok_or(StationError::NotFound { what: "officer" })?
                    .id,
            ),
        };
        let filter = AuditFilter {
            reader,
            actor: actor_id,
            action: query
                .action
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            from_ms: query
                .from
                .map(|d| calendar::start_of_day(d).timestamp_millis()),
            to_ms: query.to.map(|d| calendar::end_of_day(d).timestamp_millis()),
            before_seq: query.cursor,
            limit: page.limit + 1,
        };
        let mut events = self.store.audit_search(&filter).await?;
        let more = events.len() > usize::try_from(page.limit).unwrap_or(usize::MAX);
        events.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
        let next_cursor = more.then(|| events.last().map(|e| e.seq)).flatten();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut entries = Vec::with_capacity(events.len());
        for event in events {
            let actor_name = match names.get(&event.actor) {
                Some(n) => n.clone(),
                None => {
                    let n = match self.store.user_by_id(&event.actor).await? {
                        Some(u) => u.username,
                        None => event.actor.clone(),
                    };
                    names.insert(event.actor.clone(), n.clone());
                    n
                }
            };
            entries.push(AuditEntry { event, actor_name });
        }
        self.store.append_audit(&audit).await?;
        Ok(AuditPage {
            events: entries,
            next_cursor,
        })
    }

    /// The bigot list of every compartment the caller is read into (each read audited by the
    /// members service it reuses).
    pub async fn bigot_lists(
        &self,
        actor: &Principal,
    ) -> Result<Vec<(String, Vec<(String, Role)>)>, StationError> {
        actor.require_role(&[Role::Auditor, Role::Controller], "see the bigot lists")?;
        let mut out = Vec::new();
        for compartment in &actor.compartments {
            out.push((
                compartment.clone(),
                self.compartment_members(actor, compartment).await?,
            ));
        }
        Ok(out)
    }
}
