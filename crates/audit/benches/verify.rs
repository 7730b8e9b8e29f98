//! How long verifying a million-event ledger takes in this crate (MAC chain plus a
//! checkpoint check), excluding reading the events from the database. The budget for the
//! whole `humint audit verify` over 1,000,000 events is 2 s, database included.
//!
//! Run: `cargo bench -p humint-audit --bench verify`

use humint_audit::{AuditEvent, ChainHasher, Checkpoint, GENESIS_MAC, StoredEvent, Verifier};

const EVENTS: usize = 1_000_000;
const CHAIN_KEY: [u8; 32] = [1; 32];
const CHECKPOINT_KEY: [u8; 32] = [2; 32];

fn main() {
    divan::main();
}

/// A realistic ledger: field lengths like the ones the server writes.
fn ledger() -> (Vec<StoredEvent>, Checkpoint) {
    let hasher = ChainHasher::new(&CHAIN_KEY);
    let mut prev = GENESIS_MAC;
    let events: Vec<_> = (1..=EVENTS as i64)
        .map(|seq| {
            let event = AuditEvent {
                seq,
                at_ms: 1_700_000_000_000 + seq * 37,
                actor: format!("0190c3a2-7b1e-7c4d-9f2a-{:012x}", seq % 50),
                role: "handler".into(),
                action: "source.identity.read".into(),
                object_type: "source".into(),
                object_id: format!("0190c3a2-7b1e-7c4d-9f2a-{seq:012x}"),
                compartment: (seq % 4 == 0).then(|| "ALPHA".into()),
                outcome: "ok".into(),
            };
            prev = hasher.mac(&prev, &event);
            StoredEvent { event, mac: prev }
        })
        .collect();
    let checkpoint = Checkpoint::sign(&CHECKPOINT_KEY, EVENTS as i64, 0, prev);
    (events, checkpoint)
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn verify_one_million_events(bencher: divan::Bencher) {
    let (events, checkpoint) = ledger();
    bencher.bench_local(|| {
        let mut verifier = Verifier::with_capacity(&CHAIN_KEY, &CHECKPOINT_KEY, EVENTS);
        for stored in &events {
            if let Err(failure) = verifier.push(divan::black_box(stored)) {
                panic!("{failure}");
            }
        }
        match verifier.finish(std::slice::from_ref(&checkpoint), Some(&checkpoint)) {
            Ok(report) => report,
            Err(failure) => panic!("{failure}"),
        }
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn chain_mac_one_million_events(bencher: divan::Bencher) {
    let (events, _) = ledger();
    let hasher = ChainHasher::new(&CHAIN_KEY);
    bencher.bench_local(|| {
        let mut prev = GENESIS_MAC;
        for stored in &events {
            prev = hasher.mac(&prev, divan::black_box(&stored.event));
        }
        prev
    });
}
