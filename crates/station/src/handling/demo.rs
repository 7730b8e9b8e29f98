//! A demo station: a few compartments, officers of every role, ~40 sources across every state,
//! and a year of contacts, reports, payments, reviews and alerts, so a newcomer sees a living
//! system (`humint demo`).
//!
//! The history is made by the same pure rules as live use: each decision is taken by the core
//! at a simulated instant over the past year (the rules are functions of records and `now`),
//! then stored with its audit event stamped at the real time of loading, so the ledger stays
//! honest about when the records entered this station. Choices come from a generator seeded by
//! `seed` (the same seed gives the same station); ids and keys from the station's entropy.

mod register;

use super::convert::name;
use super::sources::auth_row;
use crate::{Principal, Station, StationError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use humint_core::handling::grading::ReportStatus;
use humint_core::handling::{
    AgeBand, AuthorisationKind, Contact, ContactMode, ContactPurpose, ContactStatus,
    DecisionContext, GrantRequest, NecessityGround, ReviewRequest, RiskAssessment, RiskLevel,
    RoleAssignment, SourceRole, SourceState, TransitionFacts, calendar,
};
use humint_core::{Entropy, Role, SeededEntropy, new_id};
use humint_store::{
    AuditContext, ClaimRow, ContactRow, HandlingStore as _, HandlingWrite, ReportRow,
    RequirementRow, RiskRow, RoleRow, SourceRow, Store as _, TransitionRow,
};

/// An officer account the demo made, with what is needed to sign in as them.
#[derive(Clone, PartialEq, Eq)]
pub struct DemoOfficer {
    pub username: String,
    pub role: Role,
    pub password: String,
    pub totp_base32: String,
}

impl std::fmt::Debug for DemoOfficer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoOfficer")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub compartments: Vec<String>,
    pub officers: Vec<DemoOfficer>,
    pub sources: usize,
    pub contacts: usize,
    pub reports: usize,
    /// Relevant errors in the register, in every state.
    pub errors: usize,
    /// Requirements reviewed and closed.
    pub closed_requirements: usize,
    /// Open-source items (what the press published), some of which reports later repeat.
    pub open_press_items: usize,
}

const COMPARTMENTS: &[&str] = &["ORCHARD", "HARBOUR", "LANTERN"];
const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Jo", "Chris", "Robin", "Pat", "Lee", "Kim", "Ash", "Dana",
];
const SURNAMES: &[&str] = &[
    "Morgan",
    "Hughes",
    "Patel",
    "Novak",
    "Reyes",
    "Okafor",
    "Lindqvist",
    "Brennan",
];
/// What the demo's sources can reach (fictional); the spotted ones (every seventh) have none
/// recorded yet, as a spotted source's access may be unknown.
const ACCESSES: &[&str] = &[
    "the night shift at a fictional container terminal",
    "the committee of a fictional residents' association",
    "the back office of a fictional freight forwarder",
    "a fictional car-wash chain's cash runs",
    "the regulars of a fictional snooker hall",
    "the dispatch desk of a fictional courier firm",
];
/// Declared motivations, one per source in turn; some are not recorded.
const MOTIVATIONS: &[Option<humint_core::handling::Motivation>] = {
    use humint_core::handling::Motivation::*;
    &[
        Some(Money),
        Some(Conscience),
        None,
        Some(Ideology),
        Some(Recognition),
        Some(Money),
        Some(Other),
    ]
};
/// States of the 13 or 14 sources of each compartment: most are recruited.
const STATES: &[SourceState] = &[
    SourceState::Spotted,
    SourceState::Assessed,
    SourceState::InDevelopment,
    SourceState::Recruited,
    SourceState::Recruited,
    SourceState::Recruited,
    SourceState::Recruited,
    SourceState::Recruited,
    SourceState::Recruited,
    SourceState::Recruited,
    SourceState::Suspended,
    SourceState::Terminated,
    SourceState::Recruited,
    SourceState::Spotted,
];

fn pick<'a>(e: &dyn Entropy, items: &[&'a str]) -> &'a str {
    items
        .get(usize::try_from(e.below(items.len() as u64)).unwrap_or(0))
        .copied()
        .unwrap_or("x")
}

