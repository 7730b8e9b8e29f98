//! When the reliability estimate runs: off the request path in a served station.
//!
//! A write that adds claims or outcomes marks its compartment as changed and returns. A station
//! with a running worker ([`Station::start_reliability_worker`], started by `humint serve`)
//! estimates marked compartments one at a time in the background; writes that arrive while a
//! compartment is being estimated mark it again, so a burst of reports costs one estimate after
//! the one in flight, not one each. A station without a worker (the command line, a bulk import,
//! the examples) estimates in the write's own call, as before.
//!
//! Readers can tell: [`Station::reliability_updating`] is true while a compartment is marked or
//! being estimated, and the views carry it, so a page can say the suggestion is being updated
//! instead of presenting a stale one as current. [`Station::reliability_settled`] waits until
//! nothing is marked or running (tests use it; it is also how a caller that needs the fresh
//! suggestion waits for it).

use super::{Instant, SourceRow};
use crate::{Principal, Station, StationError};
use humint_store::Store as _;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};

/// A compartment waiting to be estimated, with the officer whose write asked for it (the
/// estimate's audit event names them).
#[derive(Debug, Clone)]
struct Pending {
    principal: Principal,
    compartment: String,
    /// When the latest write asked: the estimate is stamped with it, so its history point has
    /// the time of the evidence it reflects, not of whenever the worker got to it.
    asked_at: Instant,
    /// Asked for only by a refresh (no write is waiting on it): dropped at shutdown.
    refresh: bool,
}

#[derive(Debug, Default)]
struct State {
    /// Marked compartments by id.
    marked: BTreeMap<String, Pending>,
    /// Their order of first marking: a compartment written to constantly cannot starve the
    /// others.
    order: VecDeque<String>,
    /// The compartment being estimated now, if any.
    running: Option<String>,
    /// Whether a worker has been started; without one, writes estimate in their own call.
    worker: bool,
    /// Set when the station is dropped: the worker stops.
    closed: bool,
}

/// The queue shared by the station and its worker (the worker holds no strong reference to
/// the station, so dropping the station stops it).
#[derive(Debug)]
pub(crate) struct ReliabilityQueue {
    state: Mutex<State>,
    /// Wakes the worker when a compartment is marked or the station closes.
    work: tokio::sync::Notify,
    /// Bumped whenever the queue drains or a compartment finishes, for waiters.
    progress: tokio::sync::watch::Sender<u64>,
}

impl Default for ReliabilityQueue {
    fn default() -> Self {
        Self {
            state: Mutex::new(State::default()),
            work: tokio::sync::Notify::new(),
            progress: tokio::sync::watch::Sender::new(0),
        }
    }
}

impl ReliabilityQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain data behind; carry on with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks a compartment; false when no worker runs (the caller estimates itself).
    fn mark(&self, p: &Principal, compartment_id: &str, compartment: &str, at: Instant) -> bool {
        self.mark_as(p, compartment_id, compartment, at, false)
    }

    /// Marks a compartment for a refresh, unless a write has marked it already (a write's
    /// mark is kept: it is not dropped at shutdown).
    fn mark_refresh(
        &self,
        p: &Principal,
        compartment_id: &str,
        compartment: &str,
        at: Instant,
    ) -> bool {
        self.mark_as(p, compartment_id, compartment, at, true)
    }

    fn mark_as(
        &self,
        p: &Principal,
        compartment_id: &str,
        compartment: &str,
        at: Instant,
        refresh: bool,
    ) -> bool {
        let mut s = self.lock();
        if !s.worker {
            return false;
        }
        if refresh && s.marked.contains_key(compartment_id) {
            return true;
        }
        let pending = Pending {
            principal: p.clone(),
            compartment: compartment.to_owned(),
            asked_at: at,
            refresh,
        };
        if s.marked
            .insert(compartment_id.to_owned(), pending)
            .is_none()
        {
            s.order.push_back(compartment_id.to_owned());
        }
        drop(s);
        self.work.notify_one();
        true
    }

    /// Drops the compartments marked only by a refresh and not yet started.
    fn drop_refreshes(&self) {
        let mut s = self.lock();
        s.marked.retain(|_, p| !p.refresh);
        let State { marked, order, .. } = &mut *s;
        order.retain(|id| marked.contains_key(id));
        drop(s);
        self.progress.send_modify(|n| *n += 1);
    }

    /// The next compartment to estimate, now marked as running.
    fn take(&self) -> Option<(String, Pending)> {
        let mut s = self.lock();
        let id = s.order.pop_front()?;
        let pending = s.marked.remove(&id)?;
        s.running = Some(id.clone());
        Some((id, pending))
    }

    fn finish(&self) {
        self.lock().running = None;
        self.progress.send_modify(|n| *n += 1);
    }

    fn settled(&self) -> bool {
        let s = self.lock();
        s.marked.is_empty() && s.running.is_none()
    }

    fn updating(&self, compartment_id: &str) -> bool {
        let s = self.lock();
        s.marked.contains_key(compartment_id) || s.running.as_deref() == Some(compartment_id)
    }

    fn closed(&self) -> bool {
        self.lock().closed
    }

    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.work.notify_one();
    }
}

