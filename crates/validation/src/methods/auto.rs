//! The default: picks the model the data calls for, from the data's own statistics —
//! never from the truth, never from a data set's name.
//!
//! * A shared label set (crowd labelling) → a Dawid–Skene-family model chosen by 5-fold
//!   cross-validation on the claims themselves: the full confusion model with rows shrunk
//!   towards the pooled matrix, or the one-coin model (one accuracy per source), whichever
//!   predicts held-out claims better (mean log-probability of a claim given the model
//!   fitted without it). Full confusion matrices win when sources have many claims and
//!   class-specific errors; one accuracy wins when the data are too thin for `k²`
//!   parameters per source. Above [`SELECTION_CLAIMS`] claims the choice is made on a
//!   fixed pseudo-random sample of objects, so it costs the same on any size.
//! * Object-specific values that are mostly numbers → the closeness-aware numeric model.
//! * Object-specific values that are often lists (`a|b|c`) → the item-wise latent truth
//!   model ([`crate::methods::list`]).
//! * Other object-specific values (names, times) → the copy-aware model, since such data
//!   is typically gathered from sources that copy from one another.
//!
//! Whatever the model, dependence between sources is then assessed with the copy model
//! of Dong et al. 2009 on the fitted beliefs.

use crate::claims::{ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Dependency, Estimate, finish};
use crate::methods::copy::{CopyAware, CopyModel, n_false_of, uniform_n_false};
use crate::methods::dawid_skene::DawidSkene;
use crate::methods::list::{ListModel, list_share};
use crate::methods::numeric::Numeric;
use crate::methods::one_coin::accuracies;
use crate::methods::{Domain, Method};

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
        match Domain::of(claims) {
            Domain::Labels { k } => {
                if labels_prefer_one_coin(claims, k) {
                    "one-coin"
                } else {
                    "dawid-skene-smoothed"
                }
            }
            Domain::Open if claims.numeric_share() >= NUMERIC_SHARE => "numeric",
            Domain::Open if list_share(claims) >= LIST_SHARE => "list",
            Domain::Open => "copy-aware",
        }
    }
}

/// Share of list values (see [`crate::methods::list`]) from which open-domain data is
/// judged item by item.
pub const LIST_SHARE: f64 = 0.05;

/// The Dawid–Skene fit the default uses on label sets: smoothed rows, and stopping once
/// the fit has settled (posteriors move < 1e-3 or the log-likelihood < 1e-5 per claim).
pub(crate) fn label_model(symmetric: bool) -> DawidSkene {
    DawidSkene {
        smoothing: 2.0,
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

/// Whether held-out claims are better predicted by the one-coin model than by the
/// smoothed full confusion model.
fn labels_prefer_one_coin(claims: &ClaimSet, k: usize) -> bool {
    let sample;
    let (data, k) = if claims.n_claims() > SELECTION_CLAIMS {
        sample = sample_objects(claims, SELECTION_CLAIMS);
        match Domain::of(&sample) {
            Domain::Labels { k } => (&sample, k),
            Domain::Open => return false,
        }
    } else {
        (claims, k)
    };
    let free = vec![crate::claims::Anchor::Free; data.n_objects()];
    // Cross-validation fits need only be settled enough to rank the two models.
    let model = |symmetric: bool| DawidSkene {
        tolerance: 1e-2,
        ll_tolerance: 1e-4,
        ..label_model(symmetric)
    };
    let (full_model, one_model) = (model(false), model(true));
    let fold = fold_of_claims(data.n_claims(), SELECTION_FOLDS);
    // The two candidates are independent: score them side by side when that pays.
    let parallel = data.n_claims() * k >= 20_000 && crate::par::threads() > 1;
    let mut diffs: Vec<f64> = Vec::with_capacity(data.n_claims());
    for f in 0..SELECTION_FOLDS {
        let (full, one) = if parallel {
            std::thread::scope(|scope| {
                let one = scope.spawn(|| heldout_fold(data, &free, k, &one_model, &fold, f));
                let full = heldout_fold(data, &free, k, &full_model, &fold, f);
                (full, one.join().unwrap_or_default())
            })
        } else {
            (
                heldout_fold(data, &free, k, &full_model, &fold, f),
                heldout_fold(data, &free, k, &one_model, &fold, f),
            )
        };
        diffs.extend(one.iter().zip(&full).map(|(a, b)| a - b));
        let (mean, se) = mean_and_error(&diffs);
        if f + 1 < SELECTION_FOLDS && mean.abs() > DECISIVE_Z * se {
            break;
        }
    }
    diffs.iter().sum::<f64>() > 0.0
}

/// How many standard errors apart the two models' held-out scores must be for the
/// cross-validation to stop before its last fold: the choice is then already plain.
pub const DECISIVE_Z: f64 = 4.0;

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
    let every = claims.n_claims().div_ceil(target.max(1)).max(1) as u64;
    let keep: Vec<bool> = (0..claims.n_objects() as u64)
        .map(|o| mix(o).is_multiple_of(every))
        .collect();
    claims.object_subset(&keep)
}

/// SplitMix64's finaliser: a fixed hash for deterministic sampling and folds.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
    let w: Vec<f64> = fold
        .iter()
        .map(|&g| if usize::from(g) == f { 0.0 } else { 1.0 })
        .collect();
    let fit = ds.fit_weighted(claims, anchors, k, Some(&w));
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
        let choice = Self::choose(claims);
        let beliefs = match domain {
            Domain::Labels { k } => label_model(choice == "one-coin")
                .fit_labels(claims, &anchors, k)
                .beliefs(claims),
            Domain::Open if choice == "list" => {
                let post = ListModel::default().fit(claims, &anchors);
                Beliefs::from_slots(claims, &post)
            }
            Domain::Open if choice == "numeric" => {
                let (post, _) = Numeric::default().fit(claims, &anchors);
                Beliefs::from_slots(claims, &post)
            }
            Domain::Open => {
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
    let acc = accuracies(claims, &beliefs.correct, (2.0, 1.0));
    let n_false = n_false_of(claims, domain);
    CopyModel::default().detect(
        claims,
        &beliefs.correct,
        &acc,
        &n_false,
        uniform_n_false(domain),
        min_probability,
    )
}
