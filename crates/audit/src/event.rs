//! Audit events, their canonical encoding and the chain MAC.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Version byte at the start of every canonical encoding, so the format can change later
/// without an old event ever being read under the new rules.
const CANONICAL_V1: u8 = 0x01;

/// The "previous MAC" of the first event.
pub const GENESIS_MAC: [u8; 32] = [0; 32];

/// One entry of the audit ledger. By design it holds no plaintext of sensitive content,
/// only who did what to which object, so it may be serialized and exported freely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// 1-based and contiguous: a gap is a deleted event.
    pub seq: i64,
    pub at_ms: i64,
    /// A user id, `"system"` or `"volunteer"`.
    pub actor: String,
    pub role: String,
    /// e.g. `"user.create"`, `"source.identity.read"`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub compartment: Option<String>,
    /// `"ok"` or `"denied"`.
    pub outcome: String,
}

/// An event as stored, with its chain MAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub event: AuditEvent,
    pub mac: [u8; 32],
}

/// The canonical encoding (version 1) of an event: what the chain MAC covers.
///
/// ```text
/// 0x01 || seq (i64 BE) || at_ms (i64 BE)
///      || for actor, role, action, object_type, object_id: len (u64 BE) || UTF-8 bytes
///      || compartment: 0x00 if absent, or 0x01 || len (u64 BE) || bytes
///      || outcome: len (u64 BE) || bytes
/// ```
///
/// Every variable-length field is length-prefixed, so no two distinct events share an
/// encoding: otherwise an attacker could move characters between adjacent fields (actor
/// "ab" + role "c" versus actor "a" + role "bc") without breaking the MAC.
pub fn canonical_bytes(event: &AuditEvent) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_canonical(event, &mut |bytes: &[u8]| out.extend_from_slice(bytes));
    out
}

/// Writes the canonical encoding piece by piece into `sink`. Both [`canonical_bytes`] and
/// the MAC use this one function, so they cannot drift apart; the MAC feeds the pieces
/// straight into the hash state and so allocates nothing per event.
fn write_canonical(event: &AuditEvent, sink: &mut impl FnMut(&[u8])) {
    fn string(s: &str, sink: &mut impl FnMut(&[u8])) {
        sink(&(s.len() as u64).to_be_bytes());
        sink(s.as_bytes());
    }
    sink(&[CANONICAL_V1]);
    sink(&event.seq.to_be_bytes());
    sink(&event.at_ms.to_be_bytes());
    for field in [
        &event.actor,
        &event.role,
        &event.action,
        &event.object_type,
        &event.object_id,
    ] {
        string(field, sink);
    }
    match &event.compartment {
        None => sink(&[0]),
        Some(compartment) => {
            sink(&[1]);
            string(compartment, sink);
        }
    }
    string(&event.outcome, sink);
}

/// `HMAC-SHA256(key, prev_mac || canonical_bytes(event))`; the first event's `prev_mac`
/// is [`GENESIS_MAC`]. Each MAC covering the previous one is what makes an edit, a deletion
/// or a reordering anywhere break every later link.
///
/// Keys the HMAC on each call; code that MACs many events should keep a [`ChainHasher`].
pub fn chain_mac(key: &[u8; 32], prev_mac: &[u8; 32], event: &AuditEvent) -> [u8; 32] {
    ChainHasher::new(key).mac(prev_mac, event)
}

/// An HMAC-SHA256 state keyed once with the chain key. Cloning a keyed state skips the two
/// key-block compressions per event, which is most of the saving that lets a million
/// events verify in well under a second.
#[derive(Clone)]
pub struct ChainHasher {
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for ChainHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainHasher(<redacted>)")
    }
}

impl ChainHasher {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            keyed: keyed_hmac(key),
        }
    }

    /// The chain MAC of `event` following `prev_mac`; equal to [`chain_mac`].
    pub fn mac(&self, prev_mac: &[u8; 32], event: &AuditEvent) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        // Gather the pieces in a stack buffer and hash them in few large updates: the
        // encoding is ~20 tiny pieces, and per-call overhead of the hash's block buffer
        // would otherwise cost as much as the compression itself. No heap allocation.
        let mut buf = [0u8; 512];
        buf[..32].copy_from_slice(prev_mac);
        let mut len = 32;
        write_canonical(event, &mut |bytes: &[u8]| {
            if len + bytes.len() > buf.len() {
                mac.update(&buf[..len]);
                len = 0;
            }
            if bytes.len() > buf.len() {
                mac.update(bytes);
            } else {
                buf[len..len + bytes.len()].copy_from_slice(bytes);
                len += bytes.len();
            }
        });
        mac.update(&buf[..len]);
        mac.finalize().into_bytes().into()
    }
}

