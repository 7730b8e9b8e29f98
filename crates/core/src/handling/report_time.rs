//! When a source reported: a report's `reported_at`, apart from when it was written into the
//! system (`created_at`, the write time the audit ledger keeps).
//!
//! Why it matters: the validation reads a report's time as the moment the source gave the
//! information (product.md, "Validation"): a jump in a source's volume of reporting, who
//! reported a fact first (reporting that repeats earlier reporting), and reporting that echoes
//! open press all compare these times. A register of years of debriefs entered today would
//! otherwise read as years of reporting all made today. The record of each report must also
//! say truly when it was obtained (SI 2000/2725 reg. 3: the records of a source's use are kept
//! so the use can be inspected; compliance.md, "records").
//!
//! A report may be dated before the source was registered here, or recruited (a register
//! migrated from paper, or intelligence given during recruitment, which inspectors look for as
//! "status drift", IPCO AR 2018 para 5.19(i)): the source's registration and recruitment
//! times in this system are when those were recorded here, so they bound nothing.

use crate::RuleViolation;
use crate::handling::codes;
use chrono::{DateTime, Utc};

/// Checks when a report says its source reported: not after `now` (a report cannot describe
/// information not yet given, and a future date would count in the volume of reporting of a
/// day to come), and, for a report of a contact, not before the contact took place (or was
/// planned for, `contact_at`: [`crate::handling::Contact::when`]), since the debrief of a
/// meeting cannot come before the meeting.
pub fn check_reported_at(
    reported_at: DateTime<Utc>,
    now: DateTime<Utc>,
    contact_at: Option<DateTime<Utc>>,
) -> Result<(), RuleViolation> {
    if reported_at > now {
        return Err(RuleViolation::new(
            codes::REPORTED_AT_IN_FUTURE,
            format!(
                "The report is dated {}, which is after now: give the time the source reported.",
                reported_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ));
    }
    if let Some(at) = contact_at
        && reported_at < at
    {
        return Err(RuleViolation::new(
            codes::REPORTED_BEFORE_CONTACT,
            format!(
                "The report is dated {}, before its contact at {}: a report of a contact cannot come before the contact.",
                reported_at.format("%Y-%m-%d %H:%M UTC"),
                at.format("%Y-%m-%d %H:%M UTC")
            ),
        ));
    }
    Ok(())
}
