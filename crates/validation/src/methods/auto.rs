//! The default: picks the model the data calls for, from the data's own statistics —
//! never from the truth, never from a data set's name.
//!
//! * A shared label set (crowd labelling) → a Dawid–Skene-family model chosen by 5-fold
//!   cross-validation on the claims themselves: the full confusion model with rows shrunk
//!   towards the typical source's matrix at one of the strengths of [`SMOOTHING_GRID`],
//!   or the one-coin model (one accuracy per source), whichever predicts held-out claims
//!   best (mean log-probability of a claim given the model fitted without it). Full
//!   confusion matrices win when sources have many claims and class-specific errors; one
//!   accuracy wins when the data are too thin for `k²` parameters per source; a stronger
//!   pull to the typical source wins when sources are many, sparse and alike in their
//!   errors. When every label is an integer (a graded scale could be meant: relevance
//!   1–5, the credibility grades 1–6; see [`crate::methods::ordinal::positions`]) and
//!   the claims that depart from their object's most given label fall nearer it than
//!   chance would ([`errors_look_graded`]), the strengths of [`ORDINAL_GRID`] also run
//!   with each source pulled towards its own *ordinal* fit (a preference per grade and a
//!   chance that falls with the distance from the truth), which wins when sources err to
//!   neighbouring grades and lean each their own way. Integer labels are as often
//!   categories (breeds, genres, codes): where their errors land anywhere the ordinal
//!   candidates are not run; where look-alikes happen to be coded side by side, the
//!   held-out claims reject them. Above [`SELECTION_CLAIMS`]
//!   claims the choice is made on a fixed pseudo-random sample of objects, so it costs
//!   the same on any size.
//! * Object-specific values that are mostly numbers → the closeness-aware numeric model.
//! * Object-specific values that are often lists (`a|b|c`) → the item-wise latent truth
//!   model ([`crate::methods::list`]).
//! * Other object-specific values (names, times) → the copy-aware model, since such data
//!   is typically gathered from sources that copy from one another.
//!
//! Whatever the model, dependence between sources is then assessed with the copy model
//! of Dong et al. 2009 on the fitted beliefs, with the prior share of dependent pairs
//! estimated from the pairs themselves ([`crate::methods::copy::dependent_share`]) rather
//! than fixed at Dong et al.'s 0.2, so that chance agreement among thousands of sources is
//! not reported as copying. The copy-aware model does the same inside its own fit. Where
//! the claims say which objects share a value domain (`ClaimSetBuilder::set_domain`), copy
//! detection counts the wrong values of the whole domain.

use crate::claims::{ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Dependency, Estimate, finish};
use crate::methods::copy::{CopyAware, CopyModel, copy_n_false_of, uniform_n_false};
use crate::methods::dawid_skene::DawidSkene;
use crate::methods::list::{ListModel, list_share};
use crate::methods::numeric::Numeric;
use crate::methods::one_coin::accuracies_from;
use crate::methods::{Domain, Method};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Share of numeric claims from which open-domain data is treated as figures.
pub const NUMERIC_SHARE: f64 = 0.9;

/// The default method (see module docs).
#[derive(Debug, Clone, Copy)]
pub struct Auto {
    /// Pairs below this dependence probability are not reported.
    pub report_threshold: f64,
}

impl Default for Auto {
    fn default() -> Self {
        Auto {
            report_threshold: 0.5,
        }
    }
}

impl Auto {
    /// Which model the data calls for.
    ///
    /// For label sets this runs the cross-validation described in the module docs
    /// (on a sample of objects when the data are large), so it costs a few fits.
    pub fn choose(claims: &ClaimSet) -> &'static str {
        Self::choose_model(claims).0
    }

    /// The model's name and, for label sets, the Dawid–Skene fit that goes with it.
    fn choose_model(claims: &ClaimSet) -> (&'static str, Option<(DawidSkene, usize)>) {
        match Domain::of(claims) {
            Domain::Labels { k } => {
                let model = choose_label_model(claims, k);
                let name = if model.symmetric {
                    "one-coin"
                } else if model.ordinal {
                    "dawid-skene-ordinal"
                } else {
                    "dawid-skene-smoothed"
                };
                (name, Some((model, k)))
            }
            Domain::Open if claims.numeric_share() >= NUMERIC_SHARE => ("numeric", None),
            Domain::Open if list_share(claims) >= LIST_SHARE => ("list", None),
            Domain::Open => ("copy-aware", None),
        }
    }
}

