//! The auditor's pages: the audit log searched and paged by the station, the bigot list of
//! each compartment, and the inspection pack downloaded as the same HTML document as
//! `humint report inspection`. The station decides who may read each and audits every read.

use super::{Officer, Problem, Shell, refusal, render, stylesheet_href, when_ms};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use humint_station::StationError;
use humint_station::handling::{AuditQuery, InspectionPeriod, parse_date};
use serde::Deserialize;

/// Events on one page of the log.
const PAGE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
pub(super) struct LogQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub cursor: String,
}

pub(super) struct EventLine {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub object: String,
    pub compartment: String,
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "officer/audit_log.html")]
struct LogPage {
    shell: Option<Shell>,
    stylesheet: String,
    q: LogQuery,
    events: Vec<EventLine>,
    next: Option<String>,
    problem: Option<Problem>,
}

fn blank_is_none(text: &str) -> Option<String> {
    super::opt(text)
}

fn log_query(q: &LogQuery) -> Result<AuditQuery, StationError> {
    let date = |field: &str, text: &str| {
        blank_is_none(text)
            .map(|t| parse_date(field, &t))
            .transpose()
    };
    Ok(AuditQuery {
        actor: blank_is_none(&q.actor),
        action: blank_is_none(&q.action),
        from: date("from", &q.from)?,
        to: date("to", &q.to)?,
        cursor: blank_is_none(&q.cursor)
            .map(|c| AuditQuery::parse_cursor(&c))
            .transpose()?,
        limit: Some(PAGE),
    })
}

/// Percent-encodes a filter's value for the next page's address.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn next_href(q: &LogQuery, cursor: i64) -> String {
    format!(
        "/audit?actor={}&action={}&from={}&to={}&cursor={cursor}",
        encode(q.actor.trim()),
        encode(q.action.trim()),
        encode(q.from.trim()),
        encode(q.to.trim())
    )
}

pub(super) async fn log(
    State(state): State<AppState>,
    officer: Officer,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Response {
    let shell = officer.shell("/audit");
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let result = match log_query(&q) {
        Ok(aq) => state.station.audit_log(&officer.principal, &aq).await,
        Err(e) => Err(e),
    };
    let (status, events, next, problem) = match result {
        Ok(page) => (
            StatusCode::OK,
            page.events
                .into_iter()
                .map(|entry| {
                    let e = entry.event;
                    EventLine {
                        seq: e.seq,
                        at: when_ms(e.at_ms),
                        actor: entry.actor_name,
                        role: e.role,
                        action: e.action,
                        object: format!("{} {}", e.object_type, e.object_id),
                        compartment: e.compartment.unwrap_or_default(),
                        outcome: e.outcome,
                    }
                })
                .collect(),
            page.next_cursor.map(|c| next_href(&q, c)),
            None,
        ),
        // Not being an inspector is a refusal page, not an empty log.
        Err(e @ StationError::Forbidden { .. }) => return refusal(Some(shell), e),
        Err(e) => {
            let (status, problem) = Problem::from_error(e);
            (status, Vec::new(), None, Some(problem))
        }
    };
    render(
        status,
        &LogPage {
            stylesheet: stylesheet_href(),
            shell: Some(shell),
            q,
            events,
            next,
            problem,
        },
    )
}

pub(super) struct Member {
    pub username: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "officer/bigot_lists.html")]
struct BigotPage {
    shell: Option<Shell>,
    stylesheet: String,
    lists: Vec<(String, Vec<Member>)>,
}

pub(super) async fn bigot_lists(State(state): State<AppState>, officer: Officer) -> Response {
    let shell = officer.shell("/audit/bigot-lists");
    match state.station.bigot_lists(&officer.principal).await {
        Ok(lists) => render(
            StatusCode::OK,
            &BigotPage {
                stylesheet: stylesheet_href(),
                shell: Some(shell),
                lists: lists
                    .into_iter()
                    .map(|(c, members)| {
                        (
                            c,
                            members
                                .into_iter()
                                .map(|(username, role)| Member {
                                    username,
                                    role: super::role_label(role).to_owned(),
                                })
                                .collect(),
                        )
                    })
                    .collect(),
            },
        ),
        Err(e) => refusal(Some(shell), e),
    }
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct PeriodForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Template)]
#[template(path = "officer/inspection.html")]
struct InspectionPage {
    shell: Option<Shell>,
    stylesheet: String,
    form: PeriodForm,
    problem: Option<Problem>,
}

pub(super) async fn inspection_form(officer: Officer) -> Response {
    let shell = officer.shell("/inspection");
    if let Err(e) = officer
        .principal
        .require_role(&[humint_core::Role::Auditor], "prepare an inspection pack")
    {
        return refusal(Some(shell), e);
    }
    render(
        StatusCode::OK,
        &InspectionPage {
            stylesheet: stylesheet_href(),
            shell: Some(shell),
            form: PeriodForm::default(),
            problem: None,
        },
    )
}

/// The pack as an attachment; a refusal is the form again with its reason and the dates kept.
pub(super) async fn inspection_pack(
    State(state): State<AppState>,
    officer: Officer,
    query: Result<Query<PeriodForm>, QueryRejection>,
) -> Response {
    let shell = officer.shell("/inspection");
    let form = query.map(|Query(q)| q).unwrap_or_default();
    let pack = match InspectionPeriod::parse(form.from.trim(), form.to.trim()) {
        Ok(period) => {
            state
                .station
                .inspection_pack(&officer.principal, period)
                .await
        }
        Err(e) => Err(e),
    };
    let pack = match pack {
        Ok(p) => p,
        Err(e @ StationError::Forbidden { .. }) => return refusal(Some(shell), e),
        Err(e) => {
            let (status, problem) = Problem::from_error(e);
            return render(
                status,
                &InspectionPage {
                    stylesheet: stylesheet_href(),
                    shell: Some(shell),
                    form,
                    problem: Some(problem),
                },
            );
        }
    };
    let body = match crate::inspection::render_inspection_pack(&pack) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "the inspection pack failed to render");
            return refusal(
                Some(shell),
                StationError::Io("the inspection pack failed to render".to_owned()),
            );
        }
    };
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"inspection-{}-to-{}.html\"",
        pack.period.from, pack.period.to
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
