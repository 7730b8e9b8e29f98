//! The boilerplate check (INS-02) in storage. Comparing reads the authorisations of one
//! compartment, each row as stored (its justification sealed) with its source's codename; the
//! store opens nothing, and the compartment boundary is here, in SQL, so no other team's case is
//! ever read. The result is stored once (migration 0021): for each authorisation, that it was
//! compared, and each of its statements that repeats another authorisation's, by how much. No
//! text is stored.

use super::AuthorisationRow;
use super::sql::{AUTH_COLUMNS, auth_from_row};
use crate::{AuditContext, Result, SqlStore, StoreError};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};
use sqlx::{Executor as _, Row as _};
use std::collections::BTreeSet;

/// What [`HandlingWrite::InsertTextCheck`](super::HandlingWrite::InsertTextCheck) refuses with
/// (`StoreError::Conflict`) when the compartment gained an authorisation after the comparison
/// read it: the caller compares again, with it.
pub const COMPARTMENT_AUTHORISATIONS_CHANGED: &str =
    "another authorisation written in this compartment meanwhile";

/// One authorisation of a compartment as the comparison reads it.
#[derive(Debug, Clone)]
pub struct CompartmentAuthorisation {
    pub row: AuthorisationRow,
    /// Its source's codename.
    pub codename: String,
    /// `Some(true)`: compared at its grant; `Some(false)`: compared after it (granted before
    /// migration 0021, or written by a bulk load); `None`: not compared yet.
    pub checked_at_grant: Option<bool>,
}

/// One statement of an authorisation that repeats another authorisation's: `shared` of its
/// `shingles` five-word runs are in the other's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRepeatRow {
    pub authorisation_id: String,
    /// `necessity`, `proportionality` or `collateral_intrusion`.
    pub statement: String,
    pub other_id: String,
    pub shared: i64,
    pub shingles: i64,
}

/// The comparison of one authorisation, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextCheckRow {
    pub authorisation_id: String,
    pub checked_at_ms: i64,
    /// Compared at its grant (with every authorisation then written in the compartment).
    pub at_grant: bool,
    pub repeats: Vec<TextRepeatRow>,
}

/// A stored repeat read back with what its warning names: the other authorisation's source's
/// codename and the time it was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTextRepeat {
    pub repeat: TextRepeatRow,
    pub other_codename: String,
    pub other_granted_at_ms: i64,
}

/// Which authorisations' stored comparisons to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextCheckScope<'a> {
    Authorisation(&'a str),
    /// Every authorisation of a source.
    Source(&'a str),
    /// Every authorisation of a compartment's sources.
    Compartment(&'a str),
}

/// The stored comparisons of a scope: the authorisations compared, and their repeats (by
/// authorisation, then statement).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredTextChecks {
    pub checked: BTreeSet<String>,
    pub repeats: Vec<StoredTextRepeat>,
}

#[async_trait]
pub trait CompartmentAuthorisationStore: crate::Store {
    /// Every authorisation of the sources in the compartment (by id), with the source's
    /// codename and whether it was compared, oldest grant first (then by id).
    async fn compartment_authorisations(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<CompartmentAuthorisation>>;

    /// The stored comparisons of the authorisations in `scope`.
    async fn stored_text_checks(&self, scope: TextCheckScope<'_>) -> Result<StoredTextChecks>;

    /// The compartments (by id) holding an authorisation never compared.
    async fn compartments_with_unchecked_authorisations(&self) -> Result<Vec<String>>;

    /// Stores comparisons made after the grant, with their audit event, in one transaction.
    /// An authorisation already compared (by another server meanwhile) keeps what it has.
    /// Returns how many were stored.
    async fn record_text_checks(
        &self,
        checks: &[TextCheckRow],
        audit: &AuditContext,
    ) -> Result<u64>;
}

const CHECKED_AT_GRANT: &str =
    "(SELECT c.at_grant FROM authorisation_text_checks c WHERE c.authorisation_id = a.id)";

#[async_trait]
impl CompartmentAuthorisationStore for SqlStore {
    async fn compartment_authorisations(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<CompartmentAuthorisation>> {
        let sql = format!(
            "SELECT {AUTH_COLUMNS}, s.codename, {CHECKED_AT_GRANT} FROM authorisations a \
             JOIN sources s ON s.id = a.source_id \
             WHERE s.compartment_id = $1 ORDER BY a.granted_at, a.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(compartment_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CompartmentAuthorisation {
                    row: auth_from_row(r)?,
                    codename: r.try_get(11)?,
                    checked_at_grant: r.try_get::<Option<i64>, _>(12)?.map(|v| v != 0),
                })
            })
            .collect()
    }

    async fn stored_text_checks(&self, scope: TextCheckScope<'_>) -> Result<StoredTextChecks> {
        let (filter, key) = match scope {
            TextCheckScope::Authorisation(id) => ("a.id = $1", id),
            TextCheckScope::Source(id) => ("a.source_id = $1", id),
            TextCheckScope::Compartment(id) => (
                "a.source_id IN (SELECT id FROM sources WHERE compartment_id = $1)",
                id,
            ),
        };
        // One query, so the repeats read are those of the comparisons read.
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT c.authorisation_id, r.statement, r.other_id, r.shared, r.shingles, s.codename, o.granted_at \
             FROM authorisation_text_checks c \
             JOIN authorisations a ON a.id = c.authorisation_id \
             LEFT JOIN authorisation_text_repeats r ON r.authorisation_id = c.authorisation_id \
             LEFT JOIN authorisations o ON o.id = r.other_id \
             LEFT JOIN sources s ON s.id = o.source_id \
             WHERE {filter} ORDER BY c.authorisation_id, r.statement"
        )))
        .bind(key)
        .fetch_all(&self.pool)
        .await?;
        let mut checked = BTreeSet::new();
        let mut repeats = Vec::new();
        for r in &rows {
            checked.insert(r.try_get::<String, _>(0)?);
            if r.try_get::<Option<String>, _>(1)?.is_some() {
                repeats.push(stored_repeat(r)?);
            }
        }
        Ok(StoredTextChecks { checked, repeats })
    }

    async fn compartments_with_unchecked_authorisations(&self) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT s.compartment_id FROM authorisations a JOIN sources s ON s.id = a.source_id \
             WHERE NOT EXISTS (SELECT 1 FROM authorisation_text_checks c WHERE c.authorisation_id = a.id) \
             ORDER BY s.compartment_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>(0)?))
            .collect()
    }

    async fn record_text_checks(
        &self,
        checks: &[TextCheckRow],
        audit: &AuditContext,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut stored = 0;
        for check in checks {
            stored += u64::from(insert_text_check(&mut tx, check, true).await?);
        }
        self.append_in(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(stored)
    }
}

