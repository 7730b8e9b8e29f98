//! "What needs me today": the station's alerts for the signed-in officer, grouped so source
//! safety comes first, then the statutory deadlines, then money and the rest.

use super::{Officer, Shell, refusal, render, when};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use humint_core::Role;
use humint_core::handling::alerts::{AlertKind, AlertSubject, Severity};
use humint_station::handling::{AlertView, AlertsRequest};

pub(super) struct AlertLine {
    pub severity: &'static str,
    pub severity_class: &'static str,
    pub message: String,
    pub due: String,
    /// Where to act on it, and what the link says.
    pub link: Option<(String, &'static str)>,
}

pub(super) struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub lines: Vec<AlertLine>,
    /// How many of this section's alerts are in force, shown or not.
    pub count: i64,
}

/// The most urgent alerts shown on the page; the counts cover all of them.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "officer/home.html")]
struct HomePage {
    shell: Option<Shell>,
    stylesheet: String,
    sections: Vec<Section>,
    total: i64,
    admin: bool,
    /// New intake submissions past their acknowledgement day, for those who work the intake.
    intake_late: Option<i64>,
}

/// The section of a kind named as the alert counts name it (`AlertKind::name`).
fn section_of_name(name: &str) -> usize {
    match name {
        "contact_overdue"
        | "contact_missed"
        | "contact_outcome_not_recorded"
        | "roles_not_covered" => 0,
        "review_due" | "review_overdue" => 1,
        "authorisation_expiring"
        | "authorisation_expired"
        | "cancellation_required"
        | "written_record_due"
        | "written_record_overdue" => 2,
        "commissioner_notice_due" | "commissioner_notice_overdue" => 3,
        "payment_awaiting_approval" => 4,
        _ => 5,
    }
}

/// The section an alert belongs to, in the order the page shows them.
fn section_of(kind: &AlertKind) -> usize {
    section_of_name(kind.name())
}

const SECTIONS: [(&str, &str); 6] = [
    ("safety", "Source safety: contacts and cover"),
    ("reviews", "Reviews due and overdue"),
    (
        "authorisations",
        "Authorisations expiring, expired or to cancel",
    ),
    ("notices", "Commissioner notices"),
    ("payments", "Payments awaiting approval"),
    ("other", "Other deadlines"),
];

fn severity(s: Severity) -> (&'static str, &'static str) {
    match s {
        Severity::SourceSafety => ("Source safety", "sev-source_safety"),
        Severity::Critical => ("Critical", "sev-critical"),
        Severity::Warning => ("Warning", "sev-warning"),
        Severity::Notice => ("Notice", "sev-notice"),
    }
}

fn line(a: &AlertView, role: Role) -> AlertLine {
    let (label, class) = severity(a.severity);
    let review = matches!(a.kind, AlertKind::ReviewDue | AlertKind::ReviewOverdue);
    // The risk assessment behind a founded concern or a tasking is redone on its form, by
    // those who may record one (handlers and controllers).
    let reassess = matches!(
        a.kind,
        AlertKind::RiskAssessmentAfterConcern | AlertKind::RiskAssessmentBehindTasking
    );
    let link = match (a.subject, a.source) {
        (AlertSubject::Authorisation(id), _) if review && role == Role::AuthorisingOfficer => {
            Some((format!("/authorisations/{id}/review"), "Review it"))
        }
        (_, Some(source)) if reassess && matches!(role, Role::Handler | Role::Controller) => {
            Some((
                format!("/sources/{source}/risk/new"),
                "Record a risk assessment",
            ))
        }
        (AlertSubject::Concern(id), Some(source))
            if a.kind == AlertKind::ConcernOpen
                && matches!(role, Role::Controller | Role::AuthorisingOfficer) =>
        {
            Some((
                format!("/sources/{source}/concerns/{id}/review"),
                "Review it",
            ))
        }
        (_, Some(source)) => Some((format!("/sources/{source}"), "Open the source")),
        _ => None,
    };
    AlertLine {
        severity: label,
        severity_class: class,
        message: a.message.clone(),
        due: when(a.due_at),
        link,
    }
}

pub(super) async fn home(State(state): State<AppState>, officer: Officer) -> Response {
    let shell = officer.shell("/");
    let admin = officer.principal.role == Role::Admin;
    let page = if admin {
        // Administrators run accounts, not sources: the station shows them no case alerts.
        None
    } else {
        let request = AlertsRequest {
            kind: None,
            page: match humint_station::handling::page(None, Some(SHOWN)) {
                Ok(p) => p,
                Err(e) => return refusal(Some(shell), e),
            },
        };
        match state.station.alerts(&officer.principal, &request).await {
            Ok(a) => Some(a),
            Err(e) => return refusal(Some(shell), e),
        }
    };
    let mut sections: Vec<Section> = SECTIONS
        .iter()
        .map(|(id, title)| Section {
            id,
            title,
            lines: Vec::new(),
            count: 0,
        })
        .collect();
    let mut total = 0;
    if let Some(page) = &page {
        for a in &page.alerts {
            if let Some(s) = sections.get_mut(section_of(&a.kind)) {
                s.lines.push(line(a, officer.principal.role));
            }
        }
        for (name, n) in &page.counts {
            total += n;
            if let Some(s) = sections.get_mut(section_of_name(name)) {
                s.count += n;
            }
        }
    }
    // A count in the database: no submission is read, decrypted or audited for it. Roles
    // that do not work the intake are refused by the station and see no line.
    let intake_late = match state
        .station
        .intake_unacknowledged_overdue(&officer.principal)
        .await
    {
        Ok(n) => Some(n),
        Err(humint_station::StationError::Forbidden { .. }) => None,
        Err(e) => return refusal(Some(shell), e),
    };
    let page = HomePage {
        intake_late,
        stylesheet: shell.stylesheet.clone(),
        shell: Some(shell),
        total,
        sections,
        admin,
    };
    render(StatusCode::OK, &page)
}
