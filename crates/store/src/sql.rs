//! The store over SQL. The two backends share these statements (they are written in the
//! dialect both understand: `$n` binds, BIGINT times, text ids); what differs lives in
//! [`Backend`].

use crate::backend::LedgerSlice;
use crate::backup::{self, BackupSink, BackupSource, BackupSummary, ColumnKind, Line};
use crate::{
    AuditContext, Backend, CompartmentRecord, ENCRYPTED_COLUMNS, EncryptedField, FieldCursor,
    KeyVersionRow, NewUser, Result, SessionRecord, Store, StoreError, UserRecord,
};
use async_trait::async_trait;
use base64::Engine as _;
use humint_audit::{AuditEvent, Checkpoint, StoredEvent};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Executor as _, Row as _};

/// A checkpoint is signed into the database every this many events; `humint audit verify`
/// then detects a truncation back past any of them.
pub const CHECKPOINT_EVERY: i64 = 1000;

/// The keys the store needs to extend the ledger. Derived from the master key by the caller.
#[derive(Clone)]
pub struct AuditKeys {
    pub chain: [u8; 32],
    pub checkpoint: [u8; 32],
}

impl std::fmt::Debug for AuditKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKeys(..)")
    }
}

#[derive(Debug)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    backend: Backend,
    keys: AuditKeys,
    /// Installed by the station at open; keeps the alert schedule with every handling write.
    pub(crate) scheduler: std::sync::OnceLock<std::sync::Arc<dyn crate::AlertScheduler>>,
}

const USER_COLUMNS: &str = "id, username, role, password_hash, totp_secret, totp_last_step, disabled, failed_logins, throttled_until, created_at, officer_rank";

