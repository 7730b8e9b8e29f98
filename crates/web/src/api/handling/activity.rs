//! Taskings, contacts (notes through their own audited endpoint) and payments.

use super::{PageOf, PageQuery, at, name, opt_at, opt_instant, page, page_of};
use crate::AppState;
use crate::api::JsonBody;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use humint_core::handling::{
    AppropriateAdult, Contact, ContactMode, ContactPurpose, ContactStatus, PaymentKind, Tasking,
};
use humint_station::handling::{
    ContactInput, ContactOutcomeInput, PaymentInput, PaymentView, TaskingInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskingRequestBody {
    pub requirement_id: String,
    pub instructions: String,
    #[serde(default)]
    pub against_parent_or_guardian: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TaskingBody {
    pub id: String,
    pub source_id: String,
    pub requirement_id: String,
    pub authorisation_id: String,
    pub instructions: String,
    pub issued_by: String,
    pub issued_at: String,
    pub status: String,
    /// Every status change after issue, oldest first.
    pub history: Vec<TaskingEventBody>,
}

#[derive(Serialize, ToSchema)]
pub struct TaskingEventBody {
    pub from: String,
    pub to: String,
    pub by: String,
    pub at: String,
    pub note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppropriateAdultBody {
    /// parent_or_guardian, welfare_responsible or independent_adult.
    pub category: String,
    pub employed_by_or_member_of_authority: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactRequestBody {
    /// meeting, call, message or impersonal.
    #[schema(value_type = String)]
    pub mode: ContactMode,
    /// planned, held, missed or aborted.
    #[schema(value_type = String)]
    pub status: ContactStatus,
    /// use or welfare.
    #[schema(value_type = String)]
    pub purpose: ContactPurpose,
    pub planned_for: Option<String>,
    pub occurred_at: Option<String>,
    /// Usernames.
    #[serde(default)]
    pub officers_present: Vec<String>,
    #[schema(value_type = Option<AppropriateAdultBody>)]
    pub appropriate_adult: Option<AppropriateAdult>,
    pub location_alias: Option<String>,
    /// The cover used; sealed at rest.
    pub cover_used: Option<String>,
    /// Safety arrangements; sealed at rest.
    pub safety_arrangements: Option<String>,
    pub fallback_arrangements: Option<String>,
    pub next_contact_due: Option<String>,
    /// The contact note; encrypted at rest.
    pub notes: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactOutcomeBody {
    /// held, missed or aborted.
    #[schema(value_type = String)]
    pub status: ContactStatus,
    pub occurred_at: Option<String>,
    #[serde(default)]
    pub officers_present: Vec<String>,
    #[schema(value_type = Option<AppropriateAdultBody>)]
    pub appropriate_adult: Option<AppropriateAdult>,
    pub next_contact_due: Option<String>,
    pub notes: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactBody {
    pub id: String,
    pub source_id: String,
    pub mode: String,
    pub status: String,
    pub purpose: String,
    pub planned_for: Option<String>,
    pub occurred_at: Option<String>,
    pub officers_present: Vec<String>,
    pub appropriate_adult: Option<String>,
    pub location_alias: Option<String>,
    pub cover_used: Option<String>,
    pub safety_arrangements: Option<String>,
    pub fallback_arrangements: Option<String>,
    pub next_contact_due: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NotesBody {
    pub notes: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequestBody {
    /// offer or payment.
    #[schema(value_type = String)]
    pub kind: PaymentKind,
    /// Whole minor units (pence).
    pub amount_minor: u64,
    pub purpose: String,
    pub witnessed_by: Option<String>,
    /// Paid at once (refused when a controller's approval is needed first).
    #[serde(default)]
    pub paid: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentBody {
    pub id: String,
    pub source_id: String,
    pub kind: String,
    pub amount_minor: u64,
    pub purpose: String,
    pub recorded_by: String,
    pub recorded_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub witnessed_by: Option<String>,
    pub paid_at: Option<String>,
    pub needs_approval: bool,
}

#[derive(Serialize, ToSchema)]
pub struct YearTotalBody {
    pub year: i32,
    pub offered_minor: u64,
    pub paid_minor: u64,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentsBody {
    pub items: Vec<PaymentBody>,
    pub yearly_totals: Vec<YearTotalBody>,
}

pub(crate) fn tasking_body(t: &Tasking) -> TaskingBody {
    TaskingBody {
        id: t.id.to_string(),
        source_id: t.source.to_string(),
        requirement_id: t.requirement.to_string(),
        authorisation_id: t.authorisation.to_string(),
        instructions: t.instructions.clone(),
        issued_by: t.issued_by.to_string(),
        issued_at: at(t.issued_at),
        status: name(&t.status),
        history: t
            .history
            .iter()
            .map(|e| TaskingEventBody {
                from: name(&e.from),
                to: name(&e.to),
                by: e.by.to_string(),
                at: at(e.at),
                note: e.note.clone(),
            })
            .collect(),
    }
}

pub(crate) fn contact_body(c: &Contact) -> ContactBody {
    ContactBody {
        id: c.id.to_string(),
        source_id: c.source.to_string(),
        mode: name(&c.mode),
        status: name(&c.status),
        purpose: name(&c.purpose),
        planned_for: opt_at(c.planned_for),
        occurred_at: opt_at(c.occurred_at),
        officers_present: c.officers_present.iter().map(|o| o.to_string()).collect(),
        appropriate_adult: c.appropriate_adult.as_ref().map(|a| name(&a.category)),
        location_alias: c.location_alias.clone(),
        cover_used: c.cover_used.clone(),
        safety_arrangements: c.safety_arrangements.clone(),
        fallback_arrangements: c.fallback_arrangements.clone(),
        next_contact_due: opt_at(c.next_contact_due),
    }
}

pub(crate) fn payment_body(v: &PaymentView) -> PaymentBody {
    let p = &v.payment;
    PaymentBody {
        id: p.id.to_string(),
        source_id: p.source.to_string(),
        kind: name(&p.kind),
        amount_minor: p.amount_minor,
        purpose: p.purpose.clone(),
        recorded_by: p.recorded_by.to_string(),
        recorded_at: at(p.recorded_at),
        approved_by: p.approval.as_ref().map(|a| a.by.to_string()),
        approved_at: p.approval.as_ref().map(|a| at(a.at)),
        witnessed_by: p.witnessed_by.map(|w| w.to_string()),
        paid_at: opt_at(p.paid_at),
        needs_approval: v.needs_approval,
    }
}

/// Task a recruited source against a requirement (needs a live authorisation).
#[utoipa::path(post, path = "/api/v1/sources/{id}/taskings", params(("id" = String, Path)), request_body = TaskingRequestBody, security(("bearer" = [])),
    responses((status = 201, body = TaskingBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_tasking(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TaskingRequestBody>,
) -> ApiResult<(StatusCode, Json<TaskingBody>)> {
    let input = TaskingInput {
        requirement_id: req.requirement_id,
        instructions: req.instructions,
        against_parent_or_guardian: req.against_parent_or_guardian,
    };
    let t = state
        .station
        .add_tasking(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(tasking_body(&t))))
}

/// The tasks given to the source.
#[utoipa::path(get, path = "/api/v1/sources/{id}/taskings", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [TaskingBody]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn taskings(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<TaskingBody>>> {
    let rows = state.station.taskings(&auth.principal, &id).await?;
    Ok(Json(rows.iter().map(tasking_body).collect()))
}

/// Record a contact: planned, held, missed or aborted.
#[utoipa::path(post, path = "/api/v1/sources/{id}/contacts", params(("id" = String, Path)), request_body = ContactRequestBody, security(("bearer" = [])),
    responses((status = 201, body = ContactBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_contact(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ContactRequestBody>,
) -> ApiResult<(StatusCode, Json<ContactBody>)> {
    let input = ContactInput {
        mode: req.mode,
        status: req.status,
        purpose: req.purpose,
        planned_for: opt_instant("planned_for", &req.planned_for)?,
        occurred_at: opt_instant("occurred_at", &req.occurred_at)?,
        officers_present: req.officers_present,
        appropriate_adult: req.appropriate_adult,
        location_alias: req.location_alias,
        cover_used: req.cover_used,
        safety_arrangements: req.safety_arrangements,
        fallback_arrangements: req.fallback_arrangements,
        next_contact_due: opt_instant("next_contact_due", &req.next_contact_due)?,
        notes: req.notes,
    };
    let c = state
        .station
        .add_contact(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(contact_body(&c))))
}

/// Record what became of a planned contact.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/outcome", params(("id" = String, Path)), request_body = ContactOutcomeBody, security(("bearer" = [])),
    responses((status = 200, body = ContactBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn contact_outcome(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ContactOutcomeBody>,
) -> ApiResult<Json<ContactBody>> {
    let input = ContactOutcomeInput {
        status: req.status,
        occurred_at: opt_instant("occurred_at", &req.occurred_at)?,
        officers_present: req.officers_present,
        appropriate_adult: req.appropriate_adult,
        next_contact_due: opt_instant("next_contact_due", &req.next_contact_due)?,
        notes: req.notes,
    };
    let c = state
        .station
        .record_contact_outcome(&auth.principal, &id, input)
        .await?;
    Ok(Json(contact_body(&c)))
}

/// The source's contacts, newest first (notes are read one at a time).
#[utoipa::path(get, path = "/api/v1/sources/{id}/contacts", params(("id" = String, Path), PageQuery), security(("bearer" = [])),
    responses((status = 200, body = PageOf<ContactBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn contacts(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<PageOf<ContactBody>>> {
    let pg = page(&q)?;
    let limit = pg.limit;
    let rows = state.station.contacts(&auth.principal, &id, pg).await?;
    Ok(Json(page_of(
        rows.iter().map(contact_body).collect(),
        limit,
        |c| c.id.clone(),
    )))
}

/// A contact's note: the source's handler, the compartment's controllers and authorising
/// officers; every attempt is audited.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/notes", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = NotesBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn contact_notes(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<NotesBody>> {
    let notes = state.station.contact_notes(&auth.principal, &id).await?;
    Ok(Json(NotesBody { notes }))
}

/// Record a payment, benefit or reward, or an offer of one.
#[utoipa::path(post, path = "/api/v1/sources/{id}/payments", params(("id" = String, Path)), request_body = PaymentRequestBody, security(("bearer" = [])),
    responses((status = 201, body = PaymentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_payment(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PaymentRequestBody>,
) -> ApiResult<(StatusCode, Json<PaymentBody>)> {
    let input = PaymentInput {
        kind: req.kind,
        amount_minor: req.amount_minor,
        purpose: req.purpose,
        witnessed_by: req.witnessed_by,
        paid: req.paid,
    };
    let v = state
        .station
        .add_payment(&auth.principal, &id, input)
        .await?;
    Ok((StatusCode::CREATED, Json(payment_body(&v))))
}

/// A controller's approval of a payment above the threshold.
#[utoipa::path(post, path = "/api/v1/payments/{id}/approval", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PaymentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_payment(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentBody>> {
    let v = state.station.approve_payment(&auth.principal, &id).await?;
    Ok(Json(payment_body(&v)))
}

/// Record a payment as paid.
#[utoipa::path(post, path = "/api/v1/payments/{id}/paid", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PaymentBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pay_payment(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentBody>> {
    let v = state.station.pay_payment(&auth.principal, &id).await?;
    Ok(Json(payment_body(&v)))
}

/// The source's payments and offers, with totals per calendar year.
#[utoipa::path(get, path = "/api/v1/sources/{id}/payments", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PaymentsBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn payments(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentsBody>> {
    let (views, totals) = state.station.payments(&auth.principal, &id).await?;
    Ok(Json(PaymentsBody {
        items: views.iter().map(payment_body).collect(),
        yearly_totals: totals
            .iter()
            .map(|(year, t)| YearTotalBody {
                year: *year,
                offered_minor: t.offered_minor,
                paid_minor: t.paid_minor,
            })
            .collect(),
    }))
}
