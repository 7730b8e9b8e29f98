//! Accounts and compartments over the API (the same services as `humint user …`).

use super::JsonBody;
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiError, ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use humint_core::Role;
use humint_core::handling::PaymentPolicy;
use humint_core::handling::rank::{self, RankTable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    /// admin, handler, controller, authorising_officer, analyst or auditor.
    pub role: String,
    #[serde(default)]
    pub compartments: Vec<String>,
    pub password: String,
    /// The holder sets up their authenticator (QR code) on first sign-in on the officers'
    /// pages; the secret is then not in this answer.
    #[serde(default)]
    pub enrol_on_first_sign_in: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NewUserResponse {
    pub id: String,
    pub username: String,
    /// Base32 TOTP secret for the authenticator app: shown this once (absent when the holder
    /// enrols on first sign-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otpauth_uri: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCompartmentRequest {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CompartmentResponse {
    pub id: String,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub compartment: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberResponse {
    pub username: String,
    pub role: String,
}

/// Create an officer account (admin).
#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserRequest, security(("bearer" = [])),
    responses((status = 201, body = NewUserResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<NewUserResponse>)> {
    let role: Role = req
        .role
        .parse()
        .map_err(|e: humint_core::role::UnknownRole| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "INVALID_ROLE",
                e.to_string(),
            )
        })?;
    if req.enrol_on_first_sign_in {
        let id = state
            .station
            .add_user_for_enrolment(
                &auth.principal,
                &req.username,
                role,
                &req.compartments,
                &req.password,
            )
            .await?;
        return Ok((
            StatusCode::CREATED,
            Json(NewUserResponse {
                id,
                username: req.username,
                totp_secret: None,
                otpauth_uri: None,
            }),
        ));
    }
    let enrolment = state
        .station
        .add_user(
            &auth.principal,
            &req.username,
            role,
            &req.compartments,
            &req.password,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(NewUserResponse {
            id: enrolment.user_id.clone(),
            username: enrolment.username.clone(),
            totp_secret: Some(enrolment.totp_base32.clone()),
            otpauth_uri: Some(enrolment.otpauth_uri.clone()),
        }),
    ))
}

