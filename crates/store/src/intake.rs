//! The intake portal's storage: custodian recipients, volunteer threads and their entries,
//! verification phrases.
//!
//! The store never sees a volunteer's words, files or codename: bodies arrive as age
//! ciphertext, files stay on disk as age files (rows name them), the codename arrives as a
//! one-way lookup key. Volunteer-side dates are days.

use crate::sql::{conflict, missing};
use crate::{AuditContext, Result, SqlStore, Store, StoreError};
use async_trait::async_trait;
use sqlx::Row as _;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeRecipientRow {
    pub id: String,
    /// An age recipient (`age1…`): a public key, not a secret.
    pub recipient: String,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntakeThread {
    pub id: String,
    pub lookup: Vec<u8>,
    pub reply_recipient: String,
    pub received_day: String,
    pub status: String,
}

/// A thread and what the officer listing needs about it (no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeThreadRow {
    pub id: String,
    pub reply_recipient: String,
    pub received_day: String,
    pub status: String,
    pub acknowledged_day: Option<String>,
    pub feedback_day: Option<String>,
    pub source_id: Option<String>,
    /// Bytes the volunteer sent (messages and files), all entries.
    pub size: i64,
    /// Entries the volunteer sent.
    pub received: i64,
    /// Entries officers sent.
    pub replies: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntakeEntry {
    pub id: String,
    /// `received` or `reply`.
    pub kind: String,
    pub day: String,
    /// age ciphertext.
    pub body: Vec<u8>,
    /// Plaintext bytes (message plus file).
    pub size: i64,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct IntakeEntryRow {
    pub id: String,
    pub thread_id: String,
    pub seq: i64,
    pub kind: String,
    pub day: String,
    pub body: Vec<u8>,
    pub size: i64,
    pub file_name: Option<String>,
    pub file_size: Option<i64>,
}

impl std::fmt::Debug for IntakeEntryRow {
    // Ciphertext is not secret, but a dump of it in a log helps nobody.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeEntryRow")
            .field("id", &self.id)
            .field("thread_id", &self.thread_id)
            .field("seq", &self.seq)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVerificationPhrase {
    pub phrase_hash: Vec<u8>,
    pub issued_by: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// A thread's status change and the days that come with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeStatusChange {
    pub status: String,
    pub acknowledged_day: Option<String>,
    pub feedback_day: Option<String>,
    pub source_id: Option<String>,
}

#[async_trait]
pub trait IntakeStore: Store {
    /// Stores each setting that is not yet set (first writer wins), then returns all settings.
    async fn intake_settings_init(
        &self,
        defaults: &[(&str, String)],
        audit: &AuditContext,
    ) -> Result<Vec<(String, String)>>;

    async fn add_intake_recipient(
        &self,
        row: &IntakeRecipientRow,
        audit: &AuditContext,
    ) -> Result<()>;
    async fn remove_intake_recipient(&self, recipient: &str, audit: &AuditContext) -> Result<()>;
    async fn intake_recipients(&self) -> Result<Vec<IntakeRecipientRow>>;

    /// A new thread and its first entry, together.
    async fn create_intake_thread(
        &self,
        thread: &NewIntakeThread,
        first: &NewIntakeEntry,
        audit: &AuditContext,
    ) -> Result<()>;
    async fn intake_thread_by_lookup(&self, lookup: &[u8]) -> Result<Option<IntakeThreadRow>>;
    async fn intake_thread(&self, id: &str) -> Result<Option<IntakeThreadRow>>;
    /// Every thread, oldest first.
    async fn intake_threads(&self) -> Result<Vec<IntakeThreadRow>>;
    /// Appends an entry after the thread's last one; returns its sequence number.
    async fn append_intake_entry(
        &self,
        thread_id: &str,
        entry: &NewIntakeEntry,
        status: Option<&IntakeStatusChange>,
        audit: &AuditContext,
    ) -> Result<i64>;
    /// A thread's entries in order.
    async fn intake_entries(&self, thread_id: &str) -> Result<Vec<IntakeEntryRow>>;
    /// How many threads have `status` and were received before the day `received_before`
    /// (`YYYY-MM-DD`): a count, no thread read.
    async fn count_intake_threads(&self, status: &str, received_before: &str) -> Result<i64>;
    async fn set_intake_status(
        &self,
        thread_id: &str,
        change: &IntakeStatusChange,
        audit: &AuditContext,
    ) -> Result<()>;

    async fn add_verification_phrase(
        &self,
        row: &NewVerificationPhrase,
        audit: &AuditContext,
    ) -> Result<()>;
    /// Marks a phrase used if it exists, is unused and has not expired at `now_ms`; true when
    /// it did (the phrase was genuine). Nothing is written or audited otherwise.
    async fn use_verification_phrase(
        &self,
        phrase_hash: &[u8],
        now_ms: i64,
        day: &str,
        audit: &AuditContext,
    ) -> Result<bool>;
}

// PostgreSQL sums BIGINTs into NUMERIC, which the Any driver cannot read: hence the CAST.
const THREAD_SELECT: &str = "SELECT t.id, t.reply_recipient, t.received_day, t.status, t.acknowledged_day, \
     t.feedback_day, t.source_id, \
     CAST(COALESCE((SELECT SUM(e.size) FROM intake_entries e WHERE e.thread_id = t.id AND e.kind = 'received'), 0) AS BIGINT), \
     (SELECT COUNT(*) FROM intake_entries e WHERE e.thread_id = t.id AND e.kind = 'received'), \
     (SELECT COUNT(*) FROM intake_entries e WHERE e.thread_id = t.id AND e.kind = 'reply') \
     FROM intake_threads t";

fn thread_from_row(row: &AnyRow) -> Result<IntakeThreadRow> {
    Ok(IntakeThreadRow {
        id: row.try_get(0)?,
        reply_recipient: row.try_get(1)?,
        received_day: row.try_get(2)?,
        status: row.try_get(3)?,
        acknowledged_day: row.try_get(4)?,
        feedback_day: row.try_get(5)?,
        source_id: row.try_get(6)?,
        size: row.try_get(7)?,
        received: row.try_get(8)?,
        replies: row.try_get(9)?,
    })
}

async fn insert_entry(
    conn: &mut sqlx::AnyConnection,
    thread_id: &str,
    seq: i64,
    e: &NewIntakeEntry,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO intake_entries (id, thread_id, seq, kind, day, body, size, file_name, file_size) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.id)
    .bind(thread_id)
    .bind(seq)
    .bind(&e.kind)
    .bind(&e.day)
    .bind(e.body.clone())
    .bind(e.size)
    .bind(e.file_name.as_deref())
    .bind(e.file_size)
    .execute(&mut *conn)
    .await
    .map_err(|err| missing(err, "intake thread"))?;
    Ok(())
}

async fn update_status(
    conn: &mut sqlx::AnyConnection,
    thread_id: &str,
    c: &IntakeStatusChange,
) -> Result<()> {
    // COALESCE keeps a day already recorded: the first acknowledgement is the one the
    // seven-day rule is measured against.
    let done = sqlx::query(
        "UPDATE intake_threads SET status = $1, acknowledged_day = COALESCE(acknowledged_day, $2), \
         feedback_day = COALESCE(feedback_day, $3), source_id = COALESCE(source_id, $4) WHERE id = $5",
    )
    .bind(&c.status)
    .bind(c.acknowledged_day.as_deref())
    .bind(c.feedback_day.as_deref())
    .bind(c.source_id.as_deref())
    .bind(thread_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound {
            what: "intake thread",
        });
    }
    Ok(())
}

#[async_trait]
impl IntakeStore for SqlStore {
    async fn intake_settings_init(
        &self,
        defaults: &[(&str, String)],
        audit: &AuditContext,
    ) -> Result<Vec<(String, String)>> {
        let mut tx = self.begin_write().await?;
        let mut added = false;
        for (key, value) in defaults {
            let done = sqlx::query(
                "INSERT INTO intake_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(*key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
            added |= done.rows_affected() == 1;
        }
        if added {
            self.append_in(&mut tx, audit).await?;
        }
        let rows = sqlx::query("SELECT key, value FROM intake_settings ORDER BY key")
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    async fn add_intake_recipient(
        &self,
        row: &IntakeRecipientRow,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO intake_recipients (id, recipient, created_at) VALUES ($1, $2, $3)",
        )
        .bind(&row.id)
        .bind(&row.recipient)
        .bind(row.created_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "that recipient"))?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_intake_recipient(&self, recipient: &str, audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM intake_recipients WHERE recipient = $1")
            .bind(recipient)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound { what: "recipient" });
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn intake_recipients(&self) -> Result<Vec<IntakeRecipientRow>> {
        let rows = sqlx::query(
            "SELECT id, recipient, created_at FROM intake_recipients ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IntakeRecipientRow {
                    id: r.try_get(0)?,
                    recipient: r.try_get(1)?,
                    created_at_ms: r.try_get(2)?,
                })
            })
            .collect()
    }

    async fn create_intake_thread(
        &self,
        thread: &NewIntakeThread,
        first: &NewIntakeEntry,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO intake_threads (id, lookup, reply_recipient, received_day, status) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&thread.id)
        .bind(thread.lookup.clone())
        .bind(&thread.reply_recipient)
        .bind(&thread.received_day)
        .bind(&thread.status)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "a thread with that codename"))?;
        insert_entry(&mut tx, &thread.id, 1, first).await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn intake_thread_by_lookup(&self, lookup: &[u8]) -> Result<Option<IntakeThreadRow>> {
        let sql = format!("{THREAD_SELECT} WHERE t.lookup = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(lookup.to_vec())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(thread_from_row).transpose()
    }

    async fn intake_thread(&self, id: &str) -> Result<Option<IntakeThreadRow>> {
        let sql = format!("{THREAD_SELECT} WHERE t.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(thread_from_row).transpose()
    }

    async fn intake_threads(&self) -> Result<Vec<IntakeThreadRow>> {
        let sql = format!("{THREAD_SELECT} ORDER BY t.received_day, t.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(thread_from_row).collect()
    }

    async fn append_intake_entry(
        &self,
        thread_id: &str,
        entry: &NewIntakeEntry,
        status: Option<&IntakeStatusChange>,
        audit: &AuditContext,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        // Writers are serialised by `begin_write`, so MAX + 1 cannot be taken twice.
        let row =
            sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM intake_entries WHERE thread_id = $1")
                .bind(thread_id)
                .fetch_one(&mut *tx)
                .await?;
        let seq = row.try_get::<i64, _>(0)? + 1;
        insert_entry(&mut tx, thread_id, seq, entry).await?;
        if let Some(change) = status {
            update_status(&mut tx, thread_id, change).await?;
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn intake_entries(&self, thread_id: &str) -> Result<Vec<IntakeEntryRow>> {
        let rows = sqlx::query(
            "SELECT id, thread_id, seq, kind, day, body, size, file_name, file_size \
             FROM intake_entries WHERE thread_id = $1 ORDER BY seq",
        )
        .bind(thread_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IntakeEntryRow {
                    id: r.try_get(0)?,
                    thread_id: r.try_get(1)?,
                    seq: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    day: r.try_get(4)?,
                    body: r.try_get(5)?,
                    size: r.try_get(6)?,
                    file_name: r.try_get(7)?,
                    file_size: r.try_get(8)?,
                })
            })
            .collect()
    }

    async fn count_intake_threads(&self, status: &str, received_before: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM intake_threads WHERE status = $1 AND received_day < $2",
        )
        .bind(status)
        .bind(received_before)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn set_intake_status(
        &self,
        thread_id: &str,
        change: &IntakeStatusChange,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        update_status(&mut tx, thread_id, change).await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_verification_phrase(
        &self,
        row: &NewVerificationPhrase,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO intake_phrases (phrase_hash, issued_by, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(row.phrase_hash.clone())
        .bind(&row.issued_by)
        .bind(row.created_at_ms)
        .bind(row.expires_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict(e, "that verification phrase"))?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_verification_phrase(
        &self,
        phrase_hash: &[u8],
        now_ms: i64,
        day: &str,
        audit: &AuditContext,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        // One statement decides and marks, so two checks racing each other cannot both win.
        let done = sqlx::query(
            "UPDATE intake_phrases SET used_day = $1 \
             WHERE phrase_hash = $2 AND used_day IS NULL AND expires_at > $3",
        )
        .bind(day)
        .bind(phrase_hash.to_vec())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }
}
