//! Granting and reviewing authorisations (authorising officers; the station and the core's
//! rules decide).

use super::{
    Officer, Problem, Shell, choice, instant_field, opt, refusal, render, see_other,
    source_for_form, stylesheet_href, ticked, when, words,
};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_core::handling::{
    ConfidentialKind, JuvenileCcaSafeguards, Lpp, PriorApproval, PrivilegedMaterial,
};
use humint_station::StationError;
use humint_station::handling::{GrantInput, ReviewInput};
use serde::Deserialize;

const KINDS: [(&str, &str); 5] = [
    ("standard", "Standard (12 months)"),
    ("urgent_oral", "Urgent oral (72 hours)"),
    ("juvenile", "Juvenile source (4 months)"),
    (
        "relevant_source",
        "Relevant source (Commissioner's approval)",
    ),
    (
        "criminal_conduct",
        "Criminal conduct (on a live authorisation, RIPA s.29B)",
    ),
];

const GROUNDS: [(&str, &str); 7] = [
    ("national_security", "National security"),
    (
        "preventing_or_detecting_crime_or_disorder",
        "Preventing or detecting crime or disorder",
    ),
    ("economic_well_being", "Economic well-being of the UK"),
    ("public_safety", "Public safety"),
    ("public_health", "Public health"),
    ("tax_collection", "Assessing or collecting tax"),
    (
        "other_specified_by_order",
        "Other purpose specified by order",
    ),
];

#[derive(Deserialize, Default, Clone)]
pub(super) struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub ground: String,
    #[serde(default)]
    pub necessity: String,
    #[serde(default)]
    pub proportionality: String,
    #[serde(default)]
    pub collateral_intrusion: String,
    #[serde(default)]
    pub tasks: String,
    #[serde(default)]
    pub urgency_reason: String,
    #[serde(default)]
    pub review_interval_days: String,
    #[serde(default)]
    pub parent_or_guardian: Option<String>,
    /// Criminal conduct: the use-and-conduct authorisation it sits on.
    #[serde(default)]
    pub parent: String,
    /// Criminal conduct by a source under 18: the s.29C safeguards.
    #[serde(default)]
    pub exceptional_circumstances: String,
    #[serde(default)]
    pub no_foreseeable_harm: Option<String>,
    #[serde(default)]
    pub best_interests: String,
    #[serde(default)]
    pub meeting_arrangements: String,
    /// PRIV-01: none, likely or intended.
    #[serde(default)]
    pub lpp: String,
    #[serde(default)]
    pub confidential_constituent: Option<String>,
    #[serde(default)]
    pub confidential_journalistic: Option<String>,
    #[serde(default)]
    pub confidential_medical: Option<String>,
    #[serde(default)]
    pub confidential_spiritual: Option<String>,
    /// The prior approval notice (privileged matters intended).
    #[serde(default)]
    pub approved_by: String,
    #[serde(default)]
    pub approved_at: String,
    #[serde(default)]
    pub approval_grounds: String,
    #[serde(default)]
    pub approval_conduct: String,
    #[serde(default)]
    pub lawyer_and_client: String,
    #[serde(default)]
    pub privileged_matters: String,
    #[serde(default)]
    pub approval_collateral: String,
}

const LPP: [(&str, &str); 3] = [
    ("none", "Not expected"),
    (
        "likely",
        "Likely to be obtained, though not the aim (Annex A level)",
    ),
    (
        "intended",
        "The aim: prior approval needed (SI 2010/123), three months",
    ),
];

#[derive(Template)]
#[template(path = "officer/grant_form.html")]
struct GrantPage {
    shell: Option<Shell>,
    stylesheet: String,
    source_id: String,
    codename: String,
    form: GrantForm,
    problem: Option<Problem>,
    kinds: [(&'static str, &'static str); 5],
    grounds: [(&'static str, &'static str); 7],
    lpp_choices: [(&'static str, &'static str); 3],
    /// What a criminal conduct authorisation can sit on: none, or the live authorisation.
    parents: Vec<(String, String)>,
}

