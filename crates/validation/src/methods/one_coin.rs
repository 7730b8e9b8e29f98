//! One-coin model: each source has a single accuracy; a wrong claim is spread evenly
//! over the other values. This is the model behind ZenCrowd (Demartini et al., WWW 2012),
//! Accu (Dong, Berti-Equille & Srivastava, PVLDB 2009, without copying) and crowd-kit's
//! `OneCoinDawidSkene`, fitted by EM.
//!
//! With source accuracy `A_s` and `n` false values per object, the posterior of value `v`
//! is proportional to `prior(v) · exp(Σ_{s claims v} w_s)` with vote weight
//! `w_s = ln(n·A_s / (1 − A_s))` — so a source is worth its log-odds, and a source worse
//! than chance counts against what it says.

use crate::claims::{ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Estimate, clamp_slots, finish};
use crate::methods::{Domain, Method, majority::vote_shares};

/// One-coin EM.
#[derive(Debug, Clone, Copy)]
pub struct OneCoin {
    /// EM iterations at most.
    pub iterations: usize,
    /// Stop when no slot probability moves more than this.
    pub tolerance: f64,
    /// Beta prior pseudo-counts (right, wrong) on each source's accuracy; they keep a
    /// source with one claim from being judged perfect or worthless.
    pub prior: (f64, f64),
}

impl Default for OneCoin {
    fn default() -> Self {
        OneCoin {
            iterations: 100,
            tolerance: 1e-7,
            prior: (2.0, 1.0),
        }
    }
}

/// Bounds that keep log-odds finite.
pub(crate) const ACC_MIN: f64 = 1e-4;
pub(crate) const ACC_MAX: f64 = 1.0 - 1e-4;

/// Log-odds vote weight of a source with accuracy `acc` among `n_false` wrong values.
pub(crate) fn vote_weight(acc: f64, n_false: f64) -> f64 {
    let a = acc.clamp(ACC_MIN, ACC_MAX);
    (n_false.max(1.0) * a / (1.0 - a)).ln()
}

/// Smoothed accuracy per source from per-claim correctness.
pub(crate) fn accuracies(claims: &ClaimSet, correct: &[f64], prior: (f64, f64)) -> Vec<f64> {
    accuracies_from(claims, &source_sums(claims, correct), prior)
}

/// [`accuracies`] from each source's sum of right-probabilities, `right[s]`.
pub(crate) fn accuracies_from(claims: &ClaimSet, right: &[f64], prior: (f64, f64)) -> Vec<f64> {
    right
        .iter()
        .copied()
        .enumerate()
        .map(|(s, k)| {
            let n = claims.source_claims(s as u32).len() as f64;
            ((k + prior.0) / (n + prior.0 + prior.1)).clamp(ACC_MIN, ACC_MAX)
        })
        .collect()
}

/// Per source, the sum of `per_claim` over its claims, in one sequential pass over the
/// claims (each source's terms are added in claim order, as its claim list holds them).
pub(crate) fn source_sums(claims: &ClaimSet, per_claim: &[f64]) -> Vec<f64> {
    let mut sums = vec![0.0; claims.n_sources()];
    for (&s, &x) in claims.sources_flat().iter().zip(per_claim) {
        sums[s as usize] += x;
    }
    sums
}

/// Slot posteriors from per-source weights: softmax of summed weights plus log prior.
/// `log_prior(slot)` lets label data add class priors.
pub(crate) fn weighted_posterior(
    claims: &ClaimSet,
    weight: &[f64],
    log_prior: impl Fn(usize) -> f64,
    post: &mut [f64],
) {
    let src = claims.sources_flat();
    let slots = claims.slots_flat();
    for o in 0..claims.n_objects() as u32 {
        let range = claims.object_slots(o);
        for slot in range.clone() {
            post[slot] = log_prior(slot);
        }
        for c in claims.object_claims(o) {
            post[slots[c] as usize] += weight[src[c] as usize];
        }
        softmax(&mut post[range]);
    }
}

/// In-place softmax.
pub(crate) fn softmax(xs: &mut [f64]) {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        let u = 1.0 / xs.len().max(1) as f64;
        xs.iter_mut().for_each(|x| *x = u);
        return;
    }
    let mut sum = 0.0;
    for x in xs.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    for x in xs.iter_mut() {
        *x /= sum;
    }
}

