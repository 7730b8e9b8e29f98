//! Requirements: the list with its coverage (an open requirement no source is tasked against
//! is said so in words), the form to set one, and a requirement's page with its history and
//! the review and closure forms. The station decides who may set, review and close.

use super::{Officer, Problem, Shell, opt, refusal, render, see_other, stylesheet_href, when_ms};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_core::Role;
use humint_station::StationError;
use humint_station::handling::{RequirementInput, RequirementRow, parse_date};
use serde::Deserialize;

const PAGE: i64 = 50;

/// Who the pages offer the forms to; the station decides (product.md: controllers and
/// analysts set requirements).
fn may_set(role: Role) -> bool {
    matches!(role, Role::Controller | Role::Analyst)
}

pub(super) struct Line {
    pub id: String,
    pub title: String,
    pub compartment: String,
    pub priority: i64,
    pub review_by: String,
    pub state: &'static str,
    /// "3 sources tasked" or "no source tasked", in words.
    pub coverage: String,
    pub uncovered: bool,
}

fn coverage(r: &RequirementRow) -> (String, bool) {
    let uncovered = r.closed_at_ms.is_none() && r.tasked_sources == 0;
    let text = match r.tasked_sources {
        0 => "no source tasked".to_owned(),
        1 => "1 source tasked".to_owned(),
        n => format!("{n} sources tasked"),
    };
    (text, uncovered)
}

fn line(r: RequirementRow) -> Line {
    let (coverage, uncovered) = coverage(&r);
    Line {
        state: if r.closed_at_ms.is_some() {
            "closed"
        } else {
            "open"
        },
        id: r.id,
        title: r.title,
        compartment: r.compartment,
        priority: r.priority,
        review_by: r.review_by,
        coverage,
        uncovered,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    compartment: String,
    /// `open` (the default), `uncovered` or `all`.
    #[serde(default)]
    show: String,
    #[serde(default)]
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "officer/requirements.html")]
struct ListPage {
    shell: Option<Shell>,
    stylesheet: String,
    compartments: Vec<String>,
    compartment: String,
    show: String,
    requirements: Vec<Line>,
    next: Option<String>,
    may_set: bool,
    problem: Option<Problem>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    officer: Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let shell = officer.shell("/requirements");
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let show = if q.show.is_empty() {
        "open".to_owned()
    } else {
        q.show.clone()
    };
    let mut page = ListPage {
        stylesheet: shell.stylesheet.clone(),
        shell: Some(shell),
        compartments: officer.principal.compartments.iter().cloned().collect(),
        compartment: q.compartment.clone(),
        show: show.clone(),
        requirements: Vec::new(),
        next: None,
        may_set: may_set(officer.principal.role),
        problem: None,
    };
    let (open_only, uncovered_only) = match show.as_str() {
        "open" => (true, false),
        "uncovered" => (true, true),
        "all" => (false, false),
        _ => {
            page.problem = Some(Problem {
                code: "INVALID_CHOICE".to_owned(),
                message: "Choose open, without a tasked source, or all from the list.".to_owned(),
            });
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let rows = match humint_station::handling::page(q.after.clone(), Some(PAGE)) {
        Ok(pg) => {
            state
                .station
                .list_requirements(
                    &officer.principal,
                    opt(&q.compartment),
                    open_only,
                    uncovered_only,
                    pg,
                )
                .await
        }
        Err(e) => Err(e),
    };
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return refusal(page.shell.take(), e),
    };
    if rows.len() == usize::try_from(PAGE).unwrap_or(usize::MAX)
        && let Some(last) = rows.last()
    {
        let mut parts = vec![format!("show={show}")];
        if !q.compartment.is_empty() {
            parts.push(format!("compartment={}", q.compartment));
        }
        parts.push(format!("after={}", last.id));
        page.next = Some(format!("/requirements?{}", parts.join("&")));
    }
    page.requirements = rows.into_iter().map(line).collect();
    render(StatusCode::OK, &page)
}

/// The new requirement as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub compartment: String,
    #[serde(default)]
    pub review_by: String,
}

#[derive(Template)]
#[template(path = "officer/requirement_form.html")]
struct NewPage {
    shell: Option<Shell>,
    stylesheet: String,
    compartments: Vec<String>,
    priorities: [(&'static str, &'static str); 4],
    form: NewForm,
    problem: Option<Problem>,
}

