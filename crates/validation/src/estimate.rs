//! What every method returns: per-object values, per-source reliability with an interval
//! and a suggested Admiralty letter, and dependent source pairs.

use crate::claims::{Anchor, ClaimSet};

/// Suggested Admiralty (NATO STANAG 2511) source-reliability letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// Completely reliable.
    A,
    /// Usually reliable.
    B,
    /// Fairly reliable.
    C,
    /// Not usually reliable.
    D,
    /// Unreliable.
    E,
    /// Reliability cannot be judged: too few claims to say.
    F,
}

impl Grade {
    /// Smallest interval width (95 %) at which the evidence is too thin to judge: with
    /// fewer than about eight claims even a perfect record cannot be told from a mediocre
    /// one, and an officer should see "F", not a confident letter.
    pub const MAX_JUDGEABLE_WIDTH: f64 = 0.4;

    /// The letter for a reliability estimate with its interval.
    ///
    /// The letter follows the point estimate (A ≥ 0.95, B ≥ 0.85, C ≥ 0.70, D ≥ 0.50,
    /// E below); F when the interval is wider than [`Self::MAX_JUDGEABLE_WIDTH`].
    pub fn suggest(reliability: f64, low: f64, high: f64) -> Grade {
        if high - low > Self::MAX_JUDGEABLE_WIDTH || high.is_nan() || low.is_nan() {
            Grade::F
        } else if reliability >= 0.95 {
            Grade::A
        } else if reliability >= 0.85 {
            Grade::B
        } else if reliability >= 0.70 {
            Grade::C
        } else if reliability >= 0.50 {
            Grade::D
        } else {
            Grade::E
        }
    }

    /// The letter as a character.
    pub fn letter(self) -> char {
        match self {
            Grade::A => 'A',
            Grade::B => 'B',
            Grade::C => 'C',
            Grade::D => 'D',
            Grade::E => 'E',
            Grade::F => 'F',
        }
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// The estimate for one object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectEstimate {
    /// Estimated value id (see [`Estimate::value_text`]); `None` if nothing to go on.
    pub value: Option<u32>,
    /// Probability that the value is right, under the method's model.
    pub confidence: f64,
    /// Whether the value comes from a confirmed outcome rather than from the claims.
    pub anchored: bool,
}

/// The estimate for one source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceEstimate {
    /// Expected share of this source's claims that are right.
    pub reliability: f64,
    /// Lower end of the 95 % (Wilson) interval for the reliability.
    pub low: f64,
    /// Upper end of that interval.
    pub high: f64,
    /// Number of claims the source made.
    pub claims: u32,
    /// How many of them could be checked, and so carry the reliability and its interval:
    /// those on objects an outcome settles, or that another source speaks to when the
    /// sources linked by shared objects (an outcome counting as one more) are three or more.
    pub checked: u32,
    /// Suggested Admiralty letter.
    pub grade: Grade,
}

/// Two sources whose agreement looks copied rather than independent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dependency {
    /// The source with the smaller id.
    pub source_a: u32,
    /// The source with the larger id.
    pub source_b: u32,
    /// Posterior probability that the two are dependent.
    pub probability: f64,
}

/// A method's full answer; ids refer to the [`ClaimSet`] it was computed on.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Name of the method that produced it (for the default, the model it chose).
    pub method: String,
    /// One entry per object id.
    pub objects: Vec<ObjectEstimate>,
    /// One entry per source id.
    pub sources: Vec<SourceEstimate>,
    /// Dependent pairs, most probable first.
    pub dependencies: Vec<Dependency>,
    /// Outcome values that no claim mentions; their ids follow the claim set's values.
    pub(crate) extra_values: Vec<String>,
}

impl Estimate {
    /// The text of the estimated value of object `o`.
    pub fn value_text<'a>(&'a self, claims: &'a ClaimSet, o: u32) -> Option<&'a str> {
        let v = self.objects.get(o as usize)?.value? as usize;
        if v < claims.n_values() {
            Some(claims.value_name(v as u32))
        } else {
            self.extra_values
                .get(v - claims.n_values())
                .map(String::as_str)
        }
    }
}

/// What a method computed, before it is turned into an [`Estimate`].
pub(crate) struct Beliefs {
    /// Per object: chosen value id (`u32::MAX`: none) and its probability.
    pub best: Vec<(u32, f64)>,
    /// Per claim: probability that the claim is right.
    pub correct: Vec<f64>,
    /// Per source: the sum of `correct` over its claims, taken once when first asked
    /// for (by the copy model's accuracies and by [`finish`]).
    right: std::sync::OnceLock<Vec<f64>>,
}

