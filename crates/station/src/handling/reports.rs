//! Reports: the debrief text (encrypted; handler, controller and authorising officers only,
//! each read audited), Admiralty grading decided independently for source and information,
//! structured claims, dissemination records (reg 3(m)) and outcomes.

use super::access::{self, READERS, RUNNERS};
use super::convert::{self, name};
use super::{LONG, SHORT, stored, text};
use crate::{Principal, Station, StationError};
use chrono::{DateTime, Utc};
use humint_core::handling::grading::{
    self, GradeCodes, Grading, GradingScheme, Outcome, OutcomeMeans, OutcomeVerdict, ReportStatus,
};
use humint_core::{Role, new_id};
use humint_store::{
    ClaimRow, DisseminationRow, GradingRow, HandlingStore as _, HandlingWrite, OutcomeRow, Page,
    RegisterStore as _, ReportFilter, ReportRow, SourceRow, Store as _,
};
use serde::{Deserialize, Serialize};

#[derive(Clone)]
pub struct ReportInput {
    pub contact_id: Option<String>,
    pub requirement_id: Option<String>,
    /// The debrief; encrypted at rest.
    pub text: String,
    pub claims: Vec<ClaimInput>,
    /// When the source gave the information (`None`: now); checked by the core's
    /// `report_time::check_reported_at`. Required for an import.
    pub reported_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for ReportInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportInput").finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct ClaimInput {
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub observed_at: DateTime<Utc>,
}

/// A grade under one scheme (GRD-01), each dimension as the officer wrote it.
#[derive(Debug, Clone)]
pub struct GradeInput {
    /// `3x5x2`, `5x5x5` or `admiralty`; the core's default (3x5x2) when absent.
    pub scheme: Option<String>,
    /// The source's grade, decided on its own (3x5x2: 1-3; 5x5x5: A-E; Admiralty: A-F).
    pub source: String,
    /// The information's grade, decided on its own (3x5x2: A-E; 5x5x5: 1-5; Admiralty: 1-6).
    pub information: String,
    /// 3x5x2: P or C; 5x5x5: 1-5; Admiralty: free text.
    pub handling_code: String,
    /// The conditions of a conditional handling code (3x5x2 C; 5x5x5 3 and 5).
    pub conditions: Option<String>,
    /// Why the grade departs from the engine's suggestion; required when it does.
    pub rationale: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DisseminationInput {
    pub recipient: String,
    pub handling_code: String,
    pub sanitised: bool,
    /// When it happened, if recorded after the fact; `None`: now.
    pub disseminated_at: Option<super::Instant>,
}

#[derive(Debug, Clone)]
pub struct ClaimView {
    pub id: String,
    pub report_id: String,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub observed_at_ms: i64,
    pub outcomes: Vec<OutcomeRow>,
}

/// A report's metadata, grading, claims and disseminations: never its text.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub row: ReportRow,
    pub codename: String,
    pub claims: Vec<ClaimView>,
    pub disseminations: Vec<DisseminationRow>,
    /// Every grading, oldest first; the last is the current grade.
    pub gradings: Vec<GradingRow>,
    /// The usernames of the officers who graded, disseminated or recorded outcomes, by id.
    pub names: std::collections::BTreeMap<String, String>,
}

/// One line of the reports list across the caller's compartments: never the text or claims.
#[derive(Debug, Clone)]
pub struct ReportSummary {
    pub row: ReportRow,
    pub codename: String,
    pub compartment: String,
    /// The current grading (the latest of its history).
    pub grading: Option<GradingRow>,
    /// The username of whoever graded it last.
    pub graded_by: Option<String>,
}

/// What the reports list asks for: a compartment, graded or not, newest first from `before`.
#[derive(Debug, Clone, Default)]
pub struct ReportListRequest {
    pub compartment: Option<String>,
    /// `Some(true)` graded or disseminated; `Some(false)` drafts only.
    pub graded: Option<bool>,
    pub before: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Serialize, Deserialize)]
struct ClaimDoc {
    subject: String,
    attribute: String,
    value: String,
}

const GRADERS: &[Role] = &[Role::Analyst, Role::Controller];

/// A report graded before grading schemes (or written in bulk without its history) was graded
/// under Admiralty: its columns are its one grading, as migration 0006 backfills.
fn legacy_grading(row: &ReportRow) -> Option<GradingRow> {
    Some(GradingRow {
        id: row.id.clone(),
        report_id: row.id.clone(),
        scheme: GradingScheme::Admiralty.as_str().to_owned(),
        source_code: row.source_grade.clone()?,
        information_code: row.info_grade?.to_string(),
        handling_code: row.handling_code.clone().unwrap_or_default(),
        conditions: None,
        graded_by: row.graded_by.clone()?,
        graded_at_ms: row.graded_at_ms?,
    })
}

