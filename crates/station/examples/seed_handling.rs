//! Seeds a benchmark station for the handling API: 10,000 sources made through the station's
//! services (a year of creations, risk assessments, grants, recruitments, reviews, suspensions
//! and terminations, each at its simulated time), then 1,000,000 contacts bulk-loaded, then
//! bearer sessions for a handler and two controllers written to files.
//!
//! `cargo run --release -p humint-station --example seed_handling -- DATA_DIR OUT_DIR [DATABASE_URL]`
//!
//! Environment: `SOURCES` (10000), `CONTACTS` (1000000), `WORKERS` (4, stations writing at once).
//!
//! The station is initialised if needed and must hold no sources. Each worker runs its share of
//! the sources' histories in time order on its own simulated clock, through the same services as
//! the API (`create_source`, `add_risk_assessment`, `transition_source`, `grant_authorisation`,
//! `review_authorisation`), so every rule is applied. Contacts go in through
//! `HandlingStore::bulk_insert_contacts` (one transaction and audit event per batch), inside
//! each source's time in use (when it held a live authorisation). Sessions are rows in the database, so the tokens work
//! against a separate `humint serve` on the same data directory or database.
//!
//! OUT_DIR receives `token-handler`, `token-controller` (one compartment) and
//! `token-duty-controller` (read into every compartment), and `summary.txt`.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use humint_core::handling::{
    AuthorisationKind, Contact, ContactMode, ContactPurpose, ContactStatus, NecessityGround,
    OfficerId, Origin, RiskLevel, SourceState,
};
use humint_core::{Entropy, FixedClock, Id, OsEntropy, Role, SeededEntropy, new_id};
use humint_station::handling::{GrantInput, NewSource, ReviewInput, RiskInput, TrueIdentity};
use humint_station::{Principal, Station, StationConfig};
use humint_store::{AuditContext, ContactRow, HandlingStore as _};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;
use std::sync::Arc;

type Error = Box<dyn std::error::Error + Send + Sync>;

const COMPARTMENTS: &[&str] = &["ORCHARD", "HARBOUR", "LANTERN", "BEACON"];
const HANDLERS_PER_COMPARTMENT: usize = 25;
const PASSWORD: &str = "correct horse battery staple";
/// Sources are created over this many days, ending this many days ago.
const SPAN_DAYS: i64 = 350;
const NEWEST_DAYS_AGO: i64 = 10;
const REVIEW_EVERY_DAYS: i64 = 85;
const WORDS: &[&str] = &[
    "AMBER", "BRASS", "CEDAR", "COBALT", "DAWN", "EMBER", "FLINT", "FROST", "GRANITE", "HAZEL",
    "IVORY", "JADE", "MAPLE", "OCHRE", "PEARL", "QUIET", "RIVER", "SABLE", "SLATE", "TIDAL",
];

/// The state each source ends in: three in four are or were recruited. Mixed so that every
/// handler's share (every hundredth source of a compartment) holds every state.
fn target(i: usize) -> SourceState {
    match (i * 7 + i / 100) % 20 {
        0 | 1 => SourceState::Spotted,
        2 => SourceState::Assessed,
        3 | 4 => SourceState::InDevelopment,
        5 | 6 => SourceState::Suspended,
        7 => SourceState::Terminated,
        _ => SourceState::Recruited,
    }
}

#[derive(Clone)]
struct Team {
    compartment: String,
    handlers: Vec<Principal>,
    controller: Principal,
    ao: Principal,
    keeper: Principal,
}

/// One source's plan and what its history has produced so far.
struct Plan {
    i: usize,
    team: usize,
    created: DateTime<Utc>,
    /// When it is suspended or terminated, if its target is one of those.
    stood_down: Option<DateTime<Utc>>,
    id: Option<String>,
    auth: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Create,
    Risk,
    Assess,
    Develop,
    Grant,
    Recruit,
    Review,
    StandDown,
}

fn principal(user_id: String, username: &str, role: Role, compartments: &[&str]) -> Principal {
    Principal {
        user_id,
        username: username.to_owned(),
        role,
        compartments: compartments.iter().map(|c| (*c).to_owned()).collect(),
        session_expires_at_ms: i64::MAX,
    }
}

