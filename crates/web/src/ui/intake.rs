//! The intake inbox: the submissions (never their content: only the offline custodians read
//! that), one submission's thread as who-sent-what-when, and the forms to reply, move its
//! status, turn the walk-in into a source, and issue a verification phrase. The station
//! decides who may do each; its list and thread reads are audited as the API's are.

use super::{Officer, Problem, Shell, opt, refusal, render, see_other, when_ms};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_core::Role;
use humint_core::handling::Origin;
use humint_station::StationError;
use humint_station::handling::{NewSource, TrueIdentity, parse_date};
use humint_station::intake::{IntakeStatus, IntakeSummary, format_day};
use serde::Deserialize;

/// Who the pages offer the forms to; the station decides.
fn may_triage(role: Role) -> bool {
    matches!(role, Role::Handler | Role::Controller)
}

fn status_words(s: IntakeStatus) -> &'static str {
    match s {
        IntakeStatus::New => "new",
        IntakeStatus::Acknowledged => "acknowledged",
        IntakeStatus::FeedbackGiven => "feedback given",
        IntakeStatus::Closed => "closed",
        IntakeStatus::Converted => "became a source",
    }
}

pub(super) struct Line {
    pub id: String,
    pub received: String,
    pub status: &'static str,
    pub acknowledgement: String,
    pub late: bool,
    pub feedback: String,
    pub items: i64,
    pub replies: i64,
}

fn line(s: &IntakeSummary) -> Line {
    Line {
        id: s.id.clone(),
        received: format_day(s.received_on),
        status: status_words(s.status),
        acknowledgement: match s.acknowledged_on {
            Some(d) => format!("acknowledged {}", format_day(d)),
            None => format!("due by {}", format_day(s.acknowledgement_due)),
        },
        late: s.acknowledgement_late,
        feedback: match s.feedback_on {
            Some(d) => format!("given {}", format_day(d)),
            None => format!("due by {}", format_day(s.feedback_due)),
        },
        items: s.received,
        replies: s.replies,
    }
}

/// A phrase just issued: shown on this one answer only.
pub(super) struct Issued {
    pub phrase: String,
    pub expires: String,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct PhraseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub hours: String,
}

#[derive(Template)]
#[template(path = "officer/intake.html")]
struct ListPage {
    shell: Option<Shell>,
    stylesheet: String,
    submissions: Vec<Line>,
    may_triage: bool,
    phrase: PhraseForm,
    issued: Option<Issued>,
    problem: Option<Problem>,
}

async fn list_page(
    state: &AppState,
    officer: &Officer,
    phrase: PhraseForm,
    issued: Option<Issued>,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("/intake");
    let rows = match state.station.intake_list(&officer.principal).await {
        Ok(rows) => rows,
        Err(e) => return refusal(Some(shell), e),
    };
    let (status, problem) = Problem::split(refused);
    render(
        status,
        &ListPage {
            stylesheet: shell.stylesheet.clone(),
            shell: Some(shell),
            // Newest first: the station lists oldest first.
            submissions: rows.iter().rev().map(line).collect(),
            may_triage: may_triage(officer.principal.role),
            phrase,
            issued,
            problem,
        },
    )
}

pub(super) async fn list(State(state): State<AppState>, officer: Officer) -> Response {
    let phrase = PhraseForm {
        hours: "168".to_owned(),
        ..PhraseForm::default()
    };
    list_page(&state, &officer, phrase, None, None).await
}

