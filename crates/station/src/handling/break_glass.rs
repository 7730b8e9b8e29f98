//! Break-glass: an auditor reads a true identity only by a recorded, reasoned, audited act
//! (product.md, the auditor role; RIPA s.29(5)(e)). Each break-glass returns the identity once;
//! reading it again is another break-glass. The reason is kept in `break_glass_events` beside
//! the ledger event (which carries identifiers only), in the same transaction. Controllers,
//! admins and auditors can list the events, so every use is seen by someone other than the
//! auditor who made it.

use super::access;
use super::sources::TrueIdentity;
use super::{stored, text};
use crate::{Principal, Station, StationError};
use humint_core::handling::break_glass;
use humint_core::{Role, new_id};
use humint_store::{
    BreakGlassFilter, BreakGlassRow, HandlingStore as _, HandlingWrite, Page, RegisterStore as _,
    Store as _,
};

/// Who may see the list of break-glass events: the compartment's controllers and auditors,
/// and admins (for every compartment).
pub const BREAK_GLASS_READERS: &[Role] = &[Role::Controller, Role::Auditor, Role::Admin];

/// A reason may be a few sentences, not an essay.
const REASON_MAX: usize = 2000;

/// The reason's envelope column (migration 0012).
const TABLE: &str = "break_glass_events";
const REASON: &str = "reason_sealed";

/// A break-glass event as its readers see it: the stored row with its reason opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassEvent {
    pub id: String,
    pub compartment_id: String,
    pub compartment: String,
    pub source_id: String,
    pub codename: String,
    pub actor: String,
    pub actor_name: String,
    pub reason: String,
    pub at_ms: i64,
}

impl Station {
    fn break_glass_event(&self, row: BreakGlassRow) -> Result<BreakGlassEvent, StationError> {
        Ok(BreakGlassEvent {
            reason: self.open_text(TABLE, REASON, &row.id, &row.reason)?,
            id: row.id,
            compartment_id: row.compartment_id,
            compartment: row.compartment,
            source_id: row.source_id,
            codename: row.codename,
            actor: row.actor,
            actor_name: row.actor_name,
            at_ms: row.at_ms,
        })
    }
}

impl Station {
    /// An auditor's break-glass read of a true identity, with its reason. Refused attempts are
    /// in the ledger too. Everyone else uses [`Station::source_identity`].
    pub async fn break_glass_identity(
        &self,
        p: &Principal,
        source_id: &str,
        reason: &str,
    ) -> Result<(BreakGlassEvent, TrueIdentity), StationError> {
        let loaded = self.load_source(source_id).await?;
        let audit = self.handling_audit(
            p,
            "source.identity.break_glass",
            "source",
            source_id,
            &loaded.row.compartment,
        );
        let checked = access::check(
            p,
            &loaded.row,
            &[Role::Auditor],
            "break glass to read a true identity (others use the identity endpoint)",
        )
        .and_then(|()| text("reason", reason, REASON_MAX))
        .and_then(|r| Ok(break_glass::check_reason(&r)?));
        let reason = match checked {
            Ok(reason) => reason,
            Err(e) => {
                self.store.append_audit(&audit.denied()).await?;
                return Err(e);
            }
        };
        let identity = self.identity_plain(source_id).await?;
        let now = self.clock().now();
        let id = new_id::<BreakGlassRow>(now, self.entropy()).to_string();
        let row = BreakGlassRow {
            reason: self.seal_text(TABLE, REASON, &id, &reason)?,
            id,
            compartment_id: loaded.row.compartment_id.clone(),
            compartment: loaded.row.compartment.clone(),
            source_id: source_id.to_owned(),
            codename: loaded.row.codename.clone(),
            actor: p.user_id.clone(),
            actor_name: p.username.clone(),
            at_ms: now.timestamp_millis(),
        };
        self.store
            .handling_write(
                None,
                &[HandlingWrite::InsertBreakGlass(row.clone())],
                &[audit],
            )
            .await
            .map_err(stored)?;
        let event = BreakGlassEvent {
            id: row.id,
            compartment_id: row.compartment_id,
            compartment: row.compartment,
            source_id: row.source_id,
            codename: row.codename,
            actor: row.actor,
            actor_name: row.actor_name,
            reason,
            at_ms: row.at_ms,
        };
        Ok((event, identity))
    }

    /// Break-glass events, newest last: a controller's or auditor's compartments, or every
    /// compartment for an admin.
    pub async fn break_glass_events(
        &self,
        p: &Principal,
        compartment: Option<String>,
        page: Page,
    ) -> Result<Vec<BreakGlassEvent>, StationError> {
        p.require_role(BREAK_GLASS_READERS, "see break-glass events")?;
        let reader = if p.role == Role::Admin {
            None
        } else {
            if let Some(c) = &compartment {
                p.require_compartment(c)?;
            }
            Some(p.user_id.clone())
        };
        let filter = BreakGlassFilter {
            reader,
            compartment,
            page,
        };
        self.store
            .break_glass_events(&filter)
            .await?
            .into_iter()
            .map(|row| self.break_glass_event(row))
            .collect()
    }
}
