//! Copy detection and copy-aware truth discovery after Dong, Berti-Equille & Srivastava,
//! "Integrating Conflicting Data: The Role of Source Dependence", PVLDB 2(1), 2009.
//!
//! Two independent sources agree on a *false* value only by bad luck (probability
//! `(1−A₁)(1−A₂)/n` with `n` false values); a copier repeats its original's mistakes with
//! the copy rate `c`. Sharing false values is therefore strong evidence of copying,
//! sharing true values weak evidence, and disagreeing evidence against. Per pair the
//! log-likelihood ratio of "dependent" over "independent" is summed over the shared
//! objects (with the truth weighted by its current probability) and turned into a
//! posterior with prior `α`: Dong et al.'s 0.2, or (`estimate_prior`, what the default
//! method's report uses) the share of dependent pairs the pairs themselves suggest
//! ([`dependent_share`]).
//!
//! The copy-aware model (Dong et al.'s ACCU-COPY) then counts a value's supporters in
//! decreasing order of accuracy and discounts each by `Π (1 − c·P(dependent))` over the
//! supporters before it, so circular reporting is not counted twice.

use crate::claims::{ClaimSet, FxMap, Outcomes};
use crate::estimate::{Beliefs, Dependency, Estimate, clamp_slots, finish};
use crate::methods::majority::vote_shares;
use crate::methods::one_coin::{
    accuracies, lone_claims_start, lone_or_softmax, max_change, vote_weight,
};
use crate::methods::{Domain, Method};

/// Parameters of the dependence model.
#[derive(Debug, Clone, Copy)]
pub struct CopyModel {
    /// Prior probability that two sources sharing objects are dependent (Dong et al.: 0.2);
    /// with `estimate_prior`, the most it can be.
    pub prior: f64,
    /// Share of a copier's claims that are copied (Dong et al.: 0.8).
    pub rate: f64,
    /// Estimate the share of dependent pairs from the data (see [`dependent_share`]) instead
    /// of taking `prior` for every data set.
    pub estimate_prior: bool,
}

impl Default for CopyModel {
    fn default() -> Self {
        CopyModel {
            prior: 0.2,
            rate: 0.8,
            estimate_prior: false,
        }
    }
}

impl CopyModel {
    /// Posterior dependence for every pair of sources sharing at least one object, keeping
    /// pairs with probability ≥ `min_probability`, most probable first.
    ///
    /// `correct[c]` is the probability that claim `c` is right, `acc[s]` source accuracy,
    /// `n_false(o)` the number of wrong values object `o` could take.
    pub(crate) fn detect(
        &self,
        claims: &ClaimSet,
        correct: &[f64],
        acc: &[f64],
        n_false: &(dyn Fn(u32) -> f64 + Sync),
        uniform_n_false: Option<f64>,
        min_probability: f64,
    ) -> Vec<Dependency> {
        self.detect_on(
            (crate::par::threads(), GROUP_EVENTS, NARROW_SOURCES),
            claims,
            correct,
            acc,
            n_false,
            uniform_n_false,
            min_probability,
        )
    }

