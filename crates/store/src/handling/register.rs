//! Storage of the records added to the handling cycle by issue #3: the error register,
//! requirement reviews and closures, tasking status changes, break-glass reads and the grading
//! history of reports. Writes go through [`HandlingStore::handling_write`] (one transaction
//! with the audit events) as [`HandlingWrite`] variants; reads are the [`RegisterStore`] trait.

use super::sql::{TASKING_COLUMNS, tasking_from_row};
use super::write::one;
use super::*;
use crate::sql::missing;
use crate::{SEALED_TEXT_COLUMNS, SealedTextColumn, SqlStore, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row as _};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelevantErrorRow {
    pub id: String,
    pub compartment_id: String,
    /// The compartment's name (filled on read; ignored on write).
    pub compartment: String,
    pub source_id: Option<String>,
    pub authorisation_id: Option<String>,
    /// Envelope of the description (`description_sealed`, migration 0012).
    pub description: Vec<u8>,
    pub identified_at_ms: i64,
    pub established_at_ms: Option<i64>,
    pub established_by: Option<String>,
    /// The first instant past the report deadline, set when the error is established.
    pub report_due_at_ms: Option<i64>,
    pub reported_at_ms: Option<i64>,
    pub reported_by: Option<String>,
    /// Envelope of the Commissioner's reference (`reference_sealed`); `None` until reported.
    pub reference: Option<Vec<u8>>,
    pub recorded_by: String,
    pub recorded_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorFilter {
    /// Only errors in compartments this user is read into.
    pub reader: String,
    pub compartment: Option<String>,
    /// Only errors not yet reported.
    pub open_only: bool,
    /// Only errors established, unreported and past their deadline at this instant.
    pub overdue_at_ms: Option<i64>,
    pub page: Page,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementEventRow {
    pub id: String,
    pub requirement_id: String,
    /// `review` or `close`.
    pub kind: String,
    pub at_ms: i64,
    pub actor: String,
    /// The actor's username (filled on read; ignored on write).
    pub actor_name: String,
    /// A review's new review-by day.
    pub review_by: Option<String>,
    /// Envelope of a review's note or a closure's reason (`note_sealed`, migration 0012).
    pub note: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassRow {
    pub id: String,
    pub compartment_id: String,
    /// The compartment's name (filled on read; ignored on write).
    pub compartment: String,
    pub source_id: String,
    /// The source's codename (filled on read; ignored on write).
    pub codename: String,
    pub actor: String,
    /// The actor's username (filled on read; ignored on write).
    pub actor_name: String,
    /// Envelope of the reason given (`reason_sealed`, migration 0012).
    pub reason: Vec<u8>,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassFilter {
    /// Only events in compartments this user is read into; `None` for every compartment.
    pub reader: Option<String>,
    pub compartment: Option<String>,
    pub page: Page,
}

/// One grading of a report under its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradingRow {
    pub id: String,
    pub report_id: String,
    /// `3x5x2`, `5x5x5` or `admiralty`.
    pub scheme: String,
    pub source_code: String,
    pub information_code: String,
    pub handling_code: String,
    pub conditions: Option<String>,
    pub graded_by: String,
    pub graded_at_ms: i64,
}

/// Reports across the compartments a reader is read into, newest first (the `/reports` list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFilter {
    /// Only reports on sources in compartments this user is read into.
    pub reader: String,
    pub compartment: Option<String>,
    /// `Some(true)`: graded or disseminated; `Some(false)`: drafts only.
    pub graded: Option<bool>,
    /// Keyset, newest first: reports with ids before this one.
    pub before: Option<String>,
    pub limit: i64,
}

/// One line of [`RegisterStore::list_reports`]: the report, its source's codename and
/// compartment, its current grading, and the username of whoever graded it last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportListRow {
    pub report: ReportRow,
    pub codename: String,
    pub compartment: String,
    /// The latest entry of the grading history (`None` for a draft, or a report graded before
    /// the history was kept, whose columns hold its grade).
    pub grading: Option<GradingRow>,
    pub grader_name: Option<String>,
}

/// The reads of the records above.
#[async_trait]
pub trait RegisterStore: Store {
    async fn relevant_error(&self, id: &str) -> Result<Option<RelevantErrorRow>>;
    async fn list_relevant_errors(&self, filter: &ErrorFilter) -> Result<Vec<RelevantErrorRow>>;
    async fn requirement_events(&self, requirement_id: &str) -> Result<Vec<RequirementEventRow>>;
    async fn tasking(&self, id: &str) -> Result<Option<TaskingRow>>;
    async fn break_glass_events(&self, filter: &BreakGlassFilter) -> Result<Vec<BreakGlassRow>>;
    /// A report's gradings, oldest first.
    async fn report_gradings(&self, report_id: &str) -> Result<Vec<GradingRow>>;
    /// The gradings of the reports on one page of [`HandlingStore::reports`], oldest first.
    async fn page_gradings(&self, source_id: &str, page: &Page) -> Result<Vec<GradingRow>>;
    /// Reports in the reader's compartments, newest first, with their current grading.
    async fn list_reports(&self, filter: &ReportFilter) -> Result<Vec<ReportListRow>>;
    /// Up to `limit` free texts still held in plaintext (rows written before migration 0012),
    /// column by column in [`SEALED_TEXT_COLUMNS`] order, each by row id.
    async fn unsealed_texts(&self, limit: i64) -> Result<Vec<UnsealedText>>;
    /// Stores each envelope and blanks its plaintext, in one transaction; a row another
    /// server sealed meanwhile is left as it is. With `last`, the same transaction appends
    /// the job's one audit event, its object id the job's count (rows sealed by earlier
    /// batches plus this one), unless that count is nought. Returns how many rows this call
    /// sealed.
    async fn seal_texts(&self, texts: &[SealedText], last: Option<&SealEvent>) -> Result<u64>;
}

/// A plaintext free text left by a version before migration 0012.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsealedText {
    pub column: &'static SealedTextColumn,
    pub row: String,
    pub plaintext: String,
}

