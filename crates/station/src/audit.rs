//! Verifying the ledger, and the checkpoint kept outside the database.
//!
//! The database holds the events, their HMAC chain and a signed checkpoint every
//! `CHECKPOINT_EVERY` events. Someone with write access to the database alone could still drop
//! the triggers and cut the tail of the ledger together with its checkpoints; the copy of the
//! latest checkpoint kept in the data directory (next to the master key) catches that.

use crate::{Station, StationError};
use humint_audit::{Checkpoint, Verifier, VerifyFailure};
use humint_store::Store;
use serde::{Deserialize, Serialize};

pub const CHECKPOINT_FILE: &str = "audit.checkpoint";

const PAGE: i64 = 20_000;
/// Pages being read ahead of the one being checked.
const PREFETCH: usize = 3;

/// The outcome of a verification that found nothing wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    pub events: u64,
    pub last_seq: i64,
    pub checkpoints: usize,
    pub external_checkpoint: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct CheckpointFile {
    seq: i64,
    at_ms: i64,
    head_mac: String,
    signature: String,
}

impl Station {
    /// Checks every event's MAC and sequence, and every checkpoint, in order. Returns the first
    /// fault found (as `Err(Ok(failure))`) or a station error reading the ledger.
    pub async fn verify_audit(
        &self,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Result<AuditVerification, VerifyFailure>, StationError> {
        let last_seq = self.store.audit_last_seq().await?;
        let total = u64::try_from(last_seq).unwrap_or(0);
        let mut verifier = Verifier::with_capacity(
            &self.audit_keys.chain,
            &self.audit_keys.checkpoint,
            usize::try_from(total).unwrap_or(0),
        );
        // Pages are ranges of sequence numbers, so several can be read at once: while this task
        // checks one page, the next ones are being fetched and decoded on the other core. A
        // deleted event just makes a page short; the verifier sees the gap.
        let fetch = |after: i64| {
            let store = self.store.clone();
            tokio::spawn(async move { store.audit_events_between(after, after + PAGE).await })
        };
        let mut in_flight = std::collections::VecDeque::new();
        let mut next = 0i64;
        while next < last_seq && in_flight.len() < PREFETCH {
            in_flight.push_back(fetch(next));
            next += PAGE;
        }
        let mut done = 0u64;
        progress(0, total);
        while let Some(handle) = in_flight.pop_front() {
            if next < last_seq {
                in_flight.push_back(fetch(next));
                next += PAGE;
            }
            let page = handle
                .await
                .map_err(|e| StationError::Io(format!("reading the ledger failed: {e}")))??;
            for event in &page {
                if let Err(failure) = verifier.push(event) {
                    in_flight.iter().for_each(|h| h.abort());
                    return Ok(Err(failure));
                }
            }
            done += page.len() as u64;
            progress(done, total);
        }
        let checkpoints = self.store.audit_checkpoints().await?;
        let external = self.read_checkpoint_file()?;
        Ok(verifier
            .finish(&checkpoints, external.as_ref())
            .map(|report| AuditVerification {
                events: done,
                last_seq: report.last_seq,
                checkpoints: checkpoints.len(),
                external_checkpoint: external.map(|c| c.seq),
            }))
    }

    /// Signs the ledger's head into the database and into the data directory's file.
    pub async fn checkpoint_audit(&self) -> Result<Option<Checkpoint>, StationError> {
        let Some(cp) = self.store.checkpoint_audit(self.now_ms()).await? else {
            return Ok(None);
        };
        let file = CheckpointFile {
            seq: cp.seq,
            at_ms: cp.at_ms,
            head_mac: hex::encode(cp.head_mac),
            signature: hex::encode(cp.signature),
        };
        let path = self.data_dir().join(CHECKPOINT_FILE);
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_string(&file).map_err(|e| StationError::Io(e.to_string()))?;
        // Written beside and renamed over, so a crash never leaves half a checkpoint.
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| StationError::Io(format!("cannot write {}: {e}", path.display())))?;
        Ok(Some(cp))
    }

    fn read_checkpoint_file(&self) -> Result<Option<Checkpoint>, StationError> {
        let path = self.data_dir().join(CHECKPOINT_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StationError::Io(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let damaged = || {
            StationError::invalid(
                "CHECKPOINT_DAMAGED",
                format!("{} is damaged; it must not be edited", path.display()),
            )
        };
        let file: CheckpointFile = serde_json::from_str(&text).map_err(|_| damaged())?;
        let mac = |h: &str| -> Result<[u8; 32], StationError> {
            hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(damaged)
        };
        Ok(Some(Checkpoint {
            seq: file.seq,
            at_ms: file.at_ms,
            head_mac: mac(&file.head_mac)?,
            signature: mac(&file.signature)?,
        }))
    }
}