fn demo_password(e: &dyn Entropy) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..16)
        .map(|_| char::from(ALPHABET[usize::try_from(e.below(ALPHABET.len() as u64)).unwrap_or(0)]))
        .collect()
}

struct Team {
    compartment: humint_store::CompartmentRecord,
    handlers: Vec<Principal>,
    controller: Principal,
    ao: Principal,
    keeper: Principal,
    analyst: Principal,
}

/// Fills an initialised, empty station with the demo. Officers are created with generated
/// passwords (returned once in the summary, with their TOTP secrets).
pub async fn fill_demo(station: &Station, seed: u64) -> Result<DemoSummary, StationError> {
    if station.store.source_count().await? > 0 {
        return Err(StationError::Conflict {
            code: "NOT_EMPTY",
            message: "the demo fills an empty station; this one already holds sources".to_owned(),
        });
    }
    let e = SeededEntropy::new(seed);
    let system = Principal::system();
    let mut summary = DemoSummary::default();
    let mut teams = Vec::new();
    for c in COMPARTMENTS {
        let compartment = match station.store.compartment_by_name(c).await? {
            Some(existing) => existing,
            None => station.add_compartment(&system, c).await?,
        };
        summary.compartments.push((*c).to_owned());
        let mut make = async |username: String, role: Role| -> Result<Principal, StationError> {
            let password = demo_password(&e);
            let en = station
                .add_user(&system, &username, role, &[(*c).to_owned()], &password)
                .await?;
            summary.officers.push(DemoOfficer {
                username: username.clone(),
                role,
                password,
                totp_base32: en.totp_base32.clone(),
            });
            Ok(Principal {
                user_id: en.user_id,
                username,
                role,
                compartments: [(*c).to_owned()].into_iter().collect(),
                session_expires_at_ms: i64::MAX,
            })
        };
        let c = c.to_lowercase();
        let handlers = vec![
            make(format!("{c}.handler1"), Role::Handler).await?,
            make(format!("{c}.handler2"), Role::Handler).await?,
        ];
        let team = Team {
            handlers,
            controller: make(format!("{c}.controller"), Role::Controller).await?,
            ao: make(format!("{c}.ao"), Role::AuthorisingOfficer).await?,
            keeper: make(format!("{c}.records"), Role::Auditor).await?,
            analyst: make(format!("{c}.analyst"), Role::Analyst).await?,
            compartment,
        };
        teams.push(team);
    }
    let now = station.clock().now();
    let year_ago = now - Duration::days(365);
    for team in &teams {
        let requirement = requirement(station, team, year_ago).await?;
        for (i, state) in STATES.iter().enumerate() {
            let sim = Simulated {
                station,
                team,
                e: &e,
                start: year_ago + Duration::days(i as i64 * 3),
                now,
                requirement: &requirement,
            };
            let (contacts, reports) = sim.source(i, *state).await?;
            summary.sources += 1;
            summary.contacts += contacts;
            summary.reports += reports;
        }
        let made = register::fill(station, team, now).await?;
        summary.errors += made.errors;
        summary.closed_requirements += made.closed_requirements;
        summary.open_press_items += open_press(station, team, year_ago, now).await?;
    }
    Ok(summary)
}