/// The audit event closing a sealing job (see [`RegisterStore::seal_texts`]).
#[derive(Debug, Clone)]
pub struct SealEvent {
    /// The event; its object id is replaced by the count.
    pub audit: AuditContext,
    /// Rows sealed by the job's earlier batches.
    pub sealed_before: u64,
}

/// The envelope that replaces an [`UnsealedText`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedText {
    pub column: &'static SealedTextColumn,
    pub row: String,
    pub envelope: Vec<u8>,
    /// For a [`SealedTextColumn::split`] document, what the plaintext column keeps: the
    /// document with its free-text fields blanked (`None` for every other column).
    pub rest: Option<String>,
}

/// A sealed column read back: NULL only in a row written by a version before 0012 that no
/// station with the keys has opened since.
fn sealed(r: &AnyRow, index: usize) -> Result<Vec<u8>> {
    r.try_get::<Option<Vec<u8>>, _>(index)?.ok_or_else(|| {
        StoreError::Corrupt(
            "a register text written by an older version is not sealed yet: reopen the station to seal it"
                .to_owned(),
        )
    })
}

pub(crate) const ERROR_COLUMNS: &str = "e.id, e.compartment_id, c.name, e.source_id, e.authorisation_id, e.description_sealed, e.identified_at, e.established_at, e.established_by, e.report_due_at, e.reported_at, e.reported_by, e.reference_sealed, e.recorded_by, e.recorded_at";

