//! The register's free text (an error's description and Commissioner's reference, a
//! requirement review's note or closure reason, a break-glass reason) is sealed like every
//! other sensitive field (migration 0012): an envelope bound to table, column and row, listed
//! in the store's `ENCRYPTED_COLUMNS` so key rotation re-wraps it. A station upgraded from an
//! earlier version holds these texts in plaintext; [`Station::seal_plaintext_texts`] runs at
//! open (and after a restore) and seals them. Migrations 0014 and 0015 add a source's lifecycle
//! events (`source_transitions.doc`, the reason of each move) and taskings (`taskings.doc`,
//! instructions and status notes) to the same list and the same job.
//!
//! Migration 0016 seals the free text of records whose document must stay readable without
//! keys, because the alert scheduler decodes it inside the store's write transaction (a
//! contact's location alias and fallback arrangements): a [`SealedRecord`] is stored as its
//! document with the free-text fields blanked (`doc`) and those fields as one envelope
//! (`text_sealed`); the station opens the envelope and merges the text back
//! ([`Station::open_record`]). Older rows are split and sealed by the same job.

use super::convert::{damaged, from_doc, to_doc};
use crate::{Station, StationError};
use humint_core::handling::{Authorisation, Contact, Payment, PriorApproval};
use humint_store::{AuditContext, RegisterStore as _, SealEvent, SealedText, Store as _};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// A record kept as a key-less document plus its free text sealed apart (migration 0016).
pub(crate) trait SealedRecord: Serialize + DeserializeOwned {
    /// The record's table; its envelope is `text_sealed`, bound to the row id.
    const TABLE: &'static str;
    /// The free-text fields, as sealed.
    type Text: Serialize + DeserializeOwned;
    /// Takes the free text out, leaving the fields blank (empty, `None`).
    fn take_text(&mut self) -> Self::Text;
    /// Puts opened free text back; refused when it does not fit the document (a history
    /// entry more or fewer than the text has).
    fn put_text(&mut self, text: Self::Text) -> Result<(), StationError>;
}

/// A contact's free text: where the source is met and what happens if the meeting fails.
#[derive(Serialize, Deserialize)]
pub(crate) struct ContactText {
    location_alias: Option<String>,
    // Sealed since the fields were added; an older envelope lacks them.
    #[serde(default)]
    cover_used: Option<String>,
    #[serde(default)]
    safety_arrangements: Option<String>,
    fallback_arrangements: Option<String>,
}

impl SealedRecord for Contact {
    const TABLE: &'static str = "contacts";
    type Text = ContactText;
    fn take_text(&mut self) -> ContactText {
        ContactText {
            location_alias: self.location_alias.take(),
            cover_used: self.cover_used.take(),
            safety_arrangements: self.safety_arrangements.take(),
            fallback_arrangements: self.fallback_arrangements.take(),
        }
    }
    fn put_text(&mut self, text: ContactText) -> Result<(), StationError> {
        self.location_alias = text.location_alias;
        self.cover_used = text.cover_used;
        self.safety_arrangements = text.safety_arrangements;
        self.fallback_arrangements = text.fallback_arrangements;
        Ok(())
    }
}

/// A payment's free text: what it was for.
#[derive(Serialize, Deserialize)]
pub(crate) struct PaymentText {
    purpose: String,
}

impl SealedRecord for Payment {
    const TABLE: &'static str = "payments";
    type Text = PaymentText;
    fn take_text(&mut self) -> PaymentText {
        PaymentText {
            purpose: std::mem::take(&mut self.purpose),
        }
    }
    fn put_text(&mut self, text: PaymentText) -> Result<(), StationError> {
        self.purpose = text.purpose;
        Ok(())
    }
}

