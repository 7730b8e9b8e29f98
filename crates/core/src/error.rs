//! A refusal by a rule: a stable code a program can match and a sentence a handler understands.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RuleViolation {
    /// Stable, upper-snake-case rule code, e.g. `AUTH_EXPIRED`.
    pub code: &'static str,
    /// One sentence for the person who asked.
    pub message: Cow<'static, str>,
}

impl RuleViolation {
    pub fn new(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
