//! [`InspectionStore`] over SQL: the pack's records in one read snapshot, and the audit search.

use super::*;
use crate::handling::register::{ERROR_COLUMNS, error_from_row};
use crate::{AuditFilter, InspectionInputs, InspectionScope, InspectionStore};
use humint_audit::AuditEvent;

/// The scope's sources (`$1` reader or '' for all, `$2` end of the period).
const SCOPED: &str = "SELECT s.id FROM sources s WHERE ($1 = '' OR s.compartment_id IN (SELECT compartment_id FROM user_compartments WHERE user_id = $1)) AND s.created_at < $2";

#[async_trait]
impl InspectionStore for SqlStore {
    async fn inspection_inputs(&self, scope: &InspectionScope) -> Result<InspectionInputs> {
        let reader = scope.reader.clone().unwrap_or_default();
        let mut tx = self
            .pool
            .begin_with(self.backend().begin_snapshot())
            .await?;
        let q = |sql: String| {
            sqlx::query(AssertSqlSafe(sql))
                .bind(reader.clone())
                .bind(scope.to_ms)
        };
        let sources = q(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s JOIN compartments c ON c.id = s.compartment_id WHERE s.id IN ({SCOPED}) ORDER BY c.name, s.codename"
        ))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(source_from_row)
        .collect::<Result<Vec<_>>>()?;
        let authorisations = q(format!(
            "SELECT {AUTH_COLUMNS} FROM authorisations a WHERE a.source_id IN ({SCOPED}) AND a.granted_at < $2 \
             AND (a.cancelled_at IS NULL OR a.cancelled_at >= $3) ORDER BY a.granted_at, a.id"
        ))
        .bind(scope.from_ms)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(auth_from_row)
        .collect::<Result<Vec<_>>>()?;
        let contacts = q(format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts k WHERE k.source_id IN ({SCOPED}) AND k.status = 'held' \
             AND k.at_ms >= $3 AND k.at_ms < $2 ORDER BY k.at_ms, k.id"
        ))
        .bind(scope.from_ms)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(contact_from_row)
        .collect::<Result<Vec<_>>>()?;
        let payments = q(format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.source_id IN ({SCOPED}) AND p.recorded_at < $2 ORDER BY p.recorded_at, p.id"
        ))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(payment_from_row)
        .collect::<Result<Vec<_>>>()?;
        let officers = sqlx::query("SELECT id, username FROM users ORDER BY username")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<Vec<_>>>()?;
        let compartments = sqlx::query(
            "SELECT name FROM compartments WHERE ($1 = '' OR id IN (SELECT compartment_id FROM user_compartments WHERE user_id = $1)) ORDER BY name",
        )
        .bind(reader.clone())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect::<Result<Vec<_>>>()?;
        let errors = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ERROR_COLUMNS} FROM relevant_errors e JOIN compartments c ON c.id = e.compartment_id \
             WHERE ($1 = '' OR e.compartment_id IN (SELECT compartment_id FROM user_compartments WHERE user_id = $1)) \
             AND e.identified_at < $2 AND (e.reported_at IS NULL OR e.reported_at >= $3) ORDER BY c.name, e.identified_at, e.id"
        )))
        .bind(reader.clone())
        .bind(scope.to_ms)
        .bind(scope.from_ms)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(error_from_row)
        .collect::<Result<Vec<_>>>()?;
        let concerns = q(format!(
            "SELECT {} FROM {} WHERE q.source_id IN ({SCOPED}) AND q.raised_at < $2 \
             AND (v.reviewed_at IS NULL OR v.reviewed_at >= $3) ORDER BY q.raised_at, q.id",
            crate::handling::concerns::CONCERN_COLUMNS,
            crate::handling::concerns::CONCERN_FROM
        ))
        .bind(scope.from_ms)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(crate::handling::concerns::concern_from_row)
        .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(InspectionInputs {
            concerns,
            errors,
            sources,
            authorisations,
            contacts,
            payments,
            officers,
            compartments,
        })
    }

    async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let sql = "SELECT seq, at_ms, actor, role, action, object_type, object_id, compartment, outcome FROM audit_events \
             WHERE seq < $1 AND at_ms >= $2 AND at_ms < $3 AND ($4 = '' OR actor = $4) AND ($5 = '' OR action = $5) \
             AND ($6 = '' OR compartment IS NULL OR compartment IN (SELECT c.name FROM compartments c JOIN user_compartments uc ON uc.compartment_id = c.id WHERE uc.user_id = $6)) \
             ORDER BY seq DESC LIMIT $7";
        let rows = sqlx::query(sql)
            .bind(filter.before_seq.unwrap_or(i64::MAX))
            .bind(filter.from_ms.unwrap_or(i64::MIN))
            .bind(filter.to_ms.unwrap_or(i64::MAX))
            .bind(filter.actor.clone().unwrap_or_default())
            .bind(filter.action.clone().unwrap_or_default())
            .bind(filter.reader.clone().unwrap_or_default())
            .bind(filter.limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEvent {
                    seq: r.try_get(0)?,
                    at_ms: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    role: r.try_get(3)?,
                    action: r.try_get(4)?,
                    object_type: r.try_get(5)?,
                    object_id: r.try_get(6)?,
                    compartment: r.try_get(7)?,
                    outcome: r.try_get(8)?,
                })
            })
            .collect()
    }
}