/// Share of list values (see [`crate::methods::list`]) from which open-domain data is
/// judged item by item.
pub const LIST_SHARE: f64 = 0.05;

/// The Dawid–Skene fit the default uses on label sets: rows smoothed with `smoothing`
/// pseudo-counts per true class, and stopping once the fit has settled (posteriors move
/// < 1e-3 or the log-likelihood < 1e-5 per claim).
pub(crate) fn label_model(symmetric: bool, smoothing: f64) -> DawidSkene {
    DawidSkene {
        smoothing,
        tolerance: 1e-3,
        ll_tolerance: 1e-5,
        symmetric,
        ..DawidSkene::default()
    }
}

/// Claims used for model selection at most; larger data are sampled by object.
pub const SELECTION_CLAIMS: usize = 30_000;

/// Folds of the cross-validation that chooses between label models.
pub const SELECTION_FOLDS: usize = 5;

/// Strengths of the pull of each source's confusion matrix towards the typical source's
/// (Dirichlet pseudo-counts per true class) that the cross-validation weighs: how much a
/// source's own record should count against the crowd's is a property of the data (how
/// many claims a source makes, how alike sources are), so the data choose it, from a
/// geometric grid, the way a hierarchical model's prior strength is chosen by held-out
/// likelihood (Gelman et al., *Bayesian Data Analysis*, ch. 5 and 7).
pub const SMOOTHING_GRID: [f64; 3] = [2.0, 8.0, 32.0];

/// The strengths of the ordinal pull the model choice weighs: the grid's upper two. At 2
/// pseudo-counts a source's own counts outweigh its ordinal fit wherever it has claims, so
/// the pull adds little to the full model at 2, which is already a candidate (on the label
/// sets of the bench it was never within 0.012 nats a claim of the leader), and each
/// ordinal candidate costs a Newton step per source at every M-step.
pub const ORDINAL_GRID: [f64; 2] = [8.0, 32.0];

