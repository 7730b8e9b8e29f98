//! The error register: relevant errors and their report to the Investigatory Powers Commissioner.
//!
//! Sources: Investigatory Powers Act 2016 s.231(9) (what a relevant error is); IPCO AR 2018
//! para 17.4 (notify "as soon as reasonably practicable and no later than ten working days …
//! after it has been established that a relevant error has occurred"); compliance.md §1.15,
//! ERR-01 (an "identified at" and an "established at" time, and a working-day clock that skips
//! weekends and the bank holidays of England and Wales).

use super::calendar::BankHolidays;
use super::{Authorisation, Source};
use crate::Id;
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
