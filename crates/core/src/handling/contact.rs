//! Contacts with a source: every meeting, call, message or impersonal exchange.
//!
//! Sources: SI 2000/2725 reg 3(k) (all contacts recorded, with who was there); RIPA s.29 and
//! AUTH-01 (no use of a recruited source without a live authorisation); Juveniles Order art 4
//! (an appropriate adult at every meeting with a source under 16); product.md ("a missed or
//! overdue contact raises a source-safety alert" — see `alerts.rs`).

use super::authorisation::live_authorisation;
use super::juvenile::{self, AgeBand, AppropriateAdult};
use super::{Authorisation, OfficerId, Source, SourceState, codes};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMode {
    Meeting,
    Call,
    Message,
    /// Dead drop, signal site or other exchange without the parties meeting.
    Impersonal,
}

impl ContactMode {
    /// A live conversation with an officer. Article 4 speaks of meetings; calls are held to the
    /// same appropriate-adult standard because a call is the same conversation by other means.
    /// Messages and impersonal exchanges cannot have an adult "present".
    pub fn is_live_conversation(self) -> bool {
        matches!(self, ContactMode::Meeting | ContactMode::Call)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    Planned,
    Held,
    Missed,
    Aborted,
}

/// Why the contact happens. Welfare contact continues after cancellation and termination (the
/// duty of care outlives the authorisation) and is not "use" of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactPurpose {
    Use,
    Welfare,
}

/// A contact record. Location, cover and safety arrangements are referred to by alias only; the
/// debrief itself is a report, encrypted by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: Id<Contact>,
    pub source: Id<Source>,
    pub mode: ContactMode,
    pub status: ContactStatus,
    pub purpose: ContactPurpose,
    /// When it is (or was) planned for; `None` for an unplanned contact.
    pub planned_for: Option<DateTime<Utc>>,
    /// When it took place (held) or was given up (missed, aborted).
    pub occurred_at: Option<DateTime<Utc>>,
    pub officers_present: Vec<OfficerId>,
    pub appropriate_adult: Option<AppropriateAdult>,
    pub location_alias: Option<String>,
    /// The cover the officers and the source used for the contact (product.md, "Contact":
    /// "cover used"), by alias or in outline.
    #[serde(default)]
    pub cover_used: Option<String>,
    /// What kept the contact safe: counter-surveillance, who knew, how the source got there
    /// and away (product.md: "safety and fallback arrangements").
    #[serde(default)]
    pub safety_arrangements: Option<String>,
    pub fallback_arrangements: Option<String>,
    /// When the next contact must happen; past it with no contact held, the source may be in
    /// danger.
    pub next_contact_due: Option<DateTime<Utc>>,
}

impl Contact {
    /// When the contact happened or was due: what orders contacts in time.
    pub fn when(&self) -> Option<DateTime<Utc>> {
        self.occurred_at.or(self.planned_for)
    }
}

/// Checks a contact record before it is stored. `age` is the source's age band on the day of the
/// contact, from the decrypted date of birth.
///
/// - Under 16: a planned or held meeting or call needs an appropriate adult (Juveniles Order
///   art 4).
/// - A held meeting or call names at least one officer present (reg 3(k)).
/// - A contact to *use* a recruited source needs a live authorisation (s.29; AUTH-01); a
///   suspended or terminated source may only be contacted for welfare. Contacts before
///   recruitment are allowed and recorded: they are how status drift is seen (IPCO AR 2018
///   para 5.19(i)).
pub fn check_contact(
    contact: &Contact,
    source: &Source,
    authorisations: &[Authorisation],
    age: AgeBand,
    now: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    let live_conversation = contact.mode.is_live_conversation();
    let happening = matches!(contact.status, ContactStatus::Planned | ContactStatus::Held);
    if live_conversation && happening {
        juvenile::check_appropriate_adult(age, contact.appropriate_adult.as_ref())?;
    }
    if live_conversation
        && contact.status == ContactStatus::Held
        && contact.officers_present.is_empty()
    {
        return Err(RuleViolation::new(
            codes::CONTACT_OFFICERS_REQUIRED,
            "Record which officers were present at the meeting or call.",
        ));
    }
    if contact.purpose == ContactPurpose::Use && happening {
        match source.state {
            SourceState::Recruited => {
                // A held contact must have been covered when it happened; planning one needs
                // an authorisation now (a renewal can be in progress for next week's meeting).
                let at = match contact.status {
                    ContactStatus::Held => contact.occurred_at.unwrap_or(now),
                    _ => now,
                };
                live_authorisation(authorisations, source.id, at)?;
            }
            SourceState::Suspended | SourceState::Terminated => {
                return Err(RuleViolation::new(
                    codes::SOURCE_NOT_RECRUITED,
                    format!(
                        "This source is {}; only welfare contact is allowed.",
                        source.state.as_str()
                    ),
                ));
            }
            SourceState::Spotted | SourceState::Assessed | SourceState::InDevelopment => {}
        }
    }
    Ok(())
}
