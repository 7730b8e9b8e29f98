//! How requirements and taskings move on: a requirement is reviewed (a new review-by date and
//! a note) or closed (a reason), each with its history; a tasking goes issued → acknowledged →
//! completed, or is withdrawn (who, when, note). The core decides (`tasking::review_requirement`,
//! `close_requirement`, `change_status`); this module loads, stores and audits.

use super::access::{self, CASE_READERS, READERS, RUNNERS};
use super::convert::{id, name};
use super::{LONG, ms_time, officer_id, stored, text};
use crate::{Principal, Station, StationError};
use chrono::NaiveDate;
use humint_core::handling::tasking::{self, TaskingStatus};
use humint_core::handling::{Priority, Requirement, Tasking, calendar};
use humint_core::{Role, new_id};
use humint_store::{
    HandlingStore as _, HandlingWrite, RegisterStore as _, RequirementEventRow, RequirementRow,
};

/// Who reviews and closes requirements: those who set them (controllers and analysts).
const SETTERS: &[Role] = &[Role::Controller, Role::Analyst];

/// A requirement and its reviews and closure, oldest first.
#[derive(Debug, Clone)]
pub struct RequirementHistory {
    pub row: RequirementRow,
    pub events: Vec<RequirementEvent>,
}

/// The note's envelope column (migration 0012).
const TABLE: &str = "requirement_events";
const NOTE: &str = "note_sealed";

/// A review or closure as its readers see it: the stored row with its note opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementEvent {
    pub id: String,
    pub requirement_id: String,
    /// `review` or `close`.
    pub kind: String,
    pub at_ms: i64,
    pub actor: String,
    pub actor_name: String,
    /// A review's new review-by day.
    pub review_by: Option<String>,
    /// A review's note or a closure's reason.
    pub note: String,
}

pub(crate) fn core_requirement(r: &RequirementRow) -> Result<Requirement, StationError> {
    let damaged = || StationError::Io("a stored requirement is damaged".to_owned());
    Ok(Requirement {
        id: id(&r.id)?,
        title: r.title.clone(),
        detail: r.detail.clone(),
        priority: u8::try_from(r.priority)
            .ok()
            .and_then(|p| Priority::try_from(p).ok())
            .ok_or_else(damaged)?,
        opened_at: ms_time(r.opened_at_ms)?,
        review_by: NaiveDate::parse_from_str(&r.review_by, "%Y-%m-%d").map_err(|_| damaged())?,
        closed_at: r.closed_at_ms.map(ms_time).transpose()?,
    })
}

impl Station {
    async fn requirement_for(
        &self,
        p: &Principal,
        requirement_id: &str,
        allowed: &[Role],
        doing: &str,
    ) -> Result<RequirementRow, StationError> {
        p.require_role(allowed, doing)?;
        let row = self
            .store
            .requirement(requirement_id)
            .await?
            .ok_or(StationError::NotFound {
                what: "requirement",
            })?;
        p.require_compartment(&row.compartment)?;
        Ok(row)
    }

    /// Reviews a requirement: it stays open until a new review-by day; the note records what
    /// the review found.
    pub async fn review_requirement(
        &self,
        p: &Principal,
        requirement_id: &str,
        review_by: NaiveDate,
        note: &str,
    ) -> Result<RequirementHistory, StationError> {
        let row = self
            .requirement_for(p, requirement_id, SETTERS, "review requirements")
            .await?;
        let now = self.clock().now();
        let note = text("note", note, LONG)?;
        let next = tasking::review_requirement(&core_requirement(&row)?, review_by, &note, now)?;
        let event_id = new_id::<RequirementEventRow>(now, self.entropy()).to_string();
        let event = RequirementEventRow {
            note: self.seal_text(TABLE, NOTE, &event_id, note.trim())?,
            id: event_id,
            requirement_id: row.id.clone(),
            kind: "review".to_owned(),
            at_ms: now.timestamp_millis(),
            actor: p.user_id.clone(),
            actor_name: p.username.clone(),
            review_by: Some(next.review_by.to_string()),
        };
        let writes = [
            HandlingWrite::UpdateRequirement {
                id: row.id.clone(),
                review_by: next.review_by.to_string(),
                review_due_at_ms: calendar::end_of_day(next.review_by).timestamp_millis(),
                closed_at_ms: None,
            },
            HandlingWrite::InsertRequirementEvent(event),
        ];
        let audit = self.handling_audit(
            p,
            "requirement.review",
            "requirement",
            &row.id,
            &row.compartment,
        );
        self.store
            .handling_write(None, &writes, &[audit])
            .await
            .map_err(stored)?;
        self.requirement_history(p, requirement_id).await
    }

