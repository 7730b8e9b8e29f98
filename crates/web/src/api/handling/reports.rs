//! Reports: metadata, grading, claims, disseminations and outcomes for readers (analysts
//! included); the debrief text through its own audited endpoint.

use super::{PageOf, PageQuery, instant, ms, opt_instant, opt_ms, page, page_of};
use crate::AppState;
use crate::api::JsonBody;
use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use humint_core::handling::grading::{OutcomeMeans, OutcomeVerdict};
use humint_station::StationError;
use humint_station::handling::{
    ClaimInput, ClaimView, DisseminationInput, GradeInput, GradingRow, ReportInput, ReportRow,
    ReportView,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub observed_at: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    pub contact_id: Option<String>,
    pub requirement_id: Option<String>,
    /// The debrief; encrypted at rest.
    pub text: String,
    #[serde(default)]
    pub claims: Vec<ClaimRequest>,
    /// When the source gave the information (RFC 3339); absent: now. Never in the future
    /// (`REPORTED_AT_IN_FUTURE`), nor before the contact it reports (`REPORTED_BEFORE_CONTACT`).
    pub reported_at: Option<String>,
}

/// One report of a register being imported: no contact or requirement link.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedReportRequest {
    pub source_id: String,
    /// When the source gave the information (RFC 3339); required, never in the future.
    pub reported_at: String,
    /// The debrief; encrypted at rest.
    pub text: String,
    #[serde(default)]
    pub claims: Vec<ClaimRequest>,
}

/// A register of reports imported at once: at most 2,000, all written or none.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub reports: Vec<ImportedReportRequest>,
}

/// The new reports' ids, in the order they were given.
#[derive(Serialize, ToSchema)]
pub struct ImportBody {
    pub report_ids: Vec<String>,
}

/// A grade under one scheme; source and information decided independently, never converted.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeRequest {
    /// `3x5x2` (the default), `5x5x5` or `admiralty`. When absent and the Admiralty fields
    /// `source_reliability` / `information_credibility` are used (older clients), `admiralty`.
    pub scheme: Option<String>,
    /// The source's grade: 3x5x2 1-3, 5x5x5 A-E, Admiralty A-F.
    pub source: Option<String>,
    /// The information's grade: 3x5x2 A-E, 5x5x5 1-5, Admiralty 1-6.
    pub information: Option<String>,
    /// Admiralty A-F (older clients; same as `source` with scheme `admiralty`).
    pub source_reliability: Option<String>,
    /// Admiralty 1-6 (older clients; same as `information` with scheme `admiralty`).
    pub information_credibility: Option<u8>,
    /// 3x5x2 P or C; 5x5x5 1-5; Admiralty free text.
    pub handling_code: String,
    /// Required with 3x5x2 code C and 5x5x5 codes 3 and 5.
    pub handling_conditions: Option<String>,
    /// Why the grade departs from the suggestion (`GET /reports/{id}/assessment`); required
    /// when it does.
    pub rationale: Option<String>,
}