async fn add_officer(
    station: &Station,
    username: &str,
    role: Role,
    compartments: &[&str],
) -> Result<(Principal, String), Error> {
    let names: Vec<String> = compartments.iter().map(|c| (*c).to_owned()).collect();
    let en = station
        .add_user(&Principal::system(), username, role, &names, PASSWORD)
        .await?;
    Ok((
        principal(en.user_id.clone(), username, role, compartments),
        en.totp_base32.clone(),
    ))
}

async fn open(
    dir: &str,
    url: &Option<String>,
    clock: FixedClock,
) -> Result<Station, humint_station::StationError> {
    let config = StationConfig {
        database_url: url.clone(),
        ..StationConfig::new(dir)
    };
    Station::open(config, Arc::new(clock), Arc::new(OsEntropy)).await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: seed_handling DATA_DIR OUT_DIR [DATABASE_URL]".into());
    };
    let url = args.next();
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let sources = env("SOURCES", 10_000);
    let contacts = env("CONTACTS", 1_000_000);
    let workers = env("WORKERS", 4).max(1);
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;

    let now = Utc::now();
    let start = std::time::Instant::now();
    let clock = FixedClock::new(now - Duration::days(SPAN_DAYS + NEWEST_DAYS_AGO + 5));
    let station = open(&dir, &url, clock.clone()).await?;
    if !station.is_initialised().await? {
        station.initialise("admin", Some(PASSWORD)).await?;
    }
    if station.store().source_count().await? > 0 {
        return Err("the station already holds sources; seed a fresh one".into());
    }

    // Compartments and officers.
    let mut teams = Vec::new();
    let mut secrets = Vec::new();
    for c in COMPARTMENTS {
        station.add_compartment(&Principal::system(), c).await?;
        let lc = c.to_lowercase();
        let mut handlers = Vec::new();
        for h in 1..=HANDLERS_PER_COMPARTMENT {
            let (p, s) =
                add_officer(&station, &format!("{lc}.handler{h}"), Role::Handler, &[c]).await?;
            secrets.push((p.username.clone(), s));
            handlers.push(p);
        }
        let (controller, s) = add_officer(
            &station,
            &format!("{lc}.controller"),
            Role::Controller,
            &[c],
        )
        .await?;
        secrets.push((controller.username.clone(), s));
        let (ao, _) = add_officer(
            &station,
            &format!("{lc}.ao"),
            Role::AuthorisingOfficer,
            &[c],
        )
        .await?;
        let (keeper, _) =
            add_officer(&station, &format!("{lc}.records"), Role::Auditor, &[c]).await?;
        teams.push(Team {
            compartment: (*c).to_owned(),
            handlers,
            controller,
            ao,
            keeper,
        });
    }
    let (duty, duty_secret) =
        add_officer(&station, "duty.controller", Role::Controller, COMPARTMENTS).await?;
    eprintln!("officers ready in {:.1} s", start.elapsed().as_secs_f64());

    // The sources' histories, `workers` stations at once, each in time order on its own clock.
    let first = now - Duration::days(SPAN_DAYS + NEWEST_DAYS_AGO);
    let span_ms = Duration::days(SPAN_DAYS).num_milliseconds();
    let plans: Vec<Plan> = (0..sources)
        .map(|i| {
            let offset =
                span_ms * i64::try_from(i).unwrap_or(0) / i64::try_from(sources).unwrap_or(1);
            let created = first + Duration::milliseconds(offset);
            let recruited = created + Duration::days(3);
            let stood_down = matches!(target(i), SourceState::Suspended | SourceState::Terminated)
                .then(|| recruited + (now - recruited) * 3 / 5);
            Plan {
                i,
                team: i % teams.len(),
                created,
                stood_down,
                id: None,
                auth: None,
            }
        })
        .collect();
    let mut shares: Vec<Vec<Plan>> = (0..workers).map(|_| Vec::new()).collect();
    for p in plans {
        shares[p.i % workers].push(p);
    }
    let mut tasks = Vec::new();
    for share in shares {
        let clock = FixedClock::new(first);
        let station = open(&dir, &url, clock.clone()).await?;
        let teams = teams.clone();
        tasks.push(tokio::spawn(async move {
            let r = history(&station, &clock, &teams, share, now).await;
            station.close().await;
            r
        }));
    }
    let mut made = Vec::new();
    for t in tasks {
        made.extend(t.await??);
    }
    made.sort_by_key(|p| p.i);
    eprintln!(
        "{} sources made through the services in {:.1} s",
        made.len(),
        start.elapsed().as_secs_f64()
    );

    // Contacts, in proportion to each source's time in use, bulk-loaded in batches.
    let t = std::time::Instant::now();
    let loaded = load_contacts(&station, &teams, &made, contacts, now).await?;
    eprintln!(
        "{loaded} contacts loaded in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Sessions, signed in at the real time with real TOTP codes.
    clock.set(Utc::now());
    let sign_in = async |username: &str, secret: &str, file: &str| -> Result<(), Error> {
        let secret = humint_crypto::TotpSecret::from_base32(secret)
            .map_err(|_| "a TOTP secret does not decode")?;
        let code = humint_crypto::totp_code_at(&secret, Utc::now().timestamp());
        let session = station.login(username, PASSWORD, &code).await?;
        std::fs::write(out.join(file), &session.token)?;
        Ok(())
    };
    let find = |u: &str| {
        secrets
            .iter()
            .find(|(n, _)| n == u)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    let handler = teams[0].handlers[0].username.clone();
    let controller = teams[0].controller.username.clone();
    sign_in(&handler, &find(&handler), "token-handler").await?;
    sign_in(&controller, &find(&controller), "token-controller").await?;
    sign_in(&duty.username, &duty_secret, "token-duty-controller").await?;
    let summary = format!(
        "sources {}\ncontacts {loaded}\ncompartments {}\nhandler {handler} ({} sources)\ncontroller {controller} ({} sources)\nduty.controller (every compartment, {} sources)\nseeded in {:.1} s\n",
        made.len(),
        COMPARTMENTS.len(),
        made.iter()
            .filter(|p| p.team == 0 && (p.i / teams.len()) % HANDLERS_PER_COMPARTMENT == 0)
            .count(),
        made.iter().filter(|p| p.team == 0).count(),
        made.len(),
        start.elapsed().as_secs_f64()
    );
    std::fs::write(out.join("summary.txt"), &summary)?;
    eprint!("{summary}");
    station.close().await;
    Ok(())
}

/// The handler of source `i` (sources of a team are dealt out to its handlers in turn).
fn handler_of<'a>(teams: &'a [Team], p: &Plan) -> &'a Principal {
    let team = &teams[p.team];
    &team.handlers[(p.i / teams.len()) % team.handlers.len()]
}

