//! What the station keeps in memory between estimates of a compartment, so that the update
//! after one new report reads and decrypts only the new claims, and does not read back the
//! suggestions it stored the time before (docs/benchmarks.md, "In the station").
//!
//! Both parts are checked against the database before every use, so a write by another server
//! on the same database is never missed:
//! * **Claims** are never changed or deleted, and a source never leaves its compartment, so the
//!   claims known are all of them exactly when their number is the compartment's count. New ones
//!   are read as those recorded since a little before the last read ([`SLACK_MS`]); when the
//!   numbers still differ (a claim recorded by a server whose clock runs behind, or committed
//!   meanwhile) every claim is read again.
//! * **Stored suggestions** are reused only while the compartment's reliability generation is
//!   the one this station's own last save produced: every save raises it by one in its
//!   transaction, whichever server makes it.
//!
//! * **Open-source items** (open_press.rs) are only ever added, so those known are all of them
//!   exactly while the compartment's count and greatest item id are the ones read with them;
//!   otherwise every item is read and decrypted again (an item published earlier than those
//!   known can change which item names its outlet, so new ones are not merged in).
//!
//! The claims' engine inputs (object and folded value, decrypted) stay in this process's memory
//! between estimates: never written anywhere, dropped with the station, and no more than the
//! process already holds (it holds the keys). At most [`MAX_COMPARTMENTS`] compartments are
//! kept, the most recently estimated.

use super::open_press::PressItem;
use super::reliability::ClaimInfo;
use crate::{Station, StationError};
use humint_store::{
    ClaimAssessmentRow, EstimateRow, OpenPressStore as _, ReliabilityStore as _, ReliabilityUpdate,
    ReportAssessmentRow,
};
use std::collections::{HashMap, HashSet};

/// How far before the last read new claims are looked for: longer than a report's write
/// transaction and than the clock difference between servers kept in step by NTP. A claim
/// outside it (recorded by a long import still in flight, or by a server whose clock is
/// behind) is caught by the count, and the claims are then read in full.
pub(crate) const SLACK_MS: i64 = 5_000;

/// Compartments kept in memory at most.
pub(crate) const MAX_COMPARTMENTS: usize = 8;

/// The memos of the most recently estimated compartments (guarded by the station's
/// reliability lock, which also serialises the estimates).
#[derive(Debug, Default)]
pub(crate) struct ReliabilityMemo {
    /// Compartment id → memo, with the order of use (most recent last).
    compartments: Vec<(String, CompartmentMemo)>,
}

impl ReliabilityMemo {
    /// Takes the compartment's memo out (an estimate that fails leaves none behind).
    pub(super) fn take(&mut self, compartment_id: &str) -> CompartmentMemo {
        match self
            .compartments
            .iter()
            .position(|(id, _)| id == compartment_id)
        {
            Some(i) => self.compartments.remove(i).1,
            None => CompartmentMemo::default(),
        }
    }

    /// Keeps the compartment's memo as the most recent, forgetting the least recent beyond
    /// [`MAX_COMPARTMENTS`].
    pub(super) fn put(&mut self, compartment_id: &str, memo: CompartmentMemo) {
        self.compartments.retain(|(id, _)| id != compartment_id);
        self.compartments.push((compartment_id.to_owned(), memo));
        if self.compartments.len() > MAX_COMPARTMENTS {
            self.compartments.remove(0);
        }
    }
}

/// One compartment's memo.
#[derive(Debug, Default)]
pub(super) struct CompartmentMemo {
    pub claims: Option<KnownClaims>,
    pub stored: Option<StoredMemo>,
    pub press: Option<KnownPress>,
}

/// Every open-source item of the compartment as the estimate reads it, with the mark
/// ([`humint_store::OpenPressStore::open_source_items_mark`]) read before them.
#[derive(Debug)]
pub(super) struct KnownPress {
    mark: (i64, Option<String>),
    pub items: Vec<PressItem>,
}

/// Every claim of the compartment as the engine reads it.
#[derive(Debug)]
pub(super) struct KnownClaims {
    pub infos: Vec<ClaimInfo>,
    ids: HashSet<String>,
    /// The station's clock when they were read.
    read_at_ms: i64,
}

/// What the compartment's last save left stored, and the generation it produced.
#[derive(Debug)]
pub(super) struct StoredMemo {
    generation: i64,
    pub estimates: HashMap<String, EstimateRow>,
    pub claims: HashMap<String, ClaimAssessmentRow>,
    pub reports: HashMap<String, ReportAssessmentRow>,
}

impl StoredMemo {
    /// After this station's own save that produced `generation`: the rows as now stored, if
    /// nobody else saved between the read and the save (then the generation moved by one);
    /// otherwise nothing, and the next estimate reads them back.
    pub fn saved(mut self, update: &ReliabilityUpdate, generation: i64) -> Option<StoredMemo> {
        if generation != self.generation + 1 {
            return None;
        }
        self.generation = generation;
        for e in &update.estimates {
            self.estimates.insert(e.source_id.clone(), e.clone());
        }
        for c in &update.claims {
            self.claims.insert(c.claim_id.clone(), c.clone());
        }
        for r in &update.reports {
            self.reports.insert(r.report_id.clone(), r.clone());
        }
        Some(self)
    }
}

