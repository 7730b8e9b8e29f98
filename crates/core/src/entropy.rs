//! Randomness is a parameter, like time: production uses the operating system's generator,
//! tests a seeded one so that generated codenames, keys and tokens are reproducible.

use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// Where random bytes come from.
pub trait Entropy: Send + Sync + std::fmt::Debug {
    fn fill(&self, buf: &mut [u8]);

    fn bytes<const N: usize>(&self) -> [u8; N]
    where
        Self: Sized,
    {
        let mut out = [0u8; N];
        self.fill(&mut out);
        out
    }

    /// A uniform integer below `bound` (rejection sampling, so no modulo bias).
    fn below(&self, bound: u64) -> u64 {
        assert!(bound > 0, "bound must be positive");
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let mut b = [0u8; 8];
            self.fill(&mut b);
            let v = u64::from_le_bytes(b);
            if v < zone {
                return v % bound;
            }
        }
    }
}

/// The operating system's cryptographic generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&self, buf: &mut [u8]) {
        // A machine that cannot produce random numbers cannot run a station safely; there is
        // no sensible fallback, so this is one of the few places that may stop the process.
        #[allow(clippy::expect_used)]
        getrandom::fill(buf).expect("the operating system's random generator failed");
    }
}

/// A deterministic generator for tests: SHA-256 in counter mode over a seed. Never used for
/// real keys (the station only ever constructs [`OsEntropy`]).
#[derive(Debug)]
pub struct SeededEntropy {
    seed: [u8; 32],
    counter: Mutex<u64>,
}

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&seed.to_le_bytes());
        Self {
            seed: s,
            counter: Mutex::new(0),
        }
    }
}

impl Entropy for SeededEntropy {
    fn fill(&self, buf: &mut [u8]) {
        let mut counter = self.counter.lock().unwrap_or_else(|p| p.into_inner());
        for chunk in buf.chunks_mut(32) {
            let block = Sha256::new()
                .chain_update(self.seed)
                .chain_update(counter.to_le_bytes())
                .finalize();
            *counter += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_entropy_repeats_for_a_seed_and_differs_between_seeds() {
        let a: [u8; 40] = SeededEntropy::new(7).bytes();
        let b: [u8; 40] = SeededEntropy::new(7).bytes();
        let c: [u8; 40] = SeededEntropy::new(8).bytes();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn below_stays_in_range() {
        let e = SeededEntropy::new(1);
        for _ in 0..1000 {
            assert!(e.below(7776) < 7776);
        }
    }

    #[test]
    fn os_entropy_is_not_constant() {
        let a: [u8; 32] = OsEntropy.bytes();
        let b: [u8; 32] = OsEntropy.bytes();
        assert_ne!(a, b);
    }
}
