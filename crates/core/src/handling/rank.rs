//! The authorising officer's rank (compliance.md §1.4, AUTH-03).
//!
//! Sources: RIPA s.30 and the Regulation of Investigatory Powers (Directed Surveillance and
//! Covert Human Intelligence Sources) Order 2010 (SI 2010/521) Sch Pt 1, which names for each
//! public authority the lowest office, rank or position that may grant an authorisation and the
//! lower one that may grant it in urgent cases; the Regulation of Investigatory Powers (Covert
//! Human Intelligence Sources: Relevant Sources) Order 2013 (SI 2013/2788) art 16, the enhanced
//! rank for a relevant source (an undercover officer); and the CHIS Code's Annex A, the level
//! for juvenile sources and where confidential information or legally privileged matters are
//! likely to be obtained.
//!
//! Who may grant therefore differs by authority (a police force, the Royal Navy Police, an
//! agency), so the rule reads a [`RankTable`]: the authority's ranks, lowest first, and for each
//! [`RankCase`] the lowest rank that may decide. A station with no table in force (a newsroom,
//! or a station not yet configured) checks nothing, as before this rule existed.

use super::AuthorisationKind;
use super::codes;
use super::juvenile::AgeBand;
use super::privilege::{Lpp, PrivilegedMaterial};
use crate::RuleViolation;

/// Which rank requirement a decision falls under. When several apply, the highest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RankCase {
    /// A written use-and-conduct or criminal conduct authorisation (SI 2010/521 Sch col (2)).
    Standard,
    /// An urgent grant (SI 2010/521 Sch col (3)); here, an urgent oral authorisation.
    Urgent,
    /// A relevant source, i.e. an undercover officer (SI 2013/2788 art 16).
    RelevantSource,
    /// A relevant source's urgent grant (SI 2013/2788 art 16).
    RelevantSourceUrgent,
    /// A relevant source's long-term authorisation: deployed more than twelve months in all,
    /// with the period decided (SI 2013/2788 arts 3, 16; REL-01).
    RelevantSourceLongTerm,
    /// A juvenile or vulnerable source, or confidential information or privileged matters
    /// likely or intended (CHIS Code Annex A).
    AnnexA,
}

impl RankCase {
    /// How the case reads in a sentence: "A standard authorisation needs ...".
    pub fn describe(self) -> &'static str {
        match self {
            RankCase::Standard => "A standard authorisation",
            RankCase::Urgent => "An urgent authorisation",
            RankCase::RelevantSource => "An authorisation of an undercover officer",
            RankCase::RelevantSourceUrgent => "An urgent authorisation of an undercover officer",
            RankCase::RelevantSourceLongTerm => {
                "A long-term authorisation of an undercover officer (deployed more than twelve months in all)"
            }
            RankCase::AnnexA => {
                "An authorisation of a juvenile or vulnerable source, or one likely to obtain confidential or privileged material,"
            }
        }
    }
}

/// An authority's ranks and the lowest rank that may decide each case.
#[derive(Debug, PartialEq, Eq)]
pub struct RankTable {
    /// The name an administrator chooses it by (`humint settings ranks --table NAME`).
    pub name: &'static str,
    /// For sentences: "police, England and Wales".
    pub title: &'static str,
    /// Lowest first.
    pub ranks: &'static [&'static str],
    /// Other titles for a rank of the table: (title, the rank it equals).
    pub equivalents: &'static [(&'static str, &'static str)],
    pub standard: &'static str,
    pub urgent: &'static str,
    pub relevant_source: &'static str,
    pub relevant_source_urgent: &'static str,
    pub relevant_source_long_term: &'static str,
    pub annex_a: &'static str,
}

