//! Whom to believe, in the station (issue 4): the validation engine run over a compartment's
//! claims and outcomes, each source's suggested reliability with its interval, evidence and
//! history, each claim's and report's suggested credibility, the circular-reporting warning, and
//! the analyst's grade decision against the suggestion.
//!
//! Incremental, not a nightly batch: every write that adds claims or outcomes re-estimates the
//! compartment it touched (and only that one) once its own transaction has committed: in the
//! background in a served station, within seconds (reliability_queue.rs), or in the write's own
//! call where no worker runs. The engine (`humint_validation::Auto`) has no warm
//! start in its public API; it is deterministic for a given set of claims, so the same records
//! always give the same suggestion. Only rows whose suggestion changed are rewritten, and a
//! history point is appended only when a source's estimate moved. Estimates of one station are
//! serialised, so a slower estimate can never overwrite a newer one.
//!
//! Claims are encrypted at rest: their plaintext is read only by [`Station::estimate_compartment`]
//! and kept, between estimates, only in this process's memory (reliability_memo.rs, which also
//! spares an update reading back what the last estimate stored); what is stored is numbers,
//! digits and source ids.
//!
//! Open press (product.md, "Validation": "reporting that echoes open press"): each outlet of the
//! compartment's open-source items is a non-human source of the engine's claim set, named with
//! a prefix no source id can take, so it takes part in estimating values and in dependence but
//! gets no estimate row, history or grade. A claim whose object and value an item published at
//! or before the claim was recorded is left out of its source's input: no credit to the source,
//! no corroboration of anyone; its assessment still takes a digit from its object's estimate,
//! with the outlet as a dependent corroborator, and names the item it repeated. What is stored
//! names outlets by item id only; their names are read from the items' envelopes when a view
//! is asked for.

use super::access::{self, READERS};
use super::open_press::{PressEcho, PressItem};
use crate::{Principal, Station, StationError};
use humint_core::handling::grading::{InformationCredibility, OutcomeVerdict, SourceReliability};
use humint_core::handling::open_press as press_rules;
use humint_core::handling::reliability::{
    self as rules, ClaimEvidence, DEPENDENCE_THRESHOLD, Suggestion,
};
use humint_core::handling::warning_signs::{
    self as signs, EchoFigures, PressFigures, WarningSign, echo_figures,
};
use humint_core::new_id;
use humint_store::{
    ClaimAssessmentRow, EstimateRow, GradeDecisionRow, HistoryRow, ReliabilityStore as _,
    ReliabilityUpdate, ReportAssessmentRow, ReportRow,
};
use humint_validation::{ClaimSetBuilder, Grade, Method as _, Outcomes};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A claim's content as the report service stores it (encrypted).
#[derive(Deserialize)]
struct StoredClaim {
    subject: String,
    attribute: String,
    value: String,
}

/// A value no claim can have (claims are folded to lower case): the object's true value is
/// none of those claimed, because every claimed value was refuted.
const REFUTED: &str = "\u{1f}REFUTED";

/// Another source judged dependent on this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependentSource {
    pub source_id: String,
    pub codename: String,
    pub probability: f64,
}

/// The evidence behind a source's suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReliabilityEvidence {
    /// Claims that other sources corroborate and the estimate agrees with.
    pub claims_agreeing: u32,
    /// Claims whose value the estimate does not believe.
    pub claims_contradicted: u32,
    pub outcomes_confirmed: u32,
    pub outcomes_refuted: u32,
    /// Claims that could be checked against anything: another source on the same subject, or
    /// an outcome.
    #[serde(default)]
    pub claims_judged: u32,
    /// Sources whose agreement with this one looks copied or shared, most probable first.
    pub dependent_sources: Vec<DependentSource>,
    /// How often the source was first to report what others also reported (the warning sign
    /// of borrowed corroboration).
    #[serde(default)]
    pub echo: EchoFigures,
    /// How many of the source's claims repeated what open press had already published (those
    /// claims earn it nothing), of all its claims.
    #[serde(default, skip_serializing_if = "PressFigures::is_empty")]
    pub press: PressFigures,
    /// Outlets whose published items the source's other claims look dependent on, most
    /// probable first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependent_outlets: Vec<DependentOutlet>,
}