/// The label model whose fit predicts held-out claims best: the smoothed full confusion
/// model at each strength of [`SMOOTHING_GRID`], the one-coin model, or, when the labels
/// could be grades ([`crate::methods::ordinal::positions`]), the full model pulled
/// towards each source's ordinal fit at each strength of the grid.
///
/// Candidates are scored fold by fold on the same held-out claims; one that the current
/// leader beats by more than [`DECISIVE_Z`] standard errors of the paired per-claim
/// difference is dropped, and the folds stop once only one is left or the rest are all
/// practically equivalent to the leader ([`EQUIVALENT`]). Ties go to the earlier
/// candidate (the full model before the one-coin model, both before the ordinal pull).
fn choose_label_model(claims: &ClaimSet, k: usize) -> DawidSkene {
    let mut candidates: Vec<DawidSkene> = SMOOTHING_GRID
        .iter()
        .map(|&a| label_model(false, a))
        .collect();
    candidates.push(label_model(true, SMOOTHING_GRID[0]));
    let sample;
    let (data, k) = if claims.n_claims() > SELECTION_CLAIMS {
        sample = sample_objects(claims, SELECTION_CLAIMS);
        match Domain::of(&sample) {
            Domain::Labels { k } => (&sample, k),
            Domain::Open => return candidates[0],
        }
    } else {
        (claims, k)
    };
    // Labels that could be grades on a scale, and whose errors fall nearer the crowd's
    // answer than chance would put them: the same strengths, each source pulled towards
    // its own ordinal fit. Whether they are grades is then for the held-out claims to say
    // (integer labels are as often categories: breeds, genres, codes, and categories
    // coded next to each other can be confused with each other).
    if crate::methods::ordinal::positions(claims).is_some()
        && crate::methods::ordinal::positions(data).is_some_and(|p| errors_look_graded(data, &p))
    {
        candidates.extend(ORDINAL_GRID.iter().map(|&a| DawidSkene {
            ordinal: true,
            ..label_model(false, a)
        }));
    }
    let free = vec![crate::claims::Anchor::Free; data.n_objects()];
    // Cross-validation fits need only be settled enough to rank the models.
    let cv = |m: &DawidSkene| DawidSkene {
        tolerance: 1e-2,
        ll_tolerance: 1e-4,
        ..*m
    };
    let fold = fold_of_claims(data.n_claims(), SELECTION_FOLDS);
    // The candidates are independent: score them side by side when that pays.
    let parallel = data.n_claims() * k >= 20_000 && crate::par::threads() > 1;
    let mut alive: Vec<usize> = (0..candidates.len()).collect();
    let mut scores: Vec<Vec<f64>> = vec![Vec::with_capacity(data.n_claims()); candidates.len()];
    for f in 0..SELECTION_FOLDS {
        let run = |i: usize| heldout_fold(data, &free, k, &cv(&candidates[i]), &fold, f);
        let results: Vec<Vec<f64>> = if parallel {
            // One worker per core taking the candidates in turn: no more fits (and their
            // working memory) at once than there are cores to run them.
            let next = AtomicUsize::new(0);
            let slots: Vec<Mutex<Vec<f64>>> =
                alive.iter().map(|_| Mutex::new(Vec::new())).collect();
            let work = || {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = alive.get(j) else { break };
                    let r = run(i);
                    if let Ok(mut slot) = slots[j].lock() {
                        *slot = r;
                    }
                }
            };
            std::thread::scope(|scope| {
                let handles: Vec<_> = (1..crate::par::threads().min(alive.len()))
                    .map(|_| scope.spawn(work))
                    .collect();
                work();
                for h in handles {
                    // A worker that stopped leaves its candidate's slot empty.
                    let _ = h.join();
                }
            });
            slots
                .into_iter()
                .map(|m| m.into_inner().unwrap_or_default())
                .collect()
        } else {
            alive.iter().map(|&i| run(i)).collect()
        };
        // A fit that failed to come back (its thread stopped) leaves the race rather
        // than scoring as if it had predicted every held-out claim perfectly.
        let held_out = results.iter().map(Vec::len).max().unwrap_or(0);
        let mut kept = Vec::with_capacity(alive.len());
        for (&i, r) in alive.iter().zip(results) {
            if r.len() == held_out {
                scores[i].extend(r);
                kept.push(i);
            }
        }
        alive = kept;
        if alive.is_empty() {
            return candidates[0];
        }
        let total = |i: usize| scores[i].iter().sum::<f64>();
        let mut leader = alive[0];
        for &i in &alive[1..] {
            if total(i) > total(leader) {
                leader = i;
            }
        }
        if f + 1 == SELECTION_FOLDS {
            return candidates[leader];
        }
        let mut equivalent = true;
        alive.retain(|&i| {
            if i == leader {
                return true;
            }
            let diffs: Vec<f64> = scores[leader]
                .iter()
                .zip(&scores[i])
                .map(|(a, b)| a - b)
                .collect();
            let (mean, se) = mean_and_error(&diffs);
            equivalent &= mean + EQUIVALENT_Z * se < EQUIVALENT;
            mean <= DECISIVE_Z * se
        });
        if alive.len() == 1 || equivalent {
            return candidates[leader];
        }
    }
    candidates[alive[0]]
}

/// How many standard errors nearer than chance the claims that depart from their object's
/// most given label must fall for the labels' errors to look graded
/// ([`errors_look_graded`]): a one-sided test at about 2 %.
pub const GRADED_Z: f64 = 2.0;

/// Whether the claims that depart from their object's most given label (where one label
/// has the most claims) fall nearer it on the scale `pos` than if they had chosen among
/// the other labels at random, by at least [`GRADED_Z`] standard errors: the mark of a
/// graded scale, where a source that errs picks a neighbouring grade. Where errors land
/// anywhere, as with categories, the ordinal pull has nothing to fit, and each of its
/// candidates costs a Newton step per source at every M-step; this spares them. The most
/// given label stands in for the truth: it is what the claims can say without a model.
pub(crate) fn errors_look_graded(claims: &ClaimSet, pos: &[f64]) -> bool {
    let k = pos.len();
    // For each label: the mean and variance of its distance to the other labels.
    let moments: Vec<(f64, f64)> = (0..k)
        .map(|m| {
            let d: Vec<f64> = (0..k)
                .filter(|&x| x != m)
                .map(|x| (pos[x] - pos[m]).abs())
                .collect();
            let n = d.len().max(1) as f64;
            let mean = d.iter().sum::<f64>() / n;
            let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
            (mean, var)
        })
        .collect();
    let (mut nearer, mut var) = (0.0, 0.0);
    for o in 0..claims.n_objects() as u32 {
        let slots = claims.object_slots(o);
        let (mut top, mut most, mut tied) = (0, 0, false);
        for x in slots.clone() {
            let n = claims.slot_support(x);
            if n > most {
                (top, most, tied) = (x, n, false);
            } else if n == most {
                tied = true;
            }
        }
        if tied || slots.len() < 2 {
            continue;
        }
        let m = claims.slot_value(top) as usize;
        let (mean, v) = moments[m];
        for x in slots.filter(|&x| x != top) {
            let n = f64::from(claims.slot_support(x));
            let d = (pos[claims.slot_value(x) as usize] - pos[m]).abs();
            nearer += n * (mean - d);
            var += n * v;
        }
    }
    var > 0.0 && nearer >= GRADED_Z * var.sqrt()
}

