//! Cryptography for humint: the master key file, envelope encryption of sensitive fields,
//! password hashing, TOTP second factors and session tokens.
//!
//! Invariants this crate keeps:
//! - Randomness comes only from the [`humint_core::Entropy`] a caller passes in, so tests
//!   are reproducible and production uses the operating system's generator.
//! - Key material is zeroized on drop and never appears in `Debug` output.
//! - No function panics on input a user, the network or the database controls: malformed
//!   blobs, hashes and codes are errors (or `false`), never crashes.

mod envelope;
mod error;
mod master_key;
mod password;
mod token;
mod totp;

pub use envelope::{FieldRef, KeyRing, WrappedKey, blob_version, generate_data_key};
pub use error::CryptoError;
pub use master_key::MasterKey;
pub use password::{
    PasswordParams, dummy_verify, hash_password, hash_password_with, verify_password,
};
pub use token::{SessionToken, constant_time_eq, hash_token};
pub use totp::{TotpError, TotpSecret, totp_code_at, verify_totp};
