//! A source's lifecycle: `spotted → assessed → in_development → recruited ⇄ suspended →
//! terminated` (product.md, "Lifecycle").
//!
//! Recruitment is the moment a person becomes a CHIS, so it needs a live authorisation (RIPA
//! s.29; IPCO AR 2017 para 3.15: "an approach is made only after authorisation"; AUTH-01) and
//! the s.29(5) roles in place. Termination ends use but not the duty of care: it lists the
//! authorisations still to cancel (s.45) and needs welfare arrangements (CAN-01; Code: security
//! and welfare "continue to be considered after cancellation").

use super::authorisation::{Authorisation, AuthorisationStatus, live_authorisation};
use super::roles::{self, RoleAssignment};
use super::{OfficerId, codes};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceState {
    Spotted,
    Assessed,
    InDevelopment,
    Recruited,
    Suspended,
    Terminated,
}

impl SourceState {
    pub const ALL: [SourceState; 6] = [
        SourceState::Spotted,
        SourceState::Assessed,
        SourceState::InDevelopment,
        SourceState::Recruited,
        SourceState::Suspended,
        SourceState::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceState::Spotted => "spotted",
            SourceState::Assessed => "assessed",
            SourceState::InDevelopment => "in_development",
            SourceState::Recruited => "recruited",
            SourceState::Suspended => "suspended",
            SourceState::Terminated => "terminated",
        }
    }

    /// The states one move away. Forward along the chain, recruited ⇄ suspended, and from any
    /// open state to terminated: a candidate can be dropped at any stage and a recruited source
    /// stood down at once — forcing a suspension first would only add a meaningless event.
    pub fn next_states(self) -> &'static [SourceState] {
        use SourceState::*;
        match self {
            Spotted => &[Assessed, Terminated],
            Assessed => &[InDevelopment, Terminated],
            InDevelopment => &[Recruited, Terminated],
            Recruited => &[Suspended, Terminated],
            Suspended => &[Recruited, Terminated],
            Terminated => &[],
        }
    }

    pub fn can_move_to(self, to: SourceState) -> bool {
        self.next_states().contains(&to)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Spotted,
    WalkIn,
    WriteIn,
    Referral,
}

/// A source as the rules see it. The true identity, identities used and date of birth are not
/// here: the store keeps them encrypted, keyed by `id`, and supplies derived facts (such as the
/// age band) to the rules that need them. So this record may safely be `Serialize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub id: Id<Source>,
    pub codename: String,
    pub state: SourceState,
    pub origin: Origin,
    /// Listed for inspectors, who sample every juvenile case (IPCO AR 2017 para 3.27).
    pub juvenile: bool,
    /// Needs the Annex A level and enhanced safeguards (JUV-02).
    pub vulnerable: bool,
    /// An undercover officer: a "relevant source" (SI 2013/2788 art 2); no payment records needed.
    pub undercover_operative: bool,
    pub recruited_at: Option<DateTime<Utc>>,
}

/// What a transition needs to know beyond the two states.
#[derive(Debug, Clone, Copy)]
pub struct TransitionFacts<'a> {
    pub actor: OfficerId,
    pub reason: &'a str,
    /// The source's authorisations.
    pub authorisations: &'a [Authorisation],
    pub roles: &'a [RoleAssignment],
    /// Required to terminate: how security and welfare are looked after from now on.
    pub welfare_arrangements: Option<&'a str>,
}

/// The event to record for an accepted transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub source: Id<Source>,
    pub from: SourceState,
    pub to: SourceState,
    pub at: DateTime<Utc>,
    pub actor: OfficerId,
    pub reason: String,
    /// Recruitment: the authorisation that permits it.
    pub under_authorisation: Option<Id<Authorisation>>,
    /// Termination: authorisations still in force, which the authorising officer must now cancel.
    pub authorisations_to_cancel: Vec<Id<Authorisation>>,
    pub welfare_arrangements: Option<String>,
}

/// Decides a lifecycle move of `source` to `to` at `now`.
pub fn transition(
    source: &Source,
    to: SourceState,
    facts: &TransitionFacts<'_>,
    now: DateTime<Utc>,
) -> Result<Transition, RuleViolation> {
    let from = source.state;
    if !from.can_move_to(to) {
        let allowed: Vec<&str> = from.next_states().iter().map(|s| s.as_str()).collect();
        let allowed = if allowed.is_empty() {
            "nothing: the case is closed".to_owned()
        } else {
            allowed.join(" or ")
        };
        return Err(RuleViolation::new(
            codes::INVALID_TRANSITION,
            format!(
                "A source that is {} cannot become {}; it can become {allowed}.",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    if codes::is_blank(facts.reason) {
        return Err(RuleViolation::new(
            codes::REASON_REQUIRED,
            "Record the reason for this change of state.",
        ));
    }
    let mut event = Transition {
        source: source.id,
        from,
        to,
        at: now,
        actor: facts.actor,
        reason: facts.reason.to_owned(),
        under_authorisation: None,
        authorisations_to_cancel: Vec::new(),
        welfare_arrangements: None,
    };
    match to {
        SourceState::Recruited => {
            let auth = live_authorisation(facts.authorisations, source.id, now)?;
            roles::holders_at(facts.roles, source.id, now)?;
            event.under_authorisation = Some(auth.id);
        }
        SourceState::Terminated => {
            let welfare = facts.welfare_arrangements.filter(|w| !codes::is_blank(w)).ok_or_else(|| {
                RuleViolation::new(
                    codes::WELFARE_PLAN_REQUIRED,
                    "Record how the source's security and welfare will be looked after before closing the case.",
                )
            })?;
            event.welfare_arrangements = Some(welfare.to_owned());
            event.authorisations_to_cancel = facts
                .authorisations
                .iter()
                .filter(|a| {
                    a.source == source.id
                        && matches!(
                            a.status(now),
                            AuthorisationStatus::Live | AuthorisationStatus::NotYetInForce
                        )
                })
                .map(|a| a.id)
                .collect();
        }
        _ => {}
    }
    Ok(event)
}
