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
//! matrix of all sources (the mean of the sources' own matrices, each source counting
//! once, as in a hierarchical model of the crowd): a source with few claims borrows the
//! typical source's error pattern
//! instead of a degenerate 0/1 matrix — the usual cure for Dawid–Skene over-fitting
//! sparse workers. With `symmetric` the matrix is constrained to one accuracy per source
//! (the one-coin model inside the same EM), which the default weighs against the full
//! matrix by cross-validation, which holds claims out of the fit ([`DawidSkene::fit_leaving_out`]).
//! With `ordinal` (graded labels) each source's rows are shrunk towards the source's own
//! ordinal fit ([`crate::methods::ordinal`]) rather than the typical source's matrix.
//!
//! Each iteration is a single pass over the claims (E-step and next M-step counts), in
//! products rather than sums of logarithms, split over threads by fixed object blocks.
//!
//! Needs a shared label set; on open-domain data (values specific to each object) it
//! falls back to the one-coin model.

use crate::claims::{Anchor, ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Estimate, finish};
use crate::methods::one_coin::OneCoin;
use crate::methods::{Domain, Method};

/// Dawid–Skene EM.
#[derive(Debug, Clone, Copy)]
pub struct DawidSkene {
    /// EM iterations at most.
    pub iterations: usize,
    /// Stop when no class probability moves more than this (0: run all iterations).
    pub tolerance: f64,
    /// Dirichlet pseudo-counts per true class pulling rows to the pooled matrix.
    pub smoothing: f64,
    /// Also stop when the log-likelihood changes by less than this per claim (0: never).
    pub ll_tolerance: f64,
    /// One-coin constraint: one accuracy per source (Beta(2, 1) prior), its errors
    /// spread evenly over the other labels, instead of a full confusion matrix.
    pub symmetric: bool,
    /// Graded labels: with `smoothing > 0`, pull each source's rows towards the source's
    /// own ordinal fit ([`crate::methods::ordinal`]: a preference per grade and a chance
    /// that falls with the distance from the truth, fitted to the source's counts plus
    /// the typical source's matrix) instead of the typical source's matrix alone. Applies
    /// only when every label is an integer ([`crate::methods::ordinal::positions`]);
    /// otherwise the fit is the plain smoothed one.
    pub ordinal: bool,
}

impl Default for DawidSkene {
    fn default() -> Self {
        DawidSkene {
            iterations: 100,
            tolerance: 1e-7,
            smoothing: 0.0,
            ll_tolerance: 0.0,
            symmetric: false,
            ordinal: false,
        }
    }
}

/// Newton steps of each source's ordinal fit per M-step, from its last fit (or, at the
/// first M-step, from the typical source's, fitted in full); see
/// [`crate::methods::ordinal::Shape::fit`].
const WARM_STEPS: usize = 1;

/// Counts below this are clipped, as crowd-kit does, so no log is of zero.
const EPS: f64 = 1e-10;

/// A fitted Dawid–Skene model on label data.
pub(crate) struct DsFit {
    /// Number of classes (global value ids `0..k`).
    pub k: usize,
    /// Object-major class posteriors, `n_objects × k`.
    pub post: Vec<f64>,
    /// Confusion table `errors[(source · k + observed) · k + true]`.
    pub errors: Vec<f64>,
}

impl DsFit {
    /// Beliefs from class posteriors (each object's and each claim's independently, so
    /// large data are shared between threads).
    pub fn beliefs(&self, claims: &ClaimSet) -> Beliefs {
        let k = self.k;
        let top = |row: &[f64]| {
            let mut top = (u32::MAX, f64::NEG_INFINITY);
            for (c, &p) in row.iter().enumerate() {
                if p > top.1 {
                    top = (c as u32, p);
                }
            }
            top
        };
        let n = claims.n_claims();
        let right = |c: usize| {
            self.post[claims.claim_object(c) as usize * k + claims.claim_value(c) as usize]
        };
        let threads = if n < 1 << 19 {
            1
        } else {
            crate::par::threads()
        };
        if threads <= 1 {
            let best = self.post.chunks_exact(k).map(top).collect();
            let correct = (0..n).map(right).collect();
            return Beliefs::new(best, correct);
        }
        // The claims in shares, one per thread; then the objects' choices.
        let mut correct = vec![0.0; n];
        let share = n.div_ceil(threads);
        let parts: Vec<_> = correct.chunks_mut(share).enumerate().collect();
        crate::par::each(parts, threads, |(t, part)| {
            for (i, x) in part.iter_mut().enumerate() {
                *x = right(t * share + i);
            }
        });
        let best = self.post.chunks_exact(k).map(top).collect();
        Beliefs::new(best, correct)
    }
}

