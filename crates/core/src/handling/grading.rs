//! Report grading and outcomes.
//!
//! Sources: compliance.md §5.1 (UK police 3x5x2, College of Policing APP), §5.3 (Admiralty /
//! NATO STANAG 2511, FM 2-22.3 App B), GRD-01. The source and the information are graded
//! **independently** — neither is defaulted from the other — and schemes are **never converted**
//! into one another, because the scales are not isomorphic: there is deliberately no `From`
//! between them.

use super::codes;
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Admiralty source reliability, A-F.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SourceReliability {
    A,
    B,
    C,
    D,
    E,
    F,
}

impl SourceReliability {
    pub const ALL: [SourceReliability; 6] = [Self::A, Self::B, Self::C, Self::D, Self::E, Self::F];

    pub fn letter(self) -> char {
        match self {
            Self::A => 'A',
            Self::B => 'B',
            Self::C => 'C',
            Self::D => 'D',
            Self::E => 'E',
            Self::F => 'F',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::A => "completely reliable",
            Self::B => "usually reliable",
            Self::C => "fairly reliable",
            Self::D => "not usually reliable",
            Self::E => "unreliable",
            Self::F => "reliability cannot be judged",
        }
    }

    pub fn from_letter(c: char) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.letter() == c.to_ascii_uppercase())
    }
}

/// Admiralty information credibility, 1-6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum InformationCredibility {
    Confirmed = 1,
    ProbablyTrue = 2,
    PossiblyTrue = 3,
    Doubtful = 4,
    Improbable = 5,
    CannotBeJudged = 6,
}

impl InformationCredibility {
    pub const ALL: [InformationCredibility; 6] = [
        Self::Confirmed,
        Self::ProbablyTrue,
        Self::PossiblyTrue,
        Self::Doubtful,
        Self::Improbable,
        Self::CannotBeJudged,
    ];

    pub fn digit(self) -> u8 {
        self as u8
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed by other sources",
            Self::ProbablyTrue => "probably true",
            Self::PossiblyTrue => "possibly true",
            Self::Doubtful => "doubtful",
            Self::Improbable => "improbable",
            Self::CannotBeJudged => "truth cannot be judged",
        }
    }

    pub fn from_digit(d: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.digit() == d)
    }
}

/// An Admiralty grade such as "B2".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AdmiraltyGrade {
    pub source: SourceReliability,
    pub information: InformationCredibility,
}

impl fmt::Display for AdmiraltyGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.source.letter(), self.information.digit())
    }
}

impl FromStr for AdmiraltyGrade {
    type Err = RuleViolation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut chars = s.trim().chars();
        let parsed = match (chars.next(), chars.next(), chars.next()) {
            (Some(letter), Some(digit), None) => SourceReliability::from_letter(letter).zip(
                digit
                    .to_digit(10)
                    .and_then(|d| u8::try_from(d).ok())
                    .and_then(InformationCredibility::from_digit),
            ),
            _ => None,
        };
        parsed.map(|(source, information)| AdmiraltyGrade { source, information }).ok_or_else(|| {
            RuleViolation::new(
                codes::GRADE_INVALID,
                "An Admiralty grade is a letter A-F for the source and a digit 1-6 for the information, such as B2.",
            )
        })
    }
}

/// 3x5x2 source evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceEvaluation {
    /// 1
    Reliable,
    /// 2
    Untested,
    /// 3
    NotReliable,
}

/// 3x5x2 intelligence assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntelligenceAssessment {
    /// A
    KnownDirectly,
    /// B
    KnownIndirectlyCorroborated,
    /// C
    KnownIndirectly,
    /// D
    NotKnown,
    /// E
    SuspectedFalse,
}

