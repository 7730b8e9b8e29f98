//! Backups to and from files. A backup holds every table as the database has it: encrypted
//! fields stay ciphertext, and the master key is NOT in it — keep the key file safe separately,
//! or the restored station cannot read its own data.

use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_store::Store;
use humint_store::backup::{BackupSink, BackupSource, BackupSummary};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

struct FileSink(BufWriter<std::fs::File>);

impl BackupSink for FileSink {
    fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        self.0.write_all(line.as_bytes())?;
        self.0.write_all(b"\n")
    }
}

struct FileSource(std::io::Lines<BufReader<std::fs::File>>);

impl BackupSource for FileSource {
    fn read_line(&mut self) -> std::io::Result<Option<String>> {
        self.0.next().transpose()
    }
}

fn open_source(path: &Path) -> Result<FileSource, StationError> {
    let file = std::fs::File::open(path).map_err(|e| {
        StationError::invalid(
            "BACKUP_UNREADABLE",
            format!("cannot open {}: {e}", path.display()),
        )
    })?;
    Ok(FileSource(BufReader::new(file).lines()))
}

impl Station {
    /// Writes a consistent snapshot to `out` (created owner-readable only, written beside and
    /// renamed into place so a failed backup never leaves a plausible-looking partial file).
    pub async fn backup_to(
        &self,
        actor: &Principal,
        out: &Path,
    ) -> Result<BackupSummary, StationError> {
        actor.require_role(&[Role::Admin], "make backups")?;
        let tmp = out.with_extension("partial");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&tmp)
            .map_err(|e| StationError::Io(format!("cannot create {}: {e}", tmp.display())))?;
        let mut sink = FileSink(BufWriter::new(file));
        let summary = self.store.backup(&mut sink).await;
        let finished = summary.and_then(|s| {
            sink.0
                .flush()
                .map_err(|e| humint_store::StoreError::Backup(e.to_string()))?;
            sink.0
                .get_ref()
                .sync_all()
                .map_err(|e| humint_store::StoreError::Backup(e.to_string()))?;
            Ok(s)
        });
        match finished {
            Ok(summary) => {
                std::fs::rename(&tmp, out).map_err(|e| {
                    StationError::Io(format!("cannot write {}: {e}", out.display()))
                })?;
                let audit = humint_store::AuditContext::new(
                    self.now_ms(),
                    &actor.user_id,
                    actor.role.as_str(),
                    "station.backup",
                    "station",
                    "backup",
                );
                self.store.append_audit(&audit).await?;
                Ok(summary)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e.into())
            }
        }
    }

    /// Restores a backup file. The file is read through once first, so a damaged or cut-short
    /// file is refused before anything in the database is touched.
    pub async fn restore_from(
        &self,
        actor: &Principal,
        path: &Path,
        force: bool,
    ) -> Result<BackupSummary, StationError> {
        actor.require_role(&[Role::Admin], "restore backups")?;
        let keys = check_file(path)?;
        // The backup's data keys must open with this station's master key; checked before
        // anything is written, so a wrong key file cannot leave an unreadable station behind.
        humint_crypto::KeyRing::unlock(&self.master, &keys).map_err(|_| {
            StationError::invalid(
                "BACKUP_OTHER_KEY",
                "the backup's data keys do not open with this station's master key: restore with the master key file of the station that made it",
            )
        })?;
        if self.is_initialised().await? && !force {
            return Err(StationError::Conflict {
                code: "STATION_LIVE",
                message: "this station already holds data; restoring over it needs --force"
                    .to_owned(),
            });
        }
        let summary = self.store.restore(&mut open_source(path)?, force).await?;
        self.reload_keyring().await?;
        // The checkpoint file described the ledger that was just replaced.
        self.checkpoint_audit().await?;
        // A backup from before migration 0012 restores its register text in plaintext
        // (sealed before the alert schedule is rebuilt from the register).
        self.seal_plaintext_texts().await?;
        // A backup from before the alert schedule restores without it: fill it now.
        self.prepare_alert_schedule().await?;
        // A backup from before migration 0021 restores without the boilerplate comparisons.
        self.compare_unchecked_authorisations(None).await?;
        Ok(summary)
    }
}

/// Reads the whole file: every line parses, the header and footer are there, and the footer's
/// counts match. Returns the data keys the backup holds.
fn check_file(path: &Path) -> Result<Vec<humint_crypto::WrappedKey>, StationError> {
    use humint_store::backup::Line;
    let mut source = open_source(path)?;
    let bad = |m: String| StationError::invalid("BACKUP_INVALID", m);
    let (mut tables, mut rows, mut header, mut footer) = (0u64, 0u64, false, None);
    let mut n = 0usize;
    let mut keys = Vec::new();
    let mut in_keys = false;
    while let Some(line) = source
        .read_line()
        .map_err(|e| bad(format!("cannot read the backup: {e}")))?
    {
        n += 1;
        if footer.is_some() {
            return Err(bad(format!("line {n}: data after the backup's footer")));
        }
        match serde_json::from_str::<Line>(&line).map_err(|e| bad(format!("line {n}: {e}")))? {
            Line::Header {
                format, version, ..
            } => {
                if n != 1
                    || format != humint_store::backup::FORMAT
                    || version != humint_store::backup::VERSION
                {
                    return Err(bad(
                        "not a humint backup of a version this program reads".to_owned()
                    ));
                }
                header = true;
            }
            Line::Table { name, .. } => {
                tables += 1;
                in_keys = name == "key_versions";
            }
            Line::Row { values } => {
                rows += 1;
                if in_keys {
                    keys.push(
                        wrapped_key(&values)
                            .ok_or_else(|| bad(format!("line {n}: a malformed data key")))?,
                    );
                }
            }
            Line::Footer { tables: t, rows: r } => footer = Some((t, r)),
        }
    }
    if !header {
        return Err(bad("not a humint backup (no header)".to_owned()));
    }
    match footer {
        Some((t, r)) if t == tables && r == rows => Ok(keys),
        Some(_) => Err(bad(
            "the backup's footer does not match its contents: it is damaged".to_owned(),
        )),
        None => Err(bad(
            "the backup ends before its footer: it is incomplete".to_owned()
        )),
    }
}

/// A `key_versions` row (version, wrapped, created_at) as written by the store's backup.
fn wrapped_key(values: &[serde_json::Value]) -> Option<humint_crypto::WrappedKey> {
    use base64::Engine as _;
    let version = u32::try_from(values.first()?.as_i64()?).ok()?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(values.get(1)?.as_str()?)
        .ok()?;
    Some(humint_crypto::WrappedKey { version, blob })
}
