//! Tests of the handling rules: tables of cases at exact boundaries, one test per refusal, and
//! properties of the lifecycle. Fixtures build a small, valid world that each test bends.

mod alerts;
mod authorisation;
mod calendar;
mod concern;
mod contact;
mod grading;
mod inspection;
mod lifecycle;
mod motivation;
mod payment;
mod privilege;
mod rank;
mod register;
mod relevant_source;
mod reliability;
mod report_time;
mod review;
mod risk_alerts;
mod roles;
mod rule_codes;
mod warning_signs;

use super::*;
use crate::{Id, RuleViolation};
use chrono::{DateTime, Utc};

/// An instant from RFC 3339 text; test inputs are literals, so a typo should fail loudly.
pub(super) fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant is RFC 3339")
        .with_timezone(&Utc)
}

pub(super) fn id<T>(n: u128) -> Id<T> {
    Id::from_uuid(uuid::Uuid::from_u128(n))
}

pub(super) const HANDLER: u128 = 0xA1;
pub(super) const CONTROLLER: u128 = 0xA2;
pub(super) const RECORD_KEEPER: u128 = 0xA3;
/// An authorising officer independent of the source.
pub(super) const AO: u128 = 0xA4;
pub(super) const SOURCE: u128 = 0x50;

pub(super) fn officer(n: u128) -> OfficerId {
    id(n)
}

pub(super) fn source(state: SourceState) -> Source {
    Source {
        id: id(SOURCE),
        codename: "LANTERN".into(),
        state,
        origin: Origin::WalkIn,
        juvenile: false,
        vulnerable: false,
        undercover_operative: false,
        recruited_at: None,
    }
}

/// Handler, controller and record-keeper, distinct, since long before any test instant.
pub(super) fn roles() -> Vec<RoleAssignment> {
    [
        (SourceRole::Handler, HANDLER),
        (SourceRole::Controller, CONTROLLER),
        (SourceRole::RecordKeeper, RECORD_KEEPER),
    ]
    .into_iter()
    .map(|(role, who)| RoleAssignment {
        source: id(SOURCE),
        role,
        officer: officer(who),
        from: t("2020-01-01T00:00:00Z"),
        until: None,
    })
    .collect()
}

/// A complete risk assessment (enhanced, so it also serves juveniles) made at `at`.
pub(super) fn risk_at(n: u128, at: DateTime<Utc>) -> RiskAssessment {
    RiskAssessment {
        id: id(n),
        source: id(SOURCE),
        assessed_by: officer(CONTROLLER),
        assessed_at: at,
        level: RiskLevel::Medium,
        security_and_welfare: "Exposure would follow a leak from the target's associates.".into(),
        mitigations: "Meetings outside the area; emergency signal agreed.".into(),
        explained_to_source: true,
        understood_by_source: true,
        physical_harm: Some("Low while meetings stay outside the area.".into()),
        psychological_harm: Some("Stress of divided loyalties; welfare checks weekly.".into()),
    }
}

pub(super) fn grant_request(kind: AuthorisationKind, age: AgeBand) -> GrantRequest {
    GrantRequest {
        id: id(0x100),
        kind,
        parent: None,
        ground: NecessityGround::PreventingOrDetectingCrimeOrDisorder,
        necessity: "Only an insider can report the supply chain.".into(),
        proportionality: "Less intrusive methods have failed.".into(),
        collateral_intrusion: "Family members may be mentioned; not recorded beyond need.".into(),
        tasks_in_scope: vec!["Report meetings of the group".into()],
        granted_by: officer(AO),
        source_age: age,
        urgency_reason: None,
        review_interval_days: 30,
        relationship_with_parent_or_guardian: false,
        juvenile_cca_safeguards: None,
        privileged: PrivilegedMaterial::default(),
    }
}

/// A world with one source, its roles and an assessment made a day before the first test grant.
pub(super) struct World {
    pub source: Source,
    pub roles: Vec<RoleAssignment>,
    pub risks: Vec<RiskAssessment>,
    pub auths: Vec<Authorisation>,
}

impl World {
    pub fn new(state: SourceState) -> Self {
        Self {
            source: source(state),
            roles: roles(),
            risks: vec![risk_at(0x200, t("2020-06-01T00:00:00Z"))],
            auths: Vec::new(),
        }
    }

    pub fn ctx(&self) -> DecisionContext<'_> {
        DecisionContext {
            source: &self.source,
            roles: &self.roles,
            risk_assessments: &self.risks,
            authorisations: &self.auths,
        }
    }

    /// Grants a request at `now`, panicking if the rules refuse (the test expects a grant).
    pub fn granted(&self, req: GrantRequest, now: DateTime<Utc>) -> Authorisation {
        grant(req, &self.ctx(), now).expect("the fixture grant is lawful")
    }
}

/// Asserts a refusal with the given code and a non-empty sentence for the person.
#[track_caller]
pub(super) fn assert_refused<T: std::fmt::Debug>(result: Result<T, RuleViolation>, code: &str) {
    match result {
        Err(v) => {
            assert_eq!(v.code, code, "refused for the wrong reason: {}", v.message);
            assert!(
                v.message.ends_with('.'),
                "message should be a sentence: {}",
                v.message
            );
        }
        Ok(value) => panic!("expected refusal {code}, got {value:?}"),
    }
}
