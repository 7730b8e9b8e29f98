//! How long the station takes to bring its reliability estimates up to date after one new
//! report, on a compartment of 1,000 sources and 100,000 claims (docs/benchmarks.md,
//! "Validation in the station").
//!
//! `cargo run --release -p humint-station --example reliability_update -- DATA_DIR [DATABASE_URL]`
//!
//! Environment: `SOURCES` (1000), `OBJECTS` (20000), `PER_OBJECT` (5 sources claim each
//! object, so 100,000 claims), `ROUNDS` (5 new reports timed), `ITEMS` (0 open-source items
//! recorded before the rounds, on objects the rounds' claims speak to, so some of them echo).
//!
//! Seeds a fresh station with a synthetic compartment (`humint_validation::synthetic`: known
//! accuracies, 10 % copiers) through `Station::import_reports` (imports of at most 2,000
//! reports, each one transaction and one estimate),
//! then files `ROUNDS` reports of ten claims each through `Station::add_report`, the service
//! behind `POST /api/v1/sources/{id}/reports`, and prints the time each took: the write, the
//! compartment's re-estimate and the storage of what changed.

use humint_core::handling::Origin;
use humint_core::{OsEntropy, Role, SystemClock};
use humint_station::handling::{
    ClaimInput, MAX_IMPORT_REPORTS, NewSource, OpenSourceItemInput, ReportInput, TrueIdentity,
};
use humint_station::{Principal, Station, StationConfig};
use humint_validation::synthetic::{SyntheticParams, generate};
use std::sync::Arc;
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

const COMPARTMENT: &str = "BENCH";
const PASSWORD: &str = "correct horse battery staple";

fn env(k: &str, d: u32) -> u32 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

async fn officer(station: &Station, name: &str, role: Role) -> Result<Principal, Error> {
    let en = station
        .add_user(
            &Principal::system(),
            name,
            role,
            &[COMPARTMENT.to_owned()],
            PASSWORD,
        )
        .await?;
    Ok(Principal {
        user_id: en.user_id,
        username: name.to_owned(),
        role,
        compartments: [COMPARTMENT.to_owned()].into(),
        session_expires_at_ms: i64::MAX,
    })
}

