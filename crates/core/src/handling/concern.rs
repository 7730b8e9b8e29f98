//! Concerns raised about a source, and the controller's review of them.
//!
//! compliance.md, "Software implications": "Do not provide any data field or workflow for
//! coercive leverage. At most, provide a flag that someone raised concerns about coercion."
//! compliance.md §1 (the CHIS Code on risk assessment): "The handler must bring to the
//! controller's attention any concern about the source's personal circumstances that might
//! affect the validity of the risk assessment, the conduct of the source, or their safety and
//! welfare." product.md, "Out of scope by design": "the most the program records is that
//! someone raised a concern about coercion."
//!
//! So a concern is a category, an account of what the concern is (kept sealed by the station,
//! never here), who raised it and when; it stays open until the compartment's controller or an
//! authorising officer records a finding. There is deliberately no field for what leverage
//! anyone has over the source. Nothing is edited or deleted: a review is a second record.

use super::codes::{self, is_blank};
use super::{OfficerId, Source};
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the concern is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConcernCategory {
    /// Someone raised a concern that the source is being or was pressured or coerced, by
    /// anyone, our own officers included (compliance.md, "Software implications").
    Coercion,
    /// The source's safety and welfare (compliance.md §1).
    Welfare,
    /// The conduct of the source (compliance.md §1).
    Conduct,
    /// Personal circumstances that may make the risk assessment out of date (compliance.md §1).
    Circumstances,
}

impl ConcernCategory {
    pub const ALL: [ConcernCategory; 4] = [
        ConcernCategory::Coercion,
        ConcernCategory::Welfare,
        ConcernCategory::Conduct,
        ConcernCategory::Circumstances,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConcernCategory::Coercion => "coercion",
            ConcernCategory::Welfare => "welfare",
            ConcernCategory::Conduct => "conduct",
            ConcernCategory::Circumstances => "circumstances",
        }
    }

    /// Reads a category by name (case and surrounding spaces ignored); anything else is
    /// refused with `CONCERN_CATEGORY_UNKNOWN`.
    pub fn parse(text: &str) -> Result<ConcernCategory, RuleViolation> {
        let t = text.trim().to_ascii_lowercase();
        ConcernCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| {
                RuleViolation::new(
                    codes::CONCERN_CATEGORY_UNKNOWN,
                    format!(
                        "a concern is about one of {}.",
                        ConcernCategory::ALL.map(ConcernCategory::as_str).join(", ")
                    ),
                )
            })
    }

    /// Whether a founded concern of this category bears on the risk assessment: the Code asks
    /// for concerns "that might affect the validity of the risk assessment … or their safety
    /// and welfare" to reach the controller (compliance.md §1); coercion is a danger to the
    /// source as much as a question of conduct.
    pub fn bears_on_risk(self) -> bool {
        matches!(
            self,
            ConcernCategory::Coercion | ConcernCategory::Welfare | ConcernCategory::Circumstances
        )
    }
}

impl std::fmt::Display for ConcernCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the review found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConcernFinding {
    Unfounded,
    Founded,
    /// Passed to someone else to look into (e.g. professional standards).
    Referred,
}

impl ConcernFinding {
    pub const ALL: [ConcernFinding; 3] = [
        ConcernFinding::Unfounded,
        ConcernFinding::Founded,
        ConcernFinding::Referred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConcernFinding::Unfounded => "unfounded",
            ConcernFinding::Founded => "founded",
            ConcernFinding::Referred => "referred",
        }
    }

    /// Reads a finding by name; anything else is refused with `CONCERN_FINDING_UNKNOWN`.
    pub fn parse(text: &str) -> Result<ConcernFinding, RuleViolation> {
        let t = text.trim().to_ascii_lowercase();
        ConcernFinding::ALL
            .into_iter()
            .find(|c| c.as_str() == t)
            .ok_or_else(|| {
                RuleViolation::new(
                    codes::CONCERN_FINDING_UNKNOWN,
                    format!(
                        "a review finds a concern {}.",
                        ConcernFinding::ALL.map(ConcernFinding::as_str).join(", ")
                    ),
                )
            })
    }
}

