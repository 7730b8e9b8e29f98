//! Who is asking: an authenticated officer with one role and the compartments they are read
//! into. Access is role AND compartment (product.md, "Who uses it").

use crate::StationError;
use humint_core::Role;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    /// Compartment names the user is read into.
    pub compartments: BTreeSet<String>,
    pub session_expires_at_ms: i64,
}

impl Principal {
    /// The command line acts with the operator's authority on the machine that holds the
    /// master key; it is recorded in the ledger as `system`.
    pub fn system() -> Principal {
        Principal {
            user_id: "system".to_owned(),
            username: "system".to_owned(),
            role: Role::Admin,
            compartments: BTreeSet::new(),
            session_expires_at_ms: i64::MAX,
        }
    }

    pub fn require_role(&self, allowed: &[Role], doing: &str) -> Result<(), StationError> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
            Err(StationError::Forbidden {
                code: "ROLE_FORBIDDEN",
                message: format!(
                    "only {} may {doing}; you are signed in as {}",
                    names.join(" or "),
                    self.role
                ),
            })
        }
    }

    pub fn require_compartment(&self, compartment: &str) -> Result<(), StationError> {
        if self.compartments.contains(compartment) {
            Ok(())
        } else {
            Err(StationError::Forbidden {
                code: "COMPARTMENT_FORBIDDEN",
                message: format!("you are not read into compartment {compartment}"),
            })
        }
    }
}