fn claim(object: u32, value: u32) -> ClaimInput {
    ClaimInput {
        subject: format!("object {object}"),
        attribute: "status".to_owned(),
        value: value.to_string(),
        observed_at: chrono::Utc::now(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        return Err("usage: reliability_update DATA_DIR [DATABASE_URL]".into());
    };
    let config = StationConfig {
        database_url: args.next(),
        ..StationConfig::new(&dir)
    };
    let station = Station::open(config, Arc::new(SystemClock), Arc::new(OsEntropy)).await?;
    if station.is_initialised().await? {
        return Err("seed a fresh station".into());
    }
    station.initialise("admin", Some(PASSWORD)).await?;
    station
        .add_compartment(&Principal::system(), COMPARTMENT)
        .await?;
    let handler = officer(&station, "handler", Role::Handler).await?;
    officer(&station, "controller", Role::Controller).await?;
    officer(&station, "keeper", Role::Auditor).await?;

    let params = SyntheticParams {
        sources: env("SOURCES", 1000),
        objects: env("OBJECTS", 20_000),
        claims_per_object: env("PER_OBJECT", 5),
        copiers: 0.1,
        classes: 4,
        copy_rate: 0.8,
        seed: 7,
    };
    let data = generate(&params);
    let started = Instant::now();
    let mut ids = Vec::with_capacity(params.sources as usize);
    for s in 0..params.sources {
        let detail = station
            .create_source(
                &handler,
                NewSource {
                    compartment: COMPARTMENT.to_owned(),
                    origin: Origin::WalkIn,
                    codename: Some(format!("BENCH SOURCE {s}")),
                    true_identity: TrueIdentity {
                        name: format!("Person {s}"),
                        date_of_birth: chrono::NaiveDate::from_ymd_opt(1980, 1, 1).ok_or("date")?,
                        identities_used: Vec::new(),
                        other_authorities: Vec::new(),
                        access: None,
                    },
                    vulnerable: false,
                    undercover_operative: false,
                    motivation: None,
                    handler: None,
                    controller: Some("controller".to_owned()),
                    record_keeper: Some("keeper".to_owned()),
                },
            )
            .await?;
        ids.push(detail.row.id);
    }
    // Each source's claims in reports of ten.
    let mut per_source: Vec<Vec<ClaimInput>> = vec![Vec::new(); params.sources as usize];
    for &(s, o, v) in &data.claims {
        per_source[s as usize].push(claim(o, v));
    }
    let mut reports = Vec::new();
    for (s, claims) in per_source.into_iter().enumerate() {
        for chunk in claims.chunks(10) {
            reports.push((
                ids[s].clone(),
                ReportInput {
                    contact_id: None,
                    requirement_id: None,
                    text: "Debrief (synthetic).".to_owned(),
                    claims: chunk.to_vec(),
                    reported_at: Some(chrono::Utc::now()),
                },
            ));
        }
    }
    let n_reports = reports.len();
    let import = Instant::now();
    // In imports of at most MAX_IMPORT_REPORTS, each one transaction and one estimate.
    let mut reports = reports.into_iter().peekable();
    while reports.peek().is_some() {
        let batch: Vec<_> = reports.by_ref().take(MAX_IMPORT_REPORTS).collect();
        station.import_reports(&handler, batch).await?;
    }
    println!(
        "seeded {} sources, {} claims in {} reports: sources {:.1} s, import with first estimate {:.1} s",
        params.sources,
        data.claims.len(),
        n_reports,
        (import - started).as_secs_f64(),
        import.elapsed().as_secs_f64()
    );

    // From here as `humint serve` runs it: the estimate in the background worker.
    let station = Arc::new(station);
    station.start_reliability_worker();
    let report = |r: u32| {
        let s = (r * 97) as usize % ids.len();
        let claims = (0..10)
            .map(|i| claim((r * 1000 + i * 37) % params.objects, (r + i) % 4))
            .collect();
        (
            ids[s].clone(),
            ReportInput {
                contact_id: None,
                requirement_id: None,
                text: "One more debrief.".to_owned(),
                claims,
                reported_at: None,
            },
        )
    };
    // Open press: items recorded back to back (their estimates coalesce), on the objects the
    // rounds' reports speak to, published before them.
    let items = env("ITEMS", 0);
    if items > 0 {
        let t = Instant::now();
        let published_at = chrono::Utc::now() - chrono::Duration::seconds(1);
        for i in 0..items {
            let c = claim((i * 37) % params.objects, i % 4);
            station
                .record_open_source_item(
                    &handler,
                    COMPARTMENT,
                    OpenSourceItemInput {
                        outlet: format!("Outlet {}", i % 10),
                        published_at,
                        subject: c.subject,
                        attribute: c.attribute,
                        value: c.value,
                        reference: None,
                    },
                )
                .await?;
        }
        let answered = t.elapsed().as_secs_f64();
        station.reliability_settled().await;
        println!(
            "{items} open-source items: recorded in {answered:.1} s, estimates stored after {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let rounds = env("ROUNDS", 5);
    let mut answered = Vec::new();
    let mut stored = Vec::new();
    for r in 0..rounds {
        let (source, input) = report(r);
        let t = Instant::now();
        station.add_report(&handler, &source, input).await?;
        let answer = t.elapsed().as_secs_f64();
        station.reliability_settled().await;
        let done = t.elapsed().as_secs_f64();
        println!(
            "report {}: answered in {answer:.3} s, estimates stored after {done:.3} s",
            r + 1
        );
        answered.push(answer);
        stored.push(done);
    }
    answered.sort_by(f64::total_cmp);
    stored.sort_by(f64::total_cmp);
    if let (Some(a), Some(d)) = (
        answered.get(answered.len() / 2),
        stored.get(stored.len() / 2),
    ) {
        println!(
            "median of {} rounds: the filing answers in {a:.3} s; the estimates are stored {d:.3} s after it was sent",
            answered.len()
        );
    }
    // A burst: reports filed back to back coalesce into few estimates.
    let burst = env("BURST", 10);
    let t = Instant::now();
    for r in 0..burst {
        let (source, input) = report(rounds + r);
        station.add_report(&handler, &source, input).await?;
    }
    let answered = t.elapsed().as_secs_f64();
    station.reliability_settled().await;
    println!(
        "burst of {burst} reports: all answered after {answered:.3} s, estimates stored after {:.3} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
