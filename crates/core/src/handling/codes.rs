//! Every rule code the handling rules can refuse with, in one place.
//!
//! Codes are stable: programs (the API, the UI, audit reports) match on them, so a code is
//! never renamed or reused for a different rule. The sentence a person reads is built where the
//! rule is applied, because it names the dates and people involved.

// Authorisation (RIPA s.29, s.43).
/// No live use-and-conduct authorisation covers the source (RIPA s.29; compliance AUTH-01).
pub const AUTH_REQUIRED: &str = "AUTH_REQUIRED";
/// The authorisation's period has run out (RIPA s.43; DUR-02).
pub const AUTH_EXPIRED: &str = "AUTH_EXPIRED";
/// The authorisation has been cancelled (RIPA s.45).
pub const AUTH_CANCELLED: &str = "AUTH_CANCELLED";
/// A required part of the application is blank (2002 Code para 4.14; AUTH-02).
pub const AUTH_INCOMPLETE: &str = "AUTH_INCOMPLETE";
/// The kind asked for does not fit the facts (e.g. "juvenile" for an adult).
pub const AUTH_KIND_MISMATCH: &str = "AUTH_KIND_MISMATCH";
/// An urgent authorisation without the reason for urgency (Scottish Code 5.5; AUTH-05).
pub const URGENCY_REASON_REQUIRED: &str = "URGENCY_REASON_REQUIRED";
/// An officer authorising, reviewing or renewing for a source they handle or control (AUTH-04).
pub const SELF_AUTHORISATION: &str = "SELF_AUTHORISATION";
/// The source's case is closed.
pub const SOURCE_TERMINATED: &str = "SOURCE_TERMINATED";
/// A review interval of zero days.
pub const REVIEW_INTERVAL_INVALID: &str = "REVIEW_INTERVAL_INVALID";

// Criminal conduct (RIPA s.29B, s.29C).
/// A criminal conduct authorisation must sit on a live use-and-conduct one (s.29B(3); CCA-01).
pub const CCA_REQUIRES_LIVE_AUTHORISATION: &str = "CCA_REQUIRES_LIVE_AUTHORISATION";
/// Criminal conduct may only be authorised on three grounds (s.29B(5); CCA-01).
pub const CCA_GROUND_NOT_PERMITTED: &str = "CCA_GROUND_NOT_PERMITTED";
/// A juvenile criminal conduct authorisation without the s.29C safeguards (CCA-03).
pub const JUVENILE_CCA_SAFEGUARDS: &str = "JUVENILE_CCA_SAFEGUARDS";

// Juveniles (CHIS (Juveniles) Order 2000, SI 2000/2793).
/// Under 16: no authorisation where the relationship is with a parent or guardian (art 3).
pub const JUVENILE_PARENT_RELATIONSHIP: &str = "JUVENILE_PARENT_RELATIONSHIP";
/// Under 16: no tasking against a parent or person with parental responsibility (art 3).
pub const JUVENILE_PARENT_TASKING: &str = "JUVENILE_PARENT_TASKING";
/// Under 16: an appropriate adult at every meeting (art 4).
pub const JUVENILE_APPROPRIATE_ADULT: &str = "JUVENILE_APPROPRIATE_ADULT";
/// Under 18: the enhanced physical and psychological risk assessment (art 5).
pub const JUVENILE_RISK_ASSESSMENT: &str = "JUVENILE_RISK_ASSESSMENT";

// Risk (SI 2000/2725 reg 3(e)-(f)).
/// No risk assessment before the decision (RISK-01).
pub const RISK_ASSESSMENT_REQUIRED: &str = "RISK_ASSESSMENT_REQUIRED";
/// Risks not confirmed as explained to and understood by the source (reg 3(f)).
pub const RISK_NOT_EXPLAINED: &str = "RISK_NOT_EXPLAINED";

// Review, renewal and cancellation (RIPA s.43, s.45).
/// A review that does not cover use, tasks and information obtained (REV-01).
pub const REVIEW_INCOMPLETE: &str = "REVIEW_INCOMPLETE";
/// Renewal asked for after the authorisation expired (s.43(4); REN-01).
pub const RENEWAL_AFTER_EXPIRY: &str = "RENEWAL_AFTER_EXPIRY";
/// Renewal without a review since the last grant or renewal (s.43(6)-(7); REN-01).
pub const RENEWAL_WITHOUT_REVIEW: &str = "RENEWAL_WITHOUT_REVIEW";
/// Renewal without a risk assessment newer than the last grant or renewal (RISK-01).
pub const RENEWAL_WITHOUT_RISK_ASSESSMENT: &str = "RENEWAL_WITHOUT_RISK_ASSESSMENT";
/// The latest review found necessity, proportionality or arrangements failing (s.45; CAN-01).
pub const CANCELLATION_REQUIRED: &str = "CANCELLATION_REQUIRED";
/// A cancellation without reasons (CAN-01).
pub const CANCELLATION_REASONS_REQUIRED: &str = "CANCELLATION_REASONS_REQUIRED";
/// Cancelling or terminating without post-cancellation welfare arrangements (CAN-01).
pub const WELFARE_PLAN_REQUIRED: &str = "WELFARE_PLAN_REQUIRED";

