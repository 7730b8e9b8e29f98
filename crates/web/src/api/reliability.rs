//! Whom to believe, over the API (issue 4): a source's suggested reliability with its interval,
//! evidence and history; a report's suggested grade, each claim's suggested credibility and the
//! circular-reporting warning; and the grade decisions made against those suggestions. Everyone
//! who may read the source may read these (analysts included: they carry no identity).

use super::handling::ms;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use humint_core::handling::grading::{InformationCredibility, SourceReliability};
use humint_station::handling::{DependentSource, ReportAssessment, SourceEstimateView};
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sources/{id}/reliability", get(source_reliability))
        .route("/reports/{id}/assessment", get(report_assessment))
        .route("/reports/{id}/grade-decisions", get(grade_decisions))
        .route(
            "/compartments/{name}/dependence",
            get(compartment_dependence),
        )
}

#[derive(Serialize, ToSchema)]
pub struct DependentSourceBody {
    pub source_id: String,
    pub codename: String,
    /// The engine's probability that the two sources are dependent.
    pub probability: f64,
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceBody {
    /// Claims other sources corroborate and the estimate believes.
    pub claims_agreeing: u32,
    /// Claims the estimate does not believe.
    pub claims_contradicted: u32,
    pub outcomes_confirmed: u32,
    pub outcomes_refuted: u32,
    /// Claims that could be checked (an outcome, or another source on the subject among at
    /// least three linked views); below 8 the letter is F.
    pub claims_judged: u32,
    /// Sources judged dependent on this one (copying, a shared sub-source), most probable first.
    pub dependent_sources: Vec<DependentSourceBody>,
    /// How often the source was first to report what other sources also reported.
    pub first_reports: FirstReportsBody,
    /// How many of its claims repeated what open press had already published (they earn it
    /// nothing), of all its claims.
    pub open_press: OpenPressBody,
    /// Outlets (open press, never sources) its other claims look dependent on.
    pub dependent_outlets: Vec<DependentOutletBody>,
}

#[derive(Serialize, ToSchema)]
pub struct OpenPressBody {
    /// Claims that repeated an item published at or before they were recorded.
    pub echoed: u32,
    /// All the source's claims (counted when any echoed; else 0).
    pub claims: u32,
}

#[derive(Serialize, ToSchema)]
pub struct DependentOutletBody {
    pub outlet: String,
    /// The engine's probability that the source's reporting and the outlet's are dependent.
    pub probability: f64,
}

#[derive(Serialize, ToSchema)]
pub struct PressEchoBody {
    pub outlet: String,
    pub published_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct FirstReportsBody {
    /// Values the source reported that other sources also reported.
    pub corroborated: u32,
    /// Of those, how many it reported before any other source.
    pub first: u32,
    /// How many it would have been first with were the order chance.
    pub expected_first: f64,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionBody {
    /// Suggested Admiralty letter A-F; F when the evidence is too thin to judge.
    pub letter: String,
    pub label: String,
    /// Expected share of the source's claims that are right.
    pub reliability: f64,
    /// 95 % interval of the reliability.
    pub low: f64,
    pub high: f64,
    /// Distinct claims the estimate rests on.
    pub claims: u32,
    /// The engine's model (`auto:<model>`).
    pub method: String,
    pub computed_at: String,
    pub evidence: EvidenceBody,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryPointBody {
    pub at: String,
    pub reliability: f64,
    pub low: f64,
    pub high: f64,
    pub letter: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReliabilityBody {
    pub source_id: String,
    pub codename: String,
    /// Absent until the source has made claims.
    pub suggestion: Option<SuggestionBody>,
    /// Every change of the estimate, oldest first.
    pub history: Vec<HistoryPointBody>,
    /// True while the estimate is being updated after recent claims or outcomes (within
    /// seconds): the figures are the previous estimate's.
    pub updating: bool,
    /// Warning signs about the source: reasons to look again, never findings.
    pub warnings: Vec<WarningBody>,
    /// The source's declared motivation (ideology, money, recognition, conscience, other),
    /// null when not recorded: context for judging the reporting; it changes no grade.
    pub motivation: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WarningBody {
    /// CONTRADICTED_BY_OUTCOMES, VOLUME_JUMP, ECHOES_EARLIER_REPORTING or ECHOES_OPEN_PRESS.
    pub code: String,
    /// A sentence for the officer, with the figures behind the sign.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimAssessmentBody {
    pub claim_id: String,
    /// Suggested information credibility 1-6.
    pub credibility: u8,
    pub label: String,
    /// The engine's probability that the claim is right.
    pub probability: f64,
    pub independent_corroborators: u32,
    pub dependent_corroborators: u32,
    pub contradictors: u32,
    /// The latest outcome recorded on the claim (confirmed or refuted).
    pub outcome: Option<String>,
    /// The claim repeated what this outlet had already published: no evidence of its source's
    /// reliability, and no corroboration of anyone.
    pub echoes_open_press: Option<PressEchoBody>,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentBody {
    pub report_id: String,
    /// Suggested Admiralty grade such as "B2", when both parts can be suggested.
    pub suggested_grade: Option<String>,
    pub source_reliability: Option<String>,
    pub information_credibility: Option<u8>,
    /// Corroboration comes only from sources judged dependent on the reporting source.
    pub circular_reporting: bool,
    /// A sentence for the officer when the corroboration is circular.
    pub warning: Option<String>,
    pub corroborated_by_dependent: Vec<DependentSourceBody>,
    /// Outlets (open press) the report's claims repeat or depend on.
    pub corroborated_by_outlets: Vec<String>,
    pub claims: Vec<ClaimAssessmentBody>,
    pub computed_at: Option<String>,
    /// True while the estimate is being updated after recent claims or outcomes (within
    /// seconds): the figures are the previous estimate's.
    pub updating: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GradeDecisionBody {
    /// The grade decided, such as "B2".
    pub grade: String,
    pub graded_by: String,
    pub graded_at: String,
    pub suggested_source_reliability: Option<String>,
    pub suggested_information_credibility: Option<i64>,
    /// Why the decision departs from the suggestion.
    pub rationale: Option<String>,
}

fn dependent_body(d: &DependentSource) -> DependentSourceBody {
    DependentSourceBody {
        source_id: d.source_id.clone(),
        codename: d.codename.clone(),
        probability: d.probability,
    }
}

fn suggestion_body(v: &SourceEstimateView) -> SuggestionBody {
    SuggestionBody {
        letter: v.letter.to_string(),
        label: SourceReliability::from_letter(v.letter)
            .map(|r| r.label().to_owned())
            .unwrap_or_default(),
        reliability: v.reliability,
        low: v.low,
        high: v.high,
        claims: v.claims,
        method: v.method.clone(),
        computed_at: ms(v.computed_at_ms),
        evidence: EvidenceBody {
            claims_agreeing: v.evidence.claims_agreeing,
            claims_contradicted: v.evidence.claims_contradicted,
            outcomes_confirmed: v.evidence.outcomes_confirmed,
            outcomes_refuted: v.evidence.outcomes_refuted,
            claims_judged: v.evidence.claims_judged,
            dependent_sources: v
                .evidence
                .dependent_sources
                .iter()
                .map(dependent_body)
                .collect(),
            first_reports: FirstReportsBody {
                corroborated: v.evidence.echo.corroborated,
                first: v.evidence.echo.first,
                expected_first: v.evidence.echo.expected_first,
            },
            open_press: OpenPressBody {
                echoed: v.evidence.press.echoed,
                claims: v.evidence.press.claims,
            },
            dependent_outlets: v
                .evidence
                .dependent_outlets
                .iter()
                .map(|d| DependentOutletBody {
                    outlet: d.outlet.clone(),
                    probability: d.probability,
                })
                .collect(),
        },
    }
}

/// A source's suggested reliability: letter, interval, evidence, method and history.
#[utoipa::path(get, path = "/api/v1/sources/{id}/reliability", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ReliabilityBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn source_reliability(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<ReliabilityBody>> {
    let v = state
        .station
        .source_reliability(&auth.principal, &id)
        .await?;
    Ok(Json(ReliabilityBody {
        source_id: v.source_id,
        codename: v.codename,
        suggestion: v.current.as_ref().map(suggestion_body),
        history: v
            .history
            .iter()
            .map(|h| HistoryPointBody {
                at: ms(h.at_ms),
                reliability: h.reliability,
                low: h.low,
                high: h.high,
                letter: h.letter.to_string(),
            })
            .collect(),
        updating: v.updating,
        warnings: v
            .warnings
            .iter()
            .map(|w| WarningBody {
                code: w.code().to_owned(),
                message: w.message(),
            })
            .collect(),
        motivation: v.motivation.map(|m| m.as_str().to_owned()),
    }))
}

fn assessment_body(a: &ReportAssessment) -> AssessmentBody {
    let info = a.digit;
    AssessmentBody {
        report_id: a.report_id.clone(),
        suggested_grade: match (a.source_letter, info) {
            (Some(l), Some(d)) => Some(format!("{l}{d}")),
            _ => None,
        },
        source_reliability: a.source_letter.map(|l| l.to_string()),
        information_credibility: info,
        circular_reporting: a.circular,
        warning: a.circular.then(|| {
            let names: Vec<&str> = a
                .corroborated_by_dependent
                .iter()
                .map(|d| d.codename.as_str())
                .collect();
            let press = a.corroborated_by_outlets.join(", ");
            match (names.is_empty(), press.is_empty()) {
                (false, true) => format!(
                    "Possible circular reporting: this report is corroborated only by sources judged dependent on its source ({}); do not count their agreement as independent confirmation.",
                    names.join(", ")
                ),
                (true, false) => format!(
                    "Possible circular reporting: this report's only corroboration is open press its claims repeat or depend on ({press}); do not count it as independent confirmation."
                ),
                _ => format!(
                    "Possible circular reporting: this report is corroborated only by sources judged dependent on its source ({}) and by open press its claims repeat or depend on ({press}); do not count their agreement as independent confirmation.",
                    names.join(", ")
                ),
            }
        }),
        corroborated_by_dependent: a
            .corroborated_by_dependent
            .iter()
            .map(dependent_body)
            .collect(),
        corroborated_by_outlets: a.corroborated_by_outlets.clone(),
        claims: a
            .claims
            .iter()
            .map(|c| ClaimAssessmentBody {
                claim_id: c.claim_id.clone(),
                credibility: c.digit,
                label: InformationCredibility::from_digit(c.digit)
                    .map(|i| i.label().to_owned())
                    .unwrap_or_default(),
                probability: c.probability,
                independent_corroborators: c.independent_corroborators,
                dependent_corroborators: c.dependent_corroborators,
                contradictors: c.contradictors,
                outcome: c.outcome.clone(),
                echoes_open_press: c.echoes.as_ref().map(|e| PressEchoBody {
                    outlet: e.outlet.clone(),
                    published_at: ms(e.published_at_ms),
                }),
            })
            .collect(),
        computed_at: a.computed_at_ms.map(ms),
        updating: a.updating,
    }
}

/// A report's suggested grade, each claim's suggested credibility and the circular-reporting
/// warning.
#[utoipa::path(get, path = "/api/v1/reports/{id}/assessment", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = AssessmentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn report_assessment(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<AssessmentBody>> {
    let a = state
        .station
        .report_assessment(&auth.principal, &id)
        .await?;
    Ok(Json(assessment_body(&a)))
}

/// A report's grade decisions, each with the suggestion it was made against and its rationale.
#[utoipa::path(get, path = "/api/v1/reports/{id}/grade-decisions", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<GradeDecisionBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn grade_decisions(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<GradeDecisionBody>>> {
    let ds = state.station.grade_decisions(&auth.principal, &id).await?;
    Ok(Json(
        ds.into_iter()
            .map(|d| GradeDecisionBody {
                grade: d.grade,
                graded_by: d.graded_by,
                graded_at: ms(d.graded_at_ms),
                suggested_source_reliability: d.suggested_source,
                suggested_information_credibility: d.suggested_information,
                rationale: d.rationale,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct GroupMemberBody {
    pub source_id: String,
    pub codename: String,
    /// The source's suggested letter, if it has an estimate.
    pub letter: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DependentPairBody {
    pub source_a: String,
    pub source_b: String,
    /// The engine's probability that the two sources are dependent.
    pub probability: f64,
}

#[derive(Serialize, ToSchema)]
pub struct DependenceGroupBody {
    /// Sources linked by dependence, directly or through one another, in id order.
    pub sources: Vec<GroupMemberBody>,
    /// Each pair judged dependent, most probable first.
    pub pairs: Vec<DependentPairBody>,
}

#[derive(Serialize, ToSchema)]
pub struct DependenceBody {
    pub compartment: String,
    /// Largest first; a source in no dependent pair is in no group.
    pub groups: Vec<DependenceGroupBody>,
    /// Sources with a current estimate, the ones the groups are drawn from.
    pub sources_estimated: usize,
    /// An estimate of the compartment is under way: the groups may be about to change.
    pub updating: bool,
}

/// The groups of a compartment's sources whose reporting is judged dependent (copying, a
/// shared sub-source): corroboration inside a group is one line of reporting, not several.
#[utoipa::path(get, path = "/api/v1/compartments/{name}/dependence", params(("name" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = DependenceBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn compartment_dependence(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(name): Path<String>,
) -> ApiResult<Json<DependenceBody>> {
    let v = state
        .station
        .compartment_dependence(&auth.principal, &name)
        .await?;
    Ok(Json(DependenceBody {
        compartment: v.compartment,
        groups: v
            .groups
            .into_iter()
            .map(|g| DependenceGroupBody {
                sources: g
                    .sources
                    .into_iter()
                    .map(|m| GroupMemberBody {
                        source_id: m.source_id,
                        codename: m.codename,
                        letter: m.letter.map(|l| l.to_string()),
                    })
                    .collect(),
                pairs: g
                    .pairs
                    .into_iter()
                    .map(|p| DependentPairBody {
                        source_a: p.source_a,
                        source_b: p.source_b,
                        probability: p.probability,
                    })
                    .collect(),
            })
            .collect(),
        sources_estimated: v.sources_estimated,
        updating: v.updating,
    }))
}
