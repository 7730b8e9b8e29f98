//! List values: a value such as `estevez|haag|perry|sosinsky` is a set of items (here the
//! authors of a book), and sources are often right but incomplete — many shops list
//! only the first author. Judging whole lists as equal-or-different then lets the many
//! incomplete listings outvote the few complete ones.
//!
//! Following the latent truth model of Zhao, Rubinstein, Gemmell & Han, "A Bayesian
//! approach to discovering truth from conflicting sources for data integration", PVLDB
//! 5(6), 2012, each *item* of an object is a fact that is true or false, and each source
//! has two qualities: its sensitivity (how often it lists a true item) and its
//! false-positive rate (how often it lists a false one). Leaving an item out is then
//! weak evidence against it from a source that often leaves items out, while listing an
//! item is strong evidence from a source that rarely lists wrong ones. Both qualities
//! and the facts are fitted by EM with Beta priors (the paper uses collapsed Gibbs
//! sampling; EM keeps the result deterministic). The object's value is the claimed list that best
//! matches the item probabilities.

use crate::claims::{Anchor, ClaimSet, FxMap, Outcomes};
use crate::estimate::{Beliefs, Estimate, clamp_slots, finish};
use crate::methods::Method;
use crate::methods::one_coin::softmax;

/// Beta prior (right, wrong) on how often a source's lists are right, for a list nobody
/// else gives: the accuracy prior of the other models.
const LONE_PRIOR: (f64, f64) = (2.0, 1.0);

/// What separates the items of a list value.
pub const SEPARATOR: char = '|';

/// Latent-truth model for list values.
///
/// The priors follow the paper's advice: a weak one on sensitivity, a strong one that
/// sources rarely list an item that is false (mean 1 %) — without it, the many
/// incomplete listings would make every omission look like a denial.
#[derive(Debug, Clone, Copy)]
pub struct ListModel {
    /// EM iterations at most.
    pub iterations: usize,
    /// Beta prior (listed, left out) on a source's sensitivity to true items.
    pub sensitivity_prior: (f64, f64),
    /// Beta prior (listed, left out) on a source's rate of listing false items.
    pub false_positive_prior: (f64, f64),
}

impl Default for ListModel {
    fn default() -> Self {
        ListModel {
            iterations: 50,
            sensitivity_prior: (50.0, 50.0),
            false_positive_prior: (10.0, 1000.0),
        }
    }
}

/// Share of claims whose value is a list (holds [`SEPARATOR`]).
pub fn list_share(claims: &ClaimSet) -> f64 {
    if claims.n_claims() == 0 {
        return 0.0;
    }
    let is_list: Vec<bool> = (0..claims.n_values() as u32)
        .map(|v| claims.value_name(v).contains(SEPARATOR))
        .collect();
    let n = (0..claims.n_claims())
        .filter(|&c| is_list[claims.claim_value(c) as usize])
        .count();
    n as f64 / claims.n_claims() as f64
}

/// Per object: its distinct items (at most 64) and, per candidate slot, the bit mask of
/// the items that value lists.
struct Items {
    /// Per object, offset of its first item in the flat fact arrays.
    start: Vec<usize>,
    /// Per slot, the items its value lists.
    mask: Vec<u64>,
}

impl Items {
    fn of(claims: &ClaimSet) -> Items {
        let mut start = Vec::with_capacity(claims.n_objects() + 1);
        let mut mask = vec![0u64; claims.n_slots()];
        let mut local: FxMap<&str, u32> = FxMap::default();
        let mut total = 0;
        for o in 0..claims.n_objects() as u32 {
            start.push(total);
            local.clear();
            for slot in claims.object_slots(o) {
                for item in claims.value_name(claims.slot_value(slot)).split(SEPARATOR) {
                    let item = item.trim();
                    if item.is_empty() {
                        continue;
                    }
                    let next = local.len() as u32;
                    let j = *local.entry(item).or_insert(next);
                    if j < 64 {
                        mask[slot] |= 1 << j;
                    }
                }
            }
            total += local.len().min(64);
        }
        start.push(total);
        Items { start, mask }
    }
}

