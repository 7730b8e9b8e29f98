//! Suggested digits at their thresholds, circular corroboration, and the rationale rule.

use super::assert_refused;
use crate::handling::codes;
use crate::handling::grading::{InformationCredibility as C, OutcomeVerdict, SourceReliability};
use crate::handling::reliability::*;

fn evidence(p: f64, independent: u32, dependent: u32, contra: u32) -> ClaimEvidence {
    ClaimEvidence {
        outcome: None,
        probability: p,
        independent_corroborators: independent,
        dependent_corroborators: dependent,
        contradictors: contra,
    }
}

#[test]
fn digits_follow_the_probability_at_each_threshold() {
    let cases = [
        (1.0, C::ProbablyTrue),
        (PROBABLY_TRUE, C::ProbablyTrue),
        (PROBABLY_TRUE - 1e-9, C::PossiblyTrue),
        (POSSIBLY_TRUE, C::PossiblyTrue),
        (POSSIBLY_TRUE - 1e-9, C::Doubtful),
        (DOUBTFUL, C::Doubtful),
        (DOUBTFUL - 1e-9, C::Improbable),
        (0.0, C::Improbable),
    ];
    for (p, want) in cases {
        // One independent corroborator: never enough for "confirmed".
        assert_eq!(suggest_credibility(&evidence(p, 1, 0, 1)), want, "p = {p}");
    }
}

#[test]
fn confirmed_needs_two_independent_sources_or_an_outcome() {
    assert_eq!(
        suggest_credibility(&evidence(CONFIRMED, CONFIRMING_SOURCES, 0, 0)),
        C::Confirmed
    );
    assert_eq!(
        suggest_credibility(&evidence(CONFIRMED - 1e-9, 5, 0, 0)),
        C::ProbablyTrue
    );
    // Dependent corroboration is the same source counted twice.
    assert_eq!(
        suggest_credibility(&evidence(0.99, 1, 4, 0)),
        C::ProbablyTrue
    );
    let mut e = evidence(0.1, 0, 0, 3);
    e.outcome = Some(OutcomeVerdict::Confirmed);
    assert_eq!(suggest_credibility(&e), C::Confirmed);
    e.outcome = Some(OutcomeVerdict::Refuted);
    e.probability = 0.99;
    assert_eq!(suggest_credibility(&e), C::Improbable);
}

#[test]
fn a_claim_nobody_else_speaks_to_cannot_be_judged() {
    assert_eq!(
        suggest_credibility(&evidence(0.99, 0, 0, 0)),
        C::CannotBeJudged
    );
}

#[test]
fn a_source_nobody_can_check_gets_f() {
    assert_eq!(
        suggest_letter(SourceReliability::A, MIN_JUDGED_CLAIMS - 1),
        SourceReliability::F
    );
    assert_eq!(
        suggest_letter(SourceReliability::A, MIN_JUDGED_CLAIMS),
        SourceReliability::A
    );
    assert_eq!(
        suggest_letter(SourceReliability::E, 40),
        SourceReliability::E
    );
}

#[test]
fn a_report_is_as_credible_as_its_weakest_judged_claim() {
    assert_eq!(suggest_report_credibility([]), None);
    assert_eq!(
        suggest_report_credibility([C::CannotBeJudged, C::CannotBeJudged]),
        Some(C::CannotBeJudged)
    );
    assert_eq!(
        suggest_report_credibility([C::ProbablyTrue, C::CannotBeJudged, C::Doubtful]),
        Some(C::Doubtful)
    );
}

#[test]
fn corroboration_only_by_dependent_sources_is_circular() {
    assert!(circular_reporting([(0, 1), (0, 0)]));
    assert!(!circular_reporting([(0, 1), (1, 0)]));
    assert!(!circular_reporting([(2, 0)]));
    // No corroboration at all is thin, not circular.
    assert!(!circular_reporting([(0, 0)]));
    assert!(!circular_reporting([]));
}

#[test]
fn a_departing_grade_needs_its_rationale() {
    let suggested = Suggestion {
        source: Some(SourceReliability::E),
        information: Some(C::Improbable),
    };
    assert_refused(
        check_grade_rationale(SourceReliability::B, C::Improbable, &suggested, None),
        codes::GRADE_RATIONALE_REQUIRED,
    );
    assert_refused(
        check_grade_rationale(
            SourceReliability::E,
            C::ProbablyTrue,
            &suggested,
            Some("  "),
        ),
        codes::GRADE_RATIONALE_REQUIRED,
    );
    assert_eq!(
        check_grade_rationale(
            SourceReliability::B,
            C::Improbable,
            &suggested,
            Some(" Vetted in person. ")
        ),
        Ok(Some("Vetted in person.".to_owned()))
    );
    assert_eq!(
        check_grade_rationale(SourceReliability::E, C::Improbable, &suggested, None),
        Ok(None)
    );
}

#[test]
fn nothing_to_depart_from_when_the_evidence_cannot_judge() {
    let cannot = Suggestion {
        source: Some(SourceReliability::F),
        information: Some(C::CannotBeJudged),
    };
    assert_eq!(
        check_grade_rationale(SourceReliability::A, C::Confirmed, &cannot, None),
        Ok(None)
    );
    assert_eq!(
        check_grade_rationale(
            SourceReliability::A,
            C::Confirmed,
            &Suggestion::default(),
            None
        ),
        Ok(None)
    );
}