pub(crate) fn error_from_row(r: &AnyRow) -> Result<RelevantErrorRow> {
    Ok(RelevantErrorRow {
        id: r.try_get(0)?,
        compartment_id: r.try_get(1)?,
        compartment: r.try_get(2)?,
        source_id: r.try_get(3)?,
        authorisation_id: r.try_get(4)?,
        description: sealed(r, 5)?,
        identified_at_ms: r.try_get(6)?,
        established_at_ms: r.try_get(7)?,
        established_by: r.try_get(8)?,
        report_due_at_ms: r.try_get(9)?,
        reported_at_ms: r.try_get(10)?,
        reported_by: r.try_get(11)?,
        reference: r.try_get(12)?,
        recorded_by: r.try_get(13)?,
        recorded_at_ms: r.try_get(14)?,
    })
}

const BREAK_GLASS_COLUMNS: &str = "b.id, b.compartment_id, c.name, b.source_id, s.codename, b.actor, u.username, b.reason_sealed, b.at_ms";

fn break_glass_from_row(r: &AnyRow) -> Result<BreakGlassRow> {
    Ok(BreakGlassRow {
        id: r.try_get(0)?,
        compartment_id: r.try_get(1)?,
        compartment: r.try_get(2)?,
        source_id: r.try_get(3)?,
        codename: r.try_get(4)?,
        actor: r.try_get(5)?,
        actor_name: r.try_get(6)?,
        reason: sealed(r, 7)?,
        at_ms: r.try_get(8)?,
    })
}

fn grading_from_row(r: &AnyRow) -> Result<GradingRow> {
    Ok(GradingRow {
        id: r.try_get(0)?,
        report_id: r.try_get(1)?,
        scheme: r.try_get(2)?,
        source_code: r.try_get(3)?,
        information_code: r.try_get(4)?,
        handling_code: r.try_get(5)?,
        conditions: r.try_get(6)?,
        graded_by: r.try_get(7)?,
        graded_at_ms: r.try_get(8)?,
    })
}