/// What the (fictional) press published, recorded by the compartment's analyst: a sighting
/// early in the year that later reports repeat, so their pages say so ("Published earlier by
/// …"), and a recent one. Each re-estimates the compartment. Returns how many were recorded.
async fn open_press(
    station: &Station,
    team: &Team,
    year_ago: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize, StationError> {
    let items = [
        (
            "Evening Courier",
            year_ago + Duration::days(2),
            "vehicle 1",
            "depot 1",
            "Evening Courier, page 6",
        ),
        (
            "Harbour Radio",
            now - Duration::days(30),
            "vehicle 3",
            "depot 0",
            "Harbour Radio, morning bulletin",
        ),
    ];
    for (outlet, published_at, subject, value, reference) in items {
        station
            .record_open_source_item(
                &team.analyst,
                &team.compartment.name,
                super::OpenSourceItemInput {
                    outlet: outlet.to_owned(),
                    published_at,
                    subject: subject.to_owned(),
                    attribute: "seen_at".to_owned(),
                    value: value.to_owned(),
                    reference: Some(reference.to_owned()),
                },
            )
            .await?;
    }
    Ok(items.len())
}

async fn requirement(
    station: &Station,
    team: &Team,
    at: DateTime<Utc>,
) -> Result<RequirementRow, StationError> {
    let row = RequirementRow {
        id: new_id::<RequirementRow>(at, station.entropy()).to_string(),
        compartment_id: team.compartment.id.clone(),
        compartment: team.compartment.name.clone(),
        title: format!("{}: who moves the goods", team.compartment.name),
        detail: "Routes, vehicles and timing of deliveries.".to_owned(),
        priority: 2,
        opened_at_ms: at.timestamp_millis(),
        review_by: calendar::local_date(at + Duration::days(300)).to_string(),
        review_due_at_ms: calendar::end_of_day(calendar::local_date(at + Duration::days(300)))
            .timestamp_millis(),
        closed_at_ms: None,
        created_by: team.controller.user_id.clone(),
        tasked_sources: 0,
    };
    let audit = station.handling_audit(
        &team.controller,
        "requirement.create",
        "requirement",
        &row.id,
        &team.compartment.name,
    );
    station
        .store
        .handling_write(
            None,
            &[HandlingWrite::InsertRequirement(row.clone())],
            &[audit],
        )
        .await?;
    Ok(row)
}

struct Simulated<'a> {
    station: &'a Station,
    team: &'a Team,
    e: &'a SeededEntropy,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    requirement: &'a RequirementRow,
}

