//! Accuracy of an estimate against known truth.

use crate::claims::{ClaimSet, parse_number};
use crate::estimate::Estimate;

/// How an estimate fared against a truth list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    /// Truth entries whose object the estimate got right.
    pub correct: usize,
    /// Truth entries scored.
    pub total: usize,
    /// Truth entries whose object no claim mentions (counted as wrong).
    pub missing: usize,
}

impl Score {
    /// Share of truth entries got right (0 when there are none).
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// Whether `estimated` matches `truth`: equal text, or with `tolerance > 0` two numbers
/// whose difference is at most `tolerance` times the true figure.
pub fn matches(estimated: &str, truth: &str, tolerance: f64) -> bool {
    if estimated == truth {
        return true;
    }
    if tolerance > 0.0
        && let (Some(e), Some(t)) = (parse_number(estimated), parse_number(truth))
    {
        return (e - t).abs() <= tolerance * t.abs();
    }
    false
}

/// Scores `estimate` (computed on `claims`) against `(object, value)` truth pairs.
pub fn score<'a>(
    claims: &ClaimSet,
    estimate: &Estimate,
    truth: impl IntoIterator<Item = (&'a str, &'a str)>,
    tolerance: f64,
) -> Score {
    let mut s = Score::default();
    for (object, value) in truth {
        s.total += 1;
        match claims.object_id(object) {
            None => s.missing += 1,
            Some(o) => {
                if estimate
                    .value_text(claims, o)
                    .is_some_and(|v| matches(v, value, tolerance))
                {
                    s.correct += 1;
                }
            }
        }
    }
    s
}
