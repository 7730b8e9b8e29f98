//! Getting submissions to the custodians: `export` copies each message and file as a standard
//! `.age` file (the station cannot decrypt them); `decrypt_export` opens such a folder with a
//! custodian's identity, on a machine that never runs the portal.
//!
//! Layout: `<out>/<thread id>/<seq>-message.age` and `<seq>-file.age`, plus `index.json`
//! (ids, days, sizes, status: no content). Replies are not exported: they are encrypted to the
//! volunteer's codename only.

use super::crypt::{create_private, private_dir};
use super::officer::format_day;
use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_store::{AuditContext, IntakeStore as _, Store as _};
use std::io::{BufReader, BufWriter, Write as _};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub threads: usize,
    pub messages: usize,
    pub files: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecryptSummary {
    pub decrypted: usize,
    /// Files that the identity could not open, with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> StationError + '_ {
    move |e| StationError::Io(format!("{}: {e}", path.display()))
}

/// A thread id as a folder name: ids are hex, but a damaged row must not escape `out`.
fn safe_name(id: &str) -> Option<&str> {
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then_some(id)
}

impl Station {
    /// Writes every submission, still encrypted to the custodians, under `out` (admin; the
    /// command line acts as admin). Existing files are not overwritten.
    pub async fn intake_export(
        &self,
        actor: &Principal,
        out: &Path,
    ) -> Result<ExportSummary, StationError> {
        actor.require_role(&[Role::Admin], "export intake submissions")?;
        private_dir(out)?;
        let threads = self.store.intake_threads().await?;
        let mut summary = ExportSummary {
            threads: 0,
            messages: 0,
            files: 0,
        };
        let mut index = Vec::new();
        for thread in &threads {
            let Some(name) = safe_name(&thread.id) else {
                continue;
            };
            let dir = out.join(name);
            private_dir(&dir)?;
            let mut items = Vec::new();
            for entry in self.store.intake_entries(&thread.id).await? {
                if entry.kind != "received" {
                    continue;
                }
                let message = dir.join(format!("{:04}-message.age", entry.seq));
                write_new(&message, &entry.body)?;
                summary.messages += 1;
                let mut item = serde_json::json!({
                    "seq": entry.seq, "day": entry.day, "size": entry.size,
                    "message": message.file_name().map(|n| n.to_string_lossy().into_owned()),
                });
                if let Some(stored) = entry.file_name.as_deref().and_then(safe_file) {
                    let target = dir.join(format!("{:04}-file.age", entry.seq));
                    let from = self.intake_dir().join(stored);
                    copy_new(&from, &target)?;
                    summary.files += 1;
                    item["file"] = target
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .into();
                }
                items.push(item);
            }
            index.push(serde_json::json!({
                "id": thread.id, "received_on": thread.received_day, "status": thread.status,
                "items": items,
            }));
            summary.threads += 1;
        }
        let index_path = out.join("index.json");
        let text = serde_json::to_vec_pretty(&serde_json::json!({
            "exported_on": format_day(super::day_of(self.clock().now())),
            "threads": index,
        }))
        .map_err(|e| StationError::Io(format!("index: {e}")))?;
        let _ = std::fs::remove_file(&index_path);
        write_new(&index_path, &text)?;
        let audit = AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            "intake.export",
            "intake_thread",
            "*",
        );
        self.store.append_audit(&audit).await?;
        Ok(summary)
    }
}

/// A stored file name: a single path component, nothing that climbs out of the folder.
fn safe_file(name: &str) -> Option<&str> {
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !name.starts_with('.'))
    .then_some(name)
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StationError> {
    if path.exists() {
        return Ok(());
    }
    let mut f = create_private(path).map_err(io_at(path))?;
    f.write_all(bytes).map_err(io_at(path))
}

fn copy_new(from: &Path, to: &Path) -> Result<(), StationError> {
    if to.exists() {
        return Ok(());
    }
    let mut src = std::fs::File::open(from).map_err(io_at(from))?;
    let mut dst = create_private(to).map_err(io_at(to))?;
    std::io::copy(&mut src, &mut dst).map_err(io_at(to))?;
    Ok(())
}

/// Decrypts every `.age` file under `from` into the same place under `to` (without `.age`),
/// with the identities in `identity_file` (an age identity file, as `age-keygen` or
/// `humint intake keygen` writes). Streams: a large file never sits in memory.
pub fn decrypt_export(
    identity_file: &Path,
    from: &Path,
    to: &Path,
) -> Result<DecryptSummary, StationError> {
    let invalid = |e: String| {
        StationError::invalid(
            "INVALID_IDENTITY",
            format!("cannot read the identity file: {e}"),
        )
    };
    let identities = age::IdentityFile::from_file(identity_file.display().to_string())
        .map_err(|e| invalid(e.to_string()))?
        .into_identities()
        .map_err(|e| invalid(e.to_string()))?;
    let mut summary = DecryptSummary::default();
    private_dir(to)?;
    let mut stack = vec![from.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io_at(&dir))? {
            let path = entry.map_err(io_at(&dir))?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(rel) = path.strip_prefix(from).ok().map(Path::to_path_buf) else {
                continue;
            };
            if path.extension().is_none_or(|e| e != "age") {
                continue;
            }
            let target = to.join(rel.with_extension(""));
            if let Some(parent) = target.parent() {
                private_dir(parent)?;
            }
            match decrypt_file(&identities, &path, &target) {
                Ok(()) => summary.decrypted += 1,
                Err(reason) => {
                    let _ = std::fs::remove_file(&target);
                    summary.failed.push((rel, reason));
                }
            }
        }
    }
    summary.failed.sort();
    Ok(summary)
}

fn decrypt_file(
    identities: &[Box<dyn age::Identity + Send + Sync>],
    from: &Path,
    to: &Path,
) -> Result<(), String> {
    let input = std::fs::File::open(from).map_err(|e| e.to_string())?;
    let decryptor =
        age::Decryptor::new_buffered(BufReader::new(input)).map_err(|e| e.to_string())?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .map_err(|e| e.to_string())?;
    let output = create_private(to).map_err(|e| e.to_string())?;
    let mut output = BufWriter::new(output);
    std::io::copy(&mut reader, &mut output).map_err(|e| e.to_string())?;
    output.flush().map_err(|e| e.to_string())?;
    Ok(())
}
