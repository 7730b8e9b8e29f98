//! The officers' side of the intake: the list of submissions (never their content), replies,
//! status, and verification phrases.
//!
//! Deadlines follow the EU Whistleblower Directive as best practice (compliance.md §6):
//! acknowledge within 7 days of receipt; give feedback within 3 months of the
//! acknowledgement or, if none was sent, of the end of those 7 days.

use super::codename::{self, normalise};
use super::crypt;
use super::{day_of, day_text, parse_day, random_id};
use crate::{Principal, Station, StationError};
use chrono::{Days, Months, NaiveDate};
use hmac::{Hmac, KeyInit, Mac as _};
use humint_core::Role;
use humint_store::{
    AuditContext, IntakeStatusChange, IntakeStore as _, IntakeThreadRow, NewIntakeEntry,
    NewVerificationPhrase, Store as _,
};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Who works the intake: handlers and controllers. Auditors and admins may see the list,
/// which holds no content.
const TRIAGE: &[Role] = &[Role::Handler, Role::Controller];
const VIEW: &[Role] = &[Role::Handler, Role::Controller, Role::Auditor, Role::Admin];

/// Longest reply, in bytes.
pub const REPLY_MAX_BYTES: usize = 20_000;
/// Words in a verification phrase (log2(7776^6) ≈ 77 bits).
const PHRASE_WORDS: usize = 6;
const PHRASE_DEFAULT_HOURS: u32 = 7 * 24;
const PHRASE_MAX_HOURS: u32 = 90 * 24;
/// Acknowledge receipt within 7 days (EU Whistleblower Directive art. 9(1)(b)).
const ACKNOWLEDGE_DAYS: u64 = 7;

