//! Filing reports and reading them across compartments: the debrief form on a source (text,
//! the requirement it answers, claims as fixed rows, since there is no script to add rows), and
//! `/reports`, every report the officer may see, newest first, filtered by compartment and by
//! whether it is graded. The station decides who may file and what a claim needs.

use super::{
    Officer, Problem, Shell, instant_field, opt, refusal, render, see_other, source_for_form,
    stylesheet_href, when_ms, words,
};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_station::StationError;
use humint_station::handling::{ClaimInput, ReportInput, ReportListRequest};
use serde::Deserialize;

/// Empty claim rows offered by the filing form; more are added on the report's page.
pub(super) const CLAIM_ROWS: usize = 3;

/// Reports on one page of `/reports`.
const PAGE: i64 = 50;

/// One claim row as typed.
#[derive(Default, Clone)]
pub(super) struct ClaimRow {
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub observed_at: String,
}

impl ClaimRow {
    fn is_blank(&self) -> bool {
        [
            &self.subject,
            &self.attribute,
            &self.value,
            &self.observed_at,
        ]
        .iter()
        .all(|f| f.trim().is_empty())
    }
}

/// The filing form as typed, kept to fill the form again after a refusal.
#[derive(Default, Clone)]
pub(super) struct ReportForm {
    pub csrf: String,
    pub text: String,
    pub requirement_id: String,
    /// When the source reported, London time; blank: now.
    pub reported_at: String,
    pub claims: Vec<ClaimRow>,
}

impl ReportForm {
    fn blank() -> ReportForm {
        ReportForm {
            claims: vec![ClaimRow::default(); CLAIM_ROWS],
            ..ReportForm::default()
        }
    }

    /// Reads the posted fields: `claim_subject_0`, `claim_attribute_0`, … for each row.
    fn from_pairs(pairs: Vec<(String, String)>) -> ReportForm {
        let mut form = ReportForm::blank();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => form.csrf = value,
                "text" => form.text = value,
                "requirement_id" => form.requirement_id = value,
                "reported_at" => form.reported_at = value,
                _ => {
                    let Some((field, row)) = key
                        .strip_prefix("claim_")
                        .and_then(|k| k.rsplit_once('_'))
                        .and_then(|(f, n)| Some((f.to_owned(), n.parse::<usize>().ok()?)))
                    else {
                        continue;
                    };
                    let Some(claim) = form.claims.get_mut(row) else {
                        continue;
                    };
                    match field.as_str() {
                        "subject" => claim.subject = value,
                        "attribute" => claim.attribute = value,
                        "value" => claim.value = value,
                        "observed_at" => claim.observed_at = value,
                        _ => {}
                    }
                }
            }
        }
        form
    }

    fn input(&self) -> Result<ReportInput, StationError> {
        let mut claims = Vec::new();
        for (n, c) in self.claims.iter().enumerate() {
            if c.is_blank() {
                continue;
            }
            let observed_at = instant_field(&format!("claim {} observed", n + 1), &c.observed_at)?
                .ok_or_else(|| {
                    StationError::invalid(
                        "FIELD_REQUIRED",
                        format!("claim {} needs the time it was observed", n + 1),
                    )
                })?;
            claims.push(ClaimInput {
                subject: c.subject.trim().to_owned(),
                attribute: c.attribute.trim().to_owned(),
                value: c.value.trim().to_owned(),
                observed_at,
            });
        }
        Ok(ReportInput {
            contact_id: None,
            requirement_id: opt(&self.requirement_id),
            text: self.text.clone(),
            claims,
            reported_at: instant_field("reported", &self.reported_at)?,
        })
    }
}

#[derive(Template)]
#[template(path = "officer/report_form.html")]
struct FilePage {
    shell: Option<Shell>,
    stylesheet: String,
    source_id: String,
    codename: String,
    form: ReportForm,
    /// Open requirements of the source's compartment: (id, title).
    requirements: Vec<(String, String)>,
    problem: Option<Problem>,
}

