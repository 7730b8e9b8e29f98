//! Using a source: taskings, contacts and payments. The core decides (`task`, `check_contact`,
//! the payment rules); this module resolves officers, encrypts notes, and stores the records.

use super::access::{self, CASE_READERS, RUNNERS};
use super::convert::{self, from_doc, name, to_doc};
use super::{LONG, Loaded, SHORT, officer_id, stored, text};
use crate::{Principal, Station, StationError};
use chrono::{DateTime, Utc};
use humint_core::handling::payment::{self, Approval, YearTotals};
use humint_core::handling::{
    AppropriateAdult, Contact, ContactMode, ContactPurpose, ContactStatus, OfficerId, Payment,
    PaymentKind, PaymentPolicy, Tasking, TaskingRequest,
};
use humint_core::{Role, new_id};
use humint_store::{
    ContactRow, HandlingStore as _, HandlingWrite, Page, PaymentRow, Store as _, TaskingRow,
};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct TaskingInput {
    pub requirement_id: String,
    pub instructions: String,
    pub against_parent_or_guardian: bool,
}

#[derive(Clone)]
pub struct ContactInput {
    pub mode: ContactMode,
    pub status: ContactStatus,
    pub purpose: ContactPurpose,
    pub planned_for: Option<DateTime<Utc>>,
    pub occurred_at: Option<DateTime<Utc>>,
    /// Usernames.
    pub officers_present: Vec<String>,
    pub appropriate_adult: Option<AppropriateAdult>,
    pub location_alias: Option<String>,
    pub cover_used: Option<String>,
    pub safety_arrangements: Option<String>,
    pub fallback_arrangements: Option<String>,
    pub next_contact_due: Option<DateTime<Utc>>,
    /// The contact note; encrypted at rest.
    pub notes: Option<String>,
}

impl std::fmt::Debug for ContactInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactInput")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// The outcome of a planned contact: held, missed or aborted.
#[derive(Clone)]
pub struct ContactOutcomeInput {
    pub status: ContactStatus,
    pub occurred_at: Option<DateTime<Utc>>,
    pub officers_present: Vec<String>,
    pub appropriate_adult: Option<AppropriateAdult>,
    pub next_contact_due: Option<DateTime<Utc>>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PaymentInput {
    pub kind: PaymentKind,
    pub amount_minor: u64,
    pub purpose: String,
    /// Username of a witnessing officer.
    pub witnessed_by: Option<String>,
    /// Paid at once (refused if the payment needs a controller's approval first).
    pub paid: bool,
}

#[derive(Debug, Clone)]
pub struct PaymentView {
    pub payment: Payment,
    pub needs_approval: bool,
}

/// The payment policy from the stored settings ([`humint_store::PAYMENT_SETTINGS`]): each
/// threshold that is set and readable, else [`PaymentPolicy::DEFAULT`]'s. The one reading, for
/// the station's decisions and for the alert scheduler inside each write.
pub(crate) fn payment_policy_from(settings: [Option<&str>; 2]) -> PaymentPolicy {
    let read = |v: Option<&str>, default: u64| v.and_then(|s| s.parse().ok()).unwrap_or(default);
    PaymentPolicy {
        single_payment_threshold_minor: read(
            settings[0],
            PaymentPolicy::DEFAULT.single_payment_threshold_minor,
        ),
        yearly_threshold_minor: read(settings[1], PaymentPolicy::DEFAULT.yearly_threshold_minor),
    }
}

/// A contact's row: `sealed` is its document and free text as [`Station::seal_record`] gives
/// them.
fn contact_row(
    c: &Contact,
    (doc, text_sealed): (String, Vec<u8>),
    recorded_by: &str,
    recorded_at_ms: i64,
    notes: Option<Vec<u8>>,
) -> ContactRow {
    ContactRow {
        id: c.id.to_string(),
        source_id: c.source.to_string(),
        status: name(&c.status),
        at_ms: c.when().map_or(recorded_at_ms, |t| t.timestamp_millis()),
        next_contact_due_ms: c.next_contact_due.map(|t| t.timestamp_millis()),
        recorded_by: recorded_by.to_owned(),
        recorded_at_ms,
        doc,
        text_sealed: Some(text_sealed),
        notes,
    }
}

/// A payment's row: `sealed` is its document and purpose as [`Station::seal_record`] gives
/// them.
fn payment_row(p: &Payment, (doc, text_sealed): (String, Vec<u8>)) -> PaymentRow {
    PaymentRow {
        id: p.id.to_string(),
        source_id: p.source.to_string(),
        kind: name(&p.kind),
        amount_minor: i64::try_from(p.amount_minor).unwrap_or(i64::MAX),
        recorded_at_ms: p.recorded_at.timestamp_millis(),
        approved_at_ms: p.approval.as_ref().map(|a| a.at.timestamp_millis()),
        paid_at_ms: p.paid_at.map(|t| t.timestamp_millis()),
        doc,
        text_sealed: Some(text_sealed),
    }
}

impl Station {
    /// The deployment's payment thresholds: station settings, else [`PaymentPolicy::DEFAULT`].
    /// Read on every decision (and by the alert scheduler in every write), so a change made
    /// through any `humint serve` instance or the command line applies everywhere at once.
    pub async fn payment_policy(&self) -> Result<PaymentPolicy, StationError> {
        let [single, yearly] = humint_store::PAYMENT_SETTINGS;
        let single = self.store.meta(single).await?;
        let yearly = self.store.meta(yearly).await?;
        Ok(payment_policy_from([single.as_deref(), yearly.as_deref()]))
    }

