//! Sources: the list (filtered and paged in the database by the station's service) and one
//! source's page, with its true identity shown only after an explicit, audited POST.

use super::{Officer, Problem, Shell, refusal, render, when, when_ms, words};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use humint_core::Role;
use humint_core::handling::tasking::TaskingStatus;
use humint_core::handling::{
    AuthorisationKind, AuthorisationStatus, ContactStatus, PaymentKind, SourceState,
};
use humint_station::StationError;
use humint_station::handling::{SourceRow, TrueIdentity};
use serde::Deserialize;

/// Rows on one page of the list.
const PAGE: i64 = 50;

const STATES: [&str; 6] = [
    "spotted",
    "assessed",
    "in_development",
    "recruited",
    "suspended",
    "terminated",
];

pub(super) struct SourceLine {
    pub id: String,
    pub codename: String,
    pub compartment: String,
    pub state: String,
    pub flags: Vec<&'static str>,
    pub recruited: String,
    /// The suggested reliability letter, blank when there is none yet.
    pub grade: String,
    /// How many warning signs the source shows now.
    pub signs: usize,
}

fn flags(r: &SourceRow) -> Vec<&'static str> {
    let mut f = Vec::new();
    if r.juvenile {
        f.push("juvenile");
    }
    if r.vulnerable {
        f.push("vulnerable");
    }
    if r.undercover {
        f.push("undercover operative");
    }
    f
}