    /// [`Self::detect`] on `threads` threads, filing about `group_events` pair events at
    /// a time (see [`source_groups`]), with narrow source ids in the events when there are
    /// at most `narrow_sources` sources (see [`PairLayout`]); the answer is the same for
    /// any of them.
    #[allow(clippy::too_many_arguments)]
    fn detect_on(
        &self,
        (threads, group_events, narrow_sources): (usize, usize, usize),
        claims: &ClaimSet,
        correct: &[f64],
        acc: &[f64],
        n_false: &(dyn Fn(u32) -> f64 + Sync),
        uniform_n_false: Option<f64>,
        min_probability: f64,
    ) -> Vec<Dependency> {
        let n_src = claims.n_sources();
        let narrow = n_src <= narrow_sources.min(NARROW_SOURCES);
        let threads = threads.clamp(1, n_src.max(1));
        let log_prior_odds = (self.prior / (1.0 - self.prior)).ln();
        let ln_keep = (1.0 - self.rate).ln();
        let min_odds = if min_probability <= 0.0 {
            f64::NEG_INFINITY
        } else {
            (min_probability / (1.0 - min_probability)).ln()
        };
        // The likelihood ratio a pair needs to be kept, less a hair for rounding.
        let need = min_odds - log_prior_odds - 1e-9 * (1.0 + min_odds.abs());
        // Pair events are filed by group of sources (contiguous ids, about
        // `group_events` events each); each thread takes the next group nobody has taken
        // and files it into one buffer it reuses, then judges the group's sources. The buffer
        // stays small and its memory is touched once, where one buffer for every event
        // of the data would be fresh memory the size of all pairs (360 MB at 10 million
        // claims, ten a object).
        let (counts, runs) = events_per_source(claims, threads);
        let groups = source_groups(&counts, threads, group_events);
        let (counts, runs, groups) = (&counts[..], &runs[..], &groups[..]);
        // Reciprocals of each source's accuracy and error rate, so the pair loop only
        // multiplies (accuracies are clamped away from 0 and 1).
        let inv: Vec<[f64; 2]> = acc.iter().map(|&a| [1.0 / a, 1.0 / (1.0 - a)]).collect();
        let inv = &inv[..];
        // With an estimated prior, a deterministic sample of the pairs (by a hash of the
        // pair, so the same whatever the threads) has its ratio taken exactly, for the
        // estimate; every pair is first judged against the largest prior allowed.
        let every = self.estimate_prior.then(|| {
            crate::methods::auto::MultipleOf::new(
                (counts.iter().sum::<usize>() / SAMPLE_PAIRS).max(1) as u64,
            )
        });
        // Per thread: the pairs that may be kept, with their log-likelihood ratio, and the
        // histogram of the sampled ratios.
        type Part = (Vec<(u32, u32, f64)>, Vec<f64>);
        let mut parts: Vec<Part> = (0..threads).map(|_| Default::default()).collect();
        let next_group = std::sync::atomic::AtomicUsize::new(0);
        let workers: Vec<&mut Part> = parts.iter_mut().collect();
        crate::par::each(workers, threads, |part| {
            let (out, hist) = part;
            hist.resize(if every.is_some() { RATIO_BINS + 2 } else { 0 }, 0.0);
            let mut layout = PairLayout::default();
            let mut sums = PairSums::new(n_src, uniform_n_false.is_none());
            while let Some(group) =
                groups.get(next_group.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            {
                layout.fill(
                    (claims, correct, n_false, uniform_n_false),
                    group,
                    (counts, runs),
                    narrow,
                );
                for a in group.clone() {
                    layout.pairs_of(a, &mut sums);
                    let a = a as usize;
                    for i in 0..sums.len {
                        let b = sums.touched[i];
                        let e = sums.take(b as usize);
                        let sampled = every.is_some_and(|every| {
                            every
                                .divides(crate::methods::auto::mix((a as u64) << 32 | u64::from(b)))
                        });
                        // Compare in log-odds; the posterior's exp only for kept pairs.
                        // With one number of false values, a pair with only disagreements
                        // takes the same path (its bound is its ratio), so no branch on
                        // whether the two ever agreed.
                        let l = if uniform_n_false.is_some() || e[0] + e[1] > 0.0 {
                            let n = uniform_n_false.map_or_else(|| e[2] / e[1], |n| n.max(1.0));
                            let (aa, ab) = (acc[a], acc[b as usize]);
                            let (ia, ib) = (inv[a], inv[b as usize]);
                            self.llr(
                                aa + ab,
                                ia[0] * ib[0],
                                ia[1] * ib[1],
                                n,
                                e,
                                ln_keep,
                                if sampled { f64::NEG_INFINITY } else { need },
                            )
                        } else {
                            // Only disagreements: no logarithm needed.
                            e[3] * ln_keep
                        };
                        if sampled {
                            hist[ratio_bin(l)] += 1.0;
                        }
                        if l + log_prior_odds >= min_odds {
                            out.push((a as u32, b, l));
                        }
                    }
                    sums.len = 0;
                }
            }
        });
        // The prior: fixed, or the share of dependent pairs that best explains the sample.
        let log_prior_odds = if every.is_some() {
            let mut hist = vec![0.0; RATIO_BINS + 2];
            for (_, h) in &parts {
                for (x, y) in hist.iter_mut().zip(h) {
                    *x += y;
                }
            }
            let share = dependent_share(&hist, self.prior);
            (share / (1.0 - share)).ln()
        } else {
            log_prior_odds
        };
        let mut all: Vec<Dependency> = parts
            .into_iter()
            .flat_map(|(out, _)| out)
            .filter_map(|(a, b, l)| {
                let odds = l + log_prior_odds;
                (odds >= min_odds).then(|| Dependency {
                    source_a: a,
                    source_b: b,
                    probability: 1.0 / (1.0 + (-odds).exp()),
                })
            })
            .collect();
        all.sort_unstable_by(|x, y| {
            y.probability
                .total_cmp(&x.probability)
                .then(x.source_a.cmp(&y.source_a))
                .then(x.source_b.cmp(&y.source_b))
        });
        all
    }

    /// Log-likelihood ratio (dependent over independent) of a pair's evidence, given the
    /// pair's accuracies as their sum `acc_sum`, `inv_true = 1/(A₁A₂)` and
    /// `inv_false = 1/((1−A₁)(1−A₂))`, and `n` false values per object (for open
    /// domains averaged over the objects where the pair agree). `ln_keep` is `ln(1 − c)`,
    /// what one disagreement costs the dependence hypothesis.
    ///
    /// An agreement on a true value has probability `A₁A₂` if independent and
    /// `c·Ā + (1 − c)·A₁A₂` if dependent (`Ā` the mean accuracy); on a false value
    /// `(1−A₁)(1−A₂)/n` against `c·(1 − Ā) + (1 − c)·(1−A₁)(1−A₂)/n`. Their ratios are
    /// `1 − c + c·Ā/(A₁A₂)` and `1 − c + c·(1 − Ā)·n/((1−A₁)(1−A₂))`.
    ///
    /// A pair whose ratio is certainly below `need` returns a bound below `need` without
    /// taking a logarithm: since `ln x ≤ x − 1`, the sum with each logarithm replaced by
    /// `x − 1` bounds the ratio from above, and most pairs, sharing an object or two, fall
    /// short of it by far.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn llr(
        &self,
        acc_sum: f64,
        inv_true: f64,
        inv_false: f64,
        n: f64,
        e: [f64; 4],
        ln_keep: f64,
        need: f64,
    ) -> f64 {
        let c = self.rate;
        let a_mean = 0.5 * acc_sum;
        let true_ratio = 1.0 - c + c * a_mean * inv_true;
        let false_ratio = 1.0 - c + c * (1.0 - a_mean) * n * inv_false;
        let mut l = e[3] * ln_keep;
        let bound = l + e[0] * (true_ratio - 1.0) + e[1] * (false_ratio - 1.0);
        if bound < need {
            return bound;
        }
        if e[0] > 0.0 {
            l += e[0] * fast_ln(true_ratio);
        }
        if e[1] > 0.0 {
            l += e[1] * fast_ln(false_ratio);
        }
        l
    }
}

/// What Dong et al.'s prior on the share of dependent pairs weighs in its estimate, in pairs
/// (see [`dependent_share`]).
pub(crate) const PRIOR_PAIRS: f64 = 20.0;

/// Pairs whose ratio is taken exactly for the estimate of the dependent share, about (a pair
/// in every `events / SAMPLE_PAIRS` is sampled).
const SAMPLE_PAIRS: usize = 200_000;

/// Bins of the log-likelihood ratios sampled for the estimate of the dependent share: from
/// −[`RATIO_SPAN`] to +[`RATIO_SPAN`] nats, a tenth of a nat each, plus one bin below and one
/// above.
const RATIO_BINS: usize = 800;
const RATIO_SPAN: f64 = 40.0;

fn ratio_bin(l: f64) -> usize {
    if l.is_nan() || l < -RATIO_SPAN {
        0
    } else if l >= RATIO_SPAN {
        RATIO_BINS + 1
    } else {
        1 + (((l + RATIO_SPAN) / (2.0 * RATIO_SPAN) * RATIO_BINS as f64) as usize)
            .min(RATIO_BINS - 1)
    }
}