impl Station {
    /// Called after a write that changed a compartment's claims or outcomes has committed:
    /// queues the estimate for the worker, or runs it now when no worker runs.
    pub(crate) async fn after_evidence_changed(&self, p: &Principal, source: &SourceRow) {
        self.after_compartment_evidence_changed(p, &source.compartment_id, &source.compartment)
            .await;
    }

    /// As [`Station::after_evidence_changed`], for a write on the compartment itself (an
    /// open-source item).
    pub(crate) async fn after_compartment_evidence_changed(
        &self,
        p: &Principal,
        compartment_id: &str,
        compartment: &str,
    ) {
        let now = self.clock().now();
        if self
            .reliability_queue()
            .mark(p, compartment_id, compartment, now)
        {
            return;
        }
        if let Err(e) = self
            .estimate_compartment(p, compartment_id, compartment, now)
            .await
        {
            tracing::error!(compartment = %compartment, error = %e, "reliability estimate failed");
        }
    }

    /// Estimates every compartment afresh, as the system: what this version of the engine
    /// suggests replaces what an older version, or a restored backup, stored, without waiting
    /// for the compartment's next write. With the worker running the compartments are only
    /// queued (and nothing is returned); otherwise each is estimated in this call, and the
    /// names of those whose stored suggestions changed are returned.
    pub async fn refresh_reliability(&self) -> Result<Vec<String>, StationError> {
        let p = Principal::system();
        let now = self.clock().now();
        let mut changed = Vec::new();
        for c in self.store.list_compartments().await? {
            if self
                .reliability_queue()
                .mark_refresh(&p, &c.id, &c.name, now)
            {
                continue;
            }
            if self.estimate_compartment(&p, &c.id, &c.name, now).await? {
                changed.push(c.name);
            }
        }
        Ok(changed)
    }