/// 3x5x2 handling code. "C" carries its conditions, which must be recorded (GRD-01).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingCode {
    /// P: lawful sharing permitted.
    Permitted,
    /// C: lawful sharing permitted with conditions.
    WithConditions(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Police3x5x2 {
    pub source: SourceEvaluation,
    pub intelligence: IntelligenceAssessment,
    pub handling: HandlingCode,
}

/// Legacy 5x5x5 (National Intelligence Model; compliance.md §5.2): source evaluation A-E,
/// intelligence evaluation 1-5, handling code 1-5. Codes 3 and 5 carry special conditions,
/// which must be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Legacy5x5x5 {
    /// A (always reliable) to E (untested).
    pub source: char,
    /// 1 (known to be true without reservation) to 5 (suspected false or malicious).
    pub intelligence: u8,
    /// 1 to 5.
    pub handling: u8,
    /// The special conditions of handling code 3 or 5.
    pub conditions: Option<String>,
}

/// A report's grade under exactly one scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scheme")]
pub enum Grading {
    Admiralty(AdmiraltyGrade),
    Police3x5x2(Police3x5x2),
    Legacy5x5x5(Legacy5x5x5),
}

/// The grading schemes a report may be graded under (GRD-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GradingScheme {
    /// UK police 3x5x2 (College of Policing APP): the default.
    #[serde(rename = "3x5x2")]
    Police3x5x2,
    /// Legacy UK 5x5x5, for forces still working with historic intelligence graded under it.
    #[serde(rename = "5x5x5")]
    Legacy5x5x5,
    /// NATO / Admiralty A-F and 1-6.
    #[serde(rename = "admiralty")]
    Admiralty,
}

impl GradingScheme {
    /// GRD-01: "3x5x2 default".
    pub const DEFAULT: GradingScheme = GradingScheme::Police3x5x2;

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Police3x5x2 => "3x5x2",
            Self::Legacy5x5x5 => "5x5x5",
            Self::Admiralty => "admiralty",
        }
    }

    pub fn parse(text: &str) -> Result<GradingScheme, RuleViolation> {
        [Self::Police3x5x2, Self::Legacy5x5x5, Self::Admiralty]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                RuleViolation::new(
                    codes::GRADING_SCHEME_UNKNOWN,
                    format!(
                        "\"{}\" is not a grading scheme; use 3x5x2 (the default), 5x5x5 or admiralty.",
                        text.trim()
                    ),
                )
            })
    }
}

/// A grade as typed, before the scheme's rules read it: the source code, the information code,
/// the handling code and any conditions, each as the officer wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeCodes {
    pub source: String,
    pub information: String,
    pub handling: String,
    pub conditions: Option<String>,
}

fn invalid_grade(scheme: GradingScheme, expected: &str) -> RuleViolation {
    RuleViolation::new(
        codes::GRADE_INVALID,
        format!("Under {} {expected}.", scheme.as_str()),
    )
}

fn single_char(text: &str) -> Option<char> {
    let mut chars = text.trim().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c.to_ascii_uppercase()),
        _ => None,
    }
}

fn digit_in(text: &str, range: std::ops::RangeInclusive<u8>) -> Option<u8> {
    single_char(text)
        .and_then(|c| c.to_digit(10))
        .and_then(|d| u8::try_from(d).ok())
        .filter(|d| range.contains(d))
}

