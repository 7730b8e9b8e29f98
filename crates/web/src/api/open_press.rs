//! Open press as a source of dependence, over the API: the open-source items of a compartment
//! (addressed by name, as `/compartments/{name}/members` is), recorded and listed by those who
//! may file reports in it. The reliability answers say which claims echoed them.

use super::JsonBody;
use super::handling::{instant, ms};
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use humint_station::handling::{OpenSourceItemInput, OpenSourceItemView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/compartments/{name}/open-source-items",
        get(list).post(create),
    )
}

/// An item an outlet published: subject, attribute and value as a report's claims have them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenSourceItemRequest {
    /// The outlet that published it, such as "Reuters".
    pub outlet: String,
    /// When it was published (RFC 3339); not after now.
    pub published_at: String,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    /// A URL or citation.
    pub reference: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OpenSourceItemBody {
    pub id: String,
    pub compartment: String,
    pub outlet: String,
    pub published_at: String,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub reference: Option<String>,
    /// The username of the officer who recorded it.
    pub recorded_by: String,
    pub recorded_at: String,
}

fn body(v: OpenSourceItemView) -> OpenSourceItemBody {
    OpenSourceItemBody {
        id: v.id,
        compartment: v.compartment,
        outlet: v.outlet,
        published_at: ms(v.published_at_ms),
        subject: v.subject,
        attribute: v.attribute,
        value: v.value,
        reference: v.reference,
        recorded_by: v.recorded_by,
        recorded_at: ms(v.recorded_at_ms),
    }
}

/// Record an open-source item in a compartment (analysts, handlers and controllers read into it); the
/// compartment's reliability is re-estimated.
#[utoipa::path(post, path = "/api/v1/compartments/{name}/open-source-items", params(("name" = String, Path)),
    request_body = OpenSourceItemRequest, security(("bearer" = [])),
    responses((status = 201, body = OpenSourceItemBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(name): Path<String>,
    JsonBody(req): JsonBody<OpenSourceItemRequest>,
) -> ApiResult<(StatusCode, Json<OpenSourceItemBody>)> {
    let input = OpenSourceItemInput {
        published_at: instant("published_at", &req.published_at)?,
        outlet: req.outlet,
        subject: req.subject,
        attribute: req.attribute,
        value: req.value,
        reference: req.reference,
    };
    let v = state
        .station
        .record_open_source_item(&auth.principal, &name, input)
        .await?;
    Ok((StatusCode::CREATED, Json(body(v))))
}

/// A compartment's open-source items, latest published first.
#[utoipa::path(get, path = "/api/v1/compartments/{name}/open-source-items", params(("name" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<OpenSourceItemBody>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(name): Path<String>,
) -> ApiResult<Json<Vec<OpenSourceItemBody>>> {
    let items = state
        .station
        .open_source_items(&auth.principal, &name)
        .await?;
    Ok(Json(items.into_iter().map(body).collect()))
}