const PRIORITIES: [(&str, &str); 4] = [
    ("1", "1 (highest)"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4 (lowest)"),
];

fn new_page(officer: &Officer, form: NewForm, refused: Option<(StatusCode, Problem)>) -> Response {
    let (status, problem) = Problem::split(refused);
    render(
        status,
        &NewPage {
            shell: Some(officer.shell("/requirements")),
            stylesheet: stylesheet_href(),
            compartments: officer.principal.compartments.iter().cloned().collect(),
            priorities: PRIORITIES,
            form,
            problem,
        },
    )
}

pub(super) async fn new_form(officer: Officer) -> Response {
    let form = NewForm {
        priority: "2".to_owned(),
        compartment: officer
            .principal
            .compartments
            .iter()
            .next()
            .cloned()
            .unwrap_or_default(),
        ..NewForm::default()
    };
    new_page(&officer, form, None)
}

fn new_input(f: &NewForm) -> Result<RequirementInput, StationError> {
    let priority = f.priority.trim().parse::<u8>().map_err(|_| {
        StationError::invalid("INVALID_CHOICE", "choose one of the listed priorities")
    })?;
    Ok(RequirementInput {
        compartment: f.compartment.trim().to_owned(),
        title: f.title.clone(),
        detail: f.detail.clone(),
        priority,
        review_by: parse_date("review by", &f.review_by)?,
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    officer: Officer,
    form: Result<Form<NewForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return new_page(
            &officer,
            NewForm::default(),
            Some(Problem::unreadable_form()),
        );
    };
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let input = new_input(&form)?;
            state
                .station
                .create_requirement(&officer.principal, input)
                .await
        })
        .await
    {
        Ok(row) => return see_other(&format!("/requirements/{}", row.id), Vec::new()),
        Err(refused) => refused,
    };
    new_page(&officer, form, Some(refused))
}

pub(super) struct EventLine {
    pub when: String,
    pub what: String,
    pub by: String,
    pub note: String,
}

/// A review or closure as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub review_by: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template)]
#[template(path = "officer/requirement.html")]
struct DetailPage {
    shell: Option<Shell>,
    stylesheet: String,
    id: String,
    title: String,
    detail: String,
    compartment: String,
    priority: i64,
    opened: String,
    review_by: String,
    state: String,
    coverage: String,
    uncovered: bool,
    events: Vec<EventLine>,
    may_set: bool,
    open: bool,
    review: ChangeForm,
    close: ChangeForm,
    problem: Option<Problem>,
}

/// Which form a refused submission came from.
enum Typed {
    None,
    Review(ChangeForm),
    Close(ChangeForm),
}

async fn detail_page(
    state: &AppState,
    officer: &Officer,
    id: &str,
    typed: Typed,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("/requirements");
    let history = match state
        .station
        .requirement_history(&officer.principal, id)
        .await
    {
        Ok(h) => h,
        Err(e) => return refusal(Some(shell), e),
    };
    let (coverage, uncovered) = coverage(&history.row);
    let (review, close) = match typed {
        Typed::None => (ChangeForm::default(), ChangeForm::default()),
        Typed::Review(f) => (f, ChangeForm::default()),
        Typed::Close(f) => (ChangeForm::default(), f),
    };
    let (status, problem) = Problem::split(refused);
    let r = history.row;
    render(
        status,
        &DetailPage {
            shell: Some(shell),
            stylesheet: stylesheet_href(),
            opened: when_ms(r.opened_at_ms),
            state: match r.closed_at_ms {
                Some(at) => format!("closed {}", when_ms(at)),
                None => "open".to_owned(),
            },
            open: r.closed_at_ms.is_none(),
            id: r.id,
            title: r.title,
            detail: r.detail,
            compartment: r.compartment,
            priority: r.priority,
            review_by: r.review_by,
            coverage,
            uncovered,
            events: history
                .events
                .into_iter()
                .map(|e| EventLine {
                    when: when_ms(e.at_ms),
                    what: match (e.kind.as_str(), e.review_by) {
                        ("review", Some(by)) => format!("reviewed; next review by {by}"),
                        ("close", _) => "closed".to_owned(),
                        (other, _) => other.to_owned(),
                    },
                    by: e.actor_name,
                    note: e.note,
                })
                .collect(),
            may_set: may_set(officer.principal.role),
            review,
            close,
            problem,
        },
    )
}

pub(super) async fn detail(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    detail_page(&state, &officer, &id, Typed::None, None).await
}

pub(super) async fn review(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<ChangeForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return detail_page(
            &state,
            &officer,
            &id,
            Typed::None,
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let by = parse_date("review by", &form.review_by)?;
            state
                .station
                .review_requirement(&officer.principal, &id, by, &form.note)
                .await
        })
        .await
    {
        Ok(_) => return see_other(&format!("/requirements/{id}"), Vec::new()),
        Err(refused) => refused,
    };
    detail_page(&state, &officer, &id, Typed::Review(form), Some(refused)).await
}

pub(super) async fn close(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<ChangeForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return detail_page(
            &state,
            &officer,
            &id,
            Typed::None,
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let refused = match officer
        .submit(
            &state,
            &form.csrf,
            state
                .station
                .close_requirement(&officer.principal, &id, &form.note),
        )
        .await
    {
        Ok(_) => return see_other(&format!("/requirements/{id}"), Vec::new()),
        Err(refused) => refused,
    };
    detail_page(&state, &officer, &id, Typed::Close(form), Some(refused)).await
}