fn line(r: &SourceRow) -> SourceLine {
    SourceLine {
        id: r.id.clone(),
        codename: r.codename.clone(),
        compartment: r.compartment.clone(),
        state: words(&r.state),
        flags: flags(r),
        recruited: r.recruited_at_ms.map(when_ms).unwrap_or_default(),
        grade: String::new(),
        signs: 0,
    }
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    compartment: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    mine: Option<String>,
    /// A handler's username.
    #[serde(default)]
    handler: String,
    /// A suggested reliability letter.
    #[serde(default)]
    grade: String,
    #[serde(default)]
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "officer/sources.html")]
struct ListPage {
    shell: Option<Shell>,
    stylesheet: String,
    compartments: Vec<String>,
    states: Vec<(&'static str, String)>,
    compartment: String,
    state: String,
    mine: bool,
    handler: String,
    grade: String,
    grades: [char; 6],
    sources: Vec<SourceLine>,
    next: Option<String>,
    problem: Option<Problem>,
    /// Handlers and controllers get the link to the new-source form (the station decides).
    may_create: bool,
    /// Those who record claims get the links to their compartments' open press.
    may_press: bool,
}

/// The query string of the next page: the same filters, after the last row shown.
fn next_href(q: &ListQuery, after: &str) -> String {
    let mut parts = Vec::new();
    if !q.compartment.is_empty() {
        parts.push(format!("compartment={}", q.compartment));
    }
    if !q.state.is_empty() {
        parts.push(format!("state={}", q.state));
    }
    if q.mine.is_some() {
        parts.push("mine=1".to_owned());
    }
    if !q.handler.is_empty() {
        parts.push(format!("handler={}", q.handler));
    }
    if !q.grade.is_empty() {
        parts.push(format!("grade={}", q.grade));
    }
    parts.push(format!("after={after}"));
    format!("/sources?{}", parts.join("&"))
}

pub(super) async fn list(
    State(state): State<AppState>,
    officer: Officer,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let shell = officer.shell("/sources");
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let mut page = ListPage {
        stylesheet: shell.stylesheet.clone(),
        shell: Some(shell),
        compartments: officer.principal.compartments.iter().cloned().collect(),
        states: STATES.iter().map(|s| (*s, words(s))).collect(),
        compartment: q.compartment.clone(),
        state: q.state.clone(),
        mine: q.mine.is_some(),
        handler: q.handler.clone(),
        grade: q.grade.clone(),
        grades: ['A', 'B', 'C', 'D', 'E', 'F'],
        sources: Vec::new(),
        next: None,
        problem: None,
        may_create: matches!(officer.principal.role, Role::Handler | Role::Controller),
        may_press: humint_station::handling::CLAIMERS.contains(&officer.principal.role),
    };
    let source_state = if q.state.is_empty() {
        None
    } else {
        match serde_json::from_value::<SourceState>(serde_json::Value::String(q.state.clone())) {
            Ok(s) => Some(s),
            Err(_) => {
                page.problem = Some(Problem {
                    code: "INVALID_STATUS".to_owned(),
                    message: "Choose a state from the list.".to_owned(),
                });
                return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    };
    let pg = match humint_station::handling::page(q.after.clone(), Some(PAGE)) {
        Ok(p) => p,
        Err(e) => return refusal(page.shell.take(), e),
    };
    let grade = match crate::api::handling::sources::grade_filter(Some(&q.grade)) {
        Ok(g) => g,
        Err(e) => {
            let (status, problem) = Problem::from_error(e);
            page.problem = Some(problem);
            return render(status, &page);
        }
    };
    let filter = humint_station::handling::SourceListFilter {
        compartment: (!q.compartment.is_empty()).then(|| q.compartment.clone()),
        state: source_state,
        mine: q.mine.is_some(),
        handler: super::opt(&q.handler),
        grade,
    };
    let listed = match state
        .station
        .list_sources(&officer.principal, filter, pg)
        .await
    {
        Ok(rows) => state
            .station
            .listed_reliability(&rows)
            .await
            .map(|reliability| (rows, reliability)),
        Err(e) => Err(e),
    };
    match listed {
        Ok((rows, reliability)) => {
            if rows.len() as i64 == PAGE {
                page.next = rows.last().map(|r| next_href(&q, &r.id));
            }
            page.sources = rows
                .iter()
                .map(|r| {
                    let mut l = line(r);
                    if let Some(listed) = reliability.get(&r.id) {
                        l.grade = listed.letter.map(String::from).unwrap_or_default();
                        l.signs = listed.warnings.len();
                    }
                    l
                })
                .collect();
            render(StatusCode::OK, &page)
        }
        Err(e) => {
            let (status, problem) = Problem::from_error(e);
            page.problem = Some(problem);
            render(status, &page)
        }
    }
}

pub(super) struct RoleLine {
    pub role: String,
    pub officer: String,
    pub since: String,
}

pub(super) struct AuthLine {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub granted: String,
    pub expires: String,
    pub next_review: String,
    pub reviews: usize,
    /// The clock: whole days left before it expires (negative once expired).
    pub days_left: i64,
    pub live: bool,
    /// Live or not yet in force: it can still be cancelled.
    pub open: bool,
    /// A s.32C notice is owed and not yet recorded as sent.
    pub notice_owed: bool,
    /// An urgent oral grant still without its written record.
    pub written_record_due: bool,
    /// Its statements that repeat another authorisation's in the compartment (INS-02).
    pub text_warnings: Vec<String>,
    /// Privileged or confidential material expected (PRIV-01), in a phrase; empty when none.
    pub privileged: String,
}

pub(super) struct TaskingLine {
    pub id: String,
    pub issued: String,
    pub requirement: String,
    pub instructions: String,
    pub status: String,
    pub history: Vec<String>,
    /// Not yet completed or withdrawn.
    pub open: bool,
}

pub(super) struct PaymentLine {
    pub id: String,
    pub recorded: String,
    pub what: String,
    pub purpose: String,
    pub status: String,
    pub awaiting_approval: bool,
    /// A payment (not an offer) not yet paid.
    pub unpaid: bool,
}

pub(super) struct YearLine {
    pub year: i32,
    pub offered: String,
    pub paid: String,
}

pub(super) struct PaymentsBlock {
    pub years: Vec<YearLine>,
    pub payments: Vec<PaymentLine>,
}

pub(super) struct RiskLine {
    pub when: String,
    pub level: String,
    pub explained: &'static str,
}

pub(super) struct ContactLine {
    pub id: String,
    /// A planned contact still waiting for its outcome.
    pub planned: bool,
    pub when: String,
    pub status: String,
    pub mode: String,
    pub purpose: String,
    pub next_due: String,
}

pub(super) struct Simple {
    pub when: String,
    pub what: String,
    pub detail: String,
}

pub(super) struct IdentityView {
    pub name: String,
    pub date_of_birth: String,
    pub identities_used: Vec<String>,
    pub other_authorities: Vec<String>,
    /// What the source can reach; blank when not known.
    pub access: String,
}

impl From<&TrueIdentity> for IdentityView {
    fn from(i: &TrueIdentity) -> Self {
        IdentityView {
            name: i.name.clone(),
            date_of_birth: i.date_of_birth.to_string(),
            identities_used: i.identities_used.clone(),
            other_authorities: i
                .other_authorities
                .iter()
                .map(|a| format!("{}: {}", a.authority, a.reference))
                .collect(),
            access: i.access.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "officer/source.html")]
struct SourcePage {
    shell: Option<Shell>,
    stylesheet: String,
    source: SourceLine,
    origin: String,
    /// The declared motivation, or "not recorded".
    motivation: String,
    roles: Vec<RoleLine>,
    authorisations: Option<Vec<AuthLine>>,
    contacts: Option<Vec<ContactLine>>,
    taskings: Option<Vec<TaskingLine>>,
    payments: Option<PaymentsBlock>,
    risks: Option<Vec<RiskLine>>,
    /// Concerns raised about the source (compliance.md §1): `None` where the role may not
    /// see them.
    concerns: Option<Vec<ConcernLine>>,
    /// Controllers and authorising officers get the review link on an open concern.
    may_review_concern: bool,
    /// Lifecycle and reports: `None` where the role may not see them.
    others: Vec<(&'static str, Option<Vec<Simple>>)>,
    identity: Option<IdentityView>,
    /// Roles that may ask for the identity get the button; the station decides each request.
    may_ask_identity: bool,
    may_record_contact: bool,
    may_grant: bool,
    ao: bool,
    /// Handlers and controllers: the forms that run a source (the station decides each).
    runs: bool,
    controller: bool,
    /// The suggested reliability and its history: `None` where the role may not see it.
    reliability: Option<ReliabilityBlock>,
    /// Auditors get the break-glass form instead of the reveal button.
    may_break_glass: bool,
    /// Those who keep the error register get a link to record one about this source.
    may_record_error: bool,
    /// The reason as typed, kept on a refusal.
    break_glass_reason: String,
    problem: Option<Problem>,
}

/// One concern raised about the source, as the page shows it.
pub(super) struct ConcernLine {
    pub id: String,
    pub category: String,
    pub raised: String,
    /// The account, or why it is not shown.
    pub account: String,
    /// The review in a sentence, or "open".
    pub review: String,
    pub open: bool,
    /// Founded and bearing on risk: the risk assessment must be reviewed.
    pub risk_review: bool,
}

fn concern_line(v: humint_station::handling::ConcernView) -> ConcernLine {
    let hidden = || "Not shown to your role.".to_owned();
    ConcernLine {
        open: v.is_open(),
        risk_review: v.risk_assessment_review_required,
        raised: format!("{} by {}", when_ms(v.raised_at_ms), v.raised_by),
        review: match &v.review {
            Some(r) => format!(
                "{} by {} at {}: {}",
                words(r.finding.as_str()),
                r.reviewed_by,
                when_ms(r.reviewed_at_ms),
                r.note.clone().unwrap_or_else(hidden)
            ),
            None => "Open: awaiting a controller's review.".to_owned(),
        },
        account: v.account.unwrap_or_else(hidden),
        category: words(v.category.as_str()),
        id: v.id,
    }
}

/// The source's suggested reliability: the current letter, the chart and the same points as a
/// table (the chart's text alternative).
pub(super) struct ReliabilityBlock {
    pub letter: String,
    pub current: String,
    pub chart: Option<String>,
    pub points: Vec<PointLine>,
    /// The estimate is being updated after recent claims or outcomes.
    pub updating: bool,
    /// Warning signs about the source, as sentences.
    pub warnings: Vec<String>,
    /// The evidence behind the suggestion, as sentences; empty before the first estimate.
    pub evidence: Vec<String>,
    /// Sources judged dependent on this one: (id, codename, probability as text).
    pub dependent: Vec<(String, String, String)>,
    /// The source's compartment, when its reporting echoed or looks dependent on open press
    /// (a link to the compartment's open press; the station decides who may read it).
    pub press: Option<String>,
    /// The source's declared motivation, shown beside the suggestion as context.
    pub motivation: Option<String>,
}

pub(super) struct PointLine {
    pub when: String,
    pub reliability: String,
    pub interval: String,
    pub letter: char,
}

fn reliability_block(v: &humint_station::handling::ReliabilityView) -> ReliabilityBlock {
    ReliabilityBlock {
        letter: v
            .current
            .as_ref()
            .map(|c| c.letter.to_string())
            .unwrap_or_default(),
        current: v
            .current
            .as_ref()
            .map(|c| {
                format!(
                    "{:.2} (interval {:.2} to {:.2}, from {} claims)",
                    c.reliability, c.low, c.high, c.claims
                )
            })
            .unwrap_or_default(),
        chart: super::chart::reliability_svg(&v.history),
        points: v
            .history
            .iter()
            .map(|h| PointLine {
                when: when_ms(h.at_ms),
                reliability: format!("{:.2}", h.reliability),
                interval: format!("{:.2} to {:.2}", h.low, h.high),
                letter: h.letter,
            })
            .collect(),
        updating: v.updating,
        warnings: v.warnings.iter().map(|w| w.message()).collect(),
        evidence: v
            .current
            .as_ref()
            .map(|c| {
                let e = &c.evidence;
                let mut lines = vec![
                    format!(
                        "{} of its claims could be checked against another source or an outcome.",
                        e.claims_judged
                    ),
                    format!(
                        "{} agree with other sources and are believed; {} are not believed.",
                        e.claims_agreeing, e.claims_contradicted
                    ),
                    format!(
                        "Outcomes: {} confirmed, {} refuted.",
                        e.outcomes_confirmed, e.outcomes_refuted
                    ),
                ];
                if e.claims_judged == 0 && e.claims_agreeing > 0 {
                    lines.push(
                        "The sources that agree with it are linked to it only in a pair or a chain, which nobody else checks, so its accuracy cannot be told from repetition: it will be judged once a third source reports on one of those subjects, or an outcome settles one."
                            .to_owned(),
                    );
                }
                if e.press.echoed > 0 {
                    lines.push(format!(
                        "{} of its {} claims repeated what open press had already published; they earn it nothing and corroborate nobody.",
                        e.press.echoed, e.press.claims
                    ));
                }
                if !e.dependent_outlets.is_empty() {
                    let outlets: Vec<String> = e
                        .dependent_outlets
                        .iter()
                        .map(|d| format!("{} ({:.2})", d.outlet, d.probability))
                        .collect();
                    lines.push(format!(
                        "Its other claims look dependent on open press: {}.",
                        outlets.join(", ")
                    ));
                }
                lines
            })
            .unwrap_or_default(),
        dependent: v
            .current
            .as_ref()
            .map(|c| {
                c.evidence
                    .dependent_sources
                    .iter()
                    .map(|d| {
                        (
                            d.source_id.clone(),
                            d.codename.clone(),
                            format!("{:.2}", d.probability),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        press: None,
        motivation: v.motivation.map(|m| m.as_str().to_owned()),
    }
}

/// A section the caller's role may not see is left out, not an error.
fn visible<T>(r: Result<T, StationError>) -> Result<Option<T>, StationError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StationError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(super) fn name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => words(&s),
        _ => String::new(),
    }
}

pub(super) fn money(minor: u64) -> String {
    format!("£{}.{:02}", minor / 100, minor % 100)
}

pub(super) fn payment_status(v: &humint_station::handling::PaymentView) -> String {
    if v.payment.paid_at.is_some() {
        "paid".to_owned()
    } else if v.payment.kind == humint_core::handling::PaymentKind::Offer {
        "offered".to_owned()
    } else if v.needs_approval && v.payment.approval.is_none() {
        "awaiting a controller's approval".to_owned()
    } else if v.payment.approval.is_some() {
        "approved, not yet paid".to_owned()
    } else {
        "not yet paid".to_owned()
    }
}

async fn source_page(
    state: &AppState,
    officer: &Officer,
    id: &str,
    identity: Option<IdentityView>,
) -> Result<SourcePage, StationError> {
    let station = &state.station;
    let p = &officer.principal;
    let detail = station.source_detail(p, id).await?;
    let now = station.clock().now();
    let lifecycle = visible(station.source_transitions(p, id).await)?.map(|rows| {
        rows.iter()
            .map(|t| Simple {
                when: when_ms(t.at_ms),
                what: format!("{} → {}", words(&t.from_state), words(&t.to_state)),
                detail: String::new(),
            })
            .collect()
    });
    let authorisations =
        visible(station.authorisations_warned(p, id).await)?.map(|(auths, repeats)| {
            auths
                .iter()
                .map(|a| {
                    let expiry = a.current_expiry();
                    let a_id = a.id.to_string();
                    AuthLine {
                        text_warnings: repeats
                            .iter()
                            .filter(|r| r.authorisation_id == a_id)
                            .map(|r| r.message.clone())
                            .collect(),
                        privileged: super::authorisations::privileged_summary(&a.privileged),
                        id: a.id.to_string(),
                        kind: name(&a.kind),
                        status: name(&a.status(now)),
                        granted: when(a.granted_at),
                        expires: when(expiry),
                        next_review: when(a.next_review_due()),
                        reviews: a.reviews.len(),
                        days_left: (expiry - now).num_days(),
                        live: a.is_live(now),
                        open: matches!(
                            a.status(now),
                            AuthorisationStatus::Live | AuthorisationStatus::NotYetInForce
                        ),
                        notice_owed: humint_core::handling::commissioner_notices(a)
                            .iter()
                            .any(|n| n.sent_at.is_none()),
                        written_record_due: a.kind == AuthorisationKind::UrgentOral
                            && a.written_record_at.is_none(),
                    }
                })
                .collect()
        });
    let taskings = match visible(station.taskings(p, id).await)? {
        Some(ts) => {
            // Each requirement's title, and the names of the officers who moved the tasks on
            // (the source's handlers and controllers, past and present).
            let mut titles = std::collections::HashMap::new();
            for t in &ts {
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    titles.entry(t.requirement.to_string())
                {
                    let title = station.requirement(p, slot.key()).await?.title;
                    slot.insert(title);
                }
            }
            let names: std::collections::HashMap<String, String> = if ts.is_empty() {
                Default::default()
            } else {
                station
                    .source_roles(p, id)
                    .await?
                    .into_iter()
                    .map(|r| (r.officer_id, r.officer_name))
                    .collect()
            };
            let by = |officer: String| {
                names
                    .get(&officer)
                    .map(|n| format!(" by {n}"))
                    .unwrap_or_default()
            };
            Some(
                ts.iter()
                    .map(|t| TaskingLine {
                        id: t.id.to_string(),
                        issued: format!("{}{}", when(t.issued_at), by(t.issued_by.to_string())),
                        requirement: titles
                            .get(&t.requirement.to_string())
                            .cloned()
                            .unwrap_or_default(),
                        instructions: t.instructions.clone(),
                        status: name(&t.status),
                        history: t
                            .history
                            .iter()
                            .map(|e| {
                                let note = e
                                    .note
                                    .as_deref()
                                    .map(|n| format!(": {n}"))
                                    .unwrap_or_default();
                                format!(
                                    "{} → {}{} at {}{note}",
                                    name(&e.from),
                                    name(&e.to),
                                    by(e.by.to_string()),
                                    when(e.at)
                                )
                            })
                            .collect(),
                        open: !matches!(
                            t.status,
                            TaskingStatus::Completed
                                | TaskingStatus::Withdrawn
                                | TaskingStatus::Declined
                        ),
                    })
                    .collect(),
            )
        }
        None => None,
    };
    let page = humint_station::handling::page(None, Some(50))?;
    let contacts = visible(station.contacts(p, id, page).await)?.map(|cs| {
        cs.iter()
            .map(|c| ContactLine {
                id: c.id.to_string(),
                planned: c.status == ContactStatus::Planned,
                when: c
                    .occurred_at
                    .or(c.planned_for)
                    .map(when)
                    .unwrap_or_default(),
                status: name(&c.status),
                mode: name(&c.mode),
                purpose: name(&c.purpose),
                next_due: c.next_contact_due.map(when).unwrap_or_default(),
            })
            .collect()
    });
    let payments = visible(station.payments(p, id).await)?.map(|(ps, totals)| PaymentsBlock {
        years: totals
            .iter()
            .map(|(year, t)| YearLine {
                year: *year,
                offered: money(t.offered_minor),
                paid: money(t.paid_minor),
            })
            .collect(),
        payments: ps
            .iter()
            .map(|v| PaymentLine {
                id: v.payment.id.to_string(),
                recorded: when(v.payment.recorded_at),
                what: format!(
                    "{} {}",
                    money(v.payment.amount_minor),
                    name(&v.payment.kind)
                ),
                purpose: v.payment.purpose.clone(),
                status: payment_status(v),
                awaiting_approval: v.needs_approval && v.payment.approval.is_none(),
                unpaid: v.payment.kind == PaymentKind::Payment && v.payment.paid_at.is_none(),
            })
            .collect(),
    });
    let risks = visible(station.risk_assessments(p, id).await)?.map(|rs| {
        rs.iter()
            .rev()
            .map(|r| RiskLine {
                when: when_ms(r.assessed_at_ms),
                level: words(&r.level),
                explained: match (r.explained_to_source, r.understood_by_source) {
                    (true, true) => "explained and understood",
                    (true, false) => "explained, not confirmed understood",
                    _ => "not yet explained",
                },
            })
            .collect()
    });
    let concerns = visible(station.source_concerns(p, id).await)?
        .map(|cs| cs.into_iter().map(concern_line).collect());
    let page = humint_station::handling::page(None, Some(50))?;
    let reports = visible(station.reports(p, id, page).await)?.map(|rs| {
        rs.iter()
            .map(|r| Simple {
                when: when_ms(r.reported_at_ms),
                what: words(&r.status),
                detail: match (&r.source_grade, r.info_grade) {
                    (Some(s), Some(i)) => format!("graded {s}{i}"),
                    _ => "not graded".to_owned(),
                },
            })
            .collect()
    });
    let reliability = visible(station.source_reliability(p, id).await)?.map(|v| {
        let mut block = reliability_block(&v);
        let touched = v.current.as_ref().is_some_and(|c| {
            c.evidence.press.echoed > 0 || !c.evidence.dependent_outlets.is_empty()
        });
        if touched {
            block.press = Some(detail.row.compartment.clone());
        }
        block
    });
    let role = p.role;
    Ok(SourcePage {
        shell: Some(officer.shell("/sources")),
        stylesheet: super::stylesheet_href(),
        source: line(&detail.row),
        origin: words(&detail.row.origin),
        motivation: detail
            .row
            .motivation
            .clone()
            .unwrap_or_else(|| "not recorded".to_owned()),
        roles: detail
            .roles
            .iter()
            .map(|r| RoleLine {
                role: words(&r.role),
                officer: r.officer_name.clone(),
                since: when_ms(r.from_ms),
            })
            .collect(),
        authorisations,
        contacts,
        taskings,
        payments,
        risks,
        concerns,
        may_review_concern: humint_station::handling::CONCERN_REVIEWERS.contains(&role),
        others: vec![("Lifecycle", lifecycle), ("Reports", reports)],
        identity,
        may_ask_identity: matches!(
            role,
            Role::Handler | Role::Controller | Role::AuthorisingOfficer
        ),
        may_record_contact: matches!(role, Role::Handler | Role::Controller),
        may_grant: role == Role::AuthorisingOfficer,
        ao: role == Role::AuthorisingOfficer,
        runs: matches!(role, Role::Handler | Role::Controller),
        controller: role == Role::Controller,
        reliability,
        may_break_glass: role == Role::Auditor,
        may_record_error: humint_station::handling::ERROR_RECORDERS.contains(&role),
        break_glass_reason: String::new(),
        problem: None,
    })
}

pub(super) async fn detail(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> Response {
    match source_page(&state, &officer, &id, None).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => refusal(Some(officer.shell("/sources")), e),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// The true identity, once: the answer to this POST is not stored (no-store) and the next
/// view of the page shows it no more. The station audits the attempt, granted or refused.
pub(super) async fn reveal(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<CsrfOnly>, FormRejection>,
) -> Response {
    let token = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !officer.form_ok(&state, &token) {
        let (status, problem) = Problem::expired_form();
        return super::problem_page(Some(officer.shell("/sources")), status, problem);
    }
    let identity = match state.station.source_identity(&officer.principal, &id).await {
        Ok(i) => IdentityView::from(&i),
        Err(e) => return refusal(Some(officer.shell("/sources")), e),
    };
    match source_page(&state, &officer, &id, Some(identity)).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => refusal(Some(officer.shell("/sources")), e),
    }
}

/// The break-glass form as typed.
#[derive(Deserialize, Default)]
pub(super) struct BreakGlassForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// An auditor's break-glass read of the true identity: the reason is recorded with the read
/// and listed to the compartment's controllers. A refusal shows its code and keeps the reason.
pub(super) async fn break_glass(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    form: Result<Form<BreakGlassForm>, FormRejection>,
) -> Response {
    let f = form.map(|Form(f)| f).unwrap_or_default();
    if !officer.form_ok(&state, &f.csrf) {
        let (status, problem) = Problem::expired_form();
        return super::problem_page(Some(officer.shell("/sources")), status, problem);
    }
    let (status, identity, problem) = match state
        .station
        .break_glass_identity(&officer.principal, &id, &f.reason)
        .await
    {
        Ok((_, identity)) => (StatusCode::OK, Some(IdentityView::from(&identity)), None),
        Err(e) => {
            let (status, problem) = Problem::from_error(e);
            (status, None, Some(problem))
        }
    };
    match source_page(&state, &officer, &id, identity).await {
        Ok(mut page) => {
            page.problem = problem;
            if page.problem.is_some() {
                page.break_glass_reason = f.reason;
            }
            render(status, &page)
        }
        Err(e) => refusal(Some(officer.shell("/sources")), e),
    }
}
