//! age encryption for the intake: small blobs in memory, files streamed to disk.
//!
//! Threat: a seized or copied portal. Everything a volunteer sends is encrypted to the
//! offline custodians' public keys as it arrives, in the same pass that reads it from the
//! network, so the station never holds a key that decrypts it and nothing is ever written in
//! clear, not even a temporary file.

use super::metadata::{StripReport, Stripper};
use crate::StationError;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use zeroize::Zeroizing;

pub(crate) type Recipients = Vec<age::x25519::Recipient>;

pub(crate) fn parse_recipient(text: &str) -> Result<age::x25519::Recipient, StationError> {
    age::x25519::Recipient::from_str(text.trim()).map_err(|_| {
        StationError::invalid(
            "INVALID_RECIPIENT",
            "that is not an age X25519 recipient (a public key starting with age1…)",
        )
    })
}

fn encryptor(recipients: &Recipients) -> Result<age::Encryptor, StationError> {
    age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .map_err(|e| StationError::Io(format!("age: {e}")))
}

/// A standard age file (binary format) of `plaintext`, to every recipient.
pub(crate) fn encrypt(recipients: &Recipients, plaintext: &[u8]) -> Result<Vec<u8>, StationError> {
    let io = |e: std::io::Error| StationError::Io(format!("age: {e}"));
    let mut out = Vec::with_capacity(plaintext.len() + 256);
    let mut writer = encryptor(recipients)?.wrap_output(&mut out).map_err(io)?;
    writer.write_all(plaintext).map_err(io)?;
    writer.finish().map_err(io)?;
    Ok(out)
}

pub(crate) fn decrypt(
    identity: &dyn age::Identity,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, StationError> {
    let err = |_| StationError::invalid("UNDECRYPTABLE", "this item cannot be decrypted");
    let decryptor = age::Decryptor::new(ciphertext).map_err(err)?;
    let mut reader = decryptor.decrypt(std::iter::once(identity)).map_err(err)?;
    let mut out = Zeroizing::new(Vec::new());
    std::io::Read::read_to_end(&mut reader, &mut out)
        .map_err(|_| StationError::invalid("UNDECRYPTABLE", "this item cannot be decrypted"))?;
    Ok(out)
}

/// Creates `dir` (owner-only) if it does not exist.
pub(crate) fn private_dir(dir: &Path) -> Result<(), StationError> {
    let io = |e: std::io::Error| StationError::Io(format!("cannot create {}: {e}", dir.display()));
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

/// A new file readable by its owner only; fails if it exists.
pub(crate) fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Sets a file's (or folder's) times to `day_start`: a file's modification time would
/// otherwise record the instant a volunteer submitted, which the database is careful not to.
pub(crate) fn backdate(path: &Path, day_start: std::time::SystemTime) {
    let times = std::fs::FileTimes::new()
        .set_modified(day_start)
        .set_accessed(day_start);
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.set_times(times);
    }
}

/// An encrypted file that has been written but whose database row may not be committed yet.
/// Dropped without [`StoredFile::keep`], it deletes itself: a refused or failed submission
/// leaves no ciphertext behind.
#[derive(Debug)]
pub struct StoredFile {
    pub(crate) path: PathBuf,
    /// The name under `<data_dir>/intake/`.
    pub(crate) name: String,
    /// Plaintext bytes stored (after metadata removal).
    pub size: u64,
    pub report: StripReport,
    kept: bool,
}

impl StoredFile {
    pub(crate) fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for StoredFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

enum Piece {
    Data(Vec<u8>),
    Finish,
}

/// A file being received: chunks go through a bounded channel to a blocking thread that
/// strips metadata and encrypts as it writes, so memory stays at a few chunks whatever the
/// file's size.
#[derive(Debug)]
pub struct FileUpload {
    tx: tokio::sync::mpsc::Sender<Piece>,
    worker: tokio::task::JoinHandle<Result<StoredFile, StationError>>,
    received: u64,
    limit: u64,
}

impl std::fmt::Debug for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Piece(..)")
    }
}

/// What a caller of [`FileUpload::write`] must act on.
#[derive(Debug)]
pub enum UploadError {
    TooLarge { limit: u64 },
    Failed(StationError),
}