/// The last day to acknowledge a submission received on `received_on`.
fn acknowledgement_due(received_on: NaiveDate) -> NaiveDate {
    received_on + Days::new(ACKNOWLEDGE_DAYS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntakeStatus {
    New,
    Acknowledged,
    FeedbackGiven,
    Closed,
    Converted,
}

impl IntakeStatus {
    pub const ALL: [IntakeStatus; 5] = [
        IntakeStatus::New,
        IntakeStatus::Acknowledged,
        IntakeStatus::FeedbackGiven,
        IntakeStatus::Closed,
        IntakeStatus::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IntakeStatus::New => "new",
            IntakeStatus::Acknowledged => "acknowledged",
            IntakeStatus::FeedbackGiven => "feedback_given",
            IntakeStatus::Closed => "closed",
            IntakeStatus::Converted => "converted",
        }
    }

    pub fn parse(text: &str) -> Option<IntakeStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One submission thread as officers see it: no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeSummary {
    pub id: String,
    pub received_on: NaiveDate,
    /// Bytes the volunteer sent.
    pub size: i64,
    pub received: i64,
    pub replies: i64,
    pub status: IntakeStatus,
    pub acknowledgement_due: NaiveDate,
    pub acknowledged_on: Option<NaiveDate>,
    pub feedback_due: NaiveDate,
    pub feedback_on: Option<NaiveDate>,
    pub source_id: Option<String>,
    /// Still new past its acknowledgement day, today (the same rule the home page counts by).
    pub acknowledgement_late: bool,
}

/// One entry of a thread as officers see it: who sent it, the day, its size; never content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeEntrySummary {
    pub seq: i64,
    /// `received` (from the volunteer) or `reply` (from an officer).
    pub kind: String,
    pub day: NaiveDate,
    /// Plaintext bytes (message plus file).
    pub size: i64,
    /// The size of an attached file, if there was one.
    pub file_size: Option<i64>,
}

/// A phrase to hand to the person an officer approaches; shown once.
#[derive(Clone)]
pub struct IssuedPhrase {
    pub phrase: Zeroizing<String>,
    pub expires_at_ms: i64,
}

impl std::fmt::Debug for IssuedPhrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedPhrase")
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

fn summary(row: IntakeThreadRow) -> IntakeSummary {
    // Days were written by this program; a damaged one falls back to the epoch rather than
    // hiding the thread from the list.
    let received_on = parse_day(&row.received_day).unwrap_or_default();
    let acknowledged_on = row.acknowledged_day.as_deref().and_then(parse_day);
    let acknowledgement_due = acknowledgement_due(received_on);
    let feedback_base = acknowledged_on.unwrap_or(acknowledgement_due);
    let feedback_due = feedback_base
        .checked_add_months(Months::new(3))
        .unwrap_or(feedback_base);
    IntakeSummary {
        id: row.id,
        received_on,
        size: row.size,
        received: row.received,
        replies: row.replies,
        status: IntakeStatus::parse(&row.status).unwrap_or(IntakeStatus::New),
        acknowledgement_due,
        acknowledged_on,
        feedback_due,
        feedback_on: row.feedback_day.as_deref().and_then(parse_day),
        source_id: row.source_id,
        acknowledgement_late: false,
    }
}

/// Whether a submission received on `received_on`, with `status`, is past its acknowledgement
/// day on `today`: still new after the day it was due.
fn acknowledgement_late(status: IntakeStatus, received_on: NaiveDate, today: NaiveDate) -> bool {
    status == IntakeStatus::New && today > acknowledgement_due(received_on)
}

impl Station {
    /// A thread as officers see it, with its lateness judged today.
    fn summarise(&self, row: IntakeThreadRow) -> IntakeSummary {
        let today = day_of(self.clock().now());
        let mut s = summary(row);
        s.acknowledgement_late = acknowledgement_late(s.status, s.received_on, today);
        s
    }

    fn intake_event(&self, actor: &Principal, action: &str, id: &str) -> AuditContext {
        AuditContext::new(
            self.now_ms(),
            &actor.user_id,
            actor.role.as_str(),
            action,
            "intake_thread",
            id,
        )
    }

    /// A keyed hash of a normalised phrase: the database holds no phrase.
    pub(crate) fn phrase_hash(&self, phrase: &str) -> Vec<u8> {
        let key = self.intake_subkey("phrase");
        match <Hmac<Sha256> as KeyInit>::new_from_slice(&key) {
            Ok(mut mac) => {
                mac.update(normalise(phrase).as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            // HMAC takes keys of any length; unreachable, and an empty hash matches nothing.
            Err(_) => Vec::new(),
        }
    }

    async fn intake_thread_row(&self, id: &str) -> Result<IntakeThreadRow, StationError> {
        self.store
            .intake_thread(id)
            .await?
            .ok_or(StationError::NotFound {
                what: "intake submission",
            })
    }

    /// Every submission thread, oldest first, without content.
    pub async fn intake_list(&self, actor: &Principal) -> Result<Vec<IntakeSummary>, StationError> {
        actor.require_role(VIEW, "see intake submissions")?;
        let rows = self.store.intake_threads().await?;
        let audit = self.intake_event(actor, "intake.list", "*");
        self.store.append_audit(&audit).await?;
        Ok(rows.into_iter().map(|r| self.summarise(r)).collect())
    }

    pub async fn intake_get(
        &self,
        actor: &Principal,
        id: &str,
    ) -> Result<IntakeSummary, StationError> {
        actor.require_role(VIEW, "see intake submissions")?;
        Ok(self.summarise(self.intake_thread_row(id).await?))
    }

    /// One submission with its thread (who sent what, on which day, how large; never the
    /// content): an audited read, for those who may see the list.
    pub async fn intake_thread(
        &self,
        actor: &Principal,
        id: &str,
    ) -> Result<(IntakeSummary, Vec<IntakeEntrySummary>), StationError> {
        actor.require_role(VIEW, "see intake submissions")?;
        let thread = self.intake_thread_row(id).await?;
        let entries = self
            .store
            .intake_entries(id)
            .await?
            .into_iter()
            .map(|e| IntakeEntrySummary {
                seq: e.seq,
                kind: e.kind,
                day: parse_day(&e.day).unwrap_or_default(),
                size: e.size,
                file_size: e.file_size,
            })
            .collect();
        let audit = self.intake_event(actor, "intake.read", id);
        self.store.append_audit(&audit).await?;
        Ok((self.summarise(thread), entries))
    }

    /// How many submissions are still new past their acknowledgement day (for those who work
    /// the intake): counted in the database, no thread read, decrypted or audited.
    pub async fn intake_unacknowledged_overdue(
        &self,
        actor: &Principal,
    ) -> Result<i64, StationError> {
        actor.require_role(TRIAGE, "see intake deadlines")?;
        let today = day_of(self.clock().now());
        // Past the due day: received before today minus the period.
        let before = today - Days::new(ACKNOWLEDGE_DAYS);
        Ok(self
            .store
            .count_intake_threads(IntakeStatus::New.as_str(), &day_text(before))
            .await?)
    }

    /// Replies to a volunteer: encrypted to their codename's key only, so neither the station
    /// nor a seizure of it can read the reply afterwards. The first reply acknowledges receipt.
    pub async fn intake_reply(
        &self,
        actor: &Principal,
        id: &str,
        text: &str,
    ) -> Result<IntakeSummary, StationError> {
        actor.require_role(TRIAGE, "reply to intake submissions")?;
        let text = text.trim();
        if text.is_empty() || text.len() > REPLY_MAX_BYTES {
            return Err(StationError::invalid(
                "INVALID_REPLY",
                format!("a reply is 1 to {REPLY_MAX_BYTES} bytes of text"),
            ));
        }
        let thread = self.intake_thread_row(id).await?;
        let recipient = crypt::parse_recipient(&thread.reply_recipient)?;
        let body = crypt::encrypt(&vec![recipient], text.as_bytes())?;
        let (day, _) = self.intake_today();
        let entry = NewIntakeEntry {
            id: random_id(self),
            kind: "reply".to_owned(),
            day: day.clone(),
            body,
            size: i64::try_from(text.len()).unwrap_or(i64::MAX),
            file_name: None,
            file_size: None,
        };
        let acknowledge =
            (thread.status == IntakeStatus::New.as_str()).then(|| IntakeStatusChange {
                status: IntakeStatus::Acknowledged.as_str().to_owned(),
                acknowledged_day: Some(day.clone()),
                feedback_day: None,
                source_id: None,
            });
        let audit = self.intake_event(actor, "intake.reply", id);
        self.store
            .append_intake_entry(id, &entry, acknowledge.as_ref(), &audit)
            .await?;
        Ok(self.summarise(self.intake_thread_row(id).await?))
    }

    /// Moves a thread on: acknowledged, feedback_given or closed (recording the day the
    /// deadlines are measured by). Conversion has its own call.
    pub async fn intake_set_status(
        &self,
        actor: &Principal,
        id: &str,
        status: &str,
    ) -> Result<IntakeSummary, StationError> {
        actor.require_role(TRIAGE, "change an intake submission's status")?;
        let status = match IntakeStatus::parse(status) {
            Some(
                s @ (IntakeStatus::Acknowledged
                | IntakeStatus::FeedbackGiven
                | IntakeStatus::Closed),
            ) => s,
            _ => {
                return Err(StationError::invalid(
                    "INVALID_STATUS",
                    "the status can be set to acknowledged, feedback_given or closed",
                ));
            }
        };
        let thread = self.intake_thread_row(id).await?;
        if thread.status == IntakeStatus::Converted.as_str() {
            return Err(StationError::Conflict {
                code: "ALREADY_CONVERTED",
                message: "this submission has become a source; its status no longer changes"
                    .to_owned(),
            });
        }
        let (day, _) = self.intake_today();
        let change = IntakeStatusChange {
            status: status.as_str().to_owned(),
            acknowledged_day: (status != IntakeStatus::Closed).then(|| day.clone()),
            feedback_day: (status == IntakeStatus::FeedbackGiven).then(|| day.clone()),
            source_id: None,
        };
        let audit = self.intake_event(actor, "intake.status", id);
        self.store.set_intake_status(id, &change, &audit).await?;
        Ok(self.summarise(self.intake_thread_row(id).await?))
    }

    /// Issues a single-use phrase valid for `hours` (default 7 days). Only its keyed hash is
    /// stored; the phrase is shown once.
    pub async fn intake_issue_phrase(
        &self,
        actor: &Principal,
        hours: Option<u32>,
    ) -> Result<IssuedPhrase, StationError> {
        actor.require_role(TRIAGE, "issue verification phrases")?;
        let hours = hours.unwrap_or(PHRASE_DEFAULT_HOURS);
        if !(1..=PHRASE_MAX_HOURS).contains(&hours) {
            return Err(StationError::invalid(
                "INVALID_VALIDITY",
                format!("a phrase is valid for 1 to {PHRASE_MAX_HOURS} hours"),
            ));
        }
        let phrase = codename::random_words(PHRASE_WORDS, self.entropy());
        let hash = self.phrase_hash(&phrase);
        let now = self.now_ms();
        let row = NewVerificationPhrase {
            phrase_hash: hash.clone(),
            issued_by: actor.user_id.clone(),
            created_at_ms: now,
            expires_at_ms: now + i64::from(hours) * 3600 * 1000,
        };
        let audit = AuditContext::new(
            now,
            &actor.user_id,
            actor.role.as_str(),
            "intake.phrase.issue",
            "verification_phrase",
            hex::encode(&hash[..8.min(hash.len())]),
        );
        self.store.add_verification_phrase(&row, &audit).await?;
        Ok(IssuedPhrase {
            phrase,
            expires_at_ms: row.expires_at_ms,
        })
    }
}

/// Today's date as the API shows it.
pub fn format_day(day: NaiveDate) -> String {
    day_text(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn row(received: &str, ack: Option<&str>) -> IntakeThreadRow {
        IntakeThreadRow {
            id: "t".into(),
            reply_recipient: String::new(),
            received_day: received.into(),
            status: "new".into(),
            acknowledged_day: ack.map(str::to_owned),
            feedback_day: None,
            source_id: None,
            size: 0,
            received: 1,
            replies: 0,
        }
    }

    #[rstest]
    #[case::unacknowledged("2026-03-02", None, "2026-03-09", "2026-06-09")]
    #[case::acknowledged_early("2026-03-02", Some("2026-03-04"), "2026-03-09", "2026-06-04")]
    #[case::month_end("2026-11-23", None, "2026-11-30", "2027-02-28")]
    fn deadlines_follow_the_directive(
        #[case] received: &str,
        #[case] ack: Option<&str>,
        #[case] ack_due: &str,
        #[case] feedback_due: &str,
    ) {
        let s = summary(row(received, ack));
        assert_eq!(format_day(s.acknowledgement_due), ack_due);
        assert_eq!(format_day(s.feedback_due), feedback_due);
    }

    #[rstest]
    #[case::on_the_due_day("2026-03-09", false)]
    #[case::the_day_after("2026-03-10", true)]
    fn acknowledgement_is_late_the_day_after_it_was_due(#[case] today: &str, #[case] late: bool) {
        let received = parse_day("2026-03-02").expect("day");
        let today = parse_day(today).expect("day");
        assert_eq!(
            acknowledgement_late(IntakeStatus::New, received, today),
            late
        );
        assert!(!acknowledgement_late(
            IntakeStatus::Acknowledged,
            received,
            today + Days::new(30)
        ));
    }

    #[test]
    fn statuses_round_trip() {
        for s in IntakeStatus::ALL {
            assert_eq!(IntakeStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(IntakeStatus::parse("spotted"), None);
    }
}
