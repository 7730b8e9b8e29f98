//! Break-glass: an auditor's exceptional read of a true identity.
//!
//! Sources: RIPA s.29(5)(e) (need-to-know access to identity-revealing records); IPCO AR 2018
//! para 5.19(vi) (security around "the individual's real identity"); product.md, "Who uses it"
//! (an auditor sees a true identity "only by recorded break-glass"). The reason is recorded
//! with the read, so it must say why in words another person can check: a sentence, not a word.

use super::codes;
use crate::RuleViolation;

/// The fewest words a break-glass reason may have.
pub const MIN_REASON_WORDS: usize = 4;
/// The fewest characters (after trimming) a break-glass reason may have.
pub const MIN_REASON_CHARS: usize = 20;

/// Checks a break-glass reason: at least [`MIN_REASON_WORDS`] words and
/// [`MIN_REASON_CHARS`] characters. Returns the trimmed reason to record.
pub fn check_reason(reason: &str) -> Result<String, RuleViolation> {
    let trimmed = reason.trim();
    let words = trimmed
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    if words < MIN_REASON_WORDS || trimmed.chars().count() < MIN_REASON_CHARS {
        return Err(RuleViolation::new(
            codes::BREAK_GLASS_REASON_REQUIRED,
            "Write why you need this identity as a sentence (at least four words): it is recorded with your read and reviewed.",
        ));
    }
    Ok(trimmed.to_owned())
}
