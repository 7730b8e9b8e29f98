//! The error register (`/errors`) and break-glass reads of a true identity
//! (`/sources/{id}/identity/break-glass`, `/break-glass`).

use super::sources::{TrueIdentityBody, identity_body};
use super::{PageOf, instant, ms, opt_instant, opt_ms, page, page_of};
use crate::AppState;
use crate::api::JsonBody;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use humint_station::handling::{BreakGlassEvent, ErrorInput, ErrorView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorRequest {
    pub compartment: String,
    pub source_id: Option<String>,
    pub authorisation_id: Option<String>,
    /// What went wrong.
    pub description: String,
    /// RFC 3339: when someone first noticed.
    pub identified_at: String,
    /// RFC 3339: when it was established that a relevant error occurred (starts the clock).
    pub established_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstablishRequest {
    /// RFC 3339; now when absent.
    pub established_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorReportRequest {
    /// RFC 3339: when the Commissioner was notified.
    pub reported_at: String,
    /// The notification's reference.
    pub reference: String,
}

#[derive(Serialize, ToSchema)]
pub struct RelevantErrorBody {
    pub id: String,
    pub compartment: String,
    pub source_id: Option<String>,
    pub authorisation_id: Option<String>,
    pub description: String,
    pub identified_at: String,
    pub established_at: Option<String>,
    pub established_by: Option<String>,
    /// The first instant past the deadline: the end of the 10th working day (England and
    /// Wales) after the day it was established. Absent until established.
    pub report_due_at: Option<String>,
    /// Established, not reported, and the deadline has passed.
    pub overdue: bool,
    pub reported_at: Option<String>,
    pub reported_by: Option<String>,
    pub reference: Option<String>,
    /// Whether the report reached the Commissioner at or after the deadline; absent until
    /// reported.
    pub reported_late: Option<bool>,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorQuery {
    pub compartment: Option<String>,
    /// Only errors not yet reported.
    #[serde(default)]
    pub open: bool,
    /// Only established errors not reported by their deadline.
    #[serde(default)]
    pub overdue: bool,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

fn error_body(v: &ErrorView) -> RelevantErrorBody {
    let r = &v.row;
    RelevantErrorBody {
        id: r.id.clone(),
        compartment: r.compartment.clone(),
        source_id: r.source_id.clone(),
        authorisation_id: r.authorisation_id.clone(),
        description: v.description.clone(),
        identified_at: ms(r.identified_at_ms),
        established_at: opt_ms(r.established_at_ms),
        established_by: r.established_by.clone(),
        report_due_at: v.report_due_at.map(super::at),
        overdue: v.overdue,
        reported_at: opt_ms(r.reported_at_ms),
        reported_by: r.reported_by.clone(),
        reference: v.reference.clone(),
        reported_late: v.reported_late,
        recorded_by: r.recorded_by.clone(),
        recorded_at: ms(r.recorded_at_ms),
    }
}

/// Record a relevant error (controllers, authorising officers and auditors of the compartment).
#[utoipa::path(post, path = "/api/v1/errors", request_body = ErrorRequest, security(("bearer" = [])),
    responses((status = 201, body = RelevantErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_error(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<ErrorRequest>,
) -> ApiResult<(StatusCode, Json<RelevantErrorBody>)> {
    let input = ErrorInput {
        compartment: req.compartment,
        source_id: req.source_id,
        authorisation_id: req.authorisation_id,
        description: req.description,
        identified_at: instant("identified_at", &req.identified_at)?,
        established_at: opt_instant("established_at", &req.established_at)?,
    };
    let v = state.station.record_error(&auth.principal, input).await?;
    Ok((StatusCode::CREATED, Json(error_body(&v))))
}

/// Establish that a recorded error is a relevant error: the 10-working-day clock starts.
#[utoipa::path(post, path = "/api/v1/errors/{id}/establish", params(("id" = String, Path)), request_body = EstablishRequest, security(("bearer" = [])),
    responses((status = 200, body = RelevantErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn establish_error(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<EstablishRequest>,
) -> ApiResult<Json<RelevantErrorBody>> {
    let at = opt_instant("established_at", &req.established_at)?;
    let v = state
        .station
        .establish_error(&auth.principal, &id, at)
        .await?;
    Ok(Json(error_body(&v)))
}

/// Record the notification of an established error to the Investigatory Powers Commissioner.
#[utoipa::path(post, path = "/api/v1/errors/{id}/report", params(("id" = String, Path)), request_body = ErrorReportRequest, security(("bearer" = [])),
    responses((status = 200, body = RelevantErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report_error(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ErrorReportRequest>,
) -> ApiResult<Json<RelevantErrorBody>> {
    let at = instant("reported_at", &req.reported_at)?;
    let v = state
        .station
        .report_error(&auth.principal, &id, at, &req.reference)
        .await?;
    Ok(Json(error_body(&v)))
}

/// The error register of the caller's compartments, with each error's deadline and state.
#[utoipa::path(get, path = "/api/v1/errors", params(ErrorQuery), security(("bearer" = [])),
    responses((status = 200, body = PageOf<RelevantErrorBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_errors(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<ErrorQuery>,
) -> ApiResult<Json<PageOf<RelevantErrorBody>>> {
    let pg = page(&super::PageQuery {
        after: q.after.clone(),
        limit: q.limit,
    })?;
    let limit = pg.limit;
    let rows = state
        .station
        .list_errors(&auth.principal, q.compartment, q.open, q.overdue, pg)
        .await?;
    Ok(Json(page_of(
        rows.iter().map(error_body).collect(),
        limit,
        |e| e.id.clone(),
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassRequest {
    /// Why the identity is needed, as a sentence; recorded and reviewed.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct BreakGlassEventBody {
    pub id: String,
    pub compartment: String,
    pub source_id: String,
    pub codename: String,
    pub actor: String,
    pub reason: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct BreakGlassBody {
    pub event: BreakGlassEventBody,
    pub true_identity: TrueIdentityBody,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreakGlassQuery {
    pub compartment: Option<String>,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

fn event_body(b: &BreakGlassEvent) -> BreakGlassEventBody {
    BreakGlassEventBody {
        id: b.id.clone(),
        compartment: b.compartment.clone(),
        source_id: b.source_id.clone(),
        codename: b.codename.clone(),
        actor: b.actor_name.clone(),
        reason: b.reason.clone(),
        at: ms(b.at_ms),
    }
}

/// An auditor's break-glass read of a true identity: the reason is recorded with the read,
/// and the identity is returned this once.
#[utoipa::path(post, path = "/api/v1/sources/{id}/identity/break-glass", params(("id" = String, Path)), request_body = BreakGlassRequest, security(("bearer" = [])),
    responses((status = 201, body = BreakGlassBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn break_glass(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<BreakGlassRequest>,
) -> ApiResult<(StatusCode, Json<BreakGlassBody>)> {
    let (event, identity) = state
        .station
        .break_glass_identity(&auth.principal, &id, &req.reason)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(BreakGlassBody {
            event: event_body(&event),
            true_identity: identity_body(&identity),
        }),
    ))
}

/// Break-glass events (controllers and auditors of the compartment; admins for all).
#[utoipa::path(get, path = "/api/v1/break-glass", params(BreakGlassQuery), security(("bearer" = [])),
    responses((status = 200, body = PageOf<BreakGlassEventBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn break_glass_events(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<BreakGlassQuery>,
) -> ApiResult<Json<PageOf<BreakGlassEventBody>>> {
    let pg = page(&super::PageQuery {
        after: q.after.clone(),
        limit: q.limit,
    })?;
    let limit = pg.limit;
    let rows = state
        .station
        .break_glass_events(&auth.principal, q.compartment, pg)
        .await?;
    Ok(Json(page_of(
        rows.iter().map(event_body).collect(),
        limit,
        |e| e.id.clone(),
    )))
}
