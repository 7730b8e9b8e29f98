//! Suggested grades from the validation engine's evidence, and the analyst's decision on them.
//!
//! Sources: product.md ("Grading scales": the program *suggests*, a person *decides*, with a
//! recorded rationale when the decision departs from the suggestion; "Validation": each claim's
//! credibility and its suggested 1–6 digit, corroboration between dependent sources not counted
//! twice); compliance.md §5.3 (Admiralty / STANAG 2511, FM 2-22.3 App. B: "1 — confirmed by
//! other *independent* sources", "5 — contradicted by other information", "6 — no basis
//! exists"). The engine itself (probabilities, intervals, the source letter) is
//! `humint-validation`; this module turns its numbers into the scale's words.

use super::codes;
use super::grading::{InformationCredibility, OutcomeVerdict, SourceReliability};
use crate::RuleViolation;

/// Two sources are judged dependent (copying, a shared sub-source, circular reporting) when
/// the engine's posterior probability of dependence is at least this (the engine's own
/// default reporting threshold).
pub const DEPENDENCE_THRESHOLD: f64 = 0.5;

/// Probability a claim is right from which it is "probably true" (2).
pub const PROBABLY_TRUE: f64 = 0.8;
/// ... "possibly true" (3).
pub const POSSIBLY_TRUE: f64 = 0.5;
/// ... "doubtful" (4); below it, "improbable" (5).
pub const DOUBTFUL: f64 = 0.2;
/// Probability from which a claim corroborated by at least [`CONFIRMING_SOURCES`] independent
/// sources counts as "confirmed by other sources" (1) without an outcome.
pub const CONFIRMED: f64 = 0.95;
/// Independent corroborating sources needed for "confirmed by other sources".
pub const CONFIRMING_SOURCES: u32 = 2;

/// Claims that must be judged against other evidence (another source on the same subject, or
/// an outcome) before a source's letter can be other than F. The engine's interval already
/// makes fewer than about eight claims F; this also makes F a source whose many claims nobody
/// else speaks to, since agreement with nothing is no evidence of reliability.
pub const MIN_JUDGED_CLAIMS: u32 = 8;

/// The suggested source letter: the engine's, unless fewer than [`MIN_JUDGED_CLAIMS`] of the
/// source's claims could be checked against anything, when it is F (FM 2-22.3 App. B: F,
/// "insufficient information to evaluate reliability"; compliance §5.3).
pub fn suggest_letter(engine: SourceReliability, judged_claims: u32) -> SourceReliability {
    if judged_claims < MIN_JUDGED_CLAIMS {
        SourceReliability::F
    } else {
        engine
    }
}

/// What the station knows about one claim after an estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClaimEvidence {
    /// The latest recorded outcome on this claim, if any.
    pub outcome: Option<OutcomeVerdict>,
    /// The engine's probability that the claim is right.
    pub probability: f64,
    /// Other sources making the same claim that are not judged dependent on this claim's source.
    pub independent_corroborators: u32,
    /// Other sources making the same claim that are judged dependent on this claim's source.
    pub dependent_corroborators: u32,
    /// Other sources claiming a different value for the same subject and attribute.
    pub contradictors: u32,
}