// Lifecycle.
/// A move that is not an edge of the lifecycle graph (product.md, "Lifecycle").
pub const INVALID_TRANSITION: &str = "INVALID_TRANSITION";
/// A lifecycle move without a reason (every transition is a recorded event with a reason).
pub const REASON_REQUIRED: &str = "REASON_REQUIRED";
/// Use of a source that is not currently recruited (suspended, terminated or not yet recruited).
pub const SOURCE_NOT_RECRUITED: &str = "SOURCE_NOT_RECRUITED";

// Management roles (RIPA s.29(5)(a)-(c); SI 2000/2725 reg 3(h)-(i)).
/// A handler, controller or record-keeper is missing at some instant (AUTH-06).
pub const ROLE_NOT_COVERED: &str = "ROLE_NOT_COVERED";
/// Two people hold the same role at once, so it is unclear who is responsible.
pub const ROLE_OVERLAP: &str = "ROLE_OVERLAP";
/// One person holds two of the three roles (HO factsheet: "performed by different people").
pub const ROLES_NOT_DISTINCT: &str = "ROLES_NOT_DISTINCT";

// Contacts.
/// A held meeting or call with no officer recorded as present (reg 3(k)).
pub const CONTACT_OFFICERS_REQUIRED: &str = "CONTACT_OFFICERS_REQUIRED";

// Payments (SI 2000/2725 reg 3(n)).
/// A payment or offer of zero.
pub const PAYMENT_AMOUNT_INVALID: &str = "PAYMENT_AMOUNT_INVALID";
/// A payment above the approval threshold without a controller's approval.
pub const PAYMENT_APPROVAL_REQUIRED: &str = "PAYMENT_APPROVAL_REQUIRED";
/// A payment approved by someone who is not the source's controller at the time.
pub const PAYMENT_APPROVER_NOT_CONTROLLER: &str = "PAYMENT_APPROVER_NOT_CONTROLLER";
/// A payment policy whose thresholds cannot be recorded or contradict each other.
pub const PAYMENT_POLICY_INVALID: &str = "PAYMENT_POLICY_INVALID";

// Legally privileged and confidential material (SI 2010/123; PRIV-01).
/// Privileged matters intended without a recorded prior approval.
pub const LPP_PRIOR_APPROVAL_REQUIRED: &str = "LPP_PRIOR_APPROVAL_REQUIRED";
/// A prior approval notice missing a particular.
pub const LPP_APPROVAL_INCOMPLETE: &str = "LPP_APPROVAL_INCOMPLETE";
/// An approval dated after the decision, or a renewal relying on the earlier period's approval.
pub const LPP_APPROVAL_NOT_PRIOR: &str = "LPP_APPROVAL_NOT_PRIOR";

// The authorising officer's rank (SI 2010/521 Sch Pt 1; SI 2013/2788 art 16; Code Annex A).
/// The authorising officer's recorded rank is below the one the case needs (AUTH-03).
pub const AO_RANK_TOO_LOW: &str = "AO_RANK_TOO_LOW";
/// A rank table is in force and the authorising officer has no rank in it recorded (AUTH-03).
pub const AO_RANK_UNKNOWN: &str = "AO_RANK_UNKNOWN";
/// A rank to record that is not in the table in force, or no table is in force.
pub const RANK_UNKNOWN: &str = "RANK_UNKNOWN";
/// A rank table name that is not one of the built-in tables.
pub const RANK_TABLE_UNKNOWN: &str = "RANK_TABLE_UNKNOWN";