/// An outlet (open press) a source's reporting looks dependent on: stored as its first item's
/// id (the outlet's name is encrypted in the item), named when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependentOutlet {
    pub item_id: String,
    pub probability: f64,
    #[serde(skip)]
    pub outlet: String,
}

/// A source's current suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEstimateView {
    /// The model the engine used (`auto:<model>`).
    pub method: String,
    pub reliability: f64,
    pub low: f64,
    pub high: f64,
    /// Suggested Admiralty letter; F when the evidence is too thin.
    pub letter: char,
    /// Distinct claims the source has made.
    pub claims: u32,
    pub evidence: ReliabilityEvidence,
    #[serde(skip)]
    pub computed_at_ms: i64,
}

/// One point of the history chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    #[serde(skip)]
    pub at_ms: i64,
    pub reliability: f64,
    pub low: f64,
    pub high: f64,
    pub letter: char,
}

/// `GET /sources/{id}/reliability`.
#[derive(Debug, Clone)]
pub struct ReliabilityView {
    pub source_id: String,
    pub codename: String,
    /// `None` until the source has claims.
    pub current: Option<SourceEstimateView>,
    pub history: Vec<HistoryPoint>,
    /// The compartment's estimate is being updated after recent claims or outcomes: what is
    /// shown is the previous estimate's.
    pub updating: bool,
    /// Warning signs about the source (core's `warning_signs`), as of now.
    pub warnings: Vec<WarningSign>,
    /// The source's declared motivation, shown as context for judging the reporting; it
    /// changes no grade (product.md, "The cycle, as records").
    pub motivation: Option<humint_core::handling::Motivation>,
}

/// The evidence behind one claim's suggested digit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimAssessment {
    #[serde(skip)]
    pub claim_id: String,
    #[serde(skip)]
    pub digit: u8,
    /// The engine's probability that the claim is right.
    pub probability: f64,
    pub independent_corroborators: u32,
    pub dependent_corroborators: u32,
    pub contradictors: u32,
    /// The latest outcome recorded on the claim.
    pub outcome: Option<String>,
    /// The claim repeated what this outlet had already published: it is no evidence of its
    /// source's reliability and corroborates nobody.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echoes: Option<PressEcho>,
}

/// A report's suggestion and warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportAssessment {
    #[serde(skip)]
    pub report_id: String,
    /// Suggested source letter (the source's current estimate).
    #[serde(skip)]
    pub source_letter: Option<char>,
    /// Suggested information digit (the weakest judged claim); `None` for no claims.
    #[serde(skip)]
    pub digit: Option<u8>,
    /// Corroboration comes only from sources judged dependent on the reporting source.
    #[serde(skip)]
    pub circular: bool,
    /// The dependent sources that corroborate it (what the warning is about).
    pub corroborated_by_dependent: Vec<DependentSource>,
    /// Outlets (open press) its claims repeat or depend on, by their first items' ids:
    /// corroboration that is not independent either.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outlet_items: Vec<String>,
    /// Those outlets' names, filled in when read.
    #[serde(skip)]
    pub corroborated_by_outlets: Vec<String>,
    #[serde(skip)]
    pub claims: Vec<ClaimAssessment>,
    #[serde(skip)]
    pub computed_at_ms: Option<i64>,
    /// As [`ReliabilityView::updating`].
    #[serde(skip)]
    pub updating: bool,
}

/// A stored grade decision.
#[derive(Debug, Clone)]
pub struct GradeDecisionView {
    pub graded_by: String,
    pub graded_at_ms: i64,
    pub grade: String,
    pub suggested_source: Option<String>,
    pub suggested_information: Option<i64>,
    pub rationale: Option<String>,
}

