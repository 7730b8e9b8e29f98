//! Majority vote: every claim counts once; the most claimed value wins.

use crate::claims::{ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Estimate, clamp_slots, finish};
use crate::methods::Method;

/// Majority vote. Confidence is the share of the object's claims that agree with the
/// winner; ties go to the lexicographically smallest value.
#[derive(Debug, Clone, Copy, Default)]
pub struct MajorityVote;

/// Vote shares per candidate slot.
pub(crate) fn vote_shares(claims: &ClaimSet) -> Vec<f64> {
    let mut post = vec![0.0; claims.n_slots()];
    for o in 0..claims.n_objects() as u32 {
        let total = claims.object_claims(o).len().max(1) as f64;
        for slot in claims.object_slots(o) {
            post[slot] = f64::from(claims.slot_support(slot)) / total;
        }
    }
    post
}

impl Method for MajorityVote {
    fn name(&self) -> &'static str {
        "majority"
    }

    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate {
        let (anchors, extra) = outcomes.resolve(claims);
        let mut post = vote_shares(claims);
        clamp_slots(claims, &anchors, &mut post);
        let beliefs = Beliefs::from_slots(claims, &post);
        finish(self.name(), claims, &anchors, extra, &beliefs, Vec::new())
    }
}
