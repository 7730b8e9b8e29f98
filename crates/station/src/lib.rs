//! The station: the services that the officer API, the web pages and the command line all
//! call. A rule or an access check lives here (or in the pure core it calls), never in a
//! handler or a CLI command, so every door into the station enforces the same things.
//!
//! Invariants:
//! - Every service call that changes state is one store transaction with its audit event.
//! - Plaintext of an encrypted field exists only in memory here, for as long as the call needs.
//! - The master key is read from a file (never from the database) and only its derived keys
//!   leave this crate.

mod access;
mod accounts;
mod audit;
mod backup;
mod enrolment;
mod error;
mod form_tokens;
pub mod handling;
pub mod intake;
mod keys;
mod ranks;

pub use access::Principal;
pub use accounts::{Enrolment, LoginPolicy, NewSession};
pub use audit::{AuditVerification, CHECKPOINT_FILE};
pub use enrolment::PendingEnrolment;
pub use error::{ErrorKind, StationError};
pub use humint_store::Backend;

use humint_core::{Clock, Entropy};
use humint_crypto::{KeyRing, MasterKey, WrappedKey};
use humint_store::{AuditKeys, SqlStore, Store};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Where a station keeps its things.
#[derive(Debug, Clone)]
pub struct StationConfig {
    /// The data directory: the SQLite database (by default), the master key, the audit
    /// checkpoint file.
    pub data_dir: PathBuf,
    /// `postgres://…` for a shared database; `None` for the embedded SQLite file.
    pub database_url: Option<String>,
    /// Where the master key lives, if not `<data_dir>/master.key`.
    pub master_key_file: Option<PathBuf>,
    pub login: LoginPolicy,
}

impl StationConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            master_key_file: None,
            login: LoginPolicy::default(),
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("humint.db").display()
            ),
        }
    }

    pub fn master_key_path(&self) -> PathBuf {
        self.master_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("master.key"))
    }
}

/// A running station's state, shared by every request.
#[derive(Debug)]
pub struct Station {
    store: Arc<SqlStore>,
    master: MasterKey,
    /// Unlocked data keys; replaced (not mutated) when a key is added.
    keyring: RwLock<Option<Arc<KeyRing>>>,
    clock: Arc<dyn Clock>,
    entropy: Arc<dyn Entropy>,
    config: StationConfig,
    audit_keys: AuditKeys,
    /// Serialises reliability estimates (handling/reliability.rs), and holds what they keep
    /// in memory between runs (handling/reliability_memo.rs).
    reliability_lock: tokio::sync::Mutex<handling::ReliabilityMemo>,
    /// Compartments whose estimate is waiting (handling/reliability_queue.rs).
    reliability_queue: Arc<handling::ReliabilityQueue>,
    /// Recent alerts answers, reused until a write or their next change (handling/alerts.rs).
    alerts_cache: handling::AlertsCache,
}

impl Drop for Station {
    fn drop(&mut self) {
        self.reliability_queue.close();
    }
}

impl Station {
    /// Opens (creating if needed) the data directory, the master key and the database.
    pub async fn open(
        config: StationConfig,
        clock: Arc<dyn Clock>,
        entropy: Arc<dyn Entropy>,
    ) -> Result<Station, StationError> {
        create_private_dir(&config.data_dir)?;
        let (master, _created) =
            MasterKey::load_or_create(&config.master_key_path(), entropy.as_ref())?;
        let audit_keys = AuditKeys {
            chain: master.derive_subkey("humint/audit-chain/v1"),
            checkpoint: master.derive_subkey("humint/audit-checkpoint/v1"),
        };
        let store = SqlStore::open(&config.database_url(), audit_keys.clone()).await?;
        let station = Station {
            store: Arc::new(store),
            master,
            keyring: RwLock::new(None),
            clock,
            entropy,
            config,
            audit_keys,
            reliability_lock: tokio::sync::Mutex::default(),
            reliability_queue: Arc::default(),
            alerts_cache: handling::AlertsCache::default(),
        };
        station.reload_keyring().await?;
        // An upgraded station's register text written before migration 0012 is plaintext;
        // sealed first, since rebuilding the alert schedule reads the error register.
        station.seal_plaintext_texts().await?;
        station.prepare_alert_schedule().await?;
        // Authorisations granted before migration 0021 get their boilerplate comparison stored.
        station.compare_unchecked_authorisations(None).await?;
        Ok(station)
    }

    pub fn store(&self) -> &SqlStore {
        &self.store
    }

    pub fn config(&self) -> &StationConfig {
        &self.config
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub fn entropy(&self) -> &dyn Entropy {
        self.entropy.as_ref()
    }

    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    pub(crate) fn reliability_lock(&self) -> &tokio::sync::Mutex<handling::ReliabilityMemo> {
        &self.reliability_lock
    }

    pub(crate) fn reliability_queue(&self) -> &Arc<handling::ReliabilityQueue> {
        &self.reliability_queue
    }

    pub(crate) fn alerts_cache(&self) -> &handling::AlertsCache {
        &self.alerts_cache
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    pub async fn is_initialised(&self) -> Result<bool, StationError> {
        Ok(!self.store.is_empty().await?)
    }

    pub(crate) async fn reload_keyring(&self) -> Result<(), StationError> {
        let rows = self.store.key_versions().await?;
        let ring = if rows.is_empty() {
            None
        } else {
            let wrapped: Vec<WrappedKey> = rows
                .into_iter()
                .map(|r| WrappedKey {
                    version: u32::try_from(r.version).unwrap_or(u32::MAX),
                    blob: r.wrapped,
                })
                .collect();
            Some(Arc::new(KeyRing::unlock(&self.master, &wrapped)?))
        };
        *self.keyring.write().unwrap_or_else(|p| p.into_inner()) = ring;
        Ok(())
    }

    pub(crate) fn keyring(&self) -> Result<Arc<KeyRing>, StationError> {
        self.keyring
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(StationError::NotInitialised)
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// The data directory holds the master key: it is created readable by its owner only.
fn create_private_dir(dir: &Path) -> Result<(), StationError> {
    let io = |e: std::io::Error| {
        StationError::Io(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    };
    if dir.exists() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map_err(io)
    }
}
