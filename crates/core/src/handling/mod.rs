//! The handling cycle as records and rules (issue: handling cycle). Filled in by that work.
