//! The intake: an anonymous "open door" for volunteers (the portal side, [`Portal`]) and the
//! officers' handling of what comes through it (services on [`Station`]).
//!
//! Invariants:
//! - What a volunteer sends is encrypted to the registered custodians' age recipients before
//!   anything is written; the station holds no key that decrypts it.
//! - A codename is never stored: only a one-way lookup key, and replies are encrypted to a key
//!   derived from the codename (see [`codename`]).
//! - Nothing identifies a volunteer's connection or instant: no IP address, user agent or
//!   exact time is stored or logged; dates are days and ids are random.
//! - Volunteer actions are audited as actor `volunteer`, at the start of their day.

pub mod codename;
mod convert;
mod crypt;
mod export;
pub mod metadata;
mod officer;
mod portal;
mod session;

pub use codename::{CodenameKdf, generate_custodian_identity};
pub use crypt::{FileUpload, StoredFile, UploadError};
pub use export::{DecryptSummary, ExportSummary, decrypt_export};
pub use officer::{
    IntakeEntrySummary, IntakeStatus, IntakeSummary, IssuedPhrase, REPLY_MAX_BYTES, format_day,
};
pub use portal::{
    NewThread, Portal, PortalError, Receipt, SubmissionPermit, ThreadEntry, ThreadView,
};
pub use session::{Flash, PortalSession};

use crate::{Principal, Station, StationError};
use chrono::{DateTime, NaiveDate, Utc};
use humint_core::Role;
use humint_store::{AuditContext, IntakeRecipientRow, IntakeStore as _};
use std::time::Duration;

/// The portal's limits. The defaults suit one small server.
#[derive(Debug, Clone)]
pub struct IntakePolicy {
    /// Longest message, in bytes of UTF-8.
    pub message_max_bytes: usize,
    /// Largest file, in bytes (after which the upload is cut and nothing is kept).
    pub file_max_bytes: u64,
    /// New submissions and follow-ups accepted per minute, across all volunteers…
    pub submissions_per_minute: u32,
    /// …with this many allowed at once after a quiet spell.
    pub submission_burst: u32,
    /// Files being received at the same time.
    pub concurrent_uploads: usize,
    /// Codename sign-ins and phrase checks per minute, across all volunteers (each costs an
    /// Argon2id run, so this caps the CPU a flood can take from the officers).
    pub attempts_per_minute: u32,
    pub attempt_burst: u32,
    /// Every codename sign-in takes at least this long, right or wrong.
    pub login_floor: Duration,
    /// How long a signed-in volunteer stays signed in.
    pub session_ttl_s: i64,
    /// The codename KDF's costs, used when the portal first runs (then read from the database).
    pub kdf: CodenameKdf,
}

impl Default for IntakePolicy {
    fn default() -> Self {
        Self {
            message_max_bytes: 100_000,
            file_max_bytes: 1024 * 1024 * 1024,
            submissions_per_minute: 30,
            submission_burst: 10,
            concurrent_uploads: 4,
            attempts_per_minute: 60,
            attempt_burst: 20,
            login_floor: Duration::from_millis(1000),
            session_ttl_s: 3600,
            kdf: CodenameKdf::default(),
        }
    }
}

pub(crate) const VOLUNTEER: &str = "volunteer";

/// A random 128-bit id: unlike UUIDv7, it says nothing about when it was made.
pub(crate) fn random_id(station: &Station) -> String {
    let mut b = [0u8; 16];
    station.entropy().fill(&mut b);
    hex::encode(b)
}

pub(crate) fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

pub(crate) fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

pub(crate) fn day_start_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0)
}

impl Station {
    /// Today, by the station's clock, and its first millisecond: what volunteer-side records
    /// carry instead of an instant.
    pub(crate) fn intake_today(&self) -> (String, i64) {
        let day = day_of(self.clock().now());
        (day_text(day), day_start_ms(day))
    }

    pub(crate) fn intake_dir(&self) -> std::path::PathBuf {
        self.data_dir().join("intake")
    }

    /// A key for the portal's own MACs and sealed cookies, separate from every other use of
    /// the master key.
    pub(crate) fn intake_subkey(&self, purpose: &str) -> [u8; 32] {
        self.master
            .derive_subkey(&format!("humint/intake/{purpose}/v1"))
    }

    fn intake_audit(&self, actor: &Principal, action: &str, kind: &str, id: &str) -> AuditContext {
        AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            action,
            kind,
            id,
        )
    }

    /// Registers an offline custodian's age public key (admin). Every later submission is
    /// encrypted to every registered key.
    pub async fn intake_add_recipient(
        &self,
        actor: &Principal,
        recipient: &str,
    ) -> Result<IntakeRecipientRow, StationError> {
        actor.require_role(&[Role::Admin], "register intake custodians")?;
        let parsed = crypt::parse_recipient(recipient)?;
        let row = IntakeRecipientRow {
            id: random_id(self),
            recipient: parsed.to_string(),
            created_at_ms: self.now_ms(),
        };
        let audit = self.intake_audit(actor, "intake.recipient.add", "intake_recipient", &row.id);
        self.store
            .add_intake_recipient(&row, &audit)
            .await
            .map_err(|e| match e {
                humint_store::StoreError::Conflict { .. } => StationError::Conflict {
                    code: "RECIPIENT_EXISTS",
                    message: "that recipient is already registered".to_owned(),
                },
                other => other.into(),
            })?;
        Ok(row)
    }

    /// Unregisters a custodian's key (admin). What was already encrypted to it stays so.
    pub async fn intake_remove_recipient(
        &self,
        actor: &Principal,
        recipient: &str,
    ) -> Result<(), StationError> {
        actor.require_role(&[Role::Admin], "remove intake custodians")?;
        let audit = self.intake_audit(
            actor,
            "intake.recipient.remove",
            "intake_recipient",
            recipient.trim(),
        );
        self.store
            .remove_intake_recipient(recipient.trim(), &audit)
            .await?;
        Ok(())
    }

    pub async fn intake_recipients(
        &self,
        actor: &Principal,
    ) -> Result<Vec<IntakeRecipientRow>, StationError> {
        actor.require_role(&[Role::Admin], "list intake custodians")?;
        Ok(self.store.intake_recipients().await?)
    }

    /// The registered recipients, parsed; none means the portal must not accept anything.
    pub(crate) async fn intake_recipient_keys(&self) -> Result<crypt::Recipients, StationError> {
        self.store
            .intake_recipients()
            .await?
            .iter()
            .map(|r| crypt::parse_recipient(&r.recipient))
            .collect()
    }
}
