//! Recording a contact with a source (handlers and controllers; the station decides).

use super::{
    Officer, Problem, Shell, choice, instant_field, opt, render, see_other, source_for_form,
    stylesheet_href, ticked,
};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_station::StationError;
use humint_station::handling::ContactInput;
use serde::Deserialize;

/// What the officer typed, kept to fill the form again after a refusal.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub planned_for: String,
    #[serde(default)]
    pub next_contact_due: String,
    #[serde(default)]
    pub officers_present: String,
    #[serde(default)]
    pub location_alias: String,
    #[serde(default)]
    pub cover_used: String,
    #[serde(default)]
    pub safety_arrangements: String,
    #[serde(default)]
    pub fallback_arrangements: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub appropriate_adult: String,
    #[serde(default)]
    pub adult_employed_by_authority: Option<String>,
}

#[derive(Template)]
#[template(path = "officer/contact_form.html")]
struct ContactPage {
    shell: Option<Shell>,
    stylesheet: String,
    source_id: String,
    codename: String,
    form: ContactForm,
    problem: Option<Problem>,
    modes: [(&'static str, &'static str); 4],
    statuses: [(&'static str, &'static str); 4],
    purposes: [(&'static str, &'static str); 2],
    adults: [(&'static str, &'static str); 4],
}

const MODES: [(&str, &str); 4] = [
    ("meeting", "Meeting"),
    ("call", "Call"),
    ("message", "Message"),
    ("impersonal", "Impersonal (dead drop, signal)"),
];
const STATUSES: [(&str, &str); 4] = [
    ("held", "Held"),
    ("planned", "Planned"),
    ("missed", "Missed"),
    ("aborted", "Aborted"),
];
const PURPOSES: [(&str, &str); 2] = [("use", "Use (tasking, debrief)"), ("welfare", "Welfare")];

async fn page(
    state: &AppState,
    officer: &Officer,
    source_id: &str,
    form: ContactForm,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let (shell, detail) = match source_for_form(state, officer, source_id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let (status, problem) = Problem::split(refused);
    let p = ContactPage {
        shell: Some(shell),
        stylesheet: stylesheet_href(),
        source_id: detail.row.id.clone(),
        codename: detail.row.codename.clone(),
        form,
        problem,
        modes: MODES,
        statuses: STATUSES,
        purposes: PURPOSES,
        adults: super::forms::ADULTS,
    };
    render(status, &p)
}

pub(super) async fn form(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    let form = ContactForm {
        mode: "meeting".to_owned(),
        status: "held".to_owned(),
        purpose: "use".to_owned(),
        // Whoever records a meeting was usually at it.
        officers_present: officer.principal.username.clone(),
        ..ContactForm::default()
    };
    page(&state, &officer, &id, form, None).await
}

fn input(f: &ContactForm) -> Result<ContactInput, StationError> {
    Ok(ContactInput {
        mode: choice("mode", &f.mode)?,
        status: choice("outcome", &f.status)?,
        purpose: choice("purpose", &f.purpose)?,
        planned_for: instant_field("planned for", &f.planned_for)?,
        occurred_at: instant_field("when it happened", &f.occurred_at)?,
        officers_present: f
            .officers_present
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        appropriate_adult: super::forms::appropriate_adult(
            &f.appropriate_adult,
            ticked(&f.adult_employed_by_authority),
        )?,
        location_alias: opt(&f.location_alias),
        cover_used: opt(&f.cover_used),
        safety_arrangements: opt(&f.safety_arrangements),
        fallback_arrangements: opt(&f.fallback_arrangements),
        next_contact_due: instant_field("next contact due", &f.next_contact_due)?,
        notes: opt(&f.notes),
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<ContactForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page(
            &state,
            &officer,
            &id,
            ContactForm::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    if !officer.form_ok(&state, &form.csrf) {
        return page(&state, &officer, &id, form, Some(Problem::expired_form())).await;
    }
    let result = match input(&form) {
        Ok(i) => state.station.add_contact(&officer.principal, &id, i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other(&format!("/sources/{id}"), Vec::new()),
        Err(e) => page(&state, &officer, &id, form, Some(Problem::from_error(e))).await,
    }
}
