//! The audit ledger's integrity: the canonical encoding of an event, the HMAC chain that
//! links each event to the one before it, signed checkpoints, and a streaming verifier that
//! names the first bad entry.
//!
//! Threat model: an attacker with write access to the database (a stolen backup restored
//! and edited, a compromised DBA account) who wants to hide that they, or someone, read a
//! source's true identity. The chain makes an edited, deleted or reordered event
//! detectable; the checkpoints make a deleted *tail* detectable, which a chain alone
//! cannot show (a shorter chain is still a valid chain).
//!
//! Invariants: this crate does no I/O and holds no plaintext; events carry identifiers,
//! never the content that was read or written.

mod checkpoint;
mod event;
mod verify;

pub use checkpoint::Checkpoint;
pub use event::{AuditEvent, ChainHasher, GENESIS_MAC, StoredEvent, canonical_bytes, chain_mac};
pub use verify::{FailureKind, Verifier, VerifyFailure, VerifyReport};
