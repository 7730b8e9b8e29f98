//! The error register (IPA 2016 s.231; IPCO AR 2018 para 17.4; compliance.md §1.15, ERR-01):
//! relevant errors recorded when identified, established (which starts the 10-working-day
//! clock) and reported to the Investigatory Powers Commissioner. The deadline, lateness and
//! overdue state are the core's (`relevant_error`); the list filters open and overdue errors in
//! SQL on the deadline the core computed at establishment.

use super::access::CASE_READERS;
use super::convert::id;
use super::{LONG, SHORT, ms_time, stored, text};
use crate::{Principal, Station, StationError};
use chrono::{DateTime, Utc};
use humint_core::handling::BankHolidays;
use humint_core::handling::relevant_error::{self, ErrorRequest, RelevantError};
use humint_core::{Role, new_id};
use humint_store::{
    ErrorFilter, HandlingStore as _, HandlingWrite, Page, RegisterStore as _, RelevantErrorRow,
    Store as _,
};

/// Who keeps the register: the compartment's controllers, authorising officers and auditors.
pub const ERROR_RECORDERS: &[Role] = &[Role::Controller, Role::AuthorisingOfficer, Role::Auditor];

#[derive(Debug, Clone)]
pub struct ErrorInput {
    pub compartment: String,
    pub source_id: Option<String>,
    pub authorisation_id: Option<String>,
    pub description: String,
    pub identified_at: DateTime<Utc>,
    pub established_at: Option<DateTime<Utc>>,
}

/// The envelope columns of an error's free text (migration 0012).
const TABLE: &str = "relevant_errors";
const DESCRIPTION: &str = "description_sealed";
const REFERENCE: &str = "reference_sealed";

/// A register entry with what the rules say about it now.
#[derive(Debug, Clone)]
pub struct ErrorView {
    /// The stored row (its description and reference are envelopes; read the fields below).
    pub row: RelevantErrorRow,
    pub description: String,
    /// The Commissioner's reference, once reported.
    pub reference: Option<String>,
    /// The first instant past the deadline; `None` until established.
    pub report_due_at: Option<DateTime<Utc>>,
    /// Established, unreported and past the deadline.
    pub overdue: bool,
    /// `None` until reported.
    pub reported_late: Option<bool>,
}

fn holidays() -> BankHolidays {
    BankHolidays::england_and_wales()
}

/// The core record of a stored error, as the rules (and the alerts) read it: its times and
/// links. The description stays sealed (empty here); no rule about a stored error reads it.
pub(crate) fn core_error(row: &RelevantErrorRow) -> Result<RelevantError, StationError> {
    Ok(RelevantError {
        id: id(&row.id)?,
        source: row.source_id.as_deref().map(id).transpose()?,
        authorisation: row.authorisation_id.as_deref().map(id).transpose()?,
        description: String::new(),
        identified_at: ms_time(row.identified_at_ms)?,
        established_at: row.established_at_ms.map(ms_time).transpose()?,
        reported_at: row.reported_at_ms.map(ms_time).transpose()?,
    })
}

fn view(
    row: RelevantErrorRow,
    description: String,
    reference: Option<String>,
    now: DateTime<Utc>,
) -> Result<ErrorView, StationError> {
    let error = core_error(&row)?;
    let h = holidays();
    Ok(ErrorView {
        report_due_at: error.report_due(&h),
        overdue: error.is_overdue(&h, now),
        reported_late: error.reported_late(&h),
        row,
        description,
        reference,
    })
}

impl Station {
    /// An error's description and reference, opened from their envelopes.
    pub(crate) fn error_texts(
        &self,
        row: &RelevantErrorRow,
    ) -> Result<(String, Option<String>), StationError> {
        let description = self.open_text(TABLE, DESCRIPTION, &row.id, &row.description)?;
        let reference = row
            .reference
            .as_deref()
            .map(|r| self.open_text(TABLE, REFERENCE, &row.id, r))
            .transpose()?;
        Ok((description, reference))
    }

    fn open_view(
        &self,
        row: RelevantErrorRow,
        now: DateTime<Utc>,
    ) -> Result<ErrorView, StationError> {
        let (description, reference) = self.error_texts(&row)?;
        view(row, description, reference, now)
    }

