//! The handling cycle over the API: requirements, sources, lifecycle, roles, risk
//! assessments, authorisations, taskings, contacts, payments, reports, the statutory record and
//! alerts. Handlers parse, call one station service and render; every refusal comes from the
//! station (and through it from the core's rules) as `{code, message}`.
//!
//! Wire types are defined here, apart from the station's and the core's types, and built by
//! hand: a field reaches the wire only because a line below puts it there. True identities,
//! contact notes and report text each have their own audited endpoint.

pub mod activity;
pub mod authorisations;
pub mod progress;
pub mod record;
pub mod register;
pub mod reports;
pub mod requirements;
pub mod sources;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/requirements",
            get(requirements::list).post(requirements::create),
        )
        .route("/requirements/{id}", get(requirements::get_one))
        .route("/sources", get(sources::list).post(sources::create))
        .route("/sources/{id}", get(sources::get_one))
        .route("/sources/{id}/identity", get(sources::identity))
        .route("/sources/{id}/motivation", put(sources::set_motivation))
        .route(
            "/sources/{id}/transitions",
            get(sources::transitions).post(sources::transition),
        )
        .route(
            "/sources/{id}/roles",
            get(sources::roles).post(sources::assign_role),
        )
        .route(
            "/sources/{id}/risk-assessments",
            get(authorisations::risks).post(authorisations::add_risk),
        )
        .route(
            "/sources/{id}/authorisations",
            get(authorisations::list).post(authorisations::grant),
        )
        .route("/authorisations/{id}", get(authorisations::get_one))
        .route("/authorisations/{id}/reviews", post(authorisations::review))
        .route("/authorisations/{id}/renewals", post(authorisations::renew))
        .route(
            "/authorisations/{id}/cancellation",
            post(authorisations::cancel),
        )
        .route("/authorisations/{id}/notices", post(authorisations::notice))
        .route(
            "/authorisations/{id}/written-record",
            post(authorisations::written_record),
        )
        .route(
            "/sources/{id}/taskings",
            get(activity::taskings).post(activity::add_tasking),
        )
        .route(
            "/sources/{id}/contacts",
            get(activity::contacts).post(activity::add_contact),
        )
        .route("/contacts/{id}/outcome", post(activity::contact_outcome))
        .route("/contacts/{id}/notes", get(activity::contact_notes))
        .route(
            "/sources/{id}/payments",
            get(activity::payments).post(activity::add_payment),
        )
        .route("/payments/{id}/approval", post(activity::approve_payment))
        .route("/payments/{id}/paid", post(activity::pay_payment))
        .route(
            "/sources/{id}/reports",
            get(reports::list).post(reports::create),
        )
        .route("/reports/{id}", get(reports::get_one))
        .route("/reports/{id}/text", get(reports::text))
        .route("/reports/{id}/grading", post(reports::grade))
        .route("/reports/{id}/claims", post(reports::add_claim))
        .route("/reports/{id}/disseminations", post(reports::disseminate))
        .route("/claims/{id}/outcomes", post(reports::add_outcome))
        .route("/sources/{id}/record", get(record::source_record))
        .route("/alerts", get(record::alerts))
        .route(
            "/errors",
            get(register::list_errors).post(register::create_error),
        )
        .route("/errors/{id}/establish", post(register::establish_error))
        .route("/errors/{id}/report", post(register::report_error))
        .route(
            "/sources/{id}/identity/break-glass",
            post(register::break_glass),
        )
        .route("/break-glass", get(register::break_glass_events))
        .route(
            "/requirements/{id}/reviews",
            post(progress::review_requirement),
        )
        .route(
            "/requirements/{id}/closure",
            post(progress::close_requirement),
        )
        .route(
            "/requirements/{id}/history",
            get(progress::requirement_history),
        )
        .route("/taskings/{id}", get(progress::get_tasking))
        .route("/taskings/{id}/status", post(progress::tasking_status))
}

/// Keyset pagination: `after` is the `next` of the previous page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub after: Option<String>,
    /// 1 to 500; 50 when absent.
    pub limit: Option<i64>,
}

/// One page of a list and the cursor of the next (absent on the last page).
#[derive(Serialize, ToSchema)]
pub struct PageOf<T: ToSchema> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

pub(crate) fn page_of<T: ToSchema>(
    items: Vec<T>,
    limit: i64,
    id: impl Fn(&T) -> String,
) -> PageOf<T> {
    let next = (items.len() as i64 == limit)
        .then(|| items.last().map(id))
        .flatten();
    PageOf { items, next }
}

pub(crate) fn page(q: &PageQuery) -> Result<humint_station::handling::PageRequest, ApiError> {
    Ok(humint_station::handling::page(q.after.clone(), q.limit)?)
}

/// RFC 3339 text of a stored instant.
pub(crate) fn ms(t: i64) -> String {
    humint_core::clock::format_ms(t)
}

pub(crate) fn opt_ms(t: Option<i64>) -> Option<String> {
    t.map(ms)
}

/// RFC 3339 text of a core instant.
pub(crate) fn at(t: chrono_like::Instant) -> String {
    ms(t.timestamp_millis())
}

pub(crate) fn opt_at(t: Option<chrono_like::Instant>) -> Option<String> {
    t.map(at)
}

/// A core enum's wire name (its serde name).
pub(crate) fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(crate) fn instant(field: &str, text: &str) -> Result<chrono_like::Instant, ApiError> {
    Ok(humint_station::handling::parse_instant(field, text)?)
}

pub(crate) fn opt_instant(
    field: &str,
    text: &Option<String>,
) -> Result<Option<chrono_like::Instant>, ApiError> {
    text.as_deref().map(|t| instant(field, t)).transpose()
}

/// The instant type of the core's records, named without a direct chrono dependency.
pub(crate) mod chrono_like {
    pub type Instant = humint_station::handling::Instant;
}