/// A territorial police force in England and Wales: SI 2010/521 Sch Pt 1 (Superintendent;
/// Inspector in urgent cases), SI 2013/2788 art 16 (Assistant Chief Constable for a relevant
/// source; Superintendent in urgent cases), CHIS Code Annex A (Chief Constable; treated here as
/// the level for juveniles and for confidential or privileged material alike).
///
/// The Metropolitan Police's titles above Chief Superintendent differ: Commander is taken as
/// equal to Assistant Chief Constable (as SI 2013/2788 names it beside ACC), Deputy Assistant
/// Commissioner as Deputy Chief Constable, and Assistant Commissioner, Deputy Commissioner and
/// Commissioner as Chief Constable (the Annex A level). The City of London Police's
/// Commander likewise equals ACC, and its Commissioner a Chief Constable.
pub const POLICE_ENGLAND_WALES: RankTable = RankTable {
    name: "police-england-wales",
    title: "police, England and Wales",
    ranks: &[
        "Constable",
        "Sergeant",
        "Inspector",
        "Chief Inspector",
        "Superintendent",
        "Chief Superintendent",
        "Assistant Chief Constable",
        "Deputy Chief Constable",
        "Chief Constable",
    ],
    equivalents: &[
        ("Commander", "Assistant Chief Constable"),
        ("Deputy Assistant Commissioner", "Deputy Chief Constable"),
        ("Assistant Commissioner", "Chief Constable"),
        ("Deputy Commissioner", "Chief Constable"),
        ("Commissioner", "Chief Constable"),
    ],
    standard: "Superintendent",
    urgent: "Inspector",
    relevant_source: "Assistant Chief Constable",
    relevant_source_urgent: "Superintendent",
    relevant_source_long_term: "Chief Constable",
    annex_a: "Chief Constable",
};

/// Every built-in table.
pub const TABLES: &[&RankTable] = &[&POLICE_ENGLAND_WALES];

/// The setting's word for "no table: ranks are not checked".
pub const NO_TABLE: &str = "none";

/// The table an administrator names, `None` for [`NO_TABLE`], or `RANK_TABLE_UNKNOWN`.
pub fn table_named(name: &str) -> Result<Option<&'static RankTable>, RuleViolation> {
    let name = name.trim();
    if name.eq_ignore_ascii_case(NO_TABLE) {
        return Ok(None);
    }
    TABLES
        .iter()
        .copied()
        .find(|t| t.name.eq_ignore_ascii_case(name))
        .map(Some)
        .ok_or_else(|| {
            let known: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
            RuleViolation::new(
                codes::RANK_TABLE_UNKNOWN,
                format!(
                    "There is no rank table named \"{name}\"; choose {} or {NO_TABLE}.",
                    known.join(", ")
                ),
            )
        })
}

impl RankTable {
    /// A rank's place in the table (0 = lowest), by its name or an equivalent title, ignoring
    /// case and surrounding spaces.
    pub fn level(&self, rank: &str) -> Option<usize> {
        let rank = rank.trim();
        let of = |name: &str| self.ranks.iter().position(|r| r.eq_ignore_ascii_case(name));
        of(rank).or_else(|| {
            self.equivalents
                .iter()
                .find(|(title, _)| title.eq_ignore_ascii_case(rank))
                .and_then(|(_, equal)| of(equal))
        })
    }

    /// The rank as the table spells it (a rank or an equivalent title), if it is in the table.
    pub fn spelling(&self, rank: &str) -> Option<&'static str> {
        let rank = rank.trim();
        self.ranks
            .iter()
            .chain(self.equivalents.iter().map(|(title, _)| title))
            .find(|r| r.eq_ignore_ascii_case(rank))
            .copied()
    }

    /// The lowest rank that may decide `case`.
    pub fn required(&self, case: RankCase) -> &'static str {
        match case {
            RankCase::Standard => self.standard,
            RankCase::Urgent => self.urgent,
            RankCase::RelevantSource => self.relevant_source,
            RankCase::RelevantSourceUrgent => self.relevant_source_urgent,
            RankCase::RelevantSourceLongTerm => self.relevant_source_long_term,
            RankCase::AnnexA => self.annex_a,
        }
    }

    fn required_level(&self, case: RankCase) -> usize {
        // The built-in tables name only their own ranks; a requirement not found would be a
        // table error, and is then treated as the highest rank (refusing rather than allowing).
        self.level(self.required(case))
            .unwrap_or(self.ranks.len().saturating_sub(1))
    }
}

/// The rank an administrator records on an account: the table's spelling of it, or
/// `RANK_UNKNOWN` when no table is in force or the rank is not in it.
pub fn parse_rank(table: Option<&RankTable>, rank: &str) -> Result<&'static str, RuleViolation> {
    let Some(table) = table else {
        return Err(RuleViolation::new(
            codes::RANK_UNKNOWN,
            "No rank table is in force on this station, so ranks are not recorded; choose one first (humint settings ranks).",
        ));
    };
    table.spelling(rank).ok_or_else(|| {
        RuleViolation::new(
            codes::RANK_UNKNOWN,
            format!(
                "\"{}\" is not a rank in the table in force ({}); use one of: {}.",
                rank.trim(),
                table.title,
                table.ranks.join(", ")
            ),
        )
    })
}

