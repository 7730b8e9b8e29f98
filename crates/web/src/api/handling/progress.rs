//! Requirements reviewed and closed (with their history), taskings moved on
//! (issued → acknowledged → completed | withdrawn).

use super::activity::{TaskingBody, tasking_body};
use super::{ms, opt_ms};
use crate::AppState;
use crate::api::JsonBody;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use humint_core::handling::tasking::TaskingStatus;
use humint_station::handling::{RequirementHistory, parse_date};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementReviewRequest {
    /// `YYYY-MM-DD`: the new review-by day (today or later).
    pub review_by: String,
    /// What the review found.
    pub note: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementCloseRequest {
    /// Why the requirement is closed.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementEventBody {
    /// `review` or `close`.
    pub kind: String,
    pub at: String,
    pub by: String,
    /// A review's new review-by day.
    pub review_by: Option<String>,
    /// A review's note or a closure's reason.
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementHistoryBody {
    pub id: String,
    pub compartment: String,
    pub title: String,
    pub priority: i64,
    pub opened_at: String,
    pub review_by: String,
    pub closed_at: Option<String>,
    pub history: Vec<RequirementEventBody>,
}

fn history_body(h: &RequirementHistory) -> RequirementHistoryBody {
    let r = &h.row;
    RequirementHistoryBody {
        id: r.id.clone(),
        compartment: r.compartment.clone(),
        title: r.title.clone(),
        priority: r.priority,
        opened_at: ms(r.opened_at_ms),
        review_by: r.review_by.clone(),
        closed_at: opt_ms(r.closed_at_ms),
        history: h
            .events
            .iter()
            .map(|e| RequirementEventBody {
                kind: e.kind.clone(),
                at: ms(e.at_ms),
                by: e.actor_name.clone(),
                review_by: e.review_by.clone(),
                note: e.note.clone(),
            })
            .collect(),
    }
}

/// Review a requirement: a new review-by day and a note (controllers and analysts).
#[utoipa::path(post, path = "/api/v1/requirements/{id}/reviews", params(("id" = String, Path)), request_body = RequirementReviewRequest, security(("bearer" = [])),
    responses((status = 200, body = RequirementHistoryBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_requirement(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RequirementReviewRequest>,
) -> ApiResult<Json<RequirementHistoryBody>> {
    let review_by = parse_date("review_by", &req.review_by)?;
    let h = state
        .station
        .review_requirement(&auth.principal, &id, review_by, &req.note)
        .await?;
    Ok(Json(history_body(&h)))
}

/// Close a requirement with its reason; tasking against it is refused afterwards.
#[utoipa::path(post, path = "/api/v1/requirements/{id}/closure", params(("id" = String, Path)), request_body = RequirementCloseRequest, security(("bearer" = [])),
    responses((status = 200, body = RequirementHistoryBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close_requirement(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RequirementCloseRequest>,
) -> ApiResult<Json<RequirementHistoryBody>> {
    let h = state
        .station
        .close_requirement(&auth.principal, &id, &req.reason)
        .await?;
    Ok(Json(history_body(&h)))
}

/// A requirement with its reviews and closure.
#[utoipa::path(get, path = "/api/v1/requirements/{id}/history", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequirementHistoryBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn requirement_history(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<RequirementHistoryBody>> {
    let h = state
        .station
        .requirement_history(&auth.principal, &id)
        .await?;
    Ok(Json(history_body(&h)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskingStatusRequest {
    /// acknowledged, completed or withdrawn.
    #[schema(value_type = String)]
    pub to: TaskingStatus,
    /// Required when withdrawing.
    pub note: Option<String>,
}

/// Move a tasking on: issued → acknowledged → completed, or withdrawn (handlers, controllers).
#[utoipa::path(post, path = "/api/v1/taskings/{id}/status", params(("id" = String, Path)), request_body = TaskingStatusRequest, security(("bearer" = [])),
    responses((status = 200, body = TaskingBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn tasking_status(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TaskingStatusRequest>,
) -> ApiResult<Json<TaskingBody>> {
    let t = state
        .station
        .change_tasking_status(&auth.principal, &id, req.to, req.note)
        .await?;
    Ok(Json(tasking_body(&t)))
}

/// One tasking with its status history.
#[utoipa::path(get, path = "/api/v1/taskings/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TaskingBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_tasking(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<TaskingBody>> {
    let t = state.station.tasking(&auth.principal, &id).await?;
    Ok(Json(tasking_body(&t)))
}
