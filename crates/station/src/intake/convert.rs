//! Turning a submission into a source: a walk-in who has been met becomes a `spotted` source
//! with origin `walk-in`, and the thread records which source it became.
//!
//! The source is created by the handling service (its own transaction, access checks and
//! audit event), then the thread is marked converted (a second transaction with its own
//! event). A failure between the two leaves a source whose thread still reads as open; the
//! conversion can then be retried, and the ledger shows both steps.

use super::officer::{IntakeStatus, IntakeSummary};
use crate::handling::{NewSource, SourceDetail};
use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_core::handling::Origin;
use humint_store::{AuditContext, IntakeStatusChange, IntakeStore as _};

impl Station {
    /// Records the walk-in behind submission `id` as a new source. The caller chooses the
    /// compartment and gives what the source record requires (the true identity, learnt when
    /// the volunteer was met); the origin is always walk-in.
    pub async fn intake_convert(
        &self,
        actor: &Principal,
        id: &str,
        mut new: NewSource,
    ) -> Result<(IntakeSummary, SourceDetail), StationError> {
        actor.require_role(
            &[Role::Handler, Role::Controller],
            "turn an intake submission into a source",
        )?;
        let thread = self
            .store
            .intake_thread(id)
            .await?
            .ok_or(StationError::NotFound {
                what: "intake submission",
            })?;
        if thread.status == IntakeStatus::Converted.as_str() || thread.source_id.is_some() {
            return Err(StationError::Conflict {
                code: "ALREADY_CONVERTED",
                message: "this submission has already become a source".to_owned(),
            });
        }
        new.origin = Origin::WalkIn;
        let compartment = new.compartment.clone();
        let detail = self.create_source(actor, new).await?;
        let (day, _) = self.intake_today();
        let change = IntakeStatusChange {
            status: IntakeStatus::Converted.as_str().to_owned(),
            acknowledged_day: Some(day),
            feedback_day: None,
            source_id: Some(detail.row.id.clone()),
        };
        let audit = AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            "intake.convert",
            "intake_thread",
            id,
        )
        .in_compartment(compartment);
        self.store.set_intake_status(id, &change, &audit).await?;
        let summary = self.intake_get(actor, id).await?;
        Ok((summary, detail))
    }
}
