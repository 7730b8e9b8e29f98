//! Relevant sources (undercover officers of a law-enforcement body): when an authorisation is
//! "long-term" (REL-01).
//!
//! Source: SI 2013/2788 art 3 (a relevant source's authorisation is long-term where the total
//! period of deployment, with the period now authorised, would exceed 12 months) and art 16 (a
//! long-term authorisation needs the higher rank: Chief Constable; Met, Assistant Commissioner).
//! The Order counts deployment "in relation to the same investigation or operation"; the
//! program has no record of operations, so it counts every relevant-source authorisation of the
//! source, which can only call an authorisation long-term earlier than the Order would, never
//! later (the stricter reading).

use super::authorisation::{Authorisation, AuthorisationKind};
use super::{Source, calendar};
use crate::Id;
use chrono::{DateTime, Utc};

/// The authorised period of a use of the source as an undercover officer: from its grant to
/// its cancellation or its current expiry, whichever is first. Criminal conduct is not counted
/// (it sits on a use already counted).
fn deployed(a: &Authorisation) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if !matches!(
        a.kind,
        AuthorisationKind::RelevantSource | AuthorisationKind::UrgentOral
    ) {
        return None;
    }
    let end = a.cancellation.as_ref().map_or(a.current_expiry(), |c| {
        c.cancelled_at.min(a.current_expiry())
    });
    (a.granted_at < end).then_some((a.granted_at, end))
}

/// Whether deciding `period` (from, until) for `source`, an undercover officer, makes its
/// deployment long-term: the union of its earlier relevant-source periods and this one lasts
/// longer than twelve months beginning with the day the first began (London calendar). A
/// single twelve-month grant is not long-term; its renewal is.
pub fn long_term(
    authorisations: &[Authorisation],
    source: Id<Source>,
    period: (DateTime<Utc>, DateTime<Utc>),
) -> bool {
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = authorisations
        .iter()
        .filter(|a| a.source == source)
        .filter_map(deployed)
        .chain((period.0 < period.1).then_some(period))
        .collect();
    spans.sort();
    let Some(&(first, _)) = spans.first() else {
        return false;
    };
    let mut total = chrono::Duration::zero();
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (from, until) in spans {
        current = match current {
            Some((f, u)) if from <= u => Some((f, u.max(until))),
            Some((f, u)) => {
                total += u - f;
                Some((from, until))
            }
            None => Some((from, until)),
        };
    }
    if let Some((f, u)) = current {
        total += u - f;
    }
    total > calendar::months_beginning_with(first, 12) - first
}
