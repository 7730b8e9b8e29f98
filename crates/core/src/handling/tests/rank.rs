//! AUTH-03: the authorising officer's rank against the police (England and Wales) table, at
//! every boundary: the rank just below each requirement is refused, the requirement itself is
//! enough, and the highest requirement wins when several apply.

use crate::handling::AuthorisationKind;
use crate::handling::AuthorisationKind::{
    CriminalConduct, Juvenile, RelevantSource, Standard, UrgentOral,
};
use crate::handling::codes;
use crate::handling::juvenile::AgeBand;
use crate::handling::privilege::{ConfidentialKind, Lpp, PrivilegedMaterial};
use crate::handling::rank::{
    self, POLICE_ENGLAND_WALES as POLICE, RankCase, RankFacts, check_decision_rank, check_rank,
};

fn facts(
    kind: AuthorisationKind,
    age: AgeBand,
    undercover: bool,
    privileged: &PrivilegedMaterial,
) -> RankFacts<'_> {
    RankFacts {
        kind,
        age,
        undercover,
        vulnerable: false,
        privileged,
        long_term: false,
    }
}

fn confidential() -> PrivilegedMaterial {
    PrivilegedMaterial {
        confidential: vec![ConfidentialKind::Journalistic],
        ..PrivilegedMaterial::default()
    }
}

fn lpp(lpp: Lpp) -> PrivilegedMaterial {
    PrivilegedMaterial {
        lpp,
        ..PrivilegedMaterial::default()
    }
}

#[test]
fn each_case_needs_its_rank_and_the_one_below_is_refused() {
    // (case, lowest rank that may decide, the rank just below it)
    let table = [
        (RankCase::Standard, "Superintendent", "Chief Inspector"),
        (RankCase::Urgent, "Inspector", "Sergeant"),
        (
            RankCase::RelevantSource,
            "Assistant Chief Constable",
            "Chief Superintendent",
        ),
        (
            RankCase::RelevantSourceUrgent,
            "Superintendent",
            "Chief Inspector",
        ),
        (
            RankCase::RelevantSourceLongTerm,
            "Chief Constable",
            "Deputy Chief Constable",
        ),
        (
            RankCase::AnnexA,
            "Chief Constable",
            "Deputy Chief Constable",
        ),
    ];
    for (case, enough, below) in table {
        assert_eq!(
            check_rank(&POLICE, case, Some(enough)),
            Ok(enough),
            "{case:?}"
        );
        let refused = check_rank(&POLICE, case, Some(below)).expect_err("one rank below");
        assert_eq!(refused.code, codes::AO_RANK_TOO_LOW, "{case:?}");
        assert!(
            refused.message.contains(enough) && refused.message.contains(below),
            "names both ranks: {}",
            refused.message
        );
    }
}

#[test]
fn a_higher_rank_than_needed_decides_and_is_recorded_as_the_table_spells_it() {
    assert_eq!(
        check_rank(&POLICE, RankCase::Urgent, Some("  chief constable ")),
        Ok("Chief Constable")
    );
    assert_eq!(
        check_rank(&POLICE, RankCase::Standard, Some("CHIEF SUPERINTENDENT")),
        Ok("Chief Superintendent")
    );
}

#[test]
fn met_titles_count_as_their_equivalent_rank() {
    // Commander equals ACC: enough for a relevant source, not for Annex A.
    assert_eq!(
        check_rank(&POLICE, RankCase::RelevantSource, Some("Commander")),
        Ok("Commander")
    );
    assert_eq!(
        check_rank(&POLICE, RankCase::AnnexA, Some("Commander"))
            .expect_err("below Annex A")
            .code,
        codes::AO_RANK_TOO_LOW
    );
    assert_eq!(
        check_rank(&POLICE, RankCase::AnnexA, Some("Assistant Commissioner")),
        Ok("Assistant Commissioner")
    );
    assert_eq!(
        check_rank(
            &POLICE,
            RankCase::AnnexA,
            Some("Deputy Assistant Commissioner")
        )
        .expect_err("DAC equals DCC")
        .code,
        codes::AO_RANK_TOO_LOW
    );
}

#[test]
fn no_rank_or_a_rank_outside_the_table_is_unknown() {
    for recorded in [None, Some(""), Some("   "), Some("Wing Commander")] {
        let refused = check_rank(&POLICE, RankCase::Standard, recorded).expect_err("unknown");
        assert_eq!(refused.code, codes::AO_RANK_UNKNOWN, "{recorded:?}");
        assert!(
            refused.message.contains("Superintendent"),
            "{}",
            refused.message
        );
    }
}

