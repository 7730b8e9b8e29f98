//! Requirements (what the service needs to know) and the coverage view: open requirements no
//! source is tasked against.

use super::access::READERS;
use super::{LONG, SHORT, text};
use crate::{Principal, Station, StationError};
use chrono::NaiveDate;
use humint_core::handling::{Priority, calendar};
use humint_core::{Role, new_id};
use humint_store::{
    HandlingStore as _, HandlingWrite, Page, RequirementFilter, RequirementRow, Store as _,
};

#[derive(Debug, Clone)]
pub struct RequirementInput {
    pub compartment: String,
    pub title: String,
    pub detail: String,
    pub priority: u8,
    /// The London day by the end of which it must be looked at again.
    pub review_by: NaiveDate,
}

/// Who sets requirements: controllers, and analysts (reports officers), who see the gaps.
const SETTERS: &[Role] = &[Role::Controller, Role::Analyst];

impl Station {
    pub async fn create_requirement(
        &self,
        p: &Principal,
        input: RequirementInput,
    ) -> Result<RequirementRow, StationError> {
        p.require_role(SETTERS, "set requirements")?;
        p.require_compartment(&input.compartment)?;
        // The priority range is the core's rule (product.md, "Requirement").
        let priority = Priority::try_from(input.priority)?;
        if input.title.trim().is_empty() {
            return Err(StationError::invalid("FIELD_REQUIRED", "title is required"));
        }
        let compartment = self
            .store
            .compartment_by_name(&input.compartment)
            .await?
            .ok_or(StationError::NotFound {
                what: "compartment",
            })?;
        let now = self.clock().now();
        let row = RequirementRow {
            id: new_id::<RequirementRow>(now, self.entropy()).to_string(),
            compartment_id: compartment.id,
            compartment: compartment.name,
            title: text("title", &input.title, SHORT)?,
            detail: text("detail", &input.detail, LONG)?,
            priority: i64::from(priority.get()),
            opened_at_ms: now.timestamp_millis(),
            review_by: input.review_by.to_string(),
            review_due_at_ms: calendar::end_of_day(input.review_by).timestamp_millis(),
            closed_at_ms: None,
            created_by: p.user_id.clone(),
            tasked_sources: 0,
        };
        let audit = self.handling_audit(
            p,
            "requirement.create",
            "requirement",
            &row.id,
            &input.compartment,
        );
        self.store
            .handling_write(
                None,
                &[HandlingWrite::InsertRequirement(row.clone())],
                &[audit],
            )
            .await?;
        Ok(row)
    }

    /// Requirements in the caller's compartments; `uncovered_only` is the coverage view.
    pub async fn list_requirements(
        &self,
        p: &Principal,
        compartment: Option<String>,
        open_only: bool,
        uncovered_only: bool,
        page: Page,
    ) -> Result<Vec<RequirementRow>, StationError> {
        p.require_role(READERS, "see requirements")?;
        if let Some(c) = &compartment {
            p.require_compartment(c)?;
        }
        let filter = RequirementFilter {
            reader: p.user_id.clone(),
            compartment,
            open_only,
            uncovered_only,
            page,
        };
        Ok(self.store.list_requirements(&filter).await?)
    }

    pub async fn requirement(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<RequirementRow, StationError> {
        p.require_role(READERS, "see requirements")?;
        let row = self
            .store
            .requirement(id)
            .await?
            .ok_or(StationError::NotFound {
                what: "requirement",
            })?;
        p.require_compartment(&row.compartment)?;
        Ok(row)
    }
}