fn stored_repeat(r: &AnyRow) -> Result<StoredTextRepeat> {
    Ok(StoredTextRepeat {
        repeat: TextRepeatRow {
            authorisation_id: r.try_get(0)?,
            statement: r.try_get(1)?,
            other_id: r.try_get(2)?,
            shared: r.try_get(3)?,
            shingles: r.try_get(4)?,
        },
        other_codename: r.try_get(5)?,
        other_granted_at_ms: r.try_get(6)?,
    })
}

/// Stores one comparison inside the caller's transaction. With `keep_existing`, an
/// authorisation already compared is left as it is (`false` returned); otherwise that is an
/// error. Returns whether it was stored.
async fn insert_text_check(
    conn: &mut AnyConnection,
    check: &TextCheckRow,
    keep_existing: bool,
) -> Result<bool> {
    let on_conflict = if keep_existing {
        " ON CONFLICT (authorisation_id) DO NOTHING"
    } else {
        ""
    };
    let done = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO authorisation_text_checks (authorisation_id, checked_at, at_grant) VALUES ($1, $2, $3){on_conflict}"
    )))
    .bind(&check.authorisation_id)
    .bind(check.checked_at_ms)
    .bind(i64::from(check.at_grant))
    .execute(&mut *conn)
    .await
    .map_err(|e| crate::sql::missing(e, "authorisation"))?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    for r in &check.repeats {
        if r.authorisation_id != check.authorisation_id {
            return Err(StoreError::Corrupt(
                "a repeat stored under another authorisation's comparison".to_owned(),
            ));
        }
        sqlx::query(
            "INSERT INTO authorisation_text_repeats (authorisation_id, statement, other_id, shared, shingles) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&r.authorisation_id)
        .bind(&r.statement)
        .bind(&r.other_id)
        .bind(r.shared)
        .bind(r.shingles)
        .execute(&mut *conn)
        .await
        .map_err(|e| crate::sql::missing(e, "repeated authorisation"))?;
    }
    Ok(true)
}

/// The grant's comparison, inside its transaction: refused with
/// [`COMPARTMENT_AUTHORISATIONS_CHANGED`] unless the compartment still holds exactly
/// `compared` authorisations besides this one (`None`: nothing was read, so nothing to check).
/// Authorisations are never deleted, so the count names the set compared. Writers are
/// serialised by the ledger's lock, so what passes here was compared with every authorisation
/// written before it.
pub(super) async fn insert_grant_text_check(
    conn: &mut AnyConnection,
    compartment_id: &str,
    compared: Option<i64>,
    check: &TextCheckRow,
) -> Result<()> {
    if let Some(expected) = compared {
        let row = conn
            .fetch_one(
                sqlx::query(
                    "SELECT COUNT(*) FROM authorisations a JOIN sources s ON s.id = a.source_id \
                     WHERE s.compartment_id = $1 AND a.id <> $2",
                )
                .bind(compartment_id)
                .bind(&check.authorisation_id),
            )
            .await?;
        if row.try_get::<i64, _>(0)? != expected {
            return Err(StoreError::Conflict {
                what: COMPARTMENT_AUTHORISATIONS_CHANGED,
            });
        }
    }
    insert_text_check(conn, check, false).await?;
    Ok(())
}
