//! The master key: the one secret kept outside the database. It wraps the data-encryption
//! keys and derives the audit and session keys, so whoever holds the database alone holds
//! only ciphertext.
//!
//! File format: 64 lowercase hexadecimal characters followed by a newline (surrounding
//! whitespace is ignored when loading). Hex was chosen over base64 because an operator can
//! produce and check it with ordinary tools (`openssl rand -hex 32`, `wc -c`), and a
//! truncated copy is obvious.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

use hkdf::Hkdf;
use humint_core::Entropy;
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::CryptoError;

/// Salt for HKDF-Extract when deriving subkeys. A fixed, public value: its job is domain
/// separation between this program's derivations and any other use of the same key.
const SUBKEY_SALT: &[u8] = b"humint-subkey-v1";

/// The 32-byte master key. Zeroized on drop; `Debug` never shows it.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// Wraps raw key bytes (for tests and for tools that import a key).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self { bytes }
    }

    /// A fresh random key.
    pub fn generate(entropy: &dyn Entropy) -> Self {
        let mut bytes = [0u8; 32];
        entropy.fill(&mut bytes);
        Self { bytes }
    }

    /// Loads the key at `path`, or creates it there if no file exists. Returns whether it
    /// was created, so the caller can tell the operator to back it up.
    ///
    /// The file is created with mode 0600 at `open` time (not chmod-ed afterwards), so there
    /// is no window in which another local user could read it. `create_new` makes two
    /// processes starting at once agree on one key instead of overwriting each other's.
    pub fn load_or_create(
        path: &Path,
        entropy: &dyn Entropy,
    ) -> Result<(MasterKey, bool), CryptoError> {
        match create_owner_only(path) {
            Ok(mut file) => {
                let key = Self::generate(entropy);
                let text = Zeroizing::new(format!("{}\n", hex::encode(key.bytes)));
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|source| io_error(path, source))?;
                Ok((key, true))
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok((Self::load(path)?, false)),
            Err(source) => Err(io_error(path, source)),
        }
    }

    /// Loads the key at `path`, which must exist.
    ///
    /// Refuses a file that group or others may access: a key readable by another local
    /// account defeats encryption at rest, and failing loudly is the only way an operator
    /// learns that a restore or copy widened its permissions.
    pub fn load(path: &Path) -> Result<MasterKey, CryptoError> {
        let mut file = File::open(path).map_err(|source| io_error(path, source))?;
        // Check the permissions of the file we opened, not of the path, so a swap between
        // the check and the read cannot slip a different file past it.
        check_owner_only(path, &file)?;
        let mut text = Zeroizing::new(String::new());
        // A key file is 65 bytes; reading at most a little more keeps a wrong path (a
        // database, a log) from being slurped into memory.
        (&mut file)
            .take(256)
            .read_to_string(&mut text)
            .map_err(|_| CryptoError::KeyFileMalformed {
                path: path.to_path_buf(),
            })?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| {
            CryptoError::KeyFileMalformed {
                path: path.to_path_buf(),
            }
        })?;
        Ok(Self { bytes })
    }

    /// A key for one purpose, derived so that no two purposes share a key: a leak or misuse
    /// of the session-token key, say, reveals nothing about the audit chain key.
    ///
    /// HKDF-SHA256 (RFC 5869): extract with the fixed salt `"humint-subkey-v1"` and the
    /// master key as input key material, expand with `label` as info to 32 bytes.
    /// Labels in use: "audit-chain", "audit-checkpoint", "session-token", "dek-wrap".
    pub fn derive_subkey(&self, label: &str) -> [u8; 32] {
        let hk = Hkdf::<Sha256>::new(Some(SUBKEY_SALT), &self.bytes);
        let mut out = [0u8; 32];
        // HKDF-SHA256 can expand up to 8160 bytes; 32 is a constant far below that, so this
        // error cannot depend on any input.
        #[allow(clippy::expect_used)]
        hk.expand(label.as_bytes(), &mut out)
            .expect("32 bytes is within HKDF-SHA256's output limit");
        out
    }
}