/// Applies the writes of this module's records inside the caller's transaction.
pub(super) async fn apply(conn: &mut AnyConnection, w: &HandlingWrite) -> Result<()> {
    match w {
        HandlingWrite::InsertRelevantError(e) => {
            sqlx::query(
                "INSERT INTO relevant_errors (id, compartment_id, source_id, authorisation_id, description, description_sealed, identified_at, established_at, established_by, report_due_at, reported_at, reported_by, reference_sealed, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(&e.id)
            .bind(&e.compartment_id)
            .bind(e.source_id.as_deref())
            .bind(e.authorisation_id.as_deref())
            .bind(e.description.clone())
            .bind(e.identified_at_ms)
            .bind(e.established_at_ms)
            .bind(e.established_by.as_deref())
            .bind(e.report_due_at_ms)
            .bind(e.reported_at_ms)
            .bind(e.reported_by.as_deref())
            .bind(e.reference.clone())
            .bind(&e.recorded_by)
            .bind(e.recorded_at_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "compartment, source or authorisation"))?;
        }
        HandlingWrite::UpdateRelevantError(e) => {
            let done = sqlx::query(
                "UPDATE relevant_errors SET established_at = $1, established_by = $2, report_due_at = $3, reported_at = $4, reported_by = $5, reference = NULL, reference_sealed = $6 WHERE id = $7",
            )
            .bind(e.established_at_ms)
            .bind(e.established_by.as_deref())
            .bind(e.report_due_at_ms)
            .bind(e.reported_at_ms)
            .bind(e.reported_by.as_deref())
            .bind(e.reference.clone())
            .bind(&e.id)
            .execute(&mut *conn)
            .await?;
            one(done, "relevant error")?;
        }
        HandlingWrite::UpdateRequirement {
            id,
            review_by,
            review_due_at_ms,
            closed_at_ms,
        } => {
            let done = sqlx::query(
                "UPDATE requirements SET review_by = $1, review_due_at = $2, closed_at = $3 WHERE id = $4",
            )
            .bind(review_by)
            .bind(*review_due_at_ms)
            .bind(*closed_at_ms)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            one(done, "requirement")?;
        }
        HandlingWrite::InsertRequirementEvent(r) => {
            sqlx::query(
                "INSERT INTO requirement_events (id, requirement_id, kind, at_ms, actor, review_by, note, note_sealed) VALUES ($1, $2, $3, $4, $5, $6, '', $7)",
            )
            .bind(&r.id)
            .bind(&r.requirement_id)
            .bind(&r.kind)
            .bind(r.at_ms)
            .bind(&r.actor)
            .bind(r.review_by.as_deref())
            .bind(r.note.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "requirement"))?;
        }
        HandlingWrite::UpdateTasking {
            id,
            source_id,
            status,
            doc_sealed,
        } => {
            let done = sqlx::query(
                "UPDATE taskings SET status = $1, doc = '', doc_sealed = $2 WHERE id = $3 AND source_id = $4",
            )
            .bind(status)
            .bind(doc_sealed.clone())
            .bind(id)
            .bind(source_id)
            .execute(&mut *conn)
            .await?;
            one(done, "tasking")?;
        }
        HandlingWrite::InsertBreakGlass(b) => {
            sqlx::query(
                "INSERT INTO break_glass_events (id, compartment_id, source_id, actor, reason, reason_sealed, at_ms) VALUES ($1, $2, $3, $4, '', $5, $6)",
            )
            .bind(&b.id)
            .bind(&b.compartment_id)
            .bind(&b.source_id)
            .bind(&b.actor)
            .bind(b.reason.clone())
            .bind(b.at_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "source"))?;
        }
        HandlingWrite::InsertGrading(g) => {
            sqlx::query(
                "INSERT INTO report_gradings (id, report_id, scheme, source_code, information_code, handling_code, conditions, graded_by, graded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&g.id)
            .bind(&g.report_id)
            .bind(&g.scheme)
            .bind(&g.source_code)
            .bind(&g.information_code)
            .bind(&g.handling_code)
            .bind(g.conditions.as_deref())
            .bind(&g.graded_by)
            .bind(g.graded_at_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "report"))?;
        }
        // `write::apply` handles every other variant itself and routes only these here.
        _ => {
            return Err(StoreError::Refused(
                "a handling write was routed to the wrong module",
            ));
        }
    }
    Ok(())
}

/// Compartments the reader is read into, for `IN (...)`; binds the reader as `$1`.
const READER_COMPARTMENTS: &str = "SELECT compartment_id FROM user_compartments WHERE user_id = $1";

fn after(page: &Page) -> String {
    page.after.clone().unwrap_or_default()
}

#[async_trait]
impl RegisterStore for SqlStore {
    async fn relevant_error(&self, id: &str) -> Result<Option<RelevantErrorRow>> {
        let sql = format!(
            "SELECT {ERROR_COLUMNS} FROM relevant_errors e JOIN compartments c ON c.id = e.compartment_id WHERE e.id = $1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(error_from_row).transpose()
    }

    async fn list_relevant_errors(&self, f: &ErrorFilter) -> Result<Vec<RelevantErrorRow>> {
        let mut sql = format!(
            "SELECT {ERROR_COLUMNS} FROM relevant_errors e JOIN compartments c ON c.id = e.compartment_id \
             WHERE e.compartment_id IN ({READER_COMPARTMENTS}) AND e.id > $2 AND ($3 = '' OR c.name = $3)"
        );
        if f.open_only || f.overdue_at_ms.is_some() {
            sql.push_str(" AND e.reported_at IS NULL");
        }
        if f.overdue_at_ms.is_some() {
            sql.push_str(" AND e.report_due_at IS NOT NULL AND e.report_due_at <= $5");
        }
        sql.push_str(" ORDER BY e.id LIMIT $4");
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(&f.reader)
            .bind(after(&f.page))
            .bind(f.compartment.clone().unwrap_or_default())
            .bind(f.page.limit);
        if let Some(at) = f.overdue_at_ms {
            q = q.bind(at);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(error_from_row).collect()
    }

    async fn requirement_events(&self, requirement_id: &str) -> Result<Vec<RequirementEventRow>> {
        let rows = sqlx::query(
            "SELECT r.id, r.requirement_id, r.kind, r.at_ms, r.actor, COALESCE(u.username, ''), r.review_by, r.note_sealed \
             FROM requirement_events r LEFT JOIN users u ON u.id = r.actor WHERE r.requirement_id = $1 ORDER BY r.at_ms, r.id",
        )
        .bind(requirement_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RequirementEventRow {
                    id: r.try_get(0)?,
                    requirement_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    at_ms: r.try_get(3)?,
                    actor: r.try_get(4)?,
                    actor_name: r.try_get(5)?,
                    review_by: r.try_get(6)?,
                    note: sealed(r, 7)?,
                })
            })
            .collect()
    }

