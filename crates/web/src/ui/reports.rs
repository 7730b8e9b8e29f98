//! Reports for analysts: a source's reports with their current grade, and one report's page
//! with its claims, the engine's suggestion (each claim's credibility, the report's grade, the
//! circular-reporting warning), its grading history and the grading form. The station decides
//! every grade and every refusal; this page never shows a source's identity or the debrief.

use super::{Officer, Problem, Shell, refusal, render, see_other, stylesheet_href, when_ms, words};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_core::Role;
use humint_core::handling::grading::{OutcomeMeans, OutcomeVerdict};
use humint_station::StationError;
use humint_station::handling::{ClaimInput, DisseminationInput, GradeInput};
use serde::Deserialize;

pub(super) struct ReportLine {
    pub id: String,
    /// When the source reported (the report's time; `created_at` is when it was filed here).
    pub reported: String,
    pub status: String,
    pub grade: String,
}

#[derive(Template)]
#[template(path = "officer/reports.html")]
struct ListPage {
    shell: Option<Shell>,
    stylesheet: String,
    source_id: String,
    codename: String,
    reports: Vec<ReportLine>,
    next: Option<String>,
    may_file: bool,
}

/// Reports on one page of the list.
const PAGE: i64 = 50;

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    after: Option<String>,
}

/// A grading as officers read it: `B2 (admiralty), handling P`.
fn grade_text(scheme: &str, source: &str, information: &str, handling: &str) -> String {
    format!("{source}{information} ({scheme}), handling {handling}")
}

pub(super) async fn list(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    query: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let shell = officer.shell("/sources");
    let after = query
        .ok()
        .and_then(|axum::extract::Query(q)| q.after)
        .filter(|a| !a.trim().is_empty());
    let p = &officer.principal;
    let detail = match state.station.source_detail(p, &id).await {
        Ok(d) => d,
        Err(e) => return refusal(Some(shell), e),
    };
    let page = match humint_station::handling::page(after, Some(PAGE)) {
        Ok(pg) => pg,
        Err(e) => return refusal(Some(shell), e),
    };
    let rows = match state.station.reports_with_grading(p, &id, page).await {
        Ok(r) => r,
        Err(e) => return refusal(Some(shell), e),
    };
    let next = (rows.len() == usize::try_from(PAGE).unwrap_or(usize::MAX))
        .then(|| {
            rows.last()
                .map(|(r, _)| format!("/sources/{id}/reports?after={}", r.id))
        })
        .flatten();
    let reports = rows
        .iter()
        .map(|(r, g)| ReportLine {
            id: r.id.clone(),
            reported: when_ms(r.reported_at_ms),
            status: words(&r.status),
            grade: g
                .as_ref()
                .map(|g| {
                    grade_text(
                        &g.scheme,
                        &g.source_code,
                        &g.information_code,
                        &g.handling_code,
                    )
                })
                .unwrap_or_else(|| "not graded".to_owned()),
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            stylesheet: stylesheet_href(),
            shell: Some(shell),
            source_id: detail.row.id.clone(),
            codename: detail.row.codename.clone(),
            reports,
            next,
            may_file: matches!(p.role, Role::Handler | Role::Controller),
        },
    )
}

/// What the analyst typed, kept to fill the form again after a refusal.
#[derive(Deserialize, Default, Clone)]
pub(super) struct GradeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub scheme: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub information: String,
    #[serde(default)]
    pub handling_code: String,
    #[serde(default)]
    pub conditions: String,
    #[serde(default)]
    pub rationale: String,
}

pub(super) struct ClaimLine {
    pub id: String,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub observed: String,
    /// The suggested credibility digit with the engine's probability, or why there is none.
    pub suggested: String,
    pub evidence: String,
    /// Outcomes recorded on the claim, as words: `refuted by technical collection on …, by ann`.
    pub outcomes: Vec<String>,
    /// That the claim repeated open press: `Published earlier by Reuters on 2026-11-02`.
    pub press: Option<String>,
}

/// A claim added on the report page, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ClaimForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub attribute: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub observed_at: String,
}

/// A dissemination, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct DisseminationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub handling_code: String,
    #[serde(default)]
    pub sanitised: Option<String>,
    #[serde(default)]
    pub disseminated_at: String,
}

/// An outcome on one claim, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct OutcomeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub means: String,
    #[serde(default)]
    pub established_at: String,
    /// Filled by the handler from the address, so the page knows which claim's form to refill.
    #[serde(skip)]
    pub claim_id: String,
}