impl Beliefs {
    /// From a probability per candidate slot. Ties go to the lowest slot, which is the
    /// lexicographically smallest value: deterministic whatever the input order.
    pub fn from_slots(claims: &ClaimSet, post: &[f64]) -> Beliefs {
        let best = (0..claims.n_objects() as u32)
            .map(|o| {
                let mut top = (u32::MAX, f64::NEG_INFINITY);
                for slot in claims.object_slots(o) {
                    if post[slot] > top.1 {
                        top = (claims.slot_value(slot), post[slot]);
                    }
                }
                top
            })
            .collect();
        let correct = claims
            .slots_flat()
            .iter()
            .map(|&s| post[s as usize])
            .collect();
        Beliefs::new(best, correct)
    }

    /// Beliefs from per-object choices and per-claim probabilities.
    pub fn new(best: Vec<(u32, f64)>, correct: Vec<f64>) -> Beliefs {
        Beliefs {
            best,
            correct,
            right: std::sync::OnceLock::new(),
        }
    }

    /// Per source, the expected number of its claims that are right.
    pub fn source_right(&self, claims: &ClaimSet) -> &[f64] {
        self.right
            .get_or_init(|| crate::methods::one_coin::source_sums(claims, &self.correct))
    }
}

/// Sets anchored objects' slot probabilities to the confirmed outcome.
pub(crate) fn clamp_slots(claims: &ClaimSet, anchors: &[Anchor], post: &mut [f64]) {
    for (o, a) in anchors.iter().enumerate() {
        match *a {
            Anchor::Free => {}
            Anchor::Slot(hit) => {
                for slot in claims.object_slots(o as u32) {
                    post[slot] = if slot == hit as usize { 1.0 } else { 0.0 };
                }
            }
            Anchor::Unclaimed(_) => {
                for slot in claims.object_slots(o as u32) {
                    post[slot] = 0.0;
                }
            }
        }
    }
}

/// 95 % Wilson score interval for `k` successes out of `n` (`k` may be fractional).
pub fn wilson(k: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let p = (k / n).clamp(0.0, 1.0);
    let z2n = Z * Z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = Z / (1.0 + z2n) * (p * (1.0 - p) / n + Z * Z / (4.0 * n * n)).sqrt();
    // Rounding can put an end a hair inside the point estimate at p = 0 or 1.
    ((centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0))
}

/// For each source, how many independent views of the truth its group holds: the sources
/// linked to it by chains of shared objects (itself included; union–find over each
/// object's sources), and one more when an outcome settles any of the group's objects (an
/// outcome is a view no source gave).
fn linked_views(claims: &ClaimSet, anchored: impl Fn(usize) -> bool) -> Vec<u32> {
    let n = claims.n_sources();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    let src = claims.sources_flat();
    let starts = claims.object_starts();
    // Groups left; once every source is in one, the rest of the objects cannot split it
    // (on large data that happens within the first few thousand objects).
    let mut groups = n;
    for o in 0..claims.n_objects() {
        if groups <= 1 {
            break;
        }
        let cs = &src[starts[o] as usize..starts[o + 1] as usize];
        if let Some((&first, rest)) = cs.split_first() {
            for &s in rest {
                let (a, b) = (root(&mut parent, first), root(&mut parent, s));
                // The larger root under the smaller: the same forest whatever the order.
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                    groups -= 1;
                }
            }
        }
    }
    let roots: Vec<u32> = (0..n as u32).map(|s| root(&mut parent, s)).collect();
    let mut size = vec![0u32; n];
    for &r in &roots {
        size[r as usize] += 1;
    }
    let mut settled = vec![false; n];
    for o in (0..claims.n_objects()).filter(|&o| anchored(o)) {
        if let Some(&s) = src
            .get(starts[o] as usize)
            .filter(|_| starts[o] < starts[o + 1])
        {
            settled[roots[s as usize] as usize] = true;
        }
    }
    roots
        .iter()
        .map(|&r| size[r as usize] + u32::from(settled[r as usize]))
        .collect()
}