/// The share of pairs that are dependent, estimated from a histogram of pairs'
/// log-likelihood ratios (dependent over independent; [`ratio_bin`]): the mixture weight `α`
/// maximising `Σ ln(1 + α (LRᵢ − 1))` plus a Beta prior whose mode is `max` (Dong et al.'s
/// 0.2) and which weighs as much as [`PRIOR_PAIRS`] pairs, between one in a million and
/// `max`. With a few sources the estimate stays near Dong et al.'s prior (ten pairs cannot
/// say much about the share); with thousands, the pairs decide.
///
/// Dong et al. fix the prior at 0.2, which suits a few dozen sources that all share most
/// objects; with thousands of sources, each sharing an object or two with most others, it
/// says that a fifth of millions of pairs copy, and a single shared wrong value then makes a
/// pair look dependent. Estimated, the prior is what the data say the share is (close to
/// nothing when no source copies), as in empirical-Bayes estimates of the share of true
/// effects among many tests (Efron, *Large-Scale Inference*, 2010, ch. 5).
pub(crate) fn dependent_share(hist: &[f64], max: f64) -> f64 {
    const MIN: f64 = 1e-6;
    let max = max.clamp(MIN, 0.5);
    let width = 2.0 * RATIO_SPAN / RATIO_BINS as f64;
    // The score (the prior's part first): decreasing in α.
    let score = |alpha: f64| -> f64 {
        let mut g = PRIOR_PAIRS * (max / alpha - (1.0 - max) / (1.0 - alpha));
        for (i, &n) in hist.iter().enumerate() {
            if n == 0.0 {
                continue;
            }
            g += n * if i == 0 {
                -1.0 / (1.0 - alpha)
            } else if i == RATIO_BINS + 1 {
                1.0 / alpha
            } else {
                let l = -RATIO_SPAN + (i as f64 - 0.5) * width;
                let d = l.exp() - 1.0;
                d / (1.0 + alpha * d)
            };
        }
        g
    };
    if score(max) >= 0.0 {
        return max;
    }
    if score(MIN) <= 0.0 {
        return MIN;
    }
    let (mut lo, mut hi) = (MIN.ln(), max.ln());
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if score(mid.exp()) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (0.5 * (lo + hi)).exp()
}

/// Pair events filed per group of sources (see [`source_groups`]): 12 MiB of events (16
/// with wide source ids).
const GROUP_EVENTS: usize = 1 << 21;

/// Most sources whose pair events are filed as `u16` (see [`PairLayout`]): 14 bits of
/// source id beside the event's two flags.
const NARROW_SOURCES: usize = 1 << 14;

/// Groups per thread at most (see [`source_groups`]).
const GROUPS_PER_THREAD: usize = 4;

/// For each source `a`, the number of pairs it makes with a later source on a shared
/// object (its pair events), and the number of its claims that make at least one (its
/// runs of events; see [`PairLayout`]): claims of an object are sorted by source, so the
/// later sources of a claim are exactly the claims after it, less its own source's other
/// values, if any. Counted on `threads` shares of the objects and summed.
fn events_per_source(claims: &ClaimSet, threads: usize) -> (Vec<usize>, Vec<usize>) {
    let src = claims.sources_flat();
    let starts = claims.object_starts();
    let n_src = claims.n_sources();
    let n_obj = claims.n_objects();
    let count = |objects: std::ops::Range<usize>| {
        let mut counts = vec![0usize; n_src];
        let mut runs = vec![0usize; n_src];
        for o in objects {
            let (lo, hi) = (starts[o] as usize, starts[o + 1] as usize);
            // Walk the object's runs of claims by one source.
            let mut i = lo;
            while i < hi {
                let a = src[i];
                let mut run_end = i + 1;
                while run_end < hi && src[run_end] == a {
                    run_end += 1;
                }
                let later = hi - run_end;
                counts[a as usize] += (run_end - i) * later;
                runs[a as usize] += if later > 0 { run_end - i } else { 0 };
                i = run_end;
            }
        }
        (counts, runs)
    };
    if threads <= 1 || claims.n_claims() < 1 << 16 {
        return count(0..n_obj);
    }
    let mut parts: Vec<(Vec<usize>, Vec<usize>)> = vec![Default::default(); threads];
    let shares: Vec<_> = parts.iter_mut().enumerate().collect();
    crate::par::each(shares, threads, |(t, out)| {
        *out = count(t * n_obj / threads..(t + 1) * n_obj / threads);
    });
    let mut total = (vec![0usize; n_src], vec![0usize; n_src]);
    for (counts, runs) in &parts {
        for (t, p) in total.0.iter_mut().zip(counts) {
            *t += p;
        }
        for (t, p) in total.1.iter_mut().zip(runs) {
            *t += p;
        }
    }
    total
}

/// Sources cut into contiguous groups of about equal numbers of pair events: about
/// `group_events` ([`GROUP_EVENTS`]) each, but one to [`GROUPS_PER_THREAD`] per thread, in
/// a multiple of the threads so they share the work (fewer when a few sources hold most
/// of the events: a group is cut after a source, never inside one). Each group costs a
/// walk over the objects, so very large data take larger groups rather than more walks.
fn source_groups(
    counts: &[usize],
    threads: usize,
    group_events: usize,
) -> Vec<std::ops::Range<u32>> {
    let total: usize = counts.iter().sum();
    let n_src = counts.len();
    let threads = threads.max(1);
    let wanted = total
        .div_ceil(group_events.max(1))
        .clamp(threads, GROUPS_PER_THREAD * threads)
        .div_ceil(threads)
        * threads;
    let wanted = wanted.clamp(1, n_src.max(1));
    let mut groups = Vec::with_capacity(wanted);
    let (mut first, mut so_far) = (0usize, 0usize);
    for (s, &c) in counts.iter().enumerate() {
        so_far += c;
        // Close the group once it reaches its share of the running total.
        if so_far * wanted >= (groups.len() + 1) * total.max(1) && groups.len() + 1 < wanted {
            groups.push(first as u32..s as u32 + 1);
            first = s + 1;
        }
    }
    if first < n_src {
        groups.push(first as u32..n_src as u32);
    }
    groups
}

/// The pair events of one group of sources: every pair of claims on a shared object whose
/// first claim is by a source of the group, filed under that source in one pass over the
/// objects in order, so the pair loop then reads each source's evidence as one contiguous
/// run instead of chasing its claims across the whole claim set. Within a source, events
/// are in claim order — the order the sums were always taken in. A thread fills one
/// layout group after group, reusing its buffers.
///
/// An event is one word: the other source `b` and two flags, whether the two values
/// differ and whether the event is the first of its claim's run (the events one claim of
/// the group's source makes with the later claims on its object). The word is a `u16`
/// when every source id fits in 14 bits (up to 16,384 sources), else a `u32`: two bytes
/// an event, the filing's and the pair loop's memory traffic. What the pair loop needs of
/// the claim itself — the probability as an `f32` that its value is wrong (`1 − p`), and
/// for open domains the object's number of false values (for a label set it is one
/// number) — is filed once per run, in parallel arrays, rather than beside every event.
#[derive(Default)]
struct PairLayout {
    /// First source of the group.
    first: u32,
    /// Per source of the group, its first event slot (and the end after the last).
    start: Vec<usize>,
    fill: Vec<usize>,
    /// Per source of the group, its first run (and the end after the last).
    run_start: Vec<usize>,
    run_fill: Vec<usize>,
    others: Others,
    /// Per run: the chance that its claim's value is wrong.
    wrong: Vec<f32>,
    /// Open domains only, per run: its object's number of false values.
    n_false: Option<Vec<f32>>,
}