/// Runs one worker's share of the histories in time order; returns the plans with ids filled.
async fn history(
    station: &Station,
    clock: &FixedClock,
    teams: &[Team],
    mut plans: Vec<Plan>,
    now: DateTime<Utc>,
) -> Result<Vec<Plan>, Error> {
    let e = SeededEntropy::new(0x5eed);
    let mut queue: BinaryHeap<Reverse<(DateTime<Utc>, Step, usize)>> = plans
        .iter()
        .enumerate()
        .map(|(k, p)| Reverse((p.created, Step::Create, k)))
        .collect();
    while let Some(Reverse((at, step, k))) = queue.pop() {
        clock.set(at);
        let p = &mut plans[k];
        let team = &teams[p.team];
        let handler = handler_of(teams, p);
        let goal = target(p.i);
        let id = p.id.clone().unwrap_or_default();
        let next = match step {
            Step::Create => {
                let dob = NaiveDate::from_ymd_opt(
                    1960 + i32::try_from(e.below(40)).unwrap_or(0),
                    1 + u32::try_from(e.below(12)).unwrap_or(0),
                    1 + u32::try_from(e.below(28)).unwrap_or(0),
                )
                .unwrap_or(NaiveDate::MIN);
                let detail = station
                    .create_source(
                        handler,
                        NewSource {
                            compartment: team.compartment.clone(),
                            origin: [Origin::Spotted, Origin::WalkIn, Origin::Referral][p.i % 3],
                            codename: Some(format!(
                                "{} {} {}",
                                WORDS[p.i % WORDS.len()],
                                WORDS[(p.i / WORDS.len()) % WORDS.len()],
                                p.i + 1
                            )),
                            true_identity: TrueIdentity {
                                name: format!("Person {}", p.i + 1),
                                date_of_birth: dob,
                                identities_used: Vec::new(),
                                other_authorities: Vec::new(),
                                access: None,
                            },
                            vulnerable: false,
                            undercover_operative: false,
                            motivation: None,
                            handler: None,
                            controller: Some(team.controller.username.clone()),
                            record_keeper: Some(team.keeper.username.clone()),
                        },
                    )
                    .await?;
                p.id = Some(detail.row.id);
                (goal != SourceState::Spotted).then(|| (at + Duration::hours(1), Step::Risk))
            }
            Step::Risk => {
                station
                    .add_risk_assessment(
                        handler,
                        &id,
                        RiskInput {
                            level: [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High][p.i % 3],
                            security_and_welfare: "Lives near the group; discovery would put them at risk.".to_owned(),
                            mitigations: "Meetings out of area; cover story; emergency number.".to_owned(),
                            explained_to_source: true,
                            understood_by_source: true,
                            physical_harm: None,
                            psychological_harm: None,
                        },
                    )
                    .await?;
                Some((at + Duration::days(1), Step::Assess))
            }
            Step::Assess | Step::Develop | Step::Recruit => {
                let to = match step {
                    Step::Assess => SourceState::Assessed,
                    Step::Develop => SourceState::InDevelopment,
                    _ => SourceState::Recruited,
                };
                station
                    .transition_source(handler, &id, to, "Progressed after assessment.", None)
                    .await?;
                match (to, goal) {
                    (SourceState::Assessed, SourceState::Assessed) => None,
                    (SourceState::Assessed, _) => Some((at + Duration::days(1), Step::Develop)),
                    (SourceState::InDevelopment, SourceState::InDevelopment) => None,
                    (SourceState::InDevelopment, _) => Some((at + Duration::days(1), Step::Grant)),
                    _ => {
                        if let Some(when) = p.stood_down {
                            queue.push(Reverse((when, Step::StandDown, k)));
                        }
                        let review = at + Duration::days(REVIEW_EVERY_DAYS);
                        (review < now && p.stood_down.is_none_or(|s| review < s))
                            .then_some((review, Step::Review))
                    }
                }
            }
            Step::Grant => {
                let auth = station
                    .grant_authorisation(
                        &team.ao,
                        &id,
                        GrantInput {
                            kind: AuthorisationKind::Standard,
                            parent: None,
                            ground: NecessityGround::PreventingOrDetectingCrimeOrDisorder,
                            necessity: "The group's supply route cannot be learned another way."
                                .to_owned(),
                            proportionality: "Limited to the supply route; least intrusive means."
                                .to_owned(),
                            collateral_intrusion: "Relatives may be mentioned; not recorded."
                                .to_owned(),
                            tasks_in_scope: vec!["report on deliveries".to_owned()],
                            urgency_reason: None,
                            review_interval_days: 90,
                            relationship_with_parent_or_guardian: false,
                            juvenile_cca_safeguards: None,
                            privileged: Default::default(),
                        },
                    )
                    .await?;
                p.auth = Some(auth.id.to_string());
                Some((at + Duration::hours(1), Step::Recruit))
            }
            Step::Review => {
                // One source in ten has its reviews neglected: those are the overdue alerts.
                if p.i % 10 != 9 {
                    station
                        .review_authorisation(
                            &team.ao,
                            p.auth.as_deref().unwrap_or_default(),
                            ReviewInput {
                                use_made: "Regular meetings as planned.".to_owned(),
                                tasks_given: "Deliveries and vehicles.".to_owned(),
                                information_obtained: "Delivery days and routes.".to_owned(),
                                necessity_still_met: true,
                                proportionality_still_met: true,
                                arrangements_still_met: true,
                            },
                        )
                        .await?;
                }
                let review = at + Duration::days(REVIEW_EVERY_DAYS);
                (review < now && p.stood_down.is_none_or(|s| review < s))
                    .then_some((review, Step::Review))
            }
            Step::StandDown => {
                let (to, welfare) = if goal == SourceState::Terminated {
                    (
                        SourceState::Terminated,
                        Some("Quarterly welfare call for a year."),
                    )
                } else {
                    (SourceState::Suspended, None)
                };
                station
                    .transition_source(
                        handler,
                        &id,
                        to,
                        "Stood down after a security concern.",
                        welfare,
                    )
                    .await?;
                None
            }
        };
        if let Some((when, step)) = next {
            queue.push(Reverse((when, step, k)));
        }
    }
    Ok(plans)
}

