//! The estimate itself: the engine run over a compartment's decrypted claims, open press and
//! outcomes, and the core's rules applied to what it says — each source's suggestion and
//! evidence, each claim's and report's suggested credibility, and the circular-reporting
//! warning. [`Station::estimate_compartment`] compares the result with what is stored.

use super::{
    ClaimAssessment, ClaimInfo, DependentOutlet, DependentSource, ReliabilityEvidence,
    ReportAssessment, SourceEstimateView, damaged, letter_of, round,
};
use crate::handling::open_press::{PressEcho, PressItem};
use crate::{Station, StationError};
use humint_core::handling::grading::{InformationCredibility, OutcomeVerdict, SourceReliability};
use humint_core::handling::open_press as press_rules;
use humint_core::handling::reliability::{self as rules, ClaimEvidence, DEPENDENCE_THRESHOLD};
use humint_core::handling::warning_signs::{EchoFigures, PressFigures, echo_figures};
use humint_store::ReliabilityStore as _;
use humint_validation::{ClaimSetBuilder, Method as _, Outcomes};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A value no claim can have (claims are folded to lower case): the object's true value is
/// none of those claimed, because every claimed value was refuted.
const REFUTED: &str = "\u{1f}REFUTED";

/// Everything one estimate produces, before it is compared with what is stored.
pub(super) struct Computed {
    pub(super) estimates: BTreeMap<String, (char, SourceEstimateView)>,
    /// Per claim (in no particular order): its report and assessment.
    pub(super) claims: Vec<(String, (String, ClaimAssessment))>,
    pub(super) reports: BTreeMap<String, ReportAssessment>,
}

/// Another engine source (a source or an outlet) and the probability of dependence on it.
type Dependence = (u32, f64);

/// One claim's part in its report's suggestion and warning.
struct ClaimSummary {
    digit: u8,
    independent: u32,
    dependent: u32,
    /// Corroborating sources judged dependent on the reporter, with the probability.
    dependent_on: Vec<(u32, f64)>,
    /// Corroborating outlets the claim repeats or depends on (their engine ids).
    outlets: Vec<u32>,
}

/// A claim's (source, object, value) as the engine numbers them. A claim that echoes open
/// press is not in the engine's input, but its object and value are (the outlet's item); its
/// source is there only if some other claim of the source is.
fn engine_ids(
    claims: &humint_validation::ClaimSet,
    c: &ClaimInfo,
    echo: bool,
) -> Result<(Option<u32>, u32, u32), StationError> {
    match (
        claims.source_id(&c.source_id),
        claims.object_id(&c.object),
        claims.value_id(&c.value),
    ) {
        (s, Some(o), Some(v)) if s.is_some() || echo => Ok((s, o, v)),
        _ => Err(StationError::Io(
            "a claim went missing from the estimate".to_owned(),
        )),
    }
}

/// Per engine source, how often it was first to report the values it shares with other
/// sources (core's `echo_figures`): each source's earliest claim of each (object, value),
/// compared with the other sources' earliest claims of it. `claims` are the claims the engine
/// read (not those that echo open press): their engine ids ([`engine_ids`]) and the times
/// their sources reported them (their reports' `reported_at`).
fn echo_figures_by_source(
    claims: impl Iterator<Item = ((u32, u32, u32), i64)>,
) -> HashMap<u32, EchoFigures> {
    let mut first_claims: Vec<(u32, u32, u32, i64)> = claims
        .map(|((s, o, v), reported_at_ms)| (o, v, s, reported_at_ms))
        .collect();
    // Sorted by (object, value, source, time): each source's earliest claim of a value first.
    first_claims.sort_unstable();
    first_claims.dedup_by(|b, a| (a.0, a.1, a.2) == (b.0, b.1, b.2));
    let mut per_source: HashMap<u32, Vec<(u32, bool)>> = HashMap::new();
    for group in first_claims.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        if group.len() < 2 {
            continue;
        }
        let others = group.len() as u32 - 1;
        for &(_, _, s, t) in group {
            // First unless another source reported the value strictly earlier.
            let first = group.iter().all(|&(_, _, s2, t2)| s2 == s || t2 >= t);
            per_source.entry(s).or_default().push((others, first));
        }
    }
    per_source
        .into_iter()
        .map(|(s, values)| (s, echo_figures(values)))
        .collect()
}