/// The pair events of a group, as narrow as the source ids allow.
enum Others {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for Others {
    fn default() -> Self {
        Others::Narrow(Vec::new())
    }
}

/// Event flag: the two values differ.
const DIFFER: u32 = 0b10;
/// Event flag: the first event of its claim's run.
const FIRST: u32 = 0b01;

/// A pair event as filed: the other source shifted past two flag bits.
trait Event: Copy + Send + Sync {
    /// The event of source `b` (which the caller has checked fits) with `flags`.
    fn pack(b: u32, flags: u32) -> Self;
    fn word(self) -> u32;
}

impl Event for u16 {
    #[inline]
    fn pack(b: u32, flags: u32) -> Self {
        (b << 2 | flags) as u16
    }
    #[inline]
    fn word(self) -> u32 {
        u32::from(self)
    }
}

impl Event for u32 {
    #[inline]
    fn pack(b: u32, flags: u32) -> Self {
        b << 2 | flags
    }
    #[inline]
    fn word(self) -> u32 {
        self
    }
}

/// A buffer of at least `total` slots: `v` if it is large enough (reused without clearing,
/// since the filing writes every slot it reads; checked in debug builds), else a new one
/// zeroed by the allocator, whose fresh pages need no clearing pass.
fn at_least<T: Clone + Default>(v: Vec<T>, total: usize) -> Vec<T> {
    if v.len() < total {
        vec![T::default(); total]
    } else {
        v
    }
}

/// Prefix sums of `per_source[g0..g1]` into `into` (cleared first), from 0.
fn offsets(into: &mut Vec<usize>, per_source: &[usize], (g0, g1): (u32, u32)) {
    into.clear();
    into.push(0);
    let mut next = 0;
    for s in g0..g1 {
        next += per_source[s as usize];
        into.push(next);
    }
}

impl PairLayout {
    /// Files the events of the sources in `group`, which make `counts[s]` events in
    /// `runs[s]` runs. With `narrow`, events are filed as `u16` (every source id must fit
    /// in 14 bits).
    #[allow(clippy::type_complexity)]
    fn fill(
        &mut self,
        (claims, correct, n_false, uniform_n_false): (
            &ClaimSet,
            &[f64],
            &(dyn Fn(u32) -> f64 + Sync),
            Option<f64>,
        ),
        group: &std::ops::Range<u32>,
        (counts, runs): (&[usize], &[usize]),
        narrow: bool,
    ) {
        let group = (group.start, group.end);
        self.first = group.0;
        offsets(&mut self.start, counts, group);
        offsets(&mut self.run_start, runs, group);
        let total = self.start.last().copied().unwrap_or(0);
        let total_runs = self.run_start.last().copied().unwrap_or(0);
        self.fill.clear();
        self.fill.extend_from_slice(&self.start);
        self.run_fill.clear();
        self.run_fill.extend_from_slice(&self.run_start);
        // Every slot below the totals is written by the filing (the counts are exact:
        // checked below in debug builds).
        self.others = match std::mem::take(&mut self.others) {
            Others::Narrow(v) if narrow => Others::Narrow(at_least(v, total)),
            Others::Wide(v) if !narrow => Others::Wide(at_least(v, total)),
            _ if narrow => Others::Narrow(at_least(Vec::new(), total)),
            _ => Others::Wide(at_least(Vec::new(), total)),
        };
        self.wrong = at_least(std::mem::take(&mut self.wrong), total_runs);
        let mut per_run = uniform_n_false
            .is_none()
            .then(|| at_least(self.n_false.take().unwrap_or_default(), total_runs));
        let open = per_run.is_some();
        let into = Filing {
            wrong: &mut self.wrong[..total_runs],
            fill: &mut self.fill[..],
            run_fill: &mut self.run_fill[..],
            n_false: per_run.as_deref_mut().unwrap_or(&mut []),
        };
        let src = (claims, correct, n_false);
        match (&mut self.others, open) {
            (Others::Narrow(o), false) => {
                file_events::<u16, false>(src, group, &mut o[..total], into)
            }
            (Others::Narrow(o), true) => {
                file_events::<u16, true>(src, group, &mut o[..total], into)
            }
            (Others::Wide(o), false) => {
                file_events::<u32, false>(src, group, &mut o[..total], into)
            }
            (Others::Wide(o), true) => file_events::<u32, true>(src, group, &mut o[..total], into),
        }
        debug_assert_eq!(
            self.fill[..self.fill.len() - 1],
            self.start[1..],
            "every event slot filed once"
        );
        debug_assert_eq!(
            self.run_fill[..self.run_fill.len() - 1],
            self.run_start[1..],
            "every run filed once"
        );
        self.n_false = per_run;
    }

    /// Accumulates, for source `a` against every later source sharing objects, the
    /// evidence of the pair in `sums` (see [`PairSums`]) and lists the sources it met.
    ///
    /// Branch-free: whether `b` is new to `a`, whether the values agree and whether a new
    /// claim's run begins are data the processor cannot predict (a pair shares an object
    /// or two), so all three are arithmetic.
    fn pairs_of(&self, a: u32, sums: &mut PairSums) {
        let at = (a - self.first) as usize;
        let run = self.start[at]..self.start[at + 1];
        let first_run = self.run_start[at];
        match &self.others {
            Others::Narrow(o) => self.pairs_in(&o[run], first_run, sums),
            Others::Wide(o) => self.pairs_in(&o[run], first_run, sums),
        }
    }