/// How many standard errors apart two models' held-out scores must be for the
/// cross-validation to stop before its last fold: the choice is then already plain.
pub const DECISIVE_Z: f64 = 4.0;

/// Held-out log-likelihood per claim (nats) below which two models predict the claims
/// equally well for any practical purpose: a likelihood ratio of 1 % per claim. Once
/// every remaining candidate is within it of the leader with [`EQUIVALENT_Z`] standard
/// errors to spare, more folds cannot change anything that matters and the leader is
/// taken.
pub const EQUIVALENT: f64 = 0.01;

/// Standard errors of margin for [`EQUIVALENT`].
pub const EQUIVALENT_Z: f64 = 2.0;

/// Mean of `xs` and its standard error.
fn mean_and_error(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if n < 2.0 {
        return (xs.first().copied().unwrap_or(0.0), f64::INFINITY);
    }
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Fold of each claim: a fixed hash of its canonical index, so folds are a function of
/// the claim set alone.
fn fold_of_claims(n: usize, folds: usize) -> Vec<u8> {
    (0..n)
        .map(|c| (mix(c as u64) % folds as u64) as u8)
        .collect()
}

/// The claims on a fixed pseudo-random share of objects, about `target` claims.
fn sample_objects(claims: &ClaimSet, target: usize) -> ClaimSet {
    let every = MultipleOf::new(claims.n_claims().div_ceil(target.max(1)).max(1) as u64);
    let keep: Vec<bool> = (0..claims.n_objects() as u64)
        .map(|o| every.divides(mix(o)))
        .collect();
    claims.object_subset(&keep, false)
}

/// An exact test of whether a number is a multiple of a fixed `d ≥ 1`, by one multiply
/// and a rotation instead of a division (Granlund & Montgomery, PLDI 1994, §9; Warren,
/// *Hacker's Delight*, §10-17): with `d = d₀·2ᵗ`, `d₀` odd, `x` is a multiple of `d`
/// exactly when `x·d₀⁻¹ mod 2⁶⁴`, rotated right by `t`, is at most `⌊(2⁶⁴−1)/d⌋`. The
/// samplings that keep one object or one source pair in `d` test millions of hashes, and
/// a 64-bit division costs several times a multiply.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MultipleOf {
    inverse: u64,
    shift: u32,
    limit: u64,
}

impl MultipleOf {
    /// The test for multiples of `d` (taken as 1 if 0).
    pub(crate) fn new(d: u64) -> Self {
        let d = d.max(1);
        let shift = d.trailing_zeros();
        let odd = d >> shift;
        // The inverse of the odd part modulo 2⁶⁴ by Newton's iteration: `odd` is its own
        // inverse modulo 8, and each step doubles the bits that are right (3, 6, …, 96).
        let mut inverse = odd;
        for _ in 0..5 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inverse)));
        }
        MultipleOf {
            inverse,
            shift,
            limit: u64::MAX / d,
        }
    }

    /// Whether `x` is a multiple of the divisor.
    #[inline]
    pub(crate) fn divides(self, x: u64) -> bool {
        x.wrapping_mul(self.inverse).rotate_right(self.shift) <= self.limit
    }
}

/// A fixed hash for deterministic sampling and folds: the first output of SplitMix64 seeded
/// with `x`.
pub(crate) fn mix(x: u64) -> u64 {
    crate::synthetic::SplitMix64::new(x).next_u64()
}