/// Contacts for every source that was recruited, spread over its time in use, in proportion to
/// that time so that they add up to `total`. Most are held; some missed; a few sources' contacts
/// stop early (overdue) or end with a planned contact whose outcome was never recorded.
async fn load_contacts(
    station: &Station,
    teams: &[Team],
    made: &[Plan],
    total: usize,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    let e = OsEntropy;
    let used: Vec<(&Plan, DateTime<Utc>, DateTime<Utc>)> = made
        .iter()
        .filter(|p| {
            matches!(
                target(p.i),
                SourceState::Recruited | SourceState::Suspended | SourceState::Terminated
            )
        })
        .map(|p| {
            let from = p.created + Duration::days(4);
            let until = p.stood_down.unwrap_or(now - Duration::hours(6));
            (p, from, until)
        })
        .collect();
    let all_ms: i64 = used
        .iter()
        .map(|(_, f, u)| (*u - *f).num_milliseconds())
        .sum();
    let total_i = i64::try_from(total).unwrap_or(0);
    let mut given = 0i64;
    let mut acc = 0i64;
    let mut batch = Vec::with_capacity(10_000);
    let mut loaded = 0usize;
    for (p, from, until) in &used {
        acc += (*until - *from).num_milliseconds();
        // Cumulative rounding: the counts add up to exactly `total`.
        let upto = i64::try_from(i128::from(acc) * i128::from(total_i) / i128::from(all_ms.max(1)))
            .unwrap_or(total_i);
        let n = (upto - given).max(0);
        given = upto;
        if n == 0 {
            continue;
        }
        let handler = handler_of(teams, p);
        let officer: OfficerId = Id::parse(&handler.user_id).ok_or("a user id does not parse")?;
        let source: Id<humint_core::handling::Source> =
            Id::parse(p.id.as_deref().unwrap_or_default()).ok_or("a source id does not parse")?;
        let gap = (*until - *from) / i32::try_from(n).unwrap_or(1);
        let overdue = p.i % 50 == 8;
        let unrecorded = p.i % 50 == 18 && p.stood_down.is_none();
        for j in 0..n {
            let at = *from + gap * i32::try_from(j).unwrap_or(0);
            let last = j == n - 1;
            let mut status = if j % 12 == 11 {
                ContactStatus::Missed
            } else {
                ContactStatus::Held
            };
            if last && unrecorded {
                status = ContactStatus::Planned;
            }
            // Overdue: the source's contacts stopped three weeks ago with nothing held since.
            if overdue && at > now - Duration::days(21) {
                status = ContactStatus::Missed;
            }
            let contact = Contact {
                id: new_id(at, &e),
                source,
                mode: if j % 3 == 0 {
                    ContactMode::Call
                } else {
                    ContactMode::Meeting
                },
                status,
                purpose: ContactPurpose::Use,
                planned_for: Some(at),
                occurred_at: (status != ContactStatus::Planned).then_some(at),
                officers_present: if status == ContactStatus::Held {
                    vec![officer]
                } else {
                    Vec::new()
                },
                appropriate_adult: None,
                location_alias: Some(format!("SITE {}", 1 + j % 6)),
                cover_used: None,
                safety_arrangements: None,
                fallback_arrangements: None,
                next_contact_due: Some(at + gap * 2 + Duration::days(2)),
            };
            let (doc, text_sealed) = station.seal_contact(&contact)?;
            batch.push(ContactRow {
                id: contact.id.to_string(),
                source_id: source.to_string(),
                status: serde_json::to_value(contact.status)?
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                at_ms: at.timestamp_millis(),
                next_contact_due_ms: contact.next_contact_due.map(|d| d.timestamp_millis()),
                recorded_by: handler.user_id.clone(),
                recorded_at_ms: at.timestamp_millis(),
                doc,
                text_sealed: Some(text_sealed),
                notes: None,
            });
            if batch.len() == 10_000 {
                loaded += flush(station, &mut batch).await?;
            }
        }
    }
    loaded += flush(station, &mut batch).await?;
    Ok(loaded)
}

async fn flush(station: &Station, batch: &mut Vec<ContactRow>) -> Result<usize, Error> {
    if batch.is_empty() {
        return Ok(0);
    }
    let audit = AuditContext::new(
        Utc::now().timestamp_millis(),
        "system",
        "admin",
        "contact.bulk_load",
        "contacts",
        format!("{} contacts", batch.len()),
    );
    station.store().bulk_insert_contacts(batch, &audit).await?;
    let n = batch.len();
    batch.clear();
    Ok(n)
}
