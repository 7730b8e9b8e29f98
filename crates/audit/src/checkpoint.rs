//! Signed checkpoints: "the ledger had `seq` events and its head MAC was `head_mac`".
//!
//! A chain alone cannot show that its tail was cut off: the remaining prefix is still a
//! valid chain. A checkpoint can. The lead stores each checkpoint twice, in the database
//! and in a file in the data directory outside it, so an attacker with only database
//! access who truncates the ledger *and* its checkpoint table is still caught by the file.
//!
//! Checkpoints are signed with a key separate from the chain key (both derived from the
//! master key under different labels). Separation means a MAC made in one role can never be
//! presented as valid in the other (a chain MAC passed off as a checkpoint signature), and
//! a component that only ever needs one of the keys cannot forge the other kind of proof.

use hmac::Mac;
use serde::{Deserialize, Serialize};

use crate::event::keyed_hmac;

const CHECKPOINT_DOMAIN: &[u8] = b"humint-audit-checkpoint-v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The sequence number of the last event covered (0 for an empty ledger).
    pub seq: i64,
    pub at_ms: i64,
    /// The chain MAC of event `seq` ([`crate::GENESIS_MAC`] when `seq` is 0).
    pub head_mac: [u8; 32],
    /// `HMAC-SHA256(checkpoint_key, "humint-audit-checkpoint-v1" || seq || at_ms || head_mac)`.
    pub signature: [u8; 32],
}

impl Checkpoint {
    pub fn sign(checkpoint_key: &[u8; 32], seq: i64, at_ms: i64, head_mac: [u8; 32]) -> Checkpoint {
        let signature = signing_state(checkpoint_key, seq, at_ms, &head_mac)
            .finalize()
            .into_bytes()
            .into();
        Checkpoint {
            seq,
            at_ms,
            head_mac,
            signature,
        }
    }

    /// Whether the signature is valid under `checkpoint_key` (compared in constant time).
    pub fn verify_signature(&self, checkpoint_key: &[u8; 32]) -> bool {
        signing_state(checkpoint_key, self.seq, self.at_ms, &self.head_mac)
            .verify_slice(&self.signature)
            .is_ok()
    }
}

fn signing_state(
    key: &[u8; 32],
    seq: i64,
    at_ms: i64,
    head_mac: &[u8; 32],
) -> hmac::Hmac<sha2::Sha256> {
    let mut mac = keyed_hmac(key);
    mac.update(CHECKPOINT_DOMAIN);
    mac.update(&seq.to_be_bytes());
    mac.update(&at_ms.to_be_bytes());
    mac.update(head_mac);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const KEY: [u8; 32] = [5; 32];

    fn signed() -> Checkpoint {
        Checkpoint::sign(&KEY, 10, 1_700_000_000_000, [7; 32])
    }

    #[test]
    fn a_signed_checkpoint_verifies() {
        assert!(signed().verify_signature(&KEY));
    }

    #[rstest]
    #[case::seq_moved_back(Checkpoint { seq: 5, ..signed() })]
    #[case::time_changed(Checkpoint { at_ms: 1, ..signed() })]
    #[case::head_replaced(Checkpoint { head_mac: [8; 32], ..signed() })]
    #[case::signature_flipped(Checkpoint { signature: [0; 32], ..signed() })]
    fn an_altered_checkpoint_does_not_verify(#[case] altered: Checkpoint) {
        assert!(!altered.verify_signature(&KEY));
    }

    #[test]
    fn a_checkpoint_signed_with_another_key_does_not_verify() {
        assert!(!Checkpoint::sign(&[6; 32], 10, 1_700_000_000_000, [7; 32]).verify_signature(&KEY));
    }
}
