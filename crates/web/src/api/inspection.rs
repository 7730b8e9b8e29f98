//! The auditor's API: the inspection pack (HTML download, or JSON), the audit log searched
//! and paged, and the bigot lists of the auditor's compartments.

use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humint_station::handling::{AuditQuery, InspectionPack, InspectionPeriod, parse_date};
use humint_station::{ErrorKind, StationError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A problem with the query string is the request's fault: 400, with the station's rule code.
fn bad_query(e: StationError) -> ApiError {
    let mut error = ApiError::from(e);
    if error.status == StatusCode::UNPROCESSABLE_ENTITY {
        error.status = StatusCode::BAD_REQUEST;
    }
    error
}

fn query_rejected(rejection: QueryRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_QUERY",
        format!(
            "the query string could not be read: {}",
            rejection.body_text()
        ),
    )
}

fn required<'a>(value: &'a Option<String>, name: &str) -> ApiResult<&'a str> {
    value.as_deref().ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "MISSING_PARAMETER",
            format!("give {name} as a date such as 2026-03-02"),
        )
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day of the period, `YYYY-MM-DD` (London).
    pub from: Option<String>,
    /// Last day of the period, inclusive.
    pub to: Option<String>,
}

async fn pack(
    state: &AppState,
    auth: &Authenticated,
    params: Result<Query<PeriodParams>, QueryRejection>,
) -> ApiResult<InspectionPack> {
    let Query(params) = params.map_err(query_rejected)?;
    let period =
        InspectionPeriod::parse(required(&params.from, "from")?, required(&params.to, "to")?)
            .map_err(bad_query)?;
    Ok(state
        .station
        .inspection_pack(&auth.principal, period)
        .await?)
}

/// The inspection pack for a period as a printable HTML document, downloaded (auditors).
#[utoipa::path(get, path = "/api/v1/inspection", params(PeriodParams), security(("bearer" = [])),
    responses((status = 200, description = "text/html attachment"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn html(
    State(state): State<AppState>,
    auth: Authenticated,
    params: Result<Query<PeriodParams>, QueryRejection>,
) -> ApiResult<Response> {
    let pack = pack(&state, &auth, params).await?;
    let body = crate::inspection::render_inspection_pack(&pack).map_err(|e| {
        tracing::error!(error = %e, "the inspection pack failed to render");
        ApiError::from(StationError::Io(
            "the inspection pack failed to render".to_owned(),
        ))
    })?;
    let filename = format!(
        "attachment; filename=\"inspection-{}-to-{}.html\"",
        pack.period.from, pack.period.to
    );
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The same pack as JSON (auditors).
#[utoipa::path(get, path = "/api/v1/inspection.json", params(PeriodParams), security(("bearer" = [])),
    responses((status = 200, description = "the pack"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn json(
    State(state): State<AppState>,
    auth: Authenticated,
    params: Result<Query<PeriodParams>, QueryRejection>,
) -> ApiResult<Json<InspectionPack>> {
    Ok(Json(pack(&state, &auth, params).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// A username, `system` or `volunteer`.
    pub actor: Option<String>,
    /// An action name, e.g. `source.identity.read`.
    pub action: Option<String>,
    /// First London day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last London day, inclusive.
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; 50 if not given.
    pub limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditEventResponse {
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    /// The actor's id (a user id, `system` or `volunteer`).
    pub actor: String,
    pub actor_name: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub compartment: Option<String>,
    /// `ok` or `denied`.
    pub outcome: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPageResponse {
    pub events: Vec<AuditEventResponse>,
    pub next_cursor: Option<String>,
}

/// The audit log, newest first, filtered and paged (auditors).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams), security(("bearer" = [])),
    responses((status = 200, body = AuditPageResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    auth: Authenticated,
    params: Result<Query<AuditParams>, QueryRejection>,
) -> ApiResult<Json<AuditPageResponse>> {
    let Query(params) = params.map_err(query_rejected)?;
    let date = |name: &str, v: &Option<String>| {
        v.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| parse_date(name, t))
            .transpose()
            .map_err(bad_query)
    };
    let limit = params
        .limit
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.trim().parse::<i64>().map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "INVALID_PAGE",
                    "limit must be a whole number between 1 and 500",
                )
            })
        })
        .transpose()?;
    let query = AuditQuery {
        actor: params.actor.clone(),
        action: params.action.clone(),
        from: date("from", &params.from)?,
        to: date("to", &params.to)?,
        cursor: params
            .cursor
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(AuditQuery::parse_cursor)
            .transpose()
            .map_err(bad_query)?,
        limit,
    };
    let page = state
        .station
        .audit_log(&auth.principal, &query)
        .await
        .map_err(|e| match e.kind() {
            ErrorKind::Invalid => bad_query(e),
            _ => e.into(),
        })?;
    Ok(Json(AuditPageResponse {
        events: page
            .events
            .into_iter()
            .map(|entry| {
                let e = entry.event;
                AuditEventResponse {
                    seq: e.seq,
                    at: humint_core::clock::format_ms(e.at_ms),
                    actor: e.actor,
                    actor_name: entry.actor_name,
                    role: e.role,
                    action: e.action,
                    object_type: e.object_type,
                    object_id: e.object_id,
                    compartment: e.compartment,
                    outcome: e.outcome,
                }
            })
            .collect(),
        next_cursor: page.next_cursor.map(|c| c.to_string()),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BigotListResponse {
    pub compartment: String,
    pub members: Vec<super::admin::MemberResponse>,
}

/// The bigot list of every compartment the caller is read into (auditors, controllers).
#[utoipa::path(get, path = "/api/v1/audit/bigot-lists", security(("bearer" = [])),
    responses((status = 200, body = [BigotListResponse]), (status = 403, body = ErrorBody)))]
pub async fn bigot_lists(
    State(state): State<AppState>,
    auth: Authenticated,
) -> ApiResult<Json<Vec<BigotListResponse>>> {
    let lists = state.station.bigot_lists(&auth.principal).await?;
    Ok(Json(
        lists
            .into_iter()
            .map(|(compartment, members)| BigotListResponse {
                compartment,
                members: members
                    .into_iter()
                    .map(|(username, role)| super::admin::MemberResponse {
                        username,
                        role: role.as_str().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/inspection", get(html))
        .route("/inspection.json", get(json))
        .route("/audit", get(audit))
        .route("/audit/bigot-lists", get(bigot_lists))
}