impl Simulated<'_> {
    fn id<T>(&self, at: DateTime<Utc>) -> humint_core::Id<T> {
        new_id(at, self.station.entropy())
    }

    fn officer(p: &Principal) -> Result<humint_core::handling::OfficerId, StationError> {
        super::officer_id(p)
    }

    fn audit(&self, actor: &Principal, action: &str, object: &str, id: &str) -> AuditContext {
        self.station
            .handling_audit(actor, action, object, id, &self.team.compartment.name)
    }

    /// One source's year: returns (contacts, reports) made.
    async fn source(&self, i: usize, target: SourceState) -> Result<(usize, usize), StationError> {
        let st = self.station;
        let team = self.team;
        let handler = &team.handlers[i % team.handlers.len()];
        let t0 = self.start;
        let source_id = self.id::<humint_core::handling::Source>(t0);
        let sid = source_id.to_string();
        let dob = NaiveDate::from_ymd_opt(
            1965 + i32::try_from(self.e.below(35)).unwrap_or(0),
            1 + u32::try_from(self.e.below(12)).unwrap_or(0),
            1 + u32::try_from(self.e.below(28)).unwrap_or(0),
        )
        .unwrap_or(NaiveDate::MIN);
        let mut identity = serde_json::json!({"name": format!("{} {}", pick(self.e, FIRST_NAMES), pick(self.e, SURNAMES)), "date_of_birth": dob, "identities_used": [], "other_authorities": []});
        // Chosen by the source's number, not drawn, so the rest of the demo stays as it was.
        if target != SourceState::Spotted {
            identity["access"] = serde_json::json!(ACCESSES[i % ACCESSES.len()]);
        }
        let blob = st.encrypt_field(
            "sources",
            "true_identity",
            &sid,
            identity.to_string().as_bytes(),
        )?;
        let mut row = SourceRow {
            id: sid.clone(),
            compartment_id: team.compartment.id.clone(),
            compartment: team.compartment.name.clone(),
            // Unique by construction: the compartment's initial and the source's number.
            codename: format!(
                "{} {}{}",
                super::codenames::generate(self.e, 0),
                team.compartment.name.chars().next().unwrap_or('X'),
                i + 1
            ),
            state: name(&SourceState::Spotted),
            origin: name(
                &[
                    humint_core::handling::Origin::Spotted,
                    humint_core::handling::Origin::WalkIn,
                    humint_core::handling::Origin::Referral,
                ][i % 3],
            ),
            juvenile: false,
            vulnerable: false,
            undercover: false,
            recruited_at_ms: None,
            created_at_ms: t0.timestamp_millis(),
            created_by: handler.user_id.clone(),
            version: 0,
            motivation: MOTIVATIONS[i % MOTIVATIONS.len()].map(|m| m.as_str().to_owned()),
        };
        let mut writes = Vec::new();
        let mut audit = vec![self.audit(handler, "source.create", "source", &sid)];
        let mut roles = Vec::new();
        for (role, p) in [
            (SourceRole::Handler, handler),
            (SourceRole::Controller, &team.controller),
            (SourceRole::RecordKeeper, &team.keeper),
        ] {
            roles.push(RoleAssignment {
                source: source_id,
                role,
                officer: Self::officer(p)?,
                from: t0,
                until: None,
            });
            writes.push(HandlingWrite::InsertRole(RoleRow {
                id: self.id::<RoleRow>(t0).to_string(),
                source_id: sid.clone(),
                role: name(&role),
                officer_id: p.user_id.clone(),
                officer_name: p.username.clone(),
                from_ms: t0.timestamp_millis(),
                until_ms: None,
            }));
        }
        let mut source = super::convert::source(&row)?;
        let path: &[SourceState] = match target {
            SourceState::Spotted => &[],
            SourceState::Assessed => &[SourceState::Assessed],
            SourceState::InDevelopment => &[SourceState::Assessed, SourceState::InDevelopment],
            SourceState::Recruited => &[
                SourceState::Assessed,
                SourceState::InDevelopment,
                SourceState::Recruited,
            ],
            SourceState::Suspended => &[
                SourceState::Assessed,
                SourceState::InDevelopment,
                SourceState::Recruited,
                SourceState::Suspended,
            ],
            SourceState::Terminated => &[
                SourceState::Assessed,
                SourceState::InDevelopment,
                SourceState::Recruited,
                SourceState::Terminated,
            ],
        };
        let risk_at = t0 + Duration::days(1);
        let risk = RiskAssessment {
            id: self.id(risk_at),
            source: source_id,
            assessed_by: Self::officer(handler)?,
            assessed_at: risk_at,
            level: [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High][i % 3],
            security_and_welfare: "Lives near the target group; discovery would put them at risk."
                .to_owned(),
            mitigations: "Meetings out of area; agreed cover story; emergency number.".to_owned(),
            explained_to_source: true,
            understood_by_source: true,
            physical_harm: None,
            psychological_harm: None,
        };
        let risk_doc = serde_json::json!({"security_and_welfare": risk.security_and_welfare, "mitigations": risk.mitigations, "physical_harm": null, "psychological_harm": null});
        writes.push(HandlingWrite::InsertRisk(RiskRow {
            id: risk.id.to_string(),
            source_id: sid.clone(),
            assessed_by: handler.user_id.clone(),
            assessed_at_ms: risk_at.timestamp_millis(),
            level: name(&risk.level),
            explained: true,
            understood: true,
            content: st.encrypt_field(
                "risk_assessments",
                "content",
                &risk.id.to_string(),
                risk_doc.to_string().as_bytes(),
            )?,
        }));
        let risks = vec![risk];
        let mut auths = Vec::new();
        let mut at = t0 + Duration::days(2);
        let (mut contacts, mut reports) = (0, 0);
        for to in path {
            if *to == SourceState::Recruited {
                let ctx = DecisionContext {
                    source: &source,
                    roles: &roles,
                    risk_assessments: &risks,
                    authorisations: &auths,
                };
                let req = GrantRequest {
                    id: self.id(at),
                    kind: AuthorisationKind::Standard,
                    parent: None,
                    ground: NecessityGround::PreventingOrDetectingCrimeOrDisorder,
                    necessity: "The group's supply route cannot be learned another way.".to_owned(),
                    proportionality: "Limited to the supply route; least intrusive means."
                        .to_owned(),
                    collateral_intrusion: "Relatives may be mentioned; not recorded.".to_owned(),
                    tasks_in_scope: vec!["report on deliveries".to_owned()],
                    granted_by: Self::officer(&team.ao)?,
                    source_age: AgeBand::on(dob, calendar::local_date(at)),
                    urgency_reason: None,
                    review_interval_days: 90,
                    relationship_with_parent_or_guardian: false,
                    juvenile_cca_safeguards: None,
                    privileged: Default::default(),
                };
                let auth = humint_core::handling::grant(req, &ctx, at)?;
                audit.push(self.audit(
                    &team.ao,
                    "authorisation.grant",
                    "authorisation",
                    &auth.id.to_string(),
                ));
                auths.push(auth);
                at += Duration::days(1);
            }
            let welfare = "Quarterly welfare call for a year.";
            let event = humint_core::handling::transition(
                &source,
                *to,
                &TransitionFacts {
                    actor: Self::officer(handler)?,
                    reason: "Progressed after assessment.",
                    authorisations: &auths,
                    roles: &roles,
                    welfare_arrangements: Some(welfare),
                },
                at,
            )?;
            if *to == SourceState::Recruited {
                source.recruited_at = Some(at);
                row.recruited_at_ms = Some(at.timestamp_millis());
                // A year of weekly contacts and fortnightly reports while recruited.
                let end = self.now - Duration::days(3);
                let mut day = at + Duration::days(7);
                let mut n: usize = 0;
                while day < end && !(target != SourceState::Recruited && n >= 20) {
                    let held = self.e.below(10) != 0;
                    let contact = Contact {
                        id: self.id(day),
                        source: source_id,
                        mode: if n.is_multiple_of(3) {
                            ContactMode::Call
                        } else {
                            ContactMode::Meeting
                        },
                        status: if held {
                            ContactStatus::Held
                        } else {
                            ContactStatus::Missed
                        },
                        purpose: ContactPurpose::Use,
                        planned_for: Some(day),
                        occurred_at: Some(day),
                        officers_present: if held {
                            vec![Self::officer(handler)?]
                        } else {
                            Vec::new()
                        },
                        appropriate_adult: None,
                        location_alias: Some(format!("SITE {}", 1 + n % 6)),
                        cover_used: None,
                        safety_arrangements: None,
                        fallback_arrangements: None,
                        next_contact_due: Some(day + Duration::days(8)),
                    };
                    humint_core::handling::check_contact(
                        &contact,
                        &source,
                        &auths,
                        AgeBand::Adult,
                        day,
                    )?;
                    let (doc, text_sealed) = st.seal_record(&contact.id.to_string(), &contact)?;
                    writes.push(HandlingWrite::InsertContact(ContactRow {
                        id: contact.id.to_string(),
                        source_id: sid.clone(),
                        status: name(&contact.status),
                        at_ms: day.timestamp_millis(),
                        next_contact_due_ms: contact.next_contact_due.map(|d| d.timestamp_millis()),
                        recorded_by: handler.user_id.clone(),
                        recorded_at_ms: day.timestamp_millis(),
                        doc,
                        text_sealed: Some(text_sealed),
                        notes: Some(st.encrypt_field(
                            "contacts",
                            "notes",
                            &contact.id.to_string(),
                            b"Routine meeting; source calm.",
                        )?),
                    }));
                    contacts += 1;
                    if held && n.is_multiple_of(2) {
                        self.report(&mut writes, &sid, &contact.id.to_string(), handler, day, n)?;
                        reports += 1;
                    }
                    if n % 13 == 12 {
                        // A quarterly review by the authorising officer.
                        let ctx = DecisionContext {
                            source: &source,
                            roles: &roles,
                            risk_assessments: &risks,
                            authorisations: &auths,
                        };
                        if let Some(auth) = auths.last() {
                            let req = ReviewRequest {
                                id: self.id(day),
                                reviewed_by: Self::officer(&team.ao)?,
                                use_made: "Regular meetings as planned.".to_owned(),
                                tasks_given: "Deliveries and vehicles.".to_owned(),
                                information_obtained: "Delivery days and routes.".to_owned(),
                                necessity_still_met: true,
                                proportionality_still_met: true,
                                arrangements_still_met: true,
                            };
                            if let Ok(review) = humint_core::handling::review(auth, req, &ctx, day)
                            {
                                let mut updated = auth.clone();
                                updated.reviews.push(review);
                                auths.pop();
                                auths.push(updated);
                            }
                        }
                    }
                    day += Duration::days(7);
                    n += 1;
                }
                at = day;
            }
            let transition = st.sealed_transition(
                self.id::<TransitionRow>(at).to_string(),
                &sid,
                &event,
                at.timestamp_millis(),
                &handler.user_id,
            )?;
            if *to == SourceState::Terminated {
                for a in auths
                    .iter_mut()
                    .filter(|a| event.authorisations_to_cancel.contains(&a.id))
                {
                    let req = humint_core::handling::CancellationRequest {
                        cancelled_by: Self::officer(&team.ao)?,
                        reasons: "Source stood down.".to_owned(),
                        instruction_to_cease_at: Some(at),
                        welfare_plan: welfare.to_owned(),
                    };
                    a.cancellation = Some(humint_core::handling::cancel(a, req, at)?);
                }
            }
            source.state = *to;
            writes.push(HandlingWrite::InsertTransition(transition));
            audit.push(self.audit(handler, "source.transition", "source", &sid));
            at += Duration::days(1);
        }
        row.state = name(&source.state);
        let mut all = vec![HandlingWrite::InsertSource {
            row,
            true_identity: blob,
        }];
        all.extend(writes);
        for a in &auths {
            all.push(HandlingWrite::InsertAuthorisation(auth_row(st, a)?));
        }
        // Authorisations reference the source and requirement rows; keep parents first.
        all.sort_by_key(|w| match w {
            HandlingWrite::InsertSource { .. } => 0,
            HandlingWrite::InsertRole(_) | HandlingWrite::InsertRisk(_) => 1,
            HandlingWrite::InsertAuthorisation(_) => 2,
            HandlingWrite::InsertContact(_) => 3,
            _ => 4,
        });
        st.store.handling_write(None, &all, &audit).await?;
        Ok((contacts, reports))
    }

    fn report(
        &self,
        writes: &mut Vec<HandlingWrite>,
        sid: &str,
        contact: &str,
        handler: &Principal,
        at: DateTime<Utc>,
        n: usize,
    ) -> Result<(), StationError> {
        let st = self.station;
        let id = self.id::<ReportRow>(at).to_string();
        let graded = !n.is_multiple_of(4);
        let graded_at = at + Duration::days(1);
        let grading = graded
            .then(|| self.grading(&id, graded_at, n))
            .transpose()?;
        let admiralty = grading.as_ref().and_then(|(_, a)| a.clone());
        writes.push(HandlingWrite::InsertReport {
            row: ReportRow {
                id: id.clone(),
                source_id: sid.to_owned(),
                contact_id: Some(contact.to_owned()),
                requirement_id: Some(self.requirement.id.clone()),
                status: if graded {
                    ReportStatus::Graded
                } else {
                    ReportStatus::Draft
                }
                .as_str()
                .to_owned(),
                source_grade: admiralty.as_ref().map(|(letter, _)| letter.clone()),
                info_grade: admiralty.map(|(_, digit)| digit),
                handling_code: grading.as_ref().map(|(g, _)| g.handling_code.clone()),
                graded_by: graded.then(|| self.team.analyst.user_id.clone()),
                graded_at_ms: graded.then(|| graded_at.timestamp_millis()),
                created_by: handler.user_id.clone(),
                created_at_ms: at.timestamp_millis(),
                reported_at_ms: at.timestamp_millis(),
            },
            content: st.encrypt_field(
                "reports",
                "content",
                &id,
                format!("Debrief {n}: a delivery is expected on the usual route.").as_bytes(),
            )?,
        });
        if let Some((history, _)) = grading {
            writes.push(HandlingWrite::InsertGrading(history));
        }
        let claim_id = self.id::<ClaimRow>(at).to_string();
        let doc = serde_json::json!({"subject": format!("vehicle {}", n % 5), "attribute": "seen_at", "value": format!("depot {}", n % 3)});
        writes.push(HandlingWrite::InsertClaim(ClaimRow {
            content: st.encrypt_field(
                "claims",
                "content",
                &claim_id,
                doc.to_string().as_bytes(),
            )?,
            id: claim_id,
            report_id: id,
            observed_at_ms: at.timestamp_millis(),
            recorded_by: handler.user_id.clone(),
            recorded_at_ms: at.timestamp_millis(),
        }));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humint_core::FixedClock;
    use std::sync::Arc;

    #[tokio::test]
    async fn the_demo_fills_a_station_with_sources_in_every_state_and_a_year_of_contacts() {
        let dir = tempfile::tempdir().expect("dir");
        let mut config = crate::StationConfig::new(dir.path().join("data"));
        config.login.password_params =
            humint_crypto::PasswordParams::new(1024, 1, 1).expect("params");
        let clock = FixedClock::new(
            chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 9, 0, 0)
                .single()
                .expect("time"),
        );
        let station = Station::open(config, Arc::new(clock), Arc::new(SeededEntropy::new(7)))
            .await
            .expect("open");
        station
            .initialise("admin", Some("correct horse battery staple"))
            .await
            .expect("init");
        let summary = fill_demo(&station, 1).await.expect("demo");
        assert_eq!(summary.sources, 42);
        assert!(summary.contacts > 500, "{summary:?}");
        assert!(summary.reports > 100, "{summary:?}");
        assert_eq!(summary.officers.len(), 18);
        assert_eq!((summary.errors, summary.closed_requirements), (15, 3));
        assert_eq!(summary.open_press_items, 6);
        // It refuses to run twice.
        assert!(fill_demo(&station, 1).await.is_err());
        // The controller of a compartment sees alerts (expiring authorisations at least).
        let controller = summary
            .officers
            .iter()
            .find(|o| o.username == "orchard.controller")
            .expect("controller");
        let user = station
            .store
            .user_by_name(&controller.username)
            .await
            .expect("store")
            .expect("user");
        let p = Principal {
            user_id: user.id,
            username: controller.username.clone(),
            role: Role::Controller,
            compartments: ["ORCHARD".to_owned()].into_iter().collect(),
            session_expires_at_ms: i64::MAX,
        };
        let request = crate::handling::AlertsRequest {
            kind: None,
            page: crate::handling::page(None, None).expect("page"),
        };
        let alerts = station.alerts(&p, &request).await.expect("alerts");
        assert!(!alerts.alerts.is_empty());
        let sources = station
            .list_sources(
                &p,
                crate::handling::SourceListFilter::default(),
                super::super::page(None, Some(500)).expect("page"),
            )
            .await
            .expect("list");
        let states: std::collections::BTreeSet<&str> =
            sources.iter().map(|s| s.state.as_str()).collect();
        assert_eq!(states.len(), 6, "{states:?}");
        // The register holds an overdue error, a late one and one not yet established.
        let errors = station
            .list_errors(
                &p,
                None,
                false,
                false,
                super::super::page(None, Some(50)).expect("page"),
            )
            .await
            .expect("errors");
        assert_eq!(errors.len(), 5);
        assert!(errors.iter().any(|e| e.overdue));
        assert!(errors.iter().any(|e| e.reported_late == Some(true)));
        assert!(errors.iter().any(|e| e.reported_late == Some(false)));
        assert!(errors.iter().any(|e| e.report_due_at.is_none()));
        let requirements = station
            .list_requirements(
                &p,
                None,
                false,
                false,
                super::super::page(None, Some(50)).expect("page"),
            )
            .await
            .expect("requirements");
        assert!(requirements.iter().any(|r| r.closed_at_ms.is_some()));
        // Recent reports are graded under 3x5x2, older ones under Admiralty, each with history.
        // Some reports repeat what the press published earlier, and say so.
        let mut schemes = std::collections::BTreeSet::new();
        let mut echoes = std::collections::BTreeSet::new();
        for s in &sources {
            for r in station
                .reports(
                    &p,
                    &s.id,
                    super::super::page(None, Some(500)).expect("page"),
                )
                .await
                .expect("reports")
                .iter()
            {
                let assessment = station
                    .report_assessment(&p, &r.id)
                    .await
                    .expect("assessment");
                echoes.extend(
                    assessment
                        .claims
                        .iter()
                        .filter_map(|c| c.echoes.as_ref().map(|e| e.outlet.clone())),
                );
                if r.graded_at_ms.is_some() {
                    let view = station.report(&p, &r.id).await.expect("report");
                    schemes.extend(view.gradings.iter().map(|g| g.scheme.clone()));
                }
            }
        }
        assert_eq!(
            schemes.into_iter().collect::<Vec<_>>(),
            ["3x5x2", "admiralty"]
        );
        assert!(echoes.contains("Evening Courier"), "{echoes:?}");
    }
}
