//! Open press as a source of dependence (product.md, "Validation": "reporting that echoes open
//! press"): the items an outlet published, recorded per compartment, and what the reliability
//! estimate reads of them.
//!
//! Who may record and read them: whoever may record claims in the compartment (analysts,
//! handlers and controllers read into it; `access::CLAIMERS`). An item's outlet, subject, attribute, value and reference are
//! encrypted like a claim's content; its times are not, since the estimate compares them.
//! Recording one re-estimates the compartment as recording a claim does.

use super::access::CLAIMERS;
use super::{LONG, SHORT, stored, text};
use crate::{Principal, Station, StationError};
use humint_core::handling::open_press as rules;
use humint_core::handling::reliability::{claim_object, fold_text};
use humint_core::new_id;
use humint_store::{OpenPressStore as _, OpenSourceItemRow, Store as _};
use serde::{Deserialize, Serialize};

/// An item as the officer typed it.
#[derive(Debug, Clone)]
pub struct OpenSourceItemInput {
    pub outlet: String,
    pub published_at: super::Instant,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    /// A URL or citation.
    pub reference: Option<String>,
}

/// A recorded item.
#[derive(Debug, Clone)]
pub struct OpenSourceItemView {
    pub id: String,
    pub compartment: String,
    pub outlet: String,
    pub published_at_ms: i64,
    pub subject: String,
    pub attribute: String,
    pub value: String,
    pub reference: Option<String>,
    /// The username of the officer who recorded it.
    pub recorded_by: String,
    pub recorded_at_ms: i64,
}

/// That a claim repeated an item published at or before it was recorded: which item, when,
/// and (once read back) its outlet. Stored as the item's id: the outlet is part of the item's
/// envelope and is never written in clear outside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PressEcho {
    pub item_id: String,
    pub published_at_ms: i64,
    /// The outlet, filled in when read ([`Station::outlet_names`]).
    #[serde(skip)]
    pub outlet: String,
}

/// What the envelope holds.
#[derive(Serialize, Deserialize)]
struct ItemDoc {
    outlet: String,
    subject: String,
    attribute: String,
    value: String,
    #[serde(default)]
    reference: Option<String>,
}

/// An item as the estimate reads it: folded like a claim.
#[derive(Debug, Clone)]
pub(super) struct PressItem {
    pub id: String,
    /// The first recorded item of the same outlet: what the stored suggestions name the
    /// outlet by (never its name, which is encrypted).
    pub outlet_item: String,
    /// The engine's name for the outlet ([`rules::outlet_source_name`]).
    pub engine_name: String,
    pub object: String,
    pub value: String,
    pub attribute: String,
    pub published_at_ms: i64,
}

fn damaged() -> StationError {
    StationError::Io("a stored open-source item is damaged".to_owned())
}

