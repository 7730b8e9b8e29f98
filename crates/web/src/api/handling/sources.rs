//! Sources: create, list, read (never the identity), the audited identity, lifecycle
//! transitions and the s.29(5) roles.

use super::{PageOf, PageQuery, ms, opt_ms, page, page_of};
use crate::AppState;
use crate::api::JsonBody;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use humint_core::handling::{Motivation, Origin, SourceRole, SourceState};
use humint_station::handling::{
    AuthorityReference, NewSource, RoleRow, SourceDetail, SourceListFilter, SourceRow,
    TransitionRow, TrueIdentity, parse_date,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorityReferenceBody {
    pub authority: String,
    pub reference: String,
}

/// A true identity as sent in and (from `/identity` only) out.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrueIdentityBody {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    #[serde(default)]
    pub identities_used: Vec<String>,
    #[serde(default)]
    pub other_authorities: Vec<AuthorityReferenceBody>,
    /// What the source can reach (a workplace, a group, a place); absent or null when not
    /// known. Identifying, so it is kept and shown with the identity only.
    #[serde(default)]
    pub access: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSourceRequest {
    pub compartment: String,
    /// spotted, walk_in, write_in or referral.
    #[schema(value_type = String)]
    pub origin: Origin,
    pub true_identity: TrueIdentityBody,
    /// Generated from a word list when absent.
    pub codename: Option<String>,
    #[serde(default)]
    pub vulnerable: bool,
    #[serde(default)]
    pub undercover_operative: bool,
    /// Declared motivation: ideology, money, recognition, conscience or other; absent or null
    /// when not recorded.
    pub motivation: Option<String>,
    /// Usernames; a handler creating a source becomes its handler.
    pub handler: Option<String>,
    pub controller: Option<String>,
    pub record_keeper: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RoleBody {
    pub role: String,
    pub officer_id: String,
    pub officer: String,
    pub from: String,
    pub until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SourceBody {
    pub id: String,
    pub codename: String,
    pub compartment: String,
    pub status: String,
    pub origin: String,
    pub juvenile: bool,
    pub vulnerable: bool,
    pub undercover_operative: bool,
    pub recruited_at: Option<String>,
    pub created_at: String,
    /// Declared motivation (ideology, money, recognition, conscience, other), null when not
    /// recorded: context for judging the reporting.
    pub motivation: Option<String>,
    /// Current handler, controller and record-keeper (detail views only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleBody>>,
    /// The live use-and-conduct authorisation (detail views only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_authorisation: Option<LiveAuthorisationBody>,
}

#[derive(Serialize, ToSchema)]
pub struct LiveAuthorisationBody {
    pub id: String,
    pub expires_at: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceQuery {
    pub compartment: Option<String>,
    pub status: Option<String>,
    /// Only sources the caller handles.
    #[serde(default)]
    pub mine: bool,
    /// Only sources this officer (username) handles now.
    pub handler: Option<String>,
    /// Only sources whose suggested reliability letter is this (A-F).
    pub grade: Option<String>,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    #[schema(value_type = String)]
    pub to: SourceState,
    pub reason: String,
    /// Required to terminate.
    pub welfare_arrangements: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TransitionBody {
    pub id: String,
    pub from: String,
    pub to: String,
    pub at: String,
    pub actor: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotivationRequest {
    /// ideology, money, recognition, conscience or other; null for not recorded.
    pub motivation: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    /// handler, controller or record_keeper.
    #[schema(value_type = String)]
    pub role: SourceRole,
    pub officer: String,
}

pub(crate) fn role_body(r: &RoleRow) -> RoleBody {
    RoleBody {
        role: r.role.clone(),
        officer_id: r.officer_id.clone(),
        officer: r.officer_name.clone(),
        from: ms(r.from_ms),
        until: opt_ms(r.until_ms),
    }
}

pub(crate) fn source_body(r: &SourceRow) -> SourceBody {
    SourceBody {
        id: r.id.clone(),
        codename: r.codename.clone(),
        compartment: r.compartment.clone(),
        status: r.state.clone(),
        origin: r.origin.clone(),
        juvenile: r.juvenile,
        vulnerable: r.vulnerable,
        undercover_operative: r.undercover,
        recruited_at: opt_ms(r.recruited_at_ms),
        created_at: ms(r.created_at_ms),
        motivation: r.motivation.clone(),
        roles: None,
        live_authorisation: None,
    }
}

fn detail_body(d: &SourceDetail) -> SourceBody {
    SourceBody {
        roles: Some(d.roles.iter().map(role_body).collect()),
        live_authorisation: d
            .live_authorisation
            .as_ref()
            .map(|(id, exp)| LiveAuthorisationBody {
                id: id.clone(),
                expires_at: ms(*exp),
            }),
        ..source_body(&d.row)
    }
}

pub(crate) fn identity_body(i: &TrueIdentity) -> TrueIdentityBody {
    TrueIdentityBody {
        name: i.name.clone(),
        date_of_birth: i.date_of_birth.to_string(),
        identities_used: i.identities_used.clone(),
        other_authorities: i
            .other_authorities
            .iter()
            .map(|a| AuthorityReferenceBody {
                authority: a.authority.clone(),
                reference: a.reference.clone(),
            })
            .collect(),
        access: i.access.clone(),
    }
}

/// A motivation as sent: absent or null is "not recorded"; an unknown name is refused.
fn motivation(text: Option<&str>) -> Result<Option<Motivation>, humint_station::StationError> {
    text.map(Motivation::parse)
        .transpose()
        .map_err(humint_station::StationError::from)
}

/// Record a new source (handler or controller of the compartment).
#[utoipa::path(post, path = "/api/v1/sources", request_body = NewSourceRequest, security(("bearer" = [])),
    responses((status = 201, body = SourceBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Authenticated,
    JsonBody(req): JsonBody<NewSourceRequest>,
) -> ApiResult<(StatusCode, Json<SourceBody>)> {
    let identity = TrueIdentity {
        name: req.true_identity.name,
        date_of_birth: parse_date(
            "true_identity.date_of_birth",
            &req.true_identity.date_of_birth,
        )?,
        identities_used: req.true_identity.identities_used,
        other_authorities: req
            .true_identity
            .other_authorities
            .into_iter()
            .map(|a| AuthorityReference {
                authority: a.authority,
                reference: a.reference,
            })
            .collect(),
        access: req.true_identity.access,
    };
    let new = NewSource {
        compartment: req.compartment,
        origin: req.origin,
        codename: req.codename,
        true_identity: identity,
        vulnerable: req.vulnerable,
        undercover_operative: req.undercover_operative,
        motivation: motivation(req.motivation.as_deref())?,
        handler: req.handler,
        controller: req.controller,
        record_keeper: req.record_keeper,
    };
    let d = state.station.create_source(&auth.principal, new).await?;
    Ok((StatusCode::CREATED, Json(detail_body(&d))))
}

/// Sources in the caller's compartments, filtered and paged in the database.
#[utoipa::path(get, path = "/api/v1/sources", params(SourceQuery), security(("bearer" = [])),
    responses((status = 200, body = PageOf<SourceBody>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<SourceQuery>,
) -> ApiResult<Json<PageOf<SourceBody>>> {
    let status = match q.status.as_deref() {
        Some(s) => Some(
            serde_json::from_value::<SourceState>(serde_json::Value::String(s.to_owned()))
                .map_err(|_| {
                    humint_station::StationError::invalid(
                        "INVALID_STATUS",
                        "status must be spotted, assessed, in_development, recruited, suspended or terminated",
                    )
                })?,
        ),
        None => None,
    };
    let pg = page(&PageQuery {
        after: q.after.clone(),
        limit: q.limit,
    })?;
    let limit = pg.limit;
    let rows = state
        .station
        .list_sources(
            &auth.principal,
            SourceListFilter {
                compartment: q.compartment,
                state: status,
                mine: q.mine,
                handler: q.handler.filter(|h| !h.trim().is_empty()),
                grade: grade_filter(q.grade.as_deref())?,
            },
            pg,
        )
        .await?;
    Ok(Json(page_of(
        rows.iter().map(source_body).collect(),
        limit,
        |s| s.id.clone(),
    )))
}

/// One source: codename, state, roles; never the true identity.
#[utoipa::path(get, path = "/api/v1/sources/{id}", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = SourceBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<SourceBody>> {
    let d = state.station.source_detail(&auth.principal, &id).await?;
    Ok(Json(detail_body(&d)))
}

/// The true identity: the source's handler, the compartment's controllers and authorising
/// officers; every attempt is audited.
#[utoipa::path(get, path = "/api/v1/sources/{id}/identity", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TrueIdentityBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn identity(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<TrueIdentityBody>> {
    let i = state.station.source_identity(&auth.principal, &id).await?;
    Ok(Json(identity_body(&i)))
}

/// Move a source along spotted → assessed → in_development → recruited ⇄ suspended → terminated.
#[utoipa::path(post, path = "/api/v1/sources/{id}/transitions", params(("id" = String, Path)), request_body = TransitionRequest, security(("bearer" = [])),
    responses((status = 200, body = SourceBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transition(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TransitionRequest>,
) -> ApiResult<Json<SourceBody>> {
    let d = state
        .station
        .transition_source(
            &auth.principal,
            &id,
            req.to,
            &req.reason,
            req.welfare_arrangements.as_deref(),
        )
        .await?;
    Ok(Json(detail_body(&d)))
}

fn transition_body(t: &TransitionRow) -> TransitionBody {
    TransitionBody {
        id: t.id.clone(),
        from: t.from_state.clone(),
        to: t.to_state.clone(),
        at: ms(t.at_ms),
        actor: t.actor.clone(),
    }
}

/// The source's lifecycle events.
#[utoipa::path(get, path = "/api/v1/sources/{id}/transitions", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [TransitionBody]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn transitions(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<TransitionBody>>> {
    let rows = state
        .station
        .source_transitions(&auth.principal, &id)
        .await?;
    Ok(Json(rows.iter().map(transition_body).collect()))
}

/// Record or change the source's declared motivation (its handler or a controller of its
/// compartment); null for not recorded. Context for judging the reporting: it changes no grade.
#[utoipa::path(put, path = "/api/v1/sources/{id}/motivation", params(("id" = String, Path)), request_body = MotivationRequest, security(("bearer" = [])),
    responses((status = 200, body = SourceBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_motivation(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<MotivationRequest>,
) -> ApiResult<Json<SourceBody>> {
    let m = motivation(req.motivation.as_deref())?;
    let d = state
        .station
        .set_source_motivation(&auth.principal, &id, m)
        .await?;
    Ok(Json(detail_body(&d)))
}

/// Who held each role and when (the history).
#[utoipa::path(get, path = "/api/v1/sources/{id}/roles", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [RoleBody]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn roles(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RoleBody>>> {
    let rows = state.station.source_roles(&auth.principal, &id).await?;
    Ok(Json(rows.iter().map(role_body).collect()))
}

/// Hand a role to an officer (controllers); returns the whole history.
#[utoipa::path(post, path = "/api/v1/sources/{id}/roles", params(("id" = String, Path)), request_body = RoleRequest, security(("bearer" = [])),
    responses((status = 200, body = [RoleBody]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_role(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RoleRequest>,
) -> ApiResult<Json<Vec<RoleBody>>> {
    let rows = state
        .station
        .assign_source_role(&auth.principal, &id, req.role, &req.officer)
        .await?;
    Ok(Json(rows.iter().map(role_body).collect()))
}

/// A grade filter as typed: one letter (either case), blank for none; anything else refused.
pub(crate) fn grade_filter(
    text: Option<&str>,
) -> Result<Option<char>, humint_station::StationError> {
    let t = text.unwrap_or("").trim();
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok(None),
        (Some(c), None) => Ok(Some(c.to_ascii_uppercase())),
        _ => Err(humint_station::StationError::invalid(
            "INVALID_GRADE",
            "the grade to filter by is a suggested source letter, A to F",
        )),
    }
}
