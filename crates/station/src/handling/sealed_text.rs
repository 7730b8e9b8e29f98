//! The register's free text (an error's description and Commissioner's reference, a
//! requirement review's note or closure reason, a break-glass reason) is sealed like every
//! other sensitive field (migration 0012): an envelope bound to table, column and row, listed
//! in the store's `ENCRYPTED_COLUMNS` so key rotation re-wraps it. A station upgraded from an
//! earlier version holds these texts in plaintext; [`Station::seal_plaintext_texts`] runs at
//! open (and after a restore) and seals them. Migrations 0014 and 0015 add a source's lifecycle
//! events (`source_transitions.doc`, the reason of each move) and taskings (`taskings.doc`,
//! instructions and status notes) to the same list and the same job.

use crate::{Station, StationError};
use humint_store::{AuditContext, RegisterStore as _, SealEvent, SealedText, Store as _};

/// Texts sealed per transaction.
const BATCH: i64 = 500;

impl Station {
    /// Seals one free text of the register for its row.
    pub(crate) fn seal_text(
        &self,
        table: &'static str,
        column: &'static str,
        row: &str,
        text: &str,
    ) -> Result<Vec<u8>, StationError> {
        self.encrypt_field(table, column, row, text.as_bytes())
    }

    /// Opens one free text of the register; a tampered or moved envelope is the crypto
    /// layer's refusal, never a panic.
    pub(crate) fn open_text(
        &self,
        table: &'static str,
        column: &'static str,
        row: &str,
        envelope: &[u8],
    ) -> Result<String, StationError> {
        let plain = self.decrypt_field(table, column, row, envelope)?;
        String::from_utf8(plain.to_vec())
            .map_err(|_| StationError::Io(format!("a stored {table}.{column} is damaged")))
    }

    /// A document column sealed since its migration (`doc_sealed` beside `doc`): the envelope
    /// opened, or, in a row an older version wrote and no station has sealed yet, the
    /// plaintext as it is.
    pub(crate) fn open_doc(
        &self,
        table: &'static str,
        row: &str,
        sealed: Option<&[u8]>,
        plain: &str,
    ) -> Result<String, StationError> {
        match sealed {
            Some(envelope) => self.open_text(table, "doc_sealed", row, envelope),
            None => Ok(plain.to_owned()),
        }
    }

    /// Seals every register text still held in plaintext (rows written before migration
    /// 0012) and blanks the plaintext in the same transaction, a batch at a time; one audit
    /// event (`register.text.seal`, object id = how many rows) records the work. Idempotent:
    /// with nothing left in plaintext it reads one empty page and writes nothing. A station
    /// without keys yet (not initialised) holds no such rows. Returns how many were sealed.
    pub async fn seal_plaintext_texts(&self) -> Result<u64, StationError> {
        if self.store.is_empty().await? {
            return Ok(0);
        }
        let mut total = 0u64;
        loop {
            let page = self.store.unsealed_texts(BATCH).await?;
            if page.is_empty() {
                break;
            }
            let last = (page.len() as i64) < BATCH;
            let mut sealed = Vec::with_capacity(page.len());
            for t in page {
                let envelope =
                    self.seal_text(t.column.table, t.column.sealed, &t.row, &t.plaintext)?;
                sealed.push(SealedText {
                    column: t.column,
                    row: t.row,
                    envelope,
                });
            }
            // The event rides with the last batch when it is known to be the last (counting
            // only the rows this station sealed, not any another server sealed meanwhile);
            // otherwise it is appended on its own once an empty page says so.
            let event = last.then(|| SealEvent {
                audit: self.seal_audit(0),
                sealed_before: total,
            });
            total += self.store.seal_texts(&sealed, event.as_ref()).await?;
            if last {
                return Ok(total);
            }
        }
        if total > 0 {
            self.store.append_audit(&self.seal_audit(total)).await?;
        }
        Ok(total)
    }

    fn seal_audit(&self, count: u64) -> AuditContext {
        AuditContext::new(
            self.now_ms(),
            "system",
            "admin",
            "register.text.seal",
            "station",
            count.to_string(),
        )
    }
}
