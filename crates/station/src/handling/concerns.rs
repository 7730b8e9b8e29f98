//! Concerns raised about a source and the controller's review of them (migration 0018).
//!
//! compliance.md, "Software implications": "At most, provide a flag that someone raised concerns
//! about coercion"; §1: "The handler must bring to the controller's attention any concern about
//! the source's personal circumstances that might affect the validity of the risk assessment,
//! the conduct of the source, or their safety and welfare." The rules (categories, findings,
//! who may not review, the alert) are the core's (`humint_core::handling::concern`); this
//! module checks who asks, seals the account and the note, and writes each record with its
//! audit event (and the source's alerts rescheduled) in one transaction.
//!
//! Who may raise one: anyone who may read the source (`READERS`, analysts and auditors
//! included). Who may review: the compartment's controllers and authorising officers. Who reads
//! the account and the note: controllers, authorising officers and auditors
//! (`CONCERN_TEXT_READERS`) and whoever raised the concern; a handler or an analyst sees
//! another's concern as its category, dates and finding only (a concern may be about the
//! handler). Every list that opens an account or a note is an audit event.

use super::access::{self, READERS};
use super::{convert, ms_time, officer_id, stored};
use crate::{Principal, Station, StationError};
use humint_core::Role;
use humint_core::handling::concern::{self as rules, Concern, ConcernCategory, ConcernFinding};
use humint_core::handling::{AssessedAt, ConcernReview, OfficerId};
use humint_core::new_id;
use humint_store::{
    ConcernReviewRow, ConcernRow, ConcernStore as _, HandlingStore as _, Store as _, StoreError,
};

/// May review a concern: the compartment's controllers and authorising officers.
pub const CONCERN_REVIEWERS: &[Role] = &[Role::Controller, Role::AuthorisingOfficer];

/// Read every concern's account and note: the reviewers and the auditors who oversee them.
/// Not handlers (beyond the concerns they raised themselves): a concern may be that the
/// source's own handler is pressing them, and it must reach someone else (compliance.md §1,
/// "Software implications": coercion "by anyone").
pub const CONCERN_TEXT_READERS: &[Role] =
    &[Role::Controller, Role::AuthorisingOfficer, Role::Auditor];

const TABLE: &str = "source_concerns";
const ACCOUNT: &str = "account_sealed";
const REVIEWS: &str = "source_concern_reviews";
const NOTE: &str = "review_note_sealed";

/// A concern as the officer typed it.
#[derive(Debug, Clone)]
pub struct ConcernInput {
    /// `coercion`, `welfare`, `conduct` or `circumstances`.
    pub category: String,
    /// What the concern is (never what leverage anyone has).
    pub account: String,
}

/// A review as the reviewer typed it.
#[derive(Debug, Clone)]
pub struct ConcernReviewInput {
    /// `unfounded`, `founded` or `referred`.
    pub finding: String,
    pub note: String,
}

/// A concern's review as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernReviewView {
    pub finding: ConcernFinding,
    /// `None` when the reader may not see it.
    pub note: Option<String>,
    /// The reviewer's username.
    pub reviewed_by: String,
    pub reviewed_at_ms: i64,
}

/// A concern as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernView {
    pub id: String,
    pub source_id: String,
    pub category: ConcernCategory,
    /// `None` when the reader may not see it (an analyst, someone else's concern).
    pub account: Option<String>,
    /// The username of whoever raised it.
    pub raised_by: String,
    pub raised_at_ms: i64,
    pub review: Option<ConcernReviewView>,
    /// A founded concern about coercion, welfare or circumstances whose finding no risk
    /// assessment has answered yet: the source's risk assessment must be reviewed
    /// (compliance.md §1; it clears with an assessment recorded at or after the finding).
    pub risk_assessment_review_required: bool,
}

impl ConcernView {
    pub fn is_open(&self) -> bool {
        self.review.is_none()
    }
}

/// A stored concern as the core's record (the account and note stay sealed).
pub(super) fn core_concern(row: &ConcernRow) -> Result<Concern, StationError> {
    Ok(Concern {
        id: convert::id(&row.id)?,
        source: convert::id(&row.source_id)?,
        category: convert::parse_name(&row.category)?,
        raised_by: convert::id(&row.raised_by)?,
        raised_at: ms_time(row.raised_at_ms)?,
        review: row
            .review
            .as_ref()
            .map(|r| {
                Ok::<_, StationError>(ConcernReview {
                    finding: convert::parse_name(&r.finding)?,
                    reviewed_by: convert::id::<humint_core::handling::Officer>(&r.reviewed_by)?,
                    reviewed_at: ms_time(r.reviewed_at_ms)?,
                })
            })
            .transpose()?,
    })
}