    /// Sets the deployment's payment thresholds (admins). Payments already approved or paid
    /// keep their decision; unpaid ones are judged again (their "awaiting approval" alerts
    /// rescheduled in the same transaction), and the next payment by the new policy. The
    /// audit event names the new thresholds, so the ledger shows which policy held when.
    pub async fn set_payment_policy(
        &self,
        p: &Principal,
        policy: PaymentPolicy,
    ) -> Result<PaymentPolicy, StationError> {
        p.require_role(&[Role::Admin], "set the payment policy")?;
        policy.check()?;
        let audit = self.audit(
            p,
            "settings.payments.change",
            "setting",
            &format!(
                "payments: single {}, yearly {}",
                policy.single_payment_threshold_minor, policy.yearly_threshold_minor
            ),
        );
        self.store
            .set_payment_settings(
                [
                    policy.single_payment_threshold_minor.to_string(),
                    policy.yearly_threshold_minor.to_string(),
                ],
                &audit,
            )
            .await?;
        Ok(policy)
    }

    async fn officer_ids(&self, usernames: &[String]) -> Result<Vec<OfficerId>, StationError> {
        let mut out = Vec::new();
        for u in usernames {
            let user = self.store.user_by_name(u).await?.ok_or_else(|| {
                StationError::invalid("UNKNOWN_OFFICER", format!("there is no officer named {u}"))
            })?;
            out.push(convert::id(&user.id)?);
        }
        Ok(out)
    }

    pub async fn add_tasking(
        &self,
        p: &Principal,
        source_id: &str,
        input: TaskingInput,
    ) -> Result<Tasking, StationError> {
        let loaded = self
            .load_checked(p, source_id, RUNNERS, "task sources")
            .await?;
        let requirement =
            self.store
                .requirement(&input.requirement_id)
                .await?
                .ok_or(StationError::NotFound {
                    what: "requirement",
                })?;
        if requirement.compartment_id != loaded.row.compartment_id {
            return Err(StationError::invalid(
                "REQUIREMENT_UNAVAILABLE",
                "a source can only be tasked against a requirement of its own compartment",
            ));
        }
        humint_core::handling::tasking::check_open(&super::progress::core_requirement(
            &requirement,
        )?)?;
        let now = self.clock().now();
        let req = TaskingRequest {
            id: new_id(now, self.entropy()),
            requirement: convert::id(&requirement.id)?,
            instructions: text("instructions", &input.instructions, LONG)?,
            issued_by: officer_id(p)?,
            against_parent_or_guardian: input.against_parent_or_guardian,
        };
        let age = self.age_band(source_id, now).await?;
        let tasking = humint_core::handling::task(req, &loaded.source, &loaded.auths, age, now)?;
        let row = TaskingRow {
            id: tasking.id.to_string(),
            source_id: source_id.to_owned(),
            requirement_id: requirement.id.clone(),
            authorisation_id: tasking.authorisation.to_string(),
            issued_by: p.user_id.clone(),
            issued_at_ms: now.timestamp_millis(),
            status: name(&tasking.status),
            doc: String::new(),
            doc_sealed: Some(self.seal_tasking(&tasking)?),
        };
        let audit = self.handling_audit(
            p,
            "tasking.create",
            "source",
            source_id,
            &loaded.row.compartment,
        );
        self.store
            .handling_write(
                Some(&loaded.guard()),
                &[HandlingWrite::InsertTasking(row)],
                &[audit],
            )
            .await
            .map_err(stored)?;
        Ok(tasking)
    }

