//! A compartment's open press: the items outlets published, listed newest first, and the form
//! to record one (analysts, handlers and controllers read into the compartment; the station
//! decides).
//! Claims that repeat an item published before they were recorded say so on their report's
//! page.

use super::{Officer, Problem, Shell, instant_field, refusal, render, see_other, when_ms};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_station::StationError;
use humint_station::handling::OpenSourceItemInput;
use serde::Deserialize;

/// An item as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ItemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub outlet: String,
    #[serde(default)]
    pub published_at: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub attribute: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub reference: String,
}

pub(super) struct ItemLine {
    pub published: String,
    pub outlet: String,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub reference: String,
    pub recorded: String,
}

#[derive(Template)]
#[template(path = "officer/open_press.html")]
struct Page {
    shell: Option<Shell>,
    stylesheet: String,
    compartment: String,
    /// The officer's other compartments, for their own pages.
    others: Vec<String>,
    items: Vec<ItemLine>,
    form: ItemForm,
    problem: Option<Problem>,
}

async fn page(
    state: &AppState,
    officer: &Officer,
    compartment: &str,
    form: ItemForm,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("");
    let items = match state
        .station
        .open_source_items(&officer.principal, compartment)
        .await
    {
        Ok(items) => items,
        Err(e) => return refusal(Some(shell), e),
    };
    let (status, problem) = Problem::split(refused);
    let page = Page {
        stylesheet: shell.stylesheet.clone(),
        shell: Some(shell),
        compartment: compartment.to_owned(),
        others: officer
            .principal
            .compartments
            .iter()
            .filter(|c| *c != compartment)
            .cloned()
            .collect(),
        items: items
            .into_iter()
            .map(|i| ItemLine {
                published: when_ms(i.published_at_ms),
                outlet: i.outlet,
                subject: i.subject,
                attribute: i.attribute,
                value: i.value,
                reference: i.reference.unwrap_or_default(),
                recorded: format!("{} by {}", when_ms(i.recorded_at_ms), i.recorded_by),
            })
            .collect(),
        form,
        problem,
    };
    render(status, &page)
}

pub(super) async fn show(
    State(state): State<AppState>,
    officer: Officer,
    Path(compartment): Path<String>,
) -> Response {
    page(&state, &officer, &compartment, ItemForm::default(), None).await
}

pub(super) async fn record(
    State(state): State<AppState>,
    officer: Officer,
    Path(compartment): Path<String>,
    form: Result<Form<ItemForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page(
            &state,
            &officer,
            &compartment,
            ItemForm::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let published_at =
                instant_field("published", &form.published_at)?.ok_or_else(|| {
                    StationError::invalid("FIELD_REQUIRED", "say when the item was published")
                })?;
            let input = OpenSourceItemInput {
                outlet: form.outlet.clone(),
                published_at,
                subject: form.subject.clone(),
                attribute: form.attribute.clone(),
                value: form.value.clone(),
                reference: Some(form.reference.clone()),
            };
            state
                .station
                .record_open_source_item(&officer.principal, &compartment, input)
                .await
        })
        .await
    {
        Ok(_) => {
            return see_other(
                &format!("/compartments/{}/open-press", urlencode(&compartment)),
                Vec::new(),
            );
        }
        Err(refused) => refused,
    };
    page(&state, &officer, &compartment, form, Some(refused)).await
}

/// A path segment, percent-encoded byte by byte beyond the unreserved characters.
pub(super) fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