/// The suggested information-credibility digit of one claim (FM 2-22.3 App. B, compliance §5.3).
///
/// - An outcome decides: confirmed → 1, refuted → 5 ("contradicted by other information").
/// - No other source speaks to the subject and no outcome → 6 ("no basis exists").
/// - Otherwise the engine's probability that the claim is right: ≥ [`CONFIRMED`] with at least
///   [`CONFIRMING_SOURCES`] independent corroborators → 1; ≥ [`PROBABLY_TRUE`] → 2;
///   ≥ [`POSSIBLY_TRUE`] → 3; ≥ [`DOUBTFUL`] → 4; below → 5. Corroboration by dependent sources
///   never makes a claim "confirmed": that is circular reporting counted twice.
pub fn suggest_credibility(e: &ClaimEvidence) -> InformationCredibility {
    use InformationCredibility as C;
    match e.outcome {
        Some(OutcomeVerdict::Confirmed) => return C::Confirmed,
        Some(OutcomeVerdict::Refuted) => return C::Improbable,
        None => {}
    }
    let others = e.independent_corroborators + e.dependent_corroborators + e.contradictors;
    if others == 0 || e.probability.is_nan() {
        return C::CannotBeJudged;
    }
    let p = e.probability;
    if p >= CONFIRMED && e.independent_corroborators >= CONFIRMING_SOURCES {
        C::Confirmed
    } else if p >= PROBABLY_TRUE {
        C::ProbablyTrue
    } else if p >= POSSIBLY_TRUE {
        C::PossiblyTrue
    } else if p >= DOUBTFUL {
        C::Doubtful
    } else {
        C::Improbable
    }
}

/// A report's suggested digit from its claims' digits: the least credible claim that can be
/// judged sets it (a report is as credible as its weakest judged part); 6 when no claim can be
/// judged; `None` for a report with no claims (nothing to suggest).
pub fn suggest_report_credibility(
    claims: impl IntoIterator<Item = InformationCredibility>,
) -> Option<InformationCredibility> {
    let mut any = false;
    let mut worst: Option<InformationCredibility> = None;
    for c in claims {
        any = true;
        if c != InformationCredibility::CannotBeJudged {
            worst = Some(worst.map_or(c, |w| w.max(c)));
        }
    }
    if !any {
        return None;
    }
    Some(worst.unwrap_or(InformationCredibility::CannotBeJudged))
}

/// Whether a report's corroboration is circular: some of its claims are corroborated by other
/// sources, and every corroborating source is judged dependent on the reporting source
/// (product.md, "Validation": corroboration between dependent sources is not counted twice).
/// `claims` gives, per claim, (independent corroborators, dependent corroborators).
pub fn circular_reporting(claims: impl IntoIterator<Item = (u32, u32)>) -> bool {
    let (mut independent, mut dependent) = (0u32, 0u32);
    for (i, d) in claims {
        independent += i;
        dependent += d;
    }
    dependent > 0 && independent == 0
}

/// Sources linked by dependence, directly or through one another: one line of reporting,
/// however many sources carry it (product.md, "Validation": copying, a shared sub-source or
/// circular reporting make two "independent" reports one).
#[derive(Debug, Clone, PartialEq)]
pub struct DependenceGroup<'a> {
    /// The members, in id order.
    pub members: Vec<&'a str>,
    /// Each pair judged dependent, `(a, b, probability)` with `a < b`, most probable first.
    pub pairs: Vec<(&'a str, &'a str, f64)>,
}