#[test]
fn the_case_follows_the_kind_the_source_and_the_flags() {
    let none = PrivilegedMaterial::default();
    let conf = confidential();
    let likely = lpp(Lpp::Likely);
    let intended = lpp(Lpp::Intended);
    let rows: [(RankFacts<'_>, RankCase); 12] = [
        (
            facts(Standard, AgeBand::Adult, false, &none),
            RankCase::Standard,
        ),
        (
            facts(UrgentOral, AgeBand::Adult, false, &none),
            RankCase::Urgent,
        ),
        (
            facts(RelevantSource, AgeBand::Adult, true, &none),
            RankCase::RelevantSource,
        ),
        (
            facts(UrgentOral, AgeBand::Adult, true, &none),
            RankCase::RelevantSourceUrgent,
        ),
        (
            facts(CriminalConduct, AgeBand::Adult, false, &none),
            RankCase::Standard,
        ),
        (
            facts(CriminalConduct, AgeBand::Adult, true, &none),
            RankCase::RelevantSource,
        ),
        (
            facts(Juvenile, AgeBand::Aged16Or17, false, &none),
            RankCase::AnnexA,
        ),
        // An urgent oral grant for a juvenile still needs the Annex A rank: the highest wins.
        (
            facts(UrgentOral, AgeBand::Under16, false, &none),
            RankCase::AnnexA,
        ),
        (
            facts(Standard, AgeBand::Adult, false, &conf),
            RankCase::AnnexA,
        ),
        (
            facts(Standard, AgeBand::Adult, false, &likely),
            RankCase::AnnexA,
        ),
        (
            facts(Standard, AgeBand::Adult, false, &intended),
            RankCase::AnnexA,
        ),
        (
            facts(RelevantSource, AgeBand::Adult, true, &conf),
            RankCase::AnnexA,
        ),
    ];
    for (f, expected) in rows {
        assert_eq!(rank::deciding_case(&POLICE, &f), expected, "{f:?}");
    }
    // A vulnerable adult: Annex A, even for an urgent oral grant.
    for kind in [Standard, UrgentOral] {
        let f = RankFacts {
            vulnerable: true,
            ..facts(kind, AgeBand::Adult, false, &none)
        };
        assert_eq!(rank::deciding_case(&POLICE, &f), RankCase::AnnexA, "{f:?}");
    }
}

#[test]
fn a_decision_is_checked_only_while_a_table_is_in_force() {
    let none = PrivilegedMaterial::default();
    let standard = facts(Standard, AgeBand::Adult, false, &none);
    // No table: an Inspector, or an officer with no rank, decides as before; nothing recorded.
    assert_eq!(
        check_decision_rank(None, &standard, Some("Inspector")),
        Ok(None)
    );
    assert_eq!(check_decision_rank(None, &standard, None), Ok(None));
    assert_eq!(
        check_decision_rank(Some(&POLICE), &standard, Some("Inspector"))
            .expect_err("too low")
            .code,
        codes::AO_RANK_TOO_LOW
    );
    assert_eq!(
        check_decision_rank(Some(&POLICE), &standard, Some("Superintendent")),
        Ok(Some("Superintendent"))
    );
    assert_eq!(
        check_decision_rank(Some(&POLICE), &standard, None)
            .expect_err("no rank")
            .code,
        codes::AO_RANK_UNKNOWN
    );
}

#[test]
fn ranks_recorded_must_be_in_the_table_in_force() {
    assert_eq!(
        rank::parse_rank(Some(&POLICE), " inspector"),
        Ok("Inspector")
    );
    assert_eq!(
        rank::parse_rank(Some(&POLICE), "commander"),
        Ok("Commander")
    );
    assert_eq!(
        rank::parse_rank(Some(&POLICE), "Captain")
            .expect_err("not a police rank")
            .code,
        codes::RANK_UNKNOWN
    );
    assert_eq!(
        rank::parse_rank(None, "Inspector")
            .expect_err("no table in force")
            .code,
        codes::RANK_UNKNOWN
    );
}

#[test]
fn tables_are_chosen_by_name_or_none() {
    assert_eq!(rank::table_named("police-england-wales"), Ok(Some(&POLICE)));
    assert_eq!(rank::table_named(" NONE "), Ok(None));
    let refused = rank::table_named("royal-navy").expect_err("no such table");
    assert_eq!(refused.code, codes::RANK_TABLE_UNKNOWN);
    assert!(
        refused.message.contains("police-england-wales"),
        "{}",
        refused.message
    );
}

/// REL-01: a long-term deployment of an undercover officer needs the Chief Constable (Met:
/// Assistant Commissioner); an ordinary one the Assistant Chief Constable; the flag means
/// nothing for a source who is not undercover.
#[test]
fn a_long_term_relevant_source_needs_the_chief_constable() {
    let none = PrivilegedMaterial::default();
    let long = RankFacts {
        long_term: true,
        ..facts(RelevantSource, AgeBand::Adult, true, &none)
    };
    assert_eq!(
        rank::deciding_case(&POLICE, &long),
        RankCase::RelevantSourceLongTerm
    );
    assert_eq!(
        check_decision_rank(Some(&POLICE), &long, Some("Assistant Commissioner")),
        Ok(Some("Assistant Commissioner"))
    );
    assert_eq!(
        check_decision_rank(Some(&POLICE), &long, Some("Commander")).map_err(|e| e.code),
        Err(codes::AO_RANK_TOO_LOW)
    );
    let not_undercover = RankFacts {
        long_term: true,
        ..facts(Standard, AgeBand::Adult, false, &none)
    };
    assert_eq!(
        rank::deciding_case(&POLICE, &not_undercover),
        RankCase::Standard
    );
}
