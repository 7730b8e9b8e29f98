//! The pure core of humint: domain types, the clock and entropy that the rest of the
//! program is given (never reads for itself), and the covert-source handling rules.
//!
//! Invariant: nothing in this crate performs I/O, spawns tasks or reads the system time
//! except through the [`Clock`] and [`Entropy`] implementations a caller chooses.

pub mod clock;
pub mod entropy;
pub mod error;
pub mod handling;
pub mod ids;
pub mod role;

pub use clock::{Clock, FixedClock, SystemClock};
pub use entropy::{Entropy, OsEntropy, SeededEntropy};
pub use error::RuleViolation;
pub use ids::{Id, new_id};
pub use role::Role;