    /// Starts the background estimate worker (once; later calls do nothing). Must be called
    /// inside a Tokio runtime. From then on writes return without waiting for the estimate.
    pub fn start_reliability_worker(self: &Arc<Self>) {
        let queue = self.reliability_queue().clone();
        {
            let mut s = queue.lock();
            if s.worker {
                return;
            }
            s.worker = true;
        }
        let station: Weak<Station> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                if queue.closed() {
                    break;
                }
                let Some((id, pending)) = queue.take() else {
                    queue.work.notified().await;
                    continue;
                };
                let Some(station) = station.upgrade() else {
                    queue.finish();
                    break;
                };
                // Its own task, so that even a panic in one estimate leaves the worker (and
                // whoever waits for it) going.
                let compartment = pending.compartment.clone();
                let job = tokio::spawn(async move {
                    station
                        .estimate_compartment(
                            &pending.principal,
                            &id,
                            &pending.compartment,
                            pending.asked_at,
                        )
                        .await
                });
                match job.await {
                    Ok(Ok(_)) => {}
                    // The compartment stays as it was stored; the next write that touches it
                    // marks it again.
                    Ok(Err(e)) => {
                        tracing::error!(%compartment, error = %e, "reliability estimate failed")
                    }
                    Err(e) => {
                        tracing::error!(%compartment, error = %e, "reliability estimate stopped")
                    }
                }
                queue.finish();
            }
        });
    }

    /// Forgets the refreshes still waiting (`refresh_reliability`'s), keeping every estimate a
    /// write asked for: a server stopping soon after it started need not estimate every
    /// compartment first (the next start refreshes them again).
    pub fn forget_reliability_refreshes(&self) {
        self.reliability_queue().drop_refreshes();
    }

    /// Whether the compartment's estimate is waiting or running: what is stored may not yet
    /// reflect its latest claims and outcomes.
    pub fn reliability_updating(&self, compartment_id: &str) -> bool {
        self.reliability_queue().updating(compartment_id)
    }

    /// Waits until no compartment is marked or being estimated.
    pub async fn reliability_settled(&self) {
        let queue = self.reliability_queue();
        let mut progress = queue.progress.subscribe();
        while !queue.settled() {
            if progress.changed().await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> Instant {
        use chrono::TimeZone as _;
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 9, minute, 0)
            .single()
            .expect("a valid time")
    }

    fn officer(name: &str) -> Principal {
        let mut p = Principal::system();
        p.user_id = name.to_owned();
        p
    }

    #[test]
    fn without_a_worker_nothing_is_queued() {
        let q = ReliabilityQueue::default();
        assert!(!q.mark(&officer("a"), "c1", "North", at(0)));
        assert!(!q.updating("c1"));
        assert!(q.settled());
    }

    #[test]
    fn writes_during_an_estimate_coalesce_into_one_more() {
        let q = ReliabilityQueue::default();
        q.lock().worker = true;
        assert!(q.mark(&officer("a"), "c1", "North", at(0)));
        assert!(q.mark(&officer("b"), "c2", "South", at(1)));
        assert!(q.updating("c1") && q.updating("c2") && !q.updating("c3"));
        let (id, first) = q.take().expect("c1 waits");
        assert_eq!((id.as_str(), first.principal.user_id.as_str()), ("c1", "a"));
        // Three more writes to c1 while it is being estimated: one more estimate, for the
        // officer of the latest write.
        for (minute, who) in [(2, "c"), (3, "d"), (4, "e")] {
            q.mark(&officer(who), "c1", "North", at(minute));
        }
        assert!(q.updating("c1"));
        q.finish();
        assert!(!q.settled());
        // c2 waited longer: it goes before c1's second estimate.
        let (id, waited) = q.take().expect("c2");
        assert_eq!((id.as_str(), waited.compartment.as_str()), ("c2", "South"));
        q.finish();
        let (id, last) = q.take().expect("c1 again");
        assert_eq!((id.as_str(), last.principal.user_id.as_str()), ("c1", "e"));
        assert_eq!(last.asked_at, at(4), "stamped with the latest write");
        assert!(!q.settled(), "c1 is running");
        q.finish();
        assert!(q.take().is_none());
        assert!(q.settled() && !q.updating("c1") && !q.updating("c2"));
    }

    #[test]
    fn at_shutdown_refreshes_are_dropped_and_writes_kept() {
        let q = ReliabilityQueue::default();
        q.lock().worker = true;
        let system = Principal::system();
        for (id, name) in [("c1", "North"), ("c2", "South"), ("c3", "East")] {
            assert!(q.mark_refresh(&system, id, name, at(0)));
        }
        // A write to c2 after the refresh was queued, and one to c4 before a refresh of it.
        q.mark(&officer("a"), "c2", "South", at(1));
        q.mark(&officer("b"), "c4", "West", at(2));
        assert!(q.mark_refresh(&system, "c4", "West", at(3)));
        q.drop_refreshes();
        assert!(!q.updating("c1") && !q.updating("c3"));
        let (id, first) = q.take().expect("c2's write");
        assert_eq!((id.as_str(), first.principal.user_id.as_str()), ("c2", "a"));
        q.finish();
        let (id, second) = q.take().expect("c4's write");
        assert_eq!((id.as_str(), second.asked_at), ("c4", at(2)));
        q.finish();
        assert!(q.take().is_none() && q.settled());
    }
}
