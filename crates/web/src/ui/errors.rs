//! The relevant errors register (IPA 2016 s.231): the list with each error's deadline state in
//! words, and the forms to record, establish and report an error for the roles the station
//! allows. The deadline, lateness and overdue state are the core's; this page only says them.

use super::{
    Officer, Problem, Shell, instant_field, opt, refusal, render, see_other, when, when_ms,
};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_station::StationError;
use humint_station::handling::{ERROR_RECORDERS, ErrorInput, ErrorView};
use serde::Deserialize;

const PAGE: i64 = 50;

pub(super) struct Line {
    pub id: String,
    pub compartment: String,
    pub source_id: Option<String>,
    pub description: String,
    pub identified: String,
    /// Where the error stands against its deadline, in words.
    pub deadline: String,
    /// The state's tag: `Overdue`, `Late`, `Due`, `Reported`, `Not established`.
    pub tag: &'static str,
    pub tag_class: &'static str,
    pub established: bool,
    pub reported: bool,
    pub reference: String,
}

fn line(v: ErrorView) -> Line {
    let r = v.row;
    let (tag, tag_class, deadline) = match (r.established_at_ms, r.reported_at_ms) {
        (None, _) => (
            "Not established",
            "sev-notice",
            "Recorded; the 10-working-day clock starts when it is established.".to_owned(),
        ),
        (Some(_), Some(reported)) => match v.reported_late {
            Some(true) => (
                "Reported late",
                "sev-warning",
                format!("Reported {}, after the deadline.", when_ms(reported)),
            ),
            _ => (
                "Reported",
                "sev-notice",
                format!("Reported {}, on time.", when_ms(reported)),
            ),
        },
        (Some(_), None) if v.overdue => (
            "Overdue",
            "sev-critical",
            format!(
                "Overdue: not reported, and the deadline passed at {}.",
                v.report_due_at.map(when).unwrap_or_default()
            ),
        ),
        (Some(_), None) => (
            "Due",
            "sev-warning",
            format!(
                "Report to the Commissioner before {}.",
                v.report_due_at.map(when).unwrap_or_default()
            ),
        ),
    };
    Line {
        established: r.established_at_ms.is_some(),
        reported: r.reported_at_ms.is_some(),
        reference: v.reference.unwrap_or_default(),
        id: r.id,
        compartment: r.compartment,
        source_id: r.source_id,
        description: v.description,
        identified: when_ms(r.identified_at_ms),
        deadline,
        tag,
        tag_class,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    compartment: String,
    /// `open` (the default), `overdue` or `all`.
    #[serde(default)]
    show: String,
    #[serde(default)]
    after: Option<String>,
    /// A source the new-error form starts with (from its page), and its compartment.
    #[serde(default)]
    source: String,
    #[serde(default)]
    source_compartment: String,
}

/// A new error as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct RecordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub compartment: String,
    #[serde(default)]
    pub source_id: String,
    #[serde(default)]
    pub authorisation_id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub identified_at: String,
    #[serde(default)]
    pub established_at: String,
}

/// An establishment or a report, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub reference: String,
    /// The error the form was about (from the address).
    #[serde(skip)]
    pub error_id: String,
}

#[derive(Template)]
#[template(path = "officer/errors.html")]
struct ListPage {
    shell: Option<Shell>,
    stylesheet: String,
    compartments: Vec<String>,
    compartment: String,
    show: String,
    errors: Vec<Line>,
    next: Option<String>,
    may_record: bool,
    record: RecordForm,
    /// The source's authorisations to choose from, when the form names a source the officer
    /// may see the case of; otherwise the reference is typed.
    auth_choices: Option<Vec<AuthChoice>>,
    establish: StepForm,
    report: StepForm,
    problem: Option<Problem>,
}

/// One of the source's authorisations, as the error form offers it.
pub(super) struct AuthChoice {
    pub id: String,
    /// Kind, state and period in words.
    pub label: String,
}

/// What a refused submission brings back to the page.
#[derive(Default)]
pub(super) struct Typed {
    record: Option<RecordForm>,
    establish: Option<StepForm>,
    report: Option<StepForm>,
}

