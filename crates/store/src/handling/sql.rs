//! [`HandlingStore`] over SQL, in the dialect both backends share.

use super::write::{apply, insert_contact};
use super::*;
use crate::{SqlStore, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row as _};

mod inspection;

/// The tasking statuses still asked of the source, as an SQL list: the core's
/// `TaskingStatus::is_live` (a test below keeps the two the same).
macro_rules! live_taskings {
    () => {
        "('issued', 'agreed', 'acknowledged')"
    };
}

const REQUIREMENT_COLUMNS: &str = concat!(
    "r.id, r.compartment_id, c.name, r.title, r.detail, r.priority, r.opened_at, r.review_by, r.review_due_at, r.closed_at, r.created_by, \
     (SELECT COUNT(DISTINCT t.source_id) FROM taskings t WHERE t.requirement_id = r.id AND t.status IN ",
    live_taskings!(),
    ")"
);
const SOURCE_COLUMNS: &str = "s.id, s.compartment_id, c.name, s.codename, s.state, s.origin, s.juvenile, s.vulnerable, s.undercover, s.recruited_at, s.created_at, s.created_by, s.version, s.motivation";
const ROLE_COLUMNS: &str =
    "r.id, r.source_id, r.role, r.officer_id, u.username, r.from_ms, r.until_ms";
pub(super) const AUTH_COLUMNS: &str = "a.id, a.source_id, a.kind, a.parent_id, a.granted_by, a.granted_at, a.expires_at, a.cancelled_at, a.next_review_due, a.doc, a.text_sealed";
const CONTACT_COLUMNS: &str = "k.id, k.source_id, k.status, k.at_ms, k.next_contact_due, k.recorded_by, k.recorded_at, k.doc, k.text_sealed";
const PAYMENT_COLUMNS: &str = "p.id, p.source_id, p.kind, p.amount_minor, p.recorded_at, p.approved_at, p.paid_at, p.doc, p.text_sealed";
const REPORT_COLUMNS: &str = "id, source_id, contact_id, requirement_id, status, source_grade, info_grade, handling_code, graded_by, graded_at, created_by, created_at, reported_at";

/// Compartments the reader is read into, for `IN (...)`; binds the reader as `$1`.
const READER_COMPARTMENTS: &str = "SELECT compartment_id FROM user_compartments WHERE user_id = $1";

fn requirement_from_row(r: &AnyRow) -> Result<RequirementRow> {
    Ok(RequirementRow {
        id: r.try_get(0)?,
        compartment_id: r.try_get(1)?,
        compartment: r.try_get(2)?,
        title: r.try_get(3)?,
        detail: r.try_get(4)?,
        priority: r.try_get(5)?,
        opened_at_ms: r.try_get(6)?,
        review_by: r.try_get(7)?,
        review_due_at_ms: r.try_get(8)?,
        closed_at_ms: r.try_get(9)?,
        created_by: r.try_get(10)?,
        tasked_sources: r.try_get(11)?,
    })
}

fn source_from_row(r: &AnyRow) -> Result<SourceRow> {
    Ok(SourceRow {
        id: r.try_get(0)?,
        compartment_id: r.try_get(1)?,
        compartment: r.try_get(2)?,
        codename: r.try_get(3)?,
        state: r.try_get(4)?,
        origin: r.try_get(5)?,
        juvenile: r.try_get::<i64, _>(6)? != 0,
        vulnerable: r.try_get::<i64, _>(7)? != 0,
        undercover: r.try_get::<i64, _>(8)? != 0,
        recruited_at_ms: r.try_get(9)?,
        created_at_ms: r.try_get(10)?,
        created_by: r.try_get(11)?,
        version: r.try_get(12)?,
        motivation: r.try_get(13)?,
    })
}

fn role_from_row(r: &AnyRow) -> Result<RoleRow> {
    Ok(RoleRow {
        id: r.try_get(0)?,
        source_id: r.try_get(1)?,
        role: r.try_get(2)?,
        officer_id: r.try_get(3)?,
        officer_name: r.try_get(4)?,
        from_ms: r.try_get(5)?,
        until_ms: r.try_get(6)?,
    })
}

/// A tasking's columns, in the order [`tasking_from_row`] reads them.
pub(super) const TASKING_COLUMNS: &str = "id, source_id, requirement_id, authorisation_id, issued_by, issued_at, status, doc, doc_sealed";

pub(super) fn tasking_from_row(r: &AnyRow) -> Result<TaskingRow> {
    Ok(TaskingRow {
        id: r.try_get(0)?,
        source_id: r.try_get(1)?,
        requirement_id: r.try_get(2)?,
        authorisation_id: r.try_get(3)?,
        issued_by: r.try_get(4)?,
        issued_at_ms: r.try_get(5)?,
        status: r.try_get(6)?,
        doc: r.try_get(7)?,
        doc_sealed: r.try_get::<Option<Vec<u8>>, _>(8)?,
    })
}