/// What the officer typed into one of the report page's forms, kept after a refusal.
#[derive(Default)]
pub(super) struct Typed {
    grade: Option<GradeForm>,
    claim: Option<ClaimForm>,
    dissemination: Option<DisseminationForm>,
    outcome: Option<OutcomeForm>,
}

pub(super) struct DisseminationLine {
    pub when: String,
    pub recipient: String,
    pub handling_code: String,
    pub sanitised: &'static str,
    pub by: String,
}

const VERDICTS: [(&str, &str); 2] = [("confirmed", "Confirmed"), ("refuted", "Refuted")];
const MEANS: [(&str, &str); 4] = [
    ("another_source", "Another source"),
    ("technical_collection", "Technical collection"),
    ("events", "Events"),
    ("open_source", "Open source"),
];

pub(super) struct GradingLine {
    pub when: String,
    pub grade: String,
    pub conditions: String,
    pub by: String,
}

pub(super) struct DecisionLine {
    pub when: String,
    pub grade: String,
    pub suggested: String,
    pub rationale: String,
}

#[derive(Template)]
#[template(path = "officer/report.html")]
struct ReportPage {
    shell: Option<Shell>,
    stylesheet: String,
    report_id: String,
    source_id: String,
    codename: String,
    status: String,
    filed: String,
    /// When the source reported.
    reported: String,
    claims: Vec<ClaimLine>,
    /// The engine's suggested Admiralty grade, e.g. `B2`; letter and digit each may be absent.
    suggested_source: String,
    suggested_information: String,
    circular: Vec<String>,
    /// Outlets (open press) that are the report's only corroboration with `circular`.
    circular_press: Vec<String>,
    /// The source's warning signs as of now, as sentences: what a grader should weigh.
    source_warnings: Vec<String>,
    /// The estimate is being updated after recent claims or outcomes.
    updating: bool,
    gradings: Vec<GradingLine>,
    decisions: Vec<DecisionLine>,
    may_grade: bool,
    form: GradeForm,
    problem: Option<Problem>,
    schemes: [(&'static str, &'static str); 3],
    may_claim: bool,
    claim_form: ClaimForm,
    may_disseminate: bool,
    dissemination_form: DisseminationForm,
    disseminations: Vec<DisseminationLine>,
    may_record_outcome: bool,
    outcome_form: OutcomeForm,
    verdicts: [(&'static str, &'static str); 2],
    means: [(&'static str, &'static str); 4],
}

const SCHEMES: [(&str, &str); 3] = [
    ("admiralty", "Admiralty (A-F, 1-6)"),
    ("3x5x2", "3x5x2 (1-3, A-E, P/C)"),
    ("5x5x5", "5x5x5 (A-E, 1-5, 1-5)"),
];

async fn page(
    state: &AppState,
    officer: &Officer,
    id: &str,
    typed: Typed,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("/reports");
    match report_page(state, officer, id, typed, refused).await {
        Ok((status, p)) => render(status, &p),
        Err(e) => refusal(Some(shell), e),
    }
}