/// Issues a verification phrase and shows it once, on this answer (never stored, never
/// redirected to, so it is not in the browser's history either: pages are `no-store`).
pub(super) async fn issue_phrase(
    State(state): State<AppState>,
    officer: Officer,
    form: Result<Form<PhraseForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return list_page(
            &state,
            &officer,
            PhraseForm::default(),
            None,
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    if !officer.form_ok(&state, &form.csrf) {
        return list_page(&state, &officer, form, None, Some(Problem::expired_form())).await;
    }
    let hours = match form.hours.trim() {
        "" => Ok(None),
        h => h.parse::<u32>().map(Some).map_err(|_| {
            StationError::invalid(
                "INVALID_VALIDITY",
                "say how many hours the phrase stays valid, as a whole number",
            )
        }),
    };
    let result = match hours {
        Ok(h) => {
            state
                .station
                .intake_issue_phrase(&officer.principal, h)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(issued) => {
            let shown = Issued {
                phrase: issued.phrase.to_string(),
                expires: when_ms(issued.expires_at_ms),
            };
            list_page(&state, &officer, form, Some(shown), None).await
        }
        Err(e) => list_page(&state, &officer, form, None, Some(Problem::from_error(e))).await,
    }
}

pub(super) struct EntryLine {
    pub day: String,
    pub from: &'static str,
    pub size: String,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ReplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub status: String,
}

/// Who the walk-in turned out to be, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ConvertForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub compartment: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub identities_used: String,
    #[serde(default)]
    pub codename: String,
    #[serde(default)]
    pub vulnerable: Option<String>,
    #[serde(default)]
    pub handler: String,
    #[serde(default)]
    pub controller: String,
    #[serde(default)]
    pub record_keeper: String,
    #[serde(default)]
    pub access: String,
    #[serde(default)]
    pub motivation: String,
}

#[derive(Template)]
#[template(path = "officer/submission.html")]
struct ThreadPage {
    shell: Option<Shell>,
    stylesheet: String,
    id: String,
    received: String,
    status: &'static str,
    acknowledgement: String,
    late: bool,
    feedback: String,
    source_id: Option<String>,
    entries: Vec<EntryLine>,
    may_triage: bool,
    open: bool,
    compartments: Vec<String>,
    statuses: [(&'static str, &'static str); 3],
    reply: ReplyForm,
    status_form: StatusForm,
    convert: ConvertForm,
    problem: Option<Problem>,
}

const STATUSES: [(&str, &str); 3] = [
    ("acknowledged", "Acknowledged"),
    ("feedback_given", "Feedback given"),
    ("closed", "Closed"),
];

/// What a refused form brings back.
#[derive(Default)]
pub(super) struct Typed {
    reply: Option<ReplyForm>,
    status: Option<StatusForm>,
    convert: Option<ConvertForm>,
}

fn size_words(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

async fn thread_page(
    state: &AppState,
    officer: &Officer,
    id: &str,
    typed: Typed,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("/intake");
    let (summary, entries) = match state.station.intake_thread(&officer.principal, id).await {
        Ok(found) => found,
        Err(e) => return refusal(Some(shell), e),
    };
    let l = line(&summary);
    let (status, problem) = Problem::split(refused);
    render(
        status,
        &ThreadPage {
            stylesheet: shell.stylesheet.clone(),
            shell: Some(shell),
            id: summary.id.clone(),
            received: l.received,
            status: l.status,
            acknowledgement: l.acknowledgement,
            late: l.late,
            feedback: l.feedback,
            source_id: summary.source_id.clone(),
            entries: entries
                .iter()
                .map(|e| EntryLine {
                    day: format_day(e.day),
                    from: if e.kind == "reply" {
                        "an officer (reply)"
                    } else {
                        "the volunteer"
                    },
                    size: match e.file_size {
                        Some(f) => {
                            format!("{}, with a file of {}", size_words(e.size), size_words(f))
                        }
                        None => size_words(e.size),
                    },
                })
                .collect(),
            may_triage: may_triage(officer.principal.role),
            open: summary.status != IntakeStatus::Converted,
            compartments: officer.principal.compartments.iter().cloned().collect(),
            statuses: STATUSES,
            reply: typed.reply.unwrap_or_default(),
            status_form: typed.status.unwrap_or_default(),
            convert: typed.convert.unwrap_or_else(|| ConvertForm {
                compartment: officer
                    .principal
                    .compartments
                    .iter()
                    .next()
                    .cloned()
                    .unwrap_or_default(),
                ..ConvertForm::default()
            }),
            problem,
        },
    )
}

pub(super) async fn thread(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    thread_page(&state, &officer, &id, Typed::default(), None).await
}

pub(super) async fn reply(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<ReplyForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return thread_page(
            &state,
            &officer,
            &id,
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let text = zeroize::Zeroizing::new(form.text.clone());
            state
                .station
                .intake_reply(&officer.principal, &id, &text)
                .await
        })
        .await
    {
        Ok(_) => return see_other(&format!("/intake/{id}"), Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        reply: Some(form),
        ..Typed::default()
    };
    thread_page(&state, &officer, &id, typed, Some(refused)).await
}

pub(super) async fn set_status(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<StatusForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return thread_page(
            &state,
            &officer,
            &id,
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let refused = match officer
        .submit(&state, &form.csrf, async {
            state
                .station
                .intake_set_status(&officer.principal, &id, form.status.trim())
                .await
        })
        .await
    {
        Ok(_) => return see_other(&format!("/intake/{id}"), Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        status: Some(form),
        ..Typed::default()
    };
    thread_page(&state, &officer, &id, typed, Some(refused)).await
}

fn new_source(f: &ConvertForm) -> Result<NewSource, StationError> {
    Ok(NewSource {
        compartment: f.compartment.trim().to_owned(),
        origin: Origin::WalkIn,
        codename: opt(&f.codename),
        true_identity: TrueIdentity {
            name: f.name.clone(),
            date_of_birth: parse_date("date of birth", &f.date_of_birth)?,
            identities_used: f
                .identities_used
                .split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            other_authorities: Vec::new(),
            access: opt(&f.access),
        },
        vulnerable: super::ticked(&f.vulnerable),
        undercover_operative: false,
        motivation: humint_core::handling::Motivation::parse_optional(&f.motivation)?,
        handler: opt(&f.handler),
        controller: opt(&f.controller),
        record_keeper: opt(&f.record_keeper),
    })
}

pub(super) async fn convert(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<ConvertForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return thread_page(
            &state,
            &officer,
            &id,
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let new = new_source(&form)?;
            state
                .station
                .intake_convert(&officer.principal, &id, new)
                .await
        })
        .await
    {
        Ok((_, detail)) => {
            return see_other(&format!("/sources/{}", detail.row.id), Vec::new());
        }
        Err(refused) => refused,
    };
    let typed = Typed {
        convert: Some(form),
        ..Typed::default()
    };
    thread_page(&state, &officer, &id, typed, Some(refused)).await
}
