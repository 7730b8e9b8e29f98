//! Between store rows (text, Unix milliseconds, JSON docs) and the pure core's records.
//!
//! A stored value that does not convert back is a damaged database, not bad input: it is an
//! internal error (logged, 500), never a refusal blamed on the caller.

use super::{RoleRow, SourceRow, ms_time};
use crate::StationError;
use humint_core::Id;
use humint_core::handling::{RoleAssignment, Source, TaskingState};
use humint_store::TaskingRow;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub(crate) fn damaged(what: &str) -> StationError {
    StationError::Io(format!("a stored {what} is damaged"))
}

/// A core enum's wire name (its serde name), e.g. `in_development`.
pub(crate) fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A core enum back from its serde name.
pub(crate) fn parse_name<T: DeserializeOwned>(text: &str) -> Result<T, StationError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| damaged("enumeration value"))
}

pub(crate) fn to_doc<T: Serialize>(value: &T) -> Result<String, StationError> {
    serde_json::to_string(value)
        .map_err(|_| StationError::Io("a record could not be encoded".to_owned()))
}

pub(crate) fn from_doc<T: DeserializeOwned>(doc: &str) -> Result<T, StationError> {
    serde_json::from_str(doc).map_err(|_| damaged("record"))
}

pub(crate) fn id<T>(text: &str) -> Result<Id<T>, StationError> {
    Id::parse(text).ok_or_else(|| damaged("identifier"))
}

pub(crate) fn role(r: &RoleRow) -> Result<RoleAssignment, StationError> {
    Ok(RoleAssignment {
        source: id(&r.source_id)?,
        role: parse_name(&r.role)?,
        officer: id(&r.officer_id)?,
        from: ms_time(r.from_ms)?,
        until: r.until_ms.map(ms_time).transpose()?,
    })
}

pub(crate) fn source(r: &SourceRow) -> Result<Source, StationError> {
    Ok(Source {
        id: id(&r.id)?,
        codename: r.codename.clone(),
        state: parse_name(&r.state)?,
        origin: parse_name(&r.origin)?,
        juvenile: r.juvenile,
        vulnerable: r.vulnerable,
        undercover_operative: r.undercover,
        recruited_at: r.recruited_at_ms.map(ms_time).transpose()?,
    })
}

/// What the alert rules read of a tasking, from its plain columns (no keys needed: the
/// instructions and notes stay sealed). The row carries no time of ending, so `ended_at` is
/// unknown; the store passes only live taskings to the scheduler.
pub(crate) fn tasking_state(r: &TaskingRow) -> Result<TaskingState, StationError> {
    Ok(TaskingState {
        id: id(&r.id)?,
        source: id(&r.source_id)?,
        requirement: id(&r.requirement_id)?,
        issued_at: ms_time(r.issued_at_ms)?,
        status: parse_name(&r.status)?,
        ended_at: None,
    })
}
