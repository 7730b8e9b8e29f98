//! Safeguards for sources under 18 (CHIS (Juveniles) Order 2000, SI 2000/2793, as amended by
//! SI 2018/715; RIPA s.29C for criminal conduct).
//!
//! The date of birth is part of the true identity and never enters these records. The store
//! decrypts it, calls [`AgeBand::on`], and hands the rules the band: at grant and renewal it is
//! kept on the authorisation as a fact; at a contact or tasking it is passed in for that day.

use super::codes;
use crate::RuleViolation;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The age facts the rules need, and nothing finer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// Under 16: parent/guardian bar (art 3) and appropriate adult (art 4) apply.
    Under16,
    /// 16 or 17: juvenile duration, monthly review and enhanced risk assessment apply.
    Aged16Or17,
    Adult,
}

impl AgeBand {
    /// The band of someone born on `date_of_birth`, on the calendar day `on`. A birthday on
    /// 29 February is reached on 1 March in common years (the English-law convention).
    pub fn on(date_of_birth: NaiveDate, on: NaiveDate) -> AgeBand {
        let mut years = on.year() - date_of_birth.year();
        if (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day()) {
            years -= 1;
        }
        match years {
            ..16 => AgeBand::Under16,
            16 | 17 => AgeBand::Aged16Or17,
            _ => AgeBand::Adult,
        }
    }

    /// Under 18: a juvenile source for the Juveniles Order.
    pub fn is_juvenile(self) -> bool {
        self != AgeBand::Adult
    }

    pub fn is_under_16(self) -> bool {
        self == AgeBand::Under16
    }
}

/// Who the appropriate adult is (Juveniles Order art 4(3)(a)-(c)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppropriateAdultCategory {
    /// (a) a parent or guardian.
    ParentOrGuardian,
    /// (b) another person who has assumed responsibility for the source's welfare.
    WelfareResponsible,
    /// (c) failing those, a responsible adult aged 18 or over, not employed by or a member of
    /// the authority.
    IndependentAdult,
}

/// The appropriate adult recorded at a meeting. Their identity is held by the store like any
/// other identity; the rules need only the category and the independence fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppropriateAdult {
    pub category: AppropriateAdultCategory,
    pub employed_by_or_member_of_authority: bool,
}

/// Under 16: an appropriate adult must be present at every meeting (Juveniles Order art 4).
/// Category (c) must be independent of the authority (art 4(3)(c)).
pub fn check_appropriate_adult(
    age: AgeBand,
    adult: Option<&AppropriateAdult>,
) -> Result<(), RuleViolation> {
    if !age.is_under_16() {
        return Ok(());
    }
    match adult {
        None => Err(RuleViolation::new(
            codes::JUVENILE_APPROPRIATE_ADULT,
            "The source is under 16, so an appropriate adult must be present at every meeting; record who attends.",
        )),
        Some(a)
            if a.category == AppropriateAdultCategory::IndependentAdult
                && a.employed_by_or_member_of_authority =>
        {
            Err(RuleViolation::new(
                codes::JUVENILE_APPROPRIATE_ADULT,
                "An appropriate adult who is neither a parent, guardian nor welfare carer must not work for or belong to this authority.",
            ))
        }
        Some(_) => Ok(()),
    }
}

/// Under 16: no authorisation for a relationship with a parent or person with parental
/// responsibility (Juveniles Order art 3); the same bar applies to any tasking against them.
pub fn check_parent_relationship(
    age: AgeBand,
    with_parent_or_guardian: bool,
    code: &'static str,
) -> Result<(), RuleViolation> {
    if age.is_under_16() && with_parent_or_guardian {
        return Err(RuleViolation::new(
            code,
            "The source is under 16 and may not be used against a parent or anyone with parental responsibility for them.",
        ));
    }
    Ok(())
}

/// The s.29C conditions for a criminal conduct authorisation of a source under 18.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JuvenileCcaSafeguards {
    /// s.29C(b): the exceptional circumstances relied on.
    pub exceptional_circumstances: String,
    /// s.29C(b)(i): the authorising officer believes no harm to the juvenile is reasonably
    /// foreseeable.
    pub no_foreseeable_harm: bool,
    /// s.29C(b)(ii): why this is compatible with the juvenile's best interests.
    pub best_interests: String,
    /// s.29C(c): the meeting arrangements in force.
    pub meeting_arrangements: String,
}

/// RIPA s.29C: a juvenile criminal conduct authorisation needs every safeguard recorded.
pub fn check_juvenile_cca(
    age: AgeBand,
    safeguards: Option<&JuvenileCcaSafeguards>,
) -> Result<(), RuleViolation> {
    if !age.is_juvenile() {
        return Ok(());
    }
    let complete = safeguards.is_some_and(|s| {
        s.no_foreseeable_harm
            && !codes::is_blank(&s.exceptional_circumstances)
            && !codes::is_blank(&s.best_interests)
            && !codes::is_blank(&s.meeting_arrangements)
    });
    if complete {
        Ok(())
    } else {
        Err(RuleViolation::new(
            codes::JUVENILE_CCA_SAFEGUARDS,
            "Criminal conduct by a source under 18 needs recorded exceptional circumstances, a finding that no harm is foreseeable, the best-interests reasons and the meeting arrangements.",
        ))
    }
}