impl Station {
    /// Runs the engine over the compartment's claims and outcomes, applies the core's rules.
    pub(super) async fn compute(
        &self,
        compartment_id: &str,
        infos: &[ClaimInfo],
        items: &[PressItem],
    ) -> Result<Computed, StationError> {
        let codenames: HashMap<String, String> = self
            .store
            .compartment_sources(compartment_id)
            .await?
            .into_iter()
            .map(|s| (s.id, s.codename))
            .collect();
        let mut verdicts: HashMap<String, OutcomeVerdict> = HashMap::new();
        for o in self.store.compartment_outcomes(compartment_id).await? {
            let v = match o.verdict.as_str() {
                "confirmed" => OutcomeVerdict::Confirmed,
                "refuted" => OutcomeVerdict::Refuted,
                _ => return Err(damaged("outcome")),
            };
            verdicts.insert(o.claim_id, v);
        }

        // Open press: each outlet is a source of the engine's claim set (named apart from
        // every source), its items its claims. A claim that repeats an item published at or
        // before its source reported it is left out of its source's input: it is evidence of
        // nothing the source knows (the earliest such item is the one it echoes).
        let mut published: HashMap<(&str, &str), &PressItem> = HashMap::new();
        for it in items {
            published
                .entry((it.object.as_str(), it.value.as_str()))
                .or_insert(it);
        }
        let echo_of: Vec<Option<&PressItem>> = infos
            .iter()
            .map(|c| {
                published
                    .get(&(c.object.as_str(), c.value.as_str()))
                    .filter(|it| press_rules::echoes(it.published_at_ms, c.reported_at_ms))
                    .copied()
            })
            .collect();
        let outlet_items: HashMap<&str, &str> = items
            .iter()
            .map(|it| (it.engine_name.as_str(), it.outlet_item.as_str()))
            .collect();

        let mut builder = ClaimSetBuilder::with_capacity(infos.len() + items.len());
        for (c, echo) in infos.iter().zip(&echo_of) {
            if echo.is_none() {
                builder.push(&c.source_id, &c.object, &c.value);
            }
            builder.set_domain(&c.object, &c.attribute);
        }
        for it in items {
            builder.push(&it.engine_name, &it.object, &it.value);
            builder.set_domain(&it.object, &it.attribute);
        }

        // Outcomes as the engine's anchors: a confirmed claim fixes its object's value (the
        // latest confirmation wins); an object whose every claimed value was refuted has a
        // true value nobody claimed. A refuted value beside unrefuted others anchors nothing:
        // which of the others is true is still for the claims to say.
        let mut confirmed: BTreeMap<&str, &str> = BTreeMap::new();
        let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut refuted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for it in items {
            values.entry(&it.object).or_default().insert(&it.value);
        }
        for c in infos {
            values.entry(&c.object).or_default().insert(&c.value);
            match verdicts.get(&c.claim_id) {
                Some(OutcomeVerdict::Confirmed) => {
                    confirmed.insert(&c.object, &c.value);
                }
                Some(OutcomeVerdict::Refuted) => {
                    refuted.entry(&c.object).or_default().insert(&c.value);
                }
                None => {}
            }
        }
        let mut outcomes = Outcomes::new();
        for (object, value) in &confirmed {
            outcomes.insert(*object, *value);
        }
        for (object, bad) in &refuted {
            if !confirmed.contains_key(object) && values.get(object).is_some_and(|v| v == bad) {
                outcomes.insert(*object, REFUTED);
            }
        }

        let claims = builder.build();
        let (claims, estimate) = tokio::task::spawn_blocking(move || {
            let method = humint_validation::Auto {
                report_threshold: DEPENDENCE_THRESHOLD,
            };
            let estimate = method.estimate(&claims, &outcomes);
            (claims, estimate)
        })
        .await
        .map_err(|_| StationError::Io("the reliability estimate stopped".to_owned()))?;

        // Dependence per engine source id.
        let mut deps: HashMap<(u32, u32), f64> = HashMap::new();
        for d in &estimate.dependencies {
            if d.probability >= DEPENDENCE_THRESHOLD {
                deps.insert((d.source_a, d.source_b), d.probability);
                deps.insert((d.source_b, d.source_a), d.probability);
            }
        }
        let dependent = |a: u32, b: u32| deps.get(&(a, b)).copied();
        let name_of = |s: u32| claims.source_name(s).to_owned();
        let is_outlet = |s: u32| press_rules::is_outlet(claims.source_name(s));
        // An outlet as the stored suggestions name it: its first item's id.
        let outlet_of = |s: u32| {
            let name = claims.source_name(s);
            outlet_items
                .get(name)
                .copied()
                .unwrap_or_default()
                .to_owned()
        };
        let dependent_source = |s: u32, probability: f64| {
            let id = name_of(s);
            DependentSource {
                codename: codenames.get(&id).cloned().unwrap_or_default(),
                source_id: id,
                probability: round(probability),
            }
        };

        // Per claim: probability, corroboration and contradiction.
        let mut claim_out: Vec<(String, (String, ClaimAssessment))> =
            Vec::with_capacity(infos.len());
        let mut per_report: HashMap<&str, Vec<ClaimSummary>> = HashMap::new();
        let mut report_source: HashMap<&str, &str> = HashMap::new();
        let mut evidence: HashMap<u32, ReliabilityEvidence> = HashMap::new();
        // Per source id: its claims, and those that echoed open press.
        let mut press: BTreeMap<&str, PressFigures> = BTreeMap::new();
        // The other sources on an object that claim the same value and another one, each
        // counted once (an object has a handful of claims: small sorted lists, not sets).
        let mut same: Vec<u32> = Vec::new();
        let mut other: Vec<u32> = Vec::new();
        let ids = infos
            .iter()
            .zip(&echo_of)
            .map(|(c, echo)| engine_ids(&claims, c, echo.is_some()))
            .collect::<Result<Vec<_>, _>>()?;
        for ((c, &(s, o, v)), echo) in infos.iter().zip(&ids).zip(&echo_of) {
            let obj = estimate
                .objects
                .get(o as usize)
                .copied()
                .ok_or_else(|| StationError::Io("the estimate lacks an object".to_owned()))?;
            let believed = obj.value == Some(v);
            // A claim the estimate does not believe is right with at most the probability
            // the estimate leaves to the other values.
            let probability = if believed {
                obj.confidence
            } else if obj.anchored || obj.value.is_none() {
                0.0
            } else {
                (1.0 - obj.confidence).max(0.0)
            };
            same.clear();
            other.clear();
            for k in claims.object_claims(o) {
                let s2 = claims.claim_source(k);
                if Some(s2) == s {
                    continue;
                }
                if claims.claim_value(k) == v {
                    same.push(s2);
                } else {
                    other.push(s2);
                }
            }
            for list in [&mut same, &mut other] {
                list.sort_unstable();
                list.dedup();
            }
            // A claim that echoes open press has every outlet that published its value as a
            // dependent corroborator; otherwise an outlet, like a source, is dependent when
            // the engine judges it so.
            let judged_dependent = |s2: u32| -> Option<f64> {
                if echo.is_some() && is_outlet(s2) {
                    return Some(1.0);
                }
                s.and_then(|s| dependent(s, s2))
            };
            let dependent_on: Vec<(u32, f64)> = same
                .iter()
                .filter_map(|&s2| judged_dependent(s2).map(|p| (s2, p)))
                .collect();
            let dep_n = dependent_on.len() as u32;
            let indep_n = same.len() as u32 - dep_n;
            let outcome = verdicts.get(&c.claim_id).copied();
            let digit = rules::suggest_credibility(&ClaimEvidence {
                outcome,
                probability,
                independent_corroborators: indep_n,
                dependent_corroborators: dep_n,
                contradictors: other.len() as u32,
            })
            .digit();
            let figures = press.entry(&c.source_id).or_default();
            figures.claims += 1;
            match (echo, s) {
                (Some(_), _) => figures.echoed += 1,
                (None, Some(s)) => {
                    let ev = evidence.entry(s).or_default();
                    match outcome {
                        Some(OutcomeVerdict::Confirmed) => ev.outcomes_confirmed += 1,
                        Some(OutcomeVerdict::Refuted) => ev.outcomes_refuted += 1,
                        None => {}
                    }
                    if believed && !same.is_empty() {
                        ev.claims_agreeing += 1;
                    } else if !believed && obj.value.is_some() {
                        ev.claims_contradicted += 1;
                    }
                }
                (None, None) => {}
            }
            let (outlets, dependent_on): (Vec<Dependence>, Vec<Dependence>) =
                dependent_on.into_iter().partition(|&(s2, _)| is_outlet(s2));
            per_report
                .entry(&c.report_id)
                .or_default()
                .push(ClaimSummary {
                    digit,
                    independent: indep_n,
                    dependent: dep_n,
                    dependent_on,
                    outlets: outlets.into_iter().map(|(s2, _)| s2).collect(),
                });
            report_source.insert(&c.report_id, &c.source_id);
            claim_out.push((
                c.claim_id.clone(),
                (
                    c.report_id.clone(),
                    ClaimAssessment {
                        claim_id: c.claim_id.clone(),
                        digit,
                        // Two decimals: finer moves are noise to a reader, and not
                        // rewriting them keeps an update's writes small.
                        probability: (probability * 100.0).round() / 100.0,
                        independent_corroborators: indep_n,
                        dependent_corroborators: dep_n,
                        contradictors: other.len() as u32,
                        outcome: outcome.map(|v| crate::handling::convert::name(&v)),
                        echoes: echo.map(|it| PressEcho {
                            item_id: it.id.clone(),
                            published_at_ms: it.published_at_ms,
                            outlet: String::new(),
                        }),
                    },
                ),
            ));
        }

        let mut echo = echo_figures_by_source(
            ids.iter()
                .zip(infos)
                .zip(&echo_of)
                .filter(|(_, echo)| echo.is_none())
                .filter_map(|((&(s, o, v), c), _)| s.map(|s| ((s, o, v), c.reported_at_ms))),
        );

        // Per source: the engine's estimate with the evidence (outlets have none).
        let mut estimates = BTreeMap::new();
        for (s, e) in estimate.sources.iter().enumerate() {
            let s = s as u32;
            if is_outlet(s) {
                continue;
            }
            let mut ev = evidence.remove(&s).unwrap_or_default();
            // The engine's count, by the engine's rule: claims an outcome or another source
            // checks, within a group of sources that can be judged at all.
            ev.claims_judged = e.checked;
            ev.echo = echo.remove(&s).unwrap_or_default();
            ev.press = press.remove(claims.source_name(s)).unwrap_or_default();
            let mut ds: Vec<(u32, f64)> = estimate
                .dependencies
                .iter()
                .filter(|d| d.probability >= DEPENDENCE_THRESHOLD)
                .filter_map(|d| {
                    if d.source_a == s {
                        Some((d.source_b, d.probability))
                    } else if d.source_b == s {
                        Some((d.source_a, d.probability))
                    } else {
                        None
                    }
                })
                .collect();
            ds.sort_by(|a, b| {
                b.1.total_cmp(&a.1)
                    .then_with(|| claims.source_name(a.0).cmp(claims.source_name(b.0)))
            });
            let (outlets, sources): (Vec<Dependence>, Vec<Dependence>) =
                ds.into_iter().partition(|&(s2, _)| is_outlet(s2));
            ev.dependent_sources = sources
                .into_iter()
                .map(|(s2, p)| dependent_source(s2, p))
                .collect();
            ev.dependent_outlets = outlets
                .into_iter()
                .map(|(s2, p)| DependentOutlet {
                    item_id: outlet_of(s2),
                    probability: round(p),
                    outlet: String::new(),
                })
                .collect();
            let engine_letter =
                SourceReliability::from_letter(letter_of(e.grade)).unwrap_or(SourceReliability::F);
            let letter = rules::suggest_letter(engine_letter, ev.claims_judged).letter();
            estimates.insert(
                name_of(s),
                (
                    letter,
                    SourceEstimateView {
                        method: estimate.method.clone(),
                        reliability: round(e.reliability),
                        low: round(e.low),
                        high: round(e.high),
                        letter,
                        claims: e.claims,
                        evidence: ev,
                        computed_at_ms: 0,
                    },
                ),
            );
        }
        // A source every claim of which echoed open press gave the engine nothing: it has no
        // evidence, the whole interval, and the letter thin evidence gets.
        for (source_id, figures) in press {
            if estimates.contains_key(source_id) {
                continue;
            }
            let letter = rules::suggest_letter(SourceReliability::F, 0).letter();
            estimates.insert(
                source_id.to_owned(),
                (
                    letter,
                    SourceEstimateView {
                        method: estimate.method.clone(),
                        reliability: 0.5,
                        low: 0.0,
                        high: 1.0,
                        letter,
                        claims: 0,
                        evidence: ReliabilityEvidence {
                            press: figures,
                            ..ReliabilityEvidence::default()
                        },
                        computed_at_ms: 0,
                    },
                ),
            );
        }

        // Per report: the weakest judged claim, and whether corroboration is circular.
        let mut reports = BTreeMap::new();
        for (report_id, cs) in per_report {
            let digit = rules::suggest_report_credibility(cs.iter().map(|c| {
                InformationCredibility::from_digit(c.digit)
                    .unwrap_or(InformationCredibility::CannotBeJudged)
            }))
            .map(InformationCredibility::digit);
            let circular =
                rules::circular_reporting(cs.iter().map(|c| (c.independent, c.dependent)));
            let mut by: BTreeMap<u32, f64> = BTreeMap::new();
            for (s2, p) in cs.iter().flat_map(|c| c.dependent_on.iter().copied()) {
                by.insert(s2, p);
            }
            let outlets: BTreeSet<String> = cs
                .iter()
                .flat_map(|c| c.outlets.iter().map(|&s2| outlet_of(s2)))
                .collect();
            let source_letter = report_source
                .get(&report_id)
                .and_then(|s| estimates.get(*s))
                .map(|e| e.0);
            reports.insert(
                report_id.to_owned(),
                ReportAssessment {
                    report_id: report_id.to_owned(),
                    source_letter,
                    digit,
                    circular,
                    corroborated_by_dependent: by
                        .into_iter()
                        .map(|(s2, p)| dependent_source(s2, p))
                        .collect(),
                    outlet_items: outlets.into_iter().collect(),
                    corroborated_by_outlets: Vec::new(),
                    claims: Vec::new(),
                    computed_at_ms: None,
                    updating: false,
                },
            );
        }
        Ok(Computed {
            estimates,
            claims: claim_out,
            reports,
        })
    }
}
