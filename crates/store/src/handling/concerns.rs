//! Concerns raised about a source and their reviews (migration 0018). The store keeps the
//! category, who and when as columns and the account and the review's note as envelopes it
//! never opens. Raising and reviewing reschedule the source's alerts in the same transaction
//! as the record and its audit event.

use super::sql::reschedule_source;
use crate::{AuditContext, Result, SqlStore, StoreError};
use async_trait::async_trait;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// The review of a concern: `note` is an envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct ConcernReviewRow {
    pub finding: String,
    pub note: Vec<u8>,
    pub reviewed_by: String,
    pub reviewed_at_ms: i64,
}

/// A concern raised about a source: `account` is an envelope.
#[derive(Clone, PartialEq, Eq)]
pub struct ConcernRow {
    pub id: String,
    pub source_id: String,
    pub category: String,
    pub account: Vec<u8>,
    pub raised_by: String,
    pub raised_at_ms: i64,
    pub review: Option<ConcernReviewRow>,
}

impl std::fmt::Debug for ConcernRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConcernRow")
            .field("id", &self.id)
            .field("source_id", &self.source_id)
            .field("category", &self.category)
            .field("raised_at_ms", &self.raised_at_ms)
            .field("reviewed", &self.review.is_some())
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait ConcernStore: crate::Store {
    /// Records a concern and its audit event, and reschedules its source's alerts, in one
    /// transaction.
    async fn insert_concern(&self, row: &ConcernRow, audit: &AuditContext) -> Result<()>;
    /// Records the review of a concern with its audit event and reschedules the source's
    /// alerts, in one transaction; a concern already reviewed is a `Conflict` and nothing is
    /// written.
    async fn insert_concern_review(
        &self,
        concern_id: &str,
        review: &ConcernReviewRow,
        audit: &AuditContext,
    ) -> Result<()>;
    /// A source's concerns, newest first (then by id).
    async fn concerns(&self, source_id: &str) -> Result<Vec<ConcernRow>>;
    async fn concern(&self, id: &str) -> Result<Option<ConcernRow>>;
}

pub(super) const CONCERN_COLUMNS: &str = "q.id, q.source_id, q.category, q.account_sealed, q.raised_by, q.raised_at, \
     v.finding, v.review_note_sealed, v.reviewed_by, v.reviewed_at";
pub(super) const CONCERN_FROM: &str =
    "source_concerns q LEFT JOIN source_concern_reviews v ON v.concern_id = q.id";

pub(super) fn concern_from_row(r: &AnyRow) -> Result<ConcernRow> {
    let finding: Option<String> = r.try_get(6)?;
    let review = match finding {
        Some(finding) => Some(ConcernReviewRow {
            finding,
            note: r.try_get(7)?,
            reviewed_by: r.try_get(8)?,
            reviewed_at_ms: r.try_get(9)?,
        }),
        None => None,
    };
    Ok(ConcernRow {
        id: r.try_get(0)?,
        source_id: r.try_get(1)?,
        category: r.try_get(2)?,
        account: r.try_get(3)?,
        raised_by: r.try_get(4)?,
        raised_at_ms: r.try_get(5)?,
        review,
    })
}

#[async_trait]
impl ConcernStore for SqlStore {
    async fn insert_concern(&self, row: &ConcernRow, audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO source_concerns (id, source_id, category, account_sealed, raised_by, raised_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&row.id)
        .bind(&row.source_id)
        .bind(&row.category)
        .bind(row.account.clone())
        .bind(&row.raised_by)
        .bind(row.raised_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::sql::missing(e, "source"))?;
        if let Some(scheduler) = self.scheduler.get() {
            reschedule_source(&mut tx, scheduler.as_ref(), &row.source_id).await?;
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_concern_review(
        &self,
        concern_id: &str,
        review: &ConcernReviewRow,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        // Writers are serialised, so this read and the insert below cannot be overtaken.
        let source: Option<(String, Option<String>)> = sqlx::query(
            "SELECT q.source_id, v.concern_id FROM source_concerns q \
             LEFT JOIN source_concern_reviews v ON v.concern_id = q.id WHERE q.id = $1",
        )
        .bind(concern_id)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
        let source_id = match source {
            None => return Err(StoreError::NotFound { what: "concern" }),
            Some((_, Some(_))) => {
                return Err(StoreError::Conflict {
                    what: "a review of this concern",
                });
            }
            Some((source_id, None)) => source_id,
        };
        sqlx::query(
            "INSERT INTO source_concern_reviews (concern_id, finding, review_note_sealed, reviewed_by, reviewed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(concern_id)
        .bind(&review.finding)
        .bind(review.note.clone())
        .bind(&review.reviewed_by)
        .bind(review.reviewed_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::sql::missing(e, "officer"))?;
        if let Some(scheduler) = self.scheduler.get() {
            reschedule_source(&mut tx, scheduler.as_ref(), &source_id).await?;
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn concerns(&self, source_id: &str) -> Result<Vec<ConcernRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONCERN_COLUMNS} FROM {CONCERN_FROM} WHERE q.source_id = $1 \
             ORDER BY q.raised_at DESC, q.id DESC"
        )))
        .bind(source_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(concern_from_row).collect()
    }

    async fn concern(&self, id: &str) -> Result<Option<ConcernRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONCERN_COLUMNS} FROM {CONCERN_FROM} WHERE q.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(concern_from_row).transpose()
    }
}