/// Reads a grade under its scheme (compliance.md §5): each dimension is read on its own, and
/// nothing is converted between schemes. Returns the grading and, for Admiralty (whose handling
/// code is free text), the handling code to record beside it. The grading is then checked by
/// [`check_grading`].
pub fn parse_grading(
    scheme: GradingScheme,
    codes_in: &GradeCodes,
) -> Result<Grading, RuleViolation> {
    let conditions = codes_in
        .conditions
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let grading = match scheme {
        GradingScheme::Admiralty => {
            let source = single_char(&codes_in.source)
                .and_then(SourceReliability::from_letter)
                .ok_or_else(|| invalid_grade(scheme, "the source is graded A to F"))?;
            let information = digit_in(&codes_in.information, 1..=6)
                .and_then(InformationCredibility::from_digit)
                .ok_or_else(|| invalid_grade(scheme, "the information is graded 1 to 6"))?;
            Grading::Admiralty(AdmiraltyGrade {
                source,
                information,
            })
        }
        GradingScheme::Police3x5x2 => {
            let source = match digit_in(&codes_in.source, 1..=3) {
                Some(1) => SourceEvaluation::Reliable,
                Some(2) => SourceEvaluation::Untested,
                Some(3) => SourceEvaluation::NotReliable,
                _ => return Err(invalid_grade(scheme, "the source is evaluated 1, 2 or 3")),
            };
            let intelligence = match single_char(&codes_in.information) {
                Some('A') => IntelligenceAssessment::KnownDirectly,
                Some('B') => IntelligenceAssessment::KnownIndirectlyCorroborated,
                Some('C') => IntelligenceAssessment::KnownIndirectly,
                Some('D') => IntelligenceAssessment::NotKnown,
                Some('E') => IntelligenceAssessment::SuspectedFalse,
                _ => return Err(invalid_grade(scheme, "the intelligence is assessed A to E")),
            };
            let handling = match single_char(&codes_in.handling) {
                Some('P') => HandlingCode::Permitted,
                Some('C') => HandlingCode::WithConditions(conditions.unwrap_or_default()),
                _ => return Err(invalid_grade(scheme, "the handling code is P or C")),
            };
            Grading::Police3x5x2(Police3x5x2 {
                source,
                intelligence,
                handling,
            })
        }
        GradingScheme::Legacy5x5x5 => {
            let source = single_char(&codes_in.source)
                .filter(|c| ('A'..='E').contains(c))
                .ok_or_else(|| invalid_grade(scheme, "the source is evaluated A to E"))?;
            let intelligence = digit_in(&codes_in.information, 1..=5)
                .ok_or_else(|| invalid_grade(scheme, "the intelligence is evaluated 1 to 5"))?;
            let handling = digit_in(&codes_in.handling, 1..=5)
                .ok_or_else(|| invalid_grade(scheme, "the handling code is 1 to 5"))?;
            Grading::Legacy5x5x5(Legacy5x5x5 {
                source,
                intelligence,
                handling,
                conditions,
            })
        }
    };
    Ok(grading)
}

impl Grading {
    pub fn scheme(&self) -> GradingScheme {
        match self {
            Grading::Admiralty(_) => GradingScheme::Admiralty,
            Grading::Police3x5x2(_) => GradingScheme::Police3x5x2,
            Grading::Legacy5x5x5(_) => GradingScheme::Legacy5x5x5,
        }
    }

    /// The grade as the scheme writes it: (source, information, handling code or `None` for
    /// Admiralty, whose handling code is recorded beside it, conditions).
    pub fn codes(&self) -> (String, String, Option<String>, Option<String>) {
        match self {
            Grading::Admiralty(g) => (
                g.source.letter().to_string(),
                g.information.digit().to_string(),
                None,
                None,
            ),
            Grading::Police3x5x2(g) => {
                let source = match g.source {
                    SourceEvaluation::Reliable => "1",
                    SourceEvaluation::Untested => "2",
                    SourceEvaluation::NotReliable => "3",
                };
                let info = match g.intelligence {
                    IntelligenceAssessment::KnownDirectly => "A",
                    IntelligenceAssessment::KnownIndirectlyCorroborated => "B",
                    IntelligenceAssessment::KnownIndirectly => "C",
                    IntelligenceAssessment::NotKnown => "D",
                    IntelligenceAssessment::SuspectedFalse => "E",
                };
                let (code, conditions) = match &g.handling {
                    HandlingCode::Permitted => ("P", None),
                    HandlingCode::WithConditions(c) => ("C", Some(c.clone())),
                };
                (
                    source.to_owned(),
                    info.to_owned(),
                    Some(code.to_owned()),
                    conditions,
                )
            }
            Grading::Legacy5x5x5(g) => (
                g.source.to_string(),
                g.intelligence.to_string(),
                Some(g.handling.to_string()),
                g.conditions.clone(),
            ),
        }
    }
}

/// A grade with who decided it, when, and why it departs from the engine's suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeDecision {
    pub grading: Grading,
    pub graded_by: crate::handling::OfficerId,
    pub graded_at: DateTime<Utc>,
    pub suggested: Option<Grading>,
    pub rationale: Option<String>,
}