/// Turns beliefs into the public estimate, applying outcome anchors last so confirmed
/// facts always show as such.
pub(crate) fn finish(
    method: &str,
    claims: &ClaimSet,
    anchors: &[Anchor],
    extra_values: Vec<String>,
    beliefs: &Beliefs,
    dependencies: Vec<Dependency>,
) -> Estimate {
    let objects = beliefs
        .best
        .iter()
        .zip(anchors)
        .map(|(&(v, p), a)| match *a {
            Anchor::Free => ObjectEstimate {
                value: (v != u32::MAX).then_some(v),
                confidence: if v == u32::MAX { 0.0 } else { p },
                anchored: false,
            },
            Anchor::Slot(slot) => ObjectEstimate {
                value: Some(claims.slot_value(slot as usize)),
                confidence: 1.0,
                anchored: true,
            },
            Anchor::Unclaimed(id) => ObjectEstimate {
                value: Some(id),
                confidence: 1.0,
                anchored: true,
            },
        })
        .collect();
    // A source's record is what can be checked: its claims on objects that an outcome
    // settles, or that another source also speaks to, provided the sources linked by shared
    // objects, with an outcome on any of their objects counting as one more, number at
    // least three. A claim nobody else addresses is right with whatever
    // probability the model gives its source, so counting it would only narrow the interval
    // without evidence (and, where a model calls a lone value certain, raise the source with
    // every claim nobody can check). Two sources that only ever speak to the same things as
    // each other cannot be judged either: how often two sources agree is one figure and
    // their two accuracies are two unknowns (three views are the least from which accuracies
    // can be told, as in Dawid & Skene's model), and agreement on what nobody else reports
    // looks the same whether both are right or one repeats the other, the purest circular
    // reporting.
    let src = claims.sources_flat();
    let starts = claims.object_starts();
    let anchored = |o: usize| anchors.get(o).is_some_and(|a| !matches!(a, Anchor::Free));
    let views = linked_views(claims, anchored);
    let checked: Vec<bool> = (0..claims.n_objects())
        .map(|o| {
            let cs = &src[starts[o] as usize..starts[o + 1] as usize];
            anchored(o) || (cs.iter().any(|&s| s != cs[0]) && views[cs[0] as usize] >= 3)
        })
        .collect();
    let mut judged = vec![(0.0f64, 0.0f64); claims.n_sources()];
    for o in 0..claims.n_objects() {
        if checked[o] {
            for c in starts[o] as usize..starts[o + 1] as usize {
                let j = &mut judged[src[c] as usize];
                j.0 += beliefs.correct[c];
                j.1 += 1.0;
            }
        }
    }
    let sources = (0..claims.n_sources() as u32)
        .map(|s| {
            let cs = claims.source_claims(s);
            let (k, n) = judged[s as usize];
            // With nothing checkable, the whole interval and its middle: no figure the
            // evidence could support (the model's own would be its prior, or, for two
            // sources that only echo each other, a perfect record).
            let reliability = if n > 0.0 {
                k / n
            } else if !cs.is_empty() {
                0.5
            } else {
                0.0
            };
            let (low, high) = wilson(k, n);
            SourceEstimate {
                reliability,
                low,
                high,
                claims: cs.len() as u32,
                checked: n as u32,
                grade: Grade::suggest(reliability, low, high),
            }
        })
        .collect();
    Estimate {
        method: method.to_string(),
        objects,
        sources,
        dependencies,
        extra_values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimSetBuilder;
    use proptest::prelude::*;

    proptest! {
        /// The union–find's group sizes are the connected components of the graph whose
        /// edges join sources claiming a common object (found here by a plain search), plus
        /// one for a group with a settled object; the early stop changes nothing.
        #[test]
        fn linked_views_are_the_components_of_the_shared_object_graph(
            claims in prop::collection::vec((0u32..12, 0u32..15), 1..60),
            settled in prop::collection::vec(0u32..15, 0..3),
        ) {
            let mut b = ClaimSetBuilder::new();
            for &(s, o) in &claims {
                b.push(&format!("s{s:02}"), &format!("o{o:02}"), "v");
            }
            let c = b.build();
            let anchored: Vec<bool> = (0..c.n_objects() as u32)
                .map(|o| settled.iter().any(|&x| c.object_name(o) == format!("o{x:02}")))
                .collect();
            let views = linked_views(&c, |o| anchored[o]);
            let n = c.n_sources();
            // Adjacency by shared objects, then a search from each source.
            let mut adj = vec![vec![false; n]; n];
            for o in 0..c.n_objects() as u32 {
                let ss: Vec<u32> = c.object_claims(o).map(|k| c.claim_source(k)).collect();
                for &a in &ss {
                    for &b in &ss {
                        adj[a as usize][b as usize] = true;
                    }
                }
            }
            for s in 0..n {
                let mut seen = vec![false; n];
                let mut stack = vec![s];
                seen[s] = true;
                while let Some(x) = stack.pop() {
                    for y in 0..n {
                        if adj[x][y] && !seen[y] {
                            seen[y] = true;
                            stack.push(y);
                        }
                    }
                }
                let size = seen.iter().filter(|&&x| x).count() as u32;
                let outcome = (0..c.n_objects() as u32).any(|o| {
                    anchored[o as usize]
                        && c.object_claims(o).any(|k| seen[c.claim_source(k) as usize])
                });
                prop_assert_eq!(views[s], size + u32::from(outcome), "source {}", s);
            }
        }
    }
}