    /// [`Self::pairs_of`] over one source's events, whose runs start at `first_run`.
    #[inline]
    fn pairs_in<E: Event>(&self, events: &[E], first_run: usize, sums: &mut PairSums) {
        let PairSums {
            counts,
            wrong,
            weighted,
            touched,
            len,
        } = sums;
        let mut n = *len;
        // One past the current run: the source's first event opens its first run.
        let mut next_run = first_run;
        for &e in events {
            let e = e.word();
            let b = (e >> 2) as usize;
            next_run += (e & FIRST) as usize;
            let r = next_run - 1;
            touched[n] = b as u32;
            let c = counts[b];
            n += usize::from(c == 0);
            // One in the low half when the values agree, one in the high half when they
            // differ; when they agree, the chance that they are wrong adds to the sum.
            // (Times 1 or 0 rather than a branch the processor would mispredict half the
            // time; the chance is finite, so times 0 is 0.)
            let differ = (e & DIFFER) >> 1;
            counts[b] = c + (1 << (32 * u64::from(differ)));
            let q = f64::from(self.wrong[r]) * f64::from(1 - differ);
            wrong[b] += q;
            if let (Some(v), Some(nf)) = (weighted.as_deref_mut(), self.n_false.as_deref()) {
                v[b] += q * f64::from(nf[r]);
            }
        }
        *len = n;
    }
}

/// One source's running evidence against every other source, while its pair events are
/// read (dense, indexed by the other source; 16 bytes a source, so a few thousand sources
/// stay in the processor's first-level cache): the numbers of shared objects where the two
/// agree and where they differ, packed in one word, and the summed chance that an agreed
/// value is wrong (times the object's number of false values, for open domains).
struct PairSums {
    counts: Vec<u64>,
    wrong: Vec<f64>,
    weighted: Option<Vec<f64>>,
    /// The sources met, in the order first met; `len` of them.
    touched: Vec<u32>,
    len: usize,
}

impl PairSums {
    fn new(n_src: usize, open: bool) -> Self {
        PairSums {
            counts: vec![0; n_src],
            wrong: vec![0.0; n_src],
            weighted: open.then(|| vec![0.0; n_src]),
            touched: vec![0; n_src],
            len: 0,
        }
    }

    /// The evidence against source `b` as `[Σ p(same value true), Σ p(same value false),
    /// Σ that times n, #different]`, leaving `b`'s sums at zero for the next source.
    fn take(&mut self, b: usize) -> [f64; 4] {
        let c = std::mem::take(&mut self.counts[b]);
        let wrong = std::mem::take(&mut self.wrong[b]);
        let weighted = self
            .weighted
            .as_deref_mut()
            .map_or(0.0, |v| std::mem::take(&mut v[b]));
        let (same, differ) = ((c & 0xffff_ffff) as f64, (c >> 32) as f64);
        [same - wrong, wrong, weighted, differ]
    }
}

/// Where [`file_events`] files each run's claim and each group source's next free event
/// slot and run.
struct Filing<'a> {
    wrong: &'a mut [f32],
    fill: &'a mut [usize],
    run_fill: &'a mut [usize],
    /// Open domains only: the object's number of false values.
    n_false: &'a mut [f32],
}

/// The filing loop of [`PairLayout::fill`], once for label sets and once for open domains
/// (`OPEN`: the object's number of false values is filed with each run), so the label
/// sets' loop carries nothing it does not use.
fn file_events<E: Event, const OPEN: bool>(
    (claims, correct, n_false): (&ClaimSet, &[f64], &(dyn Fn(u32) -> f64 + Sync)),
    (g0, g1): (u32, u32),
    events: &mut [E],
    into: Filing<'_>,
) {
    let Filing {
        wrong: qs,
        fill,
        run_fill,
        n_false: per_run,
    } = into;
    let src = claims.sources_flat();
    let slots = claims.slots_flat();
    let starts = claims.object_starts();
    for o in 0..claims.n_objects() {
        let (lo, hi) = (starts[o] as usize, starts[o + 1] as usize);
        // Objects with no pair, or none whose first claim is the group's.
        if hi - lo < 2 || src[hi - 1] < g0 || src[lo] >= g1 {
            continue;
        }
        let n = if OPEN {
            n_false(o as u32).max(1.0) as f32
        } else {
            1.0
        };
        for i in lo..hi {
            let a = src[i];
            if a < g0 {
                continue;
            }
            if a >= g1 {
                break;
            }
            let g = (a - g0) as usize;
            let begin = fill[g];
            let mut at = begin;
            let own = slots[i];
            for (&b, &slot) in src[i + 1..hi].iter().zip(&slots[i + 1..hi]) {
                if b == a {
                    continue;
                }
                let flags = if slot == own { 0 } else { DIFFER } | u32::from(at == begin);
                events[at] = E::pack(b, flags);
                at += 1;
            }
            if at > begin {
                let r = run_fill[g];
                qs[r] = (1.0 - correct[i]) as f32;
                if OPEN {
                    per_run[r] = n;
                }
                run_fill[g] = r + 1;
            }
            fill[g] = at;
        }
    }
}

/// Natural logarithm of a positive finite `x` to about 1e-10 relative error, several
/// times faster than `f64::ln`: the pair loop of copy detection takes two per source
/// pair, tens of millions of them on large data.
pub(crate) fn fast_ln(x: f64) -> f64 {
    const SQRT2: f64 = std::f64::consts::SQRT_2;
    if !(x.is_finite() && x >= f64::MIN_POSITIVE) {
        return x.ln();
    }
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > SQRT2 {
        m *= 0.5;
        e += 1;
    }
    // ln m = 2 atanh(f), f = (m − 1)/(m + 1), |f| ≤ 0.172.
    let f = (m - 1.0) / (m + 1.0);
    let f2 = f * f;
    let series = f
        * (2.0
            + f2 * (2.0 / 3.0
                + f2 * (2.0 / 5.0 + f2 * (2.0 / 7.0 + f2 * (2.0 / 9.0 + f2 * (2.0 / 11.0))))));
    e as f64 * std::f64::consts::LN_2 + series
}

/// Copy-aware truth discovery (ACCU-COPY, Dong et al. 2009).
#[derive(Debug, Clone, Copy)]
pub struct CopyAware {
    /// The dependence model.
    pub model: CopyModel,
    /// Outer iterations (truth ↔ accuracy ↔ dependence) at most.
    pub iterations: usize,
    /// Beta prior pseudo-counts (right, wrong) on source accuracy.
    pub prior: (f64, f64),
    /// Pairs below this dependence probability are reported as independent.
    pub report_threshold: f64,
}

impl Default for CopyAware {
    fn default() -> Self {
        CopyAware {
            model: CopyModel {
                estimate_prior: true,
                ..CopyModel::default()
            },
            iterations: 20,
            prior: (2.0, 1.0),
            report_threshold: 0.5,
        }
    }
}

/// The number of wrong values every object has under `domain`, when it is one number.
pub(crate) fn uniform_n_false(domain: Domain) -> Option<f64> {
    match domain {
        Domain::Labels { k } => Some((k as f64 - 1.0).max(1.0)),
        Domain::Open => None,
    }
}

