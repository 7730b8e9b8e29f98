//! The demo's error register, requirement history and report gradings: per compartment, a
//! requirement reviewed and then closed, relevant errors in every state (reported on time,
//! reported late, due, overdue, not yet established), and graded reports under 3x5x2 (the
//! last six months) or Admiralty (older, as a station upgraded from it would hold). Each
//! record is decided by the core at a simulated instant, like the rest of the demo.

use super::{Simulated, Team, pick};
use crate::handling::convert::id;
use crate::handling::progress::core_requirement;
use crate::{Station, StationError};
use chrono::{DateTime, Duration, Utc};
use humint_core::handling::grading::{GradeCodes, GradingScheme, parse_grading};
use humint_core::handling::relevant_error::{self, ErrorRequest};
use humint_core::handling::{BankHolidays, calendar, tasking};
use humint_core::{Entropy as _, new_id};
use humint_store::{
    GradingRow, HandlingStore as _, HandlingWrite, RelevantErrorRow, RequirementEventRow,
    RequirementRow, SourceFilter,
};

/// What the register part of the demo made in one compartment.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RegisterMade {
    pub errors: usize,
    pub closed_requirements: usize,
}

/// (days ago identified, days ago established, days ago reported, what happened).
const ERRORS: &[(i64, Option<i64>, Option<i64>, &str)] = &[
    (
        90,
        Some(88),
        Some(82),
        "A meeting was held the day after the authorisation expired.",
    ),
    (
        40,
        Some(39),
        Some(20),
        "A task was given that fell outside the authorised tasks.",
    ),
    (
        30,
        Some(29),
        None,
        "The risk assessment was not reviewed before the renewal.",
    ),
    (
        10,
        Some(9),
        None,
        "A payment was made before the controller approved it.",
    ),
    (
        3,
        None,
        None,
        "A contact may have been held without a second officer present.",
    ),
];

pub(super) async fn fill(
    station: &Station,
    team: &Team,
    now: DateTime<Utc>,
) -> Result<RegisterMade, StationError> {
    let mut made = RegisterMade::default();
    closed_requirement(station, team, now).await?;
    made.closed_requirements += 1;
    let sources = station
        .store
        .list_sources(&SourceFilter {
            reader: team.controller.user_id.clone(),
            compartment: Some(team.compartment.name.clone()),
            state: Some("recruited".to_owned()),
            handled_by: None,
            letter: None,
            page: humint_store::Page {
                after: None,
                limit: 10,
            },
        })
        .await?;
    let holidays = BankHolidays::england_and_wales();
    let officers = [&team.controller, &team.ao, &team.keeper];
    for (n, (identified, established, reported, what)) in ERRORS.iter().enumerate() {
        let recorder = officers[n % officers.len()];
        let at = |days: i64| now - Duration::days(days) + Duration::hours(10);
        let identified_at = at(*identified);
        let mut error = relevant_error::record(
            ErrorRequest {
                id: new_id(identified_at, station.entropy()),
                source: sources.get(n).map(|s| id(&s.id)).transpose()?,
                authorisation: None,
                description: (*what).to_owned(),
                identified_at,
                established_at: None,
            },
            identified_at,
        )?;
        if let Some(days) = established {
            error = relevant_error::establish(&error, at(*days), at(*days))?;
        }
        let reference = format!("IPC/DEMO/{}/{n}", team.compartment.name);
        if let Some(days) = reported {
            error = relevant_error::report(&error, at(*days), &reference, at(*days))?;
        }
        let error_id = error.id.to_string();
        let row = RelevantErrorRow {
            description: station.seal_text(
                "relevant_errors",
                "description_sealed",
                &error_id,
                &error.description,
            )?,
            reference: error
                .reported_at
                .map(|_| {
                    station.seal_text("relevant_errors", "reference_sealed", &error_id, &reference)
                })
                .transpose()?,
            id: error_id,
            compartment_id: team.compartment.id.clone(),
            compartment: team.compartment.name.clone(),
            source_id: error.source.map(|s| s.to_string()),
            authorisation_id: None,
            identified_at_ms: identified_at.timestamp_millis(),
            established_at_ms: error.established_at.map(|t| t.timestamp_millis()),
            established_by: error
                .established_at
                .map(|_| team.controller.user_id.clone()),
            report_due_at_ms: error.report_due(&holidays).map(|t| t.timestamp_millis()),
            reported_at_ms: error.reported_at.map(|t| t.timestamp_millis()),
            reported_by: error.reported_at.map(|_| team.controller.user_id.clone()),
            recorded_by: recorder.user_id.clone(),
            recorded_at_ms: identified_at.timestamp_millis(),
        };
        let audit = station.handling_audit(
            recorder,
            "relevant_error.create",
            "relevant_error",
            &row.id,
            &team.compartment.name,
        );
        station
            .store
            .handling_write(None, &[HandlingWrite::InsertRelevantError(row)], &[audit])
            .await?;
        made.errors += 1;
    }
    Ok(made)
}

