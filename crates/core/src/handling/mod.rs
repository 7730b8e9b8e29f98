//! The handling cycle as records and rules: requirements, sources and their lifecycle,
//! authorisations with their reviews, renewals and cancellations, risk assessments, taskings,
//! contacts, payments, grading, the error register, and the alerts they raise.
//!
//! Invariants:
//! - Every rule is a pure function of (records, `now`) → decision; nothing here reads the clock,
//!   touches storage or does I/O. The store loads the records, calls the rule, and persists the
//!   record the rule returns. The store and web layers never re-implement a rule.
//! - Each rule lives in one place and cites its source (RIPA section, Code paragraph, SI, or the
//!   compliance.md requirement id) in a comment.
//! - Refusals are [`RuleViolation`](crate::RuleViolation)s whose codes are all in [`codes`].
//! - No record here holds a true identity or a date of birth. The store keeps those encrypted,
//!   keyed by the source id, and passes derived facts (an [`AgeBand`]) to the rules.
//! - Day-based deadlines are computed in UK local time (Europe/London) and returned as UTC
//!   instants that mark the first moment past the deadline (see [`calendar`]).

pub mod alerts;
pub mod authorisation;
pub mod boilerplate;
pub mod break_glass;
pub mod calendar;
pub mod codes;
pub mod concern;
pub mod contact;
pub mod grading;
pub mod inspection;
pub mod juvenile;
pub mod lifecycle;
pub mod motivation;
pub mod open_press;
pub mod payment;
pub mod privilege;
pub mod rank;
pub mod relevant_error;
pub mod relevant_source;
pub mod reliability;
pub mod report_time;
pub mod review;
pub mod risk;
pub mod roles;
pub mod tasking;
pub mod warning_signs;

#[cfg(test)]
mod tests;

pub use alerts::{
    Alert, AlertKind, AlertPolicy, AlertSubject, HandlingRecords, ScheduledAlert, Severity,
    alert_schedule, alerts, change_instants,
};
pub use authorisation::{
    Authorisation, AuthorisationKind, AuthorisationStatus, DecisionContext, GrantRequest,
    NecessityGround, grant, live_authorisation, period_end,
};
pub use calendar::BankHolidays;
pub use concern::{Concern, ConcernCategory, ConcernFinding, ConcernReview};
pub use contact::{Contact, ContactMode, ContactPurpose, ContactStatus, check_contact};
pub use grading::{
    AdmiraltyGrade, GradeCodes, Grading, GradingScheme, InformationCredibility, Legacy5x5x5,
    Outcome, Police3x5x2, ReportStatus, SourceReliability,
};
pub use juvenile::{AgeBand, AppropriateAdult, AppropriateAdultCategory, JuvenileCcaSafeguards};
pub use lifecycle::{Origin, Source, SourceState, Transition, TransitionFacts, transition};
pub use motivation::Motivation;
pub use payment::{Payment, PaymentKind, PaymentPolicy};
pub use privilege::{ConfidentialKind, Lpp, PriorApproval, PrivilegedMaterial};
pub use relevant_error::RelevantError;
pub use review::{
    Cancellation, CancellationRequest, CommissionerNotice, NoticeDue, NoticeEvent, Renewal,
    RenewalRequest, Review, ReviewRequest, cancel, commissioner_notice_deadline,
    commissioner_notices, falling_with, renew, review,
};
pub use risk::{AssessedAt, RiskAssessment, RiskLevel};
pub use roles::{RoleAssignment, RoleHolders, SourceRole};
pub use tasking::{Priority, Requirement, Tasking, TaskingRequest, TaskingState, task};

/// Marker for the people who act on a source (handler, controller, authorising officer …). The
/// store's user ids convert with [`Id::from_uuid`](crate::Id::from_uuid).
pub enum Officer {}

/// An officer's user id.
pub type OfficerId = crate::Id<Officer>;