fn already_reviewed() -> StationError {
    StationError::Conflict {
        code: humint_core::handling::codes::CONCERN_ALREADY_REVIEWED,
        message: "this concern has already been reviewed; a review is not changed, raise a new concern if there is more to say.".to_owned(),
    }
}

impl Station {
    /// Raises a concern about a source (anyone who may read it), in one transaction with its
    /// audit event and the source's alerts: a concern open raises an alert to the compartment
    /// at once.
    pub async fn raise_concern(
        &self,
        p: &Principal,
        source_id: &str,
        input: ConcernInput,
    ) -> Result<ConcernView, StationError> {
        let row = self.source_row(source_id).await?;
        access::check(p, &row, READERS, "raise a concern about a source")?;
        let raised_by: OfficerId = officer_id(p)?;
        let category = ConcernCategory::parse(&input.category)?;
        let account = rules::check_text("account", &input.account)?;
        let now = self.clock().now();
        let id = new_id::<Concern>(now, self.entropy()).to_string();
        let stored_row = ConcernRow {
            account: self.seal_text(TABLE, ACCOUNT, &id, &account)?,
            id: id.clone(),
            source_id: row.id.clone(),
            category: category.as_str().to_owned(),
            raised_by: raised_by.to_string(),
            raised_at_ms: now.timestamp_millis(),
            review: None,
        };
        let audit = self.handling_audit(p, "concern.raise", "concern", &id, &row.compartment);
        self.store
            .insert_concern(&stored_row, &audit)
            .await
            .map_err(stored)?;
        Ok(ConcernView {
            id,
            source_id: row.id,
            category,
            account: Some(account),
            raised_by: p.username.clone(),
            raised_at_ms: stored_row.raised_at_ms,
            review: None,
            risk_assessment_review_required: false,
        })
    }

