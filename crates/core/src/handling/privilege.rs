//! Legally privileged and confidential material (compliance.md §1.11, PRIV-01).
//!
//! Sources: the Regulation of Investigatory Powers (Covert Human Intelligence Sources: Matters
//! Subject to Legal Privilege) Order 2010 (SI 2010/123): where a source is used to obtain,
//! provide access to or disclose matters subject to legal privilege, an authorisation "shall not
//! be granted or renewed" without the prior approval the Order requires (a Commissioner for
//! law-enforcement bodies; the Secretary of State for the agencies, IPCO AR 2017 para 3.16), and
//! the approval notice states the grounds, the conduct, the lawyer and client (where known), the
//! privileged matters and the likely collateral private information (SI 2009/3404 art 5, the
//! predecessor Order in identical structure). Such an authorisation lasts three months
//! (compliance.md DUR-01, marked there for verification). Confidential information (constituent,
//! journalistic, medical, spiritual: IPCO AR 2017 para 3.16) needs the higher authorisation
//! level of the Code's Annex A; the program records the flag and shows it to inspectors.

use super::calendar;
use super::codes;
use crate::RuleViolation;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether the source's use concerns legally privileged matters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lpp {
    /// Not expected.
    #[default]
    None,
    /// Privileged matters may be obtained, though that is not the aim (Annex A level).
    Likely,
    /// The source is used to obtain privileged matters: prior approval under SI 2010/123.
    Intended,
}

/// Categories of confidential information (IPCO AR 2017 para 3.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfidentialKind {
    /// Communications between a Member of Parliament and a constituent.
    Constituent,
    Journalistic,
    Medical,
    Spiritual,
}

/// The prior approval of an authorisation to obtain privileged matters, as its notice records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorApproval {
    /// Who approved: the Commissioner (law-enforcement bodies) or Secretary of State, as named.
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
    pub grounds: String,
    /// The conduct concerning privileged matters that is approved.
    pub conduct: String,
    /// The lawyer and client, where known ("not known" is an answer; blank is not).
    pub lawyer_and_client: String,
    pub privileged_matters: String,
    /// The private information likely to be obtained besides.
    pub collateral: String,
}

/// What an application says about privileged and confidential material.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegedMaterial {
    #[serde(default)]
    pub lpp: Lpp,
    /// Sorted, each once.
    #[serde(default)]
    pub confidential: Vec<ConfidentialKind>,
    /// Required when `lpp` is [`Lpp::Intended`].
    #[serde(default)]
    pub prior_approval: Option<PriorApproval>,
}

impl PrivilegedMaterial {
    /// Whether anything is flagged (privilege likely or intended, or confidential material).
    pub fn is_flagged(&self) -> bool {
        self.lpp != Lpp::None || !self.confidential.is_empty()
    }

    /// The flags in a stable form: confidential kinds sorted, each once.
    pub fn normalised(mut self) -> Self {
        self.confidential.sort();
        self.confidential.dedup();
        self
    }
}

/// Checks, at a grant or a renewal at `now`, that an authorisation intended to obtain privileged
/// matters has its prior approval: given, approved at or before `now` and after `not_before`
/// (a renewal needs an approval of its own, newer than the period it extends), by someone named,
/// with every particular of the notice stated.
pub fn check_prior_approval(
    lpp: Lpp,
    approval: Option<&PriorApproval>,
    not_before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    if lpp != Lpp::Intended {
        return Ok(());
    }
    let Some(a) = approval else {
        return Err(RuleViolation::new(
            codes::LPP_PRIOR_APPROVAL_REQUIRED,
            "Using a source to obtain legally privileged matters needs prior approval (a Commissioner's, or the Secretary of State's for the agencies) before it is granted or renewed; record the approval first.",
        ));
    };
    let particulars = [
        &a.approved_by,
        &a.grounds,
        &a.conduct,
        &a.lawyer_and_client,
        &a.privileged_matters,
        &a.collateral,
    ];
    if particulars.iter().any(|p| codes::is_blank(p)) {
        return Err(RuleViolation::new(
            codes::LPP_APPROVAL_INCOMPLETE,
            "The approval notice must name who approved and state the grounds, the conduct approved, the lawyer and client (or that they are not known), the privileged matters and the collateral information likely to be obtained.",
        ));
    }
    if a.approved_at > now {
        return Err(RuleViolation::new(
            codes::LPP_APPROVAL_NOT_PRIOR,
            "The approval is dated after this decision; prior approval must come first.",
        ));
    }
    if let Some(since) = not_before
        && a.approved_at <= since
    {
        return Err(RuleViolation::new(
            codes::LPP_APPROVAL_NOT_PRIOR,
            "A renewal needs its own prior approval, given after the grant or renewal it extends; the one recorded is older.",
        ));
    }
    Ok(())
}

/// The end of a period of an authorisation to obtain privileged matters: three months beginning
/// with the day it takes effect, or `end` if that comes first (a 72-hour oral grant).
pub fn privileged_period_end(
    lpp: Lpp,
    takes_effect: DateTime<Utc>,
    end: DateTime<Utc>,
) -> DateTime<Utc> {
    if lpp == Lpp::Intended {
        end.min(calendar::months_beginning_with(takes_effect, 3))
    } else {
        end
    }
}
