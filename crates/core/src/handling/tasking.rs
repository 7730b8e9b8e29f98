//! Requirements (what the service needs to know) and taskings (a source asked to help meet one).
//!
//! Sources: product.md ("Requirement", "Tasking"); RIPA s.29 and AUTH-01 (no tasking without a
//! live authorisation); SI 2000/2725 reg 3(j) (tasks given and demands made are recorded);
//! Juveniles Order art 3 (no use of a source under 16 against a parent or guardian); MI5 FAQ
//! ("we never ask anyone to do something that they are not willing to do": the source's
//! agreement is recorded).

use super::authorisation::live_authorisation;
use super::juvenile::{self, AgeBand};
use super::{Authorisation, OfficerId, Source, SourceState, codes};
use crate::{Id, RuleViolation};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Priority 1 (highest) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Priority(u8);

impl Priority {
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Priority {
    type Error = crate::RuleViolation;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        if (1..=4).contains(&value) {
            Ok(Priority(value))
        } else {
            Err(RuleViolation::new(
                codes::REQUIREMENT_PRIORITY_INVALID,
                format!("Priority {value} is not allowed; use 1 (highest) to 4."),
            ))
        }
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub id: Id<Requirement>,
    pub title: String,
    pub detail: String,
    pub priority: Priority,
    pub opened_at: DateTime<Utc>,
    /// The London day by the end of which the requirement must be looked at again.
    pub review_by: NaiveDate,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskingStatus {
    Issued,
    /// Legacy: the source agreed (treated as acknowledged).
    Agreed,
    /// Legacy: the source declined.
    Declined,
    Completed,
    Withdrawn,
    /// The source has acknowledged the task.
    Acknowledged,
}

/// One change of a tasking's status: who recorded it, when, and their note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskingEvent {
    pub from: TaskingStatus,
    pub to: TaskingStatus,
    pub by: OfficerId,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tasking {
    pub id: Id<Tasking>,
    pub source: Id<Source>,
    pub requirement: Id<Requirement>,
    /// The authorisation in force when the task was given.
    pub authorisation: Id<Authorisation>,
    pub instructions: String,
    pub issued_by: OfficerId,
    pub issued_at: DateTime<Utc>,
    pub status: TaskingStatus,
    /// Every status change after issue, oldest first (reg 3(j): the tasks given and what came
    /// of them).
    #[serde(default)]
    pub history: Vec<TaskingEvent>,
}

/// What the alert rules read of a tasking: its plain columns (the instructions and the notes of
/// each change are sealed, so the key-less alert scheduler never has them) and, where the
/// history is at hand, when it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TaskingState {
    pub id: Id<Tasking>,
    pub source: Id<Source>,
    pub requirement: Id<Requirement>,
    pub issued_at: DateTime<Utc>,
    pub status: TaskingStatus,
    /// When it was completed, withdrawn or declined, if known. A row read without keys
    /// carries only its status; an ended one then counts as ended from before its issue, which
    /// is right from the write that ended it onwards (that write reschedules the source).
    pub ended_at: Option<DateTime<Utc>>,
}

impl TaskingStatus {
    /// Still asked of the source: issued or acknowledged (or the legacy agreed), not completed,
    /// withdrawn or declined (product.md, "Tasking").
    pub fn is_live(self) -> bool {
        matches!(
            self,
            TaskingStatus::Issued | TaskingStatus::Agreed | TaskingStatus::Acknowledged
        )
    }
}

impl TaskingState {
    /// Whether the task is asked of the source at `now`: from its issue until the instant it
    /// ended.
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        now >= self.issued_at
            && (self.status.is_live() || self.ended_at.is_some_and(|end| now < end))
    }
}

impl From<&Tasking> for TaskingState {
    fn from(t: &Tasking) -> Self {
        TaskingState {
            id: t.id,
            source: t.source,
            requirement: t.requirement,
            issued_at: t.issued_at,
            status: t.status,
            ended_at: if t.status.is_live() {
                None
            } else {
                t.history
                    .iter()
                    .filter(|e| !e.to.is_live())
                    .map(|e| e.at)
                    .min()
            },
        }
    }
}

/// What a handler asks to task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskingRequest {
    pub id: Id<Tasking>,
    pub requirement: Id<Requirement>,
    pub instructions: String,
    pub issued_by: OfficerId,
    /// Whether the task is directed at the source's parent or someone with parental
    /// responsibility for them.
    pub against_parent_or_guardian: bool,
}