impl Station {
    /// Records an open-source item in a compartment (one transaction with its audit event),
    /// then re-estimates the compartment. A compartment the officer is not read into is
    /// refused alike whether or not it exists, so names cannot be probed.
    pub async fn record_open_source_item(
        &self,
        p: &Principal,
        compartment: &str,
        input: OpenSourceItemInput,
    ) -> Result<OpenSourceItemView, StationError> {
        let c = self
            .compartment_for(p, CLAIMERS, "record open-source items", compartment)
            .await?;
        let now = self.clock().now();
        rules::check_item(&input.outlet, input.published_at, now)?;
        let doc = ItemDoc {
            outlet: text("outlet", input.outlet.trim(), SHORT)?,
            subject: text("subject", &input.subject, SHORT)?,
            attribute: text("attribute", &input.attribute, SHORT)?,
            value: text("value", &input.value, LONG)?,
            reference: input
                .reference
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| text("reference", r, SHORT * 10))
                .transpose()?,
        };
        if doc.subject.trim().is_empty()
            || doc.attribute.trim().is_empty()
            || doc.value.trim().is_empty()
        {
            return Err(StationError::invalid(
                "FIELD_REQUIRED",
                "an open-source item needs a subject, an attribute and the value published",
            ));
        }
        let id = new_id::<OpenSourceItemRow>(now, self.entropy()).to_string();
        let plain =
            serde_json::to_vec(&doc).map_err(|_| StationError::Io("encoding failed".to_owned()))?;
        let row = OpenSourceItemRow {
            content: self.encrypt_field("open_source_items", "content", &id, &plain)?,
            id: id.clone(),
            compartment_id: c.id.clone(),
            recorded_by: p.user_id.clone(),
            recorded_at_ms: now.timestamp_millis(),
            published_at_ms: input.published_at.timestamp_millis(),
        };
        let audit = self.handling_audit(
            p,
            "open_source_item.create",
            "open_source_item",
            &id,
            compartment,
        );
        self.store
            .insert_open_source_item(&row, &audit)
            .await
            .map_err(stored)?;
        self.after_compartment_evidence_changed(p, &c.id, &c.name)
            .await;
        Ok(OpenSourceItemView {
            id,
            compartment: c.name,
            outlet: doc.outlet,
            published_at_ms: row.published_at_ms,
            subject: doc.subject,
            attribute: doc.attribute,
            value: doc.value,
            reference: doc.reference,
            recorded_by: p.username.clone(),
            recorded_at_ms: row.recorded_at_ms,
        })
    }

    /// A compartment's open-source items, latest published first (those who may record them).
    pub async fn open_source_items(
        &self,
        p: &Principal,
        compartment: &str,
    ) -> Result<Vec<OpenSourceItemView>, StationError> {
        let c = self
            .compartment_for(p, CLAIMERS, "see open-source items", compartment)
            .await?;
        let mut names = std::collections::BTreeMap::new();
        let mut out = Vec::new();
        for row in self.store.open_source_items(&c.id).await? {
            let doc = self.item_doc(&row)?;
            if !names.contains_key(&row.recorded_by) {
                let name = self
                    .store
                    .user_by_id(&row.recorded_by)
                    .await?
                    .map(|u| u.username)
                    .unwrap_or_default();
                names.insert(row.recorded_by.clone(), name);
            }
            out.push(OpenSourceItemView {
                recorded_by: names[&row.recorded_by].clone(),
                id: row.id,
                compartment: c.name.clone(),
                outlet: doc.outlet,
                published_at_ms: row.published_at_ms,
                subject: doc.subject,
                attribute: doc.attribute,
                value: doc.value,
                reference: doc.reference,
                recorded_at_ms: row.recorded_at_ms,
            });
        }
        Ok(out)
    }

    fn item_doc(&self, row: &OpenSourceItemRow) -> Result<ItemDoc, StationError> {
        let plain = self.decrypt_field("open_source_items", "content", &row.id, &row.content)?;
        serde_json::from_slice(&plain).map_err(|_| damaged())
    }

    /// The compartment's items as the estimate reads them, earliest published first. Read
    /// afresh by every estimate (they are few beside the claims), so a new item is always
    /// seen by the next one.
    pub(super) async fn press_items(
        &self,
        compartment_id: &str,
    ) -> Result<Vec<PressItem>, StationError> {
        let rows = self.store.open_source_items(compartment_id).await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut first: std::collections::HashMap<String, String> = Default::default();
        // Oldest first, so an outlet is named by its first item.
        for row in rows.iter().rev() {
            let doc = self.item_doc(row)?;
            let engine_name = rules::outlet_source_name(&doc.outlet);
            let outlet_item = first
                .entry(engine_name.clone())
                .or_insert_with(|| row.id.clone())
                .clone();
            items.push(PressItem {
                id: row.id.clone(),
                outlet_item,
                engine_name,
                object: claim_object(&doc.subject, &doc.attribute),
                value: fold_text(&doc.value),
                attribute: fold_text(&doc.attribute),
                published_at_ms: row.published_at_ms,
            });
        }
        Ok(items)
    }

    /// Each item of the compartment by id → its outlet as first recorded (an outlet's later
    /// items may spell it differently; it is shown one way). Decrypted for the reader of an
    /// assessment that names items.
    pub(super) async fn outlet_names(
        &self,
        compartment_id: &str,
    ) -> Result<std::collections::HashMap<String, String>, StationError> {
        let rows = self.store.open_source_items(compartment_id).await?;
        let mut shown: std::collections::HashMap<String, String> = Default::default();
        let mut out = std::collections::HashMap::with_capacity(rows.len());
        for row in rows.iter().rev() {
            let doc = self.item_doc(row)?;
            let outlet = shown
                .entry(rules::outlet_source_name(&doc.outlet))
                .or_insert(doc.outlet)
                .clone();
            out.insert(row.id.clone(), outlet);
        }
        Ok(out)
    }
}
