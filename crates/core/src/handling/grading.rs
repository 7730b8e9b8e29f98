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

/// A report's grade under exactly one scheme.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scheme")]
pub enum Grading {
    Admiralty(AdmiraltyGrade),
    Police3x5x2(Police3x5x2),
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

/// Checks a grading before it is stored: 3x5x2 handling code "C" needs its conditions.
pub fn check_grading(grading: &Grading) -> Result<(), RuleViolation> {
    match grading {
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
pub fn check_dissemination(status: ReportStatus) -> Result<ReportStatus, RuleViolation> {
    if status == ReportStatus::Draft {
        return Err(RuleViolation::new(
            codes::REPORT_NOT_GRADED,
            "Grade this report (source and information, independently) before disseminating it.",
        ));
    }
    Ok(ReportStatus::Disseminated)
}