// Requirements and grading.
/// A requirement priority outside 1-4 (product.md, "Requirement").
pub const REQUIREMENT_PRIORITY_INVALID: &str = "REQUIREMENT_PRIORITY_INVALID";
/// A grade that is not a letter and digit of the chosen scheme.
pub const GRADE_INVALID: &str = "GRADE_INVALID";
/// Handling code "C" without the conditions that apply (GRD-01).
pub const GRADING_CONDITIONS_REQUIRED: &str = "GRADING_CONDITIONS_REQUIRED";
/// Dissemination of a report that has not been graded (GRD-01: every item graded before it is
/// shared; reg 3(m) records each dissemination).
pub const REPORT_NOT_GRADED: &str = "REPORT_NOT_GRADED";
/// Grading a report that has already left the service: the grade it went out with stands.
pub const REPORT_ALREADY_DISSEMINATED: &str = "REPORT_ALREADY_DISSEMINATED";
/// A dissemination recorded as happening in the future or before its report was filed (reg
/// 3(m): the record says when each dissemination happened).
pub const DISSEMINATION_TIME_INVALID: &str = "DISSEMINATION_TIME_INVALID";
/// A grade that departs from the validation engine's suggestion without a rationale
/// (product.md, "Grading scales": the program suggests, a person decides and says why).
pub const GRADE_RATIONALE_REQUIRED: &str = "GRADE_RATIONALE_REQUIRED";
/// An open-source item without the outlet that published it (product.md, "Validation").
pub const OUTLET_REQUIRED: &str = "OUTLET_REQUIRED";
/// An open-source item said to be published after now (product.md, "Validation").
pub const PUBLICATION_IN_FUTURE: &str = "PUBLICATION_IN_FUTURE";
/// A report dated after now (product.md, "Validation": its time is when the source reported).
pub const REPORTED_AT_IN_FUTURE: &str = "REPORTED_AT_IN_FUTURE";
/// A report of a contact dated before the contact (its debrief cannot precede it).
pub const REPORTED_BEFORE_CONTACT: &str = "REPORTED_BEFORE_CONTACT";

// The error register (IPA 2016 s.231; IPCO AR 2018 para 17.4; ERR-01).
/// A relevant error recorded without saying what went wrong.
pub const ERROR_DESCRIPTION_REQUIRED: &str = "ERROR_DESCRIPTION_REQUIRED";
/// A time in the error register that lies in the future.
pub const ERROR_TIME_IN_FUTURE: &str = "ERROR_TIME_IN_FUTURE";
/// Established before identified, or reported before established.
pub const ERROR_TIMES_OUT_OF_ORDER: &str = "ERROR_TIMES_OUT_OF_ORDER";
/// Establishing an error that has already been established (the clock started then).
pub const ERROR_ALREADY_ESTABLISHED: &str = "ERROR_ALREADY_ESTABLISHED";
/// Reporting an error to the Commissioner before it has been established.
pub const ERROR_NOT_ESTABLISHED: &str = "ERROR_NOT_ESTABLISHED";
/// Reporting an error that has already been reported.
pub const ERROR_ALREADY_REPORTED: &str = "ERROR_ALREADY_REPORTED";
/// A report to the Commissioner without its reference.
pub const ERROR_REFERENCE_REQUIRED: &str = "ERROR_REFERENCE_REQUIRED";

// Requirements and taskings (product.md, "Requirement", "Tasking").
/// Reviewing, closing or tasking against a requirement that has been closed.
pub const REQUIREMENT_CLOSED: &str = "REQUIREMENT_CLOSED";
/// A requirement review without its note, or a closure without its reason.
pub const REQUIREMENT_NOTE_REQUIRED: &str = "REQUIREMENT_NOTE_REQUIRED";
/// A new review-by date that has already passed.
pub const REVIEW_BY_IN_PAST: &str = "REVIEW_BY_IN_PAST";
/// A tasking status change that is not an edge of issued → acknowledged → completed | withdrawn.
pub const TASKING_INVALID_TRANSITION: &str = "TASKING_INVALID_TRANSITION";
/// Withdrawing a task without saying why.
pub const TASKING_NOTE_REQUIRED: &str = "TASKING_NOTE_REQUIRED";

// Access (RIPA s.29(5)(e); IPCO AR 2018 para 5.19(vi); product.md, the auditor role).
/// A break-glass read of a true identity without a reason written as a sentence.
pub const BREAK_GLASS_REASON_REQUIRED: &str = "BREAK_GLASS_REASON_REQUIRED";
/// A grading scheme that is not one of 3x5x2, 5x5x5 or Admiralty (GRD-01).
pub const GRADING_SCHEME_UNKNOWN: &str = "GRADING_SCHEME_UNKNOWN";

// A source's access and declared motivation (product.md, "The cycle, as records").
/// A declared motivation that is not ideology, money, recognition, conscience or other.
pub const INVALID_MOTIVATION: &str = "INVALID_MOTIVATION";
/// A source's access written at more than the length a sentence or two needs.
pub const ACCESS_TOO_LONG: &str = "ACCESS_TOO_LONG";

