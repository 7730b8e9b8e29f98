//! What the boilerplate check (INS-02) costs: one compartment of `AUTHS` authorisations with
//! statements long enough to judge (about 60 words each, written differently), granted through
//! the station's services (each grant compares with those before it and stores the result,
//! migration 0021); then a source's authorisations read `READS` times with their stored
//! warnings (`authorisations_warned`) and without (`authorisations`), one more grant, and the
//! one-time comparison of the whole compartment as if granted before 0021 (what an upgraded
//! station does once when it opens).
//!
//! `cargo run --release -p humint-station --example boilerplate_cost` (SQLite in a temp dir;
//! pass a PostgreSQL URL as the first argument for that backend). Environment: `AUTHS` (1000),
//! `READS` (20).

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use humint_core::handling::{AuthorisationKind, NecessityGround, RiskLevel, SourceState};
use humint_core::{FixedClock, OsEntropy, Role};
use humint_station::handling::{GrantInput, NewSource, RiskInput, TrueIdentity};
use humint_station::{Principal, Station, StationConfig};
use humint_store::{CompartmentAuthorisationStore as _, HandlingStore as _, TextCheckScope};
use std::sync::Arc;

type Error = Box<dyn std::error::Error + Send + Sync>;

const PASSWORD: &str = "correct horse battery staple";
const VOCABULARY: &[&str] = &[
    "source",
    "meeting",
    "group",
    "route",
    "depot",
    "driver",
    "payment",
    "shipment",
    "night",
    "week",
    "access",
    "family",
    "privacy",
    "tasking",
    "limited",
    "report",
    "vehicle",
    "cash",
    "warehouse",
    "office",
    "colleague",
    "neighbour",
    "market",
    "harbour",
    "contact",
    "record",
    "least",
    "intrusive",
    "necessary",
    "only",
    "other",
    "means",
    "failed",
    "observation",
    "public",
    "safety",
    "crime",
    "disorder",
    "identify",
    "organiser",
];

/// About 60 words, a different sequence for each `seed` (a linear congruential walk).
fn statement(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..60)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            VOCABULARY[usize::try_from(x >> 33).unwrap_or(0) % VOCABULARY.len()]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn grant_input(i: u64) -> GrantInput {
    GrantInput {
        kind: AuthorisationKind::Standard,
        parent: None,
        ground: NecessityGround::PreventingOrDetectingCrimeOrDisorder,
        necessity: statement(3 * i),
        proportionality: statement(3 * i + 1),
        collateral_intrusion: statement(3 * i + 2),
        tasks_in_scope: vec!["report on deliveries".to_owned()],
        urgency_reason: None,
        review_interval_days: 90,
        relationship_with_parent_or_guardian: false,
        juvenile_cca_safeguards: None,
        privileged: Default::default(),
    }
}

async fn officer(station: &Station, name: &str, role: Role) -> Result<Principal, Error> {
    let en = station
        .add_user(
            &Principal::system(),
            name,
            role,
            &["ORCHARD".to_owned()],
            PASSWORD,
        )
        .await?;
    Ok(Principal {
        user_id: en.user_id,
        username: name.to_owned(),
        role,
        compartments: ["ORCHARD".to_owned()].into(),
        session_expires_at_ms: i64::MAX,
    })
}