impl SqlStore {
    /// Connects, prepares each connection and brings the schema up to date.
    pub async fn open(url: &str, keys: AuditKeys) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::Refused(
            "the database URL must start with sqlite: or postgres:",
        ))?;
        let setup = backend.connection_setup();
        let max = match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    conn.execute(setup).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        backend.migrator().run(&pool).await?;
        Ok(Self {
            pool,
            backend,
            keys,
            scheduler: std::sync::OnceLock::new(),
        })
    }

    /// Installs what computes alert schedules (once; later calls are ignored). Without one,
    /// handling writes leave the schedule alone.
    pub fn set_alert_scheduler(&self, scheduler: std::sync::Arc<dyn crate::AlertScheduler>) {
        let _ = self.scheduler.set(scheduler);
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.pool.begin_with(self.backend.begin_write()).await?;
        if let Some(lock) = self.backend.lock_ledger() {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// Appends one event to the chain inside the caller's transaction, and a signed
    /// checkpoint when the sequence reaches a multiple of [`CHECKPOINT_EVERY`].
    pub(crate) async fn append_in(
        &self,
        conn: &mut AnyConnection,
        ctx: &AuditContext,
    ) -> Result<i64> {
        let head = sqlx::query("SELECT seq, mac FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
        let (prev_seq, prev_mac) = match head {
            Some(row) => (
                row.try_get::<i64, _>(0)?,
                mac32(row.try_get::<Vec<u8>, _>(1)?),
            ),
            None => (0, [0u8; 32]),
        };
        let event = AuditEvent {
            seq: prev_seq + 1,
            at_ms: ctx.at_ms,
            actor: ctx.actor.clone(),
            role: ctx.role.clone(),
            action: ctx.action.clone(),
            object_type: ctx.object_type.clone(),
            object_id: ctx.object_id.clone(),
            compartment: ctx.compartment.clone(),
            outcome: ctx.outcome.clone(),
        };
        let mac = humint_audit::chain_mac(&self.keys.chain, &prev_mac, &event);
        sqlx::query(
            "INSERT INTO audit_events (seq, at_ms, actor, role, action, object_type, object_id, compartment, outcome, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(event.seq)
        .bind(event.at_ms)
        .bind(&event.actor)
        .bind(&event.role)
        .bind(&event.action)
        .bind(&event.object_type)
        .bind(&event.object_id)
        .bind(event.compartment.as_deref())
        .bind(&event.outcome)
        .bind(mac.to_vec())
        .execute(&mut *conn)
        .await?;
        if event.seq % CHECKPOINT_EVERY == 0 {
            let cp = Checkpoint::sign(&self.keys.checkpoint, event.seq, event.at_ms, mac);
            insert_checkpoint(conn, &cp).await?;
        }
        Ok(event.seq)
    }

    async fn insert_user(&self, conn: &mut AnyConnection, user: &NewUser) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, username, role, password_hash, totp_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(&user.role)
        .bind(&user.password_hash)
        .bind(user.totp_secret.clone())
        .bind(user.created_at_ms)
        .execute(&mut *conn)
        .await
        .map_err(|e| conflict(e, "a user with that name"))?;
        for compartment in &user.compartment_ids {
            sqlx::query("INSERT INTO user_compartments (user_id, compartment_id, granted_at) VALUES ($1, $2, $3)")
                .bind(&user.id)
                .bind(compartment)
                .bind(user.created_at_ms)
                .execute(&mut *conn)
                .await
                .map_err(|e| missing(e, "compartment"))?;
        }
        Ok(())
    }
}

impl SqlStore {
    /// Reads ledger events through the backend's aggregated JSON query, ordered by `seq`.
    async fn ledger_slice(&self, slice: LedgerSlice, a: i64, b: i64) -> Result<Vec<StoredEvent>> {
        type Wire = (
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
        );
        let row = sqlx::query(self.backend.ledger_json(slice))
            .bind(a)
            .bind(b)
            .fetch_one(&self.pool)
            .await?;
        let text: String = row.try_get(0)?;
        let mut page: Vec<Wire> = serde_json::from_str(&text).map_err(|e| {
            StoreError::Corrupt(format!("a page of the audit ledger could not be read: {e}"))
        })?;
        // Sorting an already ordered page costs one pass.
        page.sort_by_key(|wire| wire.0);
        Ok(page
            .into_iter()
            .map(
                |(
                    seq,
                    at_ms,
                    actor,
                    role,
                    action,
                    object_type,
                    object_id,
                    compartment,
                    outcome,
                    mac,
                )| StoredEvent {
                    event: AuditEvent {
                        seq,
                        at_ms,
                        actor,
                        role,
                        action,
                        object_type,
                        object_id,
                        compartment,
                        outcome,
                    },
                    // A MAC that is not valid hex cannot match; it is reported as a bad MAC.
                    mac: hex::decode(mac)
                        .ok()
                        .and_then(|m| m.try_into().ok())
                        .unwrap_or([0u8; 32]),
                },
            )
            .collect())
    }
}

async fn insert_checkpoint(conn: &mut AnyConnection, cp: &Checkpoint) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_checkpoints (seq, at_ms, head_mac, signature) VALUES ($1, $2, $3, $4)",
    )
    .bind(cp.seq)
    .bind(cp.at_ms)
    .bind(cp.head_mac.to_vec())
    .bind(cp.signature.to_vec())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A stored MAC that is not 32 bytes cannot match any computed one; an all-zero stand-in
/// makes verification report it as a bad MAC instead of the store failing to read it.
pub(crate) fn mac32(bytes: Vec<u8>) -> [u8; 32] {
    bytes.try_into().unwrap_or([0u8; 32])
}

pub(crate) fn conflict(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict { what },
        _ => StoreError::Database(e),
    }
}

pub(crate) fn missing(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound { what },
        _ => StoreError::Database(e),
    }
}