pub(crate) fn keyed_hmac(key: &[u8; 32]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so a 32-byte key cannot be refused.
    #[allow(clippy::expect_used)]
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    pub(crate) fn sample() -> AuditEvent {
        AuditEvent {
            seq: 1,
            at_ms: 1_700_000_000_000,
            actor: "u-42".into(),
            role: "handler".into(),
            action: "source.identity.read".into(),
            object_type: "source".into(),
            object_id: "src-7".into(),
            compartment: Some("ALPHA".into()),
            outcome: "ok".into(),
        }
    }

    /// Pins the encoding: changing it would make every stored ledger fail verification.
    #[test]
    fn canonical_encoding_is_pinned() {
        let mut expected = vec![0x01];
        expected.extend_from_slice(&1i64.to_be_bytes());
        expected.extend_from_slice(&1_700_000_000_000i64.to_be_bytes());
        for s in ["u-42", "handler", "source.identity.read", "source", "src-7"] {
            expected.extend_from_slice(&(s.len() as u64).to_be_bytes());
            expected.extend_from_slice(s.as_bytes());
        }
        expected.push(1);
        expected.extend_from_slice(&5u64.to_be_bytes());
        expected.extend_from_slice(b"ALPHA");
        expected.extend_from_slice(&2u64.to_be_bytes());
        expected.extend_from_slice(b"ok");
        assert_eq!(canonical_bytes(&sample()), expected);
    }

    #[rstest]
    #[case::typical(sample())]
    #[case::fills_the_buffer_exactly(AuditEvent { actor: "a".repeat(512 - 32 - 134), ..sample() })]
    #[case::one_field_larger_than_the_buffer(AuditEvent { object_id: "x".repeat(2000), ..sample() })]
    #[case::many_mid_sized_fields(AuditEvent { actor: "a".repeat(300), role: "r".repeat(300), action: "c".repeat(300), ..sample() })]
    fn chain_mac_is_hmac_sha256_over_prev_and_canonical_bytes(#[case] event: AuditEvent) {
        let key = [3u8; 32];
        let prev = [9u8; 32];
        let mut reference = keyed_hmac(&key);
        reference.update(&prev);
        reference.update(&canonical_bytes(&event));
        let expected: [u8; 32] = reference.finalize().into_bytes().into();
        assert_eq!(chain_mac(&key, &prev, &event), expected);
        assert_eq!(ChainHasher::new(&key).mac(&prev, &event), expected);
    }

    proptest::proptest! {
        #[test]
        fn chain_mac_matches_the_reference_for_any_field_sizes(actor in ".{0,700}", object_id in ".{0,700}") {
            let event = AuditEvent { actor, object_id, ..sample() };
            let mut reference = keyed_hmac(&[3; 32]);
            reference.update(&GENESIS_MAC);
            reference.update(&canonical_bytes(&event));
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            proptest::prop_assert_eq!(chain_mac(&[3; 32], &GENESIS_MAC, &event), expected);
        }
    }

    #[rstest]
    #[case::moved_between_actor_and_role(
        AuditEvent { actor: "u-4".into(), role: "2handler".into(), ..sample() }
    )]
    #[case::absent_versus_empty_compartment(AuditEvent { compartment: Some(String::new()), ..sample() })]
    #[case::compartment_absent(AuditEvent { compartment: None, ..sample() })]
    #[case::moved_between_object_fields(
        AuditEvent { object_type: "sourcesrc-7".into(), object_id: String::new(), ..sample() }
    )]
    fn distinct_events_have_distinct_encodings_and_macs(#[case] other: AuditEvent) {
        assert_ne!(canonical_bytes(&other), canonical_bytes(&sample()));
        assert_ne!(
            chain_mac(&[1; 32], &GENESIS_MAC, &other),
            chain_mac(&[1; 32], &GENESIS_MAC, &sample())
        );
    }

    #[test]
    fn the_mac_depends_on_the_previous_mac_and_the_key() {
        let a = chain_mac(&[1; 32], &GENESIS_MAC, &sample());
        assert_ne!(a, chain_mac(&[1; 32], &[1; 32], &sample()));
        assert_ne!(a, chain_mac(&[2; 32], &GENESIS_MAC, &sample()));
    }
}
