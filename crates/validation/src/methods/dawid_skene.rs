//! Dawid & Skene (1979): each source has a full confusion matrix `e_s[k][c]`, the
//! probability of saying `k` when the truth is `c`, fitted with the true labels by EM.
//!
//! A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
//! Using the EM Algorithm", *Applied Statistics* 28(1), 1979, 20–28.
//!
//! With `smoothing = 0` this follows crowd-kit 1.4.2's `DawidSkene` step for step
//! (majority-vote start, counts clipped at 1e-10 over the labels a source used), so the
//! two agree to rounding after the same iterations. With `smoothing = α > 0` each row is
//! the MAP estimate under a Dirichlet prior of weight `α` centred on the pooled confusion
//! matrix of all sources: a source with few claims borrows the crowd's error pattern
//! instead of a degenerate 0/1 matrix — the usual cure for Dawid–Skene over-fitting
//! sparse workers.
//!
//! Needs a shared label set; on open-domain data (values specific to each object) it
//! falls back to the one-coin model.

use crate::claims::{Anchor, ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Estimate, finish};
use crate::methods::one_coin::OneCoin;
use crate::methods::{Domain, Method};
use crate::par::for_chunks;

/// Dawid–Skene EM.
#[derive(Debug, Clone, Copy)]
pub struct DawidSkene {
    /// EM iterations at most.
    pub iterations: usize,
    /// Stop when no class probability moves more than this (0: run all iterations).
    pub tolerance: f64,
    /// Dirichlet pseudo-counts per true class pulling rows to the pooled matrix.
    pub smoothing: f64,
}

impl Default for DawidSkene {
    fn default() -> Self {
        DawidSkene {
            iterations: 100,
            tolerance: 1e-7,
            smoothing: 0.0,
        }
    }
}

/// Counts below this are clipped, as crowd-kit does, so no log is of zero.
const EPS: f64 = 1e-10;

/// A fitted Dawid–Skene model on label data.
pub(crate) struct DsFit {
    /// Number of classes (global value ids `0..k`).
    pub k: usize,
    /// Object-major class posteriors, `n_objects × k`.
    pub post: Vec<f64>,
}

impl DsFit {
    /// Beliefs from class posteriors.
    pub fn beliefs(&self, claims: &ClaimSet) -> Beliefs {
        let k = self.k;
        let best = self
            .post
            .chunks_exact(k)
            .map(|row| {
                let mut top = (u32::MAX, f64::NEG_INFINITY);
                for (c, &p) in row.iter().enumerate() {
                    if p > top.1 {
                        top = (c as u32, p);
                    }
                }
                top
            })
            .collect();
        let correct = (0..claims.n_claims())
            .map(|c| {
                self.post[claims.claim_object(c) as usize * k + claims.claim_value(c) as usize]
            })
            .collect();
        Beliefs { best, correct }
    }
}

impl DawidSkene {
    /// Fits on label data with `k` classes.
    pub(crate) fn fit_labels(&self, claims: &ClaimSet, anchors: &[Anchor], k: usize) -> DsFit {
        let n_obj = claims.n_objects();
        let n_src = claims.n_sources();
        // Majority-vote start (crowd-kit: MajorityVote().fit_predict_proba).
        let mut post = vec![0.0; n_obj * k];
        for o in 0..n_obj as u32 {
            let row = &mut post[o as usize * k..(o as usize + 1) * k];
            let range = claims.object_claims(o);
            let n = range.len().max(1) as f64;
            for c in range {
                row[claims.claim_value(c) as usize] += 1.0 / n;
            }
        }
        clamp_classes(claims, anchors, k, &mut post);
        // Which labels each source used: crowd-kit normalises over those only.
        let mut used = vec![false; n_src * k];
        for c in 0..claims.n_claims() {
            used[claims.claim_source(c) as usize * k + claims.claim_value(c) as usize] = true;
        }
        let mut errors = vec![0.0; n_src * k * k];
        let mut log_err = vec![0.0; n_src * k * k];
        let mut next = vec![0.0; n_obj * k];
        let mut priors = class_means(&post, k);
        self.m_step(claims, &post, &used, k, &mut errors);
        let src = claims.sources_flat();
        let val = claims.values_flat();
        let work = claims.n_claims() * k;
        for _ in 0..self.iterations {
            for (l, e) in log_err.iter_mut().zip(&errors) {
                *l = e.ln();
            }
            let log_prior: Vec<f64> = priors.iter().map(|p| p.max(EPS).ln()).collect();
            // E-step, objects split over threads.
            let log_err = &log_err;
            let log_prior = &log_prior;
            for_chunks(&mut next, k, work, |first, rows| {
                for (i, row) in rows.chunks_exact_mut(k).enumerate() {
                    row.copy_from_slice(log_prior);
                    for c in claims.object_claims((first + i) as u32) {
                        let at = (src[c] as usize * k + val[c] as usize) * k;
                        for (r, l) in row.iter_mut().zip(&log_err[at..at + k]) {
                            *r += l;
                        }
                    }
                    crate::methods::one_coin::softmax(row);
                }
            });
            clamp_classes(claims, anchors, k, &mut next);
            priors = class_means(&next, k);
            self.m_step(claims, &next, &used, k, &mut errors);
            let change = crate::methods::one_coin::max_change(&post, &next);
            std::mem::swap(&mut post, &mut next);
            if change < self.tolerance {
                break;
            }
        }
        DsFit { k, post }
    }