/// The posterior of object `o`'s claimed values (`post`, its slots) from their summed
/// vote scores; but a value that one claim alone gives is right with its source's
/// accuracy. Dong et al.'s posterior runs over the whole domain, `P(v) = e^C(v) / Σ_{v'∈D}
/// e^C(v')`, values nobody claimed scoring 0: for a lone claim of a source of accuracy
/// `A`, with `n` wrong values possible, `C = ln(n·A/(1−A))` and `P = A` whatever `n` is.
/// Over the claimed values alone it would be certain, and every claim nobody else can
/// check would raise its source's accuracy: a source making up what nobody else reports
/// would be trusted more with each invention.
pub(crate) fn lone_or_softmax(claims: &ClaimSet, o: u32, acc: &[f64], post: &mut [f64]) {
    if claims.lone(o) && post.len() == 1 {
        post[0] = acc[claims.claim_source(claims.object_claims(o).start) as usize];
    } else {
        softmax(post);
    }
}

/// Largest absolute difference between two equally long slices.
pub(crate) fn max_change(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Sets the starting probability of every lone claim (the only claim on its object) to
/// the mean of the accuracy prior `(right, wrong)`, where its source's accuracy starts: a
/// vote share would call it certain and hand its source a head start no evidence gave
/// (see [`lone_or_softmax`]).
pub(crate) fn lone_claims_start(claims: &ClaimSet, prior: (f64, f64), post: &mut [f64]) {
    let mean = prior.0 / (prior.0 + prior.1);
    for o in 0..claims.n_objects() as u32 {
        if claims.lone(o) {
            for slot in claims.object_slots(o) {
                post[slot] = mean;
            }
        }
    }
}

impl OneCoin {
    /// Fits and returns slot posteriors and source accuracies.
    pub(crate) fn fit(
        &self,
        claims: &ClaimSet,
        anchors: &[crate::claims::Anchor],
    ) -> (Vec<f64>, Vec<f64>) {
        let domain = Domain::of(claims);
        let mut post = vote_shares(claims);
        if !domain.is_labels() {
            lone_claims_start(claims, self.prior, &mut post);
        }
        clamp_slots(claims, anchors, &mut post);
        let mut next = vec![0.0; post.len()];
        let mut acc = vec![0.8; claims.n_sources()];
        for _ in 0..self.iterations {
            let correct: Vec<f64> = claims
                .slots_flat()
                .iter()
                .map(|&s| post[s as usize])
                .collect();
            acc = accuracies(claims, &correct, self.prior);
            let class_prior = domain.class_prior(claims, &post);
            let weights: Vec<f64> = (0..claims.n_sources())
                .map(|s| vote_weight(acc[s], domain.n_false_global()))
                .collect();
            weighted_posterior(
                claims,
                &weights,
                |slot| {
                    class_prior
                        .as_ref()
                        .map_or(0.0, |p| p[claims.slot_value(slot) as usize].max(1e-10).ln())
                },
                &mut next,
            );
            if !domain.is_labels() {
                // Open domains: the number of wrong values differs per object.
                per_object_false(claims, &acc, &mut next);
            }
            clamp_slots(claims, anchors, &mut next);
            let change = max_change(&post, &next);
            std::mem::swap(&mut post, &mut next);
            if change < self.tolerance {
                break;
            }
        }
        (post, acc)
    }
}

/// Recomputes slot posteriors with `n` = the object's distinct values − 1 wrong values.
fn per_object_false(claims: &ClaimSet, acc: &[f64], post: &mut [f64]) {
    let src = claims.sources_flat();
    let slots = claims.slots_flat();
    for o in 0..claims.n_objects() as u32 {
        let range = claims.object_slots(o);
        let n_false = (range.len() as f64 - 1.0).max(1.0);
        for slot in range.clone() {
            post[slot] = 0.0;
        }
        for c in claims.object_claims(o) {
            post[slots[c] as usize] += vote_weight(acc[src[c] as usize], n_false);
        }
        lone_or_softmax(claims, o, acc, &mut post[range]);
    }
}

impl Method for OneCoin {
    fn name(&self) -> &'static str {
        "one-coin"
    }

    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate {
        let (anchors, extra) = outcomes.resolve(claims);
        let (post, _) = self.fit(claims, &anchors);
        let beliefs = Beliefs::from_slots(claims, &post);
        finish(self.name(), claims, &anchors, extra, &beliefs, Vec::new())
    }
}