/// Number of wrong values per object under `domain`, as the votes count them: for open
/// domains, the other values claimed for the object.
pub(crate) fn n_false_of(claims: &ClaimSet, domain: Domain) -> impl Fn(u32) -> f64 + Sync + '_ {
    move |o| match domain {
        Domain::Labels { k } => (k as f64 - 1.0).max(1.0),
        Domain::Open => (claims.object_slots(o).len() as f64 - 1.0).max(1.0),
    }
}

/// Number of wrong values per object as copy detection counts them: as [`n_false_of`], or,
/// for an object given a value domain ([`crate::ClaimSetBuilder::set_domain`]), the wrong
/// values of the whole domain when there are more. Two sources that both give the one wrong
/// value claimed for an object share it by necessity if they are both wrong; when the domain
/// holds forty values, sharing it is evidence.
pub(crate) fn copy_n_false_of(
    claims: &ClaimSet,
    domain: Domain,
) -> impl Fn(u32) -> f64 + Sync + '_ {
    move |o| match domain {
        Domain::Labels { k } => (k as f64 - 1.0).max(1.0),
        Domain::Open => (claims.object_slots(o).len() as f64 - 1.0)
            .max(f64::from(claims.domain_false_values(o)))
            .max(1.0),
    }
}

impl CopyAware {
    /// Fits and returns slot posteriors, accuracies and all dependencies.
    pub(crate) fn fit(
        &self,
        claims: &ClaimSet,
        anchors: &[crate::claims::Anchor],
        min_probability: f64,
    ) -> (Vec<f64>, Vec<f64>, Vec<Dependency>) {
        let domain = Domain::of(claims);
        let n_false = n_false_of(claims, domain);
        let copy_n_false = copy_n_false_of(claims, domain);
        let mut post = vote_shares(claims);
        lone_claims_start(claims, self.prior, &mut post);
        clamp_slots(claims, anchors, &mut post);
        let mut next = vec![0.0; post.len()];
        let mut acc;
        let mut deps;
        let mut iter = 0;
        loop {
            let correct: Vec<f64> = claims
                .slots_flat()
                .iter()
                .map(|&s| post[s as usize])
                .collect();
            acc = accuracies(claims, &correct, self.prior);
            deps = self.model.detect(
                claims,
                &correct,
                &acc,
                &copy_n_false,
                uniform_n_false(domain),
                min_probability.min(0.05),
            );
            iter += 1;
            if iter > self.iterations {
                break;
            }
            self.discounted_vote(claims, &acc, &deps, &n_false, &mut next);
            clamp_slots(claims, anchors, &mut next);
            let change = max_change(&post, &next);
            std::mem::swap(&mut post, &mut next);
            if change < 1e-6 {
                break;
            }
        }
        deps.retain(|d| d.probability >= min_probability);
        (post, acc, deps)
    }

    fn discounted_vote(
        &self,
        claims: &ClaimSet,
        acc: &[f64],
        deps: &[Dependency],
        n_false: &dyn Fn(u32) -> f64,
        post: &mut [f64],
    ) {
        let independent = independence_weights(claims, acc, deps, self.model.rate);
        let src = claims.sources_flat();
        let slots = claims.slots_flat();
        for o in 0..claims.n_objects() as u32 {
            let n = n_false(o);
            let range = claims.object_slots(o);
            for slot in range.clone() {
                post[slot] = 0.0;
            }
            for c in claims.object_claims(o) {
                post[slots[c] as usize] += vote_weight(acc[src[c] as usize], n) * independent[c];
            }
            lone_or_softmax(claims, o, acc, &mut post[range]);
        }
    }
}

/// Per-claim independence factor `Π (1 − c·P(dependent))` over the supporters of the
/// same value ranked before the claim's source (by decreasing accuracy, then id).
pub(crate) fn independence_weights(
    claims: &ClaimSet,
    acc: &[f64],
    deps: &[Dependency],
    rate: f64,
) -> Vec<f64> {
    let dep_map: FxMap<(u32, u32), f64> = deps
        .iter()
        .map(|d| ((d.source_a, d.source_b), d.probability))
        .collect();
    let src = claims.sources_flat();
    let slots = claims.slots_flat();
    let mut weight = vec![1.0; claims.n_claims()];
    let mut supporters: Vec<usize> = Vec::new();
    for o in 0..claims.n_objects() as u32 {
        let claims_o = claims.object_claims(o);
        for slot in claims.object_slots(o) {
            supporters.clear();
            supporters.extend(claims_o.clone().filter(|&c| slots[c] as usize == slot));
            supporters.sort_unstable_by(|&x, &y| {
                acc[src[y] as usize]
                    .total_cmp(&acc[src[x] as usize])
                    .then(src[x].cmp(&src[y]))
            });
            for (i, &c) in supporters.iter().enumerate() {
                let s = src[c];
                let mut independent = 1.0;
                for &d in &supporters[..i] {
                    let t = src[d];
                    let key = if s < t { (s, t) } else { (t, s) };
                    if let Some(p) = dep_map.get(&key) {
                        independent *= 1.0 - rate * p;
                    }
                }
                weight[c] = independent;
            }
        }
    }
    weight
}