impl Station {
    /// Every claim of the compartment: the known ones and those recorded since, or all of them
    /// read again when the count says some are missing (see the module docs).
    pub(super) async fn known_claims(
        &self,
        compartment_id: &str,
        known: Option<KnownClaims>,
    ) -> Result<KnownClaims, StationError> {
        let read_at_ms = self.clock().now().timestamp_millis();
        let count = self.store.compartment_claim_count(compartment_id).await?;
        if let Some(mut k) = known {
            let rows = self
                .store
                .compartment_claims_since(compartment_id, k.read_at_ms - SLACK_MS)
                .await?;
            for r in rows {
                if !k.ids.contains(&r.claim_id) {
                    let info = self.claim_info(r)?;
                    k.ids.insert(info.claim_id.clone());
                    k.infos.push(info);
                }
            }
            if i64::try_from(k.infos.len()).ok() == Some(count) {
                k.read_at_ms = read_at_ms;
                return Ok(k);
            }
            tracing::debug!(
                compartment_id,
                known = k.infos.len(),
                count,
                "claims missing from memory: reading them all"
            );
        }
        let rows = self.store.compartment_claims(compartment_id).await?;
        let mut infos = Vec::with_capacity(rows.len());
        for r in rows {
            infos.push(self.claim_info(r)?);
        }
        let ids = infos.iter().map(|c| c.claim_id.clone()).collect();
        Ok(KnownClaims {
            infos,
            ids,
            read_at_ms,
        })
    }

    /// Every open-source item of the compartment: the known ones while the mark is unchanged,
    /// else all read again (see the module docs).
    pub(super) async fn known_press(
        &self,
        compartment_id: &str,
        known: Option<KnownPress>,
    ) -> Result<KnownPress, StationError> {
        let mark = self.store.open_source_items_mark(compartment_id).await?;
        if let Some(k) = known.filter(|k| k.mark == mark) {
            return Ok(k);
        }
        // Read after the mark: an item recorded in between is read now and changes the mark
        // the next estimate sees, which then reads everything again.
        Ok(KnownPress {
            mark,
            items: self.press_items(compartment_id).await?,
        })
    }

    /// What the compartment's last save left stored: from memory while the generation is
    /// the one remembered, else read back.
    pub(super) async fn stored_memo(
        &self,
        compartment_id: &str,
        stored: Option<StoredMemo>,
    ) -> Result<StoredMemo, StationError> {
        let generation = self.store.reliability_generation(compartment_id).await?;
        if let Some(s) = stored.filter(|s| s.generation == generation) {
            return Ok(s);
        }
        let rows = self.store.stored_assessments(compartment_id).await?;
        Ok(StoredMemo {
            generation,
            estimates: rows
                .estimates
                .into_iter()
                .map(|e| (e.source_id.clone(), e))
                .collect(),
            claims: rows
                .claims
                .into_iter()
                .map(|c| (c.claim_id.clone(), c))
                .collect(),
            reports: rows
                .reports
                .into_iter()
                .map(|r| (r.report_id.clone(), r))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_estimated_compartment_is_forgotten_first() {
        let mut memo = ReliabilityMemo::default();
        for i in 0..MAX_COMPARTMENTS {
            memo.put(&format!("c{i}"), CompartmentMemo::default());
        }
        // c0 used again: c1 is now the oldest.
        let c0 = memo.take("c0");
        memo.put("c0", c0);
        memo.put("new", CompartmentMemo::default());
        let kept: Vec<&str> = memo
            .compartments
            .iter()
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(kept.len(), MAX_COMPARTMENTS);
        assert!(!kept.contains(&"c1"), "{kept:?}");
        assert!(kept.contains(&"c0") && kept.contains(&"new"), "{kept:?}");
    }

    #[test]
    fn a_save_by_someone_else_in_between_forgets_the_stored_rows() {
        let stored = || StoredMemo {
            generation: 4,
            estimates: HashMap::new(),
            claims: HashMap::new(),
            reports: HashMap::new(),
        };
        let update = ReliabilityUpdate {
            reports: vec![ReportAssessmentRow {
                report_id: "r1".into(),
                compartment_id: "c".into(),
                computed_at_ms: 1,
                digit: Some(2),
                circular: false,
                doc: "{}".into(),
            }],
            ..ReliabilityUpdate::default()
        };
        let mine = stored().saved(&update, 5).expect("our save came next");
        assert_eq!(mine.generation, 5);
        assert_eq!(mine.reports["r1"].digit, Some(2));
        assert!(stored().saved(&update, 6).is_none());
    }
}
