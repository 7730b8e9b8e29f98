//! Filing many debrief reports at once (a register migrated from paper or another system),
//! with their claims: each report checked as [`Station::add_report`] checks it, all written in
//! one transaction with one audit event per report, and then each compartment touched
//! re-estimated once rather than once per report.
//!
//! An imported report links to no contact or requirement: those links carry rules of their
//! own and are made through the single-report service.
//!
//! Every imported report says when its source reported (`reported_at`, required: a register
//! without dates is not a register), checked by the core's `report_time::check_reported_at`;
//! the validation reads that time, so a register of ten years imported today is ten years of
//! reporting, not a day's. The write time (`created_at`, the ledger's) is the import's.

use super::access::RUNNERS;
use super::reports::ReportInput;
use super::{LONG, stored, text};
use crate::{Principal, Station, StationError};
use humint_core::handling::grading::ReportStatus;
use humint_core::new_id;
use humint_store::{HandlingStore as _, HandlingWrite, ReportRow, SourceRow};
use std::collections::BTreeMap;

/// The most reports one import takes (one transaction; a larger register is imported in
/// several requests, each all-or-nothing).
pub const MAX_IMPORT_REPORTS: usize = 2_000;

/// A refusal of report `n` (from 1) of an import, naming its position: the same code and
/// kind as the single report's refusal, the sentence prefixed.
fn at_position(n: usize, total: usize, e: StationError) -> StationError {
    let at = format!("report {n} of the {total} in the import");
    match e {
        StationError::Invalid { code, message } => StationError::Invalid {
            code,
            message: format!("{at}: {message}"),
        },
        StationError::Rule(v) => StationError::Invalid {
            code: v.code,
            message: format!("{at}: {}", v.message),
        },
        StationError::Forbidden { code, message } => StationError::Forbidden {
            code,
            message: format!("{at}: {message}"),
        },
        StationError::NotFound { what } => StationError::invalid(
            "IMPORT_NOT_FOUND",
            format!("{at}: its {what} was not found"),
        ),
        other => other,
    }
}

impl Station {
    /// Files `reports` (source id, report) in one transaction; returns the new report ids in
    /// order. Refuses the whole batch, writing nothing, if any report is refused.
    pub async fn import_reports(
        &self,
        p: &Principal,
        reports: Vec<(String, ReportInput)>,
    ) -> Result<Vec<String>, StationError> {
        if reports.is_empty() {
            return Err(StationError::invalid(
                "IMPORT_EMPTY",
                "the import holds no reports: give at least one",
            ));
        }
        if reports.len() > MAX_IMPORT_REPORTS {
            return Err(StationError::invalid(
                "IMPORT_TOO_LARGE",
                format!(
                    "the import holds {} reports; at most {MAX_IMPORT_REPORTS} are imported at once, so split the register into several imports",
                    reports.len()
                ),
            ));
        }
        let total = reports.len();
        let now = self.clock().now();
        // Ids made in one millisecond differ only in their random bits: drawn first and
        // sorted, so the reports list (in id order) in the order they were given.
        let mut report_ids: Vec<String> = reports
            .iter()
            .map(|_| new_id::<ReportRow>(now, self.entropy()).to_string())
            .collect();
        report_ids.sort();
        let mut report_ids = report_ids.into_iter();
        let mut sources: BTreeMap<String, SourceRow> = BTreeMap::new();
        let mut writes = Vec::new();
        let mut audits = Vec::new();
        let mut ids = Vec::with_capacity(reports.len());
        for (n, (source_id, input)) in reports.iter().enumerate() {
            let at = |e: StationError| at_position(n + 1, total, e);
            if !sources.contains_key(source_id) {
                let loaded = self
                    .load_checked(p, source_id, RUNNERS, "file reports")
                    .await
                    .map_err(at)?;
                sources.insert(source_id.clone(), loaded.row);
            }
            let source = &sources[source_id];
            if input.text.trim().is_empty() {
                return Err(at(StationError::invalid(
                    "FIELD_REQUIRED",
                    "it needs its text",
                )));
            }
            if input.contact_id.is_some() || input.requirement_id.is_some() {
                return Err(at(StationError::invalid(
                    "IMPORT_LINKS_NOT_ALLOWED",
                    "it links a contact or requirement; file it on its own so those links are checked",
                )));
            }
            text("text", &input.text, LONG).map_err(at)?;
            let Some(reported_at) = input.reported_at else {
                return Err(at(StationError::invalid(
                    "REPORTED_AT_REQUIRED",
                    "it needs the time the source reported (reported_at): a register without dates cannot be imported",
                )));
            };
            humint_core::handling::report_time::check_reported_at(reported_at, now, None)
                .map_err(|v| at(v.into()))?;
            let Some(id) = report_ids.next() else {
                return Err(StationError::Io("an import ran out of ids".to_owned()));
            };
            let row = ReportRow {
                id: id.clone(),
                source_id: source_id.clone(),
                contact_id: None,
                requirement_id: None,
                status: ReportStatus::Draft.as_str().to_owned(),
                source_grade: None,
                info_grade: None,
                handling_code: None,
                graded_by: None,
                graded_at_ms: None,
                created_by: p.user_id.clone(),
                created_at_ms: now.timestamp_millis(),
                reported_at_ms: reported_at.timestamp_millis(),
            };
            let content = self.encrypt_field("reports", "content", &id, input.text.as_bytes())?;
            writes.push(HandlingWrite::InsertReport { row, content });
            for row in self.claim_rows(p, &id, &input.claims, now).map_err(at)? {
                writes.push(HandlingWrite::InsertClaim(row));
            }
            audits.push(self.handling_audit(
                p,
                "report.create",
                "report",
                &id,
                &source.compartment,
            ));
            ids.push(id);
        }
        self.store
            .handling_write(None, &writes, &audits)
            .await
            .map_err(stored)?;
        let mut compartments: BTreeMap<&str, &SourceRow> = BTreeMap::new();
        for s in sources.values() {
            compartments.entry(s.compartment_id.as_str()).or_insert(s);
        }
        for s in compartments.values() {
            self.after_evidence_changed(p, s).await;
        }
        Ok(ids)
    }
}
