//! Filing many debrief reports at once (a register migrated from paper or another system),
//! with their claims: each report checked as [`Station::add_report`] checks it, all written in
//! one transaction with one audit event per report, and then each compartment touched
//! re-estimated once rather than once per report.
//!
//! An imported report links to no contact or requirement: those links carry rules of their
//! own and are made through the single-report service.

use super::access::RUNNERS;
use super::reports::ReportInput;
use super::{LONG, stored, text};
use crate::{Principal, Station, StationError};
use humint_core::handling::grading::ReportStatus;
use humint_core::new_id;
use humint_store::{HandlingStore as _, HandlingWrite, ReportRow, SourceRow};
use std::collections::BTreeMap;

impl Station {
    /// Files `reports` (source id, report) in one transaction; returns the new report ids in
    /// order. Refuses the whole batch, writing nothing, if any report is refused.
    pub async fn import_reports(
        &self,
        p: &Principal,
        reports: Vec<(String, ReportInput)>,
    ) -> Result<Vec<String>, StationError> {
        let mut sources: BTreeMap<String, SourceRow> = BTreeMap::new();
        let now = self.clock().now();
        let mut writes = Vec::new();
        let mut audits = Vec::new();
        let mut ids = Vec::with_capacity(reports.len());
        for (n, (source_id, input)) in reports.iter().enumerate() {
            if !sources.contains_key(source_id) {
                let loaded = self
                    .load_checked(p, source_id, RUNNERS, "file reports")
                    .await?;
                sources.insert(source_id.clone(), loaded.row);
            }
            let source = &sources[source_id];
            if input.text.trim().is_empty() {
                return Err(StationError::invalid(
                    "FIELD_REQUIRED",
                    format!("report {} of the import needs its text", n + 1),
                ));
            }
            if input.contact_id.is_some() || input.requirement_id.is_some() {
                return Err(StationError::invalid(
                    "IMPORT_LINKS_NOT_ALLOWED",
                    format!(
                        "report {} of the import links a contact or requirement; file it on its own so those links are checked",
                        n + 1
                    ),
                ));
            }
            text("text", &input.text, LONG)?;
            let id = new_id::<ReportRow>(now, self.entropy()).to_string();
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
            };
            let content = self.encrypt_field("reports", "content", &id, input.text.as_bytes())?;
            writes.push(HandlingWrite::InsertReport { row, content });
            for row in self.claim_rows(p, &id, &input.claims, now)? {
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