    /// Records a relevant error (controllers, authorising officers and auditors of the
    /// compartment), established at once when `established_at` is given.
    pub async fn record_error(
        &self,
        p: &Principal,
        input: ErrorInput,
    ) -> Result<ErrorView, StationError> {
        p.require_role(ERROR_RECORDERS, "record relevant errors")?;
        p.require_compartment(&input.compartment)?;
        let compartment = self
            .store
            .compartment_by_name(&input.compartment)
            .await?
            .ok_or(StationError::NotFound {
                what: "compartment",
            })?;
        let mut source_id = input.source_id.filter(|s| !s.trim().is_empty());
        if let Some(aid) = input
            .authorisation_id
            .as_deref()
            .filter(|a| !a.trim().is_empty())
        {
            let auth = self
                .store
                .authorisation(aid)
                .await?
                .ok_or(StationError::NotFound {
                    what: "authorisation",
                })?;
            if source_id.as_ref().is_some_and(|s| *s != auth.source_id) {
                return Err(StationError::invalid(
                    "ERROR_LINK_MISMATCH",
                    "that authorisation is for another source than the one named",
                ));
            }
            source_id = Some(auth.source_id);
        }
        if let Some(sid) = &source_id {
            let source = self.source_row(sid).await?;
            if source.compartment_id != compartment.id {
                return Err(StationError::invalid(
                    "ERROR_LINK_MISMATCH",
                    "that source is in another compartment than the error",
                ));
            }
        }
        let authorisation_id = input.authorisation_id.filter(|a| !a.trim().is_empty());
        let now = self.clock().now();
        let error =
            relevant_error::record(
                ErrorRequest {
                    id: new_id(now, self.entropy()),
                    source: source_id
                        .as_deref()
                        .map(id)
                        .transpose()
                        .map_err(|_| StationError::NotFound { what: "source" })?,
                    authorisation: authorisation_id.as_deref().map(id).transpose().map_err(
                        |_| StationError::NotFound {
                            what: "authorisation",
                        },
                    )?,
                    description: text("description", &input.description, LONG)?,
                    identified_at: input.identified_at,
                    established_at: input.established_at,
                },
                now,
            )?;
        let established = error.established_at.is_some();
        let error_id = error.id.to_string();
        let row = RelevantErrorRow {
            description: self.seal_text(TABLE, DESCRIPTION, &error_id, &error.description)?,
            id: error_id,
            compartment_id: compartment.id,
            compartment: compartment.name,
            source_id,
            authorisation_id,
            identified_at_ms: error.identified_at.timestamp_millis(),
            established_at_ms: error.established_at.map(|t| t.timestamp_millis()),
            established_by: established.then(|| p.user_id.clone()),
            report_due_at_ms: error.report_due(&holidays()).map(|t| t.timestamp_millis()),
            reported_at_ms: None,
            reported_by: None,
            reference: None,
            recorded_by: p.user_id.clone(),
            recorded_at_ms: now.timestamp_millis(),
        };
        let mut audit = vec![self.handling_audit(
            p,
            "relevant_error.create",
            "relevant_error",
            &row.id,
            &row.compartment,
        )];
        if established {
            audit.push(self.handling_audit(
                p,
                "relevant_error.establish",
                "relevant_error",
                &row.id,
                &row.compartment,
            ));
        }
        self.store
            .handling_write(
                None,
                &[HandlingWrite::InsertRelevantError(row.clone())],
                &audit,
            )
            .await
            .map_err(stored)?;
        view(row, error.description, None, now)
    }

    async fn error_for(
        &self,
        p: &Principal,
        error_id: &str,
        allowed: &[Role],
        doing: &str,
    ) -> Result<RelevantErrorRow, StationError> {
        p.require_role(allowed, doing)?;
        let row = self
            .store
            .relevant_error(error_id)
            .await?
            .ok_or(StationError::NotFound {
                what: "relevant error",
            })?;
        p.require_compartment(&row.compartment)?;
        Ok(row)
    }

    /// Establishes that a recorded error is a relevant error, at `at` (now when absent): the
    /// report deadline runs from then.
    pub async fn establish_error(
        &self,
        p: &Principal,
        error_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<ErrorView, StationError> {
        let mut row = self
            .error_for(p, error_id, ERROR_RECORDERS, "establish relevant errors")
            .await?;
        let now = self.clock().now();
        let error = relevant_error::establish(&core_error(&row)?, at.unwrap_or(now), now)?;
        row.established_at_ms = error.established_at.map(|t| t.timestamp_millis());
        row.established_by = Some(p.user_id.clone());
        row.report_due_at_ms = error.report_due(&holidays()).map(|t| t.timestamp_millis());
        let audit = self.handling_audit(
            p,
            "relevant_error.establish",
            "relevant_error",
            error_id,
            &row.compartment,
        );
        self.store
            .handling_write(
                None,
                &[HandlingWrite::UpdateRelevantError(row.clone())],
                &[audit],
            )
            .await
            .map_err(stored)?;
        self.open_view(row, now)
    }

    /// Records the notification of an established error to the Commissioner.
    pub async fn report_error(
        &self,
        p: &Principal,
        error_id: &str,
        reported_at: DateTime<Utc>,
        reference: &str,
    ) -> Result<ErrorView, StationError> {
        let mut row = self
            .error_for(p, error_id, ERROR_RECORDERS, "report relevant errors")
            .await?;
        let now = self.clock().now();
        let reference = text("reference", reference, SHORT)?;
        let error = relevant_error::report(&core_error(&row)?, reported_at, &reference, now)?;
        row.reported_at_ms = error.reported_at.map(|t| t.timestamp_millis());
        row.reported_by = Some(p.user_id.clone());
        let reference = reference.trim().to_owned();
        row.reference = Some(self.seal_text(TABLE, REFERENCE, &row.id, &reference)?);
        let audit = self.handling_audit(
            p,
            "relevant_error.report",
            "relevant_error",
            error_id,
            &row.compartment,
        );
        self.store
            .handling_write(
                None,
                &[HandlingWrite::UpdateRelevantError(row.clone())],
                &[audit],
            )
            .await
            .map_err(stored)?;
        let description = self.open_text(TABLE, DESCRIPTION, &row.id, &row.description)?;
        view(row, description, Some(reference), now)
    }

    /// The register for the caller's compartments: `open_only` leaves out reported errors,
    /// `overdue_only` keeps established, unreported errors past their deadline now.
    pub async fn list_errors(
        &self,
        p: &Principal,
        compartment: Option<String>,
        open_only: bool,
        overdue_only: bool,
        page: Page,
    ) -> Result<Vec<ErrorView>, StationError> {
        p.require_role(CASE_READERS, "see the error register")?;
        if let Some(c) = &compartment {
            p.require_compartment(c)?;
        }
        let now = self.clock().now();
        let filter = ErrorFilter {
            reader: p.user_id.clone(),
            compartment,
            open_only,
            overdue_at_ms: overdue_only.then(|| now.timestamp_millis()),
            page,
        };
        self.store
            .list_relevant_errors(&filter)
            .await?
            .into_iter()
            .map(|row| self.open_view(row, now))
            .collect()
    }
}