/// Disable an account; its sessions end at once (admin).
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", security(("bearer" = [])),
    params(("username" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disable_user(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .station
        .disable_user(&auth.principal, &username)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Read an officer into a compartment (admin).
#[utoipa::path(post, path = "/api/v1/users/{username}/compartments", request_body = GrantRequest, security(("bearer" = [])),
    params(("username" = String, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn grant(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(username): Path<String>,
    JsonBody(req): JsonBody<GrantRequest>,
) -> ApiResult<StatusCode> {
    state
        .station
        .grant_compartment(&auth.principal, &username, &req.compartment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create a compartment (admin).
#[utoipa::path(post, path = "/api/v1/compartments", request_body = NewCompartmentRequest, security(("bearer" = [])),
    responses((status = 201, body = CompartmentResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_compartment(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<NewCompartmentRequest>,
) -> ApiResult<(StatusCode, Json<CompartmentResponse>)> {
    let c = state
        .station
        .add_compartment(&auth.principal, &req.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CompartmentResponse {
            id: c.id,
            name: c.name,
        }),
    ))
}

/// A compartment's bigot list: controllers and auditors read into it, and admins.
#[utoipa::path(get, path = "/api/v1/compartments/{name}/members", security(("bearer" = [])),
    params(("name" = String, Path)), responses((status = 200, body = [MemberResponse]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(name): Path<String>,
) -> ApiResult<Json<Vec<MemberResponse>>> {
    let members = state
        .station
        .compartment_members(&auth.principal, &name)
        .await?;
    Ok(Json(
        members
            .into_iter()
            .map(|(username, role)| MemberResponse {
                username,
                role: role.as_str().to_owned(),
            })
            .collect(),
    ))
}

/// The deployment's payment approval thresholds, in whole minor units (e.g. pence): a payment
/// above the single threshold, or taking a source's paid total for the calendar year above the
/// yearly one, needs the controller's approval.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentPolicyBody {
    pub single_payment_threshold_minor: u64,
    pub yearly_threshold_minor: u64,
}

impl From<PaymentPolicy> for PaymentPolicyBody {
    fn from(p: PaymentPolicy) -> Self {
        Self {
            single_payment_threshold_minor: p.single_payment_threshold_minor,
            yearly_threshold_minor: p.yearly_threshold_minor,
        }
    }
}

/// The payment approval thresholds in force (any signed-in officer: handlers need them to know
/// which payments will wait for approval).
#[utoipa::path(get, path = "/api/v1/settings/payments", security(("bearer" = [])),
    responses((status = 200, body = PaymentPolicyBody), (status = 401, body = ErrorBody)))]
pub async fn payment_policy(
    State(state): State<AppState>,
    _auth: Authenticated,
) -> ApiResult<Json<PaymentPolicyBody>> {
    Ok(Json(state.station.payment_policy().await?.into()))
}

/// Set the payment approval thresholds (admin). The next payment anywhere is judged by them;
/// the audit ledger records the new figures.
#[utoipa::path(put, path = "/api/v1/settings/payments", request_body = PaymentPolicyBody, security(("bearer" = [])),
    responses((status = 200, body = PaymentPolicyBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_payment_policy(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<PaymentPolicyBody>,
) -> ApiResult<Json<PaymentPolicyBody>> {
    let policy = PaymentPolicy {
        single_payment_threshold_minor: req.single_payment_threshold_minor,
        yearly_threshold_minor: req.yearly_threshold_minor,
    };
    Ok(Json(
        state
            .station
            .set_payment_policy(&auth.principal, policy)
            .await?
            .into(),
    ))
}

/// The rank table the authorising officer's rank is checked against (AUTH-03), and what each
/// case needs under it. `table` is `none` when no table is in force (ranks are not checked).
#[derive(Serialize, ToSchema)]
pub struct RankTableBody {
    /// police-england-wales, or none.
    pub table: String,
    /// Lowest first; empty when no table is in force.
    pub ranks: Vec<String>,
    /// The lowest rank that may decide each case, when a table is in force.
    pub standard: Option<String>,
    pub urgent: Option<String>,
    pub relevant_source: Option<String>,
    pub relevant_source_urgent: Option<String>,
    /// An undercover officer deployed more than twelve months in all (REL-01).
    pub relevant_source_long_term: Option<String>,
    pub annex_a: Option<String>,
}

impl From<Option<&'static RankTable>> for RankTableBody {
    fn from(t: Option<&'static RankTable>) -> Self {
        let own = |s: &str| Some(s.to_owned());
        Self {
            table: t.map_or(rank::NO_TABLE, |t| t.name).to_owned(),
            ranks: t.map_or_else(Vec::new, |t| {
                t.ranks.iter().map(|r| (*r).to_owned()).collect()
            }),
            standard: t.and_then(|t| own(t.standard)),
            urgent: t.and_then(|t| own(t.urgent)),
            relevant_source: t.and_then(|t| own(t.relevant_source)),
            relevant_source_urgent: t.and_then(|t| own(t.relevant_source_urgent)),
            relevant_source_long_term: t.and_then(|t| own(t.relevant_source_long_term)),
            annex_a: t.and_then(|t| own(t.annex_a)),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RankTableRequest {
    /// police-england-wales, or none.
    pub table: String,
}

/// The rank table in force (any signed-in officer).
#[utoipa::path(get, path = "/api/v1/settings/ranks", security(("bearer" = [])),
    responses((status = 200, body = RankTableBody), (status = 401, body = ErrorBody)))]
pub async fn rank_table(
    State(state): State<AppState>,
    _auth: Authenticated,
) -> ApiResult<Json<RankTableBody>> {
    Ok(Json(state.station.rank_table().await?.into()))
}

/// Choose the rank table in force, or `none` (admin). Audited with its name.
#[utoipa::path(put, path = "/api/v1/settings/ranks", request_body = RankTableRequest, security(("bearer" = [])),
    responses((status = 200, body = RankTableBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rank_table(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<RankTableRequest>,
) -> ApiResult<Json<RankTableBody>> {
    Ok(Json(
        state
            .station
            .set_rank_table(&auth.principal, &req.table)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RankRequest {
    /// A rank of the table in force (or an equivalent title it lists, e.g. Commander).
    pub rank: String,
}

#[derive(Serialize, ToSchema)]
pub struct RankResponse {
    pub username: String,
    /// As the table spells it.
    pub rank: String,
}

/// Record an officer's rank (admin); refused `RANK_UNKNOWN` when it is not in the table in force.
#[utoipa::path(post, path = "/api/v1/users/{username}/rank", request_body = RankRequest, security(("bearer" = [])),
    params(("username" = String, Path)), responses((status = 200, body = RankResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_rank(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(username): Path<String>,
    JsonBody(req): JsonBody<RankRequest>,
) -> ApiResult<Json<RankResponse>> {
    let rank = state
        .station
        .set_user_rank(&auth.principal, &username, &req.rank)
        .await?;
    Ok(Json(RankResponse {
        username,
        rank: rank.to_owned(),
    }))
}
