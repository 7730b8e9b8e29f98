//! Warning signs about a source: reasons for its handler and controller to look again, drawn
//! from the source's own record.
//!
//! Source: product.md ("Validation": "warning signs: sources whose claims are systematically
//! contradicted by outcomes, whose volume jumps, or whose reporting is too good to be true").
//! Fabricators, and sources under hostile control, are found this way in practice: their
//! reporting fails when checked, arrives in bursts when a payment or a tasking invites it, or
//! looks well corroborated only because it repeats what was already known.
//!
//! Each sign is a one-sided statistical test of the source's record against what an ordinary
//! source's record would look like, at a stated error rate, so a sign means the same in a small
//! station and a large one and an analyst can check its figures. A sign is a reason to look,
//! never a finding: it changes no grade and blocks nothing.

use serde::{Deserialize, Serialize};

/// Claims decided by outcomes must be refuted more often than confirmed at this significance
/// (one-sided binomial test of "at most half are refuted"): five refuted of five, seven of
/// eight. Outcomes are direct, rare evidence, so a looser level than the others.
pub const CONTRADICTION_SIGNIFICANCE: f64 = 0.05;

/// Reports in the last [`VOLUME_WINDOW_MS`] must outnumber the source's earlier rate at this
/// significance (exact conditional test of two Poisson rates, Przyborowski & Wilenski 1940).
/// Strict, since every source of a station is tested every time.
pub const VOLUME_SIGNIFICANCE: f64 = 0.001;
/// The recent window a jump in reporting is looked for in: 28 days.
pub const VOLUME_WINDOW_MS: i64 = 28 * DAY_MS;
/// The earlier record it is compared with: up to 168 days (about six months) before the window.
pub const VOLUME_BASELINE_MS: i64 = 168 * DAY_MS;
/// The earlier record must span at least this (28 days): a source registered last week has no
/// rate to jump from.
pub const VOLUME_MIN_BASELINE_MS: i64 = 28 * DAY_MS;
/// Fewer reports than this in the window are never a jump, however quiet the source was.
pub const VOLUME_MIN_RECENT: u32 = 5;

/// The source must have been the first to report its corroborated values less often than
/// chance at this significance (see [`EchoFigures`]).
pub const ECHO_SIGNIFICANCE: f64 = 0.001;

/// At least this many of a source's claims must have repeated what was already published for
/// [`echoes_open_press`] to be given.
pub const PRESS_ECHO_MIN: u32 = 5;

const DAY_MS: i64 = 86_400_000;

/// One warning sign, with the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WarningSign {
    /// Most of the source's claims that outcomes decided were refuted.
    ContradictedByOutcomes { refuted: u32, confirmed: u32 },
    /// The source reported far more in the last 28 days than its earlier rate.
    VolumeJump {
        recent: u32,
        /// Reports in the earlier record, and how many days it spans.
        before: u32,
        before_days: u32,
    },
    /// The source's corroborated reporting mostly repeats what other sources had already
    /// reported: its corroboration may be borrowed (reporting too good to be true).
    EchoesEarlierReporting {
        corroborated: u32,
        first: u32,
        expected_first: f64,
    },
    /// At least half of the source's claims (and at least five) repeated what open press had
    /// already published.
    EchoesOpenPress { echoed: u32, claims: u32 },
}

impl WarningSign {
    /// A stable code for the sign.
    pub fn code(&self) -> &'static str {
        match self {
            WarningSign::ContradictedByOutcomes { .. } => "CONTRADICTED_BY_OUTCOMES",
            WarningSign::VolumeJump { .. } => "VOLUME_JUMP",
            WarningSign::EchoesEarlierReporting { .. } => "ECHOES_EARLIER_REPORTING",
            WarningSign::EchoesOpenPress { .. } => "ECHOES_OPEN_PRESS",
        }
    }

    /// A sentence for the officer, with the figures.
    pub fn message(&self) -> String {
        match self {
            WarningSign::ContradictedByOutcomes { refuted, confirmed } => format!(
                "Outcomes refuted {refuted} of this source's claims and confirmed {confirmed}: \
                 its reporting fails when checked more often than it holds."
            ),
            WarningSign::VolumeJump {
                recent,
                before,
                before_days,
            } => format!(
                "{recent} reports in the last 28 days, against {before} in the {before_days} days \
                 before: a jump in volume this large is rarely chance. Ask what prompted it."
            ),
            WarningSign::EchoesEarlierReporting {
                corroborated,
                first,
                expected_first,
            } => format!(
                "Of {corroborated} things this source reported that others also reported, it was \
                 first with {first} (about {expected_first:.1} expected): its corroboration may \
                 come from repeating what was already known."
            ),
            WarningSign::EchoesOpenPress { echoed, claims } => format!(
                "{echoed} of this source's {claims} claims repeated what open press had already \
                 published: ask what it knows that a reader of the papers does not."
            ),
        }
    }
}

