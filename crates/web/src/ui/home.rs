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
use humint_station::handling::AlertView;

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
}

#[derive(Template)]
#[template(path = "officer/home.html")]
struct HomePage {
    shell: Option<Shell>,
    stylesheet: String,
    sections: Vec<Section>,
    total: usize,
    admin: bool,
}

/// The section an alert belongs to, in the order the page shows them.
fn section_of(kind: &AlertKind) -> usize {
    match kind {
        AlertKind::ContactOverdue
        | AlertKind::ContactMissed
        | AlertKind::ContactOutcomeNotRecorded
        | AlertKind::RolesNotCovered => 0,
        AlertKind::ReviewDue | AlertKind::ReviewOverdue => 1,
        AlertKind::AuthorisationExpiring { .. }
        | AlertKind::AuthorisationExpired
        | AlertKind::CancellationRequired
        | AlertKind::WrittenRecordDue
        | AlertKind::WrittenRecordOverdue => 2,
        AlertKind::CommissionerNoticeDue | AlertKind::CommissionerNoticeOverdue => 3,
        AlertKind::PaymentAwaitingApproval => 4,
        AlertKind::ErrorReportDue
        | AlertKind::ErrorReportOverdue
        | AlertKind::RequirementReviewOverdue => 5,
    }
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
    let link = match (a.subject, a.source) {
        (AlertSubject::Authorisation(id), _) if review && role == Role::AuthorisingOfficer => {
            Some((format!("/authorisations/{id}/review"), "Review it"))
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
    let alerts = if admin {
        // Administrators run accounts, not sources: the station shows them no case alerts.
        Vec::new()
    } else {
        match state.station.alerts(&officer.principal).await {
            Ok(a) => a,
            Err(e) => return refusal(Some(shell), e),
        }
    };
    let mut sections: Vec<Section> = SECTIONS
        .iter()
        .map(|(id, title)| Section {
            id,
            title,
            lines: Vec::new(),
        })
        .collect();
    for a in &alerts {
        if let Some(s) = sections.get_mut(section_of(&a.kind)) {
            s.lines.push(line(a, officer.principal.role));
        }
    }
    let page = HomePage {
        stylesheet: shell.stylesheet.clone(),
        shell: Some(shell),
        total: alerts.len(),
        sections,
        admin,
    };
    render(StatusCode::OK, &page)
}