impl DawidSkene {
    /// Fits on label data with `k` classes.
    ///
    /// Each iteration is one pass over the claims in object order that does the E-step
    /// for an object and at once adds its new class posterior into the confusion counts
    /// of the next M-step. The E-step multiplies probabilities instead of adding
    /// logarithms (rescaling now and then so long rows cannot underflow), so no `exp` or
    /// `ln` is taken per claim. Objects are cut into a fixed number of blocks whatever
    /// the number of threads, each block with its own counts, summed in block order: the
    /// result is the same bit for bit on one core or many.
    pub(crate) fn fit_labels(&self, claims: &ClaimSet, anchors: &[Anchor], k: usize) -> DsFit {
        self.fit_leaving_out(claims, anchors, k, None)
    }

    /// As [`Self::fit_labels`], with the claims marked in `left_out` (held out by the
    /// cross-validation) as if they were not there.
    ///
    /// A claim left out reads and adds to one more source's rows, after the real ones:
    /// rows of ones that the M-step never writes, so the E-step multiplies it in as 1 and
    /// the pass has no branch on whether a claim counts (the held-out claims are a
    /// random fifth, a branch the processor would mispredict every fifth claim).
    pub(crate) fn fit_leaving_out(
        &self,
        claims: &ClaimSet,
        anchors: &[Anchor],
        k: usize,
        left_out: Option<&[bool]>,
    ) -> DsFit {
        let n_obj = claims.n_objects();
        let n_src = claims.n_sources();
        let n = claims.n_claims();
        let src = claims.sources_flat();
        let val = claims.values_flat();
        // Row of the confusion table each claim reads: (source, observed label); written
        // by the majority-vote start, block by block, before anything reads it.
        let mut ridx = vec![0u32; n];
        let anchor_class: Vec<u32> = anchors
            .iter()
            .map(|a| match *a {
                Anchor::Free => u32::MAX,
                Anchor::Slot(slot) => claims.slot_value(slot as usize),
                Anchor::Unclaimed(v) => v,
            })
            .collect();
        let counts_claim = |c: usize| left_out.is_none_or(|l| !l[c]);
        // One-coin rows are `a` on the diagonal and one `off` value elsewhere: a claim
        // then multiplies its own label's probability by `a / off` and, since rows are
        // normalised, nothing else; `off`'s share of the likelihood is added per source.
        // Its M-step needs only each source's posterior weight on the labels it gave
        // (the weight of its claims is fixed), so the counts are one number per source.
        let one_coin = self.symmetric && k >= 2;
        // Each label's place on the scale, for the ordinal pull.
        let scale = if self.ordinal && !self.symmetric && self.smoothing > 0.0 {
            crate::methods::ordinal::positions(claims).filter(|p| p.len() == k)
        } else {
            None
        };
        let scale = scale.as_deref();
        // Each source's ordinal fit (parameters and matrix), and the typical source's after
        // them, carried from one M-step to the next.
        let state = crate::methods::ordinal::state_len(k);
        let mut shape_params = vec![
            0.0;
            if scale.is_some() {
                (n_src + 1) * state
            } else {
                0
            }
        ];
        // The sources' rows, and the rows of ones for claims left out.
        let row_sources = n_src + usize::from(left_out.is_some());
        let table = row_sources * k * k;
        let count_len = if self.symmetric { row_sources } else { table };
        let blocks = block_count(n * k, table);
        let bounds: Vec<usize> = (0..=blocks).map(|b| b * n_obj / blocks).collect();
        let obj_start = claims.object_starts();
        // Threads only pay when a pass is long: spawning costs more than a short pass.
        let threads = if n * k < 1 << 21 {
            1
        } else {
            crate::par::threads()
        };
        // Majority-vote start (crowd-kit: MajorityVote().fit_predict_proba), and in the
        // same pass over the objects the first M-step's counts (and, for the one-coin
        // model, the weight of each source's claims), block by block like the E-step.
        let mut post = vec![0.0; n_obj * k];
        let start = Start {
            k,
            symmetric: self.symmetric,
            obj_start,
            src,
            val,
            anchor_class: &anchor_class,
            left_out,
            left_out_source: n_src as u32,
            count_len,
        };
        let mut pieces: Vec<(&mut [f64], &mut [u32])> = Vec::with_capacity(blocks);
        let (mut rest, mut rest_rows): (&mut [f64], &mut [u32]) = (&mut post, &mut ridx);
        for b in 0..blocks {
            let (head, tail) = rest.split_at_mut((bounds[b + 1] - bounds[b]) * k);
            let claims_in = (obj_start[bounds[b + 1]] - obj_start[bounds[b]]) as usize;
            let (rows_head, rows_tail) = rest_rows.split_at_mut(claims_in);
            pieces.push((head, rows_head));
            (rest, rest_rows) = (tail, rows_tail);
        }
        let mut starts: Vec<Option<StartSums>> = (0..blocks).map(|_| None).collect();
        let work: Vec<_> = pieces.into_iter().zip(&mut starts).enumerate().collect();
        crate::par::each(work, threads, |(b, ((post, rows), out))| {
            *out = Some(start.run(bounds[b], post, rows));
        });
        let starts: Vec<StartSums> = starts.into_iter().flatten().collect();
        let ridx = ridx;
        // Which labels each source used: crowd-kit normalises over those only.
        let mut used = vec![false; if self.symmetric { 0 } else { n_src * k }];
        if !self.symmetric {
            for (c, &r) in ridx.iter().enumerate() {
                if counts_claim(c) {
                    used[r as usize] = true;
                }
            }
        }
        // Summed in block order, so the same whatever the number of threads.
        let mut counts = crate::par::written_zeros(count_len);
        let mut class_sum = vec![0.0; k];
        let mut source_weight =
            crate::par::written_zeros(if self.symmetric { row_sources } else { 0 });
        for part in &starts {
            for (e, p) in counts.iter_mut().zip(&part.counts) {
                *e += p;
            }
            for (a, p) in class_sum.iter_mut().zip(&part.class_sum) {
                *a += p;
            }
            for (w, p) in source_weight.iter_mut().zip(&part.source_weight) {
                *w += p;
            }
        }
        // The rows of ones after the sources', which the M-step never writes.
        let mut errors = vec![0.0; table];
        errors[n_src * k * k..].fill(1.0);
        let mut priors: Vec<f64> = class_sum.iter().map(|a| a / n_obj.max(1) as f64).collect();
        self.m_step(
            &mut counts,
            &source_weight,
            &used,
            scale.map(|p| (p, &mut shape_params[..], true)),
            n_src,
            k,
            &mut errors,
        );
        let mut partial: Vec<BlockSums> = (0..blocks)
            .map(|_| BlockSums {
                counts: vec![0.0; count_len],
                class_sum: vec![0.0; k],
                change: 0.0,
                log_lik: 0.0,
            })
            .collect();
        let mut last_ll = f64::NEG_INFINITY;
        let mut ratio = vec![0.0; if one_coin { row_sources } else { 0 }];
        for _ in 0..self.iterations {
            let prior: Vec<f64> = priors.iter().map(|p| p.max(EPS)).collect();
            let mut ll_off = 0.0;
            for (s, r) in ratio.iter_mut().enumerate() {
                let (a, off) = (errors[s * k * k], errors[s * k * k + k]);
                *r = a / off;
                ll_off += source_weight[s] * off.ln();
            }
            let ctx = Pass {
                k,
                obj_start,
                ridx: &ridx,
                errors: &errors,
                ratio: one_coin.then_some(&ratio[..]),
                prior: &prior,
                anchor_class: &anchor_class,
            };
            let pass =
                |b: usize, rows: &mut [f64], sums: &mut BlockSums| ctx.run(bounds[b], rows, sums);
            // Blocks are contiguous object ranges; split the posterior to match.
            let mut rest: &mut [f64] = &mut post;
            let mut pieces: Vec<&mut [f64]> = Vec::with_capacity(blocks);
            for b in 0..blocks {
                let (head, tail) = rest.split_at_mut((bounds[b + 1] - bounds[b]) * k);
                pieces.push(head);
                rest = tail;
            }
            let work: Vec<_> = pieces.into_iter().zip(&mut partial).enumerate().collect();
            crate::par::each(work, threads, |(b, (rows, sums))| pass(b, rows, sums));
            // Deterministic reduction, in block order.
            counts.iter_mut().for_each(|e| *e = 0.0);
            class_sum.iter_mut().for_each(|a| *a = 0.0);
            let mut change = 0.0f64;
            let mut ll = 0.0;
            for part in &partial {
                for (e, p) in counts.iter_mut().zip(&part.counts) {
                    *e += p;
                }
                for (a, p) in class_sum.iter_mut().zip(&part.class_sum) {
                    *a += p;
                }
                change = change.max(part.change);
                ll += part.log_lik;
            }
            ll += ll_off;
            priors = class_sum.iter().map(|a| a / n_obj.max(1) as f64).collect();
            self.m_step(
                &mut counts,
                &source_weight,
                &used,
                scale.map(|p| (p, &mut shape_params[..], false)),
                n_src,
                k,
                &mut errors,
            );
            let ll_step = (ll - last_ll).abs() / n.max(1) as f64;
            last_ll = ll;
            if change < self.tolerance || ll_step < self.ll_tolerance {
                break;
            }
        }
        DsFit { k, post, errors }
    }

