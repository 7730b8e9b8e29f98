//! The default: picks the model the data calls for, from the data's own statistics.
//!
//! * A shared label set (crowd labelling) → Dawid–Skene with confusion rows shrunk
//!   towards the pooled matrix. The shrinkage weight is a pseudo-count, so it matters for
//!   sources with few claims and fades for sources with many: sparse data behaves like a
//!   one-coin model, dense data like full Dawid–Skene, without a switch.
//! * Object-specific values that are mostly numbers → the closeness-aware numeric model.
//! * Other object-specific values (names, times, lists) → the copy-aware model, since
//!   such data is typically gathered from sources that copy from one another.
//!
//! Whatever the model, dependence between sources is then assessed with the copy model
//! of Dong et al. 2009 on the fitted beliefs.

use crate::claims::{ClaimSet, Outcomes};
use crate::estimate::{Beliefs, Dependency, Estimate, finish};
use crate::methods::copy::{CopyAware, CopyModel, n_false_of};
use crate::methods::dawid_skene::DawidSkene;
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
    pub fn choose(claims: &ClaimSet) -> &'static str {
        match Domain::of(claims) {
            Domain::Labels { .. } => "dawid-skene-smoothed",
            Domain::Open if claims.numeric_share() >= NUMERIC_SHARE => "numeric",
            Domain::Open => "copy-aware",
        }
    }
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
            Domain::Labels { k } => {
                let ds = DawidSkene {
                    smoothing: 2.0,
                    tolerance: 1e-3,
                    ..DawidSkene::default()
                };
                ds.fit_labels(claims, &anchors, k).beliefs(claims)
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
    CopyModel::default().detect(claims, &beliefs.correct, &acc, &n_false, min_probability)
}