/// Whether outcomes systematically contradict the source: refuted more often than confirmed,
/// at [`CONTRADICTION_SIGNIFICANCE`] (`P(Binomial(decided, ½) ≥ refuted)`).
pub fn contradicted_by_outcomes(confirmed: u32, refuted: u32) -> Option<WarningSign> {
    let decided = confirmed + refuted;
    (decided > 0 && binomial_upper_tail(decided, 0.5, refuted) <= CONTRADICTION_SIGNIFICANCE)
        .then_some(WarningSign::ContradictedByOutcomes { refuted, confirmed })
}

/// The earliest report [`volume_jump`] looks at as of `now_ms`: older ones need not be read.
pub fn volume_record_start(now_ms: i64) -> i64 {
    now_ms
        .saturating_sub(VOLUME_WINDOW_MS)
        .saturating_sub(VOLUME_BASELINE_MS)
}

/// Whether the source's reporting jumped: `times_ms` are its reports' times (any order),
/// `since_ms` when its record began (its registration), `now_ms` the present.
///
/// The window is the 28 days up to now (a report exactly 28 days old is in it); the earlier
/// record is the up to 168 days before it, from the record's start. Given the total `n` of
/// reports in both, an unchanged rate puts each in the window with probability
/// `window / (window + earlier)`; the sign is given when at least [`VOLUME_MIN_RECENT`] are
/// in it and so many or more would happen by chance with probability at most
/// [`VOLUME_SIGNIFICANCE`]. Reports stamped after `now` are ignored.
pub fn volume_jump(times_ms: &[i64], since_ms: i64, now_ms: i64) -> Option<WarningSign> {
    // Saturating: stored instants are checked elsewhere, but no input makes this panic.
    let window_start = now_ms.saturating_sub(VOLUME_WINDOW_MS);
    let base_start = window_start
        .saturating_sub(VOLUME_BASELINE_MS)
        .max(since_ms);
    let base_ms = window_start.saturating_sub(base_start);
    if base_ms < VOLUME_MIN_BASELINE_MS {
        return None;
    }
    let recent = times_ms
        .iter()
        .filter(|&&t| t >= window_start && t <= now_ms)
        .count() as u32;
    let before = times_ms
        .iter()
        .filter(|&&t| t >= base_start && t < window_start)
        .count() as u32;
    if recent < VOLUME_MIN_RECENT {
        return None;
    }
    let share = VOLUME_WINDOW_MS as f64 / (VOLUME_WINDOW_MS + base_ms) as f64;
    (binomial_upper_tail(recent + before, share, recent) <= VOLUME_SIGNIFICANCE).then_some(
        WarningSign::VolumeJump {
            recent,
            before,
            before_days: (base_ms / DAY_MS) as u32,
        },
    )
}

/// How often a source was the first to report what others also reported.
///
/// For each value the source reported (once per subject, attribute and value) that `k` other
/// sources also reported, the source was first when no other source reported it earlier (by
/// each report's `reported_at`: when the source gave it, not when it was written here). Were the order of the `k + 1` sources chance, the source would be first
/// with probability `1 / (k + 1)`; a source that mostly repeats what is already on file is
/// first far less often. `p_value` is the chance of being first so rarely or rarer (the lower
/// tail of the Poisson-binomial distribution), `None` when the source was first at least as
/// often as expected.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct EchoFigures {
    pub corroborated: u32,
    pub first: u32,
    pub expected_first: f64,
    pub p_value: Option<f64>,
}

