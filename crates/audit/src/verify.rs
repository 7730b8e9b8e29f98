//! The streaming verifier behind `humint audit verify`.
//!
//! Events are pushed one at a time in the order they are read (normally `ORDER BY seq`),
//! so a ledger of any length verifies in one pass without being held in memory. The
//! verifier does remember each event's MAC (32 bytes per event, ~32 MB per million) so
//! that checkpoints, which are only known at [`Verifier::finish`], can be compared with the
//! chain at their sequence numbers.

use std::fmt;

use subtle::ConstantTimeEq;

use crate::{ChainHasher, Checkpoint, GENESIS_MAC, StoredEvent};

/// The first thing wrong with a ledger. `seq` is always the first sequence number that
/// cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    pub seq: i64,
    pub kind: FailureKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// Event `seq` does not match its MAC: it (or its stored MAC) was edited.
    BadMac,
    /// Event `seq` is absent: the ledger goes from `seq - 1` to `found` and `seq` never
    /// appears (a deleted event).
    Gap { found: i64 },
    /// Event `found` stands where event `seq` should be and `seq` appears elsewhere or
    /// `found` is a repeat (a reordered or duplicated event).
    OutOfOrder { found: i64 },
    /// The ledger ends at `last_seq` but a signed checkpoint covers `checkpoint_seq`: the
    /// tail was deleted. `seq` is `last_seq + 1`.
    Truncated { checkpoint_seq: i64, last_seq: i64 },
    /// A validly signed checkpoint at `seq` disagrees with the chain: the ledger up to
    /// `seq` was rewritten by someone holding the chain key but not the checkpoint key.
    CheckpointMismatch,
    /// The checkpoint at `seq` is not signed with the checkpoint key (forged or altered).
    BadCheckpointSignature,
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match self.kind {
            FailureKind::BadMac => write!(
                f,
                "audit event {seq} was altered: its contents do not match its MAC"
            ),
            FailureKind::Gap { found } => write!(
                f,
                "audit event {seq} is missing: the ledger goes from event {} to event {found}",
                seq - 1
            ),
            FailureKind::OutOfOrder { found } => write!(
                f,
                "audit event {seq} is out of order: event {found} stands where event {seq} should be"
            ),
            FailureKind::Truncated {
                checkpoint_seq,
                last_seq,
            } => write!(
                f,
                "the audit ledger was truncated: it ends at event {last_seq} but a signed checkpoint \
                 covers events up to {checkpoint_seq}, so events {seq} to {checkpoint_seq} were deleted"
            ),
            FailureKind::CheckpointMismatch => write!(
                f,
                "the signed checkpoint at audit event {seq} does not match the ledger: \
                 events up to {seq} were rewritten"
            ),
            FailureKind::BadCheckpointSignature => write!(
                f,
                "the checkpoint at audit event {seq} has an invalid signature: it was forged or altered"
            ),
        }
    }
}

impl std::error::Error for VerifyFailure {}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: u64,
    pub last_seq: i64,
    /// The chain MAC of the last event ([`GENESIS_MAC`] for an empty ledger): what the next
    /// checkpoint should sign.
    pub head_mac: [u8; 32],
}

/// A jump forward in sequence numbers. Whether the skipped event was deleted or merely
/// appears later (reordered) is only known once the rest has been read.
#[derive(Debug, Clone, Copy)]
struct Jump {
    expected: i64,
    found: i64,
    seen_later: bool,
}

pub struct Verifier {
    chain: ChainHasher,
    checkpoint_key: [u8; 32],
    next_seq: i64,
    head: [u8; 32],
    /// `macs[i]` is the verified MAC of event `i + 1`.
    macs: Vec<[u8; 32]>,
    jump: Option<Jump>,
    failed: Option<VerifyFailure>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("next_seq", &self.next_seq)
            .field("failed", &self.failed)
            .finish()
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.checkpoint_key);
    }
}

impl Verifier {
    pub fn new(chain_key: &[u8; 32], checkpoint_key: &[u8; 32]) -> Verifier {
        Verifier {
            chain: ChainHasher::new(chain_key),
            checkpoint_key: *checkpoint_key,
            next_seq: 1,
            head: GENESIS_MAC,
            macs: Vec::new(),
            jump: None,
            failed: None,
        }
    }

    /// Like [`Verifier::new`], reserving room for `events` MACs up front.
    pub fn with_capacity(
        chain_key: &[u8; 32],
        checkpoint_key: &[u8; 32],
        events: usize,
    ) -> Verifier {
        let mut verifier = Self::new(chain_key, checkpoint_key);
        verifier.macs.reserve_exact(events);
        verifier
    }