async fn file_page(
    state: &AppState,
    officer: &Officer,
    source_id: &str,
    form: ReportForm,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let (shell, detail) = match source_for_form(state, officer, source_id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    // The requirements it may answer: the open ones of its compartment, if the officer may
    // see them (the choice is optional, so a refusal only leaves the list empty).
    let listed = match humint_station::handling::page(None, Some(200)) {
        Ok(pg) => {
            state
                .station
                .list_requirements(
                    &officer.principal,
                    Some(detail.row.compartment.clone()),
                    true,
                    false,
                    pg,
                )
                .await
        }
        Err(e) => Err(e),
    };
    let requirements = match listed {
        Ok(rows) => rows.into_iter().map(|r| (r.id, r.title)).collect(),
        Err(StationError::Forbidden { .. }) => Vec::new(),
        Err(e) => return refusal(Some(shell), e),
    };
    let (status, problem) = Problem::split(refused);
    render(
        status,
        &FilePage {
            shell: Some(shell),
            stylesheet: stylesheet_href(),
            source_id: detail.row.id.clone(),
            codename: detail.row.codename.clone(),
            form,
            requirements,
            problem,
        },
    )
}

pub(super) async fn form(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    file_page(&state, &officer, &id, ReportForm::blank(), None).await
}

pub(super) async fn file(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(pairs)) = form else {
        return file_page(
            &state,
            &officer,
            &id,
            ReportForm::blank(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let form = ReportForm::from_pairs(pairs);
    if !officer.form_ok(&state, &form.csrf) {
        return file_page(&state, &officer, &id, form, Some(Problem::expired_form())).await;
    }
    let result = match form.input() {
        Ok(input) => {
            state
                .station
                .add_report(&officer.principal, &id, input)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(view) => see_other(&format!("/reports/{}", view.row.id), Vec::new()),
        Err(e) => file_page(&state, &officer, &id, form, Some(Problem::from_error(e))).await,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    compartment: String,
    /// `graded`, `ungraded` or blank.
    #[serde(default)]
    graded: String,
    #[serde(default)]
    before: Option<String>,
}

pub(super) struct Line {
    pub id: String,
    /// When the source reported.
    pub reported: String,
    pub codename: String,
    pub source_id: String,
    pub compartment: String,
    pub status: String,
    pub grade: String,
    pub graded_by: String,
}

#[derive(Template)]
#[template(path = "officer/reports_all.html")]
struct ListPage {
    shell: Option<Shell>,
    stylesheet: String,
    compartments: Vec<String>,
    compartment: String,
    graded: String,
    reports: Vec<Line>,
    next: Option<String>,
    problem: Option<Problem>,
}

/// `/reports`: every report the officer may see, newest first.
pub(super) async fn list(
    State(state): State<AppState>,
    officer: Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let shell = officer.shell("/reports");
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let mut page = ListPage {
        stylesheet: shell.stylesheet.clone(),
        shell: Some(shell),
        compartments: officer.principal.compartments.iter().cloned().collect(),
        compartment: q.compartment.clone(),
        graded: q.graded.clone(),
        reports: Vec::new(),
        next: None,
        problem: None,
    };
    let graded = match q.graded.as_str() {
        "" => None,
        "graded" => Some(true),
        "ungraded" => Some(false),
        _ => {
            page.problem = Some(Problem {
                code: "INVALID_CHOICE".to_owned(),
                message: "Choose graded, not graded or any from the list.".to_owned(),
            });
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let request = ReportListRequest {
        compartment: opt(&q.compartment),
        graded,
        before: q.before.clone().filter(|b| !b.trim().is_empty()),
        limit: Some(PAGE),
    };
    let rows = match state.station.report_list(&officer.principal, request).await {
        Ok(rows) => rows,
        Err(e) => return refusal(page.shell.take(), e),
    };
    if rows.len() == usize::try_from(PAGE).unwrap_or(usize::MAX)
        && let Some(last) = rows.last()
    {
        let mut parts = Vec::new();
        if !q.compartment.is_empty() {
            parts.push(format!("compartment={}", q.compartment));
        }
        if !q.graded.is_empty() {
            parts.push(format!("graded={}", q.graded));
        }
        parts.push(format!("before={}", last.row.id));
        page.next = Some(format!("/reports?{}", parts.join("&")));
    }
    page.reports = rows
        .into_iter()
        .map(|r| Line {
            reported: when_ms(r.row.reported_at_ms),
            status: words(&r.row.status),
            grade: r
                .grading
                .as_ref()
                .map(|g| {
                    format!(
                        "{}{} ({}), handling {}",
                        g.source_code, g.information_code, g.scheme, g.handling_code
                    )
                })
                .unwrap_or_else(|| "not graded".to_owned()),
            graded_by: r.graded_by.unwrap_or_default(),
            id: r.row.id,
            source_id: r.row.source_id,
            codename: r.codename,
            compartment: r.compartment,
        })
        .collect();
    render(StatusCode::OK, &page)
}