impl FileUpload {
    pub(crate) fn start(
        dir: PathBuf,
        name: String,
        recipients: Recipients,
        limit: u64,
        day_start: std::time::SystemTime,
    ) -> FileUpload {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let worker =
            tokio::task::spawn_blocking(move || write_file(&dir, name, &recipients, rx, day_start));
        FileUpload {
            tx,
            worker,
            received: 0,
            limit,
        }
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        self.received += chunk.len() as u64;
        if self.received > self.limit {
            return Err(UploadError::TooLarge { limit: self.limit });
        }
        if self.tx.send(Piece::Data(chunk.to_vec())).await.is_err() {
            // The writer stopped: its own error says why.
            return Err(UploadError::Failed(StationError::Io(
                "the file writer stopped".to_owned(),
            )));
        }
        Ok(())
    }

    /// Stops receiving and waits until the partial ciphertext is gone.
    pub async fn abort(self) {
        drop(self.tx);
        let _ = self.worker.await;
    }

    pub async fn finish(self) -> Result<StoredFile, StationError> {
        let _ = self.tx.send(Piece::Finish).await;
        drop(self.tx);
        self.worker
            .await
            .map_err(|e| StationError::Io(format!("file writer: {e}")))?
    }
}

fn write_file(
    dir: &Path,
    name: String,
    recipients: &Recipients,
    mut rx: tokio::sync::mpsc::Receiver<Piece>,
    day_start: std::time::SystemTime,
) -> Result<StoredFile, StationError> {
    let io = |e: std::io::Error| StationError::Io(format!("intake file: {e}"));
    let partial = dir.join(format!("{name}.part"));
    let file = create_private(&partial).map_err(io)?;
    // Removes the partial ciphertext on every early return below.
    let mut guard = StoredFile {
        path: partial.clone(),
        name: name.clone(),
        size: 0,
        report: super::metadata::StripReport {
            kind: super::metadata::FileKind::Other,
            removed: Vec::new(),
            malformed: false,
        },
        kept: false,
    };
    let sink = encryptor(recipients)?
        .wrap_output(BufWriter::with_capacity(64 * 1024, file))
        .map_err(io)?;
    let mut stripper = Stripper::new(sink);
    loop {
        match rx.blocking_recv() {
            Some(Piece::Data(data)) => stripper.push(&data).map_err(io)?,
            Some(Piece::Finish) => break,
            // The sender went away without finishing: the upload was refused or cut.
            None => {
                return Err(StationError::Io("the upload was abandoned".to_owned()));
            }
        }
    }
    let (sink, report, written) = stripper.finish().map_err(io)?;
    let buffered = sink.finish().map_err(io)?;
    let file = buffered.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    drop(file);
    let final_path = dir.join(&name);
    std::fs::rename(&partial, &final_path).map_err(io)?;
    guard.path = final_path.clone();
    backdate(&final_path, day_start);
    backdate(dir, day_start);
    guard.size = written;
    guard.report = report;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_streamed_file_decrypts_and_an_abandoned_one_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let recipients = vec![id.to_public()];
        let day = std::time::SystemTime::UNIX_EPOCH;
        let mut up = FileUpload::start(
            dir.path().into(),
            "a.age".into(),
            recipients.clone(),
            1 << 20,
            day,
        );
        for _ in 0..10 {
            up.write(&[b'x'; 10_000]).await.unwrap();
        }
        let stored = up.finish().await.unwrap();
        assert_eq!(stored.size, 100_000);
        let bytes = std::fs::read(dir.path().join("a.age")).unwrap();
        assert_eq!(decrypt(&id, &bytes).unwrap().len(), 100_000);
        stored.keep();
        assert!(dir.path().join("a.age").exists());

        let mut up = FileUpload::start(dir.path().into(), "b.age".into(), recipients, 15, day);
        up.write(b"0123456789").await.unwrap();
        assert!(matches!(
            up.write(b"0123456789").await,
            Err(UploadError::TooLarge { limit: 15 })
        ));
        drop(up);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.age")]);
    }
}
