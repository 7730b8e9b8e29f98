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
    /// sources linked by shared objects can be judged at all (an odd cycle of sources
    /// sharing objects, as three on one object, or an outcome on one of their objects).
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

/// For each source, whether its group can be judged: the sources linked to it by chains of
/// shared objects (union–find over each object's sources) include an odd cycle of sources
/// that share objects pairwise (three sources on one object are one), or an outcome
/// settles one of the group's objects.
///
/// How often two sources agree is fixed by the product of what their accuracies say (for a
/// source right with probability `q` among two answers, `r = 2q − 1`, two sources agree at a
/// rate `(1 + r₁r₂)/2`). Along a chain or round an even cycle of such products every other
/// source's `r` can be traded against its neighbours' (A more accurate and B less agree just
/// as often), so no accuracy is fixed; round an odd cycle the products fix each one (for
/// three, `r₁² = r₁₂·r₁₃ / r₂₃`) and from there every source linked to it; an outcome fixes
/// one directly. This is a check on the sources' graph, not on the model: more than two
/// labels or a confusion matrix per source need at least as much. Two sources that only echo
/// each other are the shortest chain; three in a chain (A with B on some things, B with C on
/// others) are the next.
fn judged_groups(claims: &ClaimSet, anchored: impl Fn(usize) -> bool) -> Vec<bool> {
    let n = claims.n_sources();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    // Whether a source sits on the other side from its parent; then from its root.
    let mut flip = vec![false; n];
    // Per root: whether its group holds an odd cycle.
    let mut odd = vec![false; n];
    /// The root of `x`'s group and `x`'s side relative to it, pointing `x` and every
    /// source on its way straight at the root.
    fn find(parent: &mut [u32], flip: &mut [bool], x: u32) -> (u32, bool) {
        let (mut root, mut side) = (x, false);
        while parent[root as usize] != root {
            side ^= flip[root as usize];
            root = parent[root as usize];
        }
        let (mut y, mut to_root) = (x, side);
        while y != root {
            let (next, own) = (parent[y as usize], flip[y as usize]);
            parent[y as usize] = root;
            flip[y as usize] = to_root;
            to_root ^= own;
            y = next;
        }
        (root, side)
    }
    let src = claims.sources_flat();
    let starts = claims.object_starts();
    // Groups left; the larger root goes under the smaller, so one group's root is source 0,
    // and once that group is all the sources and is odd, the rest of the objects cannot
    // change anything (on large data within the first few thousand objects).
    let mut groups = n;
    let mut distinct = Vec::new();
    for o in 0..claims.n_objects() {
        if groups <= 1 && odd.first().copied().unwrap_or(true) {
            break;
        }
        distinct.clear();
        distinct.extend_from_slice(&src[starts[o] as usize..starts[o + 1] as usize]);
        distinct.dedup();
        // Two sources on one object sit on opposite sides; a third closes a triangle.
        let edges = distinct
            .iter()
            .skip(1)
            .map(|&s| (distinct[0], s))
            .chain((distinct.len() >= 3).then(|| (distinct[1], distinct[2])));
        for (a, b) in edges {
            let (ra, sa) = find(&mut parent, &mut flip, a);
            let (rb, sb) = find(&mut parent, &mut flip, b);
            if ra == rb {
                odd[ra as usize] |= sa == sb;
            } else {
                let (lo, hi) = (ra.min(rb), ra.max(rb));
                parent[hi as usize] = lo;
                flip[hi as usize] = sa == sb;
                odd[lo as usize] |= odd[hi as usize];
                groups -= 1;
            }
        }
    }
    let roots: Vec<u32> = (0..n as u32)
        .map(|s| find(&mut parent, &mut flip, s).0)
        .collect();
    let mut judged: Vec<bool> = (0..n).map(|r| odd[r]).collect();
    for o in (0..claims.n_objects()).filter(|&o| anchored(o)) {
        if let Some(&s) = src
            .get(starts[o] as usize)
            .filter(|_| starts[o] < starts[o + 1])
        {
            judged[roots[s as usize] as usize] = true;
        }
    }
    roots.iter().map(|&r| judged[r as usize]).collect()
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
    // settles, or that another source also speaks to, provided the group of sources linked
    // by shared objects can be judged at all ([`judged_groups`]: an odd cycle of sources
    // sharing objects, as three on one object, or an outcome). A claim nobody else
    // addresses is right with whatever probability the model gives its source, so counting
    // it would only narrow the interval without evidence (and, where a model calls a lone
    // value certain, raise the source with every claim nobody can check). Sources that only
    // ever speak to the same things as each other, two of them or a chain, cannot be judged
    // either: how often two sources agree is one figure, their accuracies two unknowns, and
    // agreement on what nobody else reports looks the same whether both are right or one
    // repeats the other, the purest circular reporting.
    let src = claims.sources_flat();
    let starts = claims.object_starts();
    let anchored = |o: usize| anchors.get(o).is_some_and(|a| !matches!(a, Anchor::Free));
    let judged_group = judged_groups(claims, anchored);
    let checked: Vec<bool> = (0..claims.n_objects())
        .map(|o| {
            let cs = &src[starts[o] as usize..starts[o + 1] as usize];
            anchored(o) || (cs.iter().any(|&s| s != cs[0]) && judged_group[cs[0] as usize])
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
        /// The union–find says a group can be judged exactly when the graph whose edges join
        /// sources claiming a common object (searched here plainly, two-colouring each
        /// component) has an odd cycle in the source's component, or an outcome settles one
        /// of its objects; the early stop changes nothing.
        #[test]
        fn judged_groups_are_the_odd_or_settled_components_of_the_shared_object_graph(
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
            let judged = judged_groups(&c, |o| anchored[o]);
            let n = c.n_sources();
            // Adjacency by shared objects (a source is not its own neighbour), then a
            // two-colouring search from each source.
            let mut adj = vec![vec![false; n]; n];
            for o in 0..c.n_objects() as u32 {
                let ss: Vec<u32> = c.object_claims(o).map(|k| c.claim_source(k)).collect();
                for &a in &ss {
                    for &b in &ss {
                        adj[a as usize][b as usize] |= a != b;
                    }
                }
            }
            for s in 0..n {
                let mut colour: Vec<Option<bool>> = vec![None; n];
                let mut stack = vec![s];
                colour[s] = Some(false);
                let mut odd = false;
                while let Some(x) = stack.pop() {
                    for y in 0..n {
                        if !adj[x][y] {
                            continue;
                        }
                        match colour[y] {
                            None => {
                                colour[y] = colour[x].map(|c| !c);
                                stack.push(y);
                            }
                            Some(cy) => odd |= Some(cy) == colour[x],
                        }
                    }
                }
                let outcome = (0..c.n_objects() as u32).any(|o| {
                    anchored[o as usize]
                        && c.object_claims(o).any(|k| colour[c.claim_source(k) as usize].is_some())
                });
                prop_assert_eq!(judged[s], odd || outcome, "source {}", s);
            }
        }
    }
}
