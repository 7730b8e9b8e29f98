//! The estimation methods, all behind [`Method`].

pub mod auto;
pub mod copy;
pub mod dawid_skene;
pub mod list;
pub mod majority;
pub mod numeric;
pub mod one_coin;
pub mod ordinal;

use crate::claims::{ClaimSet, Outcomes};
use crate::estimate::Estimate;

/// A way of estimating values, source reliability and dependence from claims.
///
/// Implementations are deterministic functions of the *set* of claims and outcomes.
pub trait Method: Send + Sync {
    /// Short name, as accepted by [`crate::method_by_name`].
    fn name(&self) -> &'static str;
    /// Estimates from `claims`, with confirmed `outcomes` as anchors.
    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate;
}

/// Most classes for which a full confusion matrix per source is worth fitting.
pub const MAX_CLASSES: usize = 64;

/// Whether values form one label set shared by all objects (crowd labelling: "0"/"1",
/// a five-point scale) or are specific to each object (an author list, a time, a figure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// A shared label set of `k` classes (global value ids `0..k`).
    Labels {
        /// Number of classes.
        k: usize,
    },
    /// Values specific to each object.
    Open,
}

impl Domain {
    /// Decides from the data: a label set is small and each label recurs on many objects.
    pub fn of(claims: &ClaimSet) -> Domain {
        let k = claims.n_values();
        if (1..=MAX_CLASSES).contains(&k) && claims.n_slots() as f64 >= 3.0 * k as f64 {
            Domain::Labels { k }
        } else {
            Domain::Open
        }
    }

    /// Whether this is a shared label set.
    pub fn is_labels(self) -> bool {
        matches!(self, Domain::Labels { .. })
    }

    /// Wrong values per object in a label set (`k − 1`).
    pub(crate) fn n_false_global(self) -> f64 {
        match self {
            Domain::Labels { k } => (k as f64 - 1.0).max(1.0),
            Domain::Open => 1.0,
        }
    }

    /// Class prior (mean probability per value id) for label sets, from slot posteriors.
    pub(crate) fn class_prior(self, claims: &ClaimSet, post: &[f64]) -> Option<Vec<f64>> {
        let Domain::Labels { k } = self else {
            return None;
        };
        let mut prior = vec![0.0; k];
        for (slot, p) in post.iter().enumerate() {
            prior[claims.slot_value(slot) as usize] += p;
        }
        let n = claims.n_objects().max(1) as f64;
        prior.iter_mut().for_each(|p| *p /= n);
        Some(prior)
    }
}