async fn list_page(
    state: &AppState,
    officer: &Officer,
    q: ListQuery,
    typed: Typed,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("/errors");
    let show = if q.show.is_empty() {
        "open".to_owned()
    } else {
        q.show.clone()
    };
    let (status, problem) = Problem::split(refused);
    let mut page = ListPage {
        stylesheet: shell.stylesheet.clone(),
        shell: Some(shell),
        compartments: officer.principal.compartments.iter().cloned().collect(),
        compartment: q.compartment.clone(),
        show: show.clone(),
        errors: Vec::new(),
        next: None,
        may_record: ERROR_RECORDERS.contains(&officer.principal.role),
        record: typed.record.unwrap_or_else(|| RecordForm {
            compartment: if q.source_compartment.is_empty() {
                officer
                    .principal
                    .compartments
                    .iter()
                    .next()
                    .cloned()
                    .unwrap_or_default()
            } else {
                q.source_compartment.clone()
            },
            source_id: q.source.clone(),
            ..RecordForm::default()
        }),
        auth_choices: None,
        establish: typed.establish.unwrap_or_default(),
        report: typed.report.unwrap_or_default(),
        problem,
    };
    page.auth_choices = auth_choices(state, officer, &page.record.source_id).await;
    let (open_only, overdue_only) = match show.as_str() {
        "open" => (true, false),
        "overdue" => (true, true),
        "all" => (false, false),
        _ => {
            page.problem = Some(Problem {
                code: "INVALID_CHOICE".to_owned(),
                message: "Choose open, overdue or all from the list.".to_owned(),
            });
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let rows = match humint_station::handling::page(q.after.clone(), Some(PAGE)) {
        Ok(pg) => {
            state
                .station
                .list_errors(
                    &officer.principal,
                    opt(&q.compartment),
                    open_only,
                    overdue_only,
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
        parts.push(format!("after={}", last.row.id));
        page.next = Some(format!("/errors?{}", parts.join("&")));
    }
    page.errors = rows.into_iter().map(line).collect();
    render(status, &page)
}

pub(super) async fn list(
    State(state): State<AppState>,
    officer: Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    list_page(&state, &officer, q, Typed::default(), None).await
}

fn record_input(f: &RecordForm) -> Result<ErrorInput, StationError> {
    Ok(ErrorInput {
        compartment: f.compartment.trim().to_owned(),
        source_id: opt(&f.source_id),
        authorisation_id: opt(&f.authorisation_id),
        description: f.description.clone(),
        identified_at: instant_field("identified", &f.identified_at)?.ok_or_else(|| {
            StationError::invalid("FIELD_REQUIRED", "say when the error was identified")
        })?,
        established_at: instant_field("established", &f.established_at)?,
    })
}

/// The authorisations of the source the form names, newest first, if the officer may see
/// them; `None` (the reference is then typed) for no source, one the officer may not see the
/// case of, or one that does not exist (the station refuses the record with its own words).
async fn auth_choices(
    state: &AppState,
    officer: &Officer,
    source_id: &str,
) -> Option<Vec<AuthChoice>> {
    let source_id = source_id.trim();
    if source_id.is_empty() {
        return None;
    }
    let auths = state
        .station
        .authorisations(&officer.principal, source_id)
        .await
        .ok()?;
    let now = state.station.clock().now();
    Some(
        auths
            .iter()
            .rev()
            .map(|a| {
                let kind = super::sources::name(&a.kind);
                let mut chars = kind.chars();
                let kind: String = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                AuthChoice {
                    id: a.id.to_string(),
                    label: format!(
                        "{kind} authorisation, {}: granted {}, until {}",
                        super::sources::name(&a.status(now)),
                        when(a.granted_at),
                        when(a.current_expiry()),
                    ),
                }
            })
            .collect(),
    )
}

/// The list as the officer left it, to show a refusal on.
fn all_open() -> ListQuery {
    ListQuery::default()
}

pub(super) async fn record(
    State(state): State<AppState>,
    officer: Officer,
    form: Result<Form<RecordForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return list_page(
            &state,
            &officer,
            all_open(),
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let input = record_input(&form)?;
            state.station.record_error(&officer.principal, input).await
        })
        .await
    {
        Ok(_) => return see_other("/errors", Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        record: Some(form),
        ..Typed::default()
    };
    list_page(&state, &officer, all_open(), typed, Some(refused)).await
}

pub(super) async fn establish(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Response {
    let Ok(Form(mut form)) = form else {
        return list_page(
            &state,
            &officer,
            all_open(),
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    form.error_id = id.clone();
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let at = instant_field("established", &form.at)?;
            state
                .station
                .establish_error(&officer.principal, &id, at)
                .await
        })
        .await
    {
        Ok(_) => return see_other("/errors", Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        establish: Some(form),
        ..Typed::default()
    };
    list_page(&state, &officer, all_open(), typed, Some(refused)).await
}

pub(super) async fn report(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Response {
    let Ok(Form(mut form)) = form else {
        return list_page(
            &state,
            &officer,
            all_open(),
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    form.error_id = id.clone();
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let at = instant_field("reported", &form.at)?.ok_or_else(|| {
                StationError::invalid(
                    "FIELD_REQUIRED",
                    "say when the error was reported to the Commissioner",
                )
            })?;
            state
                .station
                .report_error(&officer.principal, &id, at, &form.reference)
                .await
        })
        .await
    {
        Ok(_) => return see_other("/errors?show=all", Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        report: Some(form),
        ..Typed::default()
    };
    list_page(&state, &officer, all_open(), typed, Some(refused)).await
}