/// The facts of a grant or renewal that decide which rank it needs.
#[derive(Debug, Clone, Copy)]
pub struct RankFacts<'a> {
    pub kind: AuthorisationKind,
    /// The source's age band at the decision.
    pub age: AgeBand,
    /// The source is an undercover officer (a relevant source).
    pub undercover: bool,
    /// The source is vulnerable (JUV-02: the Annex A level).
    pub vulnerable: bool,
    pub privileged: &'a PrivilegedMaterial,
    /// The decision makes an undercover officer's deployment long-term
    /// ([`super::relevant_source::long_term`]).
    pub long_term: bool,
}

/// Every case the decision falls under (at least one).
///
/// Urgent oral grants are the urgent case (only they carry the 72-hour period of s.43(3)(a)
/// that a grant by an officer entitled to act only in urgent cases gets); a written grant with
/// an urgency reason still needs the full rank. Criminal conduct needs the rank of the use
/// beneath it: the relevant-source rank for an undercover officer, else the standard one.
pub fn cases(facts: &RankFacts<'_>) -> Vec<RankCase> {
    let base = match (facts.kind, facts.undercover) {
        (AuthorisationKind::UrgentOral, true) => RankCase::RelevantSourceUrgent,
        (AuthorisationKind::UrgentOral, false) => RankCase::Urgent,
        (AuthorisationKind::RelevantSource, _) | (AuthorisationKind::CriminalConduct, true) => {
            RankCase::RelevantSource
        }
        _ => RankCase::Standard,
    };
    let mut out = vec![base];
    if facts.undercover && facts.long_term {
        out.push(RankCase::RelevantSourceLongTerm);
    }
    let annex_a = facts.kind == AuthorisationKind::Juvenile
        || facts.age.is_juvenile()
        || facts.vulnerable
        || !facts.privileged.confidential.is_empty()
        || matches!(facts.privileged.lpp, Lpp::Likely | Lpp::Intended);
    if annex_a {
        out.push(RankCase::AnnexA);
    }
    out
}

/// The case whose requirement is highest in `table` (the last listed on a tie, the more
/// specific one).
pub fn deciding_case(table: &RankTable, facts: &RankFacts<'_>) -> RankCase {
    cases(facts)
        .into_iter()
        .max_by_key(|c| table.required_level(*c))
        .unwrap_or(RankCase::Standard)
}

/// AUTH-03: the officer's recorded rank is at least the one `case` needs in `table`. Returns the
/// rank as the table spells it, for the record. `AO_RANK_UNKNOWN` when no rank is recorded or
/// it is not in the table; `AO_RANK_TOO_LOW` naming both ranks otherwise.
pub fn check_rank(
    table: &RankTable,
    case: RankCase,
    officer_rank: Option<&str>,
) -> Result<&'static str, RuleViolation> {
    let needed = table.required(case);
    let recorded = officer_rank.filter(|r| !codes::is_blank(r));
    let Some((rank, level)) = recorded.and_then(|r| Some((table.spelling(r)?, table.level(r)?)))
    else {
        let what = match recorded {
            None => "No rank is recorded for you".to_owned(),
            Some(r) => format!(
                "Your recorded rank, {}, is not in the table in force",
                r.trim()
            ),
        };
        let mut case_text = case.describe().to_owned();
        if let Some(first) = case_text.get_mut(..1) {
            first.make_ascii_lowercase();
        }
        return Err(RuleViolation::new(
            codes::AO_RANK_UNKNOWN,
            format!(
                "{what} ({}), and {case_text} needs at least {needed}: ask an administrator to record your rank (humint user rank).",
                table.title,
            ),
        ));
    };
    if level < table.required_level(case) {
        return Err(RuleViolation::new(
            codes::AO_RANK_TOO_LOW,
            format!(
                "{} needs an authorising officer of at least {needed} rank ({}); your recorded rank is {rank}.",
                case.describe(),
                table.title
            ),
        ));
    }
    Ok(rank)
}

/// The check a grant or renewal makes: with no table in force, nothing (and no rank recorded);
/// else [`check_rank`] for the [`deciding_case`], giving the rank to record on the decision.
pub fn check_decision_rank(
    table: Option<&RankTable>,
    facts: &RankFacts<'_>,
    officer_rank: Option<&str>,
) -> Result<Option<&'static str>, RuleViolation> {
    let Some(table) = table else {
        return Ok(None);
    };
    check_rank(table, deciding_case(table, facts), officer_rank).map(Some)
}