#[derive(Serialize, Deserialize, PartialEq)]
struct HistoryDoc {
    reliability: f64,
    low: f64,
    high: f64,
    letter: char,
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn letter_of(g: Grade) -> char {
    g.letter()
}

fn damaged(what: &str) -> StationError {
    StationError::Io(format!("a stored {what} is damaged"))
}

/// Everything one estimate produces, before it is compared with what is stored.
struct Computed {
    estimates: BTreeMap<String, (char, SourceEstimateView)>,
    /// Per claim (in no particular order): its report and assessment.
    claims: Vec<(String, (String, ClaimAssessment))>,
    reports: BTreeMap<String, ReportAssessment>,
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

/// One decrypted claim as the engine sees it, with the rows it came from.
#[derive(Debug)]
pub(super) struct ClaimInfo {
    pub claim_id: String,
    pub report_id: String,
    pub source_id: String,
    pub object: String,
    pub value: String,
    /// The value's domain: the attribute, folded (every vehicle's colour is one domain).
    pub attribute: String,
    /// When the claim was recorded (who reported a value first).
    pub recorded_at_ms: i64,
}

/// A source's warning signs (core's `warning_signs`): outcomes and echoes as of its last
/// estimate (`evidence`), the volume of its reporting (`report_times`, since `since_ms`, its
/// registration) as of `now_ms`, since that changes with time alone.
pub(super) fn warning_signs(
    evidence: Option<&ReliabilityEvidence>,
    report_times: &[i64],
    since_ms: i64,
    now_ms: i64,
) -> Vec<WarningSign> {
    let mut out = Vec::new();
    if let Some(ev) = evidence {
        out.extend(signs::contradicted_by_outcomes(
            ev.outcomes_confirmed,
            ev.outcomes_refuted,
        ));
        out.extend(signs::echoes_earlier_reporting(&ev.echo));
        out.extend(signs::echoes_open_press(&ev.press));
    }
    out.extend(signs::volume_jump(report_times, since_ms, now_ms));
    out
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
/// read (not those that echo open press): their engine ids ([`engine_ids`]) and recording times.
fn echo_figures_by_source(
    claims: impl Iterator<Item = ((u32, u32, u32), i64)>,
) -> HashMap<u32, EchoFigures> {
    let mut first_claims: Vec<(u32, u32, u32, i64)> = claims
        .map(|((s, o, v), recorded_at_ms)| (o, v, s, recorded_at_ms))
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
            // First unless another source recorded the value strictly earlier.
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
    /// Runs the engine over one compartment and stores what changed (one transaction, one
    /// audit event), stamped `as_of`: the time of the latest write it answers. Returns without
    /// writing when nothing changed; says whether it wrote.
    pub(crate) async fn estimate_compartment(
        &self,
        p: &Principal,
        compartment_id: &str,
        compartment: &str,
        as_of: super::Instant,
    ) -> Result<bool, StationError> {
        let mut memo = self.reliability_lock().lock().await;
        let started = std::time::Instant::now();
        let prior = memo.take(compartment_id);
        let known = self.known_claims(compartment_id, prior.claims).await?;
        let computed = self.compute(compartment_id, &known.infos).await?;
        let computed_in = started.elapsed();
        let stored = self.stored_memo(compartment_id, prior.stored).await?;
        let now = as_of;
        let now_ms = now.timestamp_millis();
        let mut update = ReliabilityUpdate::default();

        for (source_id, (letter, view)) in &computed.estimates {
            let doc = serde_json::to_string(view).map_err(|_| damaged("estimate"))?;
            let before = stored.estimates.get(source_id);
            if before.is_some_and(|b| b.doc == doc) {
                continue;
            }
            let point = HistoryDoc {
                reliability: view.reliability,
                low: view.low,
                high: view.high,
                letter: *letter,
            };
            let moved = before
                .and_then(|b| serde_json::from_str::<SourceEstimateView>(&b.doc).ok())
                .is_none_or(|b| {
                    HistoryDoc {
                        reliability: b.reliability,
                        low: b.low,
                        high: b.high,
                        letter: b.letter,
                    } != point
                });
            if moved {
                update.history.push(HistoryRow {
                    id: new_id::<HistoryRow>(now, self.entropy()).to_string(),
                    source_id: source_id.clone(),
                    computed_at_ms: now_ms,
                    doc: serde_json::to_string(&point).map_err(|_| damaged("estimate"))?,
                });
            }
            update.estimates.push(EstimateRow {
                source_id: source_id.clone(),
                compartment_id: compartment_id.to_owned(),
                computed_at_ms: now_ms,
                letter: letter.to_string(),
                doc,
            });
        }

        for (claim_id, (report_id, a)) in &computed.claims {
            let doc = serde_json::to_string(a).map_err(|_| damaged("assessment"))?;
            let digit = i64::from(a.digit);
            if stored
                .claims
                .get(claim_id)
                .is_some_and(|b| b.doc == doc && b.digit == digit)
            {
                continue;
            }
            update.claims.push(ClaimAssessmentRow {
                claim_id: claim_id.clone(),
                report_id: report_id.clone(),
                compartment_id: compartment_id.to_owned(),
                computed_at_ms: now_ms,
                digit,
                doc,
            });
        }
        // Written in claim order, whatever order the claims were read in.
        update.claims.sort_by(|a, b| a.claim_id.cmp(&b.claim_id));

        for (report_id, a) in &computed.reports {
            let doc = serde_json::to_string(a).map_err(|_| damaged("assessment"))?;
            let digit = a.digit.map(i64::from);
            if stored
                .reports
                .get(report_id)
                .is_some_and(|b| b.doc == doc && b.digit == digit && b.circular == a.circular)
            {
                continue;
            }
            update.reports.push(ReportAssessmentRow {
                report_id: report_id.clone(),
                compartment_id: compartment_id.to_owned(),
                computed_at_ms: now_ms,
                digit,
                circular: a.circular,
                doc,
            });
        }

        if update == ReliabilityUpdate::default() {
            memo.put(
                compartment_id,
                super::reliability_memo::CompartmentMemo {
                    claims: Some(known),
                    stored: Some(stored),
                },
            );
            return Ok(false);
        }
        let audit = self.handling_audit(
            p,
            "reliability.estimate",
            "compartment",
            compartment_id,
            compartment,
        );
        let generation = self
            .store
            .save_reliability(compartment_id, &update, &audit)
            .await?;
        tracing::debug!(
            compartment,
            claims = computed.claims.len(),
            changed_sources = update.estimates.len(),
            changed_claims = update.claims.len(),
            changed_reports = update.reports.len(),
            compute_ms = computed_in.as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "reliability estimate stored"
        );
        memo.put(
            compartment_id,
            super::reliability_memo::CompartmentMemo {
                claims: Some(known),
                stored: stored.saved(&update, generation),
            },
        );
        Ok(true)
    }

    /// A claim row decrypted into what the engine reads.
    pub(super) fn claim_info(
        &self,
        r: humint_store::CompartmentClaimRow,
    ) -> Result<ClaimInfo, StationError> {
        let plain = self.decrypt_field("claims", "content", &r.claim_id, &r.content)?;
        let doc: StoredClaim = serde_json::from_slice(&plain).map_err(|_| damaged("claim"))?;
        Ok(ClaimInfo {
            object: rules::claim_object(&doc.subject, &doc.attribute),
            value: rules::fold_text(&doc.value),
            attribute: rules::fold_text(&doc.attribute),
            claim_id: r.claim_id,
            report_id: r.report_id,
            source_id: r.source_id,
            recorded_at_ms: r.recorded_at_ms,
        })
    }

    /// Runs the engine over the compartment's claims and outcomes, applies the core's rules.
    async fn compute(
        &self,
        compartment_id: &str,
        infos: &[ClaimInfo],
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
        // before the claim was recorded is left out of its source's input: it is evidence of
        // nothing the source knows (the earliest such item is the one it echoes).
        let items = self.press_items(compartment_id).await?;
        let mut published: HashMap<(&str, &str), &PressItem> = HashMap::new();
        for it in &items {
            published
                .entry((it.object.as_str(), it.value.as_str()))
                .or_insert(it);
        }
        let echo_of: Vec<Option<&PressItem>> = infos
            .iter()
            .map(|c| {
                published
                    .get(&(c.object.as_str(), c.value.as_str()))
                    .filter(|it| press_rules::echoes(it.published_at_ms, c.recorded_at_ms))
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
        for it in &items {
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
        for it in &items {
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
                    if outcome.is_some() || !same.is_empty() || !other.is_empty() {
                        ev.claims_judged += 1;
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
                        outcome: outcome.map(|v| super::convert::name(&v)),
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
                .filter_map(|((&(s, o, v), c), _)| s.map(|s| ((s, o, v), c.recorded_at_ms))),
        );

        // Per source: the engine's estimate with the evidence (outlets have none).
        let mut estimates = BTreeMap::new();
        for (s, e) in estimate.sources.iter().enumerate() {
            let s = s as u32;
            if is_outlet(s) {
                continue;
            }
            let mut ev = evidence.remove(&s).unwrap_or_default();
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

    /// A source's current suggestion and its history (anyone who may read the source).
    pub async fn source_reliability(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<ReliabilityView, StationError> {
        let source = self.source_row(source_id).await?;
        access::check(p, &source, READERS, "see source reliability")?;
        let current = match self.store.reliability_estimate(source_id).await? {
            Some(row) => {
                let mut v: SourceEstimateView =
                    serde_json::from_str(&row.doc).map_err(|_| damaged("estimate"))?;
                v.computed_at_ms = row.computed_at_ms;
                if !v.evidence.dependent_outlets.is_empty() {
                    let names = self.outlet_names(&source.compartment_id).await?;
                    for d in &mut v.evidence.dependent_outlets {
                        d.outlet = names.get(&d.item_id).cloned().unwrap_or_default();
                    }
                }
                Some(v)
            }
            None => None,
        };
        let history = self
            .store
            .reliability_history(source_id)
            .await?
            .into_iter()
            .map(|h| {
                let d: HistoryDoc =
                    serde_json::from_str(&h.doc).map_err(|_| damaged("estimate"))?;
                Ok(HistoryPoint {
                    at_ms: h.computed_at_ms,
                    reliability: d.reliability,
                    low: d.low,
                    high: d.high,
                    letter: d.letter,
                })
            })
            .collect::<Result<_, StationError>>()?;
        let now_ms = self.clock().now().timestamp_millis();
        let times = self
            .store
            .source_report_times(source_id, signs::volume_record_start(now_ms))
            .await?;
        let warnings = warning_signs(
            current.as_ref().map(|c| &c.evidence),
            &times,
            source.created_at_ms,
            now_ms,
        );
        Ok(ReliabilityView {
            source_id: source.id.clone(),
            codename: source.codename.clone(),
            current,
            history,
            updating: self.reliability_updating(&source.compartment_id),
            warnings,
            motivation: super::sources::motivation_of(&source)?,
        })
    }

    /// A source's warning signs as of now (anyone who may read the source), without the rest
    /// of its reliability view: for pages that show the signs beside something else.
    pub async fn source_warning_signs(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<Vec<WarningSign>, StationError> {
        let source = self.source_row(source_id).await?;
        access::check(p, &source, READERS, "see source reliability")?;
        let id = source.id.clone();
        Ok(self
            .listed_reliability(&[source])
            .await?
            .remove(&id)
            .map(|l| l.warnings)
            .unwrap_or_default())
    }

    /// A report's suggested grade, per-claim digits and circular-reporting warning (anyone who
    /// may read the report).
    pub async fn report_assessment(
        &self,
        p: &Principal,
        report_id: &str,
    ) -> Result<ReportAssessment, StationError> {
        let report = self.report_row(report_id).await?;
        let source = self.source_row(&report.source_id).await?;
        access::check(p, &source, READERS, "see reports")?;
        let mut a = self.assessment_of(&report).await?;
        a.updating = self.reliability_updating(&source.compartment_id);
        Ok(a)
    }

    pub(crate) async fn assessment_of(
        &self,
        report: &ReportRow,
    ) -> Result<ReportAssessment, StationError> {
        let source_letter = self
            .store
            .reliability_estimate(&report.source_id)
            .await?
            .and_then(|e| e.letter.chars().next());
        let claims = self
            .store
            .claim_assessments(&report.id)
            .await?
            .into_iter()
            .map(|row| {
                let mut a: ClaimAssessment =
                    serde_json::from_str(&row.doc).map_err(|_| damaged("assessment"))?;
                a.claim_id = row.claim_id;
                a.digit = u8::try_from(row.digit).map_err(|_| damaged("assessment"))?;
                Ok(a)
            })
            .collect::<Result<Vec<_>, StationError>>()?;
        let mut a = match self.store.report_assessment(&report.id).await? {
            Some(row) => {
                let mut a: ReportAssessment =
                    serde_json::from_str(&row.doc).map_err(|_| damaged("assessment"))?;
                a.report_id = row.report_id;
                a.digit = row.digit.and_then(|d| u8::try_from(d).ok());
                a.circular = row.circular;
                a.source_letter = source_letter;
                a.claims = claims;
                a.computed_at_ms = Some(row.computed_at_ms);
                a
            }
            None => ReportAssessment {
                report_id: report.id.clone(),
                source_letter,
                digit: None,
                circular: false,
                corroborated_by_dependent: Vec::new(),
                outlet_items: Vec::new(),
                corroborated_by_outlets: Vec::new(),
                claims,
                computed_at_ms: None,
                updating: false,
            },
        };
        // Outlets are stored as item ids: named here, for this reader, from the items'
        // envelopes.
        if !a.outlet_items.is_empty() || a.claims.iter().any(|c| c.echoes.is_some()) {
            let source = self.source_row(&report.source_id).await?;
            let names = self.outlet_names(&source.compartment_id).await?;
            let name = |id: &str| names.get(id).cloned().unwrap_or_default();
            let mut outlets: Vec<String> = a.outlet_items.iter().map(|id| name(id)).collect();
            outlets.sort();
            outlets.dedup();
            a.corroborated_by_outlets = outlets;
            for c in &mut a.claims {
                if let Some(e) = &mut c.echoes {
                    e.outlet = name(&e.item_id);
                }
            }
        }
        Ok(a)
    }

    async fn report_row(&self, id: &str) -> Result<ReportRow, StationError> {
        use humint_store::HandlingStore as _;
        self.store
            .report(id)
            .await?
            .ok_or(StationError::NotFound { what: "report" })
    }

    /// The decision record for an Admiralty grade: the core checks it against the current
    /// suggestion (a departure needs its rationale); the rationale is encrypted.
    pub(crate) async fn grade_decision(
        &self,
        p: &Principal,
        report: &ReportRow,
        source: SourceReliability,
        information: InformationCredibility,
        rationale: Option<&str>,
    ) -> Result<GradeDecisionRow, StationError> {
        let a = self.assessment_of(report).await?;
        let suggested = Suggestion {
            source: a.source_letter.and_then(SourceReliability::from_letter),
            information: a.digit.and_then(InformationCredibility::from_digit),
        };
        let rationale = rules::check_grade_rationale(source, information, &suggested, rationale)?;
        if let Some(r) = &rationale {
            super::text("rationale", r, super::LONG)?;
        }
        let now = self.clock().now();
        let id = new_id::<GradeDecisionRow>(now, self.entropy()).to_string();
        let rationale = match rationale {
            Some(r) => {
                Some(self.encrypt_field("grade_decisions", "rationale", &id, r.as_bytes())?)
            }
            None => None,
        };
        Ok(GradeDecisionRow {
            id,
            report_id: report.id.clone(),
            graded_by: p.user_id.clone(),
            graded_at_ms: now.timestamp_millis(),
            source_grade: source.letter().to_string(),
            info_grade: i64::from(information.digit()),
            suggested_source: suggested.source.map(|s| s.letter().to_string()),
            suggested_info: suggested.information.map(|i| i64::from(i.digit())),
            rationale,
        })
    }

    /// A report's grade decisions with their rationales (anyone who may read the report).
    pub async fn grade_decisions(
        &self,
        p: &Principal,
        report_id: &str,
    ) -> Result<Vec<GradeDecisionView>, StationError> {
        let report = self.report_row(report_id).await?;
        let source = self.source_row(&report.source_id).await?;
        access::check(p, &source, READERS, "see reports")?;
        self.store
            .grade_decisions(report_id)
            .await?
            .into_iter()
            .map(|d| {
                let rationale = match &d.rationale {
                    Some(blob) => {
                        let plain =
                            self.decrypt_field("grade_decisions", "rationale", &d.id, blob)?;
                        Some(String::from_utf8(plain.to_vec()).map_err(|_| damaged("rationale"))?)
                    }
                    None => None,
                };
                Ok(GradeDecisionView {
                    graded_by: d.graded_by,
                    graded_at_ms: d.graded_at_ms,
                    grade: format!("{}{}", d.source_grade, d.info_grade),
                    suggested_source: d.suggested_source,
                    suggested_information: d.suggested_info,
                    rationale,
                })
            })
            .collect()
    }
}
