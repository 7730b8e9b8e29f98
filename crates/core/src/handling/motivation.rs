//! A source's declared motivation and what it may reach.
//!
//! product.md, "The cycle, as records": a Source has "access (what the source can reach),
//! declared motivation (ideology, money, recognition, conscience, other — recorded as context
//! for validation)". The motivation is the source's own account, a category the analyst reads
//! beside the reporting; it changes no grade and no rule. There is deliberately no category for
//! coercion or leverage: nothing coercive is ever recorded as a reason a source reports
//! (product.md, "Source safety"; compliance.md).

use super::codes;
use crate::RuleViolation;
use serde::{Deserialize, Serialize};

/// What the source says moves them to report (product.md, "The cycle, as records").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Motivation {
    Ideology,
    Money,
    Recognition,
    Conscience,
    Other,
}

impl Motivation {
    /// Every category, in the order product.md lists them.
    pub const ALL: [Motivation; 5] = [
        Motivation::Ideology,
        Motivation::Money,
        Motivation::Recognition,
        Motivation::Conscience,
        Motivation::Other,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Motivation::Ideology => "ideology",
            Motivation::Money => "money",
            Motivation::Recognition => "recognition",
            Motivation::Conscience => "conscience",
            Motivation::Other => "other",
        }
    }

    /// Reads a category by its name (surrounding spaces and case ignored); anything else is
    /// refused with `INVALID_MOTIVATION` and a sentence listing what is allowed.
    pub fn parse(text: &str) -> Result<Motivation, RuleViolation> {
        let t = text.trim().to_ascii_lowercase();
        Motivation::ALL
            .into_iter()
            .find(|m| m.as_str() == t)
            .ok_or_else(|| {
                RuleViolation::new(
                    codes::INVALID_MOTIVATION,
                    format!(
                        "a declared motivation is one of {}, or left not recorded",
                        Motivation::ALL.map(Motivation::as_str).join(", ")
                    ),
                )
            })
    }

    /// An optional category as typed in a form: blank means not recorded.
    pub fn parse_optional(text: &str) -> Result<Option<Motivation>, RuleViolation> {
        if text.trim().is_empty() {
            Ok(None)
        } else {
            Motivation::parse(text).map(Some)
        }
    }
}

impl std::fmt::Display for Motivation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most bytes a source's access (what it can reach) may take: a sentence or two.
pub const ACCESS_MAX_BYTES: usize = 1000;

/// Checks the text of a source's access: optional, blank means unknown (a spotted source's
/// access may not be known yet), at most [`ACCESS_MAX_BYTES`]; refused with `ACCESS_TOO_LONG`.
pub fn check_access(text: &str) -> Result<Option<String>, RuleViolation> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.len() > ACCESS_MAX_BYTES {
        return Err(RuleViolation::new(
            codes::ACCESS_TOO_LONG,
            format!(
                "a source's access is at most {ACCESS_MAX_BYTES} bytes: say what the source can reach in a sentence or two"
            ),
        ));
    }
    Ok(Some(t.to_owned()))
}