// Concerns about a source (compliance.md, "Software implications" and §1).
/// A concern category that is not coercion, welfare, conduct or circumstances.
pub const CONCERN_CATEGORY_UNKNOWN: &str = "CONCERN_CATEGORY_UNKNOWN";
/// A review finding that is not unfounded, founded or referred.
pub const CONCERN_FINDING_UNKNOWN: &str = "CONCERN_FINDING_UNKNOWN";
/// A concern's account or a review's note left blank.
pub const CONCERN_TEXT_REQUIRED: &str = "CONCERN_TEXT_REQUIRED";
/// A concern's account or a review's note longer than a few paragraphs.
pub const CONCERN_TEXT_TOO_LONG: &str = "CONCERN_TEXT_TOO_LONG";
/// The person who raised a concern reviewing it.
pub const CONCERN_OWN_REVIEW: &str = "CONCERN_OWN_REVIEW";
/// A second review of a concern already reviewed.
pub const CONCERN_ALREADY_REVIEWED: &str = "CONCERN_ALREADY_REVIEWED";

/// Every code above, so tests and documentation can check they are unique and well formed.
pub const ALL: &[&str] = &[
    AUTH_REQUIRED,
    AUTH_EXPIRED,
    AUTH_CANCELLED,
    AUTH_INCOMPLETE,
    AUTH_KIND_MISMATCH,
    URGENCY_REASON_REQUIRED,
    SELF_AUTHORISATION,
    SOURCE_TERMINATED,
    REVIEW_INTERVAL_INVALID,
    CCA_REQUIRES_LIVE_AUTHORISATION,
    CCA_GROUND_NOT_PERMITTED,
    JUVENILE_CCA_SAFEGUARDS,
    JUVENILE_PARENT_RELATIONSHIP,
    JUVENILE_PARENT_TASKING,
    JUVENILE_APPROPRIATE_ADULT,
    JUVENILE_RISK_ASSESSMENT,
    RISK_ASSESSMENT_REQUIRED,
    RISK_NOT_EXPLAINED,
    REVIEW_INCOMPLETE,
    RENEWAL_AFTER_EXPIRY,
    RENEWAL_WITHOUT_REVIEW,
    RENEWAL_WITHOUT_RISK_ASSESSMENT,
    CANCELLATION_REQUIRED,
    CANCELLATION_REASONS_REQUIRED,
    WELFARE_PLAN_REQUIRED,
    INVALID_TRANSITION,
    REASON_REQUIRED,
    SOURCE_NOT_RECRUITED,
    ROLE_NOT_COVERED,
    ROLE_OVERLAP,
    ROLES_NOT_DISTINCT,
    CONTACT_OFFICERS_REQUIRED,
    PAYMENT_AMOUNT_INVALID,
    PAYMENT_APPROVAL_REQUIRED,
    PAYMENT_APPROVER_NOT_CONTROLLER,
    PAYMENT_POLICY_INVALID,
    LPP_PRIOR_APPROVAL_REQUIRED,
    LPP_APPROVAL_INCOMPLETE,
    LPP_APPROVAL_NOT_PRIOR,
    REQUIREMENT_PRIORITY_INVALID,
    GRADE_INVALID,
    GRADING_CONDITIONS_REQUIRED,
    REPORT_NOT_GRADED,
    REPORT_ALREADY_DISSEMINATED,
    DISSEMINATION_TIME_INVALID,
    ERROR_DESCRIPTION_REQUIRED,
    ERROR_TIME_IN_FUTURE,
    ERROR_TIMES_OUT_OF_ORDER,
    ERROR_ALREADY_ESTABLISHED,
    ERROR_NOT_ESTABLISHED,
    ERROR_ALREADY_REPORTED,
    ERROR_REFERENCE_REQUIRED,
    REQUIREMENT_CLOSED,
    REQUIREMENT_NOTE_REQUIRED,
    REVIEW_BY_IN_PAST,
    TASKING_INVALID_TRANSITION,
    TASKING_NOTE_REQUIRED,
    BREAK_GLASS_REASON_REQUIRED,
    GRADING_SCHEME_UNKNOWN,
    GRADE_RATIONALE_REQUIRED,
    OUTLET_REQUIRED,
    PUBLICATION_IN_FUTURE,
    INVALID_MOTIVATION,
    ACCESS_TOO_LONG,
    CONCERN_CATEGORY_UNKNOWN,
    CONCERN_FINDING_UNKNOWN,
    CONCERN_TEXT_REQUIRED,
    CONCERN_TEXT_TOO_LONG,
    CONCERN_OWN_REVIEW,
    CONCERN_ALREADY_REVIEWED,
    REPORTED_AT_IN_FUTURE,
    REPORTED_BEFORE_CONTACT,
    AO_RANK_TOO_LOW,
    AO_RANK_UNKNOWN,
    RANK_UNKNOWN,
    RANK_TABLE_UNKNOWN,
];

/// True when a text field carries something other than whitespace. Blank justifications are the
/// commonest way a record looks complete and is not, so every rule that needs text uses this.
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}
