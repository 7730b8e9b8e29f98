//! Open-source items (migration 0011): what an outlet published, recorded per compartment so
//! the reliability estimate can tell a claim that repeats the press from independent evidence.
//! The store keeps the ids and times as columns and everything else as an envelope it never
//! opens.

use crate::{AuditContext, Result, SqlStore, Store};
use async_trait::async_trait;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// One open-source item: `content` is the envelope of its outlet, subject, attribute, value
/// and reference.
#[derive(Clone, PartialEq, Eq)]
pub struct OpenSourceItemRow {
    pub id: String,
    pub compartment_id: String,
    pub recorded_by: String,
    pub recorded_at_ms: i64,
    pub published_at_ms: i64,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for OpenSourceItemRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSourceItemRow")
            .field("id", &self.id)
            .field("compartment_id", &self.compartment_id)
            .field("published_at_ms", &self.published_at_ms)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait OpenPressStore: Store {
    /// Records an item and its audit event in one transaction.
    async fn insert_open_source_item(
        &self,
        row: &OpenSourceItemRow,
        audit: &AuditContext,
    ) -> Result<()>;
    /// The compartment's items, latest published first (then by id).
    async fn open_source_items(&self, compartment_id: &str) -> Result<Vec<OpenSourceItemRow>>;
    /// How many items the compartment holds and the greatest id among them: items are only
    /// ever added (ids are unique), so the pair changes with every item recorded by any server.
    async fn open_source_items_mark(&self, compartment_id: &str) -> Result<(i64, Option<String>)>;
}

fn item_row(r: &AnyRow) -> Result<OpenSourceItemRow> {
    Ok(OpenSourceItemRow {
        id: r.try_get(0)?,
        compartment_id: r.try_get(1)?,
        recorded_by: r.try_get(2)?,
        recorded_at_ms: r.try_get(3)?,
        published_at_ms: r.try_get(4)?,
        content: r.try_get(5)?,
    })
}

#[async_trait]
impl OpenPressStore for SqlStore {
    async fn insert_open_source_item(
        &self,
        row: &OpenSourceItemRow,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO open_source_items (id, compartment_id, recorded_by, recorded_at, published_at, content) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&row.id)
        .bind(&row.compartment_id)
        .bind(&row.recorded_by)
        .bind(row.recorded_at_ms)
        .bind(row.published_at_ms)
        .bind(row.content.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::sql::missing(e, "compartment"))?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn open_source_items_mark(&self, compartment_id: &str) -> Result<(i64, Option<String>)> {
        let row = sqlx::query(
            "SELECT COUNT(*), MAX(id) FROM open_source_items WHERE compartment_id = $1",
        )
        .bind(compartment_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    async fn open_source_items(&self, compartment_id: &str) -> Result<Vec<OpenSourceItemRow>> {
        let rows = sqlx::query(
            "SELECT id, compartment_id, recorded_by, recorded_at, published_at, content \
             FROM open_source_items WHERE compartment_id = $1 ORDER BY published_at DESC, id DESC",
        )
        .bind(compartment_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item_row).collect()
    }
}
