//! The error register: relevant errors and their report to the Investigatory Powers Commissioner.
//!
//! Sources: Investigatory Powers Act 2016 s.231(9) (what a relevant error is); IPCO AR 2018
//! para 17.4 (notify "as soon as reasonably practicable and no later than ten working days …
//! after it has been established that a relevant error has occurred"); compliance.md §1.15,
//! ERR-01 (an "identified at" and an "established at" time, and a working-day clock that skips
//! weekends and the bank holidays of England and Wales).

use super::calendar::BankHolidays;
use super::codes;
use super::{Authorisation, Source};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Working days allowed between establishing a relevant error and reporting it.
pub const REPORT_WITHIN_WORKING_DAYS: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelevantError {
    pub id: Id<RelevantError>,
    pub source: Option<Id<Source>>,
    pub authorisation: Option<Id<Authorisation>>,
    pub description: String,
    /// When someone first noticed something might be wrong.
    pub identified_at: DateTime<Utc>,
    /// When it was established that a relevant error occurred: the clock starts here.
    pub established_at: Option<DateTime<Utc>>,
    pub reported_at: Option<DateTime<Utc>>,
}

/// The report deadline: the end of the 10th working day after the London day the error was
/// established (a working day being Monday to Friday and not a bank holiday).
pub fn report_deadline(established_at: DateTime<Utc>, holidays: &BankHolidays) -> DateTime<Utc> {
    holidays.end_of_nth_working_day_after(established_at, REPORT_WITHIN_WORKING_DAYS)
}

impl RelevantError {
    /// `None` until the error is established (an unconfirmed suspicion has no deadline yet).
    pub fn report_due(&self, holidays: &BankHolidays) -> Option<DateTime<Utc>> {
        self.established_at.map(|at| report_deadline(at, holidays))
    }
}

/// What an officer records when an error comes to light.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRequest {
    pub id: Id<RelevantError>,
    pub source: Option<Id<Source>>,
    pub authorisation: Option<Id<Authorisation>>,
    pub description: String,
    pub identified_at: DateTime<Utc>,
    pub established_at: Option<DateTime<Utc>>,
}

fn not_future(at: DateTime<Utc>, now: DateTime<Utc>, what: &str) -> Result<(), RuleViolation> {
    if at > now {
        return Err(RuleViolation::new(
            codes::ERROR_TIME_IN_FUTURE,
            format!("The time {what} is in the future; the register records what has happened."),
        ));
    }
    Ok(())
}

/// Records an error in the register (ERR-01: "identified at" and, once known, "established
/// at"). An error can be recorded on suspicion and established later.
pub fn record(req: ErrorRequest, now: DateTime<Utc>) -> Result<RelevantError, RuleViolation> {
    if codes::is_blank(&req.description) {
        return Err(RuleViolation::new(
            codes::ERROR_DESCRIPTION_REQUIRED,
            "Describe what went wrong, so the error can be judged and reported.",
        ));
    }
    not_future(req.identified_at, now, "it was identified")?;
    let mut error = RelevantError {
        id: req.id,
        source: req.source,
        authorisation: req.authorisation,
        description: req.description,
        identified_at: req.identified_at,
        established_at: None,
        reported_at: None,
    };
    if let Some(at) = req.established_at {
        error = establish(&error, at, now)?;
    }
    Ok(error)
}

/// Establishes that a relevant error occurred: the 10-working-day clock starts at `at`
/// (IPCO AR 2018 para 17.4). Established once; never before it was identified.
pub fn establish(
    error: &RelevantError,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<RelevantError, RuleViolation> {
    if let Some(before) = error.established_at {
        return Err(RuleViolation::new(
            codes::ERROR_ALREADY_ESTABLISHED,
            format!(
                "This error was already established at {}; its report deadline runs from then.",
                crate::clock::format_ms(before.timestamp_millis())
            ),
        ));
    }
    not_future(at, now, "it was established")?;
    if at < error.identified_at {
        return Err(RuleViolation::new(
            codes::ERROR_TIMES_OUT_OF_ORDER,
            "An error cannot be established before it was identified.",
        ));
    }
    Ok(RelevantError {
        established_at: Some(at),
        ..error.clone()
    })
}

/// Records the notification to the Investigatory Powers Commissioner (IPA 2016 s.231; IPCO AR
/// 2018 para 17.4). Late reports are accepted (a late report is better than none) and shown as
/// late by [`RelevantError::reported_late`]. The reference is kept beside the record.
pub fn report(
    error: &RelevantError,
    reported_at: DateTime<Utc>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<RelevantError, RuleViolation> {
    let Some(established_at) = error.established_at else {
        return Err(RuleViolation::new(
            codes::ERROR_NOT_ESTABLISHED,
            "Establish that a relevant error occurred before recording its report to the Commissioner.",
        ));
    };
    if error.reported_at.is_some() {
        return Err(RuleViolation::new(
            codes::ERROR_ALREADY_REPORTED,
            "This error has already been reported to the Commissioner.",
        ));
    }
    if codes::is_blank(reference) {
        return Err(RuleViolation::new(
            codes::ERROR_REFERENCE_REQUIRED,
            "Give the reference of the notification to the Commissioner.",
        ));
    }
    not_future(reported_at, now, "it was reported")?;
    if reported_at < established_at {
        return Err(RuleViolation::new(
            codes::ERROR_TIMES_OUT_OF_ORDER,
            "An error cannot be reported before it was established.",
        ));
    }
    Ok(RelevantError {
        reported_at: Some(reported_at),
        ..error.clone()
    })
}

impl RelevantError {
    /// Whether the report reached the Commissioner at or after the deadline; `None` until it is
    /// reported.
    pub fn reported_late(&self, holidays: &BankHolidays) -> Option<bool> {
        let reported = self.reported_at?;
        self.report_due(holidays).map(|due| reported >= due)
    }

    /// Established, not yet reported, and the deadline has passed at `now`.
    pub fn is_overdue(&self, holidays: &BankHolidays, now: DateTime<Utc>) -> bool {
        self.reported_at.is_none() && self.report_due(holidays).is_some_and(|due| now >= due)
    }
}

/// For an "error report due" alert: the instant from which the alert should show (the error
/// is established and unreported) and the instant at which it becomes overdue (the deadline).
/// `None` when no alert applies: not yet established, or already reported.
pub fn report_alert_window(
    error: &RelevantError,
    holidays: &BankHolidays,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    if error.reported_at.is_some() {
        return None;
    }
    let established = error.established_at?;
    Some((established, report_deadline(established, holidays)))
}
