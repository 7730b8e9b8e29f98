//! The authorisations of one compartment, for the station's boilerplate check (INS-02): each
//! row as stored (its justification sealed) with its source's codename. The store opens
//! nothing; the compartment boundary is here, in SQL, so no other team's case is ever read.

use super::AuthorisationRow;
use super::sql::{AUTH_COLUMNS, auth_from_row};
use crate::{Result, SqlStore};
use async_trait::async_trait;
use sqlx::AssertSqlSafe;
use sqlx::Row as _;

#[async_trait]
pub trait CompartmentAuthorisationStore: crate::Store {
    /// Every authorisation of the sources in the compartment (by id), with the source's
    /// codename, oldest grant first (then by id).
    async fn compartment_authorisations(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<(AuthorisationRow, String)>>;
}

#[async_trait]
impl CompartmentAuthorisationStore for SqlStore {
    async fn compartment_authorisations(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<(AuthorisationRow, String)>> {
        let sql = format!(
            "SELECT {AUTH_COLUMNS}, s.codename FROM authorisations a \
             JOIN sources s ON s.id = a.source_id \
             WHERE s.compartment_id = $1 ORDER BY a.granted_at, a.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(compartment_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((auth_from_row(r)?, r.try_get::<String, _>(11)?)))
            .collect()
    }
}
