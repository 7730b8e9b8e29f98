//! The forms for every write on a source: a new source, its lifecycle, roles and risk
//! assessments; renewal, cancellation, Commissioner notices and written records of its
//! authorisations; taskings and their status; payments with approval and payment; the outcome
//! of a planned contact.
//!
//! Each form is described once (its fields, with what the officer typed kept after a refusal)
//! and rendered by one template; each submission calls one station service, which decides.
//! The page only chooses which links to offer by role; the station refuses whatever the role
//! may not do. Forms about one thing of a source (an authorisation, a tasking, a payment, a
//! contact) live under the source's address and check that the thing is that source's.

use super::{
    Officer, Problem, Shell, choice, instant_field, opt, problem_page, refusal, render, see_other,
    stylesheet_href, when, words,
};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{MatchedPath, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_core::handling::{AppropriateAdult, Motivation, SourceState};
use humint_station::handling::{
    AuthorityReference, CancellationInput, ContactOutcomeInput, MAX_PAGE, NewSource, PaymentInput,
    RUNNERS, RenewalInput, RiskInput, SourceDetail, TaskingInput, TrueIdentity,
};
use humint_station::{Principal, StationError};
use std::collections::HashMap;

/// One field of a form. `kind` is the input's type, or `textarea`, `select` or `checkbox`.
pub(super) struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
}

impl Field {
    fn new(kind: &'static str, name: &'static str, label: &'static str) -> Field {
        Field {
            name,
            label,
            hint: "",
            kind,
            value: String::new(),
            options: Vec::new(),
        }
    }
    fn text(name: &'static str, label: &'static str) -> Field {
        Field::new("text", name, label)
    }
    fn area(name: &'static str, label: &'static str) -> Field {
        Field::new("textarea", name, label)
    }
    fn check(name: &'static str, label: &'static str) -> Field {
        Field::new("checkbox", name, label)
    }
    fn select(name: &'static str, label: &'static str, options: Vec<(String, String)>) -> Field {
        let value = options.first().map(|(v, _)| v.clone()).unwrap_or_default();
        Field {
            options,
            value,
            ..Field::new("select", name, label)
        }
    }
    fn hint(self, hint: &'static str) -> Field {
        Field { hint, ..self }
    }
    fn value(self, value: impl Into<String>) -> Field {
        Field {
            value: value.into(),
            ..self
        }
    }
}

fn options(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "officer/form.html")]
struct FormPage {
    shell: Option<Shell>,
    stylesheet: String,
    title: String,
    intro: String,
    back: String,
    back_label: String,
    facts: Vec<(String, String)>,
    action: String,
    form_id: &'static str,
    fields: Vec<Field>,
    submit: &'static str,
    submit_id: &'static str,
    problem: Option<Problem>,
}

/// What a form shows before anything is typed.
struct Spec {
    title: String,
    intro: String,
    facts: Vec<(String, String)>,
    fields: Vec<Field>,
    submit: &'static str,
    submit_id: &'static str,
}

impl Spec {
    fn new(title: String, submit: &'static str, submit_id: &'static str) -> Spec {
        Spec {
            title,
            intro: String::new(),
            facts: Vec::new(),
            fields: Vec::new(),
            submit,
            submit_id,
        }
    }
}

/// What was submitted, in order; kept to fill the form again after a refusal.
pub(super) struct Values(Vec<(String, String)>);

