//! Storage: one async [`Store`] trait, implemented for SQLite (the embedded default) and
//! PostgreSQL (multi-user deployments).
//!
//! Invariants:
//! - This is the only crate that contains SQL.
//! - Every write method is one transaction that also appends its audit event(s) to the
//!   HMAC-chained ledger: a record and its audit entry land together or not at all.
//! - The store never sees plaintext of an encrypted field: callers hand it ciphertext made by
//!   `humint-crypto`, bound to (table, column, row, key version).
//! - The ledger tables are append-only, enforced by triggers on both backends.

mod backend;
pub mod backup;
mod handling;
mod inspection;
mod intake;
mod open_press;
mod records;
mod reliability;
mod sql;
pub use intake::*;
#[cfg(feature = "testing")]
pub mod testing;

pub use backend::Backend;
pub use handling::*;
pub use inspection::*;
pub use open_press::*;
pub use records::*;
pub use reliability::*;
pub use sql::{AuditKeys, CHECKPOINT_EVERY, SqlStore};

use async_trait::async_trait;
use humint_audit::{Checkpoint, StoredEvent};

/// What can go wrong in storage, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. a username or compartment name already taken).
    #[error("{what} already exists")]
    Conflict { what: &'static str },
    /// A referenced record does not exist.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// A write lost a race that the caller must answer (e.g. a TOTP step used concurrently).
    #[error("{0}")]
    Refused(&'static str),
    /// A backup file that cannot be restored.
    #[error("backup: {0}")]
    Backup(String),
    /// The database returned something this program did not write.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database itself failed (connection, I/O, constraint we did not anticipate).
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The `station_meta` keys of the payment approval thresholds (single payment, calendar year),
/// whole minor units as decimal text. Read by the station and, inside each write's transaction,
/// for the alert scheduler ([`SourceAlertInputs::payment_settings`]).
pub const PAYMENT_SETTINGS: [&str; 2] = [
    "payments.single_threshold_minor",
    "payments.yearly_threshold_minor",
];

/// The `station_meta` key of the rank table in force (AUTH-03): a built-in table's name;
/// absent when none is (ranks are then not checked).
pub const RANK_TABLE_SETTING: &str = "ranks.table";

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The station's persistent state. Every method is a single transaction.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    fn backend(&self) -> Backend;

    // --- station metadata -------------------------------------------------------------
    async fn meta(&self, key: &str) -> Result<Option<String>>;
    /// Sets the payment approval thresholds ([`PAYMENT_SETTINGS`], in that order) with their
    /// audit event, and reschedules the alerts of every source with a payment not yet paid
    /// (whether it awaits approval depends on them), in one transaction.
    async fn set_payment_settings(&self, values: [String; 2], audit: &AuditContext) -> Result<()>;
    /// Sets the rank table in force ([`RANK_TABLE_SETTING`]; `None` removes it) with its audit
    /// event, in one transaction.
    async fn set_rank_table(&self, table: Option<&str>, audit: &AuditContext) -> Result<()>;

    // --- key versions ----------------------------------------------------------------
    async fn key_versions(&self) -> Result<Vec<KeyVersionRow>>;
    async fn add_key_version(&self, row: &KeyVersionRow, audit: &AuditContext) -> Result<()>;
    /// One page of encrypted fields (every column that holds ciphertext), in a stable order,
    /// starting after `after`.
    async fn encrypted_fields(
        &self,
        after: Option<&FieldCursor>,
        limit: i64,
    ) -> Result<Vec<EncryptedField>>;
    /// Replace ciphertexts (key rotation); each must still exist.
    async fn replace_encrypted_fields(&self, fields: &[EncryptedField]) -> Result<()>;
    async fn count_encrypted_fields(&self) -> Result<i64>;

    // --- first run --------------------------------------------------------------------
    /// Creates the first key version, the station metadata and the first admin in one
    /// transaction. Refuses (`Conflict`) when the station is already initialised.
    async fn initialise(
        &self,
        station_id: &str,
        key: &KeyVersionRow,
        admin: &NewUser,
        audit: &AuditContext,
    ) -> Result<()>;

    // --- compartments -----------------------------------------------------------------
    async fn create_compartment(&self, c: &CompartmentRecord, audit: &AuditContext) -> Result<()>;
    async fn compartment_by_name(&self, name: &str) -> Result<Option<CompartmentRecord>>;
    async fn list_compartments(&self) -> Result<Vec<CompartmentRecord>>;

    // --- users ------------------------------------------------------------------------
    async fn create_user(&self, user: &NewUser, audit: &AuditContext) -> Result<()>;
    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>>;
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>>;
    async fn set_user_disabled(&self, id: &str, disabled: bool, audit: &AuditContext)
    -> Result<()>;
    /// Records an officer's rank (AUTH-03) with its audit event; `NotFound` for no such user.
    async fn set_user_rank(&self, id: &str, rank: Option<&str>, audit: &AuditContext)
    -> Result<()>;
    async fn grant_compartment(
        &self,
        user_id: &str,
        compartment_id: &str,
        at_ms: i64,
        audit: &AuditContext,
    ) -> Result<()>;
    async fn user_compartments(&self, user_id: &str) -> Result<Vec<CompartmentRecord>>;
    /// Everyone read into a compartment (its bigot list), enabled accounts only.
    async fn compartment_members(&self, compartment_id: &str) -> Result<Vec<UserRecord>>;

    // --- sign-in and sessions -----------------------------------------------------------
    /// Records a failed sign-in and the throttle that follows it.
    async fn record_login_failure(
        &self,
        user_id: &str,
        failed_logins: i64,
        throttled_until_ms: Option<i64>,
        audit: &AuditContext,
    ) -> Result<()>;
    /// Records a successful sign-in: stores the session and the TOTP step used, refusing
    /// (`Refused`) if that step or a later one was already used — so a code cannot be replayed
    /// even by two requests racing each other.
    async fn record_login_success(
        &self,
        user_id: &str,
        totp_step: i64,
        session: &SessionRecord,
        audit: &AuditContext,
    ) -> Result<()>;
    async fn session(&self, token_hash: &[u8]) -> Result<Option<SessionRecord>>;
    /// Creates an account whose holder must confirm an authenticator before anything else
    /// (`totp_enrolments`), with its audit event, in one transaction.
    async fn create_user_for_enrolment(&self, user: &NewUser, audit: &AuditContext) -> Result<()>;
    /// Whether the account still waits for its authenticator to be confirmed.
    async fn totp_enrolment_pending(&self, user_id: &str) -> Result<bool>;
    /// Confirms the authenticator and opens the first session, as [`Store::record_login_success`]
    /// does; `Refused` if the enrolment was already confirmed or the step used.
    async fn confirm_totp_enrolment(
        &self,
        user_id: &str,
        totp_step: i64,
        session: &SessionRecord,
        audits: &[AuditContext],
    ) -> Result<()>;
    async fn revoke_session(
        &self,
        token_hash: &[u8],
        at_ms: i64,
        audit: &AuditContext,
    ) -> Result<()>;

    // --- audit ledger -------------------------------------------------------------------
    /// Appends an event on its own (reads of sensitive content, refusals); writes append
    /// theirs inside their own transaction.
    async fn append_audit(&self, audit: &AuditContext) -> Result<i64>;
    /// Appends many events in one transaction (bulk imports, benchmarks); returns the last
    /// sequence number.
    async fn append_audit_many(&self, audits: &[AuditContext]) -> Result<i64>;
    /// The next `limit` events after `after_seq`, oldest first.
    async fn audit_events(&self, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>>;
    /// Every event with `after_seq < seq <= up_to_seq`, oldest first. Ranges can be read
    /// concurrently, which is how verification keeps both cores busy.
    async fn audit_events_between(
        &self,
        after_seq: i64,
        up_to_seq: i64,
    ) -> Result<Vec<StoredEvent>>;
    /// The highest sequence number in the ledger (0 when empty).
    async fn audit_last_seq(&self) -> Result<i64>;
    async fn audit_count(&self) -> Result<i64>;
    async fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>>;
    /// Signs and stores a checkpoint of the ledger's current head (none on an empty ledger).
    async fn checkpoint_audit(&self, at_ms: i64) -> Result<Option<Checkpoint>>;

    // --- backup -----------------------------------------------------------------------
    /// Writes a consistent snapshot of every table (one read transaction).
    async fn backup(
        &self,
        sink: &mut (dyn backup::BackupSink + Send),
    ) -> Result<backup::BackupSummary>;
    /// Loads a snapshot into this store, which must be empty unless `force`, in which case
    /// everything in it is replaced.
    async fn restore(
        &self,
        source: &mut (dyn backup::BackupSource + Send),
        force: bool,
    ) -> Result<backup::BackupSummary>;
    /// True when no station has been initialised in this database.
    async fn is_empty(&self) -> Result<bool>;
}
