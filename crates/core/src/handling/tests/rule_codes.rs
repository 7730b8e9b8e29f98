use crate::handling::codes::ALL;
use std::collections::BTreeSet;

#[test]
fn codes_are_unique_and_upper_snake_case() {
    let unique: BTreeSet<&str> = ALL.iter().copied().collect();
    assert_eq!(unique.len(), ALL.len(), "a code is listed twice");
    for code in ALL {
        assert!(
            code.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                && !code.starts_with('_')
                && !code.ends_with('_'),
            "{code} is not UPPER_SNAKE_CASE"
        );
    }
}

/// Every code has a test that provokes it: each must appear as `codes::NAME` in a test file.
#[test]
fn every_code_is_exercised_by_a_test() {
    let tests = [
        include_str!("authorisation.rs"),
        include_str!("review.rs"),
        include_str!("lifecycle.rs"),
        include_str!("roles.rs"),
        include_str!("contact.rs"),
        include_str!("payment.rs"),
        include_str!("privilege.rs"),
        include_str!("grading.rs"),
        include_str!("register.rs"),
        include_str!("reliability.rs"),
        include_str!("motivation.rs"),
        include_str!("concern.rs"),
        include_str!("report_time.rs"),
        include_str!("rank.rs"),
    ]
    .concat();
    let missing: Vec<&str> = ALL
        .iter()
        .copied()
        .filter(|code| !tests.contains(&format!("codes::{code}")))
        .collect();
    assert!(missing.is_empty(), "codes no test provokes: {missing:?}");
}