/// A requirement opened ten months ago, reviewed once, and closed two months ago.
async fn closed_requirement(
    station: &Station,
    team: &Team,
    now: DateTime<Utc>,
) -> Result<(), StationError> {
    let opened = now - Duration::days(300);
    let review_by = calendar::local_date(opened + Duration::days(90));
    let mut row = RequirementRow {
        id: new_id::<RequirementRow>(opened, station.entropy()).to_string(),
        compartment_id: team.compartment.id.clone(),
        compartment: team.compartment.name.clone(),
        title: format!("{}: the old harbour crossing", team.compartment.name),
        detail: "Who uses the crossing after dark.".to_owned(),
        priority: 3,
        opened_at_ms: opened.timestamp_millis(),
        review_by: review_by.to_string(),
        review_due_at_ms: calendar::end_of_day(review_by).timestamp_millis(),
        closed_at_ms: None,
        created_by: team.controller.user_id.clone(),
        tasked_sources: 0,
    };
    let reviewed_at = opened + Duration::days(85);
    let note = "Still a gap: no source near the crossing yet.";
    let reviewed = tasking::review_requirement(
        &core_requirement(&row)?,
        calendar::local_date(reviewed_at + Duration::days(120)),
        note,
        reviewed_at,
    )?;
    let closed_at = now - Duration::days(60);
    let reason = "The crossing was closed for good; the need has gone.";
    let closed = tasking::close_requirement(&reviewed, reason, closed_at)?;
    let insert = row.clone();
    row.review_by = reviewed.review_by.to_string();
    let event = |at: DateTime<Utc>, kind: &str, review_by: Option<String>, note: &str| {
        let id = new_id::<RequirementEventRow>(at, station.entropy()).to_string();
        Ok::<_, StationError>(RequirementEventRow {
            note: station.seal_text("requirement_events", "note_sealed", &id, note)?,
            id,
            requirement_id: row.id.clone(),
            kind: kind.to_owned(),
            at_ms: at.timestamp_millis(),
            actor: team.controller.user_id.clone(),
            actor_name: team.controller.username.clone(),
            review_by,
        })
    };
    let writes = [
        HandlingWrite::InsertRequirement(insert),
        HandlingWrite::UpdateRequirement {
            id: row.id.clone(),
            review_by: reviewed.review_by.to_string(),
            review_due_at_ms: calendar::end_of_day(reviewed.review_by).timestamp_millis(),
            closed_at_ms: closed.closed_at.map(|t| t.timestamp_millis()),
        },
        HandlingWrite::InsertRequirementEvent(event(
            reviewed_at,
            "review",
            Some(reviewed.review_by.to_string()),
            note,
        )?),
        HandlingWrite::InsertRequirementEvent(event(closed_at, "close", None, reason)?),
    ];
    let audit = [
        "requirement.create",
        "requirement.review",
        "requirement.close",
    ]
    .map(|a| {
        station.handling_audit(
            &team.controller,
            a,
            "requirement",
            &row.id,
            &team.compartment.name,
        )
    });
    station.store.handling_write(None, &writes, &audit).await?;
    Ok(())
}

impl Simulated<'_> {
    /// The grading of the `n`th demo report, graded at `at`: 3x5x2 in the last six months,
    /// Admiralty before (with the Admiralty columns filled, as an upgraded station holds them).
    /// Returns the history row and the Admiralty (letter, digit), if any.
    pub(super) fn grading(
        &self,
        report_id: &str,
        at: DateTime<Utc>,
        n: usize,
    ) -> Result<(GradingRow, Option<(String, i64)>), StationError> {
        let recent = at > self.now - Duration::days(182);
        let (scheme, codes) = if recent {
            let conditional = n.is_multiple_of(5);
            (
                GradingScheme::Police3x5x2,
                GradeCodes {
                    source: pick(self.e, &["1", "2", "2", "3"]).to_owned(),
                    information: pick(self.e, &["A", "B", "B", "C", "D"]).to_owned(),
                    handling: if conditional { "C" } else { "P" }.to_owned(),
                    conditions: conditional.then(|| {
                        "Not to be shared outside the unit without the controller's agreement."
                            .to_owned()
                    }),
                },
            )
        } else {
            (
                GradingScheme::Admiralty,
                GradeCodes {
                    source: pick(self.e, &["A", "B", "B", "C", "C", "D"]).to_owned(),
                    information: (1 + self.e.below(4)).to_string(),
                    handling: "P".to_owned(),
                    conditions: None,
                },
            )
        };
        let grade = parse_grading(scheme, &codes)?;
        humint_core::handling::grading::check_grading(&grade)?;
        let (source_code, information_code, handling, conditions) = grade.codes();
        let admiralty = (scheme == GradingScheme::Admiralty).then(|| {
            (
                source_code.clone(),
                information_code.parse::<i64>().unwrap_or(3),
            )
        });
        Ok((
            GradingRow {
                id: new_id::<GradingRow>(at, self.station.entropy()).to_string(),
                report_id: report_id.to_owned(),
                scheme: scheme.as_str().to_owned(),
                source_code,
                information_code,
                handling_code: handling.unwrap_or(codes.handling),
                conditions,
                graded_by: self.team.analyst.user_id.clone(),
                graded_at_ms: at.timestamp_millis(),
            },
            admiralty,
        ))
    }
}