    /// Records the review of a concern (the compartment's controllers and authorising
    /// officers; never the officer who raised it; once), in one transaction with its audit
    /// event; the concern's alert ends at this instant.
    pub async fn review_concern(
        &self,
        p: &Principal,
        concern_id: &str,
        input: ConcernReviewInput,
    ) -> Result<ConcernView, StationError> {
        let found = self
            .store
            .concern(concern_id)
            .await?
            .ok_or(StationError::NotFound { what: "concern" })?;
        let source = self.source_row(&found.source_id).await?;
        access::check(
            p,
            &source,
            CONCERN_REVIEWERS,
            "review a concern about a source",
        )?;
        let reviewer = officer_id(p)?;
        let finding = ConcernFinding::parse(&input.finding)?;
        let note = rules::check_text("note", &input.note)?;
        let now = self.clock().now();
        let concern = core_concern(&found)?;
        // A second review is a conflict with the record as it stands (409), as when two
        // reviewers race and the store finds the first one's review.
        let reviewed = rules::review(&concern, reviewer, finding, now).map_err(|v| {
            if v.code == humint_core::handling::codes::CONCERN_ALREADY_REVIEWED {
                already_reviewed()
            } else {
                v.into()
            }
        })?;
        let review = ConcernReviewRow {
            finding: finding.as_str().to_owned(),
            note: self.seal_text(REVIEWS, NOTE, &found.id, &note)?,
            reviewed_by: reviewer.to_string(),
            reviewed_at_ms: now.timestamp_millis(),
        };
        let audit = self.handling_audit(
            p,
            "concern.review",
            "concern",
            &found.id,
            &source.compartment,
        );
        self.store
            .insert_concern_review(&found.id, &review, &audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => already_reviewed(),
                other => stored(other),
            })?;
        let raised_by = self.username_of(&found.raised_by).await?;
        let account = self.open_text(TABLE, ACCOUNT, &found.id, &found.account)?;
        Ok(ConcernView {
            id: found.id,
            source_id: found.source_id,
            category: concern.category,
            account: Some(account),
            raised_by,
            raised_at_ms: found.raised_at_ms,
            review: Some(ConcernReviewView {
                finding,
                note: Some(note),
                reviewed_by: p.username.clone(),
                reviewed_at_ms: review.reviewed_at_ms,
            }),
            risk_assessment_review_required: self
                .risk_review_pending(&reviewed, &mut None, now)
                .await?,
        })
    }

    /// A source's concerns, newest first, for anyone who may read the source. The account and
    /// the note are opened for those who see the case and for the concern's own raiser; a list
    /// that opens any is one audit event (`concern.read`, the source's id).
    pub async fn source_concerns(
        &self,
        p: &Principal,
        source_id: &str,
    ) -> Result<Vec<ConcernView>, StationError> {
        let source = self.source_row(source_id).await?;
        access::check(
            p,
            &source,
            READERS,
            "see the concerns raised about a source",
        )?;
        let (out, opened) = self
            .concern_views(p, &source.id, CONCERN_TEXT_READERS.contains(&p.role))
            .await?;
        if opened {
            let audit =
                self.handling_audit(p, "concern.read", "source", &source.id, &source.compartment);
            self.store.append_audit(&audit).await?;
        }
        Ok(out)
    }

    /// Whether the concern's "the risk assessment must be reviewed" is still owed at `now`
    /// (`Concern::risk_assessment_review_pending`), reading the source's assessment times
    /// into `assessed` the first time a concern needs them.
    async fn risk_review_pending(
        &self,
        concern: &Concern,
        assessed: &mut Option<Vec<AssessedAt>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StationError> {
        if !concern.risk_assessment_review_required() {
            return Ok(false);
        }
        if assessed.is_none() {
            let mut times = Vec::new();
            for r in self
                .store
                .risk_assessments(&concern.source.to_string())
                .await?
            {
                times.push(AssessedAt {
                    source: concern.source,
                    at: ms_time(r.assessed_at_ms)?,
                });
            }
            *assessed = Some(times);
        }
        let times = assessed.as_deref().unwrap_or_default();
        Ok(concern.risk_assessment_review_pending(times, now))
    }

    /// A source's concerns for `p` (whose access the caller has checked), the accounts and
    /// notes opened when `sees_case` or for the reader's own concerns; and whether any was
    /// opened (the caller audits the read).
    pub(super) async fn concern_views(
        &self,
        p: &Principal,
        source_id: &str,
        sees_case: bool,
    ) -> Result<(Vec<ConcernView>, bool), StationError> {
        let mut names = std::collections::BTreeMap::new();
        let mut out = Vec::new();
        let mut opened = false;
        let rows = self.store.concerns(source_id).await?;
        // When the source's risks were assessed: read once, and only if a concern needs it.
        let mut assessed: Option<Vec<AssessedAt>> = None;
        let now = self.clock().now();
        for row in rows {
            let concern = core_concern(&row)?;
            let review_required = self
                .risk_review_pending(&concern, &mut assessed, now)
                .await?;
            let entitled = sees_case || row.raised_by == p.user_id;
            let account = if entitled {
                opened = true;
                Some(self.open_text(TABLE, ACCOUNT, &row.id, &row.account)?)
            } else {
                None
            };
            let raised_by = self.cached_username(&mut names, &row.raised_by).await?;
            let review = match &row.review {
                Some(r) => Some(ConcernReviewView {
                    finding: convert::parse_name(&r.finding)?,
                    note: if entitled {
                        Some(self.open_text(REVIEWS, NOTE, &row.id, &r.note)?)
                    } else {
                        None
                    },
                    reviewed_by: self.cached_username(&mut names, &r.reviewed_by).await?,
                    reviewed_at_ms: r.reviewed_at_ms,
                }),
                None => None,
            };
            out.push(ConcernView {
                risk_assessment_review_required: review_required,
                id: row.id,
                source_id: row.source_id,
                category: concern.category,
                account,
                raised_by,
                raised_at_ms: row.raised_at_ms,
                review,
            });
        }
        Ok((out, opened))
    }

    async fn username_of(&self, user_id: &str) -> Result<String, StationError> {
        Ok(self
            .store
            .user_by_id(user_id)
            .await?
            .map(|u| u.username)
            .unwrap_or_default())
    }

    async fn cached_username(
        &self,
        names: &mut std::collections::BTreeMap<String, String>,
        user_id: &str,
    ) -> Result<String, StationError> {
        if let Some(n) = names.get(user_id) {
            return Ok(n.clone());
        }
        let n = self.username_of(user_id).await?;
        names.insert(user_id.to_owned(), n.clone());
        Ok(n)
    }
}