impl Station {
    /// The rows of claims filed together, their ids in the order the claims were given: ids
    /// made in one millisecond differ only in their random bits, so they are drawn first and
    /// sorted, and a report's claims (listed in id order) read in the order they were typed.
    pub(super) fn claim_rows(
        &self,
        p: &Principal,
        report_id: &str,
        claims: &[ClaimInput],
        now: DateTime<Utc>,
    ) -> Result<Vec<ClaimRow>, StationError> {
        let mut ids: Vec<String> = claims
            .iter()
            .map(|_| new_id::<ClaimRow>(now, self.entropy()).to_string())
            .collect();
        ids.sort();
        claims
            .iter()
            .zip(ids)
            .map(|(c, id)| self.claim_row(p, report_id, c, id, now))
            .collect()
    }

    fn claim_row(
        &self,
        p: &Principal,
        report_id: &str,
        c: &ClaimInput,
        id: String,
        now: DateTime<Utc>,
    ) -> Result<ClaimRow, StationError> {
        let doc = ClaimDoc {
            subject: text("subject", &c.subject, SHORT)?,
            attribute: text("attribute", &c.attribute, SHORT)?,
            value: text("value", &c.value, LONG)?,
        };
        if doc.subject.trim().is_empty() || doc.attribute.trim().is_empty() {
            return Err(StationError::invalid(
                "FIELD_REQUIRED",
                "a claim needs a subject and an attribute",
            ));
        }
        let plain =
            serde_json::to_vec(&doc).map_err(|_| StationError::Io("encoding failed".to_owned()))?;
        Ok(ClaimRow {
            content: self.encrypt_field("claims", "content", &id, &plain)?,
            id,
            report_id: report_id.to_owned(),
            observed_at_ms: c.observed_at.timestamp_millis(),
            recorded_by: p.user_id.clone(),
            recorded_at_ms: now.timestamp_millis(),
        })
    }