/// An authorisation's free text: the justification of the grant (s.29(2)-(3): necessity,
/// proportionality, collateral intrusion, the tasks in scope, why it was urgent), the s.29C
/// safeguards for a juvenile, and the text of each review, renewal and the cancellation, in
/// the order of the document's lists.
#[derive(Serialize, Deserialize)]
pub(crate) struct AuthorisationText {
    necessity: String,
    proportionality: String,
    collateral_intrusion: String,
    tasks_in_scope: Vec<String>,
    urgency_reason: Option<String>,
    /// (exceptional circumstances, best interests, meeting arrangements).
    juvenile_cca_safeguards: Option<(String, String, String)>,
    /// (use made, tasks given, information obtained) of each review.
    reviews: Vec<(String, String, String)>,
    /// The urgency reason of each renewal.
    renewals: Vec<Option<String>>,
    /// (reasons, welfare plan).
    cancellation: Option<(String, String)>,
    /// The grant's prior approval notice for privileged matters (PRIV-01): who approved,
    /// grounds, conduct, lawyer and client, privileged matters, collateral. Absent from
    /// envelopes sealed before it existed, as from authorisations without one.
    #[serde(default)]
    prior_approval: Option<ApprovalText>,
    /// Each renewal's approval notice, in the order of the renewals (empty in older envelopes).
    #[serde(default)]
    renewal_approvals: Vec<Option<ApprovalText>>,
}

type ApprovalText = [String; 6];

fn take_approval(a: &mut PriorApproval) -> ApprovalText {
    use std::mem::take;
    [
        take(&mut a.approved_by),
        take(&mut a.grounds),
        take(&mut a.conduct),
        take(&mut a.lawyer_and_client),
        take(&mut a.privileged_matters),
        take(&mut a.collateral),
    ]
}

fn put_approval(a: &mut PriorApproval, text: ApprovalText) {
    let [by, grounds, conduct, lawyer_and_client, matters, collateral] = text;
    a.approved_by = by;
    a.grounds = grounds;
    a.conduct = conduct;
    a.lawyer_and_client = lawyer_and_client;
    a.privileged_matters = matters;
    a.collateral = collateral;
}