    /// Checks the next event read. Returns an error as soon as a failure is certain (an
    /// edited event, a repeated one); a jump forward in sequence numbers is reported by
    /// [`Verifier::finish`], once it is known whether the skipped event turns up later, so
    /// callers must always call `finish`. After a failure, every call returns it again.
    pub fn push(&mut self, stored: &StoredEvent) -> Result<(), VerifyFailure> {
        if let Some(failure) = &self.failed {
            return Err(failure.clone());
        }
        let seq = stored.event.seq;
        if let Some(jump) = &mut self.jump {
            jump.seen_later |= seq == jump.expected;
            return Ok(());
        }
        if seq > self.next_seq {
            self.jump = Some(Jump {
                expected: self.next_seq,
                found: seq,
                seen_later: false,
            });
            return Ok(());
        }
        if seq < self.next_seq {
            return self.fail(self.next_seq, FailureKind::OutOfOrder { found: seq });
        }
        let mac = self.chain.mac(&self.head, &stored.event);
        if !bool::from(mac.ct_eq(&stored.mac)) {
            return self.fail(seq, FailureKind::BadMac);
        }
        self.head = mac;
        self.macs.push(mac);
        self.next_seq += 1;
        Ok(())
    }

    /// Completes verification against the checkpoints from the database and, if given, the
    /// copy kept outside it. Reports the failure with the lowest sequence number.
    pub fn finish(
        self,
        checkpoints: &[Checkpoint],
        external_head: Option<&Checkpoint>,
    ) -> Result<VerifyReport, VerifyFailure> {
        // A failure in the events themselves; checkpoint failures at lower sequence numbers
        // still come first, since the report names the first bad entry.
        let ledger_failure = self.failed.clone().or_else(|| {
            self.jump.map(|jump| VerifyFailure {
                seq: jump.expected,
                kind: if jump.seen_later {
                    FailureKind::OutOfOrder { found: jump.found }
                } else {
                    FailureKind::Gap { found: jump.found }
                },
            })
        });
        let last_seq = self.next_seq - 1;
        let checkpoint_failure = checkpoints
            .iter()
            .chain(external_head)
            .filter_map(|checkpoint| self.check(checkpoint, last_seq))
            .filter(|failure| {
                ledger_failure
                    .as_ref()
                    .is_none_or(|ledger| failure.seq < ledger.seq)
            })
            .min_by_key(|failure| failure.seq);
        match checkpoint_failure.or(ledger_failure) {
            Some(failure) => Err(failure),
            None => Ok(VerifyReport {
                events: self.macs.len() as u64,
                last_seq,
                head_mac: self.head,
            }),
        }
    }

    fn check(&self, checkpoint: &Checkpoint, last_seq: i64) -> Option<VerifyFailure> {
        let seq = checkpoint.seq;
        if !checkpoint.verify_signature(&self.checkpoint_key) {
            return Some(VerifyFailure {
                seq,
                kind: FailureKind::BadCheckpointSignature,
            });
        }
        if seq > last_seq {
            let kind = FailureKind::Truncated {
                checkpoint_seq: seq,
                last_seq,
            };
            return Some(VerifyFailure {
                seq: last_seq + 1,
                kind,
            });
        }
        let chain_mac_at_seq = match seq {
            0 => Some(&GENESIS_MAC),
            _ => usize::try_from(seq - 1)
                .ok()
                .and_then(|index| self.macs.get(index)),
        };
        match chain_mac_at_seq {
            Some(mac) if bool::from(mac.ct_eq(&checkpoint.head_mac)) => None,
            _ => Some(VerifyFailure {
                seq,
                kind: FailureKind::CheckpointMismatch,
            }),
        }
    }