/// One grading of a report, as the scheme writes it.
#[derive(Serialize, ToSchema)]
pub struct GradingBody {
    pub scheme: String,
    pub source: String,
    pub information: String,
    pub handling_code: String,
    pub handling_conditions: Option<String>,
    pub graded_by: String,
    pub graded_at: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisseminationRequest {
    pub recipient: String,
    pub handling_code: String,
    #[serde(default)]
    pub sanitised: bool,
    /// When it happened (RFC 3339), if recorded after the fact; absent: now. Never in the
    /// future nor before its source reported it (`reported_at`).
    pub disseminated_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// confirmed or refuted.
    #[schema(value_type = String)]
    pub verdict: OutcomeVerdict,
    /// another_source, technical_collection, events or open_source.
    #[schema(value_type = String)]
    pub means: OutcomeMeans,
    pub established_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OutcomeBody {
    pub id: String,
    pub verdict: String,
    pub means: String,
    pub established_at: String,
    pub recorded_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimBody {
    pub id: String,
    pub report_id: String,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub observed_at: String,
    pub outcomes: Vec<OutcomeBody>,
}

#[derive(Serialize, ToSchema)]
pub struct DisseminationBody {
    pub id: String,
    pub recipient: String,
    pub handling_code: String,
    pub sanitised: bool,
    pub disseminated_by: String,
    pub disseminated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportBody {
    pub id: String,
    pub source_id: String,
    pub contact_id: Option<String>,
    pub requirement_id: Option<String>,
    /// draft, graded or disseminated.
    pub status: String,
    /// Admiralty grade such as "B2" once graded.
    pub grade: Option<String>,
    pub source_reliability: Option<String>,
    pub information_credibility: Option<i64>,
    pub handling_code: Option<String>,
    pub graded_by: Option<String>,
    pub graded_at: Option<String>,
    pub created_by: String,
    /// When the report was written into the station.
    pub created_at: String,
    /// When the source gave the information (the report's time for validation).
    pub reported_at: String,
    /// Present on single-report views.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<ClaimBody>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disseminations: Option<Vec<DisseminationBody>>,
    /// The current grading under its scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grading: Option<GradingBody>,
    /// Every grading, oldest first (single-report views).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grading_history: Option<Vec<GradingBody>>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportTextBody {
    pub text: String,
}

fn row_body(r: &ReportRow) -> ReportBody {
    ReportBody {
        id: r.id.clone(),
        source_id: r.source_id.clone(),
        contact_id: r.contact_id.clone(),
        requirement_id: r.requirement_id.clone(),
        status: r.status.clone(),
        grade: match (&r.source_grade, r.info_grade) {
            (Some(s), Some(i)) => Some(format!("{s}{i}")),
            _ => None,
        },
        source_reliability: r.source_grade.clone(),
        information_credibility: r.info_grade,
        handling_code: r.handling_code.clone(),
        graded_by: r.graded_by.clone(),
        graded_at: opt_ms(r.graded_at_ms),
        created_by: r.created_by.clone(),
        created_at: ms(r.created_at_ms),
        reported_at: ms(r.reported_at_ms),
        codename: None,
        claims: None,
        disseminations: None,
        grading: None,
        grading_history: None,
    }
}

fn grading_body(g: &GradingRow) -> GradingBody {
    GradingBody {
        scheme: g.scheme.clone(),
        source: g.source_code.clone(),
        information: g.information_code.clone(),
        handling_code: g.handling_code.clone(),
        handling_conditions: g.conditions.clone(),
        graded_by: g.graded_by.clone(),
        graded_at: ms(g.graded_at_ms),
    }
}

pub(crate) fn claim_body(c: &ClaimView) -> ClaimBody {
    ClaimBody {
        id: c.id.clone(),
        report_id: c.report_id.clone(),
        subject: c.subject.clone(),
        attribute: c.attribute.clone(),
        value: c.value.clone(),
        observed_at: ms(c.observed_at_ms),
        outcomes: c
            .outcomes
            .iter()
            .map(|o| OutcomeBody {
                id: o.id.clone(),
                verdict: o.verdict.clone(),
                means: o.means.clone(),
                established_at: ms(o.established_at_ms),
                recorded_by: o.recorded_by.clone(),
            })
            .collect(),
    }
}

pub(crate) fn view_body(v: &ReportView) -> ReportBody {
    ReportBody {
        codename: Some(v.codename.clone()),
        claims: Some(v.claims.iter().map(claim_body).collect()),
        disseminations: Some(
            v.disseminations
                .iter()
                .map(|d| DisseminationBody {
                    id: d.id.clone(),
                    recipient: d.recipient.clone(),
                    handling_code: d.handling_code.clone(),
                    sanitised: d.sanitised,
                    disseminated_by: d.disseminated_by.clone(),
                    disseminated_at: ms(d.disseminated_at_ms),
                })
                .collect(),
        ),
        grading: v.gradings.last().map(grading_body),
        grading_history: Some(v.gradings.iter().map(grading_body).collect()),
        ..row_body(&v.row)
    }
}

fn claim_input(c: ClaimRequest) -> ApiResult<ClaimInput> {
    Ok(ClaimInput {
        subject: c.subject,
        attribute: c.attribute,
        value: c.value,
        observed_at: instant("observed_at", &c.observed_at)?,
    })
}

/// File a debrief report on a source (handler or controller), with its claims.
#[utoipa::path(post, path = "/api/v1/sources/{id}/reports", params(("id" = String, Path)), request_body = ReportRequest, security(("bearer" = [])),
    responses((status = 201, body = ReportBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ReportRequest>,
) -> ApiResult<(StatusCode, Json<ReportBody>)> {
    let input = ReportInput {
        contact_id: req.contact_id,
        requirement_id: req.requirement_id,
        text: req.text,
        claims: req
            .claims
            .into_iter()
            .map(claim_input)
            .collect::<ApiResult<_>>()?,
        reported_at: opt_instant("reported_at", &req.reported_at)?,
    };
    let v = state
        .station
        .add_report(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(view_body(&v))))
}

/// Import a register of historic reports (handler or controller of each report's source): at
/// most 2,000 reports, each with the time its source reported; all are filed in one
/// transaction, or none (`IMPORT_TOO_LARGE`; a refused report is named by its position).
#[utoipa::path(post, path = "/api/v1/reports/import", request_body = ImportRequest, security(("bearer" = [])),
    responses((status = 201, body = ImportBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<ImportRequest>,
) -> ApiResult<(StatusCode, Json<ImportBody>)> {
    let total = req.reports.len();
    let mut reports = Vec::with_capacity(total);
    for (n, r) in req.reports.into_iter().enumerate() {
        // A time or claim that does not parse names its report, as the station's refusals do.
        let at = |e: ApiError| ApiError {
            message: format!(
                "report {} of the {total} in the import: {}",
                n + 1,
                e.message
            ),
            ..e
        };
        let claims = r
            .claims
            .into_iter()
            .map(claim_input)
            .collect::<ApiResult<_>>()
            .map_err(at)?;
        let input = ReportInput {
            contact_id: None,
            requirement_id: None,
            text: r.text,
            claims,
            reported_at: Some(instant("reported_at", &r.reported_at).map_err(at)?),
        };
        reports.push((r.source_id, input));
    }
    let report_ids = state
        .station
        .import_reports(&auth.principal, reports)
        .await?;
    Ok((StatusCode::CREATED, Json(ImportBody { report_ids })))
}

/// A source's reports (metadata and grading), paged.
#[utoipa::path(get, path = "/api/v1/sources/{id}/reports", params(("id" = String, Path), PageQuery), security(("bearer" = [])),
    responses((status = 200, body = PageOf<ReportBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<PageOf<ReportBody>>> {
    let pg = page(&q)?;
    let limit = pg.limit;
    let rows = state
        .station
        .reports_with_grading(&auth.principal, &id, pg)
        .await?;
    Ok(Json(page_of(
        rows.iter()
            .map(|(r, g)| ReportBody {
                grading: g.as_ref().map(grading_body),
                ..row_body(r)
            })
            .collect(),
        limit,
        |r| r.id.clone(),
    )))
}

/// One report: grading, claims, disseminations; never its text.
#[utoipa::path(get, path = "/api/v1/reports/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ReportBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<ReportBody>> {
    let v = state.station.report(&auth.principal, &id).await?;
    Ok(Json(view_body(&v)))
}

/// The debrief text (audited; never for analysts).
#[utoipa::path(get, path = "/api/v1/reports/{id}/text", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = ReportTextBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn text(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<ReportTextBody>> {
    let text = state.station.report_text(&auth.principal, &id).await?;
    Ok(Json(ReportTextBody { text }))
}

/// Grade or regrade a report under a scheme (3x5x2 by default; 5x5x5; admiralty): source and
/// information independently; every grading kept with its evaluator and time.
#[utoipa::path(post, path = "/api/v1/reports/{id}/grading", params(("id" = String, Path)), request_body = GradeRequest, security(("bearer" = [])),
    responses((status = 200, body = ReportBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grade(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<GradeRequest>,
) -> ApiResult<Json<ReportBody>> {
    let legacy = req.source_reliability.is_some() || req.information_credibility.is_some();
    let scheme = match req.scheme {
        Some(s) => Some(s),
        None if legacy => Some("admiralty".to_owned()),
        None => None,
    };
    let required = |field: &str| {
        ApiError::from(StationError::invalid(
            "FIELD_REQUIRED",
            format!("{field} is required: the source and the information are graded separately"),
        ))
    };
    let input = GradeInput {
        scheme,
        source: req
            .source
            .or(req.source_reliability)
            .ok_or_else(|| required("source"))?,
        information: req
            .information
            .or(req.information_credibility.map(|d| d.to_string()))
            .ok_or_else(|| required("information"))?,
        handling_code: req.handling_code,
        conditions: req.handling_conditions,
        rationale: req.rationale,
    };
    let v = state
        .station
        .grade_report(&auth.principal, &id, input)
        .await?;
    Ok(Json(view_body(&v)))
}

/// Record a claim the report makes.
#[utoipa::path(post, path = "/api/v1/reports/{id}/claims", params(("id" = String, Path)), request_body = ClaimRequest, security(("bearer" = [])),
    responses((status = 201, body = ClaimBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_claim(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ClaimRequest>,
) -> ApiResult<(StatusCode, Json<ClaimBody>)> {
    let c = state
        .station
        .add_claim(&auth.principal, &id, claim_input(req)?)
        .await?;
    Ok((StatusCode::CREATED, Json(claim_body(&c))))
}

/// Record a dissemination of a graded report.
#[utoipa::path(post, path = "/api/v1/reports/{id}/disseminations", params(("id" = String, Path)), request_body = DisseminationRequest, security(("bearer" = [])),
    responses((status = 201, body = ReportBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn disseminate(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<DisseminationRequest>,
) -> ApiResult<(StatusCode, Json<ReportBody>)> {
    let input = DisseminationInput {
        recipient: req.recipient,
        handling_code: req.handling_code,
        sanitised: req.sanitised,
        disseminated_at: req
            .disseminated_at
            .as_deref()
            .map(|t| humint_station::handling::parse_instant("disseminated_at", t))
            .transpose()?,
    };
    let v = state
        .station
        .disseminate_report(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(view_body(&v))))
}

/// Record that a claim was later confirmed or refuted (analysts).
#[utoipa::path(post, path = "/api/v1/claims/{id}/outcomes", params(("id" = String, Path)), request_body = OutcomeRequest, security(("bearer" = [])),
    responses((status = 201, body = ClaimBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_outcome(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<OutcomeRequest>,
) -> ApiResult<(StatusCode, Json<ClaimBody>)> {
    let established = opt_instant("established_at", &req.established_at)?;
    let c = state
        .station
        .add_outcome(&auth.principal, &id, req.verdict, req.means, established)
        .await?;
    Ok((StatusCode::CREATED, Json(claim_body(&c))))
}
