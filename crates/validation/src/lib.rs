//! Whom to believe: truth discovery, source reliability and copy detection.
//!
//! Pure computation — no I/O, no async — so the station can run it over claims from its
//! database and the `humint assess` command over claim files alike.
//!
//! Build a [`ClaimSet`] from `(source, object, value)` claims, pick a [`Method`]
//! ([`default_method`] unless you know better) and call [`Method::estimate`] with any
//! confirmed [`Outcomes`]. The [`Estimate`] gives each object's most probable value with
//! its probability, each source's reliability with a 95 % interval and a suggested
//! Admiralty letter, and source pairs that look dependent (copying, a shared sub-source,
//! circular reporting).
//!
//! Methods (see each module for the papers):
//!
//! | name | model |
//! |---|---|
//! | `majority` | majority vote |
//! | `one-coin` | one accuracy per source (ZenCrowd; Accu of Dong et al. 2009) |
//! | `dawid-skene` | full confusion matrices (Dawid & Skene 1979) |
//! | `dawid-skene-smoothed` | Dawid–Skene shrunk towards the pooled confusion matrix |
//! | `dawid-skene-ordinal` | the same for graded labels, shrunk towards each source's ordinal fit |
//! | `copy-aware` | accuracy plus copy detection (Dong, Berti-Equille & Srivastava 2009) |
//! | `numeric` | closeness-aware votes for figures (after TruthFinder and CRH) |
//! | `list` | list values item by item (latent truth model, Zhao et al. 2012) |
//! | `auto` | the default: chooses among the above from the data's statistics |
//!
//! ```
//! use humint_validation::{default_method, ClaimSetBuilder, Outcomes};
//! let mut b = ClaimSetBuilder::new();
//! for (s, o, v) in [("ann", "q1", "yes"), ("bob", "q1", "yes"), ("cy", "q1", "no")] {
//!     b.push(s, o, v);
//! }
//! let claims = b.build();
//! let est = default_method().estimate(&claims, &Outcomes::new());
//! let q1 = claims.object_id("q1").unwrap();
//! assert_eq!(est.value_text(&claims, q1), Some("yes"));
//! ```

pub mod claims;
pub mod estimate;
pub mod methods;
mod par;
pub mod score;
pub mod synthetic;

pub use claims::{ClaimSet, ClaimSetBuilder, Outcomes, parse_number};
pub use estimate::{Dependency, Estimate, Grade, ObjectEstimate, SourceEstimate, wilson};
pub use methods::auto::Auto;
pub use methods::copy::{CopyAware, CopyModel};
pub use methods::dawid_skene::DawidSkene;
pub use methods::list::ListModel;
pub use methods::majority::MajorityVote;
pub use methods::numeric::Numeric;
pub use methods::one_coin::OneCoin;
pub use methods::{Domain, Method};
pub use score::{Score, matches, score};

/// Names accepted by [`method_by_name`].
pub const METHOD_NAMES: &[&str] = &[
    "auto",
    "majority",
    "one-coin",
    "dawid-skene",
    "dawid-skene-smoothed",
    "copy-aware",
    "numeric",
    "list",
    "dawid-skene-ordinal",
];

/// Settings shared by all methods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Report source pairs whose dependence probability is at least this.
    pub min_dependency: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_dependency: 0.5,
        }
    }
}

/// The method to use when none is asked for: good on every kind of data without tuning.
pub fn default_method() -> Box<dyn Method> {
    Box::new(Auto::default())
}

/// A method by name (see [`METHOD_NAMES`]), with default settings.
pub fn method_by_name(name: &str) -> Option<Box<dyn Method>> {
    method_with(name, &Settings::default())
}

/// A method by name (see [`METHOD_NAMES`]) with the given settings.
pub fn method_with(name: &str, settings: &Settings) -> Option<Box<dyn Method>> {
    Some(match name {
        "auto" | "default" => Box::new(Auto {
            report_threshold: settings.min_dependency,
        }),
        "majority" | "mv" => Box::new(MajorityVote),
        "one-coin" => Box::new(OneCoin::default()),
        "dawid-skene" | "ds" => Box::new(DawidSkene::default()),
        "dawid-skene-smoothed" => Box::new(DawidSkene {
            smoothing: 2.0,
            ..DawidSkene::default()
        }),
        "copy-aware" | "accu-copy" => Box::new(CopyAware {
            report_threshold: settings.min_dependency,
            ..CopyAware::default()
        }),
        "numeric" => Box::new(Numeric::default()),
        "list" => Box::new(ListModel::default()),
        "dawid-skene-ordinal" => Box::new(DawidSkene {
            smoothing: 8.0,
            ordinal: true,
            ..DawidSkene::default()
        }),
        _ => return None,
    })
}