    /// Files a debrief report (handler or controller), with any claims it makes.
    pub async fn add_report(
        &self,
        p: &Principal,
        source_id: &str,
        input: ReportInput,
    ) -> Result<ReportView, StationError> {
        let loaded = self
            .load_checked(p, source_id, RUNNERS, "file reports")
            .await?;
        if input.text.trim().is_empty() {
            return Err(StationError::invalid(
                "FIELD_REQUIRED",
                "a report needs its text",
            ));
        }
        text("text", &input.text, LONG)?;
        let mut contact_at = None;
        if let Some(cid) = &input.contact_id {
            let contact = self
                .store
                .contact(cid)
                .await?
                .ok_or(StationError::NotFound { what: "contact" })?;
            if contact.source_id != source_id {
                return Err(StationError::invalid(
                    "CONTACT_OTHER_SOURCE",
                    "that contact is with another source",
                ));
            }
            // The contact's times are in the part of its record the scheduler reads unsealed.
            let doc: humint_core::handling::Contact = serde_json::from_str(&contact.doc)
                .map_err(|_| StationError::Io("a stored contact is damaged".to_owned()))?;
            contact_at = doc.when();
        }
        let now = self.clock().now();
        let reported_at = input.reported_at.unwrap_or(now);
        humint_core::handling::report_time::check_reported_at(reported_at, now, contact_at)?;
        let id = new_id::<ReportRow>(now, self.entropy()).to_string();
        let row = ReportRow {
            id: id.clone(),
            source_id: source_id.to_owned(),
            contact_id: input.contact_id.clone(),
            requirement_id: input.requirement_id.clone(),
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
        let mut writes = vec![HandlingWrite::InsertReport { row, content }];
        for row in self.claim_rows(p, &id, &input.claims, now)? {
            writes.push(HandlingWrite::InsertClaim(row));
        }
        let audit = self.handling_audit(p, "report.create", "report", &id, &loaded.row.compartment);
        self.store
            .handling_write(None, &writes, &[audit])
            .await
            .map_err(stored)?;
        if !input.claims.is_empty() {
            self.after_evidence_changed(p, &loaded.row).await;
        }
        self.report_view(&loaded.row, &id).await
    }

    async fn report_and_source(
        &self,
        p: &Principal,
        id: &str,
        allowed: &[Role],
        doing: &str,
    ) -> Result<(ReportRow, SourceRow), StationError> {
        let report = self
            .store
            .report(id)
            .await?
            .ok_or(StationError::NotFound { what: "report" })?;
        let source = self.source_row(&report.source_id).await?;
        access::check(p, &source, allowed, doing)?;
        Ok((report, source))
    }

    pub(crate) async fn report_view(
        &self,
        source: &SourceRow,
        id: &str,
    ) -> Result<ReportView, StationError> {
        let row = self
            .store
            .report(id)
            .await?
            .ok_or(StationError::NotFound { what: "report" })?;
        let mut claims = Vec::new();
        for c in self.store.claims(id).await? {
            claims.push(self.claim_view(&c).await?);
        }
        let mut gradings = self.store.report_gradings(id).await?;
        if gradings.is_empty() {
            gradings.extend(legacy_grading(&row));
        }
        let disseminations = self.store.disseminations(id).await?;
        let mut names = std::collections::BTreeMap::new();
        let mut officers: Vec<String> = gradings.iter().map(|g| g.graded_by.clone()).collect();
        officers.extend(disseminations.iter().map(|d| d.disseminated_by.clone()));
        for c in &claims {
            officers.extend(c.outcomes.iter().map(|o| o.recorded_by.clone()));
        }
        officers.sort();
        officers.dedup();
        for officer in officers {
            if let Some(user) = self.store.user_by_id(&officer).await? {
                names.insert(officer, user.username);
            }
        }
        Ok(ReportView {
            gradings,
            names,
            disseminations,
            codename: source.codename.clone(),
            row,
            claims,
        })
    }

    async fn claim_view(&self, c: &ClaimRow) -> Result<ClaimView, StationError> {
        let plain = self.decrypt_field("claims", "content", &c.id, &c.content)?;
        let doc: ClaimDoc = serde_json::from_slice(&plain)
            .map_err(|_| StationError::Io("a stored claim is damaged".to_owned()))?;
        Ok(ClaimView {
            id: c.id.clone(),
            report_id: c.report_id.clone(),
            subject: doc.subject,
            attribute: doc.attribute,
            value: doc.value,
            observed_at_ms: c.observed_at_ms,
            outcomes: self.store.outcomes(&c.id).await?,
        })
    }

    pub async fn report(&self, p: &Principal, id: &str) -> Result<ReportView, StationError> {
        let (_, source) = self
            .report_and_source(p, id, READERS, "see reports")
            .await?;
        self.report_view(&source, id).await
    }

    pub async fn reports(
        &self,
        p: &Principal,
        source_id: &str,
        page: Page,
    ) -> Result<Vec<ReportRow>, StationError> {
        let source = self.source_row(source_id).await?;
        access::check(p, &source, READERS, "see reports")?;
        Ok(self.store.reports(source_id, &page).await?)
    }

    /// A page of a source's reports, each with its current grading under its scheme.
    pub async fn reports_with_grading(
        &self,
        p: &Principal,
        source_id: &str,
        page: Page,
    ) -> Result<Vec<(ReportRow, Option<GradingRow>)>, StationError> {
        let source = self.source_row(source_id).await?;
        access::check(p, &source, READERS, "see reports")?;
        let rows = self.store.reports(source_id, &page).await?;
        let mut current = std::collections::HashMap::new();
        for g in self.store.page_gradings(source_id, &page).await? {
            current.insert(g.report_id.clone(), g); // oldest first: the last one stays
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let grading = current.remove(&r.id).or_else(|| legacy_grading(&r));
                (r, grading)
            })
            .collect())
    }

    /// The debrief text: an audited read, refused (and recorded) for anyone but the source's
    /// handler and the compartment's controllers and authorising officers.
    pub async fn report_text(&self, p: &Principal, id: &str) -> Result<String, StationError> {
        let report = self
            .store
            .report(id)
            .await?
            .ok_or(StationError::NotFound { what: "report" })?;
        let loaded = self.load_source(&report.source_id).await?;
        let audit =
            self.handling_audit(p, "report.text.read", "report", id, &loaded.row.compartment);
        if let Err(e) = access::check_identity(p, &loaded, self.now_ms(), "read report text") {
            self.store.append_audit(&audit.denied()).await?;
            return Err(e);
        }
        let blob = self
            .store
            .report_content(id)
            .await?
            .ok_or(StationError::NotFound { what: "report" })?;
        let plain = self.decrypt_field("reports", "content", id, &blob)?;
        let text = String::from_utf8(plain.to_vec())
            .map_err(|_| StationError::Io("a stored report is damaged".to_owned()))?;
        self.store.append_audit(&audit).await?;
        Ok(text)
    }

    /// Grades (or regrades) a report under a scheme (GRD-01): the core reads each dimension on
    /// its own, never converts between schemes, and wants the conditions of a conditional
    /// handling code. Every grading is kept with its evaluator and time.
    pub async fn grade_report(
        &self,
        p: &Principal,
        id: &str,
        input: GradeInput,
    ) -> Result<ReportView, StationError> {
        let (mut report, source) = self
            .report_and_source(p, id, GRADERS, "grade reports")
            .await?;
        let scheme = match input.scheme.as_deref() {
            Some(s) => GradingScheme::parse(s)?,
            None => GradingScheme::DEFAULT,
        };
        let conditions = input
            .conditions
            .map(|c| text("conditions", &c, LONG))
            .transpose()?;
        let grade = grading::parse_grading(
            scheme,
            &GradeCodes {
                source: input.source,
                information: input.information,
                handling: input.handling_code.clone(),
                conditions: conditions.clone(),
            },
        )?;
        let status = ReportStatus::parse(&report.status)
            .ok_or_else(|| StationError::Io("a stored report status is damaged".to_owned()))?;
        let next = grading::check_regrade(status, &grade)?;
        let (source_code, information_code, scheme_handling, scheme_conditions) = grade.codes();
        // Admiralty's handling code is free text recorded beside the grade.
        let handling_code = match scheme_handling {
            Some(code) => code,
            None if input.handling_code.trim().is_empty() => {
                return Err(StationError::invalid(
                    "FIELD_REQUIRED",
                    "a graded report needs its handling code",
                ));
            }
            None => text("handling_code", input.handling_code.trim(), SHORT)?,
        };
        let now = self.clock().now();
        // A report graded before its history was kept: its grade so far becomes the first entry.
        let mut writes = Vec::new();
        if self.store.report_gradings(id).await?.is_empty()
            && let Some(earlier) = legacy_grading(&report)
        {
            writes.push(HandlingWrite::InsertGrading(earlier));
        }
        report.status = next.as_str().to_owned();
        // The Admiralty columns keep serving older clients; other schemes leave them empty.
        (report.source_grade, report.info_grade) = match &grade {
            Grading::Admiralty(g) => (
                Some(g.source.letter().to_string()),
                Some(i64::from(g.information.digit())),
            ),
            _ => (None, None),
        };
        report.handling_code = Some(handling_code.clone());
        report.graded_by = Some(p.user_id.clone());
        report.graded_at_ms = Some(now.timestamp_millis());
        let history = GradingRow {
            id: new_id::<GradingRow>(now, self.entropy()).to_string(),
            report_id: id.to_owned(),
            scheme: scheme.as_str().to_owned(),
            source_code,
            information_code,
            handling_code,
            conditions: scheme_conditions.or(conditions.filter(|c| !c.trim().is_empty())),
            graded_by: p.user_id.clone(),
            graded_at_ms: now.timestamp_millis(),
        };
        // The engine suggests on the Admiralty scales only; schemes are never converted, so a
        // grade under another scheme has no suggestion to depart from.
        if let Grading::Admiralty(g) = &grade {
            let decision = self
                .grade_decision(
                    p,
                    &report,
                    g.source,
                    g.information,
                    input.rationale.as_deref(),
                )
                .await?;
            writes.push(HandlingWrite::InsertGradeDecision(decision));
        }
        writes.push(HandlingWrite::UpdateReport(report));
        writes.push(HandlingWrite::InsertGrading(history));
        let audit = self.handling_audit(p, "report.grade", "report", id, &source.compartment);
        self.store
            .handling_write(None, &writes, &[audit])
            .await
            .map_err(stored)?;
        self.report_view(&source, id).await
    }

    /// One claim, for those who may see its report.
    pub async fn claim(&self, p: &Principal, claim_id: &str) -> Result<ClaimView, StationError> {
        let claim = self
            .store
            .claim(claim_id)
            .await?
            .ok_or(StationError::NotFound { what: "claim" })?;
        self.report_and_source(p, &claim.report_id, READERS, "see reports")
            .await?;
        self.claim_view(&claim).await
    }

    /// Reports on sources in the caller's compartments (or one of them), newest first, each
    /// with its current grading and its grader's username; never a report's text or claims.
    pub async fn report_list(
        &self,
        p: &Principal,
        request: ReportListRequest,
    ) -> Result<Vec<ReportSummary>, StationError> {
        p.require_role(READERS, "see reports")?;
        if let Some(c) = &request.compartment {
            p.require_compartment(c)?;
        }
        let page = super::page(request.before, request.limit)?;
        let filter = ReportFilter {
            reader: p.user_id.clone(),
            compartment: request.compartment,
            graded: request.graded,
            before: page.after,
            limit: page.limit,
        };
        Ok(self
            .store
            .list_reports(&filter)
            .await?
            .into_iter()
            .map(|r| ReportSummary {
                grading: r.grading.or_else(|| legacy_grading(&r.report)),
                graded_by: r.grader_name,
                codename: r.codename,
                compartment: r.compartment,
                row: r.report,
            })
            .collect())
    }

    pub async fn add_claim(
        &self,
        p: &Principal,
        report_id: &str,
        input: ClaimInput,
    ) -> Result<ClaimView, StationError> {
        let (_, source) = self
            .report_and_source(p, report_id, super::access::CLAIMERS, "record claims")
            .await?;
        let now = self.clock().now();
        let id = new_id::<ClaimRow>(now, self.entropy()).to_string();
        let row = self.claim_row(p, report_id, &input, id, now)?;
        let audit =
            self.handling_audit(p, "claim.create", "report", report_id, &source.compartment);
        self.store
            .handling_write(None, &[HandlingWrite::InsertClaim(row.clone())], &[audit])
            .await
            .map_err(stored)?;
        self.after_evidence_changed(p, &source).await;
        self.claim_view(&row).await
    }

    /// Records a dissemination (reg 3(m)); the core refuses an ungraded report.
    pub async fn disseminate_report(
        &self,
        p: &Principal,
        id: &str,
        input: DisseminationInput,
    ) -> Result<ReportView, StationError> {
        let (mut report, source) = self
            .report_and_source(p, id, GRADERS, "disseminate reports")
            .await?;
        let status = ReportStatus::parse(&report.status)
            .ok_or_else(|| StationError::Io("a stored report status is damaged".to_owned()))?;
        report.status = grading::check_dissemination(status)?.as_str().to_owned();
        if input.recipient.trim().is_empty() || input.handling_code.trim().is_empty() {
            return Err(StationError::invalid(
                "FIELD_REQUIRED",
                "a dissemination needs its recipient and handling code",
            ));
        }
        let now = self.clock().now();
        // Not before the source reported it (an imported report was disseminated before it
        // was written here).
        let reported_at = super::Instant::from_timestamp_millis(report.reported_at_ms)
            .ok_or_else(|| StationError::Io("a stored report time is damaged".to_owned()))?;
        let at = grading::dissemination_time(reported_at, input.disseminated_at, now)?;
        let row = DisseminationRow {
            id: new_id::<DisseminationRow>(now, self.entropy()).to_string(),
            report_id: id.to_owned(),
            recipient: text("recipient", &input.recipient, SHORT)?,
            handling_code: text("handling_code", &input.handling_code, SHORT)?,
            sanitised: input.sanitised,
            disseminated_by: p.user_id.clone(),
            disseminated_at_ms: at.timestamp_millis(),
        };
        let audit = self.handling_audit(p, "report.disseminate", "report", id, &source.compartment);
        self.store
            .handling_write(
                None,
                &[
                    HandlingWrite::UpdateReport(report),
                    HandlingWrite::InsertDissemination(row),
                ],
                &[audit],
            )
            .await
            .map_err(stored)?;
        self.report_view(&source, id).await
    }

    /// Records that a claim was later confirmed or refuted, and by what means (analysts).
    pub async fn add_outcome(
        &self,
        p: &Principal,
        claim_id: &str,
        verdict: OutcomeVerdict,
        means: OutcomeMeans,
        established_at: Option<DateTime<Utc>>,
    ) -> Result<ClaimView, StationError> {
        let claim = self
            .store
            .claim(claim_id)
            .await?
            .ok_or(StationError::NotFound { what: "claim" })?;
        let (_, source) = self
            .report_and_source(p, &claim.report_id, &[Role::Analyst], "record outcomes")
            .await?;
        let now = self.clock().now();
        let outcome = Outcome {
            id: new_id(now, self.entropy()),
            claim: convert::id(claim_id)?,
            verdict,
            means,
            established_at: established_at.unwrap_or(now),
        };
        let row = OutcomeRow {
            id: outcome.id.to_string(),
            claim_id: claim_id.to_owned(),
            verdict: name(&outcome.verdict),
            means: name(&outcome.means),
            established_at_ms: outcome.established_at.timestamp_millis(),
            recorded_by: p.user_id.clone(),
            recorded_at_ms: now.timestamp_millis(),
        };
        let audit =
            self.handling_audit(p, "outcome.create", "claim", claim_id, &source.compartment);
        self.store
            .handling_write(None, &[HandlingWrite::InsertOutcome(row)], &[audit])
            .await
            .map_err(stored)?;
        self.after_evidence_changed(p, &source).await;
        self.claim_view(&claim).await
    }
}