async fn grant_page(
    state: &AppState,
    officer: &Officer,
    source_id: &str,
    form: GrantForm,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let (shell, detail) = match source_for_form(state, officer, source_id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let (status, problem) = Problem::split(refused);
    let p = GrantPage {
        shell: Some(shell),
        stylesheet: stylesheet_href(),
        source_id: detail.row.id.clone(),
        codename: detail.row.codename.clone(),
        form,
        problem,
        kinds: KINDS,
        grounds: GROUNDS,
        lpp_choices: LPP,
        parents: std::iter::once((String::new(), "Nothing (not criminal conduct)".to_owned()))
            .chain(detail.live_authorisation.iter().map(|(id, expires_ms)| {
                (
                    id.clone(),
                    format!(
                        "The live authorisation, in force until {}",
                        super::when_ms(*expires_ms)
                    ),
                )
            }))
            .collect(),
    };
    render(status, &p)
}

pub(super) async fn grant_form(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    let form = GrantForm {
        kind: "standard".to_owned(),
        ground: "preventing_or_detecting_crime_or_disorder".to_owned(),
        review_interval_days: "28".to_owned(),
        ..GrantForm::default()
    };
    grant_page(&state, &officer, &id, form, None).await
}

fn grant_input(f: &GrantForm) -> Result<GrantInput, StationError> {
    let review_interval_days = f.review_interval_days.trim().parse::<u32>().map_err(|_| {
        StationError::invalid(
            "INVALID_NUMBER",
            "the review interval is a whole number of days, such as 28",
        )
    })?;
    Ok(GrantInput {
        kind: choice("kind", &f.kind)?,
        parent: opt(&f.parent),
        ground: choice("ground", &f.ground)?,
        necessity: f.necessity.clone(),
        proportionality: f.proportionality.clone(),
        collateral_intrusion: f.collateral_intrusion.clone(),
        tasks_in_scope: f
            .tasks
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        urgency_reason: opt(&f.urgency_reason),
        review_interval_days,
        relationship_with_parent_or_guardian: ticked(&f.parent_or_guardian),
        juvenile_cca_safeguards: juvenile_safeguards(f),
        privileged: privileged(f)?,
    })
}

/// PRIV-01 in a phrase for a page: "privileged matters intended; journalistic, medical".
pub(super) fn privileged_summary(p: &PrivilegedMaterial) -> String {
    let mut parts = Vec::new();
    match p.lpp {
        Lpp::None => {}
        Lpp::Likely => parts.push("privileged matters likely".to_owned()),
        Lpp::Intended => parts.push(match &p.prior_approval {
            Some(a) => format!(
                "privileged matters intended (approved by {} on {})",
                a.approved_by,
                when(a.approved_at)
            ),
            None => "privileged matters intended".to_owned(),
        }),
    }
    if !p.confidential.is_empty() {
        parts.push(format!(
            "confidential: {}",
            p.confidential
                .iter()
                .map(|k| match k {
                    ConfidentialKind::Constituent => "constituent",
                    ConfidentialKind::Journalistic => "journalistic",
                    ConfidentialKind::Medical => "medical",
                    ConfidentialKind::Spiritual => "spiritual",
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join("; ")
}

/// A prior approval notice from a form's fields (the grant's and the renewal's have the same
/// names): absent when nothing of it was typed; its time is required once any of it was.
pub(super) fn prior_approval<'a>(
    get: impl Fn(&str) -> &'a str,
) -> Result<Option<PriorApproval>, StationError> {
    const TEXTS: [&str; 6] = [
        "approved_by",
        "approval_grounds",
        "approval_conduct",
        "lawyer_and_client",
        "privileged_matters",
        "approval_collateral",
    ];
    let text = |name: &str| get(name).trim().to_owned();
    match instant_field("when it was approved", get("approved_at"))? {
        Some(approved_at) => Ok(Some(PriorApproval {
            approved_by: text("approved_by"),
            approved_at,
            grounds: text("approval_grounds"),
            conduct: text("approval_conduct"),
            lawyer_and_client: text("lawyer_and_client"),
            privileged_matters: text("privileged_matters"),
            collateral: text("approval_collateral"),
        })),
        None if TEXTS.iter().any(|n| !get(n).trim().is_empty()) => Err(StationError::invalid(
            "INVALID_TIME",
            "give the date and time of the prior approval, such as 2026-03-02 09:30 (London time)",
        )),
        None => Ok(None),
    }
}

/// PRIV-01: the flags, and the approval notice when any of it was filled in (the core decides
/// whether it is needed and complete).
fn privileged(f: &GrantForm) -> Result<PrivilegedMaterial, StationError> {
    let lpp = if f.lpp.trim().is_empty() {
        Lpp::None
    } else {
        choice("privileged matters", &f.lpp)?
    };
    let confidential = [
        (&f.confidential_constituent, ConfidentialKind::Constituent),
        (&f.confidential_journalistic, ConfidentialKind::Journalistic),
        (&f.confidential_medical, ConfidentialKind::Medical),
        (&f.confidential_spiritual, ConfidentialKind::Spiritual),
    ]
    .into_iter()
    .filter(|(box_, _)| ticked(box_))
    .map(|(_, kind)| kind)
    .collect();
    let prior_approval = prior_approval(|name| match name {
        "approved_by" => &f.approved_by,
        "approved_at" => &f.approved_at,
        "approval_grounds" => &f.approval_grounds,
        "approval_conduct" => &f.approval_conduct,
        "lawyer_and_client" => &f.lawyer_and_client,
        "privileged_matters" => &f.privileged_matters,
        "approval_collateral" => &f.approval_collateral,
        _ => "",
    })?;
    Ok(PrivilegedMaterial {
        lpp,
        confidential,
        prior_approval,
    })
}

/// The s.29C safeguards, when any of them was filled in.
fn juvenile_safeguards(f: &GrantForm) -> Option<JuvenileCcaSafeguards> {
    let given = [
        &f.exceptional_circumstances,
        &f.best_interests,
        &f.meeting_arrangements,
    ]
    .iter()
    .any(|t| !t.trim().is_empty())
        || ticked(&f.no_foreseeable_harm);
    given.then(|| JuvenileCcaSafeguards {
        exceptional_circumstances: f.exceptional_circumstances.clone(),
        no_foreseeable_harm: ticked(&f.no_foreseeable_harm),
        best_interests: f.best_interests.clone(),
        meeting_arrangements: f.meeting_arrangements.clone(),
    })
}

pub(super) async fn grant(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<GrantForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return grant_page(
            &state,
            &officer,
            &id,
            GrantForm::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    if !officer.form_ok(&state, &form.csrf) {
        return grant_page(&state, &officer, &id, form, Some(Problem::expired_form())).await;
    }
    let result = match grant_input(&form) {
        Ok(i) => {
            state
                .station
                .grant_authorisation(&officer.principal, &id, i)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see_other(&format!("/sources/{id}"), Vec::new()),
        Err(e) => grant_page(&state, &officer, &id, form, Some(Problem::from_error(e))).await,
    }
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub use_made: String,
    #[serde(default)]
    pub tasks_given: String,
    #[serde(default)]
    pub information_obtained: String,
    #[serde(default)]
    pub necessity_still_met: Option<String>,
    #[serde(default)]
    pub proportionality_still_met: Option<String>,
    #[serde(default)]
    pub arrangements_still_met: Option<String>,
}

#[derive(Template)]
#[template(path = "officer/review_form.html")]
struct ReviewPage {
    shell: Option<Shell>,
    stylesheet: String,
    id: String,
    source_id: String,
    codename: String,
    kind: String,
    expires: String,
    next_review: String,
    form: ReviewForm,
    problem: Option<Problem>,
}

async fn review_page(
    state: &AppState,
    officer: &Officer,
    id: &str,
    form: ReviewForm,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("/sources");
    let auth = match state.station.authorisation(&officer.principal, id).await {
        Ok(a) => a,
        Err(e) => return refusal(Some(shell), e),
    };
    let source_id = auth.source.to_string();
    let detail = match state
        .station
        .source_detail(&officer.principal, &source_id)
        .await
    {
        Ok(d) => d,
        Err(e) => return refusal(Some(shell), e),
    };
    let (status, problem) = Problem::split(refused);
    let kind = match serde_json::to_value(auth.kind) {
        Ok(serde_json::Value::String(s)) => words(&s),
        _ => String::new(),
    };
    let p = ReviewPage {
        shell: Some(shell),
        stylesheet: stylesheet_href(),
        id: auth.id.to_string(),
        source_id,
        codename: detail.row.codename,
        kind,
        expires: when(auth.current_expiry()),
        next_review: when(auth.next_review_due()),
        form,
        problem,
    };
    render(status, &p)
}

pub(super) async fn review_form(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    review_page(&state, &officer, &id, ReviewForm::default(), None).await
}

pub(super) async fn review(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<ReviewForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return review_page(
            &state,
            &officer,
            &id,
            ReviewForm::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    if !officer.form_ok(&state, &form.csrf) {
        return review_page(&state, &officer, &id, form, Some(Problem::expired_form())).await;
    }
    let input = ReviewInput {
        use_made: form.use_made.clone(),
        tasks_given: form.tasks_given.clone(),
        information_obtained: form.information_obtained.clone(),
        necessity_still_met: ticked(&form.necessity_still_met),
        proportionality_still_met: ticked(&form.proportionality_still_met),
        arrangements_still_met: ticked(&form.arrangements_still_met),
    };
    match state
        .station
        .review_authorisation(&officer.principal, &id, input)
        .await
    {
        Ok(auth) => see_other(&format!("/sources/{}", auth.source), Vec::new()),
        Err(e) => review_page(&state, &officer, &id, form, Some(Problem::from_error(e))).await,
    }
}