async fn report_page(
    state: &AppState,
    officer: &Officer,
    id: &str,
    typed: Typed,
    refused: Option<(StatusCode, Problem)>,
) -> Result<(StatusCode, ReportPage), StationError> {
    let station = &state.station;
    let p = &officer.principal;
    let view = station.report(p, id).await?;
    let assessment = station.report_assessment(p, id).await?;
    let decisions = station.grade_decisions(p, id).await?;
    // Whoever may read the report may read its source's reliability (the same readers).
    let source_warnings = station
        .source_warning_signs(p, &view.row.source_id)
        .await?
        .iter()
        .map(|w| w.message())
        .collect();
    let claims = view
        .claims
        .iter()
        .map(|c| {
            let a = assessment.claims.iter().find(|a| a.claim_id == c.id);
            ClaimLine {
                id: c.id.clone(),
                outcomes: c
                    .outcomes
                    .iter()
                    .map(|o| {
                        format!(
                            "{} by {} on {}, recorded by {}",
                            words(&o.verdict),
                            words(&o.means),
                            when_ms(o.established_at_ms),
                            name_of(&view.names, &o.recorded_by)
                        )
                    })
                    .collect(),
                subject: c.subject.clone(),
                attribute: c.attribute.clone(),
                value: c.value.clone(),
                observed: when_ms(c.observed_at_ms),
                suggested: match a {
                    Some(a) => format!("{} ({:.0}% likely right)", a.digit, a.probability * 100.0),
                    None => "not yet assessed".to_owned(),
                },
                evidence: match a {
                    Some(a) => {
                        let mut e = format!(
                            "{} independent, {} dependent corroboration; {} contradicting",
                            a.independent_corroborators, a.dependent_corroborators, a.contradictors
                        );
                        if let Some(o) = &a.outcome {
                            e.push_str(&format!("; outcome {}", words(o)));
                        }
                        e
                    }
                    None => String::new(),
                },
                press: a.and_then(|a| a.echoes.as_ref()).map(|e| {
                    let day =
                        humint_station::handling::Instant::from_timestamp_millis(e.published_at_ms)
                            .map(|t| {
                                humint_core::handling::calendar::london_clock(t)
                                    .0
                                    .format("%Y-%m-%d")
                                    .to_string()
                            })
                            .unwrap_or_default();
                    format!("Published earlier by {} on {day}", e.outlet)
                }),
            }
        })
        .collect();
    let suggested_source = assessment
        .source_letter
        .map(String::from)
        .unwrap_or_default();
    let suggested_information = assessment.digit.map(|d| d.to_string()).unwrap_or_default();
    let form = typed.grade.unwrap_or_else(|| GradeForm {
        scheme: "admiralty".to_owned(),
        source: suggested_source.clone(),
        information: suggested_information.clone(),
        ..GradeForm::default()
    });
    let (status, problem) = Problem::split(refused);
    Ok((
        status,
        ReportPage {
            shell: Some(officer.shell("/reports")),
            stylesheet: stylesheet_href(),
            report_id: view.row.id.clone(),
            source_id: view.row.source_id.clone(),
            codename: view.codename.clone(),
            status: words(&view.row.status),
            filed: when_ms(view.row.created_at_ms),
            reported: when_ms(view.row.reported_at_ms),
            claims,
            suggested_source,
            suggested_information,
            circular: if assessment.circular {
                assessment
                    .corroborated_by_dependent
                    .iter()
                    .map(|d| d.codename.clone())
                    .collect()
            } else {
                Vec::new()
            },
            circular_press: if assessment.circular {
                assessment.corroborated_by_outlets.clone()
            } else {
                Vec::new()
            },
            source_warnings,
            updating: assessment.updating,
            gradings: view
                .gradings
                .iter()
                .rev()
                .map(|g| GradingLine {
                    when: when_ms(g.graded_at_ms),
                    grade: grade_text(
                        &g.scheme,
                        &g.source_code,
                        &g.information_code,
                        &g.handling_code,
                    ),
                    conditions: g.conditions.clone().unwrap_or_default(),
                    by: name_of(&view.names, &g.graded_by),
                })
                .collect(),
            disseminations: view
                .disseminations
                .iter()
                .map(|d| DisseminationLine {
                    when: when_ms(d.disseminated_at_ms),
                    recipient: d.recipient.clone(),
                    handling_code: d.handling_code.clone(),
                    sanitised: if d.sanitised { "yes" } else { "no" },
                    by: name_of(&view.names, &d.disseminated_by),
                })
                .collect(),
            decisions: decisions
                .iter()
                .rev()
                .map(|d| DecisionLine {
                    when: when_ms(d.graded_at_ms),
                    grade: d.grade.clone(),
                    suggested: format!(
                        "{}{}",
                        d.suggested_source.clone().unwrap_or_else(|| "-".to_owned()),
                        d.suggested_information
                            .map(|i| i.to_string())
                            .unwrap_or_else(|| "-".to_owned())
                    ),
                    rationale: d.rationale.clone().unwrap_or_default(),
                })
                .collect(),
            may_grade: matches!(p.role, Role::Analyst | Role::Controller),
            form,
            problem,
            schemes: SCHEMES,
            may_claim: matches!(p.role, Role::Analyst | Role::Handler | Role::Controller),
            claim_form: typed.claim.unwrap_or_default(),
            may_disseminate: matches!(p.role, Role::Analyst | Role::Controller),
            dissemination_form: typed.dissemination.unwrap_or_default(),
            may_record_outcome: p.role == Role::Analyst,
            outcome_form: typed.outcome.unwrap_or_default(),
            verdicts: VERDICTS,
            means: MEANS,
        },
    ))
}