/// [`EchoFigures`] from each corroborated value's (other sources reporting it, whether this
/// source was first). Values no other source reported are not passed.
pub fn echo_figures(values: impl IntoIterator<Item = (u32, bool)>) -> EchoFigures {
    let chances: Vec<(f64, bool)> = values
        .into_iter()
        .filter(|(others, _)| *others > 0)
        .map(|(others, first)| (1.0 / f64::from(others + 1), first))
        .collect();
    let first = chances.iter().filter(|(_, f)| *f).count();
    let expected: f64 = chances.iter().map(|(p, _)| p).sum();
    let p_value = ((first as f64) < expected).then(|| {
        if chances.len().saturating_mul(first + 1) > EXACT_TAIL_WORK {
            // A prolific source: the exact sum would take `values × first` steps (billions
            // for tens of thousands of values), and with so many terms the distribution is
            // normal to well within the test's needs (its variance is then in the
            // thousands), so the tail is read from the normal curve, with a continuity
            // correction.
            let variance: f64 = chances.iter().map(|(p, _)| p * (1.0 - p)).sum();
            return normal_lower_tail((first as f64 + 0.5 - expected) / variance.sqrt());
        }
        // P(X ≤ first) by dynamic programming over the values, keeping only the counts
        // 0..=first (a larger count can never come back down).
        let mut dist = vec![0.0f64; first + 1];
        dist[0] = 1.0;
        for &(p, _) in &chances {
            for x in (0..=first).rev() {
                let stay = dist[x] * (1.0 - p);
                let up = if x > 0 { dist[x - 1] * p } else { 0.0 };
                dist[x] = stay + up;
            }
        }
        dist.iter().sum::<f64>().min(1.0)
    });
    EchoFigures {
        corroborated: chances.len() as u32,
        first: first as u32,
        expected_first: (expected * 10.0).round() / 10.0,
        p_value,
    }
}

/// Above this many steps (values times the first count) [`echo_figures`] reads the tail from
/// the normal curve instead of summing it exactly.
pub const EXACT_TAIL_WORK: usize = 4_000_000;

/// `P(Z ≤ z)` for a standard normal `Z`, from the complementary error function (Numerical
/// Recipes' `erfcc`, fractional error below 1.2e-7).
pub fn normal_lower_tail(z: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    (0.5 * erfc).clamp(0.0, 1.0)
}

/// Whether the source's corroboration looks borrowed: first to report its corroborated values
/// less often than chance at [`ECHO_SIGNIFICANCE`].
pub fn echoes_earlier_reporting(f: &EchoFigures) -> Option<WarningSign> {
    f.p_value.is_some_and(|p| p <= ECHO_SIGNIFICANCE).then_some(
        WarningSign::EchoesEarlierReporting {
            corroborated: f.corroborated,
            first: f.first,
            expected_first: f.expected_first,
        },
    )
}

/// A source's claims and how many of them repeated open press: an item with the same subject,
/// attribute and value was published at or before the source reported the claim (its
/// report's `reported_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PressFigures {
    /// Every claim the source made.
    pub claims: u32,
    /// Those that repeated what was already published.
    pub echoed: u32,
}

impl PressFigures {
    /// Nothing echoed: not worth storing.
    pub fn is_empty(&self) -> bool {
        self.echoed == 0
    }
}

/// Whether the source mostly repeats open press: at least half of its claims, and at least
/// [`PRESS_ECHO_MIN`], repeated what was already published.
///
/// Why (product.md, "Validation": "reporting that echoes open press"): such claims earn the
/// source nothing (the estimate leaves them out), so a source that mostly repeats the papers
/// has a thin record whatever its volume, and a source paid or tasked for its reporting who
/// brings the papers back instead is one a handler must ask about. Unlike the other signs this
/// is no test against chance: a claim recorded after the same value was published is a fact
/// of the record, not a sample, so the rule is a plain share. Half, because a source of
/// genuine access may well repeat some news it also saw; five, so that one or two echoes
/// from a new source with three claims raise nothing.
pub fn echoes_open_press(f: &PressFigures) -> Option<WarningSign> {
    (f.echoed >= PRESS_ECHO_MIN && u64::from(f.echoed) * 2 >= u64::from(f.claims)).then_some(
        WarningSign::EchoesOpenPress {
            echoed: f.echoed,
            claims: f.claims,
        },
    )
}

/// `P(X ≥ k)` for `X ~ Binomial(n, p)`, summed in logarithms so that thousands of trials do
/// not underflow.
pub fn binomial_upper_tail(n: u32, p: f64, k: u32) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    // ln P(X = i) for i = 0, then step by the ratio of consecutive terms.
    let mut log_term = f64::from(n) * lq;
    let mut terms = Vec::with_capacity((n - k + 1) as usize);
    for i in 0..n {
        if i >= k {
            terms.push(log_term);
        }
        log_term += (f64::from(n - i) / f64::from(i + 1)).ln() + lp - lq;
    }
    terms.push(log_term);
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    (max + sum.ln()).exp().min(1.0)
}