fn io_error(path: &Path, source: std::io::Error) -> CryptoError {
    CryptoError::KeyFileIo {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(unix)]
fn create_owner_only(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_owner_only(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn check_owner_only(path: &Path, file: &File) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .map_err(|source| io_error(path, source))?
        .permissions()
        .mode()
        & 0o7777;
    if mode & 0o077 != 0 {
        return Err(CryptoError::KeyFileTooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_only(_path: &Path, _file: &File) -> Result<(), CryptoError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use humint_core::SeededEntropy;

    #[test]
    fn first_start_creates_the_key_and_later_starts_load_the_same_key() -> Result<(), CryptoError> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let path = dir.path().join("master.key");
        let (created, was_created) = MasterKey::load_or_create(&path, &SeededEntropy::new(1))?;
        let (loaded, was_created_again) = MasterKey::load_or_create(&path, &SeededEntropy::new(2))?;
        assert!(was_created);
        assert!(!was_created_again);
        assert_eq!(created.bytes, loaded.bytes);
        assert_eq!(MasterKey::load(&path)?.bytes, created.bytes);
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        assert_eq!(text, format!("{}\n", hex::encode(created.bytes)));
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn created_key_file_is_owner_only() -> Result<(), CryptoError> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let path = dir.path().join("master.key");
        MasterKey::load_or_create(&path, &SeededEntropy::new(1))?;
        let mode = std::fs::metadata(&path)
            .map_err(|e| io_error(&path, e))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        Ok(())
    }

    #[cfg(unix)]
    #[rstest::rstest]
    #[case::group_readable(0o640)]
    #[case::world_readable(0o604)]
    #[case::group_writable(0o620)]
    fn a_key_file_others_can_access_is_refused_with_the_fix(
        #[case] mode: u32,
    ) -> Result<(), CryptoError> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let path = dir.path().join("master.key");
        MasterKey::load_or_create(&path, &SeededEntropy::new(1))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| io_error(&path, e))?;
        let err = MasterKey::load(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("chmod 600"), "{err}");
        // load_or_create must refuse too, not silently make a new key.
        assert!(matches!(
            MasterKey::load_or_create(&path, &SeededEntropy::new(1)),
            Err(CryptoError::KeyFileTooOpen { .. })
        ));
        Ok(())
    }

    #[rstest::rstest]
    #[case::empty("")]
    #[case::short("abcd\n")]
    #[case::not_hex(&format!("{}\n", "zz".repeat(32)))]
    #[case::too_long(&format!("{}\n", "ab".repeat(33)))]
    fn a_malformed_key_file_is_refused(#[case] content: &str) -> Result<(), CryptoError> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let path = dir.path().join("master.key");
        let mut file = create_owner_only(&path).map_err(|e| io_error(&path, e))?;
        file.write_all(content.as_bytes())
            .map_err(|e| io_error(&path, e))?;
        assert!(matches!(
            MasterKey::load(&path),
            Err(CryptoError::KeyFileMalformed { .. })
        ));
        Ok(())
    }

    #[test]
    fn a_missing_key_file_is_an_error_naming_the_path() {
        let err = MasterKey::load(Path::new("/nonexistent/humint/master.key"))
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("/nonexistent/humint/master.key")));
    }

    #[test]
    fn subkeys_differ_by_label_and_by_master_and_are_stable() {
        let a = MasterKey::from_bytes([1; 32]);
        let b = MasterKey::from_bytes([2; 32]);
        assert_ne!(
            a.derive_subkey("audit-chain"),
            a.derive_subkey("audit-checkpoint")
        );
        assert_ne!(
            a.derive_subkey("audit-chain"),
            b.derive_subkey("audit-chain")
        );
        assert_eq!(
            a.derive_subkey("audit-chain"),
            a.derive_subkey("audit-chain")
        );
    }

    #[test]
    fn debug_does_not_reveal_the_key() {
        let key = MasterKey::from_bytes([0xab; 32]);
        let shown = format!("{key:?}");
        assert!(!shown.contains("ab") && !shown.contains("171"), "{shown}");
    }
}