/// The groups of sources that pairs judged dependent (probability at least
/// [`DEPENDENCE_THRESHOLD`]) join: the connected components of the graph whose edges are
/// those pairs, so a source that two others copy, or a sub-source three share, gathers them in
/// one group. Pairs below the threshold, pairs of a source with itself and repeated pairs
/// (either order; the higher probability stands) add nothing. Largest group first, then by
/// first member; a source in no dependent pair is in no group.
pub fn dependence_groups<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str, f64)>,
) -> Vec<DependenceGroup<'a>> {
    use std::collections::BTreeMap;
    let mut edges: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for (a, b, p) in pairs {
        if a == b || p.is_nan() || p < DEPENDENCE_THRESHOLD {
            continue;
        }
        let key = if a < b { (a, b) } else { (b, a) };
        let e = edges.entry(key).or_insert(p);
        *e = e.max(p);
    }
    // Union–find over the members, each set named by its smallest id.
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    fn root<'a>(parent: &mut BTreeMap<&'a str, &'a str>, x: &'a str) -> &'a str {
        let mut r = x;
        while let Some(&up) = parent.get(r).filter(|&&up| up != r) {
            r = up;
        }
        // Point the path at the root, so later finds are short.
        let mut y = x;
        while y != r {
            let next = parent.get(y).copied().unwrap_or(r);
            parent.insert(y, r);
            y = next;
        }
        r
    }
    for &(a, b) in edges.keys() {
        parent.entry(a).or_insert(a);
        parent.entry(b).or_insert(b);
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            let (keep, join) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent.insert(join, keep);
        }
    }
    let members: Vec<&str> = parent.keys().copied().collect();
    let mut groups: BTreeMap<&str, DependenceGroup<'a>> = BTreeMap::new();
    for m in members {
        let r = root(&mut parent, m);
        groups
            .entry(r)
            .or_insert_with(|| DependenceGroup {
                members: Vec::new(),
                pairs: Vec::new(),
            })
            .members
            .push(m);
    }
    for (&(a, b), &p) in &edges {
        let r = root(&mut parent, a);
        if let Some(g) = groups.get_mut(r) {
            g.pairs.push((a, b, p));
        }
    }
    let mut out: Vec<DependenceGroup<'a>> = groups.into_values().collect();
    for g in &mut out {
        g.pairs
            .sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    }
    out.sort_by(|x, y| {
        y.members
            .len()
            .cmp(&x.members.len())
            .then_with(|| x.members.cmp(&y.members))
    });
    out
}

/// What the engine suggested for a report when it was graded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Suggestion {
    pub source: Option<SourceReliability>,
    pub information: Option<InformationCredibility>,
}

/// Checks an Admiralty grade against the suggestion (product.md, "Grading scales": a person
/// decides, and a decision that departs from the suggestion records its rationale).
///
/// A letter departs when it differs from a suggested letter other than F; a digit departs when
/// it differs from a suggested digit other than 6 (F and 6 say the evidence cannot judge, so
/// there is nothing to depart from). A departure without a rationale is refused with
/// [`codes::GRADE_RATIONALE_REQUIRED`]. Returns the rationale to store (trimmed), if any; a
/// rationale given for an agreeing grade is kept too.
pub fn check_grade_rationale(
    source: SourceReliability,
    information: InformationCredibility,
    suggested: &Suggestion,
    rationale: Option<&str>,
) -> Result<Option<String>, RuleViolation> {
    let rationale = rationale.map(str::trim).filter(|r| !r.is_empty());
    let letter_departs = suggested
        .source
        .is_some_and(|s| s != SourceReliability::F && s != source);
    let digit_departs = suggested
        .information
        .is_some_and(|i| i != InformationCredibility::CannotBeJudged && i != information);
    if (letter_departs || digit_departs) && rationale.is_none() {
        let mut parts = Vec::new();
        if let Some(s) = suggested.source.filter(|_| letter_departs) {
            parts.push(format!(
                "the evidence suggests source reliability {} ({}), you chose {}",
                s.letter(),
                s.label(),
                source.letter()
            ));
        }
        if let Some(i) = suggested.information.filter(|_| digit_departs) {
            parts.push(format!(
                "the evidence suggests information credibility {} ({}), you chose {}",
                i.digit(),
                i.label(),
                information.digit()
            ));
        }
        return Err(RuleViolation::new(
            codes::GRADE_RATIONALE_REQUIRED,
            format!(
                "This grade departs from the suggestion ({}); record your rationale for the decision.",
                parts.join("; ")
            ),
        ));
    }
    Ok(rationale.map(str::to_owned))
}

/// Folds a subject, attribute or value for comparison: surrounding space dropped, runs of
/// whitespace made one space, case ignored. "White  Van" and "white van" are one subject.
pub fn fold_text(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The object a claim speaks to, as the engine sees it: the folded subject and attribute.
pub fn claim_object(subject: &str, attribute: &str) -> String {
    format!("{}\u{1f}{}", fold_text(subject), fold_text(attribute))
}
