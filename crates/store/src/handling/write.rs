//! The writes a handling decision implies, applied inside the caller's transaction.

use super::*;
use crate::StoreError;
use crate::sql::{conflict, missing};
use sqlx::AnyConnection;

fn flag(b: bool) -> i64 {
    i64::from(b)
}

pub(super) async fn insert_contact(conn: &mut AnyConnection, k: &ContactRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO contacts (id, source_id, status, at_ms, next_contact_due, recorded_by, recorded_at, doc, notes, text_sealed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&k.id)
    .bind(&k.source_id)
    .bind(&k.status)
    .bind(k.at_ms)
    .bind(k.next_contact_due_ms)
    .bind(&k.recorded_by)
    .bind(k.recorded_at_ms)
    .bind(&k.doc)
    .bind(k.notes.clone())
    .bind(k.text_sealed.clone())
    .execute(&mut *conn)
    .await
    .map_err(|e| missing(e, "source"))?;
    Ok(())
}

/// Fails the transaction unless exactly one row changed.
pub(super) fn one(done: sqlx::any::AnyQueryResult, what: &'static str) -> Result<()> {
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound { what })
    }
}

pub(super) async fn apply(conn: &mut AnyConnection, w: &HandlingWrite) -> Result<()> {
    match w {
        HandlingWrite::InsertRequirement(r) => {
            sqlx::query(
                "INSERT INTO requirements (id, compartment_id, title, detail, priority, opened_at, review_by, review_due_at, closed_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&r.id)
            .bind(&r.compartment_id)
            .bind(&r.title)
            .bind(&r.detail)
            .bind(r.priority)
            .bind(r.opened_at_ms)
            .bind(&r.review_by)
            .bind(r.review_due_at_ms)
            .bind(r.closed_at_ms)
            .bind(&r.created_by)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "compartment"))?;
        }
        HandlingWrite::InsertSource { row, true_identity } => {
            sqlx::query(
                "INSERT INTO sources (id, compartment_id, codename, state, origin, juvenile, vulnerable, undercover, recruited_at, true_identity, created_at, created_by, version, motivation) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13)",
            )
            .bind(&row.id)
            .bind(&row.compartment_id)
            .bind(&row.codename)
            .bind(&row.state)
            .bind(&row.origin)
            .bind(flag(row.juvenile))
            .bind(flag(row.vulnerable))
            .bind(flag(row.undercover))
            .bind(row.recruited_at_ms)
            .bind(true_identity.clone())
            .bind(row.created_at_ms)
            .bind(&row.created_by)
            .bind(row.motivation.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| match conflict(e, "a source with that codename") {
                StoreError::Database(e) => missing(e, "compartment"),
                other => other,
            })?;
        }
        HandlingWrite::SetSourceState {
            source_id,
            state,
            recruited_at_ms,
        } => {
            let done = sqlx::query(
                "UPDATE sources SET state = $1, recruited_at = COALESCE($2, recruited_at) WHERE id = $3",
            )
            .bind(state)
            .bind(*recruited_at_ms)
            .bind(source_id)
            .execute(&mut *conn)
            .await?;
            one(done, "source")?;
        }
        HandlingWrite::SetSourceMotivation {
            source_id,
            motivation,
        } => {
            let done = sqlx::query("UPDATE sources SET motivation = $1 WHERE id = $2")
                .bind(motivation.clone())
                .bind(source_id)
                .execute(&mut *conn)
                .await?;
            one(done, "source")?;
        }
        HandlingWrite::InsertTransition(t) => {
            sqlx::query(
                "INSERT INTO source_transitions (id, source_id, from_state, to_state, at_ms, actor, doc, doc_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&t.id)
            .bind(&t.source_id)
            .bind(&t.from_state)
            .bind(&t.to_state)
            .bind(t.at_ms)
            .bind(&t.actor)
            .bind(&t.doc)
            .bind(t.doc_sealed.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "source"))?;
        }
        HandlingWrite::InsertRole(r) => {
            sqlx::query(
                "INSERT INTO source_roles (id, source_id, role, officer_id, from_ms, until_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&r.id)
            .bind(&r.source_id)
            .bind(&r.role)
            .bind(&r.officer_id)
            .bind(r.from_ms)
            .bind(r.until_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "officer"))?;
        }
        HandlingWrite::CloseRole { id, until_ms } => {
            let done = sqlx::query(
                "UPDATE source_roles SET until_ms = $1 WHERE id = $2 AND until_ms IS NULL",
            )
            .bind(*until_ms)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            one(done, "current role period")?;
        }
        HandlingWrite::InsertRisk(r) => {
            sqlx::query(
                "INSERT INTO risk_assessments (id, source_id, assessed_by, assessed_at, level, explained, understood, content) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&r.id)
            .bind(&r.source_id)
            .bind(&r.assessed_by)
            .bind(r.assessed_at_ms)
            .bind(&r.level)
            .bind(flag(r.explained))
            .bind(flag(r.understood))
            .bind(r.content.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "source"))?;
        }
        HandlingWrite::InsertAuthorisation(a) => {
            sqlx::query(
                "INSERT INTO authorisations (id, source_id, kind, parent_id, granted_by, granted_at, expires_at, cancelled_at, next_review_due, doc, text_sealed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&a.id)
            .bind(&a.source_id)
            .bind(&a.kind)
            .bind(a.parent_id.as_deref())
            .bind(&a.granted_by)
            .bind(a.granted_at_ms)
            .bind(a.expires_at_ms)
            .bind(a.cancelled_at_ms)
            .bind(a.next_review_due_ms)
            .bind(&a.doc)
            .bind(a.text_sealed.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "source or parent authorisation"))?;
        }
        HandlingWrite::UpdateAuthorisation(a) => {
            let done = sqlx::query(
                "UPDATE authorisations SET expires_at = $1, cancelled_at = $2, next_review_due = $3, doc = $4, text_sealed = $7 WHERE id = $5 AND source_id = $6",
            )
            .bind(a.expires_at_ms)
            .bind(a.cancelled_at_ms)
            .bind(a.next_review_due_ms)
            .bind(&a.doc)
            .bind(&a.id)
            .bind(&a.source_id)
            .bind(a.text_sealed.clone())
            .execute(&mut *conn)
            .await?;
            one(done, "authorisation")?;
        }
        HandlingWrite::InsertTasking(t) => {
            sqlx::query(
                "INSERT INTO taskings (id, source_id, requirement_id, authorisation_id, issued_by, issued_at, status, doc, doc_sealed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&t.id)
            .bind(&t.source_id)
            .bind(&t.requirement_id)
            .bind(&t.authorisation_id)
            .bind(&t.issued_by)
            .bind(t.issued_at_ms)
            .bind(&t.status)
            .bind(&t.doc)
            .bind(t.doc_sealed.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "requirement"))?;
        }
        HandlingWrite::InsertContact(k) => insert_contact(conn, k).await?,
        HandlingWrite::UpdateContact(k) => {
            let done = sqlx::query(
                "UPDATE contacts SET status = $1, at_ms = $2, next_contact_due = $3, doc = $4, notes = COALESCE($5, notes), text_sealed = $8 WHERE id = $6 AND source_id = $7",
            )
            .bind(&k.status)
            .bind(k.at_ms)
            .bind(k.next_contact_due_ms)
            .bind(&k.doc)
            .bind(k.notes.clone())
            .bind(&k.id)
            .bind(&k.source_id)
            .bind(k.text_sealed.clone())
            .execute(&mut *conn)
            .await?;
            one(done, "contact")?;
        }
        HandlingWrite::InsertPayment(p) => {
            sqlx::query(
                "INSERT INTO payments (id, source_id, kind, amount_minor, recorded_at, approved_at, paid_at, doc, text_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&p.id)
            .bind(&p.source_id)
            .bind(&p.kind)
            .bind(p.amount_minor)
            .bind(p.recorded_at_ms)
            .bind(p.approved_at_ms)
            .bind(p.paid_at_ms)
            .bind(&p.doc)
            .bind(p.text_sealed.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "source"))?;
        }
        HandlingWrite::UpdatePayment(p) => {
            let done = sqlx::query(
                "UPDATE payments SET approved_at = $1, paid_at = $2, doc = $3, text_sealed = $6 WHERE id = $4 AND source_id = $5",
            )
            .bind(p.approved_at_ms)
            .bind(p.paid_at_ms)
            .bind(&p.doc)
            .bind(&p.id)
            .bind(&p.source_id)
            .bind(p.text_sealed.clone())
            .execute(&mut *conn)
            .await?;
            one(done, "payment")?;
        }
        HandlingWrite::InsertReport { row, content } => {
            sqlx::query(
                "INSERT INTO reports (id, source_id, contact_id, requirement_id, status, source_grade, info_grade, handling_code, graded_by, graded_at, created_by, created_at, content, reported_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(&row.id)
            .bind(&row.source_id)
            .bind(row.contact_id.as_deref())
            .bind(row.requirement_id.as_deref())
            .bind(&row.status)
            .bind(row.source_grade.as_deref())
            .bind(row.info_grade)
            .bind(row.handling_code.as_deref())
            .bind(row.graded_by.as_deref())
            .bind(row.graded_at_ms)
            .bind(&row.created_by)
            .bind(row.created_at_ms)
            .bind(content.clone())
            .bind(row.reported_at_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "source, contact or requirement"))?;
        }
        HandlingWrite::UpdateReport(row) => {
            let done = sqlx::query(
                "UPDATE reports SET status = $1, source_grade = $2, info_grade = $3, handling_code = $4, graded_by = $5, graded_at = $6 WHERE id = $7",
            )
            .bind(&row.status)
            .bind(row.source_grade.as_deref())
            .bind(row.info_grade)
            .bind(row.handling_code.as_deref())
            .bind(row.graded_by.as_deref())
            .bind(row.graded_at_ms)
            .bind(&row.id)
            .execute(&mut *conn)
            .await?;
            one(done, "report")?;
        }
        HandlingWrite::InsertClaim(c) => {
            sqlx::query(
                "INSERT INTO claims (id, report_id, observed_at, recorded_by, recorded_at, content) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&c.id)
            .bind(&c.report_id)
            .bind(c.observed_at_ms)
            .bind(&c.recorded_by)
            .bind(c.recorded_at_ms)
            .bind(c.content.clone())
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "report"))?;
        }
        HandlingWrite::InsertDissemination(d) => {
            sqlx::query(
                "INSERT INTO disseminations (id, report_id, recipient, handling_code, sanitised, disseminated_by, disseminated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&d.id)
            .bind(&d.report_id)
            .bind(&d.recipient)
            .bind(&d.handling_code)
            .bind(flag(d.sanitised))
            .bind(&d.disseminated_by)
            .bind(d.disseminated_at_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "report"))?;
        }
        HandlingWrite::InsertOutcome(o) => {
            sqlx::query(
                "INSERT INTO outcomes (id, claim_id, verdict, means, established_at, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&o.id)
            .bind(&o.claim_id)
            .bind(&o.verdict)
            .bind(&o.means)
            .bind(o.established_at_ms)
            .bind(&o.recorded_by)
            .bind(o.recorded_at_ms)
            .execute(&mut *conn)
            .await
            .map_err(|e| missing(e, "claim"))?;
        }
        HandlingWrite::InsertGradeDecision(d) => {
            crate::reliability::insert_grade_decision(conn, d).await?;
        }
        HandlingWrite::InsertTextCheck {
            compartment_id,
            compared,
            check,
        } => {
            super::boilerplate::insert_grant_text_check(conn, compartment_id, *compared, check)
                .await?;
        }
        other => super::register::apply(conn, other).await?,
    }
    Ok(())
}