/// Log-probability of each held-out claim of fold `f` (in claim order) under a
/// Dawid–Skene-family model fitted on the other folds: `P(s says v on o) = Σ_t P(o is t)
/// · e_s[v][t]`, with the object's posterior from its remaining claims.
pub(crate) fn heldout_fold(
    claims: &ClaimSet,
    anchors: &[crate::claims::Anchor],
    k: usize,
    ds: &DawidSkene,
    fold: &[u8],
    f: usize,
) -> Vec<f64> {
    let held_out: Vec<bool> = fold.iter().map(|&g| usize::from(g) == f).collect();
    let fit = ds.fit_leaving_out(claims, anchors, k, Some(&held_out));
    (0..claims.n_claims())
        .filter(|&c| usize::from(fold[c]) == f)
        .map(|c| {
            let o = claims.claim_object(c) as usize;
            let at = (claims.claim_source(c) as usize * k + claims.claim_value(c) as usize) * k;
            let p: f64 = (0..k)
                .map(|t| fit.post[o * k + t] * fit.errors[at + t])
                .sum();
            p.max(1e-300).ln()
        })
        .collect()
}

impl Method for Auto {
    fn name(&self) -> &'static str {
        "auto"
    }

    fn estimate(&self, claims: &ClaimSet, outcomes: &Outcomes) -> Estimate {
        let (anchors, extra) = outcomes.resolve(claims);
        let domain = Domain::of(claims);
        let (choice, label) = Self::choose_model(claims);
        let beliefs = match label {
            Some((model, k)) => model.fit_labels(claims, &anchors, k).beliefs(claims),
            None if choice == "list" => {
                let post = ListModel::default().fit(claims, &anchors);
                Beliefs::from_slots(claims, &post)
            }
            None if choice == "numeric" => {
                let (post, _) = Numeric::default().fit(claims, &anchors);
                Beliefs::from_slots(claims, &post)
            }
            None => {
                let ca = CopyAware {
                    report_threshold: self.report_threshold,
                    ..CopyAware::default()
                };
                let (post, _, deps) = ca.fit(claims, &anchors, self.report_threshold);
                let beliefs = Beliefs::from_slots(claims, &post);
                return finish(
                    &format!("auto:{choice}"),
                    claims,
                    &anchors,
                    extra,
                    &beliefs,
                    deps,
                );
            }
        };
        let deps = dependencies(claims, domain, &beliefs, self.report_threshold);
        finish(
            &format!("auto:{choice}"),
            claims,
            &anchors,
            extra,
            &beliefs,
            deps,
        )
    }
}