    /// M-step: confusion rows `errors[s][obs][true]`, normalised over `obs`.
    fn m_step(&self, claims: &ClaimSet, post: &[f64], used: &[bool], k: usize, errors: &mut [f64]) {
        // One pass in claim (object-major) order: the posterior rows are read
        // sequentially and the scattered writes land in the small confusion table, which
        // stays in cache — far faster than gathering rows per source.
        errors.iter_mut().for_each(|e| *e = 0.0);
        let src = claims.sources_flat();
        let obj = claims.objects_flat();
        let val = claims.values_flat();
        for c in 0..claims.n_claims() {
            let (s, o, obs) = (src[c] as usize, obj[c] as usize, val[c] as usize);
            let row = &mut errors[(s * k + obs) * k..(s * k + obs + 1) * k];
            for (e, p) in row.iter_mut().zip(&post[o * k..(o + 1) * k]) {
                *e += p;
            }
        }
        let n_src = claims.n_sources();
        if self.smoothing > 0.0 {
            // Pooled confusion, normalised per true class.
            let mut pooled = vec![0.0; k * k];
            for s in 0..n_src {
                for (p, e) in pooled.iter_mut().zip(&errors[s * k * k..(s + 1) * k * k]) {
                    *p += e;
                }
            }
            for t in 0..k {
                let tot: f64 = (0..k).map(|obs| pooled[obs * k + t]).sum();
                for obs in 0..k {
                    pooled[obs * k + t] = if tot > 0.0 {
                        (pooled[obs * k + t] / tot).max(EPS)
                    } else {
                        1.0 / k as f64
                    };
                }
            }
            for s in 0..n_src {
                let m = &mut errors[s * k * k..(s + 1) * k * k];
                for (e, p) in m.iter_mut().zip(&pooled) {
                    *e += self.smoothing * p;
                }
                normalise_columns(m, k, None);
            }
        } else {
            for s in 0..n_src {
                let m = &mut errors[s * k * k..(s + 1) * k * k];
                let u = &used[s * k..(s + 1) * k];
                for obs in 0..k {
                    if u[obs] {
                        for e in &mut m[obs * k..(obs + 1) * k] {
                            *e = e.max(EPS);
                        }
                    }
                }
                normalise_columns(m, k, Some(u));
            }
        }
    }
}

/// Normalises a `k × k` matrix (rows: observed, columns: true) so each column sums to one
/// over the observed labels marked `used` (all if `None`); unused rows stay zero, which
/// is harmless because the E-step only reads rows a source used.
fn normalise_columns(m: &mut [f64], k: usize, used: Option<&[bool]>) {
    for t in 0..k {
        let mut tot = 0.0;
        for obs in 0..k {
            if used.is_none_or(|u| u[obs]) {
                tot += m[obs * k + t];
            }
        }
        for obs in 0..k {
            if used.is_none_or(|u| u[obs]) && tot > 0.0 {
                m[obs * k + t] /= tot;
            }
        }
    }
}

/// Mean class probability over objects (crowd-kit: `probas.mean()`).
fn class_means(post: &[f64], k: usize) -> Vec<f64> {
    let n = (post.len() / k).max(1) as f64;
    let mut m = vec![0.0; k];
    for row in post.chunks_exact(k) {
        for (a, p) in m.iter_mut().zip(row) {
            *a += p;
        }
    }
    m.iter_mut().for_each(|a| *a /= n);
    m
}

/// Sets anchored objects' class rows to the confirmed outcome.
pub(crate) fn clamp_classes(claims: &ClaimSet, anchors: &[Anchor], k: usize, post: &mut [f64]) {
    for (o, a) in anchors.iter().enumerate() {
        let class = match *a {
            Anchor::Free => continue,
            Anchor::Slot(slot) => claims.slot_value(slot as usize) as usize,
            Anchor::Unclaimed(v) => v as usize,
        };
        let row = &mut post[o * k..(o + 1) * k];
        for (c, p) in row.iter_mut().enumerate() {
            *p = if c == class { 1.0 } else { 0.0 };
        }
    }
}

impl Method for DawidSkene {
    fn name(&self) -> &'static str {
        "dawid-skene"
    }

    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate {
        let (anchors, extra) = outcomes.resolve(claims);
        match Domain::of(claims) {
            Domain::Labels { k } => {
                let fit = self.fit_labels(claims, &anchors, k);
                let beliefs = fit.beliefs(claims);
                finish(self.name(), claims, &anchors, extra, &beliefs, Vec::new())
            }
            Domain::Open => {
                let (post, _) = OneCoin::default().fit(claims, &anchors);
                let beliefs = Beliefs::from_slots(claims, &post);
                finish("one-coin", claims, &anchors, extra, &beliefs, Vec::new())
            }
        }
    }
}