    fn fail(&mut self, seq: i64, kind: FailureKind) -> Result<(), VerifyFailure> {
        let failure = VerifyFailure { seq, kind };
        self.failed = Some(failure.clone());
        Err(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuditEvent;
    use proptest::prelude::*;
    use rstest::rstest;

    const CHAIN_KEY: [u8; 32] = [1; 32];
    const CHECKPOINT_KEY: [u8; 32] = [2; 32];

    fn event(seq: i64) -> AuditEvent {
        AuditEvent {
            seq,
            at_ms: 1_700_000_000_000 + seq * 1000,
            actor: format!("u-{}", seq % 3),
            role: "handler".into(),
            action: "source.identity.read".into(),
            object_type: "source".into(),
            object_id: format!("src-{seq}"),
            compartment: (seq % 2 == 0).then(|| "ALPHA".into()),
            outcome: "ok".into(),
        }
    }

    /// Chains `events` as the store would when appending them.
    fn chain(events: Vec<AuditEvent>) -> Vec<StoredEvent> {
        let hasher = ChainHasher::new(&CHAIN_KEY);
        let mut prev = GENESIS_MAC;
        events
            .into_iter()
            .map(|event| {
                prev = hasher.mac(&prev, &event);
                StoredEvent { event, mac: prev }
            })
            .collect()
    }

    fn ledger(n: i64) -> Vec<StoredEvent> {
        chain((1..=n).map(event).collect())
    }

    fn checkpoint_at(ledger: &[StoredEvent], seq: i64) -> Checkpoint {
        let head = match seq {
            0 => GENESIS_MAC,
            _ => ledger[usize::try_from(seq - 1).unwrap_or(0)].mac,
        };
        Checkpoint::sign(&CHECKPOINT_KEY, seq, 1_800_000_000_000, head)
    }

    fn verify(
        events: &[StoredEvent],
        checkpoints: &[Checkpoint],
        external: Option<&Checkpoint>,
    ) -> Result<VerifyReport, VerifyFailure> {
        let mut verifier = Verifier::new(&CHAIN_KEY, &CHECKPOINT_KEY);
        for stored in events {
            verifier.push(stored)?;
        }
        verifier.finish(checkpoints, external)
    }

    fn failure(seq: i64, kind: FailureKind) -> Result<VerifyReport, VerifyFailure> {
        Err(VerifyFailure { seq, kind })
    }

    #[test]
    fn an_intact_ledger_verifies_and_reports_its_head() {
        let events = ledger(10);
        let checkpoints = [
            checkpoint_at(&events, 0),
            checkpoint_at(&events, 5),
            checkpoint_at(&events, 10),
        ];
        let report = verify(&events, &checkpoints, Some(&checkpoints[2]));
        assert_eq!(
            report,
            Ok(VerifyReport {
                events: 10,
                last_seq: 10,
                head_mac: events[9].mac
            })
        );
    }

    #[test]
    fn an_empty_ledger_verifies() {
        let report = verify(&[], &[checkpoint_at(&[], 0)], None);
        assert_eq!(
            report,
            Ok(VerifyReport {
                events: 0,
                last_seq: 0,
                head_mac: GENESIS_MAC
            })
        );
    }

    #[test]
    fn an_edited_event_is_named() {
        let mut events = ledger(10);
        events[3].event.outcome = "denied".into();
        assert_eq!(verify(&events, &[], None), failure(4, FailureKind::BadMac));
    }

    #[test]
    fn a_deleted_event_is_named() {
        let mut events = ledger(10);
        events.remove(6);
        assert_eq!(
            verify(&events, &[], None),
            failure(7, FailureKind::Gap { found: 8 })
        );
    }

    #[test]
    fn a_swapped_pair_is_named_as_out_of_order() {
        let mut events = ledger(10);
        events.swap(2, 5);
        assert_eq!(
            verify(&events, &[], None),
            failure(3, FailureKind::OutOfOrder { found: 6 })
        );
    }

    #[test]
    fn a_repeated_event_is_named_as_out_of_order() {
        let mut events = ledger(5);
        events.insert(3, events[1].clone());
        assert_eq!(
            verify(&events, &[], None),
            failure(4, FailureKind::OutOfOrder { found: 2 })
        );
    }

    #[test]
    fn a_truncated_tail_is_caught_by_a_checkpoint() {
        let events = ledger(10);
        let checkpoints = [checkpoint_at(&events, 10)];
        assert_eq!(
            verify(&events[..7], &checkpoints, None),
            failure(
                8,
                FailureKind::Truncated {
                    checkpoint_seq: 10,
                    last_seq: 7
                }
            )
        );
    }

    #[test]
    fn truncating_the_ledger_and_its_checkpoint_table_is_caught_by_the_external_copy() {
        let events = ledger(10);
        let external = checkpoint_at(&events, 10);
        let database_checkpoints = [checkpoint_at(&events, 5)];
        assert_eq!(
            verify(&events[..7], &database_checkpoints, Some(&external)),
            failure(
                8,
                FailureKind::Truncated {
                    checkpoint_seq: 10,
                    last_seq: 7
                }
            )
        );
    }

    #[test]
    fn a_ledger_rewritten_with_the_chain_key_is_caught_by_the_checkpoint() {
        // Someone with the chain key (but not the checkpoint key) rewrote event 3 and
        // re-chained everything after it: the chain verifies, the checkpoint does not match.
        let events = ledger(10);
        let checkpoints = [checkpoint_at(&events, 2), checkpoint_at(&events, 8)];
        let mut rewritten: Vec<_> = events.iter().map(|s| s.event.clone()).collect();
        rewritten[2].outcome = "denied".into();
        let rewritten = chain(rewritten);
        assert_eq!(
            verify(&rewritten, &checkpoints, None),
            failure(8, FailureKind::CheckpointMismatch)
        );
    }

    #[rstest]
    #[case::wrong_key(Checkpoint::sign(&[9; 32], 5, 0, [0; 32]))]
    #[case::moved_back(Checkpoint { seq: 4, ..checkpoint_at(&ledger(10), 5) })]
    fn a_forged_or_altered_checkpoint_is_named(#[case] forged: Checkpoint) {
        let events = ledger(10);
        let seq = forged.seq;
        let checkpoints = [checkpoint_at(&events, 10), forged];
        assert_eq!(
            verify(&events, &checkpoints, None),
            failure(seq, FailureKind::BadCheckpointSignature)
        );
    }

    #[test]
    fn the_earliest_of_several_failures_is_reported() {
        let mut events = ledger(10);
        let forged = Checkpoint::sign(&[9; 32], 2, 0, [0; 32]);
        events.remove(5);
        assert_eq!(
            verify(&events, &[forged], None),
            failure(2, FailureKind::BadCheckpointSignature)
        );
    }

    #[test]
    fn after_a_failure_push_and_finish_keep_reporting_it() {
        let mut events = ledger(4);
        events[1].mac[0] ^= 1;
        let mut verifier = Verifier::new(&CHAIN_KEY, &CHECKPOINT_KEY);
        assert!(verifier.push(&events[0]).is_ok());
        let first = verifier.push(&events[1]);
        assert_eq!(
            first,
            Err(VerifyFailure {
                seq: 2,
                kind: FailureKind::BadMac
            })
        );
        assert_eq!(verifier.push(&events[2]), first);
        assert_eq!(verifier.finish(&[], None).err(), first.err());
    }

    #[rstest]
    #[case::bad_mac(
        FailureKind::BadMac,
        "audit event 7 was altered: its contents do not match its MAC"
    )]
    #[case::gap(FailureKind::Gap { found: 9 }, "audit event 7 is missing: the ledger goes from event 6 to event 9")]
    #[case::out_of_order(
        FailureKind::OutOfOrder { found: 9 },
        "audit event 7 is out of order: event 9 stands where event 7 should be"
    )]
    #[case::truncated(
        FailureKind::Truncated { checkpoint_seq: 10, last_seq: 6 },
        "the audit ledger was truncated: it ends at event 6 but a signed checkpoint covers events up to 10, \
         so events 7 to 10 were deleted"
    )]
    #[case::mismatch(
        FailureKind::CheckpointMismatch,
        "the signed checkpoint at audit event 7 does not match the ledger: events up to 7 were rewritten"
    )]
    #[case::bad_signature(
        FailureKind::BadCheckpointSignature,
        "the checkpoint at audit event 7 has an invalid signature: it was forged or altered"
    )]
    fn failures_read_as_sentences_naming_the_event(
        #[case] kind: FailureKind,
        #[case] message: &str,
    ) {
        assert_eq!(VerifyFailure { seq: 7, kind }.to_string(), message);
    }

    /// Random ledgers: arbitrary short strings in every field.
    fn arb_ledger() -> impl Strategy<Value = Vec<StoredEvent>> {
        let field = "[a-z0-9.\\-]{0,12}";
        let event = (
            any::<i64>(),
            field,
            field,
            field,
            field,
            field,
            proptest::option::of(field),
            field,
        );
        proptest::collection::vec(event, 1..40).prop_map(|rows| {
            chain(
                rows.into_iter()
                    .enumerate()
                    .map(
                        |(
                            i,
                            (
                                at_ms,
                                actor,
                                role,
                                action,
                                object_type,
                                object_id,
                                compartment,
                                outcome,
                            ),
                        )| AuditEvent {
                            seq: i as i64 + 1,
                            at_ms,
                            actor,
                            role,
                            action,
                            object_type,
                            object_id,
                            compartment,
                            outcome,
                        },
                    )
                    .collect(),
            )
        })
    }

    /// Changes one field of an event so that it certainly differs.
    fn edit(stored: &mut StoredEvent, field: usize) {
        let e = &mut stored.event;
        match field {
            0 => e.at_ms = e.at_ms.wrapping_add(1),
            1 => e.actor.push('x'),
            2 => e.role.push('x'),
            3 => e.action.push('x'),
            4 => e.object_type.push('x'),
            5 => e.object_id.push('x'),
            6 => {
                e.compartment = if e.compartment.is_some() {
                    None
                } else {
                    Some(String::new())
                }
            }
            7 => e.outcome.push('x'),
            _ => stored.mac[field % 32] ^= 1,
        }
    }

    proptest! {
        #[test]
        fn intact_ledgers_verify(events in arb_ledger()) {
            let n = events.len() as i64;
            let checkpoint = checkpoint_at(&events, n);
            let report = verify(&events, std::slice::from_ref(&checkpoint), Some(&checkpoint));
            prop_assert_eq!(report.map(|r| r.last_seq), Ok(n));
        }

        #[test]
        fn editing_any_field_of_any_event_is_named(events in arb_ledger(), at in any::<prop::sample::Index>(), field in 0usize..12) {
            let mut events = events;
            let i = at.index(events.len());
            edit(&mut events[i], field);
            let result = verify(&events, &[], None);
            prop_assert_eq!(result, failure(i as i64 + 1, FailureKind::BadMac));
        }

        #[test]
        fn changing_an_events_sequence_number_is_named(events in arb_ledger(), at in any::<prop::sample::Index>(), new_seq in -5i64..50) {
            let mut events = events;
            let i = at.index(events.len());
            prop_assume!(new_seq != i as i64 + 1);
            events[i].event.seq = new_seq;
            let result = verify(&events, &[], None);
            prop_assert_eq!(result.err().map(|f| f.seq), Some(i as i64 + 1));
        }

        #[test]
        fn deleting_any_event_is_named(events in arb_ledger(), at in any::<prop::sample::Index>()) {
            let mut events = events;
            let n = events.len() as i64;
            // A checkpoint covering the last event, as the store writes after each batch.
            let checkpoint = checkpoint_at(&events, n);
            let i = at.index(events.len());
            events.remove(i);
            let seq = i as i64 + 1;
            let expected = if seq == n {
                failure(seq, FailureKind::Truncated { checkpoint_seq: n, last_seq: n - 1 })
            } else {
                failure(seq, FailureKind::Gap { found: seq + 1 })
            };
            prop_assert_eq!(verify(&events, &[checkpoint], None), expected);
        }

        #[test]
        fn swapping_two_events_is_named(events in arb_ledger(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
            let mut events = events;
            let (i, j) = (a.index(events.len()), b.index(events.len()));
            let (i, j) = (i.min(j), i.max(j));
            prop_assume!(i != j);
            events.swap(i, j);
            let expected = failure(i as i64 + 1, FailureKind::OutOfOrder { found: j as i64 + 1 });
            prop_assert_eq!(verify(&events, &[], None), expected);
        }

        #[test]
        fn swapping_two_events_contents_in_place_is_named(events in arb_ledger(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
            // What a reorder looks like when read back `ORDER BY seq`: the rows keep their
            // sequence numbers but exchange everything else.
            let mut events = events;
            let (i, j) = (a.index(events.len()), b.index(events.len()));
            let (i, j) = (i.min(j), i.max(j));
            prop_assume!(i != j && events[i].event.at_ms != events[j].event.at_ms);
            let (seq_i, seq_j) = (events[i].event.seq, events[j].event.seq);
            events.swap(i, j);
            events[i].event.seq = seq_i;
            events[j].event.seq = seq_j;
            prop_assert_eq!(verify(&events, &[], None), failure(i as i64 + 1, FailureKind::BadMac));
        }

        #[test]
        fn truncating_a_checkpointed_tail_is_named(events in arb_ledger(), keep in any::<prop::sample::Index>()) {
            let n = events.len() as i64;
            let checkpoint = checkpoint_at(&events, n);
            let keep = keep.index(events.len());
            let expected = failure(keep as i64 + 1, FailureKind::Truncated { checkpoint_seq: n, last_seq: keep as i64 });
            // Caught whether the checkpoint survives in the database or only in the file.
            prop_assert_eq!(verify(&events[..keep], std::slice::from_ref(&checkpoint), None), expected.clone());
            prop_assert_eq!(verify(&events[..keep], &[], Some(&checkpoint)), expected);
        }
    }
}