/// Dependence between sources given fitted beliefs.
pub(crate) fn dependencies(
    claims: &ClaimSet,
    domain: Domain,
    beliefs: &Beliefs,
    min_probability: f64,
) -> Vec<Dependency> {
    let acc = accuracies_from(claims, beliefs.source_right(claims), (2.0, 1.0));
    let n_false = copy_n_false_of(claims, domain);
    let model = CopyModel {
        estimate_prior: true,
        ..CopyModel::default()
    };
    model.detect(
        claims,
        &beliefs.correct,
        &acc,
        &n_false,
        uniform_n_false(domain),
        min_probability,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimSetBuilder;
    use crate::synthetic::SplitMix64;
    use proptest::prelude::*;

    proptest! {
        /// The multiply-and-rotate test agrees with the remainder for any divisor, even
        /// or odd, on any number and on the divisor's own multiples.
        #[test]
        fn multiple_of_agrees_with_the_remainder(
            d in prop_oneof![1u64..200, any::<u64>()],
            x in any::<u64>(),
            m in 0u64..1 << 20,
        ) {
            let test = MultipleOf::new(d);
            prop_assert_eq!(test.divides(x), x % d.max(1) == 0, "{} of {}", x, d);
            let multiple = d.max(1).wrapping_mul(m);
            prop_assert_eq!(test.divides(multiple), multiple % d.max(1) == 0);
            prop_assert_eq!(test.divides(x.wrapping_add(1)), x.wrapping_add(1) % d.max(1) == 0);
        }
    }

    /// Graded labels (0–4) where every source errs the same way, to a neighbouring grade,
    /// and most sources give only a handful of labels: each sparse source's own matrix is
    /// noise, the crowd's pattern is signal. The cross-validation then pulls sources
    /// harder towards the typical source than the weakest smoothing, and finds more
    /// right answers than that smoothing does.
    #[test]
    fn sparse_sources_alike_in_their_errors_are_pulled_harder_to_the_crowd() {
        let mut rng = SplitMix64::new(21);
        let (mut b, mut truth) = (ClaimSetBuilder::new(), Vec::new());
        for item in 0..1500u64 {
            let t = rng.below(5) as i64;
            truth.push(t);
            for j in 0..6 {
                // Two in three labels come from 1,000 occasional sources, the rest from 4
                // regulars.
                let s = if j < 4 {
                    4 + rng.below(1000)
                } else {
                    rng.below(4)
                };
                let right = if s < 4 { 0.7 } else { 0.45 };
                let u = rng.unit();
                let said = if u < right {
                    t
                } else if u < right + (1.0 - right) * 0.8 {
                    // Upwards when it can, as graders who overrate do.
                    if t < 4 { t + 1 } else { t - 1 }
                } else {
                    rng.below(5) as i64
                };
                b.push(&format!("s{s}"), &format!("i{item}"), &said.to_string());
            }
        }
        let c = b.build();
        let Domain::Labels { k } = Domain::of(&c) else {
            panic!("a label set")
        };
        let chosen = choose_label_model(&c, k);
        assert!(!chosen.symmetric);
        assert!(chosen.smoothing > SMOOTHING_GRID[0], "{chosen:?}");
        let free = vec![crate::claims::Anchor::Free; c.n_objects()];
        let right = |m: DawidSkene| {
            let beliefs = m.fit_labels(&c, &free, k).beliefs(&c);
            (0..c.n_objects())
                .filter(|&o| {
                    let name = c.object_name(o as u32);
                    let item: usize = name[1..].parse().unwrap_or(usize::MAX);
                    let v = beliefs.best[o].0;
                    c.value_name(v).parse::<i64>().ok() == truth.get(item).copied()
                })
                .count()
        };
        let weakest = right(label_model(false, SMOOTHING_GRID[0]));
        let got = right(chosen);
        assert!(got > weakest, "{got} right against {weakest}");
    }

    /// Labels of objects in `truth` (item `i` is object `i{i}`) that `model` gets right.
    fn right_answers(c: &ClaimSet, k: usize, model: DawidSkene, truth: &[i64]) -> usize {
        let free = vec![crate::claims::Anchor::Free; c.n_objects()];
        let beliefs = model.fit_labels(c, &free, k).beliefs(c);
        (0..c.n_objects())
            .filter(|&o| {
                let name = c.object_name(o as u32);
                let item: usize = name[1..].parse().unwrap_or(usize::MAX);
                let v = beliefs.best[o].0;
                c.value_name(v).parse::<i64>().ok() == truth.get(item).copied()
            })
            .count()
    }

    /// Relevance grades 1–5 from 60 raters, each with a favourite grade it falls back on
    /// when unsure (a quarter of its labels), and errors otherwise mostly to a
    /// neighbouring grade: the choice takes the ordinal pull, and it finds more right
    /// grades than any of the other candidates.
    #[test]
    fn graded_labels_that_err_to_neighbours_take_the_ordinal_model() {
        let mut rng = SplitMix64::new(5);
        let favourite: Vec<i64> = (0..60).map(|_| 1 + rng.below(5) as i64).collect();
        let (mut b, mut truth) = (ClaimSetBuilder::new(), Vec::new());
        for item in 0..1200u64 {
            let t = 1 + rng.below(5) as i64;
            truth.push(t);
            let mut raters: Vec<u64> = Vec::new();
            while raters.len() < 5 {
                let s = rng.below(60);
                if !raters.contains(&s) {
                    raters.push(s);
                }
            }
            for s in raters {
                let u = rng.unit();
                let said = if u < 0.4 {
                    t
                } else if u < 0.65 {
                    let step = if rng.below(2) == 0 { -1 } else { 1 };
                    (t + step).clamp(1, 5)
                } else if u < 0.9 {
                    favourite[s as usize]
                } else {
                    1 + rng.below(5) as i64
                };
                b.push(&format!("s{s}"), &format!("i{item}"), &said.to_string());
            }
        }
        let c = b.build();
        let Domain::Labels { k } = Domain::of(&c) else {
            panic!("a label set")
        };
        let chosen = choose_label_model(&c, k);
        assert!(chosen.ordinal, "{chosen:?}");
        assert_eq!(Auto::choose(&c), "dawid-skene-ordinal");
        let got = right_answers(&c, k, chosen, &truth);
        let mut others: Vec<DawidSkene> = SMOOTHING_GRID
            .iter()
            .map(|&a| label_model(false, a))
            .collect();
        others.push(label_model(true, SMOOTHING_GRID[0]));
        for other in others {
            let theirs = right_answers(&c, k, other, &truth);
            assert!(got > theirs, "{got} right against {theirs} for {other:?}");
        }
    }

    /// Integer labels that name categories (breeds 1–5, say) with confusions between
    /// look-alikes that are not neighbours in number (1 with 4, 2 with 5): the errors
    /// fall no nearer than chance, so the ordinal candidates are not weighed, and the full
    /// model is kept.
    #[test]
    fn integer_labels_that_are_categories_keep_the_full_model() {
        let mut rng = SplitMix64::new(8);
        let (mut b, mut truth) = (ClaimSetBuilder::new(), Vec::new());
        let look_alike = |t: i64| match t {
            1 => 4,
            4 => 1,
            2 => 5,
            5 => 2,
            _ => 3,
        };
        for item in 0..1200u64 {
            let t = 1 + rng.below(5) as i64;
            truth.push(t);
            for _ in 0..5 {
                let s = rng.below(60);
                let u = rng.unit();
                let said = if u < 0.6 {
                    t
                } else if u < 0.9 && t != 3 {
                    look_alike(t)
                } else {
                    1 + rng.below(5) as i64
                };
                b.push(&format!("s{s}"), &format!("i{item}"), &said.to_string());
            }
        }
        let c = b.build();
        let Domain::Labels { k } = Domain::of(&c) else {
            panic!("a label set")
        };
        let pos = crate::methods::ordinal::positions(&c);
        assert!(pos.as_deref().is_some_and(|p| !errors_look_graded(&c, p)));
        let chosen = choose_label_model(&c, k);
        assert!(!chosen.ordinal && !chosen.symmetric, "{chosen:?}");
        assert_eq!(Auto::choose(&c), "dawid-skene-smoothed");
        let ordinal = DawidSkene {
            ordinal: true,
            ..label_model(false, SMOOTHING_GRID[1])
        };
        let got = right_answers(&c, k, chosen, &truth);
        let theirs = right_answers(&c, k, ordinal, &truth);
        assert!(got >= theirs, "{got} right against {theirs}");
    }

    /// Grades 1–5 given by 40 sources, right with probability 0.6 and otherwise wrong in
    /// the way `err` says.
    fn graded_claims(seed: u64, err: impl Fn(i64, &mut SplitMix64) -> i64) -> ClaimSet {
        let mut rng = SplitMix64::new(seed);
        let mut b = ClaimSetBuilder::new();
        for item in 0..800u64 {
            let t = 1 + rng.below(5) as i64;
            for _ in 0..5 {
                let s = rng.below(40);
                let said = if rng.unit() < 0.6 {
                    t
                } else {
                    err(t, &mut rng)
                };
                b.push(&format!("s{s}"), &format!("i{item}"), &said.to_string());
            }
        }
        b.build()
    }

    /// Errors to a neighbouring grade look graded; errors to any other grade at random,
    /// or to a look-alike far off on the scale, do not, whatever the seed.
    #[test]
    fn errors_look_graded_only_when_they_fall_near_the_crowd() {
        let other = |t: i64, rng: &mut SplitMix64| loop {
            let x = 1 + rng.below(5) as i64;
            if x != t {
                break x;
            }
        };
        for seed in 0..6 {
            let near = graded_claims(seed, |t, rng| {
                if rng.below(2) == 0 && t > 1 || t == 5 {
                    t - 1
                } else {
                    t + 1
                }
            });
            let anywhere = graded_claims(seed, other);
            let far = graded_claims(seed, |t, _| if t <= 2 { t + 3 } else { t - 2 });
            let graded = |c: &ClaimSet| {
                let pos = crate::methods::ordinal::positions(c).expect("grades 1–5");
                errors_look_graded(c, &pos)
            };
            assert!(graded(&near), "seed {seed}: neighbours");
            assert!(!graded(&anywhere), "seed {seed}: anywhere");
            assert!(!graded(&far), "seed {seed}: far");
        }
    }
}