impl std::fmt::Display for ConcernFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The review of a concern (the account and note are sealed by the station, not held here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcernReview {
    pub finding: ConcernFinding,
    pub reviewed_by: OfficerId,
    pub reviewed_at: DateTime<Utc>,
}

/// A concern raised about a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Concern {
    pub id: Id<Concern>,
    pub source: Id<Source>,
    pub category: ConcernCategory,
    pub raised_by: OfficerId,
    pub raised_at: DateTime<Utc>,
    pub review: Option<ConcernReview>,
}

impl Concern {
    /// Open from when it was raised until it is reviewed (compliance.md §1: it must be brought
    /// to the controller's attention, so it stands until the controller has looked at it).
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        now >= self.raised_at && self.review.is_none_or(|r| now < r.reviewed_at)
    }

    /// Whether the risk assessment must be reviewed because of this concern: it was found
    /// founded and bears on risk (compliance.md §1, "the validity of the risk assessment").
    pub fn risk_assessment_review_required(&self) -> bool {
        self.category.bears_on_risk()
            && self
                .review
                .is_some_and(|r| r.finding == ConcernFinding::Founded)
    }

    /// Whether, at `now`, that review is still owed: the concern was found founded (by then)
    /// and no risk assessment of the source in `assessed` was made at or after the finding
    /// ([`super::risk::reassessed_since`]; AR 2018 para 5.19(v)).
    pub fn risk_assessment_review_pending(
        &self,
        assessed: &[super::risk::AssessedAt],
        now: DateTime<Utc>,
    ) -> bool {
        self.risk_assessment_review_required()
            && self.review.is_some_and(|r| {
                now >= r.reviewed_at
                    && !super::risk::reassessed_since(assessed, self.source, r.reviewed_at, now)
            })
    }
}

/// The most bytes an account or a review note may take: a few paragraphs.
pub const CONCERN_TEXT_MAX_BYTES: usize = 4000;

/// Checks an account of a concern or a review's note: required (a concern that says nothing
/// cannot be reviewed; compliance.md §1), at most [`CONCERN_TEXT_MAX_BYTES`]. `what` names the
/// field in the sentence ("account", "note").
pub fn check_text(what: &str, text: &str) -> Result<String, RuleViolation> {
    if is_blank(text) {
        return Err(RuleViolation::new(
            codes::CONCERN_TEXT_REQUIRED,
            format!("a concern's {what} is required: say in a sentence what it is."),
        ));
    }
    let t = text.trim();
    if t.len() > CONCERN_TEXT_MAX_BYTES {
        return Err(RuleViolation::new(
            codes::CONCERN_TEXT_TOO_LONG,
            format!("a concern's {what} is at most {CONCERN_TEXT_MAX_BYTES} bytes."),
        ));
    }
    Ok(t.to_owned())
}

/// Records a review of `concern` by `reviewer` at `now` (the caller has checked the reviewer's
/// role: the compartment's controller or an authorising officer). The person who raised a
/// concern may not judge it (`CONCERN_OWN_REVIEW`: the concern may be about them, and the Code
/// asks that it reach someone else's attention, compliance.md §1); a concern is reviewed once
/// (`CONCERN_ALREADY_REVIEWED`: nothing is edited).
pub fn review(
    concern: &Concern,
    reviewer: OfficerId,
    finding: ConcernFinding,
    now: DateTime<Utc>,
) -> Result<Concern, RuleViolation> {
    if concern.review.is_some() {
        return Err(RuleViolation::new(
            codes::CONCERN_ALREADY_REVIEWED,
            "this concern has already been reviewed; a review is not changed, raise a new concern if there is more to say.",
        ));
    }
    if concern.raised_by == reviewer {
        return Err(RuleViolation::new(
            codes::CONCERN_OWN_REVIEW,
            "the person who raised a concern may not review it; another controller or authorising officer must.",
        ));
    }
    Ok(Concern {
        review: Some(ConcernReview {
            finding,
            reviewed_by: reviewer,
            reviewed_at: now,
        }),
        ..*concern
    })
}