impl Values {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
    fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
    fn opt(&self, name: &str) -> Option<String> {
        opt(self.get(name))
    }
    /// A text area's non-blank lines.
    fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// Which form an address names.
enum Which {
    NewSource,
    Transition,
    Role,
    Risk,
    Tasking,
    TaskingStatus(String),
    Payment,
    Approve(String),
    Pay(String),
    Renew(String),
    Cancel(String),
    Notice(String),
    WrittenRecord(String),
    Outcome(String),
    Motivation,
    Concern,
    ConcernReview(String),
}

/// The routes this module serves (all GET for the form, POST to submit it).
pub(super) const ROUTES: [&str; 16] = [
    "/sources/{id}/transition",
    "/sources/{id}/roles/new",
    "/sources/{id}/risk/new",
    "/sources/{id}/taskings/new",
    "/sources/{id}/taskings/{item}/status",
    "/sources/{id}/payments/new",
    "/sources/{id}/payments/{item}/approve",
    "/sources/{id}/payments/{item}/pay",
    "/sources/{id}/authorisations/{item}/renew",
    "/sources/{id}/authorisations/{item}/cancel",
    "/sources/{id}/authorisations/{item}/notice",
    "/sources/{id}/authorisations/{item}/written-record",
    "/sources/{id}/contacts/{item}/outcome",
    "/sources/{id}/motivation",
    "/sources/{id}/concerns/new",
    "/sources/{id}/concerns/{item}/review",
];

fn which(route: &str, params: &HashMap<String, String>) -> Option<(String, Which)> {
    if route == "/sources/new" {
        return Some((String::new(), Which::NewSource));
    }
    let id = params.get("id")?.clone();
    let item = || params.get("item").cloned().unwrap_or_default();
    let w = match route.strip_prefix("/sources/{id}")? {
        "/transition" => Which::Transition,
        "/roles/new" => Which::Role,
        "/risk/new" => Which::Risk,
        "/taskings/new" => Which::Tasking,
        "/taskings/{item}/status" => Which::TaskingStatus(item()),
        "/payments/new" => Which::Payment,
        "/payments/{item}/approve" => Which::Approve(item()),
        "/payments/{item}/pay" => Which::Pay(item()),
        "/authorisations/{item}/renew" => Which::Renew(item()),
        "/authorisations/{item}/cancel" => Which::Cancel(item()),
        "/authorisations/{item}/notice" => Which::Notice(item()),
        "/authorisations/{item}/written-record" => Which::WrittenRecord(item()),
        "/contacts/{item}/outcome" => Which::Outcome(item()),
        "/motivation" => Which::Motivation,
        "/concerns/new" => Which::Concern,
        "/concerns/{item}/review" => Which::ConcernReview(item()),
        _ => return None,
    };
    Some((id, w))
}

const ORIGINS: [(&str, &str); 4] = [
    ("walk_in", "Walk-in"),
    ("write_in", "Write-in"),
    ("spotted", "Spotted"),
    ("referral", "Referral"),
];

const SOURCE_ROLES: [(&str, &str); 3] = [
    ("handler", "Handler"),
    ("controller", "Controller"),
    ("record_keeper", "Record-keeper"),
];

const RISK_LEVELS: [(&str, &str); 3] = [("low", "Low"), ("medium", "Medium"), ("high", "High")];

const TASKING_MOVES: [(&str, &str); 3] = [
    ("acknowledged", "Acknowledged by the source"),
    ("completed", "Completed"),
    ("withdrawn", "Withdrawn"),
];

const PAYMENT_KINDS: [(&str, &str); 2] = [
    ("payment", "Payment, benefit or reward"),
    ("offer", "Offer (recorded even if declined)"),
];

/// A source's declared motivation as offered in forms (product.md, "The cycle, as records").
pub(super) const MOTIVATIONS: [(&str, &str); 6] = [
    ("", "Not recorded"),
    ("ideology", "Ideology"),
    ("money", "Money"),
    ("recognition", "Recognition"),
    ("conscience", "Conscience"),
    ("other", "Other"),
];

/// What a concern is about (compliance.md, "Software implications" and §1).
const CONCERN_CATEGORIES: [(&str, &str); 4] = [
    (
        "coercion",
        "Coercion: the source is being or was pressured or coerced, by anyone",
    ),
    ("welfare", "The source's safety or welfare"),
    ("conduct", "The source's conduct"),
    (
        "circumstances",
        "Circumstances that may make the risk assessment out of date",
    ),
];

const CONCERN_FINDINGS: [(&str, &str); 3] = [
    ("unfounded", "Unfounded"),
    ("founded", "Founded"),
    ("referred", "Referred (e.g. to professional standards)"),
];

const OUTCOMES: [(&str, &str); 3] = [
    ("held", "Held"),
    ("missed", "Missed"),
    ("aborted", "Aborted"),
];

/// Who may be the appropriate adult at a meeting with a source under 16 (Juveniles Order art 4).
pub(super) const ADULTS: [(&str, &str); 4] = [
    ("", "None present"),
    ("parent_or_guardian", "A parent or guardian"),
    (
        "welfare_responsible",
        "Someone who has taken responsibility for the source's welfare",
    ),
    ("independent_adult", "Another responsible adult, 18 or over"),
];

/// The appropriate adult chosen on a contact form: none when the choice is blank.
pub(super) fn appropriate_adult(
    category: &str,
    employed_by_authority: bool,
) -> Result<Option<AppropriateAdult>, StationError> {
    if category.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(AppropriateAdult {
        category: choice("appropriate adult", category)?,
        employed_by_or_member_of_authority: employed_by_authority,
    }))
}

fn not_found(what: &'static str) -> StationError {
    StationError::NotFound { what }
}