impl Method for CopyAware {
    fn name(&self) -> &'static str {
        "copy-aware"
    }

    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate {
        let (anchors, extra) = outcomes.resolve(claims);
        let (post, _, deps) = self.fit(claims, &anchors, self.report_threshold);
        let beliefs = Beliefs::from_slots(claims, &post);
        finish(self.name(), claims, &anchors, extra, &beliefs, deps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimSetBuilder;
    use crate::synthetic::{SyntheticParams, generate};

    /// Dong et al.'s dependence posterior by hand. Two sources of accuracy 0.8 (copy rate
    /// c = 0.8, three wrong values an object, prior 0.2) share four objects: they agree on
    /// two values certainly right, on one certainly wrong, and differ on the fourth.
    /// Agreeing on a right value is `1 − c + c·Ā/(A₁A₂)` = 0.2 + 0.8·0.8/0.64 = 1.2 times
    /// likelier if dependent; on a wrong one `1 − c + c·(1 − Ā)·n/((1−A₁)(1−A₂))` =
    /// 0.2 + 0.8·0.2·3/0.04 = 12.2 times; differing `1 − c` = 0.2 times. The log-odds are
    /// 2 ln 1.2 + ln 12.2 + ln 0.2 + ln(0.2/0.8).
    #[test]
    fn a_pairs_dependence_matches_hand_computation() {
        let mut c = ClaimSetBuilder::new();
        for (o, va, vb) in [
            ("o1", "x", "x"),
            ("o2", "y", "y"),
            ("o3", "z", "z"),
            ("o4", "u", "w"),
        ] {
            c.push("a", o, va);
            c.push("b", o, vb);
        }
        let c = c.build();
        // Right on o1 and o2, wrong on o3; o4 is a disagreement, whatever its values.
        let correct: Vec<f64> = (0..c.n_claims())
            .map(|k| f64::from(u8::from(c.object_name(c.claim_object(k)) != "o3")))
            .collect();
        let model = CopyModel {
            prior: 0.2,
            rate: 0.8,
            estimate_prior: false,
        };
        let deps = model.detect(&c, &correct, &[0.8, 0.8], &|_| 3.0, Some(3.0), 0.0);
        let log_odds = 2.0 * 1.2f64.ln() + 12.2f64.ln() + 0.2f64.ln() + (0.2f64 / 0.8).ln();
        let want = 1.0 / (1.0 + (-log_odds).exp());
        assert_eq!(deps.len(), 1, "{deps:?}");
        assert_eq!((deps[0].source_a, deps[0].source_b), (0, 1));
        assert!(
            (deps[0].probability - want).abs() < 1e-9,
            "{} vs {want}",
            deps[0].probability
        );
    }

    /// The copy-aware vote's discount by hand: three sources give one value, ranked by
    /// accuracy a (0.9), b (0.8), c (0.7); a and b are dependent with probability 0.5, b
    /// and c with 1, a and c not at all; copy rate 0.8. a counts in full, b by
    /// 1 − 0.8·0.5 = 0.6, c by (nothing from a) × (1 − 0.8·1) = 0.2. The fourth source,
    /// alone on another value, counts in full.
    #[test]
    fn the_copy_discount_matches_hand_computation() {
        let mut b = ClaimSetBuilder::new();
        for s in ["a", "b", "c"] {
            b.push(s, "o", "x");
        }
        b.push("d", "o", "y");
        let c = b.build();
        let dep = |a, b, p| Dependency {
            source_a: a,
            source_b: b,
            probability: p,
        };
        let w = independence_weights(
            &c,
            &[0.9, 0.8, 0.7, 0.6],
            &[dep(0, 1, 0.5), dep(1, 2, 1.0)],
            0.8,
        );
        let by_source: Vec<f64> = (0..4).map(|s| w[c.source_claims(s)[0] as usize]).collect();
        for (got, want) in by_source.iter().zip([1.0, 0.6, 0.2, 1.0]) {
            assert!((got - want).abs() < 1e-12, "{by_source:?}");
        }
    }

    /// Pairs turned away by the logarithm-free bound are exactly those the full ratio
    /// would have turned away: the reported pairs are the same as when every pair is
    /// scored and only then filtered.
    #[test]
    fn the_bound_turns_away_only_pairs_below_the_threshold() {
        let data = generate(&SyntheticParams {
            sources: 80,
            objects: 3000,
            claims_per_object: 4,
            copiers: 0.2,
            seed: 3,
            ..SyntheticParams::default()
        });
        let mut b = ClaimSetBuilder::new();
        for &(s, o, v) in &data.claims {
            b.push(&format!("s{s:03}"), &format!("o{o}"), &v.to_string());
        }
        let c = b.build();
        let domain = Domain::of(&c);
        let correct = crate::methods::majority::vote_shares(&c);
        let correct: Vec<f64> = c
            .slots_flat()
            .iter()
            .map(|&s| correct[s as usize])
            .collect();
        let acc = accuracies(&c, &correct, (2.0, 1.0));
        let n_false = n_false_of(&c, domain);
        let model = CopyModel::default();
        let detect = |min| model.detect(&c, &correct, &acc, &n_false, uniform_n_false(domain), min);
        let all = detect(0.0);
        for threshold in [0.3, 0.5, 0.9] {
            let kept = detect(threshold);
            let filtered: Vec<Dependency> = all
                .iter()
                .copied()
                .filter(|d| d.probability >= threshold)
                .collect();
            assert!(!kept.is_empty(), "nothing at {threshold}");
            assert_eq!(kept, filtered, "at {threshold}");
        }
        assert!(all.len() > detect(0.5).len());
    }

    /// However many threads share the filing and the judging, every pair gets the same
    /// evidence summed in the same order, so the answer is the same to the last bit, on
    /// a label set and on open-domain values (whose number of false values differs by
    /// object).
    #[test]
    fn dependencies_do_not_depend_on_the_number_of_threads() {
        let data = generate(&SyntheticParams {
            sources: 60,
            objects: 1500,
            claims_per_object: 5,
            copiers: 0.2,
            seed: 8,
            ..SyntheticParams::default()
        });
        let mut labels = ClaimSetBuilder::new();
        let mut open = ClaimSetBuilder::new();
        for &(s, o, v) in &data.claims {
            labels.push(&format!("s{s:02}"), &format!("o{o}"), &v.to_string());
            open.push(&format!("s{s:02}"), &format!("o{o}"), &format!("{o}-{v}"));
        }
        for c in [labels.build(), open.build()] {
            let domain = Domain::of(&c);
            let shares = crate::methods::majority::vote_shares(&c);
            let correct: Vec<f64> = c.slots_flat().iter().map(|&s| shares[s as usize]).collect();
            let acc = accuracies(&c, &correct, (2.0, 1.0));
            let n_false = n_false_of(&c, domain);
            let model = CopyModel::default();
            let on = |threads, group_events, narrow_sources| {
                model.detect_on(
                    (threads, group_events, narrow_sources),
                    &c,
                    &correct,
                    &acc,
                    &n_false,
                    uniform_n_false(domain),
                    0.0,
                )
            };
            let one = on(1, GROUP_EVENTS, NARROW_SOURCES);
            assert!(one.len() > 100, "{domain:?}: {} pairs", one.len());
            assert!(one.iter().any(|d| d.probability > 0.9), "{domain:?}");
            // Small groups make several walks per thread, a single source per group at
            // the smallest.
            // Events filed as u32 (as with more than 16,384 sources) or u16.
            for threads in [1, 2, 3, 8] {
                for group_events in [GROUP_EVENTS, 2000, 1] {
                    for narrow_sources in [NARROW_SOURCES, 0] {
                        assert_eq!(
                            on(threads, group_events, narrow_sources),
                            one,
                            "{domain:?} on {threads} threads, {group_events} events a group, \
                             narrow up to {narrow_sources} sources"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn source_groups_cover_every_source_once_in_a_multiple_of_the_threads() {
        let counts: Vec<usize> = (0..50).map(|s| (s * 7919) % 13).collect();
        let total: usize = counts.iter().sum();
        for threads in [1, 2, 3] {
            for group_events in [1, 10, 40, total, usize::MAX] {
                let groups = source_groups(&counts, threads, group_events);
                let want = total.div_ceil(group_events);
                let want = want.clamp(threads, GROUPS_PER_THREAD * threads);
                assert_eq!(groups.len(), want.div_ceil(threads) * threads, "{groups:?}");
                assert!(groups.len() <= GROUPS_PER_THREAD * threads, "{groups:?}");
                let mut next = 0;
                for g in &groups {
                    assert_eq!(g.start, next, "{groups:?}");
                    assert!(g.end > g.start, "{groups:?}");
                    next = g.end;
                }
                assert_eq!(next, 50);
                if group_events >= total {
                    assert_eq!(groups.len(), threads);
                }
            }
        }
        // Fewer sources than threads: one group each. Events all in the last source: one
        // group, since a group is never cut inside a source.
        assert_eq!(source_groups(&[3], 2, 1), vec![0..1]);
        assert_eq!(source_groups(&[0, 0, 0, 9], 2, 1), vec![0..4]);
        assert!(source_groups(&[], 2, 1).is_empty());
    }

    /// The share of dependent pairs from a histogram of log-likelihood ratios: pairs with
    /// no evidence of dependence drive it to the floor; clearly dependent pairs raise it,
    /// more of them more; ten pairs say little, so it stays near Dong et al.'s 0.2; and it
    /// never goes above that.
    #[test]
    fn the_dependent_share_is_what_the_pairs_say_when_there_are_enough_of_them() {
        let mut hist = vec![0.0; RATIO_BINS + 2];
        hist[ratio_bin(-3.0)] += 60_000.0;
        hist[ratio_bin(-0.5)] += 40_000.0;
        let floor = dependent_share(&hist, 0.2);
        assert!(floor < 1e-4, "{floor}");
        hist[ratio_bin(20.0)] += 100.0;
        let some = dependent_share(&hist, 0.2);
        hist[ratio_bin(20.0)] += 900.0;
        let more = dependent_share(&hist, 0.2);
        assert!(
            floor < some && some < more && more < 0.2,
            "{floor} {some} {more}"
        );
        let mut few = vec![0.0; RATIO_BINS + 2];
        few[ratio_bin(-5.0)] += 9.0;
        few[ratio_bin(20.0)] += 1.0;
        let near = dependent_share(&few, 0.2);
        assert!(near > 0.1 && near <= 0.2, "{near}");
        let mut all = vec![0.0; RATIO_BINS + 2];
        all[ratio_bin(30.0)] += 50.0;
        assert_eq!(dependent_share(&all, 0.2), 0.2);
    }

    /// Through the default method: many sources that share an object or two with most
    /// others and copy from nobody (with Dong et al.'s fixed prior of 0.2 a single shared
    /// wrong value made such a pair look dependent, and thousands were reported) get no
    /// dependence reported; where sources copy and share enough objects to show it, the
    /// copiers are found, and nothing else.
    #[test]
    fn the_default_reports_copiers_and_not_chance_agreement() {
        let detect = |params: SyntheticParams| {
            let data = generate(&params);
            let mut b = ClaimSetBuilder::new();
            for &(s, o, v) in &data.claims {
                b.push(&format!("s{s:04}"), &format!("o{o}"), &v.to_string());
            }
            let c = b.build();
            let est = crate::default_method().estimate(&c, &crate::claims::Outcomes::new());
            let index = |name: &str| name[1..].parse::<u32>().unwrap_or(u32::MAX);
            let right = est
                .dependencies
                .iter()
                .filter(|d| {
                    data.dependent(
                        index(c.source_name(d.source_a)),
                        index(c.source_name(d.source_b)),
                    )
                })
                .count();
            (est.dependencies.len(), right)
        };
        let sparse = SyntheticParams {
            sources: 600,
            objects: 12_000,
            claims_per_object: 5,
            copiers: 0.0,
            seed: 17,
            ..SyntheticParams::default()
        };
        assert_eq!(detect(sparse), (0, 0));
        let dense = SyntheticParams {
            sources: 100,
            objects: 2000,
            claims_per_object: 10,
            copiers: 0.2,
            seed: 5,
            ..SyntheticParams::default()
        };
        let (reported, right) = detect(dense);
        assert!(right >= 10, "{right} of 21 dependent pairs found");
        assert_eq!(reported, right, "{reported} reported, {right} right");
    }

    /// Three sources tell the truth about twenty vehicles' colours; one invents a colour for
    /// each and another repeats the inventions. Only two values are ever claimed for a
    /// vehicle, so when both are wrong they must agree, and the claims alone cannot tell the
    /// copy from chance; told that every vehicle's colour is drawn from one domain (forty
    /// colours claimed in all), the default finds the copy, and only it.
    #[test]
    fn a_value_domain_lets_repeated_inventions_show_as_copying() {
        let estimate = |domains: bool| {
            let mut b = ClaimSetBuilder::new();
            for i in 0..20 {
                let object = format!("vehicle {i} colour");
                for s in ["honest a", "honest b", "honest c"] {
                    b.push(s, &object, &format!("true shade {i}"));
                }
                for s in ["inventor", "copier"] {
                    b.push(s, &object, &format!("invented shade {i}"));
                }
                if domains {
                    b.set_domain(&object, "colour");
                }
            }
            let c = b.build();
            let est = crate::default_method().estimate(&c, &crate::claims::Outcomes::new());
            est.dependencies
                .iter()
                .map(|d| {
                    let mut pair = [c.source_name(d.source_a), c.source_name(d.source_b)];
                    pair.sort_unstable();
                    pair.join(" & ")
                })
                .collect::<Vec<_>>()
        };
        assert!(estimate(false).is_empty(), "{:?}", estimate(false));
        assert_eq!(estimate(true), vec!["copier & inventor".to_owned()]);
    }

    #[test]
    fn fast_ln_agrees_with_ln() {
        for x in [
            1e-300, 1e-9, 0.01, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 1234.5, 1e200,
        ] {
            let (a, b) = (fast_ln(x), x.ln());
            assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{x}: {a} vs {b}");
        }
        assert!(fast_ln(0.0).is_infinite());
    }
}