pub(super) async fn detail(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    page(&state, &officer, &id, Typed::default(), None).await
}

fn input(f: &GradeForm) -> GradeInput {
    GradeInput {
        scheme: super::opt(&f.scheme),
        source: f.source.trim().to_owned(),
        information: f.information.trim().to_owned(),
        handling_code: f.handling_code.trim().to_owned(),
        conditions: super::opt(&f.conditions),
        rationale: super::opt(&f.rationale),
    }
}

pub(super) async fn grade(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<GradeForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page(
            &state,
            &officer,
            &id,
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let typed = |form: GradeForm| Typed {
        grade: Some(form),
        ..Typed::default()
    };
    if !officer.form_ok(&state, &form.csrf) {
        return page(
            &state,
            &officer,
            &id,
            typed(form),
            Some(Problem::expired_form()),
        )
        .await;
    }
    match state
        .station
        .grade_report(&officer.principal, &id, input(&form))
        .await
    {
        Ok(_) => see_other(&format!("/reports/{id}"), Vec::new()),
        Err(e) => {
            page(
                &state,
                &officer,
                &id,
                typed(form),
                Some(Problem::from_error(e)),
            )
            .await
        }
    }
}

/// An officer's username from the report's names, or the id when the account is gone.
fn name_of(names: &std::collections::BTreeMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_else(|| id.to_owned())
}

/// Adds a claim to a filed report (handlers, controllers, analysts; the station decides).
pub(super) async fn add_claim(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<ClaimForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page(
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
            let observed_at =
                super::instant_field("observed", &form.observed_at)?.ok_or_else(|| {
                    StationError::invalid(
                        "FIELD_REQUIRED",
                        "a claim needs the time it was observed",
                    )
                })?;
            state
                .station
                .add_claim(
                    &officer.principal,
                    &id,
                    ClaimInput {
                        subject: form.subject.trim().to_owned(),
                        attribute: form.attribute.trim().to_owned(),
                        value: form.value.trim().to_owned(),
                        observed_at,
                    },
                )
                .await
        })
        .await
    {
        Ok(_) => return see_other(&format!("/reports/{id}#claims"), Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        claim: Some(form),
        ..Typed::default()
    };
    page(&state, &officer, &id, typed, Some(refused)).await
}

/// Records a dissemination of a graded report (analysts and controllers; the station decides).
pub(super) async fn disseminate(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<DisseminationForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page(
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
            let input = DisseminationInput {
                recipient: form.recipient.trim().to_owned(),
                handling_code: form.handling_code.trim().to_owned(),
                sanitised: super::ticked(&form.sanitised),
                disseminated_at: super::instant_field("disseminated", &form.disseminated_at)?,
            };
            state
                .station
                .disseminate_report(&officer.principal, &id, input)
                .await
        })
        .await
    {
        Ok(_) => return see_other(&format!("/reports/{id}#disseminations"), Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        dissemination: Some(form),
        ..Typed::default()
    };
    page(&state, &officer, &id, typed, Some(refused)).await
}

/// Records that a claim was confirmed or refuted, and by what means (analysts).
pub(super) async fn add_outcome(
    State(state): State<AppState>,
    officer: Officer,
    Path(claim_id): Path<String>,
    form: Result<Form<OutcomeForm>, FormRejection>,
) -> Response {
    let shell = officer.shell("/reports");
    // The claim's report, for the page to return to; the station checks who may see it.
    let report_id = match state.station.claim(&officer.principal, &claim_id).await {
        Ok(c) => c.report_id,
        Err(e) => return refusal(Some(shell), e),
    };
    let Ok(Form(mut form)) = form else {
        return page(
            &state,
            &officer,
            &report_id,
            Typed::default(),
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    form.claim_id = claim_id.clone();
    let refused = match officer
        .submit(&state, &form.csrf, async {
            let verdict = super::choice::<OutcomeVerdict>("the verdict", &form.verdict)?;
            let means = super::choice::<OutcomeMeans>("the means", &form.means)?;
            let at = super::instant_field("established", &form.established_at)?;
            state
                .station
                .add_outcome(&officer.principal, &claim_id, verdict, means, at)
                .await
        })
        .await
    {
        Ok(_) => return see_other(&format!("/reports/{report_id}#claims"), Vec::new()),
        Err(refused) => refused,
    };
    let typed = Typed {
        outcome: Some(form),
        ..Typed::default()
    };
    page(&state, &officer, &report_id, typed, Some(refused)).await
}