    /// Closes a requirement with its reason; no source can be tasked against it afterwards.
    pub async fn close_requirement(
        &self,
        p: &Principal,
        requirement_id: &str,
        reason: &str,
    ) -> Result<RequirementHistory, StationError> {
        let row = self
            .requirement_for(p, requirement_id, SETTERS, "close requirements")
            .await?;
        let now = self.clock().now();
        let reason = text("reason", reason, LONG)?;
        let next = tasking::close_requirement(&core_requirement(&row)?, &reason, now)?;
        let event_id = new_id::<RequirementEventRow>(now, self.entropy()).to_string();
        let event = RequirementEventRow {
            note: self.seal_text(TABLE, NOTE, &event_id, reason.trim())?,
            id: event_id,
            requirement_id: row.id.clone(),
            kind: "close".to_owned(),
            at_ms: now.timestamp_millis(),
            actor: p.user_id.clone(),
            actor_name: p.username.clone(),
            review_by: None,
        };
        let writes = [
            HandlingWrite::UpdateRequirement {
                id: row.id.clone(),
                review_by: row.review_by.clone(),
                review_due_at_ms: row.review_due_at_ms,
                closed_at_ms: next.closed_at.map(|t| t.timestamp_millis()),
            },
            HandlingWrite::InsertRequirementEvent(event),
        ];
        let audit = self.handling_audit(
            p,
            "requirement.close",
            "requirement",
            &row.id,
            &row.compartment,
        );
        self.store
            .handling_write(None, &writes, &[audit])
            .await
            .map_err(stored)?;
        self.requirement_history(p, requirement_id).await
    }

    /// A requirement with its reviews and closure.
    pub async fn requirement_history(
        &self,
        p: &Principal,
        requirement_id: &str,
    ) -> Result<RequirementHistory, StationError> {
        let row = self
            .requirement_for(p, requirement_id, READERS, "see requirements")
            .await?;
        let events = self
            .store
            .requirement_events(requirement_id)
            .await?
            .into_iter()
            .map(|e| {
                Ok(RequirementEvent {
                    note: self.open_text(TABLE, NOTE, &e.id, &e.note)?,
                    id: e.id,
                    requirement_id: e.requirement_id,
                    kind: e.kind,
                    at_ms: e.at_ms,
                    actor: e.actor,
                    actor_name: e.actor_name,
                    review_by: e.review_by,
                })
            })
            .collect::<Result<_, StationError>>()?;
        Ok(RequirementHistory { row, events })
    }

    /// Moves a tasking on (handlers and controllers of the source's compartment): the core
    /// refuses any move off issued → acknowledged → completed | withdrawn.
    pub async fn change_tasking_status(
        &self,
        p: &Principal,
        tasking_id: &str,
        to: TaskingStatus,
        note: Option<String>,
    ) -> Result<Tasking, StationError> {
        let row = self
            .store
            .tasking(tasking_id)
            .await?
            .ok_or(StationError::NotFound { what: "tasking" })?;
        let loaded = self
            .load_checked(p, &row.source_id, RUNNERS, "change a tasking's status")
            .await?;
        let note = note.map(|n| text("note", &n, LONG)).transpose()?;
        let current: Tasking = self.open_tasking(&row)?;
        let now = self.clock().now();
        let next = tasking::change_status(&current, to, officer_id(p)?, note, now)?;
        let audit = self.handling_audit(
            p,
            &format!("tasking.{}", name(&to)),
            "tasking",
            tasking_id,
            &loaded.row.compartment,
        );
        self.store
            .handling_write(
                Some(&loaded.guard()),
                &[HandlingWrite::UpdateTasking {
                    id: row.id.clone(),
                    source_id: row.source_id.clone(),
                    status: name(&next.status),
                    doc_sealed: self.seal_tasking(&next)?,
                }],
                &[audit],
            )
            .await
            .map_err(stored)?;
        Ok(next)
    }

    /// One tasking, for those who see a source's handling records.
    pub async fn tasking(&self, p: &Principal, tasking_id: &str) -> Result<Tasking, StationError> {
        let row = self
            .store
            .tasking(tasking_id)
            .await?
            .ok_or(StationError::NotFound { what: "tasking" })?;
        let source = self.source_row(&row.source_id).await?;
        access::check(p, &source, CASE_READERS, "see taskings")?;
        self.open_tasking(&row)
    }
}
