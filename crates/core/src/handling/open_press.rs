//! Open press as a source of dependence: what a newspaper, agency or broadcaster published, so
//! that reporting which merely repeats it is not taken for independent evidence.
//!
//! Source: product.md ("Validation"): the engine must find dependence between sources,
//! including "reporting that echoes open press", "so corroboration between dependent sources
//! is not counted twice". A source who tells its handler what was in yesterday's paper has
//! corroborated nothing, and earns no reliability for it; two sources who both read it do not
//! corroborate each other.

use crate::RuleViolation;
use crate::handling::codes;
use chrono::{DateTime, Utc};

/// The prefix of an outlet's name in the engine's claim set: a control character, so no
/// source id (a UUID) and no codename can take it, and a name is an outlet exactly when it
/// starts with it.
pub const OUTLET_PREFIX: &str = "\u{1}press\u{1f}";

/// The engine's name for an outlet: the prefix and the outlet's name folded (case and spacing
/// ignored, "Reuters" and " reuters" are one outlet).
pub fn outlet_source_name(outlet: &str) -> String {
    format!(
        "{OUTLET_PREFIX}{}",
        crate::handling::reliability::fold_text(outlet)
    )
}

/// Whether an engine source name is an outlet's (never a source's).
pub fn is_outlet(source_name: &str) -> bool {
    source_name.starts_with(OUTLET_PREFIX)
}

/// Checks an open-source item before it is recorded: the outlet is named, and the item was
/// published no later than `now` (an item dated in the future could make a source's claim
/// look like an echo of something nobody had yet published).
pub fn check_item(
    outlet: &str,
    published_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    if crate::handling::codes::is_blank(outlet) {
        return Err(RuleViolation::new(
            codes::OUTLET_REQUIRED,
            "An open-source item needs the outlet that published it, such as Reuters.",
        ));
    }
    if published_at > now {
        return Err(RuleViolation::new(
            codes::PUBLICATION_IN_FUTURE,
            format!(
                "The publication time {} is after now: record an item once it has been published.",
                published_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ));
    }
    Ok(())
}

/// Whether a claim its source reported at `claim_reported_at_ms` (its report's
/// `reported_at`, not when it was written here: an imported register is written years after
/// it was reported) echoes an item (same object and folded value) published at
/// `published_at_ms`: the item was public when the source reported it, to the millisecond
/// (published at the very instant counts as earlier: the station cannot tell which came
/// first, and the claim gets no credit for it).
pub fn echoes(published_at_ms: i64, claim_reported_at_ms: i64) -> bool {
    published_at_ms <= claim_reported_at_ms
}