pub(super) fn auth_from_row(r: &AnyRow) -> Result<AuthorisationRow> {
    Ok(AuthorisationRow {
        id: r.try_get(0)?,
        source_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        parent_id: r.try_get(3)?,
        granted_by: r.try_get(4)?,
        granted_at_ms: r.try_get(5)?,
        expires_at_ms: r.try_get(6)?,
        cancelled_at_ms: r.try_get(7)?,
        next_review_due_ms: r.try_get(8)?,
        doc: r.try_get(9)?,
        text_sealed: r.try_get::<Option<Vec<u8>>, _>(10)?,
    })
}

fn contact_from_row(r: &AnyRow) -> Result<ContactRow> {
    Ok(ContactRow {
        id: r.try_get(0)?,
        source_id: r.try_get(1)?,
        status: r.try_get(2)?,
        at_ms: r.try_get(3)?,
        next_contact_due_ms: r.try_get(4)?,
        recorded_by: r.try_get(5)?,
        recorded_at_ms: r.try_get(6)?,
        doc: r.try_get(7)?,
        text_sealed: r.try_get::<Option<Vec<u8>>, _>(8)?,
        notes: None,
    })
}

fn payment_from_row(r: &AnyRow) -> Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.try_get(0)?,
        source_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        amount_minor: r.try_get(3)?,
        recorded_at_ms: r.try_get(4)?,
        approved_at_ms: r.try_get(5)?,
        paid_at_ms: r.try_get(6)?,
        doc: r.try_get(7)?,
        text_sealed: r.try_get::<Option<Vec<u8>>, _>(8)?,
    })
}

pub(super) fn report_from_row(r: &AnyRow) -> Result<ReportRow> {
    Ok(ReportRow {
        id: r.try_get(0)?,
        source_id: r.try_get(1)?,
        contact_id: r.try_get(2)?,
        requirement_id: r.try_get(3)?,
        status: r.try_get(4)?,
        source_grade: r.try_get(5)?,
        info_grade: r.try_get(6)?,
        handling_code: r.try_get(7)?,
        graded_by: r.try_get(8)?,
        graded_at_ms: r.try_get(9)?,
        created_by: r.try_get(10)?,
        created_at_ms: r.try_get(11)?,
        reported_at_ms: r.try_get(12)?,
    })
}

fn claim_from_row(r: &AnyRow) -> Result<ClaimRow> {
    Ok(ClaimRow {
        id: r.try_get(0)?,
        report_id: r.try_get(1)?,
        observed_at_ms: r.try_get(2)?,
        recorded_by: r.try_get(3)?,
        recorded_at_ms: r.try_get(4)?,
        content: r.try_get(5)?,
    })
}

/// `after` as a bind: ids are compared as text, and every UUID sorts after the empty string.
fn after(page: &Page) -> String {
    page.after.clone().unwrap_or_default()
}

impl SqlStore {
    async fn all<T>(
        &self,
        sql: String,
        binds: &[&str],
        map: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(map).collect()
    }

    async fn first<T>(
        &self,
        sql: String,
        id: &str,
        map: fn(&AnyRow) -> Result<T>,
    ) -> Result<Option<T>> {
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(map).transpose()
    }

    async fn blob(&self, sql: &'static str, id: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => r.try_get::<Option<Vec<u8>>, _>(0)?,
            None => None,
        })
    }
}

