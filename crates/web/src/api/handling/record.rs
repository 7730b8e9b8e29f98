//! The statutory record of one source and the caller's alerts.

use super::activity::{
    ContactBody, PaymentBody, TaskingBody, YearTotalBody, contact_body, payment_body, tasking_body,
};
use super::authorisations::{AuthorisationBody, auth_body};
use super::reports::{ReportBody, view_body};
use super::sources::{
    RoleBody, SourceBody, TrueIdentityBody, identity_body, role_body, source_body,
};
use super::{at, ms, name};
use crate::AppState;
use crate::auth::Authenticated;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use humint_core::handling::{AlertKind, AlertSubject};
use humint_station::handling::AlertsRequest;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct RiskRecordBody {
    pub id: String,
    pub assessed_by: String,
    pub assessed_at: String,
    pub level: String,
    pub security_and_welfare: String,
    pub mitigations: String,
    pub physical_harm: Option<String>,
    pub psychological_harm: Option<String>,
    /// reg 3(f): the risks were explained to and understood by the source.
    pub explained_to_source: bool,
    pub understood_by_source: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RecruitmentBody {
    pub recruited_at: String,
    pub circumstances: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedContactBody {
    #[serde(flatten)]
    pub contact: ContactBody,
    pub notes: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedReportBody {
    #[serde(flatten)]
    pub report: ReportBody,
    pub text: String,
}

/// Every particular of SI 2000/2725 reg 3, labelled by its letter.
#[derive(Serialize, ToSchema)]
pub struct SourceRecordBody {
    pub source: SourceBody,
    /// (a)-(d)
    pub true_identity: TrueIdentityBody,
    /// (e)-(f)
    pub security_and_welfare: Vec<RiskRecordBody>,
    /// (g)
    pub recruitment: Option<RecruitmentBody>,
    /// (h)-(i)
    pub roles: Vec<RoleBody>,
    pub authorisations: Vec<AuthorisationBody>,
    /// (j)
    pub tasks: Vec<TaskingBody>,
    /// (k)
    pub contacts: Vec<RecordedContactBody>,
    /// (l)-(m)
    pub information_obtained: Vec<RecordedReportBody>,
    /// (n)
    pub payments: Vec<PaymentBody>,
    pub payment_totals: Vec<YearTotalBody>,
    /// Concerns raised about the source and their reviews, newest first (compliance.md §1).
    pub concerns: Vec<crate::api::concerns::ConcernBody>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertBody {
    /// e.g. review_overdue, authorisation_expiring, contact_overdue.
    pub kind: String,
    /// For authorisation_expiring: the warning window reached (28, 14 or 7).
    pub within_days: Option<u32>,
    /// source_safety, critical, warning or notice.
    pub severity: String,
    pub due_at: String,
    /// What the alert is about: source, authorisation, contact, payment, requirement,
    /// relevant_error, concern or tasking.
    pub subject_type: String,
    pub subject_id: String,
    pub source_id: Option<String>,
    pub message: String,
}

/// The full statutory record (handler of the source, controllers and authorising officers of
/// its compartment); the read is audited.
#[utoipa::path(get, path = "/api/v1/sources/{id}/record", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = SourceRecordBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn source_record(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> ApiResult<Json<SourceRecordBody>> {
    let r = state.station.source_record(&auth.principal, &id).await?;
    let now = state.station.clock().now();
    Ok(Json(SourceRecordBody {
        source: source_body(&r.source),
        true_identity: identity_body(&r.identity),
        security_and_welfare: r
            .risk_assessments
            .iter()
            .map(|k| RiskRecordBody {
                id: k.view.id.clone(),
                assessed_by: k.view.assessed_by.clone(),
                assessed_at: ms(k.view.assessed_at_ms),
                level: k.view.level.clone(),
                security_and_welfare: k.security_and_welfare.clone(),
                mitigations: k.mitigations.clone(),
                physical_harm: k.physical_harm.clone(),
                psychological_harm: k.psychological_harm.clone(),
                explained_to_source: k.view.explained_to_source,
                understood_by_source: k.view.understood_by_source,
            })
            .collect(),
        recruitment: r.recruitment.as_ref().map(|t| RecruitmentBody {
            recruited_at: ms(t.at_ms),
            circumstances: serde_json::from_str::<serde_json::Value>(&t.doc)
                .ok()
                .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(str::to_owned))
                .unwrap_or_default(),
        }),
        roles: r.roles.iter().map(role_body).collect(),
        authorisations: r.authorisations.iter().map(|a| auth_body(a, now)).collect(),
        tasks: r.taskings.iter().map(tasking_body).collect(),
        contacts: r
            .contacts
            .iter()
            .map(|(c, notes)| RecordedContactBody {
                contact: contact_body(c),
                notes: notes.clone(),
            })
            .collect(),
        information_obtained: r
            .reports
            .iter()
            .map(|(v, text)| RecordedReportBody {
                report: view_body(v),
                text: text.clone(),
            })
            .collect(),
        payments: r.payments.iter().map(payment_body).collect(),
        payment_totals: r
            .payment_totals
            .iter()
            .map(|(year, t)| YearTotalBody {
                year: *year,
                offered_minor: t.offered_minor,
                paid_minor: t.paid_minor,
            })
            .collect(),
        concerns: r
            .concerns
            .into_iter()
            .map(crate::api::concerns::body)
            .collect(),
    }))
}

/// `GET /api/v1/alerts` query: `after` (or `cursor`) is the `next` of the previous page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Only alerts of this kind (e.g. review_overdue, authorisation_expiring).
    pub kind: Option<String>,
    #[serde(alias = "cursor")]
    pub after: Option<String>,
    /// 1 to 500; 50 when absent.
    pub limit: Option<i64>,
}

/// One page of the caller's alerts, most urgent first.
#[derive(Serialize, ToSchema)]
pub struct AlertPageBody {
    pub items: Vec<AlertBody>,
    /// The cursor of the next page (absent on the last).
    pub next: Option<String>,
    /// How many alerts of each kind are in force for the caller, whatever the page or kind
    /// asked (kinds with none are left out).
    pub counts: BTreeMap<String, i64>,
    /// The sum of `counts`.
    pub total: i64,
}

fn alert_body(a: &humint_core::handling::Alert) -> AlertBody {
    let (subject_type, subject_id) = match a.subject {
        AlertSubject::Source(id) => ("source", id.to_string()),
        AlertSubject::Authorisation(id) => ("authorisation", id.to_string()),
        AlertSubject::Contact(id) => ("contact", id.to_string()),
        AlertSubject::Payment(id) => ("payment", id.to_string()),
        AlertSubject::Requirement(id) => ("requirement", id.to_string()),
        AlertSubject::RelevantError(id) => ("relevant_error", id.to_string()),
        AlertSubject::Concern(id) => ("concern", id.to_string()),
        AlertSubject::Tasking(id) => ("tasking", id.to_string()),
    };
    AlertBody {
        kind: a.kind.name().to_owned(),
        within_days: match a.kind {
            AlertKind::AuthorisationExpiring { within_days } => Some(within_days),
            _ => None,
        },
        severity: name(&a.severity),
        due_at: at(a.due_at),
        subject_type: subject_type.to_owned(),
        subject_id,
        source_id: a.source.map(|s| s.to_string()),
        message: a.message.clone(),
    }
}

/// What needs doing now, for the caller: reviews due, expiring authorisations, Commissioner
/// notices, overdue or missed contacts, payments awaiting approval, requirements past review.
/// Paged, most urgent first (source safety, then legal deadlines, then warnings and notices;
/// the earliest due first), with the count of each kind.
#[utoipa::path(get, path = "/api/v1/alerts", params(AlertQuery), security(("bearer" = [])),
    responses((status = 200, body = AlertPageBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn alerts(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<AlertQuery>,
) -> ApiResult<Json<AlertPageBody>> {
    let request = AlertsRequest {
        kind: q.kind.filter(|k| !k.is_empty()),
        page: humint_station::handling::page(q.after, q.limit)?,
    };
    let page = state.station.alerts(&auth.principal, &request).await?;
    Ok(Json(AlertPageBody {
        items: page.alerts.iter().map(alert_body).collect(),
        next: page.next,
        total: page.counts.values().sum(),
        counts: page.counts,
    }))
}
