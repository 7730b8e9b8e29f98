//! Risk assessments: the source's security and welfare, versioned and dated.
//!
//! Sources: SI 2000/2725 reg 3(e)-(f) (security and welfare information; confirmation that risks
//! were explained to and understood by the source); IPCO AR 2017 para 3.21 (reviews take account
//! of the risk assessment) and AR 2018 para 5.19(v) ("dynamically maintained and updated");
//! Juveniles Order art 5 (enhanced physical and psychological assessment for under-18s);
//! compliance.md RISK-01: mandatory before grant and renewal.

use super::codes;
use super::juvenile::AgeBand;
use super::{OfficerId, Source};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
}

/// One version of a source's risk assessment. Deliberately not `Serialize`: its welfare text is
/// exactly what a hostile reader would use to find the source, so the store encrypts it and the
/// web layer builds its own view type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskAssessment {
    pub id: Id<RiskAssessment>,
    pub source: Id<Source>,
    pub assessed_by: OfficerId,
    pub assessed_at: DateTime<Utc>,
    pub level: RiskLevel,
    /// Risks from the tasking and from exposure, and the significant welfare information.
    pub security_and_welfare: String,
    pub mitigations: String,
    /// reg 3(f): the risks were explained to the source ...
    pub explained_to_source: bool,
    /// ... and the source understood them.
    pub understood_by_source: bool,
    /// Juveniles Order art 5: the risk of physical harm (required under 18).
    pub physical_harm: Option<String>,
    /// Juveniles Order art 5: the risk of psychological harm (required under 18).
    pub psychological_harm: Option<String>,
}

/// The newest assessment of the source made at or before `at`.
pub fn latest_at(
    assessments: &[RiskAssessment],
    source: Id<Source>,
    at: DateTime<Utc>,
) -> Option<&RiskAssessment> {
    assessments
        .iter()
        .filter(|r| r.source == source && r.assessed_at <= at)
        .max_by_key(|r| r.assessed_at)
}

/// The assessment a grant, review or renewal relies on must exist, be complete and, under 18,
/// be the enhanced one. `since`: when given, the assessment must be newer than that instant
/// (renewal needs one newer than the last grant or renewal), refused with `stale_code`.
pub fn check_assessment<'a>(
    assessments: &'a [RiskAssessment],
    source: Id<Source>,
    age: AgeBand,
    at: DateTime<Utc>,
    since: Option<(DateTime<Utc>, &'static str)>,
) -> Result<&'a RiskAssessment, RuleViolation> {
    let Some(latest) = latest_at(assessments, source, at) else {
        return Err(RuleViolation::new(
            codes::RISK_ASSESSMENT_REQUIRED,
            "There is no risk assessment for this source yet; record one before this decision.",
        ));
    };
    if let Some((since, stale_code)) = since
        && latest.assessed_at <= since
    {
        return Err(RuleViolation::new(
            stale_code,
            format!(
                "The latest risk assessment ({}) is not newer than the last grant or renewal ({since}); reassess the risks first.",
                latest.assessed_at
            ),
        ));
    }
    if codes::is_blank(&latest.security_and_welfare) {
        return Err(RuleViolation::new(
            codes::RISK_ASSESSMENT_REQUIRED,
            "The latest risk assessment does not describe the source's security and welfare risks.",
        ));
    }
    if !(latest.explained_to_source && latest.understood_by_source) {
        return Err(RuleViolation::new(
            codes::RISK_NOT_EXPLAINED,
            "The latest risk assessment does not confirm that the risks were explained to the source and understood.",
        ));
    }
    let covers = |text: &Option<String>| text.as_deref().is_some_and(|t| !codes::is_blank(t));
    if age.is_juvenile() && !(covers(&latest.physical_harm) && covers(&latest.psychological_harm)) {
        return Err(RuleViolation::new(
            codes::JUVENILE_RISK_ASSESSMENT,
            "The source is under 18, so the risk assessment must cover both physical and psychological harm.",
        ));
    }
    Ok(latest)
}

/// When one version of a source's risk assessment was made: all the alert rules read of it
/// (the store keeps the source, the time and the level in plain columns and seals the welfare
/// text, so the key-less alert scheduler can build this and nothing more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssessedAt {
    pub source: Id<Source>,
    pub at: DateTime<Utc>,
}

impl From<&RiskAssessment> for AssessedAt {
    fn from(r: &RiskAssessment) -> Self {
        AssessedAt {
            source: r.source,
            at: r.assessed_at,
        }
    }
}

/// Whether the source's risks were assessed again at or after `since`, by `now` (AR 2018 para
/// 5.19(v): the assessment is "dynamically maintained and updated", so an event that bears on
/// it is answered by a newer version; one recorded at the very instant of the event counts).
pub fn reassessed_since(
    assessed: &[AssessedAt],
    source: Id<Source>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    assessed
        .iter()
        .any(|a| a.source == source && since <= a.at && a.at <= now)
}
