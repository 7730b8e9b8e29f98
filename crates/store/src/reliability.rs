//! Storage of the validation engine's results in the station (issue 4): each source's current
//! suggestion and its history, each claim's and report's suggested credibility, and grade
//! decisions (written through [`crate::HandlingWrite::InsertGradeDecision`] with the grading).
//!
//! The store decides nothing: the station runs the engine over a compartment's claims and
//! outcomes (read here as ciphertext and verdicts), applies the core's rules, and hands back the
//! rows that changed, which [`ReliabilityStore::save_reliability`] writes in one transaction with
//! the audit event. Large writes go in multi-row statements so a compartment of 100,000 claims
//! is stored in a few hundred round trips, not 100,000.

use crate::{AuditContext, Result, SqlStore, Store};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row as _};

/// A claim of a compartment as the estimate reads it: whose it is, and its content envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct CompartmentClaimRow {
    pub claim_id: String,
    pub report_id: String,
    pub source_id: String,
    /// When the claim was written (the memo's reads of new claims go by it).
    pub recorded_at_ms: i64,
    /// When its report's source gave it (the report's `reported_at`): who reported first.
    pub reported_at_ms: i64,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for CompartmentClaimRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompartmentClaimRow")
            .field("claim_id", &self.claim_id)
            .field("source_id", &self.source_id)
            .finish_non_exhaustive()
    }
}

/// An outcome on a claim of the compartment, in the order they were established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompartmentOutcomeRow {
    pub claim_id: String,
    pub verdict: String,
}

/// A source of the compartment: its id and codename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompartmentSourceRow {
    pub id: String,
    pub codename: String,
}

/// A source's current estimate; `doc` holds the numbers and evidence as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateRow {
    pub source_id: String,
    pub compartment_id: String,
    pub computed_at_ms: i64,
    pub letter: String,
    pub doc: String,
}

/// One point of a source's estimate history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub id: String,
    pub source_id: String,
    pub computed_at_ms: i64,
    pub doc: String,
}

/// A claim's suggested credibility digit and its evidence (`doc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimAssessmentRow {
    pub claim_id: String,
    pub report_id: String,
    pub compartment_id: String,
    pub computed_at_ms: i64,
    pub digit: i64,
    pub doc: String,
}

/// A report's suggested digit and whether its corroboration is circular.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportAssessmentRow {
    pub report_id: String,
    pub compartment_id: String,
    pub computed_at_ms: i64,
    pub digit: Option<i64>,
    pub circular: bool,
    pub doc: String,
}

/// A grade as decided, the suggestion it was decided against, and the rationale envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct GradeDecisionRow {
    pub id: String,
    pub report_id: String,
    pub graded_by: String,
    pub graded_at_ms: i64,
    pub source_grade: String,
    pub info_grade: i64,
    pub suggested_source: Option<String>,
    pub suggested_info: Option<i64>,
    pub rationale: Option<Vec<u8>>,
}

impl std::fmt::Debug for GradeDecisionRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GradeDecisionRow")
            .field("id", &self.id)
            .field("report_id", &self.report_id)
            .field("source_grade", &self.source_grade)
            .field("info_grade", &self.info_grade)
            .finish_non_exhaustive()
    }
}

/// What one estimate changed: rows to insert or replace, and history points to append.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReliabilityUpdate {
    pub estimates: Vec<EstimateRow>,
    pub history: Vec<HistoryRow>,
    pub claims: Vec<ClaimAssessmentRow>,
    pub reports: Vec<ReportAssessmentRow>,
}

/// Everything stored from the last estimate of a compartment (to tell what changed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredAssessments {
    pub estimates: Vec<EstimateRow>,
    pub claims: Vec<ClaimAssessmentRow>,
    pub reports: Vec<ReportAssessmentRow>,
}