    pub async fn taskings(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<Vec<Tasking>, StationError> {
        let row = self.source_row(source_id).await?;
        access::check(p, &row, CASE_READERS, "see taskings")?;
        self.store
            .taskings(source_id)
            .await?
            .iter()
            .map(|t| self.open_tasking(t))
            .collect()
    }

    /// A tasking's document (its instructions and the notes of each change of status) sealed
    /// to its row (migration 0015).
    pub(crate) fn seal_tasking(&self, t: &Tasking) -> Result<Vec<u8>, StationError> {
        self.seal_text("taskings", "doc_sealed", &t.id.to_string(), &to_doc(t)?)
    }

    /// A stored tasking opened (a row an older version wrote and no station has sealed yet is
    /// read as it is).
    pub(crate) fn open_tasking(&self, row: &TaskingRow) -> Result<Tasking, StationError> {
        from_doc(&self.open_doc("taskings", &row.id, row.doc_sealed.as_deref(), &row.doc)?)
    }

    fn encrypt_notes(
        &self,
        contact_id: &str,
        notes: Option<&str>,
    ) -> Result<Option<Vec<u8>>, StationError> {
        notes
            .filter(|n| !n.trim().is_empty())
            .map(|n| {
                text("notes", n, LONG)?;
                self.encrypt_field("contacts", "notes", contact_id, n.as_bytes())
            })
            .transpose()
    }

    /// Checks a contact by the core's rule and stores it with its encrypted note.
    async fn store_contact(
        &self,
        p: &Principal,
        loaded: &Loaded,
        contact: &Contact,
        notes: Option<Vec<u8>>,
        update: bool,
    ) -> Result<(), StationError> {
        let now = self.clock().now();
        let age = self
            .age_band(&loaded.row.id, contact.when().unwrap_or(now))
            .await?;
        humint_core::handling::check_contact(contact, &loaded.source, &loaded.auths, age, now)?;
        let sealed = self.seal_record(&contact.id.to_string(), contact)?;
        let row = contact_row(contact, sealed, &p.user_id, now.timestamp_millis(), notes);
        let (write, action) = if update {
            (HandlingWrite::UpdateContact(row), "contact.outcome")
        } else {
            (HandlingWrite::InsertContact(row), "contact.create")
        };
        let audit = self.handling_audit(
            p,
            action,
            "contact",
            &contact.id.to_string(),
            &loaded.row.compartment,
        );
        self.store
            .handling_write(Some(&loaded.guard()), &[write], &[audit])
            .await
            .map_err(stored)
    }

    pub async fn add_contact(
        &self,
        p: &Principal,
        source_id: &str,
        input: ContactInput,
    ) -> Result<Contact, StationError> {
        let loaded = self
            .load_checked(p, source_id, RUNNERS, "record contacts")
            .await?;
        let now = self.clock().now();
        if input.status == ContactStatus::Planned && input.planned_for.is_none() {
            return Err(StationError::invalid(
                "FIELD_REQUIRED",
                "a planned contact needs planned_for",
            ));
        }
        let occurred_at = match input.status {
            ContactStatus::Planned => None,
            _ => Some(input.occurred_at.unwrap_or(now)),
        };
        let contact = Contact {
            id: new_id(now, self.entropy()),
            source: loaded.source.id,
            mode: input.mode,
            status: input.status,
            purpose: input.purpose,
            planned_for: input.planned_for,
            occurred_at,
            officers_present: self.officer_ids(&input.officers_present).await?,
            appropriate_adult: input.appropriate_adult,
            location_alias: input
                .location_alias
                .map(|t| text("location_alias", &t, SHORT))
                .transpose()?,
            cover_used: input
                .cover_used
                .map(|t| text("cover_used", &t, LONG))
                .transpose()?,
            safety_arrangements: input
                .safety_arrangements
                .map(|t| text("safety_arrangements", &t, LONG))
                .transpose()?,
            fallback_arrangements: input
                .fallback_arrangements
                .map(|t| text("fallback_arrangements", &t, LONG))
                .transpose()?,
            next_contact_due: input.next_contact_due,
        };
        let notes = self.encrypt_notes(&contact.id.to_string(), input.notes.as_deref())?;
        self.store_contact(p, &loaded, &contact, notes, false)
            .await?;
        Ok(contact)
    }

    /// Records what became of a planned contact.
    pub async fn record_contact_outcome(
        &self,
        p: &Principal,
        contact_id: &str,
        input: ContactOutcomeInput,
    ) -> Result<Contact, StationError> {
        let row = self
            .store
            .contact(contact_id)
            .await?
            .ok_or(StationError::NotFound { what: "contact" })?;
        let loaded = self
            .load_checked(p, &row.source_id, RUNNERS, "record contacts")
            .await?;
        let mut contact: Contact =
            self.open_record(&row.id, &row.doc, row.text_sealed.as_deref())?;
        if contact.status != ContactStatus::Planned || input.status == ContactStatus::Planned {
            return Err(StationError::invalid(
                "CONTACT_ALREADY_RECORDED",
                "only a planned contact can be given an outcome (held, missed or aborted)",
            ));
        }
        let now = self.clock().now();
        contact.status = input.status;
        contact.occurred_at = Some(input.occurred_at.unwrap_or(now));
        contact.officers_present = self.officer_ids(&input.officers_present).await?;
        if input.appropriate_adult.is_some() {
            contact.appropriate_adult = input.appropriate_adult;
        }
        contact.next_contact_due = input.next_contact_due.or(contact.next_contact_due);
        let notes = self.encrypt_notes(contact_id, input.notes.as_deref())?;
        self.store_contact(p, &loaded, &contact, notes, true)
            .await?;
        Ok(contact)
    }

    /// A source's contacts, newest first, paged; notes are read one at a time, audited.
    pub async fn contacts(
        &self,
        p: &Principal,
        source_id: &str,
        page: Page,
    ) -> Result<Vec<Contact>, StationError> {
        let row = self.source_row(source_id).await?;
        access::check(p, &row, CASE_READERS, "see contacts")?;
        self.store
            .contacts(source_id, &page)
            .await?
            .iter()
            .map(|c| self.open_record(&c.id, &c.doc, c.text_sealed.as_deref()))
            .collect()
    }

    pub async fn contact_notes(
        &self,
        p: &Principal,
        contact_id: &str,
    ) -> Result<Option<String>, StationError> {
        let row = self
            .store
            .contact(contact_id)
            .await?
            .ok_or(StationError::NotFound { what: "contact" })?;
        let loaded = self.load_source(&row.source_id).await?;
        let audit = self.handling_audit(
            p,
            "contact.notes.read",
            "contact",
            contact_id,
            &loaded.row.compartment,
        );
        if let Err(e) = access::check_identity(p, &loaded, self.now_ms(), "read contact notes") {
            self.store.append_audit(&audit.denied()).await?;
            return Err(e);
        }
        let blob = self.store.contact_notes(contact_id).await?;
        let notes = blob
            .map(|b| {
                let plain = self.decrypt_field("contacts", "notes", contact_id, &b)?;
                String::from_utf8(plain.to_vec())
                    .map_err(|_| StationError::Io("a stored note is damaged".to_owned()))
            })
            .transpose()?;
        self.store.append_audit(&audit).await?;
        Ok(notes)
    }

    async fn source_payments(&self, source_id: &str) -> Result<Vec<Payment>, StationError> {
        self.store
            .payments(source_id)
            .await?
            .iter()
            .map(|r| self.open_record(&r.id, &r.doc, r.text_sealed.as_deref()))
            .collect()
    }

    pub async fn add_payment(
        &self,
        p: &Principal,
        source_id: &str,
        input: PaymentInput,
    ) -> Result<PaymentView, StationError> {
        let loaded = self
            .load_checked(p, source_id, RUNNERS, "record payments")
            .await?;
        let now = self.clock().now();
        let witnessed_by = match &input.witnessed_by {
            Some(u) => self
                .officer_ids(std::slice::from_ref(u))
                .await?
                .first()
                .copied(),
            None => None,
        };
        let mut payment = Payment {
            id: new_id(now, self.entropy()),
            source: loaded.source.id,
            kind: input.kind,
            amount_minor: input.amount_minor,
            purpose: text("purpose", &input.purpose, LONG)?,
            recorded_by: officer_id(p)?,
            recorded_at: now,
            approval: None,
            witnessed_by,
            paid_at: None,
        };
        payment::check_amount(&payment)?;
        let others = self.source_payments(source_id).await?;
        let policy = self.payment_policy().await?;
        if input.paid && input.kind == PaymentKind::Payment {
            payment::check_payable(&payment, &others, &policy, &loaded.roles, now)?;
            payment.paid_at = Some(now);
        }
        let needs_approval =
            payment.paid_at.is_none() && payment::needs_approval(&payment, &others, &policy, now);
        let audit = self.handling_audit(
            p,
            "payment.create",
            "payment",
            &payment.id.to_string(),
            &loaded.row.compartment,
        );
        self.store
            .handling_write(
                Some(&loaded.guard()),
                &[HandlingWrite::InsertPayment(payment_row(
                    &payment,
                    self.seal_record(&payment.id.to_string(), &payment)?,
                ))],
                &[audit],
            )
            .await
            .map_err(stored)?;
        Ok(PaymentView {
            payment,
            needs_approval,
        })
    }

    async fn load_payment(
        &self,
        p: &Principal,
        id: &str,
        allowed: &[Role],
        doing: &str,
    ) -> Result<(Loaded, Payment, Vec<Payment>), StationError> {
        let row = self
            .store
            .payment(id)
            .await?
            .ok_or(StationError::NotFound { what: "payment" })?;
        let loaded = self.load_checked(p, &row.source_id, allowed, doing).await?;
        let all = self.source_payments(&row.source_id).await?;
        let payment = self.open_record(&row.id, &row.doc, row.text_sealed.as_deref())?;
        Ok((loaded, payment, all))
    }

    /// A controller's approval, by the core's rule (only the source's controller at the time).
    pub async fn approve_payment(
        &self,
        p: &Principal,
        id: &str,
    ) -> Result<PaymentView, StationError> {
        let (loaded, mut payment, _) = self
            .load_payment(p, id, &[Role::Controller], "approve payments")
            .await?;
        if payment.approval.is_some() || payment.paid_at.is_some() {
            return Err(StationError::invalid(
                "PAYMENT_ALREADY_DECIDED",
                "this payment is already approved or paid",
            ));
        }
        let now = self.clock().now();
        let approval: Approval = payment::approve(&payment, officer_id(p)?, &loaded.roles, now)?;
        payment.approval = Some(approval);
        let audit =
            self.handling_audit(p, "payment.approve", "payment", id, &loaded.row.compartment);
        self.store
            .handling_write(
                Some(&loaded.guard()),
                &[HandlingWrite::UpdatePayment(payment_row(
                    &payment,
                    self.seal_record(&payment.id.to_string(), &payment)?,
                ))],
                &[audit],
            )
            .await
            .map_err(stored)?;
        Ok(PaymentView {
            payment,
            needs_approval: false,
        })
    }

    /// Records a payment as paid, by the core's `check_payable` (approval where the policy needs it).
    pub async fn pay_payment(&self, p: &Principal, id: &str) -> Result<PaymentView, StationError> {
        let (loaded, mut payment, others) = self
            .load_payment(p, id, RUNNERS, "record payments as paid")
            .await?;
        if payment.paid_at.is_some() || payment.kind != PaymentKind::Payment {
            return Err(StationError::invalid(
                "PAYMENT_ALREADY_DECIDED",
                "only an unpaid payment (not an offer) can be paid",
            ));
        }
        let now = self.clock().now();
        let policy = self.payment_policy().await?;
        payment::check_payable(&payment, &others, &policy, &loaded.roles, now)?;
        payment.paid_at = Some(now);
        let audit = self.handling_audit(p, "payment.pay", "payment", id, &loaded.row.compartment);
        self.store
            .handling_write(
                Some(&loaded.guard()),
                &[HandlingWrite::UpdatePayment(payment_row(
                    &payment,
                    self.seal_record(&payment.id.to_string(), &payment)?,
                ))],
                &[audit],
            )
            .await
            .map_err(stored)?;
        Ok(PaymentView {
            payment,
            needs_approval: false,
        })
    }

    /// A source's payments and offers with the yearly totals (reg 3(n)).
    pub async fn payments(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<(Vec<PaymentView>, BTreeMap<i32, YearTotals>), StationError> {
        let loaded = self
            .load_checked(p, source_id, CASE_READERS, "see payments")
            .await?;
        let all = self.source_payments(source_id).await?;
        let policy = self.payment_policy().await?;
        let now = self.clock().now();
        let totals = payment::yearly_totals(&all, loaded.source.id);
        let views = all
            .iter()
            .map(|pay| PaymentView {
                needs_approval: pay.kind == PaymentKind::Payment
                    && pay.paid_at.is_none()
                    && pay.approval.is_none()
                    && payment::needs_approval(pay, &all, &policy, now),
                payment: pay.clone(),
            })
            .collect();
        Ok((views, totals))
    }
}
