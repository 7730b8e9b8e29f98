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
    Agreed,
    Declined,
    Completed,
    Withdrawn,
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
    })
}