#[async_trait]
pub trait ReliabilityStore: Store {
    /// Every claim on a report of a source of the compartment, in claim-id order.
    async fn compartment_claims(&self, compartment_id: &str) -> Result<Vec<CompartmentClaimRow>>;
    /// Those claims recorded at `recorded_from_ms` or later, in claim-id order.
    async fn compartment_claims_since(
        &self,
        compartment_id: &str,
        recorded_from_ms: i64,
    ) -> Result<Vec<CompartmentClaimRow>>;
    /// How many claims the compartment has (claims are never deleted, and a source never
    /// leaves its compartment, so the number only grows).
    async fn compartment_claim_count(&self, compartment_id: &str) -> Result<i64>;
    /// The compartment's reliability generation: how many times its estimates were saved
    /// (0 before the first).
    async fn reliability_generation(&self, compartment_id: &str) -> Result<i64>;
    /// Every outcome on those claims, oldest established first (the latest one stands).
    async fn compartment_outcomes(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<CompartmentOutcomeRow>>;
    /// The compartment's sources (id and codename).
    async fn compartment_sources(&self, compartment_id: &str) -> Result<Vec<CompartmentSourceRow>>;
    /// What the last estimate of the compartment stored.
    async fn stored_assessments(&self, compartment_id: &str) -> Result<StoredAssessments>;
    /// Writes an estimate's changes of the compartment and its audit event in one transaction,
    /// raising the compartment's reliability generation by one; returns the new generation.
    async fn save_reliability(
        &self,
        compartment_id: &str,
        update: &ReliabilityUpdate,
        audit: &AuditContext,
    ) -> Result<i64>;
    async fn reliability_estimate(&self, source_id: &str) -> Result<Option<EstimateRow>>;
    /// When the source gave each of its reports reported at `from_ms` or later (`reported_at`),
    /// and the latest before `from_ms` if there is one, which shows that its record began
    /// earlier (the volume of its reporting, for the warning signs); in no particular order.
    async fn source_report_times(&self, source_id: &str, from_ms: i64) -> Result<Vec<i64>>;
    /// (source id, suggested letter, estimate document) of those of `source_ids` that have an
    /// estimate.
    async fn estimates_of(&self, source_ids: &[String]) -> Result<Vec<(String, String, String)>>;
    /// (source id, suggested letter, estimate document) of every source of the compartment
    /// that has an estimate, in source-id order.
    async fn compartment_estimates(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<(String, String, String)>>;
    /// (source id, time reported) of the reports of those of `source_ids` reported at
    /// `from_ms` or later, and of each source's latest report before `from_ms`, if any (as
    /// [`ReliabilityStore::source_report_times`]).
    async fn report_times_of(
        &self,
        source_ids: &[String],
        from_ms: i64,
    ) -> Result<Vec<(String, i64)>>;
    /// A source's estimate history, oldest first.
    async fn reliability_history(&self, source_id: &str) -> Result<Vec<HistoryRow>>;
    async fn claim_assessments(&self, report_id: &str) -> Result<Vec<ClaimAssessmentRow>>;
    async fn report_assessment(&self, report_id: &str) -> Result<Option<ReportAssessmentRow>>;
    /// A report's grade decisions, oldest first.
    async fn grade_decisions(&self, report_id: &str) -> Result<Vec<GradeDecisionRow>>;
}

const ESTIMATE_COLUMNS: &str = "source_id, compartment_id, computed_at, letter, doc";
const CLAIM_COLUMNS: &str = "claim_id, report_id, compartment_id, computed_at, digit, doc";
const REPORT_COLUMNS: &str = "report_id, compartment_id, computed_at, digit, circular, doc";

fn claim_row(r: &AnyRow) -> Result<CompartmentClaimRow> {
    Ok(CompartmentClaimRow {
        claim_id: r.try_get(0)?,
        report_id: r.try_get(1)?,
        source_id: r.try_get(2)?,
        content: r.try_get(3)?,
        recorded_at_ms: r.try_get(4)?,
        reported_at_ms: r.try_get(5)?,
    })
}

fn estimate_from_row(r: &AnyRow) -> Result<EstimateRow> {
    Ok(EstimateRow {
        source_id: r.try_get(0)?,
        compartment_id: r.try_get(1)?,
        computed_at_ms: r.try_get(2)?,
        letter: r.try_get(3)?,
        doc: r.try_get(4)?,
    })
}

fn claim_from_row(r: &AnyRow) -> Result<ClaimAssessmentRow> {
    Ok(ClaimAssessmentRow {
        claim_id: r.try_get(0)?,
        report_id: r.try_get(1)?,
        compartment_id: r.try_get(2)?,
        computed_at_ms: r.try_get(3)?,
        digit: r.try_get(4)?,
        doc: r.try_get(5)?,
    })
}

fn report_from_row(r: &AnyRow) -> Result<ReportAssessmentRow> {
    Ok(ReportAssessmentRow {
        report_id: r.try_get(0)?,
        compartment_id: r.try_get(1)?,
        computed_at_ms: r.try_get(2)?,
        digit: r.try_get(3)?,
        circular: r.try_get::<i64, _>(4)? != 0,
        doc: r.try_get(5)?,
    })
}

/// A value bound into a multi-row statement.
enum Val<'a> {
    Text(&'a str),
    Int(i64),
    OptInt(Option<i64>),
}

/// Rows per multi-row statement. Small: SQLite's driver looks parameters up by name, at a
/// cost that grows with the parameters of the statement (500 rows of six spent a fifth of an
/// import there).
const BATCH: usize = 50;

/// `INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET col = excluded.col, …` in
/// batches, inside the caller's transaction. Both backends accept this form.
async fn upsert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    key: &str,
    rows: &[Vec<Val<'_>>],
) -> Result<()> {
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| **c != key)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let conflict = if updates.is_empty() {
        String::new()
    } else {
        format!(" ON CONFLICT ({key}) DO UPDATE SET {}", updates.join(", "))
    };
    for chunk in rows.chunks(BATCH) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..columns.len() {
                if j > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        sql.push_str(&conflict);
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    Val::Text(t) => q.bind(t.to_string()),
                    Val::Int(i) => q.bind(*i),
                    Val::OptInt(i) => q.bind(*i),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

impl SqlStore {
    /// The rows of `select` followed by `(…)` of `ids`' binds, a hundred ids a statement so
    /// it stays small on both backends; `first`, if any, is bound as `$1` before them.
    async fn rows_in(
        &self,
        select: &str,
        first: Option<i64>,
        ids: &[String],
    ) -> Result<Vec<AnyRow>> {
        self.rows_in_then(select, first, ids, "").await
    }

    /// [`Self::rows_in`] with `tail` after the list of ids (a `GROUP BY`).
    async fn rows_in_then(
        &self,
        select: &str,
        first: Option<i64>,
        ids: &[String],
        tail: &str,
    ) -> Result<Vec<AnyRow>> {
        let mut out = Vec::new();
        let skip = usize::from(first.is_some());
        for chunk in ids.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len())
                .map(|n| format!("${}", n + skip))
                .collect();
            let sql = format!("{select} ({}){tail}", marks.join(", "));
            let mut q = sqlx::query(AssertSqlSafe(sql));
            if let Some(v) = first {
                q = q.bind(v);
            }
            for id in chunk {
                q = q.bind(id.clone());
            }
            out.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    async fn rows<T>(
        &self,
        sql: &str,
        bind: &str,
        map: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let rows = sqlx::query(AssertSqlSafe(sql.to_owned()))
            .bind(bind.to_owned())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(map).collect()
    }
}

#[async_trait]
impl ReliabilityStore for SqlStore {
    async fn compartment_claims(&self, compartment_id: &str) -> Result<Vec<CompartmentClaimRow>> {
        self.rows(
            "SELECT c.id, c.report_id, r.source_id, c.content, c.recorded_at, r.reported_at FROM claims c \
             JOIN reports r ON r.id = c.report_id JOIN sources s ON s.id = r.source_id \
             WHERE s.compartment_id = $1 ORDER BY c.id",
            compartment_id,
            claim_row,
        )
        .await
    }

    async fn compartment_claims_since(
        &self,
        compartment_id: &str,
        recorded_from_ms: i64,
    ) -> Result<Vec<CompartmentClaimRow>> {
        let rows = sqlx::query(
            "SELECT c.id, c.report_id, r.source_id, c.content, c.recorded_at, r.reported_at FROM claims c \
             JOIN reports r ON r.id = c.report_id JOIN sources s ON s.id = r.source_id \
             WHERE s.compartment_id = $1 AND c.recorded_at >= $2 ORDER BY c.id",
        )
        .bind(compartment_id)
        .bind(recorded_from_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(claim_row).collect()
    }

    async fn compartment_claim_count(&self, compartment_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM claims c JOIN reports r ON r.id = c.report_id \
             JOIN sources s ON s.id = r.source_id WHERE s.compartment_id = $1",
        )
        .bind(compartment_id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn reliability_generation(&self, compartment_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT generation FROM reliability_generations WHERE compartment_id = $1",
        )
        .bind(compartment_id)
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or(0))
    }

    async fn compartment_outcomes(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<CompartmentOutcomeRow>> {
        self.rows(
            "SELECT o.claim_id, o.verdict FROM outcomes o JOIN claims c ON c.id = o.claim_id \
             JOIN reports r ON r.id = c.report_id JOIN sources s ON s.id = r.source_id \
             WHERE s.compartment_id = $1 ORDER BY o.established_at, o.id",
            compartment_id,
            |r| {
                Ok(CompartmentOutcomeRow {
                    claim_id: r.try_get(0)?,
                    verdict: r.try_get(1)?,
                })
            },
        )
        .await
    }

    async fn compartment_sources(&self, compartment_id: &str) -> Result<Vec<CompartmentSourceRow>> {
        self.rows(
            "SELECT id, codename FROM sources WHERE compartment_id = $1 ORDER BY id",
            compartment_id,
            |r| {
                Ok(CompartmentSourceRow {
                    id: r.try_get(0)?,
                    codename: r.try_get(1)?,
                })
            },
        )
        .await
    }

    async fn stored_assessments(&self, compartment_id: &str) -> Result<StoredAssessments> {
        Ok(StoredAssessments {
            estimates: self
                .rows(
                    &format!("SELECT {ESTIMATE_COLUMNS} FROM reliability_estimates WHERE compartment_id = $1"),
                    compartment_id,
                    estimate_from_row,
                )
                .await?,
            claims: self
                .rows(
                    &format!("SELECT {CLAIM_COLUMNS} FROM claim_assessments WHERE compartment_id = $1"),
                    compartment_id,
                    claim_from_row,
                )
                .await?,
            reports: self
                .rows(
                    &format!("SELECT {REPORT_COLUMNS} FROM report_assessments WHERE compartment_id = $1"),
                    compartment_id,
                    report_from_row,
                )
                .await?,
        })
    }

    async fn save_reliability(
        &self,
        compartment_id: &str,
        update: &ReliabilityUpdate,
        audit: &AuditContext,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let estimates: Vec<Vec<Val<'_>>> = update
            .estimates
            .iter()
            .map(|e| {
                vec![
                    Val::Text(&e.source_id),
                    Val::Text(&e.compartment_id),
                    Val::Int(e.computed_at_ms),
                    Val::Text(&e.letter),
                    Val::Text(&e.doc),
                ]
            })
            .collect();
        upsert(
            &mut tx,
            "reliability_estimates",
            &[
                "source_id",
                "compartment_id",
                "computed_at",
                "letter",
                "doc",
            ],
            "source_id",
            &estimates,
        )
        .await?;
        // History points are few (only sources whose estimate moved); each takes the next
        // number of its source under the write lock.
        for h in &update.history {
            sqlx::query(
                "INSERT INTO reliability_history (id, source_id, seq, computed_at, doc) \
                 SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4 FROM reliability_history WHERE source_id = $2",
            )
            .bind(&h.id)
            .bind(&h.source_id)
            .bind(h.computed_at_ms)
            .bind(&h.doc)
            .execute(&mut *tx)
            .await?;
        }
        let claims: Vec<Vec<Val<'_>>> = update
            .claims
            .iter()
            .map(|c| {
                vec![
                    Val::Text(&c.claim_id),
                    Val::Text(&c.report_id),
                    Val::Text(&c.compartment_id),
                    Val::Int(c.computed_at_ms),
                    Val::Int(c.digit),
                    Val::Text(&c.doc),
                ]
            })
            .collect();
        upsert(
            &mut tx,
            "claim_assessments",
            &[
                "claim_id",
                "report_id",
                "compartment_id",
                "computed_at",
                "digit",
                "doc",
            ],
            "claim_id",
            &claims,
        )
        .await?;
        let reports: Vec<Vec<Val<'_>>> = update
            .reports
            .iter()
            .map(|r| {
                vec![
                    Val::Text(&r.report_id),
                    Val::Text(&r.compartment_id),
                    Val::Int(r.computed_at_ms),
                    Val::OptInt(r.digit),
                    Val::Int(i64::from(r.circular)),
                    Val::Text(&r.doc),
                ]
            })
            .collect();
        upsert(
            &mut tx,
            "report_assessments",
            &[
                "report_id",
                "compartment_id",
                "computed_at",
                "digit",
                "circular",
                "doc",
            ],
            "report_id",
            &reports,
        )
        .await?;
        let generation: i64 = sqlx::query_scalar(
            "INSERT INTO reliability_generations (compartment_id, generation) VALUES ($1, 1) \
             ON CONFLICT (compartment_id) DO UPDATE SET generation = reliability_generations.generation + 1 \
             RETURNING generation",
        )
        .bind(compartment_id)
        .fetch_one(&mut *tx)
        .await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(generation)
    }

    async fn reliability_estimate(&self, source_id: &str) -> Result<Option<EstimateRow>> {
        Ok(self
            .rows(
                &format!(
                    "SELECT {ESTIMATE_COLUMNS} FROM reliability_estimates WHERE source_id = $1"
                ),
                source_id,
                estimate_from_row,
            )
            .await?
            .pop())
    }

    async fn source_report_times(&self, source_id: &str, from_ms: i64) -> Result<Vec<i64>> {
        // Read from the index on (source_id, reported_at) alone.
        let rows = sqlx::query(
            "SELECT reported_at FROM reports WHERE source_id = $1 AND reported_at >= $2 \
             UNION ALL SELECT MAX(reported_at) FROM reports WHERE source_id = $1 AND reported_at < $2",
        )
        .bind(source_id)
        .bind(from_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.extend(r.try_get::<Option<i64>, _>(0)?);
        }
        Ok(out)
    }

    async fn estimates_of(&self, source_ids: &[String]) -> Result<Vec<(String, String, String)>> {
        let mut out = Vec::with_capacity(source_ids.len());
        for r in self
            .rows_in(
                "SELECT source_id, letter, doc FROM reliability_estimates WHERE source_id IN",
                None,
                source_ids,
            )
            .await?
        {
            out.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
        }
        Ok(out)
    }

    async fn compartment_estimates(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<(String, String, String)>> {
        self.rows(
            "SELECT source_id, letter, doc FROM reliability_estimates WHERE compartment_id = $1 \
             ORDER BY source_id",
            compartment_id,
            |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)),
        )
        .await
    }

    async fn report_times_of(
        &self,
        source_ids: &[String],
        from_ms: i64,
    ) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        // From the index on (source_id, reported_at) alone.
        for r in self
            .rows_in(
                "SELECT source_id, reported_at FROM reports WHERE reported_at >= $1 AND source_id IN",
                Some(from_ms),
                source_ids,
            )
            .await?
        {
            out.push((r.try_get(0)?, r.try_get(1)?));
        }
        for r in self
            .rows_in_then(
                "SELECT source_id, MAX(reported_at) FROM reports WHERE reported_at < $1 AND source_id IN",
                Some(from_ms),
                source_ids,
                " GROUP BY source_id",
            )
            .await?
        {
            out.push((r.try_get(0)?, r.try_get(1)?));
        }
        Ok(out)
    }

    async fn reliability_history(&self, source_id: &str) -> Result<Vec<HistoryRow>> {
        self.rows(
            "SELECT id, source_id, computed_at, doc FROM reliability_history WHERE source_id = $1 ORDER BY seq",
            source_id,
            |r| {
                Ok(HistoryRow {
                    id: r.try_get(0)?,
                    source_id: r.try_get(1)?,
                    computed_at_ms: r.try_get(2)?,
                    doc: r.try_get(3)?,
                })
            },
        )
        .await
    }

    async fn claim_assessments(&self, report_id: &str) -> Result<Vec<ClaimAssessmentRow>> {
        self.rows(
            &format!("SELECT {CLAIM_COLUMNS} FROM claim_assessments WHERE report_id = $1 ORDER BY claim_id"),
            report_id,
            claim_from_row,
        )
        .await
    }

    async fn report_assessment(&self, report_id: &str) -> Result<Option<ReportAssessmentRow>> {
        Ok(self
            .rows(
                &format!("SELECT {REPORT_COLUMNS} FROM report_assessments WHERE report_id = $1"),
                report_id,
                report_from_row,
            )
            .await?
            .pop())
    }

    async fn grade_decisions(&self, report_id: &str) -> Result<Vec<GradeDecisionRow>> {
        self.rows(
            "SELECT id, report_id, graded_by, graded_at, source_grade, info_grade, suggested_source, suggested_info, rationale \
             FROM grade_decisions WHERE report_id = $1 ORDER BY graded_at, id",
            report_id,
            |r| {
                Ok(GradeDecisionRow {
                    id: r.try_get(0)?,
                    report_id: r.try_get(1)?,
                    graded_by: r.try_get(2)?,
                    graded_at_ms: r.try_get(3)?,
                    source_grade: r.try_get(4)?,
                    info_grade: r.try_get(5)?,
                    suggested_source: r.try_get(6)?,
                    suggested_info: r.try_get(7)?,
                    rationale: r.try_get(8)?,
                })
            },
        )
        .await
    }
}

/// Inserts a grade decision inside the caller's transaction (see `HandlingWrite`).
pub(crate) async fn insert_grade_decision(
    conn: &mut AnyConnection,
    d: &GradeDecisionRow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO grade_decisions (id, report_id, graded_by, graded_at, source_grade, info_grade, suggested_source, suggested_info, rationale) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&d.id)
    .bind(&d.report_id)
    .bind(&d.graded_by)
    .bind(d.graded_at_ms)
    .bind(&d.source_grade)
    .bind(d.info_grade)
    .bind(d.suggested_source.as_deref())
    .bind(d.suggested_info)
    .bind(d.rationale.clone())
    .execute(&mut *conn)
    .await
    .map_err(|e| crate::sql::missing(e, "report"))?;
    Ok(())
}