    /// M-step: confusion rows `errors[s][obs][true]` from the posterior-weighted
    /// `counts` (same layout), normalised over `obs`. `counts` is consumed as scratch.
    /// For the one-coin model `counts[s]` is instead the posterior weight source `s`'s
    /// claims put on the labels it gave, out of `source_weight[s]`. With `ordinal` (each
    /// label's place on a graded scale, each source's ordinal fit from the last M-step,
    /// [`crate::methods::ordinal::state_len`] numbers a source, then the typical source's,
    /// and whether this is the first M-step) the smoothed rows are pulled towards each
    /// source's own ordinal fit (see [`Self::ordinal`]).
    #[allow(clippy::too_many_arguments)]
    fn m_step(
        &self,
        counts: &mut [f64],
        source_weight: &[f64],
        used: &[bool],
        ordinal: Option<(&[f64], &mut [f64], bool)>,
        n_src: usize,
        k: usize,
        errors: &mut [f64],
    ) {
        if self.symmetric {
            let off = 1.0 / (k as f64 - 1.0).max(1.0);
            for s in 0..n_src {
                let (right, total) = (counts[s], source_weight[s]);
                let a = ((right + 2.0) / (total + 3.0)).clamp(
                    crate::methods::one_coin::ACC_MIN,
                    crate::methods::one_coin::ACC_MAX,
                );
                let m = &mut errors[s * k * k..(s + 1) * k * k];
                for obs in 0..k {
                    for t in 0..k {
                        m[obs * k + t] = if obs == t { a } else { (1.0 - a) * off };
                    }
                }
            }
        } else if self.smoothing > 0.0 {
            // Pooled confusion, normalised per true class. Each source counts once, however
            // many claims it made: the prior describes a typical *source*, which is what a
            // source with few claims is to be compared with. Pooling claims instead lets a
            // few prolific sources set the prior for everyone else.
            let mut pooled = vec![0.0; k * k];
            for s in 0..n_src {
                let c = &counts[s * k * k..(s + 1) * k * k];
                let total: f64 = c.iter().sum();
                if total > 0.0 {
                    let inv = 1.0 / total;
                    for (p, e) in pooled.iter_mut().zip(c) {
                        *p += e * inv;
                    }
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
            let mut ordinal = ordinal;
            let mut target = vec![0.0; if ordinal.is_some() { k * k } else { 0 }];
            let mut shape = target.clone();
            let mut typical_shape = target.clone();
            let mut fitter = ordinal
                .as_ref()
                .map(|(pos, _, _)| crate::methods::ordinal::Shape::new(pos));
            let state = crate::methods::ordinal::state_len(k);
            if let (Some((_, params, first)), Some(fitter)) = (ordinal.as_mut(), fitter.as_mut()) {
                // The typical source's own ordinal fit (its state after the sources'), in
                // full: every source starts from it, and a source without claims is it.
                // (Whether a source has claims is fixed for the whole fit.)
                let typical = &mut params[n_src * state..(n_src + 1) * state];
                fitter.fit(
                    &pooled,
                    typical,
                    *first,
                    &mut typical_shape,
                    crate::methods::ordinal::MAX_STEPS,
                );
            }
            // The rows of a source without claims (in this fit it never has any): the
            // typical source's ordinal fit, shrunk as any source's would be.
            let mut empty_rows = typical_shape.clone();
            if ordinal.is_some() {
                for e in &mut empty_rows {
                    *e = 0.0 + self.smoothing * e.max(EPS);
                }
                normalise_columns(&mut empty_rows, k, None);
            }
            for s in 0..n_src {
                let m = &mut errors[s * k * k..(s + 1) * k * k];
                let c = &counts[s * k * k..(s + 1) * k * k];
                if let (Some((_, params, first)), Some(fitter)) =
                    (ordinal.as_mut(), fitter.as_mut())
                {
                    // The source's own ordinal fit to its counts plus the typical
                    // source's matrix, and the source's rows shrunk towards that.
                    let (own, typical) = params.split_at_mut(n_src * state);
                    let own = &mut own[s * state..(s + 1) * state];
                    if c.iter().all(|&x| x == 0.0) {
                        m.copy_from_slice(&empty_rows);
                        continue;
                    }
                    if *first {
                        own.copy_from_slice(typical);
                    }
                    for ((t, c), p) in target.iter_mut().zip(c).zip(&pooled) {
                        *t = c + self.smoothing * p;
                    }
                    fitter.fit(&target, own, false, &mut shape, WARM_STEPS);
                    for ((e, c), p) in m.iter_mut().zip(c).zip(&shape) {
                        *e = c + self.smoothing * p.max(EPS);
                    }
                } else {
                    for ((e, c), p) in m.iter_mut().zip(c).zip(&pooled) {
                        *e = c + self.smoothing * p;
                    }
                }
                normalise_columns(m, k, None);
            }
        } else {
            for s in 0..n_src {
                let m = &mut errors[s * k * k..(s + 1) * k * k];
                m.copy_from_slice(&counts[s * k * k..(s + 1) * k * k]);
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

/// What the majority-vote start of every block reads.
struct Start<'a> {
    k: usize,
    symmetric: bool,
    obj_start: &'a [u32],
    src: &'a [u32],
    val: &'a [u32],
    anchor_class: &'a [u32],
    /// Claims left out, which read the rows of ones of source `left_out_source`.
    left_out: Option<&'a [bool]>,
    left_out_source: u32,
    count_len: usize,
}

/// What one block's start contributes to the first M-step.
struct StartSums {
    counts: Vec<f64>,
    class_sum: Vec<f64>,
    source_weight: Vec<f64>,
}

impl Start<'_> {
    /// Majority-vote rows for objects `first..` (rows in `post`), with their counts, and
    /// the confusion-table row each of their claims reads (in `rows`, from the first
    /// object's first claim on).
    fn run(&self, first: usize, post: &mut [f64], rows: &mut [u32]) -> StartSums {
        let k = self.k;
        let base = self.obj_start[first] as usize;
        let out = |c: usize| self.left_out.is_some_and(|l| l[c]);
        let mut sums = StartSums {
            counts: crate::par::written_zeros(self.count_len),
            class_sum: vec![0.0; k],
            source_weight: crate::par::written_zeros(if self.symmetric {
                self.count_len
            } else {
                0
            }),
        };
        for (i, row) in post.chunks_exact_mut(k).enumerate() {
            let o = first + i;
            let range = self.obj_start[o] as usize..self.obj_start[o + 1] as usize;
            let total = range.clone().filter(|&c| !out(c)).count() as f64;
            // Write the row before adding to it: `post` is fresh from the allocator, and
            // a first read of a fresh page maps the shared zero page, which the first
            // write must then replace while every thread's view of it is flushed (an
            // interrupt to each other core, page by page). Written first, a page is
            // faulted in once.
            row.fill(0.0);
            if total > 0.0 {
                let share = 1.0 / total;
                for c in range.clone().filter(|&c| !out(c)) {
                    row[self.val[c] as usize] += share;
                }
            } else {
                row.iter_mut().for_each(|p| *p = 1.0 / k as f64);
            }
            clamp_row(row, self.anchor_class[o]);
            for c in range {
                if out(c) {
                    // Read the rows of ones; count nothing.
                    rows[c - base] = self.left_out_source * k as u32 + self.val[c];
                    continue;
                }
                let r = self.src[c] * k as u32 + self.val[c];
                rows[c - base] = r;
                let r = r as usize;
                if self.symmetric {
                    sums.counts[r / k] += row[r % k];
                    sums.source_weight[r / k] += 1.0;
                    continue;
                }
                let at = r * k;
                for (e, p) in sums.counts[at..at + k].iter_mut().zip(row.iter()) {
                    *e += p;
                }
            }
            for (a, p) in sums.class_sum.iter_mut().zip(row.iter()) {
                *a += p;
            }
        }
        sums
    }
}

/// What one block of objects contributes to the next M-step.
struct BlockSums {
    counts: Vec<f64>,
    class_sum: Vec<f64>,
    change: f64,
    log_lik: f64,
}

/// Number of object blocks for the fused pass: two when the data are big enough to be
/// worth two threads and the per-block counts are not too large, else one. Depends only
/// on the data, never on the machine, so results do not either.
fn block_count(work: usize, table: usize) -> usize {
    if work >= 200_000 && table <= 8 << 20 {
        2
    } else {
        1
    }
}

/// Sets a class row to the anchored class, if any.
fn clamp_row(row: &mut [f64], class: u32) {
    if class != u32::MAX {
        for (c, p) in row.iter_mut().enumerate() {
            *p = if c == class as usize { 1.0 } else { 0.0 };
        }
    }
}

/// What every block of the fused pass reads.
struct Pass<'a> {
    k: usize,
    obj_start: &'a [u32],
    ridx: &'a [u32],
    errors: &'a [f64],
    /// One-coin model: per source, `a / off` (see [`DawidSkene::fit_leaving_out`]).
    ratio: Option<&'a [f64]>,
    prior: &'a [f64],
    anchor_class: &'a [u32],
}

impl Pass<'_> {
    /// [`e_and_count`] with the number of classes fixed at compile time for the common
    /// small label sets, so the inner loops unroll.
    fn run(&self, first: usize, post: &mut [f64], sums: &mut BlockSums) {
        match self.k {
            2 => e_and_count::<2>(self, first, post, sums),
            3 => e_and_count::<3>(self, first, post, sums),
            4 => e_and_count::<4>(self, first, post, sums),
            5 => e_and_count::<5>(self, first, post, sums),
            6 => e_and_count::<6>(self, first, post, sums),
            _ => e_and_count::<0>(self, first, post, sums),
        }
    }
}

/// E-step for objects `first..` (rows in `post`), adding the new posteriors into the
/// block's counts and class sums, the largest posterior change and the log-likelihood.
/// `K` is the number of classes, or 0 to read it from `p`; the loops index by class so
/// that they unroll when `K` is known.
#[allow(clippy::needless_range_loop)]
fn e_and_count<const K: usize>(p: &Pass<'_>, first: usize, post: &mut [f64], sums: &mut BlockSums) {
    let k = if K == 0 { p.k } else { K };
    sums.counts.iter_mut().for_each(|e| *e = 0.0);
    sums.class_sum.iter_mut().for_each(|a| *a = 0.0);
    let mut change = 0.0f64;
    // Log-likelihood as a running product with its logarithm taken only when needed.
    let mut ll = 0.0;
    let mut mant = 1.0f64;
    // A fixed-size row when `K` is known, so it can live in registers.
    let mut fixed = [0.0f64; K];
    let mut buf = [0.0f64; crate::methods::MAX_CLASSES];
    let row: &mut [f64] = if K > 0 { &mut fixed[..] } else { &mut buf[..k] };
    for (i, old) in post.chunks_exact_mut(k).enumerate() {
        let o = first + i;
        let range = p.obj_start[o] as usize..p.obj_start[o + 1] as usize;
        row.copy_from_slice(&p.prior[..k]);
        // Rescaled every 16 claims, so long rows cannot underflow.
        let mut rescale = |j: usize, row: &mut [f64]| {
            if j % 16 == 15 {
                let z: f64 = row.iter().sum();
                if z > 0.0 {
                    row.iter_mut().for_each(|r| *r /= z);
                    ll += z.ln();
                }
            }
        };
        if let Some(ratio) = p.ratio {
            for (j, c) in range.clone().enumerate() {
                let r = p.ridx[c] as usize;
                let (s, obs) = (r / k, r % k);
                // Every class by a constant index (times one but for the claimed label),
                // rather than one by a variable index, keeps the row in registers; the
                // factor is picked by a mask of bits, since a compiler may otherwise
                // branch on which class was claimed, a branch the processor cannot
                // predict.
                let (f, one) = (ratio[s].to_bits(), 1.0f64.to_bits());
                for t in 0..k {
                    let claimed = 0u64.wrapping_sub(u64::from(t == obs));
                    row[t] *= f64::from_bits(one ^ ((one ^ f) & claimed));
                }
                rescale(j, row);
            }
        } else {
            for (j, c) in range.clone().enumerate() {
                let at = p.ridx[c] as usize * k;
                let e = &p.errors[at..at + k];
                for t in 0..k {
                    row[t] *= e[t];
                }
                rescale(j, row);
            }
        }
        let z: f64 = row.iter().sum();
        if z > 0.0 && z.is_finite() {
            let inv = 1.0 / z;
            row.iter_mut().for_each(|r| *r *= inv);
            mant *= z;
            if !(1e-200..=1e200).contains(&mant) {
                ll += mant.ln();
                mant = 1.0;
            }
        } else {
            row.iter_mut().for_each(|r| *r = 1.0 / k as f64);
        }
        clamp_row(row, p.anchor_class[o]);
        // The object's largest move first, then one `max` into the running value: a
        // chain of one dependent `max` per object instead of one per class.
        let mut moved = 0.0f64;
        for t in 0..k {
            moved = moved.max((old[t] - row[t]).abs());
            old[t] = row[t];
        }
        change = change.max(moved);
        // (A claim left out adds to the rows of ones, which nothing reads.)
        for c in range {
            let r = p.ridx[c] as usize;
            if p.ratio.is_some() {
                // The one-coin M-step reads only the weight on the given label.
                sums.counts[r / k] += row[r % k];
                continue;
            }
            let at = r * k;
            let acc = &mut sums.counts[at..at + k];
            for t in 0..k {
                acc[t] += row[t];
            }
        }
        for (a, r) in sums.class_sum.iter_mut().zip(row.iter()) {
            *a += r;
        }
    }
    sums.change = change;
    sums.log_lik = ll + mant.ln();
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

impl Method for DawidSkene {
    fn name(&self) -> &'static str {
        if self.ordinal {
            "dawid-skene-ordinal"
        } else {
            "dawid-skene"
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimSetBuilder;

    fn build(rows: &[(&str, &str, &str)]) -> ClaimSet {
        let mut b = ClaimSetBuilder::new();
        for (s, o, v) in rows {
            b.push(s, o, v);
        }
        b.build()
    }

    /// A claim left out (held out in cross-validation) is as if it were not there.
    #[test]
    fn a_claim_left_out_is_as_if_it_were_not_there() {
        let rows: Vec<(String, String, String)> = (0..40)
            .flat_map(|o| {
                (0..6).map(move |s| {
                    let v = if (o * 7 + s * 3) % 5 == 0 { "b" } else { "a" };
                    (format!("s{s}"), format!("o{o:02}"), v.to_string())
                })
            })
            .collect();
        let all: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|(s, o, v)| (s.as_str(), o.as_str(), v.as_str()))
            .collect();
        let dropped = (
            "s2",
            "o07",
            all.iter()
                .find(|r| r.0 == "s2" && r.1 == "o07")
                .map_or("a", |r| r.2),
        );
        let rest: Vec<(&str, &str, &str)> = all.iter().copied().filter(|r| *r != dropped).collect();
        let full = build(&all);
        let less = build(&rest);
        for ds in [
            DawidSkene {
                iterations: 7,
                tolerance: 0.0,
                ..DawidSkene::default()
            },
            DawidSkene {
                iterations: 7,
                tolerance: 0.0,
                smoothing: 2.0,
                ..DawidSkene::default()
            },
            DawidSkene {
                iterations: 7,
                tolerance: 0.0,
                symmetric: true,
                ..DawidSkene::default()
            },
        ] {
            let left_out: Vec<bool> = (0..full.n_claims())
                .map(|c| {
                    let o = full.object_name(full.claim_object(c));
                    let s = full.source_name(full.claim_source(c));
                    (s, o) == (dropped.0, dropped.1)
                })
                .collect();
            let free_full = vec![Anchor::Free; full.n_objects()];
            let free_less = vec![Anchor::Free; less.n_objects()];
            let a = ds.fit_leaving_out(&full, &free_full, 2, Some(&left_out));
            let b = ds.fit_labels(&less, &free_less, 2);
            assert_eq!(a.post.len(), b.post.len());
            for (x, y) in a.post.iter().zip(&b.post) {
                assert!((x - y).abs() < 1e-12, "{x} vs {y}");
            }
        }
    }

    /// The smoothing prior is the typical source's confusion: one prolific perfect
    /// source and two middling ones put a source with no claims of its own at their
    /// average, 2/3 right, not at the 99 % of the claim-weighted pool.
    #[test]
    fn the_prior_is_the_typical_source_not_the_prolific_one() {
        let k = 2;
        // counts[(s · k + observed) · k + true]
        let mut counts = vec![0.0; 4 * k * k];
        counts[0] = 500.0; // source 0 says 0 when 0
        counts[3] = 500.0; // and 1 when 1
        for s in 1..3 {
            let m = &mut counts[s * 4..s * 4 + 4];
            m.copy_from_slice(&[2.5, 2.5, 2.5, 2.5]);
        }
        let ds = DawidSkene {
            smoothing: 2.0,
            ..DawidSkene::default()
        };
        let mut errors = vec![0.0; counts.len()];
        ds.m_step(&mut counts, &[], &[true; 8], None, 4, k, &mut errors);
        let unseen = &errors[12..16];
        for (got, want) in unseen
            .iter()
            .zip([2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 2.0 / 3.0])
        {
            assert!((got - want).abs() < 1e-9, "{unseen:?}");
        }
    }

    /// The one-coin constraint: every source's matrix is `A` on the diagonal and
    /// `(1 − A)/(k − 1)` elsewhere, with `A` the Beta(2, 1)-smoothed share it got right.
    #[test]
    fn symmetric_rows_hold_one_accuracy() {
        // Start from majority: o1 = a (3 of 3), o2 = a with 2/3. Source s3 said b on o2.
        let c = build(&[
            ("s1", "o1", "a"),
            ("s2", "o1", "a"),
            ("s3", "o1", "a"),
            ("s1", "o2", "a"),
            ("s2", "o2", "a"),
            ("s3", "o2", "b"),
        ]);
        let ds = DawidSkene {
            iterations: 0,
            symmetric: true,
            ..DawidSkene::default()
        };
        let fit = ds.fit_labels(&c, &[Anchor::Free; 2], 2);
        // s3: right with probability 1 on o1 and 1/3 on o2 → A = (4/3 + 2) / (2 + 3).
        let a = (4.0 / 3.0 + 2.0) / 5.0;
        let s3 = c.source_id("s3").unwrap_or(0) as usize;
        let m = &fit.errors[s3 * 4..s3 * 4 + 4];
        for (got, want) in m.iter().zip([a, 1.0 - a, 1.0 - a, a]) {
            assert!((got - want).abs() < 1e-12, "{m:?}");
        }
    }

    /// With the ordinal pull, a source whose counts follow the ordinal shape keeps that
    /// shape, and a source with no claims gets the typical source's ordinal fit: here the
    /// same matrix (see `ordinal::tests::counts_of_the_shape_give_back_its_matrix` for
    /// its entries), which is not symmetric, so a transposed layout would show.
    #[test]
    fn the_ordinal_pull_keeps_a_matrix_of_the_shape() {
        let k = 3;
        let want = [
            [4.0 / 9.0, 1.0 / 6.0, 1.0 / 9.0],
            [4.0 / 9.0, 2.0 / 3.0, 4.0 / 9.0],
            [1.0 / 9.0, 1.0 / 6.0, 4.0 / 9.0],
        ];
        let n = [90.0, 60.0, 180.0];
        // Source 0 has the counts, source 1 none.
        let mut counts = vec![0.0; 2 * k * k];
        for j in 0..k {
            for i in 0..k {
                counts[j * k + i] = n[i] * want[j][i];
            }
        }
        let ds = DawidSkene {
            smoothing: 8.0,
            ordinal: true,
            ..DawidSkene::default()
        };
        let mut errors = vec![0.0; counts.len()];
        let mut params = vec![0.0; 3 * crate::methods::ordinal::state_len(k)];
        ds.m_step(
            &mut counts,
            &[],
            &[true; 6],
            Some((&[0.0, 1.0, 2.0], &mut params, true)),
            2,
            k,
            &mut errors,
        );
        for s in 0..2 {
            for j in 0..k {
                for i in 0..k {
                    let got = errors[(s * k + j) * k + i];
                    assert!((got - want[j][i]).abs() < 1e-5, "source {s}: {errors:?}");
                }
            }
        }
    }

    /// Labels that are not integers have no scale: the ordinal setting changes nothing.
    #[test]
    fn the_ordinal_pull_needs_integer_labels() {
        let rows: Vec<(String, String, String)> = (0..60)
            .flat_map(|o| {
                (0..5).map(move |s| {
                    let v = ["low", "mid", "high"][(o * 7 + s * 3) % 5 % 3];
                    (format!("s{s}"), format!("o{o:02}"), v.to_string())
                })
            })
            .collect();
        let all: Vec<(&str, &str, &str)> = rows
            .iter()
            .map(|(s, o, v)| (s.as_str(), o.as_str(), v.as_str()))
            .collect();
        let c = build(&all);
        let free = vec![Anchor::Free; c.n_objects()];
        let plain = DawidSkene {
            smoothing: 8.0,
            ..DawidSkene::default()
        };
        let ordinal = DawidSkene {
            ordinal: true,
            ..plain
        };
        let a = plain.fit_labels(&c, &free, 3);
        let b = ordinal.fit_labels(&c, &free, 3);
        assert_eq!(a.post, b.post);
        assert_eq!(a.errors, b.errors);
    }
}
