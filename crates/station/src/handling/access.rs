//! Who may do what with the handling records: role AND compartment (product.md, "Who uses it").
//! Each service states the roles it allows; this module holds the sets they share and the
//! checks that go beyond a role (a handler sees the true identity of their own sources only).

use super::{Loaded, SourceRow};
use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_store::{CompartmentRecord, Store as _};

/// May see a source's existence, codename and state, requirements and graded reporting.
pub const READERS: &[Role] = &[
    Role::Handler,
    Role::Controller,
    Role::AuthorisingOfficer,
    Role::Analyst,
    Role::Auditor,
];

/// May see the handling records (authorisations, roles, contacts without notes, payments,
/// taskings): everyone who reads except analysts, who see codename and grading only.
pub const CASE_READERS: &[Role] = &[
    Role::Handler,
    Role::Controller,
    Role::AuthorisingOfficer,
    Role::Auditor,
];

/// May see a true identity, contact notes and report text: the handler of that source, and the
/// controllers and authorising officers of its compartment. Auditors only by break-glass
/// (not here); analysts never.
pub const IDENTITY_READERS: &[Role] = &[Role::Handler, Role::Controller, Role::AuthorisingOfficer];

/// May see the full statutory record (it contains the true identity).
pub const RECORD_READERS: &[Role] = IDENTITY_READERS;

/// Those who record what reporting says and what it can be checked against: a report's
/// claims, and the open press a compartment's claims may echo. Analysts among them, who judge
/// reporting; never auditors.
pub const CLAIMERS: &[Role] = &[Role::Analyst, Role::Handler, Role::Controller];

/// Those who run sources day to day: create, move, task, meet, pay.
pub const RUNNERS: &[Role] = &[Role::Handler, Role::Controller];

/// Role and compartment for one source.
pub(crate) fn check(
    p: &Principal,
    source: &SourceRow,
    allowed: &[Role],
    doing: &str,
) -> Result<(), StationError> {
    p.require_role(allowed, doing)?;
    p.require_compartment(&source.compartment)
}

/// The identity check: role and compartment, and a handler must be the source's current
/// handler.
pub(crate) fn check_identity(
    p: &Principal,
    loaded: &Loaded,
    now_ms: i64,
    doing: &str,
) -> Result<(), StationError> {
    check(p, &loaded.row, IDENTITY_READERS, doing)?;
    if p.role == Role::Handler
        && loaded
            .holder("handler", now_ms)
            .is_none_or(|h| h.officer_id != p.user_id)
    {
        return Err(StationError::Forbidden {
            code: "NOT_YOUR_SOURCE",
            message: "a handler sees the true identity, notes and reporting text of their own sources only".to_owned(),
        });
    }
    Ok(())
}

impl Station {
    /// The compartment `name`, for an officer with one of the `allowed` roles who is read into
    /// it: role first, then compartment, so a compartment the officer is not read into is
    /// refused alike whether or not it exists.
    pub(crate) async fn compartment_for(
        &self,
        p: &Principal,
        allowed: &[Role],
        doing: &str,
        name: &str,
    ) -> Result<CompartmentRecord, StationError> {
        p.require_role(allowed, doing)?;
        p.require_compartment(name)?;
        self.store
            .compartment_by_name(name)
            .await?
            .ok_or(StationError::NotFound {
                what: "compartment",
            })
    }
}