impl ListModel {
    /// Fits and returns slot posteriors.
    pub(crate) fn fit(&self, claims: &ClaimSet, anchors: &[Anchor]) -> Vec<f64> {
        let items = Items::of(claims);
        let n_facts = *items.start.last().unwrap_or(&0);
        let src = claims.sources_flat();
        let slots = claims.slots_flat();
        // Start: the share of the object's claims that list each item.
        let mut fact = vec![0.0; n_facts];
        for o in 0..claims.n_objects() as u32 {
            let base = items.start[o as usize];
            let m = items.start[o as usize + 1] - base;
            let cs = claims.object_claims(o);
            let share = 1.0 / cs.len().max(1) as f64;
            for c in cs {
                let bits = items.mask[slots[c] as usize];
                for j in 0..m {
                    if bits >> j & 1 == 1 {
                        fact[base + j] += share;
                    }
                }
            }
        }
        let n_src = claims.n_sources();
        let mut sens = vec![0.0; n_src];
        let mut fpr = vec![0.0; n_src];
        let mut stats = vec![[0.0f64; 4]; n_src];
        // A list nobody else gives, with no outcome on its object.
        let lone = |o: u32| claims.lone(o) && matches!(anchors[o as usize], Anchor::Free);
        for _ in 0..self.iterations {
            // M-step: each source's sensitivity and false-positive rate.
            stats.iter_mut().for_each(|s| *s = [0.0; 4]);
            for o in 0..claims.n_objects() as u32 {
                let base = items.start[o as usize];
                let m = items.start[o as usize + 1] - base;
                // A list nobody else gives says nothing about its source: its items are
                // believed because it lists them, which would only confirm the source.
                if lone(o) {
                    continue;
                }
                for c in claims.object_claims(o) {
                    let bits = items.mask[slots[c] as usize];
                    let st = &mut stats[src[c] as usize];
                    for j in 0..m {
                        let p = fact[base + j];
                        let listed = f64::from((bits >> j & 1) as u8);
                        st[0] += p * listed;
                        st[1] += p;
                        st[2] += (1.0 - p) * listed;
                        st[3] += 1.0 - p;
                    }
                }
            }
            let (a1, b1) = self.sensitivity_prior;
            let (a0, b0) = self.false_positive_prior;
            for s in 0..n_src {
                let st = stats[s];
                sens[s] = ((st[0] + a1) / (st[1] + a1 + b1)).clamp(1e-4, 1.0 - 1e-4);
                fpr[s] = ((st[2] + a0) / (st[3] + a0 + b0)).clamp(1e-4, 1.0 - 1e-4);
            }
            // E-step: each item's probability of being true.
            let listed_w: Vec<f64> = (0..n_src).map(|s| (sens[s] / fpr[s]).ln()).collect();
            let omitted_w: Vec<f64> = (0..n_src)
                .map(|s| ((1.0 - sens[s]) / (1.0 - fpr[s])).ln())
                .collect();
            let mut change = 0.0f64;
            for o in 0..claims.n_objects() as u32 {
                let base = items.start[o as usize];
                let m = items.start[o as usize + 1] - base;
                for j in 0..m {
                    let mut logit = 0.0;
                    for c in claims.object_claims(o) {
                        let s = src[c] as usize;
                        logit += if items.mask[slots[c] as usize] >> j & 1 == 1 {
                            listed_w[s]
                        } else {
                            omitted_w[s]
                        };
                    }
                    let p = 1.0 / (1.0 + (-logit).exp());
                    change = change.max((p - fact[base + j]).abs());
                    fact[base + j] = p;
                }
            }
            if change < 1e-6 {
                break;
            }
        }
        // The claimed list that best matches the item probabilities.
        let mut post = vec![0.0; claims.n_slots()];
        for o in 0..claims.n_objects() as u32 {
            let base = items.start[o as usize];
            let m = items.start[o as usize + 1] - base;
            let range = claims.object_slots(o);
            for slot in range.clone() {
                let bits = items.mask[slot];
                post[slot] = (0..m)
                    .map(|j| {
                        let p = fact[base + j].clamp(1e-9, 1.0 - 1e-9);
                        if bits >> j & 1 == 1 {
                            p.ln()
                        } else {
                            (1.0 - p).ln()
                        }
                    })
                    .sum();
            }
            softmax(&mut post[range]);
        }
        // A lone list (the only claim on its object) has no other list to be weighed
        // against, so the softmax above calls it certain: it is right as often as its
        // source's lists that could be checked were (see `one_coin::lone_or_softmax`).
        let mut record = vec![(0.0f64, 0.0f64); n_src];
        for o in (0..claims.n_objects() as u32).filter(|&o| !lone(o)) {
            for c in claims.object_claims(o) {
                let r = &mut record[src[c] as usize];
                r.0 += post[slots[c] as usize];
                r.1 += 1.0;
            }
        }
        let (right, wrong) = LONE_PRIOR;
        for o in (0..claims.n_objects() as u32).filter(|&o| lone(o)) {
            let c = claims.object_claims(o).start;
            let (k, n) = record[src[c] as usize];
            post[slots[c] as usize] = (k + right) / (n + right + wrong);
        }
        clamp_slots(claims, anchors, &mut post);
        post
    }
}

impl Method for ListModel {
    fn name(&self) -> &'static str {
        "list"
    }

    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate {
        let (anchors, extra) = outcomes.resolve(claims);
        let post = self.fit(claims, &anchors);
        let beliefs = Beliefs::from_slots(claims, &post);
        finish(self.name(), claims, &anchors, extra, &beliefs, Vec::new())
    }
}