/// Decides a tasking: the record to store (under the live authorisation), or the refusal.
/// `age` is the source's age band today, from the decrypted date of birth.
pub fn task(
    req: TaskingRequest,
    source: &Source,
    authorisations: &[Authorisation],
    age: AgeBand,
    now: DateTime<Utc>,
) -> Result<Tasking, RuleViolation> {
    if source.state != SourceState::Recruited {
        return Err(RuleViolation::new(
            codes::SOURCE_NOT_RECRUITED,
            format!(
                "This source is {}; only a recruited source can be tasked.",
                source.state.as_str()
            ),
        ));
    }
    juvenile::check_parent_relationship(
        age,
        req.against_parent_or_guardian,
        codes::JUVENILE_PARENT_TASKING,
    )?;
    let auth = live_authorisation(authorisations, source.id, now)?;
    Ok(Tasking {
        id: req.id,
        source: source.id,
        requirement: req.requirement,
        authorisation: auth.id,
        instructions: req.instructions,
        issued_by: req.issued_by,
        issued_at: now,
        status: TaskingStatus::Issued,
        history: Vec::new(),
    })
}

/// Moves a task along issued → acknowledged → completed, or withdraws it from issued or
/// acknowledged (product.md, "Tasking": status; reg 3(j)). Completed and withdrawn are final.
/// A withdrawal needs a note saying why; other notes are optional.
pub fn change_status(
    tasking: &Tasking,
    to: TaskingStatus,
    by: OfficerId,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<Tasking, RuleViolation> {
    use TaskingStatus::*;
    let from = tasking.status;
    let allowed = matches!(
        (from, to),
        (Issued, Acknowledged)
            | (Issued | Agreed | Acknowledged, Withdrawn)
            | (Agreed | Acknowledged, Completed)
    );
    if !allowed {
        return Err(RuleViolation::new(
            codes::TASKING_INVALID_TRANSITION,
            format!(
                "A task that is {} cannot become {}; tasks go issued, acknowledged, then completed, or are withdrawn before they finish.",
                status_name(from),
                status_name(to)
            ),
        ));
    }
    let note = note.filter(|n| !codes::is_blank(n));
    if to == Withdrawn && note.is_none() {
        return Err(RuleViolation::new(
            codes::TASKING_NOTE_REQUIRED,
            "Say why the task is withdrawn.",
        ));
    }
    let mut next = tasking.clone();
    next.status = to;
    next.history.push(TaskingEvent {
        from,
        to,
        by,
        at: now,
        note,
    });
    Ok(next)
}

fn status_name(s: TaskingStatus) -> &'static str {
    match s {
        TaskingStatus::Issued => "issued",
        TaskingStatus::Agreed => "agreed",
        TaskingStatus::Declined => "declined",
        TaskingStatus::Completed => "completed",
        TaskingStatus::Withdrawn => "withdrawn",
        TaskingStatus::Acknowledged => "acknowledged",
    }
}

/// One review or the closure of a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RequirementEventKind {
    Review { review_by: NaiveDate, note: String },
    Close { reason: String },
}

/// Reviews a requirement: it stays open with a new review-by date (product.md,
/// "Requirement": review-by date). The note says what the review found; the new date is today
/// or later (London time).
pub fn review_requirement(
    requirement: &Requirement,
    review_by: NaiveDate,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Requirement, RuleViolation> {
    check_open(requirement)?;
    if codes::is_blank(note) {
        return Err(RuleViolation::new(
            codes::REQUIREMENT_NOTE_REQUIRED,
            "Record what the review found in its note.",
        ));
    }
    let today = super::calendar::local_date(now);
    if review_by < today {
        return Err(RuleViolation::new(
            codes::REVIEW_BY_IN_PAST,
            format!("The new review-by date {review_by} has passed; choose {today} or later."),
        ));
    }
    Ok(Requirement {
        review_by,
        ..requirement.clone()
    })
}

/// Closes a requirement with its reason; no source can be tasked against it afterwards.
pub fn close_requirement(
    requirement: &Requirement,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Requirement, RuleViolation> {
    check_open(requirement)?;
    if codes::is_blank(reason) {
        return Err(RuleViolation::new(
            codes::REQUIREMENT_NOTE_REQUIRED,
            "Give the reason the requirement is closed.",
        ));
    }
    Ok(Requirement {
        closed_at: Some(now),
        ..requirement.clone()
    })
}

/// A closed requirement takes no more reviews or taskings.
pub fn check_open(requirement: &Requirement) -> Result<(), RuleViolation> {
    if requirement.closed_at.is_some() {
        return Err(RuleViolation::new(
            codes::REQUIREMENT_CLOSED,
            format!(
                "The requirement \"{}\" is closed; open a new requirement if the need has returned.",
                requirement.title
            ),
        ));
    }
    Ok(())
}