async fn source(
    station: &Station,
    clock: &FixedClock,
    handler: &Principal,
    i: u64,
) -> Result<String, Error> {
    let step = || clock.advance(Duration::minutes(1));
    let detail = station
        .create_source(
            handler,
            NewSource {
                compartment: "ORCHARD".to_owned(),
                origin: humint_core::handling::Origin::WalkIn,
                codename: Some(format!("AMBER FROST {}", i + 1)),
                true_identity: TrueIdentity {
                    name: format!("Person {}", i + 1),
                    date_of_birth: NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or(NaiveDate::MIN),
                    identities_used: Vec::new(),
                    other_authorities: Vec::new(),
                    access: None,
                },
                vulnerable: false,
                undercover_operative: false,
                motivation: None,
                handler: None,
                controller: Some("controller".to_owned()),
                record_keeper: Some("records".to_owned()),
            },
        )
        .await?;
    let id = detail.row.id;
    step();
    station
        .add_risk_assessment(
            handler,
            &id,
            RiskInput {
                level: RiskLevel::Low,
                security_and_welfare: "Lives near the group.".to_owned(),
                mitigations: "Meetings out of area.".to_owned(),
                explained_to_source: true,
                understood_by_source: true,
                physical_harm: None,
                psychological_harm: None,
            },
        )
        .await?;
    for to in [SourceState::Assessed, SourceState::InDevelopment] {
        step();
        station
            .transition_source(handler, &id, to, "Progressed after assessment.", None)
            .await?;
    }
    step();
    Ok(id)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::args().nth(1);
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (auths, reads) = (env("AUTHS", 1000), env("READS", 20));
    let dir = tempfile::tempdir()?;
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
            .single()
            .ok_or("time")?,
    );
    let config = StationConfig {
        database_url: url,
        ..StationConfig::new(dir.path().join("data"))
    };
    let station = Station::open(config, Arc::new(clock.clone()), Arc::new(OsEntropy)).await?;
    station.initialise("admin", Some(PASSWORD)).await?;
    station
        .add_compartment(&Principal::system(), "ORCHARD")
        .await?;
    let handler = officer(&station, "handler", Role::Handler).await?;
    let controller = officer(&station, "controller", Role::Controller).await?;
    officer(&station, "records", Role::Auditor).await?;
    let ao = officer(&station, "ao", Role::AuthorisingOfficer).await?;

    let seeding = std::time::Instant::now();
    let mut last = String::new();
    for i in 0..auths {
        last = source(&station, &clock, &handler, i).await?;
        station
            .grant_authorisation(&ao, &last, grant_input(i))
            .await?;
    }
    eprintln!(
        "{auths} authorisations granted in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let time = async |warned: bool| -> Result<f64, Error> {
        let t = std::time::Instant::now();
        for _ in 0..reads {
            if warned {
                station.authorisations_warned(&controller, &last).await?;
            } else {
                station.authorisations(&controller, &last).await?;
            }
        }
        Ok(t.elapsed().as_secs_f64() * 1000.0 / reads as f64)
    };
    // The stored comparisons alone (the query a warned read adds).
    let t = std::time::Instant::now();
    for _ in 0..reads {
        station
            .store()
            .stored_text_checks(TextCheckScope::Source(&last))
            .await?;
    }
    let stored_ms = t.elapsed().as_secs_f64() * 1000.0 / reads as f64;
    let plain = time(false).await?;
    let warned = time(true).await?;
    let next = source(&station, &clock, &handler, auths).await?;
    let t = std::time::Instant::now();
    let granted = station
        .grant_authorisation_warned(&ao, &next, grant_input(auths))
        .await?;
    let grant_ms = t.elapsed().as_secs_f64() * 1000.0;
    // The compartment as an upgraded station finds it: granted, never compared.
    let compartment = station
        .store()
        .source(&last)
        .await?
        .ok_or("source")?
        .compartment_id;
    station
        .store()
        .execute_unchecked("DELETE FROM authorisation_text_repeats")
        .await?;
    station
        .store()
        .execute_unchecked("DELETE FROM authorisation_text_checks")
        .await?;
    let t = std::time::Instant::now();
    let compared = station
        .compare_unchecked_authorisations(Some(&compartment))
        .await?;
    let backfill_s = t.elapsed().as_secs_f64();
    println!(
        "compartment of {auths} authorisations: a source's authorisations {plain:.2} ms without the warnings, {warned:.2} ms with them, of which the stored comparisons' query {stored_ms:.2} ms (means of {reads}); a grant with the check {grant_ms:.1} ms ({} warnings); comparing the whole compartment once (as after an upgrade) {backfill_s:.2} s ({compared} authorisations)",
        granted.warnings.len()
    );
    station.close().await;
    Ok(())
}
