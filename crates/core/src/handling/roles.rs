//! The three statutory management roles for every source, and their history.
//!
//! Source: RIPA s.29(5)(a)-(c) — "at all times" there is a handler (day-to-day dealing, security
//! and welfare), a controller (general oversight of use) and a record-keeper. SI 2000/2725
//! reg 3(h)-(i) requires the record to show who held each role and for which periods, so
//! assignments are an append-only history of half-open periods `[from, until)`. The Home Office
//! CHIS factsheet (Jan 2021): "All roles must be performed by different people" (AUTH-04, AUTH-06).

use super::codes;
use super::{OfficerId, Source};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceRole {
    Handler,
    Controller,
    RecordKeeper,
}

impl SourceRole {
    pub const ALL: [SourceRole; 3] = [
        SourceRole::Handler,
        SourceRole::Controller,
        SourceRole::RecordKeeper,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SourceRole::Handler => "handler",
            SourceRole::Controller => "controller",
            SourceRole::RecordKeeper => "record-keeper",
        }
    }
}

/// One person holding one role for one source over `[from, until)`; `until: None` is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub source: Id<Source>,
    pub role: SourceRole,
    pub officer: OfficerId,
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

impl RoleAssignment {
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.until.is_none_or(|until| at < until)
    }
}

/// Who holds each role at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleHolders {
    pub handler: OfficerId,
    pub controller: OfficerId,
    pub record_keeper: OfficerId,
}

/// The holder of one role at an instant; refuses when nobody or more than one person holds it.
pub fn holder_at(
    assignments: &[RoleAssignment],
    source: Id<Source>,
    role: SourceRole,
    at: DateTime<Utc>,
) -> Result<OfficerId, RuleViolation> {
    let mut holders = assignments
        .iter()
        .filter(|a| a.source == source && a.role == role && a.covers(at));
    let Some(first) = holders.next() else {
        return Err(RuleViolation::new(
            codes::ROLE_NOT_COVERED,
            format!(
                "Nobody is recorded as the source's {} at {at}; every source must have one at all times.",
                role.label()
            ),
        ));
    };
    if holders.any(|other| other.officer != first.officer) {
        return Err(RuleViolation::new(
            codes::ROLE_OVERLAP,
            format!(
                "Two people are recorded as the source's {} at {at}; hand the role over so exactly one holds it.",
                role.label()
            ),
        ));
    }
    Ok(first.officer)
}

/// All three holders at an instant, checked to be three different people (s.29(5); AUTH-06).
pub fn holders_at(
    assignments: &[RoleAssignment],
    source: Id<Source>,
    at: DateTime<Utc>,
) -> Result<RoleHolders, RuleViolation> {
    let holders = RoleHolders {
        handler: holder_at(assignments, source, SourceRole::Handler, at)?,
        controller: holder_at(assignments, source, SourceRole::Controller, at)?,
        record_keeper: holder_at(assignments, source, SourceRole::RecordKeeper, at)?,
    };
    if holders.handler == holders.controller
        || holders.handler == holders.record_keeper
        || holders.controller == holders.record_keeper
    {
        return Err(RuleViolation::new(
            codes::ROLES_NOT_DISTINCT,
            format!(
                "At {at} one person holds two of handler, controller and record-keeper; the three roles must be held by different people."
            ),
        ));
    }
    Ok(holders)
}

/// Checks that the roles were covered, by distinct people, at every instant of `[from, until)`.
/// Coverage can only change where a period starts or ends, so checking `from` and every boundary
/// inside the window checks every instant.
pub fn check_coverage(
    assignments: &[RoleAssignment],
    source: Id<Source>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    let mut instants: Vec<DateTime<Utc>> = assignments
        .iter()
        .filter(|a| a.source == source)
        .flat_map(|a| [Some(a.from), a.until])
        .flatten()
        .filter(|t| from < *t && *t < until)
        .collect();
    instants.push(from);
    instants.sort();
    instants.dedup();
    instants
        .into_iter()
        .try_for_each(|at| holders_at(assignments, source, at).map(|_| ()))
}

/// Whether the officer handles or controls the source at the instant: the test for
/// self-authorisation (HO factsheet: "no AO can authorise themselves"; AUTH-04).
pub fn handles_or_controls(
    assignments: &[RoleAssignment],
    source: Id<Source>,
    officer: OfficerId,
    at: DateTime<Utc>,
) -> bool {
    assignments.iter().any(|a| {
        a.source == source
            && a.officer == officer
            && matches!(a.role, SourceRole::Handler | SourceRole::Controller)
            && a.covers(at)
    })
}

/// The records a handover writes: the outgoing holder's period closed at `at` and the incoming
/// holder's period opened at the same instant, so there is never a gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub closed: Option<RoleAssignment>,
    pub opened: RoleAssignment,
}

/// Hands a role to `to` at `at`. Refused when `to` would then hold two roles (ROLES_NOT_DISTINCT)
/// or the role is already theirs.
pub fn handover(
    assignments: &[RoleAssignment],
    source: Id<Source>,
    role: SourceRole,
    to: OfficerId,
    at: DateTime<Utc>,
) -> Result<Handover, RuleViolation> {
    let current = assignments
        .iter()
        .find(|a| a.source == source && a.role == role && a.covers(at));
    if current.is_some_and(|c| c.officer == to) {
        return Err(RuleViolation::new(
            codes::ROLE_OVERLAP,
            format!("That officer is already the source's {}.", role.label()),
        ));
    }
    let holds_other = assignments
        .iter()
        .any(|a| a.source == source && a.role != role && a.officer == to && a.covers(at));
    if holds_other {
        return Err(RuleViolation::new(
            codes::ROLES_NOT_DISTINCT,
            format!(
                "That officer already holds another of the source's roles, so cannot also be its {}; handler, controller and record-keeper must be different people.",
                role.label()
            ),
        ));
    }
    Ok(Handover {
        closed: current.map(|c| RoleAssignment {
            until: Some(at),
            ..c.clone()
        }),
        opened: RoleAssignment {
            source,
            role,
            officer: to,
            from: at,
            until: None,
        },
    })
}
