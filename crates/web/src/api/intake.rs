//! The intake over the officer API: the list of submissions (never their content), replies,
//! status, conversion, and verification phrases. Content is read only by the offline
//! custodians, from `humint intake export`.

use super::JsonBody;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use humint_station::intake::IntakeSummary;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `/intake…` and `/verification-phrases`, under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/intake", get(list))
        .route("/intake/{id}", get(get_one))
        .route("/intake/{id}/replies", post(reply))
        .route("/intake/{id}/status", post(set_status))
        .route("/intake/{id}/convert", post(convert))
        .route("/verification-phrases", post(issue_phrase))
}

/// One submission thread, without content. Days are `YYYY-MM-DD`: the portal keeps no
/// instant of a volunteer's.
#[derive(Serialize, ToSchema)]
pub struct IntakeResponse {
    pub id: String,
    pub received_on: String,
    /// Bytes the volunteer sent (messages and files).
    pub size: i64,
    /// Items the volunteer sent.
    pub items: i64,
    pub replies: i64,
    /// new, acknowledged, feedback_given, closed or converted.
    pub status: String,
    /// Acknowledge receipt by this day (7 days, EU Whistleblower Directive art. 9(1)(b)).
    pub acknowledgement_due: String,
    pub acknowledged_on: Option<String>,
    /// Give feedback by this day (3 months, art. 9(1)(f)).
    pub feedback_due: String,
    pub feedback_on: Option<String>,
    pub source_id: Option<String>,
}

use humint_station::intake::format_day as day;

impl From<IntakeSummary> for IntakeResponse {
    fn from(s: IntakeSummary) -> Self {
        IntakeResponse {
            id: s.id,
            received_on: day(s.received_on),
            size: s.size,
            items: s.received,
            replies: s.replies,
            status: s.status.as_str().to_owned(),
            acknowledgement_due: day(s.acknowledgement_due),
            acknowledged_on: s.acknowledged_on.map(day),
            feedback_due: day(s.feedback_due),
            feedback_on: s.feedback_on.map(day),
            source_id: s.source_id,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The reply, encrypted at once to the volunteer's codename key: afterwards only the
    /// volunteer can read it.
    pub text: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// acknowledged, feedback_given or closed.
    pub status: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PhraseRequest {
    /// How long the phrase stays valid, in hours (default 168, at most 2160).
    pub valid_hours: Option<u32>,
}

/// Who the walk-in turned out to be, learnt when they were met.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalkInIdentity {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    #[serde(default)]
    pub identities_used: Vec<String>,
    /// What the source can reach; kept with the identity, encrypted.
    #[serde(default)]
    pub access: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertRequest {
    /// The compartment the source is recorded in (the caller must be read into it).
    pub compartment: String,
    pub true_identity: WalkInIdentity,
    /// A codename for the source (generated when absent). Not the volunteer's portal codename.
    pub codename: Option<String>,
    #[serde(default)]
    pub vulnerable: bool,
    /// Declared motivation: ideology, money, recognition, conscience or other; absent or null
    /// when not recorded.
    pub motivation: Option<String>,
    pub handler: Option<String>,
    pub controller: Option<String>,
    pub record_keeper: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConvertResponse {
    pub submission: IntakeResponse,
    pub source_id: String,
    pub source_codename: String,
    /// Always `spotted`.
    pub source_status: String,
    /// Always `walk_in`.
    pub origin: String,
}

#[derive(Serialize, ToSchema)]
pub struct PhraseResponse {
    /// Six words to give the person approached; shown once, single use.
    pub phrase: String,
    pub expires_at: String,
}

/// Every submission, oldest first, without content (handler, controller, auditor).
#[utoipa::path(get, path = "/api/v1/intake", security(("bearer" = [])),
    responses((status = 200, body = [IntakeResponse]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
) -> ApiResult<Json<Vec<IntakeResponse>>> {
    let rows = state.station.intake_list(&auth.principal).await?;
    Ok(Json(rows.into_iter().map(IntakeResponse::from).collect()))
}

/// One submission, without content.
#[utoipa::path(get, path = "/api/v1/intake/{id}", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = IntakeResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<IntakeResponse>> {
    Ok(Json(
        state.station.intake_get(&auth.principal, &id).await?.into(),
    ))
}

/// Reply to the volunteer (handler, controller); the first reply acknowledges receipt.
#[utoipa::path(post, path = "/api/v1/intake/{id}/replies", request_body = ReplyRequest, security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = IntakeResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ReplyRequest>,
) -> ApiResult<(StatusCode, Json<IntakeResponse>)> {
    let text = zeroize::Zeroizing::new(req.text);
    let s = state
        .station
        .intake_reply(&auth.principal, &id, &text)
        .await?;
    Ok((StatusCode::CREATED, Json(s.into())))
}

/// Record an acknowledgement, feedback, or closure (handler, controller).
#[utoipa::path(post, path = "/api/v1/intake/{id}/status", request_body = StatusRequest, security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = IntakeResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StatusRequest>,
) -> ApiResult<Json<IntakeResponse>> {
    let s = state
        .station
        .intake_set_status(&auth.principal, &id, &req.status)
        .await?;
    Ok(Json(s.into()))
}

/// Record the walk-in behind a submission as a new `spotted` source, origin walk-in
/// (handler, controller read into the compartment).
#[utoipa::path(post, path = "/api/v1/intake/{id}/convert", request_body = ConvertRequest, security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 201, body = ConvertResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn convert(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ConvertRequest>,
) -> ApiResult<(StatusCode, Json<ConvertResponse>)> {
    use humint_station::handling::{NewSource, TrueIdentity, parse_date};
    let identity = TrueIdentity {
        name: req.true_identity.name,
        date_of_birth: parse_date(
            "true_identity.date_of_birth",
            &req.true_identity.date_of_birth,
        )?,
        identities_used: req.true_identity.identities_used,
        other_authorities: Vec::new(),
        access: req.true_identity.access,
    };
    let new = NewSource {
        compartment: req.compartment,
        origin: humint_core::handling::Origin::WalkIn,
        codename: req.codename,
        true_identity: identity,
        vulnerable: req.vulnerable,
        undercover_operative: false,
        motivation: req
            .motivation
            .as_deref()
            .map(humint_core::handling::Motivation::parse)
            .transpose()
            .map_err(humint_station::StationError::from)?,
        handler: req.handler,
        controller: req.controller,
        record_keeper: req.record_keeper,
    };
    let (summary, detail) = state
        .station
        .intake_convert(&auth.principal, &id, new)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ConvertResponse {
            submission: summary.into(),
            source_id: detail.row.id,
            source_codename: detail.row.codename,
            source_status: detail.row.state,
            origin: detail.row.origin,
        }),
    ))
}

/// Issue a single-use verification phrase (handler, controller).
#[utoipa::path(post, path = "/api/v1/verification-phrases", request_body = PhraseRequest, security(("bearer" = [])),
    responses((status = 201, body = PhraseResponse), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue_phrase(
    State(state): State<AppState>,
    auth: Authenticated,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<PhraseResponse>)> {
    // The body is optional: no body (or `{}`) takes the default validity.
    let req: PhraseRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PhraseRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            crate::error::ApiError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                format!("the request body does not have the expected fields: {e}"),
            )
        })?
    };
    let issued = state
        .station
        .intake_issue_phrase(&auth.principal, req.valid_hours)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PhraseResponse {
            phrase: issued.phrase.to_string(),
            expires_at: humint_core::clock::format_ms(issued.expires_at_ms),
        }),
    ))
}