#[test]
fn subjects_fold_case_and_spacing() {
    assert_eq!(
        claim_object(" White  Van", "Collects at"),
        claim_object("white van", "collects   AT ")
    );
    assert_ne!(claim_object("a b", "c"), claim_object("a", "b c"));
}

/// The members of each group, as owned lists.
fn members(groups: &[DependenceGroup<'_>]) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| g.members.iter().map(|m| m.to_string()).collect())
        .collect()
}

#[test]
fn a_source_two_others_copy_gathers_all_three_in_one_group() {
    let groups = dependence_groups([
        ("carol", "ann", 0.9),
        ("bob", "ann", 0.7),
        ("dan", "eve", 0.6),
    ]);
    assert_eq!(
        members(&groups),
        vec![vec!["ann", "bob", "carol"], vec!["dan", "eve"]]
    );
    // Each pair once, ordered by id inside, most probable first.
    assert_eq!(
        groups[0].pairs,
        vec![("ann", "carol", 0.9), ("ann", "bob", 0.7)]
    );
    assert_eq!(groups[1].pairs, vec![("dan", "eve", 0.6)]);
}

#[test]
fn only_pairs_at_the_threshold_or_above_join_sources() {
    let below = DEPENDENCE_THRESHOLD - 1e-9;
    let groups = dependence_groups([
        ("a", "b", DEPENDENCE_THRESHOLD),
        ("b", "c", below),
        ("c", "d", f64::NAN),
        ("e", "e", 1.0),
    ]);
    assert_eq!(members(&groups), vec![vec!["a", "b"]]);
    assert!(dependence_groups([("x", "y", below)]).is_empty());
}

#[test]
fn a_pair_named_twice_counts_once_at_its_higher_probability() {
    let groups = dependence_groups([("b", "a", 0.6), ("a", "b", 0.8), ("a", "b", 0.55)]);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].pairs, vec![("a", "b", 0.8)]);
}

#[test]
fn a_chain_is_one_group_whatever_order_its_links_come_in() {
    // d–c, b–a, c–b: the last link joins two groups that formed apart.
    let groups = dependence_groups([("d", "c", 0.9), ("b", "a", 0.9), ("c", "b", 0.9)]);
    assert_eq!(members(&groups), vec![vec!["a", "b", "c", "d"]]);
    assert_eq!(groups[0].pairs.len(), 3);
}

proptest::proptest! {
    /// Groups are disjoint, every dependent pair lies inside one, and a group's members are
    /// exactly the ends of its pairs: no group holds a source nothing links to it.
    #[test]
    fn groups_are_the_components_of_the_dependent_pairs(
        raw in proptest::collection::vec((0u8..12, 0u8..12, 0.0f64..1.0), 0..40),
    ) {
        let names: Vec<String> = (0..12).map(|i| format!("s{i:02}")).collect();
        let pairs: Vec<(&str, &str, f64)> = raw
            .iter()
            .map(|&(a, b, p)| (names[a as usize].as_str(), names[b as usize].as_str(), p))
            .collect();
        let groups = dependence_groups(pairs.iter().copied());
        let mut seen = std::collections::BTreeSet::new();
        for g in &groups {
            for m in &g.members {
                proptest::prop_assert!(seen.insert(*m), "{m} is in two groups");
            }
            let ends: std::collections::BTreeSet<&str> =
                g.pairs.iter().flat_map(|&(a, b, _)| [a, b]).collect();
            let members: std::collections::BTreeSet<&str> = g.members.iter().copied().collect();
            proptest::prop_assert_eq!(ends, members);
        }
        for &(a, b, p) in &pairs {
            if a != b && p >= DEPENDENCE_THRESHOLD {
                let ga = groups.iter().position(|g| g.members.contains(&a));
                let gb = groups.iter().position(|g| g.members.contains(&b));
                proptest::prop_assert!(ga.is_some() && ga == gb, "{a}–{b} split");
            }
        }
    }
}

mod open_press {
    use super::super::{assert_refused, t};
    use crate::handling::codes;
    use crate::handling::open_press::*;

    #[test]
    fn an_item_needs_its_outlet_and_a_publication_time_not_after_now() {
        let now = t("2026-11-02T12:00:00Z");
        assert_refused(check_item("  ", now, now), codes::OUTLET_REQUIRED);
        assert_refused(
            check_item("Reuters", t("2026-11-02T12:00:00.001Z"), now),
            codes::PUBLICATION_IN_FUTURE,
        );
        // Published at exactly now is published.
        assert_eq!(check_item("Reuters", now, now), Ok(()));
    }

    #[test]
    fn a_claim_echoes_what_was_published_at_or_before_it_was_recorded() {
        assert!(echoes(1_000, 1_000));
        assert!(echoes(999, 1_000));
        assert!(!echoes(1_001, 1_000));
    }

    #[test]
    fn an_outlet_is_named_apart_from_every_source() {
        let name = outlet_source_name(" Reuters ");
        assert_eq!(name, outlet_source_name("reuters"));
        assert!(is_outlet(&name));
        assert!(!is_outlet("0190f3a0-0000-7000-8000-000000000000"));
        assert!(!is_outlet("press reuters"));
    }
}
