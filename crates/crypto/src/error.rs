//! The one error type of this crate. Variants are distinct so that callers can tell an
//! operator's mistake (key file permissions) from an attack (a tampered ciphertext).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("cannot read or write the master key file {path}: {source}")]
    KeyFileIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the master key file {path} can be read by other users (mode {mode:04o}); \
         restrict it with `chmod 600 {path}`"
    )]
    KeyFileTooOpen { path: PathBuf, mode: u32 },

    #[error("the master key file {path} does not hold a key: expected 64 hexadecimal characters")]
    KeyFileMalformed { path: PathBuf },

    #[error(
        "data key version {version} cannot be unwrapped: the master key is wrong or the wrapped key was altered"
    )]
    WrongMasterKey { version: u32 },

    #[error("wrapped data key version {version} is malformed")]
    MalformedWrappedKey { version: u32 },

    #[error("data key version {version} appears more than once")]
    DuplicateKeyVersion { version: u32 },

    #[error("no data keys were given, so nothing can be encrypted or decrypted")]
    NoDataKeys,

    #[error("the ciphertext names data key version {version}, which is not in the key ring")]
    UnknownKeyVersion { version: u32 },

    #[error("the ciphertext failed authentication: it was altered or moved from another field")]
    TamperedCiphertext,

    #[error("the ciphertext is malformed: {reason}")]
    MalformedCiphertext { reason: &'static str },

    #[error("the plaintext is too long to encrypt")]
    PlaintextTooLong,

    #[error("invalid password hashing parameters: {reason}")]
    InvalidPasswordParams { reason: String },

    #[error("password hashing failed: {reason}")]
    PasswordHashing { reason: String },
}
