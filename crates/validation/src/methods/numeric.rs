//! Numeric values: close values support each other instead of competing.
//!
//! For figures such as populations or prices, "478,403" and "478,404" are nearly the same
//! claim, while "372,628" contradicts both. Following the implication between facts in
//! TruthFinder (Yin, Han & Yu, KDD 2007 / TKDE 2008) and the distance-based loss of CRH
//! (Li et al., SIGMOD 2014), a claim `x` lends candidate `v` the share
//! `sim(v, x) = exp(−|v − x| / (scale · max(|v|, |x|)))` of its source's vote weight, so
//! support accumulates around the true figure. Source accuracy is the expected closeness
//! of its claims to the truth, smoothed by a Beta prior (most sources in open data make
//! one or two claims). Non-numeric values are only similar to themselves.

use crate::claims::{Anchor, ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Estimate, clamp_slots, finish};
use crate::methods::Method;
use crate::methods::majority::vote_shares;
use crate::methods::one_coin::{lone_or_softmax, max_change, softmax, vote_weight};

/// Closeness-aware one-coin model for numeric claims.
#[derive(Debug, Clone, Copy)]
pub struct Numeric {
    /// Relative difference at which support falls to 1/e.
    pub scale: f64,
    /// EM iterations at most.
    pub iterations: usize,
    /// Beta prior pseudo-counts (right, wrong) on source accuracy.
    pub prior: (f64, f64),
    /// Least number of wrong values a figure is taken to have. A figure can be wrong in
    /// countless ways and two independent wrong figures rarely coincide, so a source
    /// right less than half the time is still far better than chance: counting only the
    /// few values claimed would give it a negative vote.
    pub false_values: f64,
}

impl Default for Numeric {
    fn default() -> Self {
        Numeric {
            scale: 0.01,
            iterations: 50,
            prior: (2.0, 1.0),
            false_values: 100.0,
        }
    }
}

impl Numeric {
    /// Similarity of two values (1 for equal, towards 0 as they diverge).
    fn sim(&self, claims: &ClaimSet, a: u32, b: u32) -> f64 {
        if a == b {
            return 1.0;
        }
        match (claims.value_number(a), claims.value_number(b)) {
            (Some(x), Some(y)) => {
                let denom = x.abs().max(y.abs());
                if denom == 0.0 {
                    1.0
                } else {
                    (-(x - y).abs() / (self.scale * denom)).exp()
                }
            }
            _ => 0.0,
        }
    }

    /// Per-object similarity matrices between its candidate slots, flattened.
    fn similarity(&self, claims: &ClaimSet) -> (Vec<usize>, Vec<f64>) {
        let mut start = Vec::with_capacity(claims.n_objects() + 1);
        let mut sims = Vec::new();
        for o in 0..claims.n_objects() as u32 {
            start.push(sims.len());
            let r = claims.object_slots(o);
            for i in r.clone() {
                for j in r.clone() {
                    sims.push(self.sim(claims, claims.slot_value(i), claims.slot_value(j)));
                }
            }
        }
        start.push(sims.len());
        (start, sims)
    }

    /// Fits and returns slot posteriors and source accuracies.
    ///
    /// A claim's correctness, from which its source's accuracy is learnt, is judged by
    /// the *other* sources' claims on the object (leave-one-out): a source that is alone
    /// on an object cannot confirm itself, and a claim no one else comes close to counts
    /// against its source. Claims on objects nobody else claims say nothing about their
    /// source and are left out of its accuracy, which then rests on its prior.
    pub(crate) fn fit(&self, claims: &ClaimSet, anchors: &[Anchor]) -> (Vec<f64>, Vec<f64>) {
        let (sim_start, sims) = self.similarity(claims);
        let src = claims.sources_flat();
        let slots = claims.slots_flat();
        let mut post = vote_shares(claims);
        clamp_slots(claims, anchors, &mut post);
        let mut next = vec![0.0; post.len()];
        let mut acc = vec![0.8; claims.n_sources()];
        // Per claim: correctness in [0, 1] and whether other sources judged it at all.
        let mut correct = vec![0.0; claims.n_claims()];
        let mut judged = vec![false; claims.n_claims()];
        let mut weight = vec![1.0; claims.n_claims()];
        let mut score = vec![0.0; post.len()];
        let mut loo: Vec<f64> = Vec::new();
        for _ in 0..self.iterations {
            for o in 0..claims.n_objects() as u32 {
                let r = claims.object_slots(o);
                let m = r.len();
                let base = r.start;
                let sim = &sims[sim_start[o as usize]..sim_start[o as usize + 1]];
                let cs = claims.object_claims(o);
                for j in 0..m {
                    score[base + j] = 0.0;
                }
                for c in cs.clone() {
                    let i = slots[c] as usize - base;
                    for j in 0..m {
                        score[base + j] += weight[c] * sim[j * m + i];
                    }
                }
                let anchored = !matches!(anchors[o as usize], Anchor::Free);
                for c in cs.clone() {
                    let i = slots[c] as usize - base;
                    if anchored {
                        correct[c] = (0..m).map(|j| post[base + j] * sim[j * m + i]).sum();
                        judged[c] = true;
                        continue;
                    }
                    if claims.lone(o) {
                        judged[c] = false;
                        continue;
                    }
                    loo.clear();
                    loo.extend((0..m).map(|j| score[base + j] - weight[c] * sim[j * m + i]));
                    softmax(&mut loo);
                    correct[c] = (0..m).map(|j| loo[j] * sim[j * m + i]).sum();
                    judged[c] = true;
                }
            }
            acc = (0..claims.n_sources() as u32)
                .map(|s| {
                    let (mut k, mut n) = (0.0, 0.0);
                    for &c in claims.source_claims(s) {
                        if judged[c as usize] {
                            k += correct[c as usize];
                            n += 1.0;
                        }
                    }
                    ((k + self.prior.0) / (n + self.prior.0 + self.prior.1)).clamp(
                        crate::methods::one_coin::ACC_MIN,
                        crate::methods::one_coin::ACC_MAX,
                    )
                })
                .collect();
            for o in 0..claims.n_objects() as u32 {
                let r = claims.object_slots(o);
                let m = r.len();
                let base = r.start;
                let n_false = (m as f64 - 1.0).max(1.0);
                let sim = &sims[sim_start[o as usize]..sim_start[o as usize + 1]];
                for j in 0..m {
                    next[base + j] = 0.0;
                }
                for c in claims.object_claims(o) {
                    let w = vote_weight(acc[src[c] as usize], n_false.max(self.false_values));
                    weight[c] = w;
                    let i = slots[c] as usize - base;
                    for j in 0..m {
                        next[base + j] += w * sim[j * m + i];
                    }
                }
                lone_or_softmax(claims, o, &acc, &mut next[r]);
            }
            clamp_slots(claims, anchors, &mut next);
            let change = max_change(&post, &next);
            std::mem::swap(&mut post, &mut next);
            if change < 1e-7 {
                break;
            }
        }
        (post, acc)
    }
}

impl Method for Numeric {
    fn name(&self) -> &'static str {
        "numeric"
    }

    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate {
        let (anchors, extra) = outcomes.resolve(claims);
        let (post, _) = self.fit(claims, &anchors);
        let beliefs = Beliefs::from_slots(claims, &post);
        finish(self.name(), claims, &anchors, extra, &beliefs, Vec::new())
    }
}
