//! Requirements and the coverage view (open requirements no source is tasked against).

use super::{PageOf, ms, opt_ms, page, page_of};
use crate::AppState;
use crate::api::JsonBody;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use humint_station::handling::{RequirementInput, RequirementRow, parse_date};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementRequest {
    pub compartment: String,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// 1 (highest) to 4.
    pub priority: u8,
    /// `YYYY-MM-DD`: looked at again by the end of that day.
    pub review_by: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementBody {
    pub id: String,
    pub compartment: String,
    pub title: String,
    pub detail: String,
    pub priority: i64,
    pub opened_at: String,
    pub review_by: String,
    pub closed_at: Option<String>,
    /// How many sources are tasked against it (issued or agreed).
    pub tasked_sources: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequirementQuery {
    pub compartment: Option<String>,
    /// Only open requirements.
    #[serde(default)]
    pub open: bool,
    /// Coverage view: only open requirements no source is tasked against.
    #[serde(default)]
    pub uncovered: bool,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

fn body(r: &RequirementRow) -> RequirementBody {
    RequirementBody {
        id: r.id.clone(),
        compartment: r.compartment.clone(),
        title: r.title.clone(),
        detail: r.detail.clone(),
        priority: r.priority,
        opened_at: ms(r.opened_at_ms),
        review_by: r.review_by.clone(),
        closed_at: opt_ms(r.closed_at_ms),
        tasked_sources: r.tasked_sources,
    }
}

/// Set a requirement (controllers and analysts of the compartment).
#[utoipa::path(post, path = "/api/v1/requirements", request_body = RequirementRequest, security(("bearer" = [])),
    responses((status = 201, body = RequirementBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<RequirementRequest>,
) -> ApiResult<(StatusCode, Json<RequirementBody>)> {
    let input = RequirementInput {
        compartment: req.compartment,
        title: req.title,
        detail: req.detail,
        priority: req.priority,
        review_by: parse_date("review_by", &req.review_by)?,
    };
    let r = state
        .station
        .create_requirement(&auth.principal, input)
        .await?;
    Ok((StatusCode::CREATED, Json(body(&r))))
}

/// Requirements in the caller's compartments; `?uncovered=true` is the coverage view.
#[utoipa::path(get, path = "/api/v1/requirements", params(RequirementQuery), security(("bearer" = [])),
    responses((status = 200, body = PageOf<RequirementBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<RequirementQuery>,
) -> ApiResult<Json<PageOf<RequirementBody>>> {
    let pg = page(&super::PageQuery {
        after: q.after.clone(),
        limit: q.limit,
    })?;
    let limit = pg.limit;
    let rows = state
        .station
        .list_requirements(&auth.principal, q.compartment, q.open, q.uncovered, pg)
        .await?;
    Ok(Json(page_of(rows.iter().map(body).collect(), limit, |r| {
        r.id.clone()
    })))
}

/// One requirement.
#[utoipa::path(get, path = "/api/v1/requirements/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = RequirementBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<RequirementBody>> {
    let r = state.station.requirement(&auth.principal, &id).await?;
    Ok(Json(body(&r)))
}