    async fn tasking(&self, id: &str) -> Result<Option<TaskingRow>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {TASKING_COLUMNS} FROM taskings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(tasking_from_row).transpose()
    }

    async fn break_glass_events(&self, f: &BreakGlassFilter) -> Result<Vec<BreakGlassRow>> {
        let mut sql = format!(
            "SELECT {BREAK_GLASS_COLUMNS} FROM break_glass_events b JOIN compartments c ON c.id = b.compartment_id \
             JOIN sources s ON s.id = b.source_id JOIN users u ON u.id = b.actor \
             WHERE b.id > $2 AND ($3 = '' OR c.name = $3)"
        );
        if f.reader.is_some() {
            sql.push_str(&format!(" AND b.compartment_id IN ({READER_COMPARTMENTS})"));
        } else {
            sql.push_str(" AND $1 = ''");
        }
        sql.push_str(" ORDER BY b.id LIMIT $4");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(f.reader.clone().unwrap_or_default())
            .bind(after(&f.page))
            .bind(f.compartment.clone().unwrap_or_default())
            .bind(f.page.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(break_glass_from_row).collect()
    }

    async fn report_gradings(&self, report_id: &str) -> Result<Vec<GradingRow>> {
        let rows = sqlx::query(
            "SELECT id, report_id, scheme, source_code, information_code, handling_code, conditions, graded_by, graded_at \
             FROM report_gradings WHERE report_id = $1 ORDER BY graded_at, id",
        )
        .bind(report_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(grading_from_row).collect()
    }

    async fn page_gradings(&self, source_id: &str, page: &Page) -> Result<Vec<GradingRow>> {
        let rows = sqlx::query(
            "SELECT g.id, g.report_id, g.scheme, g.source_code, g.information_code, g.handling_code, g.conditions, g.graded_by, g.graded_at \
             FROM report_gradings g WHERE g.report_id IN \
             (SELECT r.id FROM reports r WHERE r.source_id = $1 AND r.id > $2 ORDER BY r.id LIMIT $3) \
             ORDER BY g.report_id, g.graded_at, g.id",
        )
        .bind(source_id)
        .bind(after(page))
        .bind(page.limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(grading_from_row).collect()
    }

    async fn list_reports(&self, f: &ReportFilter) -> Result<Vec<ReportListRow>> {
        let sql = format!(
            "SELECT r.id, r.source_id, r.contact_id, r.requirement_id, r.status, r.source_grade, r.info_grade, \
             r.handling_code, r.graded_by, r.graded_at, r.created_by, r.created_at, r.reported_at, s.codename, c.name, \
             g.id, g.report_id, g.scheme, g.source_code, g.information_code, g.handling_code, g.conditions, \
             g.graded_by, g.graded_at, u.username \
             FROM reports r JOIN sources s ON s.id = r.source_id JOIN compartments c ON c.id = s.compartment_id \
             LEFT JOIN report_gradings g ON g.id = (SELECT g2.id FROM report_gradings g2 WHERE g2.report_id = r.id \
             ORDER BY g2.graded_at DESC, g2.id DESC LIMIT 1) \
             LEFT JOIN users u ON u.id = COALESCE(g.graded_by, r.graded_by) \
             WHERE s.compartment_id IN ({READER_COMPARTMENTS}) AND ($2 = '' OR r.id < $2) AND ($3 = '' OR c.name = $3) \
             AND ($4 = '' OR ($4 = 'graded' AND r.status <> 'draft') OR ($4 = 'ungraded' AND r.status = 'draft')) \
             ORDER BY r.id DESC LIMIT $5"
        );
        let graded = match f.graded {
            None => "",
            Some(true) => "graded",
            Some(false) => "ungraded",
        };
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&f.reader)
            .bind(f.before.clone().unwrap_or_default())
            .bind(f.compartment.clone().unwrap_or_default())
            .bind(graded)
            .bind(f.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let grading_id: Option<String> = r.try_get(15)?;
                let grading = match grading_id {
                    Some(id) => Some(GradingRow {
                        id,
                        report_id: r.try_get(16)?,
                        scheme: r.try_get(17)?,
                        source_code: r.try_get(18)?,
                        information_code: r.try_get(19)?,
                        handling_code: r.try_get(20)?,
                        conditions: r.try_get(21)?,
                        graded_by: r.try_get(22)?,
                        graded_at_ms: r.try_get(23)?,
                    }),
                    None => None,
                };
                Ok(ReportListRow {
                    report: super::sql::report_from_row(r)?,
                    codename: r.try_get(13)?,
                    compartment: r.try_get(14)?,
                    grading,
                    grader_name: r.try_get(24)?,
                })
            })
            .collect()
    }

    async fn unsealed_texts(&self, limit: i64) -> Result<Vec<UnsealedText>> {
        let mut out = Vec::new();
        for column in SEALED_TEXT_COLUMNS {
            let left = limit - out.len() as i64;
            if left <= 0 {
                break;
            }
            let sql = format!(
                "SELECT id, {plain} FROM {table} WHERE {sealed} IS NULL AND {plain} IS NOT NULL ORDER BY id LIMIT $1",
                plain = column.plain,
                sealed = column.sealed,
                table = column.table,
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(left)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                out.push(UnsealedText {
                    column,
                    row: r.try_get(0)?,
                    plaintext: r.try_get(1)?,
                });
            }
        }
        Ok(out)
    }

    async fn seal_texts(&self, texts: &[SealedText], last: Option<&SealEvent>) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut sealed = 0;
        for t in texts {
            let column = SEALED_TEXT_COLUMNS.iter().find(|c| *c == t.column).ok_or(
                StoreError::NotFound {
                    what: "sealed text column",
                },
            )?;
            let blank = if column.split {
                "$3"
            } else if column.nullable {
                "NULL"
            } else {
                "''"
            };
            let sql = format!(
                "UPDATE {table} SET {sealed} = $1, {plain} = {blank} WHERE id = $2 AND {sealed} IS NULL",
                table = column.table,
                sealed = column.sealed,
                plain = column.plain,
            );
            let mut query = sqlx::query(AssertSqlSafe(sql))
                .bind(t.envelope.clone())
                .bind(&t.row);
            if column.split {
                let rest = t.rest.clone().ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "{}.{} is sealed without the document it leaves",
                        column.table, column.plain
                    ))
                })?;
                query = query.bind(rest);
            }
            let done = query.execute(&mut *tx).await?;
            sealed += done.rows_affected();
        }
        if let Some(last) = last {
            let count = last.sealed_before + sealed;
            if count > 0 {
                let mut audit = last.audit.clone();
                audit.object_id = count.to_string();
                self.append_in(&mut tx, &audit).await?;
            }
        }
        tx.commit().await?;
        Ok(sealed)
    }
}
