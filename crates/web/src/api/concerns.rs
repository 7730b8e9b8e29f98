//! Concerns raised about a source, over the API: raised by anyone who may read the source,
//! listed with their reviews, reviewed by the compartment's controllers and authorising
//! officers (compliance.md, "Software implications" and §1). The category and the account say
//! what the concern is; there is no field for leverage.

use super::JsonBody;
use super::handling::ms;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use humint_station::handling::{ConcernInput, ConcernReviewInput, ConcernView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sources/{id}/concerns", get(list).post(raise))
        .route("/concerns/{id}/review", post(review))
}

/// A concern about a source.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernRequest {
    /// `coercion` (someone raised a concern that the source is being or was pressured or
    /// coerced, by anyone, our own officers included), `welfare`, `conduct` or `circumstances`
    /// (something that may make the risk assessment out of date).
    pub category: String,
    /// What the concern is, in a few sentences (required, at most 4000 bytes; sealed at rest).
    pub account: String,
}

/// The review of a concern.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernReviewRequest {
    /// `unfounded`, `founded` or `referred` (e.g. to professional standards).
    pub finding: String,
    /// What the reviewer found and did (required, at most 4000 bytes; sealed at rest).
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConcernReviewBody {
    pub finding: String,
    /// Absent when the reader may not see it.
    pub note: Option<String>,
    pub reviewed_by: String,
    pub reviewed_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConcernBody {
    pub id: String,
    pub source_id: String,
    pub category: String,
    /// Absent when the reader may not see it (an analyst reading someone else's concern).
    pub account: Option<String>,
    pub raised_by: String,
    pub raised_at: String,
    /// `open` until reviewed, then `reviewed`.
    pub status: String,
    pub review: Option<ConcernReviewBody>,
    /// True for a founded concern about coercion, welfare or circumstances until a risk
    /// assessment of the source is recorded at or after the finding: the source's risk
    /// assessment must be reviewed.
    pub risk_assessment_review_required: bool,
    /// What the answer asks of the reader, in a sentence, when there is something.
    pub action: Option<String>,
}

pub(crate) fn body(v: ConcernView) -> ConcernBody {
    ConcernBody {
        status: if v.is_open() { "open" } else { "reviewed" }.to_owned(),
        action: v.risk_assessment_review_required.then(|| {
            "The concern was found founded: the source's risk assessment must be reviewed."
                .to_owned()
        }),
        id: v.id,
        source_id: v.source_id,
        category: v.category.as_str().to_owned(),
        account: v.account,
        raised_by: v.raised_by,
        raised_at: ms(v.raised_at_ms),
        review: v.review.map(|r| ConcernReviewBody {
            finding: r.finding.as_str().to_owned(),
            note: r.note,
            reviewed_by: r.reviewed_by,
            reviewed_at: ms(r.reviewed_at_ms),
        }),
        risk_assessment_review_required: v.risk_assessment_review_required,
    }
}

/// Raise a concern about a source (anyone who may read it); it stays open, with an alert to the
/// compartment, until a controller or authorising officer reviews it.
#[utoipa::path(post, path = "/api/v1/sources/{id}/concerns", params(("id" = String, Path)),
    request_body = ConcernRequest, security(("bearer" = [])),
    responses((status = 201, body = ConcernBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ConcernRequest>,
) -> ApiResult<(StatusCode, Json<ConcernBody>)> {
    let v = state
        .station
        .raise_concern(
            &auth.principal,
            &id,
            ConcernInput {
                category: req.category,
                account: req.account,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(body(v))))
}

/// The concerns raised about a source, newest first, with their reviews.
#[utoipa::path(get, path = "/api/v1/sources/{id}/concerns", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ConcernBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ConcernBody>>> {
    let items = state.station.source_concerns(&auth.principal, &id).await?;
    Ok(Json(items.into_iter().map(body).collect()))
}

/// Review a concern (a controller or authorising officer of the compartment who did not raise
/// it; once). Its alert ends.
#[utoipa::path(post, path = "/api/v1/concerns/{id}/review", params(("id" = String, Path)),
    request_body = ConcernReviewRequest, security(("bearer" = [])),
    responses((status = 200, body = ConcernBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ConcernReviewRequest>,
) -> ApiResult<Json<ConcernBody>> {
    let v = state
        .station
        .review_concern(
            &auth.principal,
            &id,
            ConcernReviewInput {
                finding: req.finding,
                note: req.note,
            },
        )
        .await?;
    Ok(Json(body(v)))
}