/// Sets one station setting (`station_meta`), inserting or replacing it.
async fn put_meta(conn: &mut AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO station_meta (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn user_from_row(row: &AnyRow) -> Result<UserRecord> {
    Ok(UserRecord {
        id: row.try_get(0)?,
        username: row.try_get(1)?,
        role: row.try_get(2)?,
        password_hash: row.try_get(3)?,
        totp_secret: row.try_get(4)?,
        totp_last_step: row.try_get(5)?,
        disabled: row.try_get::<i64, _>(6)? != 0,
        failed_logins: row.try_get(7)?,
        throttled_until_ms: row.try_get(8)?,
        created_at_ms: row.try_get(9)?,
        rank: row.try_get(10)?,
    })
}

fn compartment_from_row(row: &AnyRow) -> Result<CompartmentRecord> {
    Ok(CompartmentRecord {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        created_at_ms: row.try_get(2)?,
    })
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn json_line(line: &Line) -> Result<String> {
    serde_json::to_string(line).map_err(|e| StoreError::Backup(e.to_string()))
}

fn io_err(e: std::io::Error) -> StoreError {
    StoreError::Backup(e.to_string())
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM station_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    async fn set_payment_settings(&self, values: [String; 2], audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (key, value) in crate::PAYMENT_SETTINGS.iter().zip(values) {
            put_meta(&mut tx, key, &value).await?;
        }
        if let Some(scheduler) = self.scheduler.get() {
            let sources: Vec<String> = sqlx::query(
                "SELECT DISTINCT source_id FROM payments \
                 WHERE kind = 'payment' AND paid_at IS NULL ORDER BY source_id",
            )
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
            for id in &sources {
                crate::handling::reschedule_source(&mut tx, scheduler.as_ref(), id).await?;
            }
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_rank_table(&self, table: Option<&str>, audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        match table {
            Some(value) => put_meta(&mut tx, crate::RANK_TABLE_SETTING, value).await?,
            None => {
                sqlx::query("DELETE FROM station_meta WHERE key = $1")
                    .bind(crate::RANK_TABLE_SETTING)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn key_versions(&self) -> Result<Vec<KeyVersionRow>> {
        let rows =
            sqlx::query("SELECT version, wrapped, created_at FROM key_versions ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(KeyVersionRow {
                    version: r.try_get(0)?,
                    wrapped: r.try_get(1)?,
                    created_at_ms: r.try_get(2)?,
                })
            })
            .collect()
    }

    async fn add_key_version(&self, row: &KeyVersionRow, audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO key_versions (version, wrapped, created_at) VALUES ($1, $2, $3)")
            .bind(row.version)
            .bind(row.wrapped.clone())
            .bind(row.created_at_ms)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "that key version"))?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn encrypted_fields(
        &self,
        after: Option<&FieldCursor>,
        limit: i64,
    ) -> Result<Vec<EncryptedField>> {
        let mut out = Vec::new();
        let (mut index, mut after_row) = match after {
            Some(c) => (c.column_index, Some(c.row.clone())),
            None => (0, None),
        };
        while index < ENCRYPTED_COLUMNS.len() && (out.len() as i64) < limit {
            let col = ENCRYPTED_COLUMNS[index];
            let sql = format!(
                "SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL AND {key} > $1 ORDER BY {key} LIMIT $2",
                key = col.row_key,
                column = col.column,
                table = col.table
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(after_row.clone().unwrap_or_default())
                .bind(limit - out.len() as i64)
                .fetch_all(&self.pool)
                .await?;
            let page_full = rows.len() as i64 == limit - out.len() as i64;
            for r in &rows {
                let row: String = r.try_get(0)?;
                out.push(EncryptedField {
                    table: col.table,
                    column: col.column,
                    cursor: FieldCursor {
                        column_index: index,
                        row: row.clone(),
                    },
                    row,
                    ciphertext: r.try_get(1)?,
                });
            }
            if !page_full {
                index += 1;
                after_row = None;
            }
        }
        Ok(out)
    }

    async fn replace_encrypted_fields(&self, fields: &[EncryptedField]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for f in fields {
            let col = ENCRYPTED_COLUMNS
                .iter()
                .find(|c| c.table == f.table && c.column == f.column)
                .ok_or(StoreError::NotFound {
                    what: "encrypted column",
                })?;
            let sql = format!(
                "UPDATE {} SET {} = $1 WHERE {} = $2",
                col.table, col.column, col.row_key
            );
            let done = sqlx::query(AssertSqlSafe(sql))
                .bind(f.ciphertext.clone())
                .bind(&f.row)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::NotFound {
                    what: "encrypted field's row",
                });
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn count_encrypted_fields(&self) -> Result<i64> {
        let mut total = 0;
        for col in ENCRYPTED_COLUMNS {
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE {} IS NOT NULL",
                col.table, col.column
            );
            let row = sqlx::query(AssertSqlSafe(sql))
                .fetch_one(&self.pool)
                .await?;
            total += row.try_get::<i64, _>(0)?;
        }
        Ok(total)
    }

    async fn initialise(
        &self,
        station_id: &str,
        key: &KeyVersionRow,
        admin: &NewUser,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO station_meta (key, value) VALUES ('station_id', $1)")
            .bind(station_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "an initialised station"))?;
        sqlx::query("INSERT INTO key_versions (version, wrapped, created_at) VALUES ($1, $2, $3)")
            .bind(key.version)
            .bind(key.wrapped.clone())
            .bind(key.created_at_ms)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "that key version"))?;
        self.insert_user(&mut tx, admin).await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_compartment(&self, c: &CompartmentRecord, audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO compartments (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&c.id)
            .bind(&c.name)
            .bind(c.created_at_ms)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict(e, "a compartment with that name"))?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn compartment_by_name(&self, name: &str) -> Result<Option<CompartmentRecord>> {
        let row = sqlx::query("SELECT id, name, created_at FROM compartments WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(compartment_from_row).transpose()
    }

    async fn list_compartments(&self) -> Result<Vec<CompartmentRecord>> {
        let rows = sqlx::query("SELECT id, name, created_at FROM compartments ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(compartment_from_row).collect()
    }

    async fn create_user(&self, user: &NewUser, audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.insert_user(&mut tx, user).await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn set_user_rank(
        &self,
        id: &str,
        rank: Option<&str>,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET officer_rank = $1 WHERE id = $2")
            .bind(rank)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound { what: "user" });
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_user_disabled(
        &self,
        id: &str,
        disabled: bool,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound { what: "user" });
        }
        if disabled {
            // A disabled account's open sessions end with it.
            sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(audit.at_ms)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn grant_compartment(
        &self,
        user_id: &str,
        compartment_id: &str,
        at_ms: i64,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO user_compartments (user_id, compartment_id, granted_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(compartment_id)
            .bind(at_ms)
            .execute(&mut *tx)
            .await
            .map_err(|e| match conflict(e, "that grant") {
                StoreError::Database(e) => missing(e, "user or compartment"),
                other => other,
            })?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user_compartments(&self, user_id: &str) -> Result<Vec<CompartmentRecord>> {
        let rows = sqlx::query(
            "SELECT c.id, c.name, c.created_at FROM compartments c JOIN user_compartments uc ON uc.compartment_id = c.id \
             WHERE uc.user_id = $1 ORDER BY c.name",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(compartment_from_row).collect()
    }

    async fn compartment_members(&self, compartment_id: &str) -> Result<Vec<UserRecord>> {
        let sql = format!(
            "SELECT {} FROM users u JOIN user_compartments uc ON uc.user_id = u.id \
             WHERE uc.compartment_id = $1 AND u.disabled = 0 ORDER BY u.username",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(compartment_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn record_login_failure(
        &self,
        user_id: &str,
        failed_logins: i64,
        throttled_until_ms: Option<i64>,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET failed_logins = $1, throttled_until = $2 WHERE id = $3")
            .bind(failed_logins)
            .bind(throttled_until_ms)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_login_success(
        &self,
        user_id: &str,
        totp_step: i64,
        session: &SessionRecord,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1, failed_logins = 0, throttled_until = NULL \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(totp_step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(StoreError::Refused(
                "that one-time code has already been used",
            ));
        }
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(session.token_hash.clone())
            .bind(&session.user_id)
            .bind(session.created_at_ms)
            .bind(session.expires_at_ms)
            .execute(&mut *tx)
            .await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_user_for_enrolment(&self, user: &NewUser, audit: &AuditContext) -> Result<()> {
        let mut tx = self.begin_write().await?;
        self.insert_user(&mut tx, user).await?;
        sqlx::query("INSERT INTO totp_enrolments (user_id, created_at) VALUES ($1, $2)")
            .bind(&user.id)
            .bind(user.created_at_ms)
            .execute(&mut *tx)
            .await?;
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn totp_enrolment_pending(&self, user_id: &str) -> Result<bool> {
        let row = sqlx::query("SELECT user_id FROM totp_enrolments WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    async fn confirm_totp_enrolment(
        &self,
        user_id: &str,
        totp_step: i64,
        session: &SessionRecord,
        audits: &[AuditContext],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let pending = sqlx::query("DELETE FROM totp_enrolments WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let used = sqlx::query(
            "UPDATE users SET totp_last_step = $1, failed_logins = 0, throttled_until = NULL \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(totp_step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if pending.rows_affected() != 1 || used.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(StoreError::Refused(
                "the authenticator is already confirmed or that code was used",
            ));
        }
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(session.token_hash.clone())
            .bind(&session.user_id)
            .bind(session.created_at_ms)
            .bind(session.expires_at_ms)
            .execute(&mut *tx)
            .await?;
        for audit in audits {
            self.append_in(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: &[u8]) -> Result<Option<SessionRecord>> {
        let row = sqlx::query("SELECT token_hash, user_id, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_vec())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(SessionRecord {
                token_hash: r.try_get(0)?,
                user_id: r.try_get(1)?,
                created_at_ms: r.try_get(2)?,
                expires_at_ms: r.try_get(3)?,
                revoked_at_ms: r.try_get(4)?,
            })
        })
        .transpose()
    }

    async fn revoke_session(
        &self,
        token_hash: &[u8],
        at_ms: i64,
        audit: &AuditContext,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(at_ms)
        .bind(token_hash.to_vec())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound { what: "session" });
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append_audit(&self, audit: &AuditContext) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let seq = self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(seq)
    }

    async fn append_audit_many(&self, audits: &[AuditContext]) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let mut last = 0;
        for audit in audits {
            last = self.append_in(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(last)
    }

    async fn audit_events(&self, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>> {
        self.ledger_slice(LedgerSlice::Next, after_seq, limit).await
    }

    async fn audit_events_between(
        &self,
        after_seq: i64,
        up_to_seq: i64,
    ) -> Result<Vec<StoredEvent>> {
        self.ledger_slice(LedgerSlice::Range, after_seq, up_to_seq)
            .await
    }

    async fn audit_last_seq(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM audit_events")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn audit_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM audit_events")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, head_mac, signature FROM audit_checkpoints ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Checkpoint {
                    seq: r.try_get(0)?,
                    at_ms: r.try_get(1)?,
                    head_mac: mac32(r.try_get(2)?),
                    signature: mac32(r.try_get(3)?),
                })
            })
            .collect()
    }

    async fn checkpoint_audit(&self, at_ms: i64) -> Result<Option<Checkpoint>> {
        let mut tx = self.begin_write().await?;
        let head = sqlx::query("SELECT seq, mac FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let Some(head) = head else {
            return Ok(None);
        };
        let seq: i64 = head.try_get(0)?;
        let cp = Checkpoint::sign(&self.keys.checkpoint, seq, at_ms, mac32(head.try_get(1)?));
        let exists = sqlx::query("SELECT seq FROM audit_checkpoints WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !exists {
            insert_checkpoint(&mut tx, &cp).await?;
        }
        tx.commit().await?;
        Ok(Some(cp))
    }

    async fn backup(&self, sink: &mut (dyn BackupSink + Send)) -> Result<BackupSummary> {
        let mut tx = self.pool.begin_with(self.backend.begin_snapshot()).await?;
        let header = Line::Header {
            format: backup::FORMAT.to_owned(),
            version: backup::VERSION,
            backend: self.backend.name().to_owned(),
        };
        sink.write_line(&json_line(&header)?).map_err(io_err)?;
        let mut summary = BackupSummary { tables: 0, rows: 0 };
        for table in backup::TABLES {
            let names: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
            let line = Line::Table {
                name: table.name.to_owned(),
                columns: names.iter().map(|s| s.to_string()).collect(),
            };
            sink.write_line(&json_line(&line)?).map_err(io_err)?;
            summary.tables += 1;
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                names.join(", "),
                table.name,
                table.order_by
            );
            let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
            for row in &rows {
                let mut values = Vec::with_capacity(table.columns.len());
                for (i, (_, kind)) in table.columns.iter().enumerate() {
                    values.push(match kind {
                        ColumnKind::Int => row
                            .try_get::<Option<i64>, _>(i)?
                            .map(serde_json::Value::from)
                            .unwrap_or_default(),
                        ColumnKind::Text => row
                            .try_get::<Option<String>, _>(i)?
                            .map(serde_json::Value::from)
                            .unwrap_or_default(),
                        ColumnKind::Blob => row
                            .try_get::<Option<Vec<u8>>, _>(i)?
                            .map(|b| serde_json::Value::from(b64().encode(b)))
                            .unwrap_or_default(),
                    });
                }
                sink.write_line(&json_line(&Line::Row { values })?)
                    .map_err(io_err)?;
                summary.rows += 1;
            }
        }
        let footer = Line::Footer {
            tables: summary.tables,
            rows: summary.rows,
        };
        sink.write_line(&json_line(&footer)?).map_err(io_err)?;
        tx.commit().await?;
        Ok(summary)
    }

    async fn restore(
        &self,
        source: &mut (dyn BackupSource + Send),
        force: bool,
    ) -> Result<BackupSummary> {
        if !self.is_empty().await? {
            if !force {
                return Err(StoreError::Refused(
                    "this database already holds a station; restoring over it needs --force",
                ));
            }
            let mut conn = self.pool.acquire().await?;
            for table in backup::TABLES.iter().rev() {
                conn.execute(AssertSqlSafe(self.backend.drop_table(table.name)))
                    .await?;
            }
            conn.execute(AssertSqlSafe(self.backend.drop_table("_sqlx_migrations")))
                .await?;
            if let Some(extra) = self.backend.drop_extras() {
                conn.execute(extra).await?;
            }
            drop(conn);
            self.backend.migrator().run(&self.pool).await?;
        }
        let mut tx = self.begin_write().await?;
        let bad = |m: &str| StoreError::Backup(m.to_owned());
        let parse = |line: Option<String>| -> Result<Line> {
            let line =
                line.ok_or_else(|| bad("the backup ends before its footer: it is incomplete"))?;
            serde_json::from_str(&line)
                .map_err(|e| StoreError::Backup(format!("unreadable line: {e}")))
        };
        match parse(source.read_line().map_err(io_err)?)? {
            Line::Header {
                format, version, ..
            } if format == backup::FORMAT && version == backup::VERSION => {}
            _ => return Err(bad("not a humint backup of a version this program reads")),
        }
        let mut summary = BackupSummary { tables: 0, rows: 0 };
        // The table being restored, its INSERT, and the columns the backup fills.
        let mut current: Option<(&'static backup::TableSpec, String, usize)> = None;
        loop {
            match parse(source.read_line().map_err(io_err)?)? {
                Line::Header { .. } => {
                    return Err(bad("a second header in the middle of the backup"));
                }
                Line::Table { name, columns } => {
                    let spec = backup::table(&name)
                        .ok_or_else(|| StoreError::Backup(format!("unknown table {name}")))?;
                    let filled = backup::restored_columns(spec, &columns).ok_or_else(|| {
                        StoreError::Backup(format!(
                            "table {name} has columns this version does not expect"
                        ))
                    })?;
                    let mut expected: Vec<&str> =
                        spec.columns[..filled].iter().map(|(n, _)| *n).collect();
                    let mut binds: Vec<String> =
                        (1..=expected.len()).map(|i| format!("${i}")).collect();
                    // A column the backup predates that takes another column's value.
                    for (column, _) in &spec.columns[filled..] {
                        let from = backup::added_from(spec.name, column)
                            .and_then(|f| expected.iter().position(|c| *c == f));
                        if let Some(i) = from {
                            binds.push(format!("${}", i + 1));
                            expected.push(column);
                        }
                    }
                    let sql = format!(
                        "INSERT INTO {} ({}) VALUES ({})",
                        spec.name,
                        expected.join(", "),
                        binds.join(", ")
                    );
                    current = Some((spec, sql, filled));
                    summary.tables += 1;
                }
                Line::Row { values } => {
                    let (spec, sql, filled) = current
                        .as_ref()
                        .ok_or_else(|| bad("a row before any table"))?;
                    if values.len() != *filled {
                        return Err(StoreError::Backup(format!(
                            "a row of {} has the wrong number of values",
                            spec.name
                        )));
                    }
                    let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
                    for (value, (column, kind)) in values.iter().zip(&spec.columns[..*filled]) {
                        let wrong = || {
                            StoreError::Backup(format!(
                                "{}.{column} holds a value of the wrong kind",
                                spec.name
                            ))
                        };
                        q = match (kind, value) {
                            (ColumnKind::Int, serde_json::Value::Null) => q.bind(None::<i64>),
                            (ColumnKind::Text, serde_json::Value::Null) => q.bind(None::<String>),
                            (ColumnKind::Blob, serde_json::Value::Null) => q.bind(None::<Vec<u8>>),
                            (ColumnKind::Int, v) => q.bind(v.as_i64().ok_or_else(wrong)?),
                            (ColumnKind::Text, v) => {
                                q.bind(v.as_str().ok_or_else(wrong)?.to_owned())
                            }
                            (ColumnKind::Blob, v) => {
                                let text = v.as_str().ok_or_else(wrong)?;
                                q.bind(b64().decode(text).map_err(|_| wrong())?)
                            }
                        };
                    }
                    q.execute(&mut *tx).await?;
                    summary.rows += 1;
                }
                Line::Footer { tables, rows } => {
                    if tables != summary.tables || rows != summary.rows {
                        return Err(bad(
                            "the backup's footer does not match its contents: it is damaged",
                        ));
                    }
                    break;
                }
            }
        }
        tx.commit().await?;
        Ok(summary)
    }

    async fn is_empty(&self) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) FROM station_meta")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? == 0)
    }
}

#[cfg(feature = "testing")]
impl SqlStore {
    /// Runs SQL as given, for tests that play an attacker with database access (editing the
    /// ledger behind the store's back). Not compiled into the program.
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64> {
        let done = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Every value of every row of `table`, as bytes (text as UTF-8, integers in decimal,
    /// NULL empty), for tests that look at what a copy of the database would show.
    pub async fn table_values_unchecked(&self, table: &str) -> Result<Vec<Vec<u8>>> {
        let rows = sqlx::query(AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for row in &rows {
            for i in 0..row.len() {
                let value = if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                    v.map(String::into_bytes)
                } else if let Ok(v) = row.try_get::<Option<Vec<u8>>, _>(i) {
                    v
                } else {
                    row.try_get::<Option<i64>, _>(i)?
                        .map(|n| n.to_string().into_bytes())
                };
                out.push(value.unwrap_or_default());
            }
        }
        Ok(out)
    }
}