impl SealedRecord for Authorisation {
    const TABLE: &'static str = "authorisations";
    type Text = AuthorisationText;
    fn take_text(&mut self) -> AuthorisationText {
        use std::mem::take;
        AuthorisationText {
            necessity: take(&mut self.necessity),
            proportionality: take(&mut self.proportionality),
            collateral_intrusion: take(&mut self.collateral_intrusion),
            tasks_in_scope: take(&mut self.tasks_in_scope),
            urgency_reason: self.urgency_reason.take(),
            juvenile_cca_safeguards: self.juvenile_cca_safeguards.as_mut().map(|s| {
                (
                    take(&mut s.exceptional_circumstances),
                    take(&mut s.best_interests),
                    take(&mut s.meeting_arrangements),
                )
            }),
            reviews: self
                .reviews
                .iter_mut()
                .map(|r| {
                    (
                        take(&mut r.use_made),
                        take(&mut r.tasks_given),
                        take(&mut r.information_obtained),
                    )
                })
                .collect(),
            renewals: self
                .renewals
                .iter_mut()
                .map(|r| r.urgency_reason.take())
                .collect(),
            cancellation: self
                .cancellation
                .as_mut()
                .map(|c| (take(&mut c.reasons), take(&mut c.welfare_plan))),
            prior_approval: self.privileged.prior_approval.as_mut().map(take_approval),
            renewal_approvals: if self.renewals.iter().any(|r| r.prior_approval.is_some()) {
                self.renewals
                    .iter_mut()
                    .map(|r| r.prior_approval.as_mut().map(take_approval))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
    fn put_text(&mut self, text: AuthorisationText) -> Result<(), StationError> {
        if text.reviews.len() != self.reviews.len()
            || text.renewals.len() != self.renewals.len()
            || text.juvenile_cca_safeguards.is_some() != self.juvenile_cca_safeguards.is_some()
            || text.cancellation.is_some() != self.cancellation.is_some()
            || text.prior_approval.is_some() != self.privileged.prior_approval.is_some()
        {
            return Err(damaged("authorisation"));
        }
        let renewal_approvals = if text.renewal_approvals.is_empty() {
            vec![None; self.renewals.len()]
        } else {
            text.renewal_approvals
        };
        if renewal_approvals.len() != self.renewals.len()
            || self
                .renewals
                .iter()
                .zip(&renewal_approvals)
                .any(|(r, t)| r.prior_approval.is_some() != t.is_some())
        {
            return Err(damaged("authorisation"));
        }
        if let (Some(a), Some(t)) = (self.privileged.prior_approval.as_mut(), text.prior_approval) {
            put_approval(a, t);
        }
        for (r, t) in self.renewals.iter_mut().zip(renewal_approvals) {
            if let (Some(a), Some(t)) = (r.prior_approval.as_mut(), t) {
                put_approval(a, t);
            }
        }
        self.necessity = text.necessity;
        self.proportionality = text.proportionality;
        self.collateral_intrusion = text.collateral_intrusion;
        self.tasks_in_scope = text.tasks_in_scope;
        self.urgency_reason = text.urgency_reason;
        if let (Some(s), Some((exceptional, interests, meetings))) = (
            self.juvenile_cca_safeguards.as_mut(),
            text.juvenile_cca_safeguards,
        ) {
            s.exceptional_circumstances = exceptional;
            s.best_interests = interests;
            s.meeting_arrangements = meetings;
        }
        for (r, (used, tasks, obtained)) in self.reviews.iter_mut().zip(text.reviews) {
            r.use_made = used;
            r.tasks_given = tasks;
            r.information_obtained = obtained;
        }
        for (r, urgency) in self.renewals.iter_mut().zip(text.renewals) {
            r.urgency_reason = urgency;
        }
        if let (Some(c), Some((reasons, welfare))) = (self.cancellation.as_mut(), text.cancellation)
        {
            c.reasons = reasons;
            c.welfare_plan = welfare;
        }
        Ok(())
    }
}

/// A plaintext document an older version wrote, split: (the document blanked, its free text
/// as JSON).
fn split<T: SealedRecord>(doc: &str) -> Result<(String, String), StationError> {
    let mut record: T = from_doc(doc)?;
    let text = record.take_text();
    Ok((to_doc(&record)?, to_doc(&text)?))
}

/// Texts sealed per transaction.
const BATCH: i64 = 500;

impl Station {
    /// Seals one free text of the register for its row.
    pub(crate) fn seal_text(
        &self,
        table: &'static str,
        column: &'static str,
        row: &str,
        text: &str,
    ) -> Result<Vec<u8>, StationError> {
        self.encrypt_field(table, column, row, text.as_bytes())
    }

    /// Opens one free text of the register; a tampered or moved envelope is the crypto
    /// layer's refusal, never a panic.
    pub(crate) fn open_text(
        &self,
        table: &'static str,
        column: &'static str,
        row: &str,
        envelope: &[u8],
    ) -> Result<String, StationError> {
        let plain = self.decrypt_field(table, column, row, envelope)?;
        String::from_utf8(plain.to_vec())
            .map_err(|_| StationError::Io(format!("a stored {table}.{column} is damaged")))
    }

    /// A record as stored since migration 0016: (its document with the free text blanked,
    /// the free text sealed to its row).
    pub(crate) fn seal_record<T: SealedRecord + Clone>(
        &self,
        id: &str,
        record: &T,
    ) -> Result<(String, Vec<u8>), StationError> {
        let mut blank = record.clone();
        let text = blank.take_text();
        let envelope = self.seal_text(T::TABLE, "text_sealed", id, &to_doc(&text)?)?;
        Ok((to_doc(&blank)?, envelope))
    }

    /// A contact as a bulk loader stores it ([`humint_store::HandlingStore::bulk_insert_contacts`]):
    /// (`doc`, the contact with its location alias and fallback arrangements blank;
    /// `text_sealed`, those sealed to its row).
    pub fn seal_contact(&self, contact: &Contact) -> Result<(String, Vec<u8>), StationError> {
        self.seal_record(&contact.id.to_string(), contact)
    }

    /// A stored record with its free text opened and merged back; a row an older version
    /// wrote and no station has sealed yet holds its text in the document and is read as it
    /// is. A tampered or moved envelope is the crypto layer's refusal.
    pub(crate) fn open_record<T: SealedRecord>(
        &self,
        id: &str,
        doc: &str,
        sealed: Option<&[u8]>,
    ) -> Result<T, StationError> {
        let mut record: T = from_doc(doc)?;
        if let Some(envelope) = sealed {
            let text = self.open_text(T::TABLE, "text_sealed", id, envelope)?;
            record.put_text(from_doc(&text)?)?;
        }
        Ok(record)
    }

    /// A document column sealed since its migration (`doc_sealed` beside `doc`): the envelope
    /// opened, or, in a row an older version wrote and no station has sealed yet, the
    /// plaintext as it is.
    pub(crate) fn open_doc(
        &self,
        table: &'static str,
        row: &str,
        sealed: Option<&[u8]>,
        plain: &str,
    ) -> Result<String, StationError> {
        match sealed {
            Some(envelope) => self.open_text(table, "doc_sealed", row, envelope),
            None => Ok(plain.to_owned()),
        }
    }

    /// Seals every register text still held in plaintext (rows written before migration
    /// 0012) and blanks the plaintext in the same transaction, a batch at a time; one audit
    /// event (`register.text.seal`, object id = how many rows) records the work. Idempotent:
    /// with nothing left in plaintext it reads one empty page and writes nothing. A station
    /// without keys yet (not initialised) holds no such rows. Returns how many were sealed.
    pub async fn seal_plaintext_texts(&self) -> Result<u64, StationError> {
        if self.store.is_empty().await? {
            return Ok(0);
        }
        let mut total = 0u64;
        loop {
            let page = self.store.unsealed_texts(BATCH).await?;
            if page.is_empty() {
                break;
            }
            let last = (page.len() as i64) < BATCH;
            let mut sealed = Vec::with_capacity(page.len());
            for t in page {
                let (rest, text) = if t.column.split {
                    let (rest, text) = match t.column.table {
                        "contacts" => split::<Contact>(&t.plaintext),
                        "payments" => split::<Payment>(&t.plaintext),
                        "authorisations" => split::<Authorisation>(&t.plaintext),
                        _ => Err(damaged("document")),
                    }
                    .map_err(|_| {
                        StationError::Io(format!(
                            "{} row {} could not be read to seal its free text",
                            t.column.table, t.row
                        ))
                    })?;
                    (Some(rest), text)
                } else {
                    (None, t.plaintext)
                };
                let envelope = self.seal_text(t.column.table, t.column.sealed, &t.row, &text)?;
                sealed.push(SealedText {
                    column: t.column,
                    row: t.row,
                    envelope,
                    rest,
                });
            }
            // The event rides with the last batch when it is known to be the last (counting
            // only the rows this station sealed, not any another server sealed meanwhile);
            // otherwise it is appended on its own once an empty page says so.
            let event = last.then(|| SealEvent {
                audit: self.seal_audit(0),
                sealed_before: total,
            });
            total += self.store.seal_texts(&sealed, event.as_ref()).await?;
            if last {
                return Ok(total);
            }
        }
        if total > 0 {
            self.store.append_audit(&self.seal_audit(total)).await?;
        }
        Ok(total)
    }

    fn seal_audit(&self, count: u64) -> AuditContext {
        AuditContext::new(
            self.now_ms(),
            "system",
            "admin",
            "register.text.seal",
            "station",
            count.to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone as _, Utc};
    use humint_core::SeededEntropy;
    use humint_core::handling::review::{Cancellation, Renewal, Review};
    use humint_core::handling::{
        AgeBand, AuthorisationKind, ConfidentialKind, JuvenileCcaSafeguards, Lpp, NecessityGround,
        PrivilegedMaterial,
    };
    use humint_core::new_id;

    /// Every free-text field of an authorisation holds a distinct phrase.
    fn authorisation() -> Authorisation {
        let e = SeededEntropy::new(1);
        let at = Utc
            .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
            .single()
            .expect("time");
        let officer = new_id(at, &e);
        let review = |n: u8| Review {
            id: new_id(at, &e),
            reviewed_by: officer,
            reviewed_at: at,
            use_made: format!("USE-MADE-{n}"),
            tasks_given: format!("TASKS-GIVEN-{n}"),
            information_obtained: format!("OBTAINED-{n}"),
            risk_assessment: new_id(at, &e),
            necessity_still_met: true,
            proportionality_still_met: true,
            arrangements_still_met: true,
        };
        let reviews = vec![review(1), review(2)];
        Authorisation {
            id: new_id(at, &e),
            source: new_id(at, &e),
            kind: AuthorisationKind::CriminalConduct,
            parent: Some(new_id(at, &e)),
            ground: NecessityGround::PreventingOrDetectingCrimeOrDisorder,
            necessity: "NECESSITY".to_owned(),
            proportionality: "PROPORTIONALITY".to_owned(),
            collateral_intrusion: "COLLATERAL".to_owned(),
            tasks_in_scope: vec!["TASK-A".to_owned(), "TASK-B".to_owned()],
            granted_by: officer,
            granted_at: at,
            source_age_at_grant: AgeBand::Aged16Or17,
            urgency_reason: Some("URGENCY".to_owned()),
            self_authorised: false,
            risk_assessment: new_id(at, &e),
            expires_at: at,
            review_interval_days: 28,
            written_record_at: None,
            juvenile_cca_safeguards: Some(JuvenileCcaSafeguards {
                exceptional_circumstances: "EXCEPTIONAL".to_owned(),
                no_foreseeable_harm: true,
                best_interests: "INTERESTS".to_owned(),
                meeting_arrangements: "MEETINGS".to_owned(),
            }),
            renewals: vec![Renewal {
                renewed_by: officer,
                renewed_at: at,
                review: reviews[0].id,
                risk_assessment: new_id(at, &e),
                source_age: AgeBand::Aged16Or17,
                takes_effect_at: at,
                expires_at: at,
                urgency_reason: Some("RENEWAL-URGENCY".to_owned()),
                self_authorised: false,
                prior_approval: Some(approval("RENEWED")),
                renewed_by_rank: None,
            }],
            reviews,
            cancellation: Some(Cancellation {
                cancelled_by: officer,
                cancelled_at: at,
                reasons: "REASONS".to_owned(),
                instruction_to_cease_at: None,
                welfare_plan: "WELFARE".to_owned(),
            }),
            commissioner_notices: Vec::new(),
            privileged: PrivilegedMaterial {
                lpp: Lpp::Intended,
                confidential: vec![ConfidentialKind::Journalistic],
                prior_approval: Some(approval("GRANTED")),
            },
            granted_by_rank: Some("Superintendent".to_owned()),
        }
    }

    fn approval(tag: &str) -> PriorApproval {
        PriorApproval {
            approved_by: format!("{tag}-APPROVER"),
            approved_at: chrono::DateTime::UNIX_EPOCH,
            grounds: format!("{tag}-GROUNDS"),
            conduct: format!("{tag}-CONDUCT"),
            lawyer_and_client: format!("{tag}-LAWYER"),
            privileged_matters: format!("{tag}-MATTERS"),
            collateral: format!("{tag}-COLLATERAL"),
        }
    }

    const PHRASES: [&str; 22] = [
        "GRANTED-APPROVER",
        "GRANTED-GROUNDS",
        "GRANTED-LAWYER",
        "GRANTED-COLLATERAL",
        "RENEWED-CONDUCT",
        "RENEWED-MATTERS",
        "NECESSITY",
        "PROPORTIONALITY",
        "COLLATERAL",
        "TASK-A",
        "TASK-B",
        "URGENCY",
        "EXCEPTIONAL",
        "INTERESTS",
        "MEETINGS",
        "USE-MADE-2",
        "TASKS-GIVEN-1",
        "OBTAINED-2",
        "RENEWAL-URGENCY",
        "REASONS",
        "WELFARE",
        "USE-MADE-1",
    ];

    #[test]
    fn an_authorisations_document_keeps_no_free_text_and_the_text_puts_it_all_back() {
        let full = authorisation();
        let doc = to_doc(&full).expect("doc");
        for phrase in PHRASES {
            assert!(doc.contains(phrase), "the sample lacks {phrase}");
        }
        let (blank, text) = split::<Authorisation>(&doc).expect("split");
        for phrase in PHRASES {
            assert!(!blank.contains(phrase), "{phrase} is left in {blank}");
            assert!(text.contains(phrase), "{phrase} is missing from {text}");
        }
        // What the scheduler reads is unchanged but for the text.
        let mut record: Authorisation = from_doc(&blank).expect("blank decodes");
        assert_eq!(
            (
                record.reviews.len(),
                record.renewals.len(),
                record.next_review_due()
            ),
            (2, 1, full.next_review_due())
        );
        assert!(record.cancellation.is_some() && record.juvenile_cca_safeguards.is_some());
        record
            .put_text(from_doc(&text).expect("text"))
            .expect("fits");
        assert_eq!(record, full);
    }

    #[test]
    fn text_that_does_not_fit_the_document_is_refused() {
        let full = authorisation();
        let (blank, text) = split::<Authorisation>(&to_doc(&full).expect("doc")).expect("split");
        // A document with a review more than its text (edited behind the station's back).
        let mut record: Authorisation = from_doc(&blank).expect("blank");
        record.reviews.push(record.reviews[0].clone());
        let refused = record.put_text(from_doc(&text).expect("text"));
        assert!(
            matches!(&refused, Err(StationError::Io(m)) if m.contains("damaged")),
            "{refused:?}"
        );
    }
}