/// Checks a grading before it is stored: 3x5x2 handling code "C" needs its conditions (GRD-01),
/// and so do the 5x5x5 codes that impose special conditions, 3 and 5 (compliance.md §5.2).
pub fn check_grading(grading: &Grading) -> Result<(), RuleViolation> {
    match grading {
        Grading::Legacy5x5x5(Legacy5x5x5 {
            handling: handling @ (3 | 5),
            conditions,
            ..
        }) if conditions.as_deref().is_none_or(codes::is_blank) => Err(RuleViolation::new(
            codes::GRADING_CONDITIONS_REQUIRED,
            format!(
                "5x5x5 handling code {handling} means special conditions apply; record the conditions."
            ),
        )),
        Grading::Police3x5x2(Police3x5x2 {
            handling: HandlingCode::WithConditions(conditions),
            ..
        }) if codes::is_blank(conditions) => Err(RuleViolation::new(
            codes::GRADING_CONDITIONS_REQUIRED,
            "Handling code C means sharing with conditions; record the conditions.",
        )),
        _ => Ok(()),
    }
}

/// A claim in a report (subject, attribute, value, observed at); its content lives with the
/// report, encrypted by the store.
pub enum Claim {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeVerdict {
    Confirmed,
    Refuted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeMeans {
    AnotherSource,
    TechnicalCollection,
    Events,
    OpenSource,
}

/// A claim later confirmed or refuted by other means; outcomes drive validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub id: Id<Outcome>,
    pub claim: Id<Claim>,
    pub verdict: OutcomeVerdict,
    pub means: OutcomeMeans,
    pub established_at: DateTime<Utc>,
}

/// A report's life: draft → graded → disseminated (product.md, "Report").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Graded,
    Disseminated,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Graded => "graded",
            ReportStatus::Disseminated => "disseminated",
        }
    }

    pub fn parse(text: &str) -> Option<ReportStatus> {
        [Self::Draft, Self::Graded, Self::Disseminated]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Decides a (re)grading: a draft or graded report may be graded; once disseminated, the grade
/// it was shared under is part of the dissemination record (reg 3(m)) and stands. Returns the
/// status after grading.
pub fn check_regrade(
    status: ReportStatus,
    grading: &Grading,
) -> Result<ReportStatus, RuleViolation> {
    if status == ReportStatus::Disseminated {
        return Err(RuleViolation::new(
            codes::REPORT_ALREADY_DISSEMINATED,
            "This report has already been disseminated under its grade; record a new report instead of regrading it.",
        ));
    }
    check_grading(grading)?;
    Ok(ReportStatus::Graded)
}

/// Decides a dissemination: only a graded report leaves the service (GRD-01), so the recipient
/// knows how far to trust it. Returns the status after dissemination.
/// When a dissemination happened, for its record (SI 2000/2725 reg 3(m)): now, or an earlier
/// time when it is recorded after the fact, never in the future nor before the source reported
/// what it disseminates (`reported_at`, which for a report filed as it came in is its filing).
pub fn dissemination_time(
    reported_at: DateTime<Utc>,
    given: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, RuleViolation> {
    let at = given.unwrap_or(now);
    if at > now {
        return Err(RuleViolation::new(
            codes::DISSEMINATION_TIME_INVALID,
            "A dissemination cannot be recorded as happening in the future.",
        ));
    }
    if at < reported_at {
        return Err(RuleViolation::new(
            codes::DISSEMINATION_TIME_INVALID,
            "A report cannot have been disseminated before its source reported it.",
        ));
    }
    Ok(at)
}

pub fn check_dissemination(status: ReportStatus) -> Result<ReportStatus, RuleViolation> {
    if status == ReportStatus::Draft {
        return Err(RuleViolation::new(
            codes::REPORT_NOT_GRADED,
            "Grade this report (source and information, independently) before disseminating it.",
        ));
    }
    Ok(ReportStatus::Disseminated)
}