/// Pounds and pence as typed (`120`, `120.50`, `£1,200`) in minor units.
fn amount_minor(text: &str) -> Result<u64, StationError> {
    let bad = || {
        StationError::invalid(
            "INVALID_AMOUNT",
            "the amount is in pounds and pence, such as 120 or 120.50",
        )
    };
    let t = text.trim().trim_start_matches('£').replace(',', "");
    let (whole, pence) = t.split_once('.').unwrap_or((t.as_str(), ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && pence.is_empty()) || !digits(whole) || !digits(pence) || pence.len() > 2
    {
        return Err(bad());
    }
    let pounds: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let pence: u64 = format!("{pence:0<2}").parse().map_err(|_| bad())?;
    pounds
        .checked_mul(100)
        .and_then(|p| p.checked_add(pence))
        .ok_or_else(bad)
}

fn wire<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An authorisation of this source, with the facts every authorisation form shows.
async fn authorisation_of(
    state: &AppState,
    p: &Principal,
    source_id: &str,
    id: &str,
) -> Result<(humint_core::handling::Authorisation, Vec<(String, String)>), StationError> {
    let a = state.station.authorisation(p, id).await?;
    if a.source.to_string() != source_id {
        return Err(not_found("authorisation"));
    }
    let now = state.station.clock().now();
    let mut facts = vec![
        ("Kind".to_owned(), words(&wire(&a.kind))),
        ("Status".to_owned(), words(&wire(&a.status(now)))),
        ("Granted".to_owned(), when(a.granted_at)),
        ("Expires".to_owned(), when(a.current_expiry())),
    ];
    if a.privileged.is_flagged() {
        facts.push((
            "Privileged or confidential".to_owned(),
            super::authorisations::privileged_summary(&a.privileged),
        ));
    }
    Ok((a, facts))
}

async fn payment_of(
    state: &AppState,
    p: &Principal,
    source_id: &str,
    id: &str,
) -> Result<Vec<(String, String)>, StationError> {
    let (views, _) = state.station.payments(p, source_id).await?;
    let v = views
        .iter()
        .find(|v| v.payment.id.to_string() == id)
        .ok_or_else(|| not_found("payment"))?;
    Ok(vec![
        (
            "Amount".to_owned(),
            super::sources::money(v.payment.amount_minor),
        ),
        ("Kind".to_owned(), words(&wire(&v.payment.kind))),
        ("Purpose".to_owned(), v.payment.purpose.clone()),
        ("Recorded".to_owned(), when(v.payment.recorded_at)),
        ("Status".to_owned(), super::sources::payment_status(v)),
    ])
}

/// The form as first shown: title, facts and fields with their starting values.
async fn spec(
    state: &AppState,
    officer: &Officer,
    source_id: &str,
    which: &Which,
    detail: Option<&SourceDetail>,
) -> Result<Spec, StationError> {
    let station = &state.station;
    let p = &officer.principal;
    let codename = detail.map(|d| d.row.codename.clone()).unwrap_or_default();
    // The forms that run a source are offered to those the station lets run sources; the
    // authorisation forms to those it lets read authorisations. Each submission is decided
    // by its own service all the same.
    if matches!(
        which,
        Which::Transition
            | Which::Role
            | Which::Risk
            | Which::Tasking
            | Which::TaskingStatus(_)
            | Which::Payment
            | Which::Approve(_)
            | Which::Pay(_)
            | Which::Outcome(_)
            | Which::Motivation
    ) {
        p.require_role(RUNNERS, "run sources")?;
    }
    let spec = match which {
        Which::NewSource => {
            p.require_role(RUNNERS, "record new sources")?;
            let mut s = Spec::new(
                "Record a new source".to_owned(),
                "Record the source",
                "save-source",
            );
            s.intro = "The true identity is encrypted at rest and shown only to those entitled, each view recorded. The source starts as spotted.".to_owned();
            let compartments: Vec<(String, String)> = p
                .compartments
                .iter()
                .map(|c| (c.clone(), c.clone()))
                .collect();
            s.fields = vec![
                Field::select("compartment", "Compartment", compartments),
                Field::select("origin", "How the source came to notice", options(&ORIGINS)),
                Field::text("name", "True name"),
                Field::text("date_of_birth", "Date of birth").hint(
                    "Year-month-day, such as 1980-05-01. It decides whether the juvenile rules apply.",
                ),
                Field::area("identities_used", "Other identities used").hint("One per line."),
                Field::area("other_authorities", "Other authorities that benefit")
                    .hint("One per line, as authority: their reference for the source."),
                Field::area("access", "Access")
                    .hint("What the source can reach: a workplace, a group, a place. Optional; kept with the true identity, encrypted."),
                Field::select("motivation", "Declared motivation", options(&MOTIVATIONS))
                    .hint("Context for judging the reporting; it changes no grade."),
                Field::text("codename", "Codename")
                    .hint("Leave blank and the station draws one from its word list."),
                Field::check("vulnerable", "A vulnerable individual"),
                Field::check(
                    "undercover_operative",
                    "An undercover operative (a relevant source)",
                ),
                Field::text("handler", "Handler (username)")
                    .hint("Leave blank to handle the source yourself, if you are a handler."),
                Field::text("controller", "Controller (username)"),
                Field::text("record_keeper", "Record-keeper (username)"),
            ];
            s
        }
        Which::Transition => {
            let current: SourceState = detail
                .map(|d| choice("state", &d.row.state))
                .transpose()?
                .ok_or_else(|| not_found("source"))?;
            let mut s = Spec::new(
                format!("Change the state of {codename}"),
                "Change the state",
                "save-transition",
            );
            s.facts = vec![("Now".to_owned(), words(current.as_str()))];
            let next: Vec<(String, String)> = current
                .next_states()
                .iter()
                .map(|st| (st.as_str().to_owned(), words(st.as_str())))
                .collect();
            if next.is_empty() {
                s.intro = "This case is closed; its state cannot change.".to_owned();
            }
            s.fields = vec![
                Field::select("to", "New state", next),
                Field::area("reason", "Reason"),
                Field::area("welfare_arrangements", "Welfare arrangements").hint(
                    "Needed to terminate: how the source's security and welfare will be looked after from now on.",
                ),
            ];
            s
        }
        Which::Motivation => {
            let mut s = Spec::new(
                format!("Record the declared motivation of {codename}"),
                "Record the motivation",
                "save-motivation",
            );
            s.intro = "What the source says moves them to report, recorded as context for judging the reporting: it changes no grade and no rule.".to_owned();
            let current = detail
                .and_then(|d| d.row.motivation.clone())
                .unwrap_or_default();
            s.fields = vec![
                Field::select("motivation", "Declared motivation", options(&MOTIVATIONS))
                    .value(current),
            ];
            s
        }
        Which::Concern => {
            let mut s = Spec::new(
                format!("Raise a concern about {codename}"),
                "Raise the concern",
                "save-concern",
            );
            s.intro = "The concern goes to the compartment's controller at once and stays open until a controller or authorising officer reviews it. Say what the concern is; the account is encrypted at rest.".to_owned();
            s.fields = vec![
                Field::select("category", "About", options(&CONCERN_CATEGORIES)),
                Field::area("account", "What the concern is"),
            ];
            s
        }
        Which::ConcernReview(id) => {
            p.require_role(
                humint_station::handling::CONCERN_REVIEWERS,
                "review a concern about a source",
            )?;
            let concerns = station.source_concerns(p, source_id).await?;
            let c = concerns
                .iter()
                .find(|c| c.id == *id)
                .ok_or_else(|| not_found("concern"))?;
            let mut s = Spec::new(
                format!("Review a concern about {codename}"),
                "Record the review",
                "save-concern-review",
            );
            s.facts = vec![
                ("About".to_owned(), words(c.category.as_str())),
                (
                    "Raised".to_owned(),
                    format!("{} by {}", super::when_ms(c.raised_at_ms), c.raised_by),
                ),
                ("Account".to_owned(), c.account.clone().unwrap_or_default()),
            ];
            s.intro = "A concern is reviewed once, by someone other than who raised it. A founded concern about coercion, welfare or circumstances means the risk assessment must be reviewed.".to_owned();
            s.fields = vec![
                Field::select("finding", "Finding", options(&CONCERN_FINDINGS)),
                Field::area("note", "What you found and did"),
            ];
            s
        }
        Which::Role => {
            let mut s = Spec::new(
                format!("Assign a role for {codename}"),
                "Assign",
                "save-role",
            );
            s.facts = detail
                .map(|d| {
                    d.roles
                        .iter()
                        .map(|r| (words(&r.role), r.officer_name.clone()))
                        .collect()
                })
                .unwrap_or_default();
            s.intro = "The officer now holding the role hands over at this instant.".to_owned();
            s.fields = vec![
                Field::select("role", "Role", options(&SOURCE_ROLES)),
                Field::text("officer", "Officer (username)"),
            ];
            s
        }
        Which::Risk => {
            let mut s = Spec::new(
                format!("Assess the risks to {codename}"),
                "Record the assessment",
                "save-risk",
            );
            s.intro = "A new version replaces none: each assessment is kept. Its text is encrypted at rest.".to_owned();
            s.fields = vec![
                Field::select("level", "Risk level", options(&RISK_LEVELS)).value("medium"),
                Field::area("security_and_welfare", "Risks to security and welfare")
                    .hint("From the tasking and from exposure; significant welfare information."),
                Field::area("mitigations", "How the risks are reduced"),
                Field::area("physical_harm", "Risk of physical harm")
                    .hint("Needed for a source under 18."),
                Field::area("psychological_harm", "Risk of psychological harm")
                    .hint("Needed for a source under 18."),
                Field::check(
                    "explained_to_source",
                    "The risks were explained to the source",
                ),
                Field::check("understood_by_source", "The source understood them"),
            ];
            s
        }
        Which::Tasking => {
            let compartment = detail.map(|d| d.row.compartment.clone());
            let page = humint_station::handling::page(None, Some(MAX_PAGE))?;
            let open = station
                .list_requirements(p, compartment, true, false, page)
                .await?;
            let mut s = Spec::new(
                format!("Task {codename}"),
                "Task the source",
                "save-tasking",
            );
            if open.is_empty() {
                s.intro =
                    "There is no open requirement in this compartment to task against.".to_owned();
            }
            s.fields = vec![
                Field::select(
                    "requirement_id",
                    "Requirement",
                    open.iter()
                        .map(|r| {
                            (
                                r.id.clone(),
                                format!(
                                    "{} (priority {}, review by {})",
                                    r.title, r.priority, r.review_by
                                ),
                            )
                        })
                        .collect(),
                ),
                Field::area("instructions", "Instructions to the source"),
                Field::check(
                    "against_parent_or_guardian",
                    "The task is directed at the source's parent or guardian",
                ),
            ];
            s
        }
        Which::TaskingStatus(id) => {
            let t = station.tasking(p, id).await?;
            if t.source.to_string() != source_id {
                return Err(not_found("tasking"));
            }
            let mut s = Spec::new(
                format!("Move on a tasking of {codename}"),
                "Record the change",
                "save-tasking-status",
            );
            s.facts = vec![
                ("Instructions".to_owned(), t.instructions.clone()),
                ("Status".to_owned(), words(&wire(&t.status))),
                ("Issued".to_owned(), when(t.issued_at)),
            ];
            s.fields = vec![
                Field::select("to", "New status", options(&TASKING_MOVES)),
                Field::area("note", "Note")
                    .hint("What the source said or did; why it was withdrawn."),
            ];
            s
        }
        Which::Payment => {
            let policy = station.payment_policy().await?;
            let mut s = Spec::new(
                format!("Record a payment or offer to {codename}"),
                "Record it",
                "save-payment",
            );
            s.intro = format!(
                "A payment over {} or one that takes the year's paid total over {} needs a controller's approval before it is paid.",
                super::sources::money(policy.single_payment_threshold_minor),
                super::sources::money(policy.yearly_threshold_minor)
            );
            s.fields = vec![
                Field::select("kind", "What", options(&PAYMENT_KINDS)),
                Field::text("amount", "Amount (£)")
                    .hint("Pounds and pence, such as 120 or 120.50."),
                Field::area("purpose", "Purpose"),
                Field::text("witnessed_by", "Witnessed by (username)"),
                Field::check("paid", "Paid now")
                    .hint("Leave unticked to record it for approval or later payment."),
            ];
            s
        }
        Which::Approve(id) => {
            let mut s = Spec::new(
                format!("Approve a payment to {codename}"),
                "Approve the payment",
                "save-approval",
            );
            s.facts = payment_of(state, p, source_id, id).await?;
            s.intro = "Only the source's controller approves.".to_owned();
            s
        }
        Which::Pay(id) => {
            let mut s = Spec::new(
                format!("Record a payment to {codename} as paid"),
                "Record as paid",
                "save-paid",
            );
            s.facts = payment_of(state, p, source_id, id).await?;
            s
        }
        Which::Renew(id) => {
            let (a, facts) = authorisation_of(state, p, source_id, id).await?;
            let mut s = Spec::new(
                format!("Renew the authorisation for {codename}"),
                "Renew",
                "save-renewal",
            );
            s.facts = facts;
            s.intro =
                "A renewal needs a review and a risk assessment since the last grant or renewal."
                    .to_owned();
            s.fields = vec![
                Field::text("urgency_reason", "Reason for urgency")
                    .hint("Only for an urgent renewal."),
            ];
            if a.privileged.lpp == humint_core::handling::Lpp::Intended {
                s.intro.push_str(
                    " It obtains legally privileged matters, so the renewal also needs a prior approval of its own, given since the last grant or renewal (SI 2010/123); it renews for three months.",
                );
                s.fields.extend([
                    Field::text("approved_by", "Approved by")
                        .hint("The Commissioner, or the Secretary of State, as named."),
                    Field::text("approved_at", "Approved at")
                        .hint("London time, e.g. 2026-03-02 09:30."),
                    Field::area("approval_grounds", "Grounds"),
                    Field::area("approval_conduct", "Conduct approved"),
                    Field::text("lawyer_and_client", "Lawyer and client").hint("Or \"not known\"."),
                    Field::area("privileged_matters", "Privileged matters"),
                    Field::area(
                        "approval_collateral",
                        "Collateral information likely to be obtained",
                    ),
                ]);
            }
            s
        }
        Which::Cancel(id) => {
            let (_, facts) = authorisation_of(state, p, source_id, id).await?;
            let mut s = Spec::new(
                format!("Cancel the authorisation for {codename}"),
                "Cancel the authorisation",
                "save-cancellation",
            );
            s.facts = facts;
            s.fields = vec![
                Field::area("reasons", "Reasons for cancelling"),
                Field::new(
                    "text",
                    "instruction_to_cease_at",
                    "Source told to stop (London time)",
                )
                .hint("When the source was instructed to cease; blank if not yet."),
                Field::area("welfare_plan", "Welfare arrangements after cancellation"),
            ];
            s
        }
        Which::Notice(id) => {
            let (a, facts) = authorisation_of(state, p, source_id, id).await?;
            let owed: Vec<(String, String)> = humint_core::handling::commissioner_notices(&a)
                .into_iter()
                .filter(|n| n.sent_at.is_none())
                .map(|n| {
                    (
                        n.event.as_str().to_owned(),
                        format!(
                            "The {} decided {}, due by {}",
                            n.event.as_str(),
                            when(n.decided_at),
                            when(n.due_at)
                        ),
                    )
                })
                .collect();
            let mut s = Spec::new(
                format!("Record a Commissioner notice for {codename}"),
                "Record the notice as sent",
                "save-notice",
            );
            s.facts = facts;
            s.intro = if owed.is_empty() {
                "No notice to a Judicial Commissioner is owed for this authorisation.".to_owned()
            } else {
                "Record that the notice of this decision has been sent to a Judicial Commissioner (RIPA s.32C).".to_owned()
            };
            s.fields = vec![Field::select("event", "Decision notified", owed)];
            s
        }
        Which::WrittenRecord(id) => {
            let (_, facts) = authorisation_of(state, p, source_id, id).await?;
            let mut s = Spec::new(
                format!("Complete the written record for {codename}"),
                "The written record is complete",
                "save-written-record",
            );
            s.facts = facts;
            s.intro =
                "An urgent oral authorisation needs its full written record by the next working day."
                    .to_owned();
            s
        }
        Which::Outcome(id) => {
            let page = humint_station::handling::page(None, Some(MAX_PAGE))?;
            let contacts = station.contacts(p, source_id, page).await?;
            let c = contacts
                .iter()
                .find(|c| c.id.to_string() == id.as_str())
                .ok_or_else(|| not_found("contact"))?;
            let mut s = Spec::new(
                format!("Record what became of a planned contact with {codename}"),
                "Record the outcome",
                "save-outcome",
            );
            s.facts = vec![
                (
                    "Planned for".to_owned(),
                    c.planned_for.map(when).unwrap_or_default(),
                ),
                ("How".to_owned(), words(&wire(&c.mode))),
                ("Purpose".to_owned(), words(&wire(&c.purpose))),
            ];
            s.fields = vec![
                Field::select("status", "Outcome", options(&OUTCOMES)),
                Field::new("text", "occurred_at", "When (London time)")
                    .hint("Leave blank for now."),
                Field::text("officers_present", "Officers present")
                    .hint("Usernames, separated by commas.")
                    .value(p.username.clone()),
                Field::select("appropriate_adult", "Appropriate adult", options(&ADULTS))
                    .hint("Needed at every meeting with a source under 16."),
                Field::check(
                    "adult_employed_by_authority",
                    "The appropriate adult works for or is a member of this authority",
                ),
                Field::new("text", "next_contact_due", "Next contact due (London time)"),
                Field::area("notes", "Contact note")
                    .hint("Encrypted at rest; each reading is recorded."),
            ];
            s
        }
    };
    Ok(spec)
}

/// Submits a form to its station service; the address to go to afterwards.
async fn act(
    state: &AppState,
    p: &Principal,
    source_id: &str,
    which: &Which,
    v: &Values,
) -> Result<String, StationError> {
    let station = &state.station;
    let back = format!("/sources/{source_id}");
    match which {
        Which::NewSource => {
            let other_authorities = v
                .lines("other_authorities")
                .iter()
                .map(|line| {
                    line.split_once(':')
                        .map(|(a, r)| AuthorityReference {
                            authority: a.trim().to_owned(),
                            reference: r.trim().to_owned(),
                        })
                        .filter(|a| !a.authority.is_empty() && !a.reference.is_empty())
                        .ok_or_else(|| {
                            StationError::invalid(
                                "INVALID_AUTHORITY",
                                "write each other authority as authority: reference, one per line",
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let true_identity = TrueIdentity {
                name: v.get("name").trim().to_owned(),
                date_of_birth: humint_station::handling::parse_date(
                    "the date of birth",
                    v.get("date_of_birth"),
                )?,
                identities_used: v.lines("identities_used"),
                other_authorities,
                access: v.opt("access"),
            };
            let new = NewSource {
                compartment: v.get("compartment").trim().to_owned(),
                origin: choice("origin", v.get("origin"))?,
                codename: v.opt("codename"),
                true_identity,
                vulnerable: v.ticked("vulnerable"),
                undercover_operative: v.ticked("undercover_operative"),
                motivation: Motivation::parse_optional(v.get("motivation"))?,
                handler: v.opt("handler"),
                controller: v.opt("controller"),
                record_keeper: v.opt("record_keeper"),
            };
            let d = station.create_source(p, new).await?;
            Ok(format!("/sources/{}", d.row.id))
        }
        Which::Transition => {
            station
                .transition_source(
                    p,
                    source_id,
                    choice("new state", v.get("to"))?,
                    v.get("reason"),
                    v.opt("welfare_arrangements").as_deref(),
                )
                .await?;
            Ok(back)
        }
        Which::Concern => {
            station
                .raise_concern(
                    p,
                    source_id,
                    humint_station::handling::ConcernInput {
                        category: v.get("category").to_owned(),
                        account: v.get("account").to_owned(),
                    },
                )
                .await?;
            Ok(format!("{back}#h-concerns"))
        }
        Which::ConcernReview(id) => {
            station
                .review_concern(
                    p,
                    id,
                    humint_station::handling::ConcernReviewInput {
                        finding: v.get("finding").to_owned(),
                        note: v.get("note").to_owned(),
                    },
                )
                .await?;
            Ok(format!("{back}#h-concerns"))
        }
        Which::Motivation => {
            station
                .set_source_motivation(
                    p,
                    source_id,
                    Motivation::parse_optional(v.get("motivation"))?,
                )
                .await?;
            Ok(back)
        }
        Which::Role => {
            station
                .assign_source_role(
                    p,
                    source_id,
                    choice("role", v.get("role"))?,
                    v.get("officer").trim(),
                )
                .await?;
            Ok(back)
        }
        Which::Risk => {
            let input = RiskInput {
                level: choice("risk level", v.get("level"))?,
                security_and_welfare: v.get("security_and_welfare").to_owned(),
                mitigations: v.get("mitigations").to_owned(),
                explained_to_source: v.ticked("explained_to_source"),
                understood_by_source: v.ticked("understood_by_source"),
                physical_harm: v.opt("physical_harm"),
                psychological_harm: v.opt("psychological_harm"),
            };
            station.add_risk_assessment(p, source_id, input).await?;
            Ok(back)
        }
        Which::Tasking => {
            let input = TaskingInput {
                requirement_id: v.get("requirement_id").trim().to_owned(),
                instructions: v.get("instructions").to_owned(),
                against_parent_or_guardian: v.ticked("against_parent_or_guardian"),
            };
            station.add_tasking(p, source_id, input).await?;
            Ok(back)
        }
        Which::TaskingStatus(id) => {
            station
                .change_tasking_status(p, id, choice("new status", v.get("to"))?, v.opt("note"))
                .await?;
            Ok(back)
        }
        Which::Payment => {
            let input = PaymentInput {
                kind: choice("what", v.get("kind"))?,
                amount_minor: amount_minor(v.get("amount"))?,
                purpose: v.get("purpose").to_owned(),
                witnessed_by: v.opt("witnessed_by"),
                paid: v.ticked("paid"),
            };
            station.add_payment(p, source_id, input).await?;
            Ok(back)
        }
        Which::Approve(id) => {
            station.approve_payment(p, id).await?;
            Ok(back)
        }
        Which::Pay(id) => {
            station.pay_payment(p, id).await?;
            Ok(back)
        }
        Which::Renew(id) => {
            let input = RenewalInput {
                urgency_reason: v.opt("urgency_reason"),
                prior_approval: super::authorisations::prior_approval(|name| v.get(name))?,
            };
            station.renew_authorisation(p, id, input).await?;
            Ok(back)
        }
        Which::Cancel(id) => {
            let input = CancellationInput {
                reasons: v.get("reasons").to_owned(),
                instruction_to_cease_at: instant_field(
                    "when the source was told to stop",
                    v.get("instruction_to_cease_at"),
                )?,
                welfare_plan: v.get("welfare_plan").to_owned(),
            };
            station.cancel_authorisation(p, id, input).await?;
            Ok(back)
        }
        Which::Notice(id) => {
            station
                .record_commissioner_notice(p, id, choice("decision notified", v.get("event"))?)
                .await?;
            Ok(back)
        }
        Which::WrittenRecord(id) => {
            station.record_written_authorisation(p, id).await?;
            Ok(back)
        }
        Which::Outcome(id) => {
            let input = ContactOutcomeInput {
                status: choice("outcome", v.get("status"))?,
                occurred_at: instant_field("when", v.get("occurred_at"))?,
                officers_present: v
                    .get("officers_present")
                    .split([',', '\n'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                appropriate_adult: appropriate_adult(
                    v.get("appropriate_adult"),
                    v.ticked("adult_employed_by_authority"),
                )?,
                next_contact_due: instant_field("next contact due", v.get("next_contact_due"))?,
                notes: v.opt("notes"),
            };
            station.record_contact_outcome(p, id, input).await?;
            Ok(back)
        }
    }
}

/// Renders the form at `route`, filled with what was typed and showing a refusal if any.
async fn page(
    state: &AppState,
    officer: &Officer,
    route: &str,
    params: &HashMap<String, String>,
    typed: Option<&Values>,
    refused: Option<(StatusCode, Problem)>,
) -> Response {
    let shell = officer.shell("/sources");
    let Some((source_id, which)) = which(route, params) else {
        return problem_page(
            Some(shell),
            StatusCode::NOT_FOUND,
            Problem {
                code: "NOT_FOUND".to_owned(),
                message: "There is no such form.".to_owned(),
            },
        );
    };
    let detail = if source_id.is_empty() {
        None
    } else {
        match state
            .station
            .source_detail(&officer.principal, &source_id)
            .await
        {
            Ok(d) => Some(d),
            Err(e) => return refusal(Some(shell), e),
        }
    };
    let spec = match spec(state, officer, &source_id, &which, detail.as_ref()).await {
        Ok(s) => s,
        Err(e) => return refusal(Some(shell), e),
    };
    let mut fields = spec.fields;
    if let Some(v) = typed {
        for f in &mut fields {
            f.value = if f.kind == "checkbox" {
                if v.ticked(f.name) {
                    "1".to_owned()
                } else {
                    String::new()
                }
            } else {
                v.get(f.name).to_owned()
            };
        }
    }
    let (back, back_label) = match &detail {
        Some(d) => (format!("/sources/{}", d.row.id), d.row.codename.clone()),
        None => ("/sources".to_owned(), "the sources".to_owned()),
    };
    let action = match &detail {
        Some(d) => route
            .replace("{id}", &d.row.id)
            .replace("{item}", params.get("item").map_or("", String::as_str)),
        None => route.to_owned(),
    };
    let (status, problem) = Problem::split(refused);
    render(
        status,
        &FormPage {
            shell: Some(shell),
            stylesheet: stylesheet_href(),
            title: spec.title,
            intro: spec.intro,
            back,
            back_label,
            facts: spec.facts,
            action,
            form_id: "action-form",
            fields,
            submit: spec.submit,
            submit_id: spec.submit_id,
            problem,
        },
    )
}

/// Submits the form at `route`: refused, it comes back with what was typed and why.
async fn submit(
    state: &AppState,
    officer: &Officer,
    route: &str,
    params: &HashMap<String, String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(pairs)) = form else {
        return page(
            state,
            officer,
            route,
            params,
            None,
            Some(Problem::unreadable_form()),
        )
        .await;
    };
    let values = Values(pairs);
    if !officer.form_ok(state, values.get("csrf")) {
        return page(
            state,
            officer,
            route,
            params,
            Some(&values),
            Some(Problem::expired_form()),
        )
        .await;
    }
    let Some((source_id, which)) = which(route, params) else {
        return page(state, officer, route, params, None, None).await;
    };
    // The thing acted on must be this source's (the form page checks it the same way).
    if !source_id.is_empty() {
        let detail = match state
            .station
            .source_detail(&officer.principal, &source_id)
            .await
        {
            Ok(d) => d,
            Err(e) => return refusal(Some(officer.shell("/sources")), e),
        };
        if let Err(e) = spec(state, officer, &source_id, &which, Some(&detail)).await {
            return refusal(Some(officer.shell("/sources")), e);
        }
    }
    match act(state, &officer.principal, &source_id, &which, &values).await {
        Ok(to) => see_other(&to, Vec::new()),
        Err(e) => {
            page(
                state,
                officer,
                route,
                params,
                Some(&values),
                Some(Problem::from_error(e)),
            )
            .await
        }
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    officer: Officer,
    route: MatchedPath,
    Path(params): Path<HashMap<String, String>>,
) -> Response {
    page(&state, &officer, route.as_str(), &params, None, None).await
}

pub(super) async fn post(
    State(state): State<AppState>,
    officer: Officer,
    route: MatchedPath,
    Path(params): Path<HashMap<String, String>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    submit(&state, &officer, route.as_str(), &params, form).await
}

pub(super) async fn new_source_form(State(state): State<AppState>, officer: Officer) -> Response {
    page(
        &state,
        &officer,
        "/sources/new",
        &HashMap::new(),
        None,
        None,
    )
    .await
}

pub(super) async fn new_source(
    State(state): State<AppState>,
    officer: Officer,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    submit(&state, &officer, "/sources/new", &HashMap::new(), form).await
}

#[cfg(test)]
mod tests {
    use super::amount_minor;

    #[test]
    fn amounts_are_read_as_pounds_and_pence() {
        assert_eq!(amount_minor("120").ok(), Some(12_000));
        assert_eq!(amount_minor("£1,200.5").ok(), Some(120_050));
        assert_eq!(amount_minor(" 0.07 ").ok(), Some(7));
        for bad in ["", "12.345", "ten", "-5", "1.2.3", "."] {
            assert!(amount_minor(bad).is_err(), "{bad}");
        }
    }
}
