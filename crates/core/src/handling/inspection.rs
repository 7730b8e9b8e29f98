//! What an inspector asks of an authorisation's history: was each review made in time, was a
//! review overdue at a given moment, was each Commissioner notice given in time, and what the
//! authorisation looked like at a past instant.
//!
//! Nothing here sets a deadline of its own. The review schedule is
//! [`Authorisation::next_review_due`] (REV-01; juveniles monthly, Hansard HL 16 Oct 2018) asked
//! of the authorisation as it stood before each review; the notice deadline is
//! [`commissioner_notices`] (RIPA s.32C(2); CCA-02). The inspection practice these answer is
//! IPCO's (compliance.md §3; INS-01): reviews, renewals, cancellations, juvenile cases and
//! criminal conduct notices, each with its dates.

use super::authorisation::{Authorisation, AuthorisationStatus};
use super::review::{Review, commissioner_notices};
use crate::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether something owed by a deadline was done before it. Deadlines are "the first instant at
/// which the period is over", so done at `due_at - 1ms` is on time and at `due_at` is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    Late,
    /// Not done, and the deadline has passed (at the moment asked about).
    Missing,
    /// Not done, and still not due.
    Pending,
}

impl Timeliness {
    /// Something due by `due_at`, done at `done_at` (if at all), as seen at `at`.
    pub fn judge(done_at: Option<DateTime<Utc>>, due_at: DateTime<Utc>, at: DateTime<Utc>) -> Self {
        match done_at {
            Some(done) if done < due_at => Timeliness::OnTime,
            Some(_) => Timeliness::Late,
            None if at >= due_at => Timeliness::Missing,
            None => Timeliness::Pending,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::OnTime => "on time",
            Timeliness::Late => "late",
            Timeliness::Missing => "not given, overdue",
            Timeliness::Pending => "not yet due",
        }
    }

    pub fn is_fault(self) -> bool {
        matches!(self, Timeliness::Late | Timeliness::Missing)
    }
}

/// The authorisation as it stood at `at`: reviews, renewals, cancellation and notices decided
/// after `at` are left out, so the core's rules answer as they would have then.
pub fn as_it_stood(auth: &Authorisation, at: DateTime<Utc>) -> Authorisation {
    let mut then = auth.clone();
    then.reviews.retain(|r| r.reviewed_at <= at);
    then.renewals.retain(|r| r.renewed_at <= at);
    if then
        .cancellation
        .as_ref()
        .is_some_and(|c| c.cancelled_at > at)
    {
        then.cancellation = None;
    }
    then.commissioner_notices.retain(|n| n.sent_at <= at);
    then
}

/// One recorded review measured against the schedule in force when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewTiming {
    pub review: Id<Review>,
    pub reviewed_at: DateTime<Utc>,
    /// When this review was due: the core's next-review deadline of the authorisation as it
    /// stood just before the review (the previous review, or the grant, plus the interval).
    pub due_at: DateTime<Utc>,
    pub timeliness: Timeliness,
}

/// Every review of the authorisation, oldest first, on time or late (REV-01).
pub fn review_timings(auth: &Authorisation) -> Vec<ReviewTiming> {
    let mut reviews: Vec<&Review> = auth.reviews.iter().collect();
    reviews.sort_by_key(|r| r.reviewed_at);
    reviews
        .into_iter()
        .map(|r| {
            let mut before = as_it_stood(auth, r.reviewed_at);
            before
                .reviews
                .retain(|earlier| earlier.reviewed_at < r.reviewed_at);
            let due_at = before.next_review_due();
            ReviewTiming {
                review: r.id,
                reviewed_at: r.reviewed_at,
                due_at,
                timeliness: Timeliness::judge(Some(r.reviewed_at), due_at, r.reviewed_at),
            }
        })
        .collect()
}

/// The review deadline missed at `at`, if the authorisation was live then, its next review fell
/// due before its expiry, and no review had been made by that deadline (the same test as the
/// core's `ReviewOverdue` alert, asked of the authorisation as it stood at `at`).
pub fn review_overdue_at(auth: &Authorisation, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let then = as_it_stood(auth, at);
    if then.status(at) != AuthorisationStatus::Live {
        return None;
    }
    let due = then.next_review_due();
    (due < then.current_expiry() && at >= due).then_some(due)
}

/// One s.32C notice owed by a criminal conduct authorisation, judged at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeTiming {
    pub event: super::review::NoticeEvent,
    pub decided_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub timeliness: Timeliness,
}

/// Every Commissioner notice the authorisation owes (grant, renewals, cancellation) decided by
/// `at`, with the notice given (if any) judged against its deadline (s.32C(2); CCA-02).
pub fn notice_timings(auth: &Authorisation, at: DateTime<Utc>) -> Vec<NoticeTiming> {
    commissioner_notices(auth)
        .into_iter()
        .filter(|n| n.decided_at <= at)
        .map(|n| {
            let sent_at = n.sent_at.filter(|s| *s <= at);
            NoticeTiming {
                event: n.event,
                decided_at: n.decided_at,
                due_at: n.due_at,
                sent_at,
                timeliness: Timeliness::judge(sent_at, n.due_at, at),
            }
        })
        .collect()
}

/// Whether the authorisation was in force at some instant of `[from, to)`: granted before the
/// period ended, and neither cancelled nor expired before it began.
pub fn live_during(auth: &Authorisation, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    let ended = auth
        .cancellation
        .as_ref()
        .map_or(auth.current_expiry(), |c| {
            c.cancelled_at.min(auth.current_expiry())
        });
    auth.granted_at < to && ended > from
}
