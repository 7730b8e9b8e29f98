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
use super::open_press::PressEcho;
use crate::{Principal, Station, StationError};
use humint_core::handling::grading::{InformationCredibility, SourceReliability};
use humint_core::handling::reliability::{self as rules, Suggestion};
use humint_core::handling::warning_signs::{self as signs, EchoFigures, PressFigures, WarningSign};
use humint_core::new_id;
use humint_store::{
    ClaimAssessmentRow, EstimateRow, GradeDecisionRow, HistoryRow, ReliabilityStore as _,
    ReliabilityUpdate, ReportAssessmentRow, ReportRow,
};
use humint_validation::Grade;
use serde::{Deserialize, Serialize};

mod compute;

/// A claim's content as the report service stores it (encrypted).
#[derive(Deserialize)]
struct StoredClaim {
    subject: String,
    attribute: String,
    value: String,
}

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
    /// Claims that could be checked: an outcome, or another source on the same subject when
    /// the sources linked by shared subjects (an outcome counting as one more) are three or
    /// more (the engine's `SourceEstimate::checked`; two sources alone cannot be told apart).
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
    /// When its source reported it (its report's `reported_at`): who reported a value first,
    /// and whether it followed open press. Not when it was written here (an imported
    /// register's claims are all written at once).
    pub reported_at_ms: i64,
}

/// A source's warning signs (core's `warning_signs`): outcomes and echoes as of its last
/// estimate (`evidence`), the volume of its reporting (`report_times`, when the source
/// reported, since `since_ms`, its registration) as of `now_ms`, since that changes with time
/// alone. A report dated before the registration (an imported register) shows that the
/// record began earlier: it begins at the earliest time read (the store's reads include the
/// latest report before the period they cover, for this).
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
    let since_ms = report_times.iter().copied().fold(since_ms, i64::min);
    out.extend(signs::volume_jump(report_times, since_ms, now_ms));
    out
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
        let press = self.known_press(compartment_id, prior.press).await?;
        let computed = self
            .compute(compartment_id, &known.infos, &press.items)
            .await?;
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
                    press: Some(press),
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
                press: Some(press),
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
            reported_at_ms: r.reported_at_ms,
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