#[async_trait]
impl HandlingStore for SqlStore {
    async fn handling_write(
        &self,
        guard: Option<&SourceGuard>,
        writes: &[HandlingWrite],
        audit: &[AuditContext],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if let Some(g) = guard {
            let done = sqlx::query(
                "UPDATE sources SET version = version + 1 WHERE id = $1 AND version = $2",
            )
            .bind(&g.source_id)
            .bind(g.version)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict {
                    what: "a newer change to this source",
                });
            }
        }
        for w in writes {
            apply(&mut tx, w).await?;
        }
        if let Some(scheduler) = self.scheduler.get() {
            let (sources, requirements, errors) = schedule_owners(&mut tx, guard, writes).await?;
            for id in &sources {
                reschedule_source(&mut tx, scheduler.as_ref(), id).await?;
            }
            for id in &requirements {
                reschedule_requirement(&mut tx, scheduler.as_ref(), id).await?;
            }
            for id in &errors {
                reschedule_error(&mut tx, scheduler.as_ref(), id).await?;
            }
        }
        for a in audit {
            self.append_in(&mut tx, a).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn requirement(&self, id: &str) -> Result<Option<RequirementRow>> {
        let sql = format!(
            "SELECT {REQUIREMENT_COLUMNS} FROM requirements r JOIN compartments c ON c.id = r.compartment_id WHERE r.id = $1"
        );
        self.first(sql, id, requirement_from_row).await
    }

    async fn list_requirements(&self, f: &RequirementFilter) -> Result<Vec<RequirementRow>> {
        let mut sql = format!(
            "SELECT {REQUIREMENT_COLUMNS} FROM requirements r JOIN compartments c ON c.id = r.compartment_id \
             WHERE r.compartment_id IN ({READER_COMPARTMENTS}) AND r.id > $2 AND ($3 = '' OR c.name = $3)"
        );
        if f.open_only || f.uncovered_only {
            sql.push_str(" AND r.closed_at IS NULL");
        }
        if f.uncovered_only {
            sql.push_str(concat!(
                " AND NOT EXISTS (SELECT 1 FROM taskings t WHERE t.requirement_id = r.id AND t.status IN ",
                live_taskings!(),
                ")"
            ));
        }
        sql.push_str(" ORDER BY r.id LIMIT $4");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&f.reader)
            .bind(after(&f.page))
            .bind(f.compartment.clone().unwrap_or_default())
            .bind(f.page.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(requirement_from_row).collect()
    }

    async fn source(&self, id: &str) -> Result<Option<SourceRow>> {
        let sql = format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s JOIN compartments c ON c.id = s.compartment_id WHERE s.id = $1"
        );
        self.first(sql, id, source_from_row).await
    }

    async fn list_sources(&self, f: &SourceFilter) -> Result<Vec<SourceRow>> {
        let readable = self.backend().in_reader_compartments("s.compartment_id");
        let mut sql = format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s JOIN compartments c ON c.id = s.compartment_id \
             WHERE {readable} AND s.id > $2 AND ($3 = '' OR c.name = $3) AND ($4 = '' OR s.state = $4) \
             AND ($6 = '' OR EXISTS (SELECT 1 FROM reliability_estimates e WHERE e.source_id = s.id AND e.letter = $6))"
        );
        if f.handled_by.is_some() {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM source_roles r WHERE r.source_id = s.id AND r.role = 'handler' AND r.officer_id = $7 AND r.until_ms IS NULL)",
            );
        }
        sql.push_str(" ORDER BY s.id LIMIT $5");
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(&f.reader)
            .bind(after(&f.page))
            .bind(f.compartment.clone().unwrap_or_default())
            .bind(f.state.clone().unwrap_or_default())
            .bind(f.page.limit)
            .bind(f.letter.clone().unwrap_or_default());
        if let Some(h) = &f.handled_by {
            q = q.bind(h.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(source_from_row).collect()
    }

    async fn source_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM sources")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn source_identity(&self, id: &str) -> Result<Option<Vec<u8>>> {
        self.blob("SELECT true_identity FROM sources WHERE id = $1", id)
            .await
    }

    async fn source_transitions(&self, source_id: &str) -> Result<Vec<TransitionRow>> {
        let sql = "SELECT id, source_id, from_state, to_state, at_ms, actor, doc, doc_sealed FROM source_transitions WHERE source_id = $1 ORDER BY at_ms, id";
        self.all(sql.to_owned(), &[source_id], |r| {
            Ok(TransitionRow {
                id: r.try_get(0)?,
                source_id: r.try_get(1)?,
                from_state: r.try_get(2)?,
                to_state: r.try_get(3)?,
                at_ms: r.try_get(4)?,
                actor: r.try_get(5)?,
                doc: r.try_get(6)?,
                doc_sealed: r.try_get::<Option<Vec<u8>>, _>(7)?,
            })
        })
        .await
    }

    async fn source_roles(&self, source_id: &str) -> Result<Vec<RoleRow>> {
        let sql = format!(
            "SELECT {ROLE_COLUMNS} FROM source_roles r JOIN users u ON u.id = r.officer_id WHERE r.source_id = $1 ORDER BY r.from_ms, r.id"
        );
        self.all(sql, &[source_id], role_from_row).await
    }

    async fn risk_assessments(&self, source_id: &str) -> Result<Vec<RiskRow>> {
        let sql = "SELECT id, source_id, assessed_by, assessed_at, level, explained, understood, content FROM risk_assessments WHERE source_id = $1 ORDER BY assessed_at, id";
        self.all(sql.to_owned(), &[source_id], |r| {
            Ok(RiskRow {
                id: r.try_get(0)?,
                source_id: r.try_get(1)?,
                assessed_by: r.try_get(2)?,
                assessed_at_ms: r.try_get(3)?,
                level: r.try_get(4)?,
                explained: r.try_get::<i64, _>(5)? != 0,
                understood: r.try_get::<i64, _>(6)? != 0,
                content: r.try_get(7)?,
            })
        })
        .await
    }

    async fn authorisations(&self, source_id: &str) -> Result<Vec<AuthorisationRow>> {
        let sql = format!(
            "SELECT {AUTH_COLUMNS} FROM authorisations a WHERE a.source_id = $1 ORDER BY a.granted_at, a.id"
        );
        self.all(sql, &[source_id], auth_from_row).await
    }

    async fn authorisation(&self, id: &str) -> Result<Option<AuthorisationRow>> {
        let sql = format!("SELECT {AUTH_COLUMNS} FROM authorisations a WHERE a.id = $1");
        self.first(sql, id, auth_from_row).await
    }

    async fn taskings(&self, source_id: &str) -> Result<Vec<TaskingRow>> {
        let sql = format!(
            "SELECT {TASKING_COLUMNS} FROM taskings WHERE source_id = $1 ORDER BY issued_at, id"
        );
        self.all(sql, &[source_id], tasking_from_row).await
    }

    async fn contacts(&self, source_id: &str, page: &Page) -> Result<Vec<ContactRow>> {
        // Newest first: `after` is the last id of the previous page, and ids descend.
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts k WHERE k.source_id = $1 AND ($2 = '' OR k.id < $2) ORDER BY k.id DESC LIMIT $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(source_id)
            .bind(after(page))
            .bind(page.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(contact_from_row).collect()
    }

    async fn contact(&self, id: &str) -> Result<Option<ContactRow>> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts k WHERE k.id = $1");
        self.first(sql, id, contact_from_row).await
    }

    async fn contact_notes(&self, id: &str) -> Result<Option<Vec<u8>>> {
        self.blob("SELECT notes FROM contacts WHERE id = $1", id)
            .await
    }

    async fn payments(&self, source_id: &str) -> Result<Vec<PaymentRow>> {
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.source_id = $1 ORDER BY p.recorded_at, p.id"
        );
        self.all(sql, &[source_id], payment_from_row).await
    }

    async fn payment(&self, id: &str) -> Result<Option<PaymentRow>> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1");
        self.first(sql, id, payment_from_row).await
    }

    async fn reports(&self, source_id: &str, page: &Page) -> Result<Vec<ReportRow>> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM reports WHERE source_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(source_id)
            .bind(after(page))
            .bind(page.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(report_from_row).collect()
    }

    async fn report(&self, id: &str) -> Result<Option<ReportRow>> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = $1");
        self.first(sql, id, report_from_row).await
    }

    async fn report_content(&self, id: &str) -> Result<Option<Vec<u8>>> {
        self.blob("SELECT content FROM reports WHERE id = $1", id)
            .await
    }

    async fn claims(&self, report_id: &str) -> Result<Vec<ClaimRow>> {
        let sql = "SELECT id, report_id, observed_at, recorded_by, recorded_at, content FROM claims WHERE report_id = $1 ORDER BY id";
        self.all(sql.to_owned(), &[report_id], claim_from_row).await
    }

    async fn claim(&self, id: &str) -> Result<Option<ClaimRow>> {
        let sql = "SELECT id, report_id, observed_at, recorded_by, recorded_at, content FROM claims WHERE id = $1";
        self.first(sql.to_owned(), id, claim_from_row).await
    }

    async fn disseminations(&self, report_id: &str) -> Result<Vec<DisseminationRow>> {
        let sql = "SELECT id, report_id, recipient, handling_code, sanitised, disseminated_by, disseminated_at FROM disseminations WHERE report_id = $1 ORDER BY disseminated_at, id";
        self.all(sql.to_owned(), &[report_id], |r| {
            Ok(DisseminationRow {
                id: r.try_get(0)?,
                report_id: r.try_get(1)?,
                recipient: r.try_get(2)?,
                handling_code: r.try_get(3)?,
                sanitised: r.try_get::<i64, _>(4)? != 0,
                disseminated_by: r.try_get(5)?,
                disseminated_at_ms: r.try_get(6)?,
            })
        })
        .await
    }

    async fn outcomes(&self, claim_id: &str) -> Result<Vec<OutcomeRow>> {
        let sql = "SELECT id, claim_id, verdict, means, established_at, recorded_by, recorded_at FROM outcomes WHERE claim_id = $1 ORDER BY established_at, id";
        self.all(sql.to_owned(), &[claim_id], |r| {
            Ok(OutcomeRow {
                id: r.try_get(0)?,
                claim_id: r.try_get(1)?,
                verdict: r.try_get(2)?,
                means: r.try_get(3)?,
                established_at_ms: r.try_get(4)?,
                recorded_by: r.try_get(5)?,
                recorded_at_ms: r.try_get(6)?,
            })
        })
        .await
    }

    async fn alert_page(&self, q: &AlertQuery) -> Result<AlertPage> {
        // In force now, in the reader's compartments; a handler's: their sources' and those
        // about no source; an analyst's: only those about no source. $1 reader, $2 handler,
        // $3 now, $4 whether alerts about sources are included, $5 whether the reader keeps the
        // error register.
        let visible = "FROM alert_schedule a WHERE a.compartment_id IN (SELECT compartment_id FROM user_compartments WHERE user_id = $1) \
             AND a.starts_at <= $3 AND (a.ends_at IS NULL OR a.ends_at > $3) \
             AND ($4 = 1 OR a.source_id IS NULL) \
             AND ($2 = '' OR a.source_id IS NULL OR a.handler_id = $2) \
             AND ($5 = 1 OR a.keepers_only = 0)";
        let handler = q.handled_by.clone().unwrap_or_default();
        let about_sources = i64::from(q.about_sources);
        let keeps_register = i64::from(q.keeps_register);
        // Keyset: after (severity, due, id) in the order severity descending, due, id.
        let (sev, due, id) = match &q.after {
            Some(c) => (c.severity, c.due_at_ms, c.id.clone()),
            None => (i64::MAX, i64::MIN, String::new()),
        };
        // One statement, so one snapshot and one round trip: the visible alerts' sorting keys
        // are gathered once; the page's documents (part 1) and the counts per kind (part 0,
        // the count in the last column) are both read from them, and so is the next instant
        // the answer changes by time alone: the first end among them (part 2) or the first
        // start in the reader's compartments (part 3, found by one index probe each).
        let result = sqlx::query(AssertSqlSafe(format!(
            "WITH live AS MATERIALIZED (SELECT a.id, a.kind, a.severity, a.due_at, a.ends_at {visible}) \
             SELECT {SCHEDULE_COLUMNS}, CAST(1 AS BIGINT) AS part, CAST(0 AS BIGINT) AS n FROM alert_schedule a \
             WHERE a.id IN (SELECT l.id FROM live l WHERE ($6 = '' OR l.kind = $6) \
             AND (l.severity < $7 OR (l.severity = $7 AND (l.due_at > $8 OR (l.due_at = $8 AND l.id > $9)))) \
             ORDER BY l.severity DESC, l.due_at, l.id LIMIT $10) \
             UNION ALL \
             SELECT '', '', NULL, '', l.kind, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), NULL, '', NULL, CAST(0 AS BIGINT), \
             CAST(0 AS BIGINT), COUNT(*) FROM live l GROUP BY l.kind \
             UNION ALL \
             SELECT '', '', NULL, '', '', CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), NULL, '', NULL, CAST(0 AS BIGINT), \
             CAST(2 AS BIGINT), MIN(l.ends_at) FROM live l \
             UNION ALL \
             SELECT '', '', NULL, '', '', CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), NULL, '', NULL, CAST(0 AS BIGINT), \
             CAST(3 AS BIGINT), MIN((SELECT MIN(s.starts_at) FROM alert_schedule s WHERE s.compartment_id = uc.compartment_id AND s.starts_at > $3)) \
             FROM user_compartments uc WHERE uc.user_id = $1 \
             ORDER BY part, severity DESC, due_at, id, kind"
        )))
        .bind(q.reader.clone())
        .bind(handler)
        .bind(q.now_ms)
        .bind(about_sources)
        .bind(keeps_register)
        .bind(q.kind.clone().unwrap_or_default())
        .bind(sev)
        .bind(due)
        .bind(id)
        .bind(q.limit)
        .fetch_all(&self.pool)
        .await?;
        let mut rows = Vec::new();
        let mut counts = Vec::new();
        let mut next_change_ms: Option<i64> = None;
        for r in &result {
            match r.try_get::<i64, _>(12)? {
                0 => counts.push((r.try_get::<String, _>(4)?, r.try_get::<i64, _>(13)?)),
                1 => rows.push(schedule_from_row(r)?),
                _ => {
                    if let Some(at) = r.try_get::<Option<i64>, _>(13)? {
                        next_change_ms = Some(next_change_ms.map_or(at, |n| n.min(at)));
                    }
                }
            }
        }
        Ok(AlertPage {
            rows,
            counts,
            next_change_ms,
        })
    }

    async fn alert_schedule_built(&self) -> Result<bool> {
        let row = sqlx::query("SELECT value FROM alert_schedule_meta WHERE key = 'built'")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    async fn prune_alert_schedule(&self, ended_by_ms: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("DELETE FROM alert_schedule WHERE ends_at IS NOT NULL AND ends_at <= $1")
                .bind(ended_by_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(done)
    }

    async fn rebuild_alert_schedule(&self) -> Result<u64> {
        let Some(scheduler) = self.scheduler.get() else {
            return Err(StoreError::Refused(
                "no alert scheduler is installed to rebuild the alert schedule with",
            ));
        };
        let mut done = 0u64;
        let mut last = String::new();
        loop {
            let ids: Vec<String> =
                sqlx::query("SELECT id FROM sources WHERE id > $1 ORDER BY id LIMIT 250")
                    .bind(&last)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<std::result::Result<_, _>>()?;
            let Some(end) = ids.last().cloned() else {
                break;
            };
            let mut tx = self.begin_write().await?;
            for id in &ids {
                reschedule_source(&mut tx, scheduler.as_ref(), id).await?;
            }
            tx.commit().await?;
            done += ids.len() as u64;
            last = end;
        }
        let mut tx = self.begin_write().await?;
        let requirements: Vec<String> = sqlx::query("SELECT id FROM requirements ORDER BY id")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
        for id in &requirements {
            reschedule_requirement(&mut tx, scheduler.as_ref(), id).await?;
        }
        done += requirements.len() as u64;
        let errors: Vec<String> =
            sqlx::query("SELECT id FROM relevant_errors WHERE reported_at IS NULL ORDER BY id")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<std::result::Result<_, _>>()?;
        for id in &errors {
            reschedule_error(&mut tx, scheduler.as_ref(), id).await?;
        }
        done += errors.len() as u64;
        sqlx::query("DELETE FROM alert_schedule_meta WHERE key = 'built'")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO alert_schedule_meta (key, value) VALUES ('built', '1')")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn bulk_insert_contacts(&self, rows: &[ContactRow], audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for k in rows {
            insert_contact(&mut tx, k).await?;
        }
        if let Some(scheduler) = self.scheduler.get() {
            let mut sources: Vec<&str> = rows.iter().map(|k| k.source_id.as_str()).collect();
            sources.sort_unstable();
            sources.dedup();
            for id in sources {
                reschedule_source(&mut tx, scheduler.as_ref(), id).await?;
            }
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

const SCHEDULE_COLUMNS: &str = "a.id, a.owner_id, a.source_id, a.compartment_id, a.kind, a.severity, a.due_at, a.starts_at, a.ends_at, a.doc, a.handler_id, a.keepers_only";

fn schedule_from_row(r: &AnyRow) -> Result<AlertScheduleRow> {
    Ok(AlertScheduleRow {
        id: r.try_get(0)?,
        owner_id: r.try_get(1)?,
        source_id: r.try_get(2)?,
        compartment_id: r.try_get(3)?,
        kind: r.try_get(4)?,
        severity: r.try_get(5)?,
        due_at_ms: r.try_get(6)?,
        starts_at_ms: r.try_get(7)?,
        ends_at_ms: r.try_get(8)?,
        doc: r.try_get(9)?,
        handler_id: r.try_get(10)?,
        keepers_only: r.try_get::<i64, _>(11)? != 0,
    })
}

/// The sources, requirements and relevant errors whose alert schedule a handling write can
/// change.
async fn schedule_owners(
    conn: &mut sqlx::AnyConnection,
    guard: Option<&SourceGuard>,
    writes: &[HandlingWrite],
) -> Result<(Vec<String>, Vec<String>, Vec<String>)> {
    let mut sources: Vec<String> = guard.iter().map(|g| g.source_id.clone()).collect();
    let mut requirements = Vec::new();
    let mut errors = Vec::new();
    for w in writes {
        match w {
            HandlingWrite::InsertRequirement(r) => requirements.push(r.id.clone()),
            HandlingWrite::InsertSource { row, .. } => sources.push(row.id.clone()),
            HandlingWrite::SetSourceState { source_id, .. } => sources.push(source_id.clone()),
            HandlingWrite::InsertRole(r) => sources.push(r.source_id.clone()),
            HandlingWrite::CloseRole { id, .. } => {
                let row = sqlx::query("SELECT source_id FROM source_roles WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                if let Some(r) = row {
                    sources.push(r.try_get(0)?);
                }
            }
            HandlingWrite::InsertAuthorisation(a) | HandlingWrite::UpdateAuthorisation(a) => {
                sources.push(a.source_id.clone());
            }
            HandlingWrite::InsertContact(k) | HandlingWrite::UpdateContact(k) => {
                sources.push(k.source_id.clone());
            }
            HandlingWrite::InsertPayment(p) | HandlingWrite::UpdatePayment(p) => {
                sources.push(p.source_id.clone());
            }
            // A risk assessment or a tasking starts or ends a risk-assessment alert.
            HandlingWrite::InsertRisk(r) => sources.push(r.source_id.clone()),
            HandlingWrite::InsertTasking(t) => sources.push(t.source_id.clone()),
            HandlingWrite::UpdateTasking { source_id, .. } => sources.push(source_id.clone()),
            HandlingWrite::InsertTransition(_)
            | HandlingWrite::SetSourceMotivation { .. }
            | HandlingWrite::InsertReport { .. }
            | HandlingWrite::UpdateReport(_)
            | HandlingWrite::InsertClaim(_)
            | HandlingWrite::InsertDissemination(_)
            | HandlingWrite::InsertOutcome(_) => {}
            // Review and closure move or end a requirement's "past review-by" alert.
            HandlingWrite::UpdateRequirement { id, .. } => requirements.push(id.clone()),
            // Establishing and reporting move or end an error's "report due" alert.
            HandlingWrite::InsertRelevantError(e) | HandlingWrite::UpdateRelevantError(e) => {
                errors.push(e.id.clone());
            }
            // History and assessment rows feed no scheduled alert.
            HandlingWrite::InsertRequirementEvent(_)
            | HandlingWrite::InsertBreakGlass(_)
            | HandlingWrite::InsertGrading(_)
            | HandlingWrite::InsertGradeDecision(_)
            | HandlingWrite::InsertTextCheck { .. } => {}
        }
    }
    sources.sort_unstable();
    sources.dedup();
    requirements.sort_unstable();
    requirements.dedup();
    errors.sort_unstable();
    errors.dedup();
    Ok((sources, requirements, errors))
}

/// The records the alert rules read about one source (see [`SourceAlertInputs`]): one index
/// seek per part on contacts (source_id, status, at_ms), whatever the source's history.
async fn source_alert_inputs(
    conn: &mut sqlx::AnyConnection,
    source_id: &str,
) -> Result<Option<SourceAlertInputs>> {
    let Some(source) = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SOURCE_COLUMNS} FROM sources s JOIN compartments c ON c.id = s.compartment_id WHERE s.id = $1"
    )))
    .bind(source_id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(source_from_row)
    .transpose()?
    else {
        return Ok(None);
    };
    let authorisations = sqlx::query(AssertSqlSafe(format!(
        "SELECT {AUTH_COLUMNS} FROM authorisations a WHERE a.source_id = $1 AND (a.cancelled_at IS NULL OR a.kind = 'criminal_conduct') ORDER BY a.id"
    )))
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(auth_from_row)
    .collect::<Result<Vec<_>>>()?;
    let roles = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ROLE_COLUMNS} FROM source_roles r JOIN users u ON u.id = r.officer_id WHERE r.source_id = $1 ORDER BY r.id"
    )))
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(role_from_row)
    .collect::<Result<Vec<_>>>()?;
    let contacts = sqlx::query(AssertSqlSafe(format!(
        "WITH h AS (SELECT MAX(c.at_ms) AS last_held FROM contacts c WHERE c.source_id = $1 AND c.status = 'held') \
         SELECT {CONTACT_COLUMNS} FROM h JOIN contacts k ON k.source_id = $1 AND k.status = 'held' AND k.at_ms = h.last_held \
         UNION ALL \
         SELECT {CONTACT_COLUMNS} FROM contacts k WHERE k.source_id = $1 AND k.status = 'planned' \
         UNION ALL \
         SELECT {CONTACT_COLUMNS} FROM h JOIN contacts k ON k.source_id = $1 AND k.status = 'missed' AND (h.last_held IS NULL OR k.at_ms > h.last_held) \
         ORDER BY 1"
    )))
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(contact_from_row)
    .collect::<Result<Vec<_>>>()?;
    let payments = sqlx::query(AssertSqlSafe(format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.source_id = $1 AND p.kind = 'payment' ORDER BY p.id"
    )))
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(payment_from_row)
    .collect::<Result<Vec<_>>>()?;
    let concerns = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM {} WHERE q.source_id = $1 ORDER BY q.id",
        super::concerns::CONCERN_COLUMNS,
        super::concerns::CONCERN_FROM
    )))
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(super::concerns::concern_from_row)
    .collect::<Result<Vec<_>>>()?;
    let risk_assessed_at_ms = sqlx::query(
        "SELECT assessed_at FROM risk_assessments WHERE source_id = $1 ORDER BY assessed_at",
    )
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get::<i64, _>(0))
    .collect::<std::result::Result<Vec<_>, _>>()?;
    // (The instructions and notes come along sealed; the alert rules never read them.)
    let live_taskings = sqlx::query(AssertSqlSafe(format!(
        concat!(
            "SELECT {} FROM taskings WHERE source_id = $1 AND status IN ",
            live_taskings!(),
            " ORDER BY issued_at, id"
        ),
        TASKING_COLUMNS
    )))
    .bind(source_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(tasking_from_row)
    .collect::<Result<Vec<_>>>()?;
    let mut payment_settings = [None, None];
    if !payments.is_empty() {
        for (slot, key) in payment_settings.iter_mut().zip(crate::PAYMENT_SETTINGS) {
            *slot = sqlx::query("SELECT value FROM station_meta WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        }
    }
    Ok(Some(SourceAlertInputs {
        source,
        authorisations,
        roles,
        contacts,
        payments,
        concerns,
        risk_assessed_at_ms,
        live_taskings,
        payment_settings,
    }))
}

/// Replaces the schedule of one owner; every row about a source carries the source's current
/// handler (the open handler period; a handover closes one and opens the next in the same
/// write, which reschedules the source).
async fn replace_schedule(
    conn: &mut sqlx::AnyConnection,
    owner_id: &str,
    rows: &[AlertScheduleRow],
    handler_id: Option<&str>,
) -> Result<()> {
    sqlx::query("DELETE FROM alert_schedule WHERE owner_id = $1")
        .bind(owner_id)
        .execute(&mut *conn)
        .await?;
    for a in rows {
        sqlx::query(
            "INSERT INTO alert_schedule (id, owner_id, source_id, compartment_id, kind, severity, due_at, starts_at, ends_at, doc, handler_id, keepers_only) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&a.id)
        .bind(&a.owner_id)
        .bind(a.source_id.clone())
        .bind(&a.compartment_id)
        .bind(&a.kind)
        .bind(a.severity)
        .bind(a.due_at_ms)
        .bind(a.starts_at_ms)
        .bind(a.ends_at_ms)
        .bind(&a.doc)
        .bind(handler_id)
        .bind(i64::from(a.keepers_only))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn reschedule_source(
    conn: &mut sqlx::AnyConnection,
    scheduler: &dyn AlertScheduler,
    source_id: &str,
) -> Result<()> {
    let rows = match source_alert_inputs(conn, source_id).await? {
        Some(inputs) => scheduler
            .source_schedule(&inputs)
            .map_err(StoreError::Corrupt)?,
        None => Vec::new(),
    };
    let handler: Option<String> = sqlx::query(
        "SELECT officer_id FROM source_roles WHERE source_id = $1 AND role = 'handler' AND until_ms IS NULL ORDER BY from_ms DESC, id LIMIT 1",
    )
    .bind(source_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    replace_schedule(conn, source_id, &rows, handler.as_deref()).await
}

async fn reschedule_error(
    conn: &mut sqlx::AnyConnection,
    scheduler: &dyn AlertScheduler,
    error_id: &str,
) -> Result<()> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM relevant_errors e JOIN compartments c ON c.id = e.compartment_id WHERE e.id = $1",
        super::register::ERROR_COLUMNS
    )))
    .bind(error_id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(super::register::error_from_row)
    .transpose()?;
    let rows = match row {
        Some(e) => scheduler.error_schedule(&e).map_err(StoreError::Corrupt)?,
        None => Vec::new(),
    };
    replace_schedule(conn, error_id, &rows, None).await
}

async fn reschedule_requirement(
    conn: &mut sqlx::AnyConnection,
    scheduler: &dyn AlertScheduler,
    requirement_id: &str,
) -> Result<()> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {REQUIREMENT_COLUMNS} FROM requirements r JOIN compartments c ON c.id = r.compartment_id WHERE r.id = $1"
    )))
    .bind(requirement_id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(requirement_from_row)
    .transpose()?;
    let rows = match row {
        Some(r) => scheduler
            .requirement_schedule(&r)
            .map_err(StoreError::Corrupt)?,
        None => Vec::new(),
    };
    replace_schedule(conn, requirement_id, &rows, None).await
}

#[cfg(test)]
mod tests {
    use humint_core::handling::tasking::TaskingStatus;

    /// The SQL list of live statuses is exactly the core's rule: every status the core calls
    /// live is in it, and no other.
    #[test]
    fn the_sql_list_of_live_taskings_is_the_cores_rule() {
        use TaskingStatus::*;
        let all = [Issued, Agreed, Declined, Completed, Withdrawn, Acknowledged];
        for status in all {
            // Exhaustive: a new status fails to compile here until it is placed.
            match status {
                Issued | Agreed | Declined | Completed | Withdrawn | Acknowledged => {}
            }
            let name = serde_json::to_string(&status).unwrap_or_default();
            let quoted = format!("'{}'", name.trim_matches('"'));
            assert_eq!(
                live_taskings!().contains(&quoted),
                status.is_live(),
                "{quoted}"
            );
        }
    }
}
