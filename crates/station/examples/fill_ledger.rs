//! Appends synthetic events to a station's audit ledger, for measuring `humint audit verify`.
//!
//! `cargo run --release -p humint-station --example fill_ledger -- DATA_DIR EVENTS [DATABASE_URL]`
//! The station must exist (`humint init`).

use humint_core::{OsEntropy, SystemClock};
use humint_station::{Station, StationConfig};
use humint_store::{AuditContext, Store as _};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(events)) = (args.next(), args.next()) else {
        return Err("usage: fill_ledger DATA_DIR EVENTS [DATABASE_URL]".into());
    };
    let events: i64 = events.parse()?;
    let config = StationConfig {
        database_url: args.next(),
        ..StationConfig::new(dir)
    };
    let station = Station::open(config, Arc::new(SystemClock), Arc::new(OsEntropy)).await?;
    let start = std::time::Instant::now();
    let mut done = 0;
    while done < events {
        let batch: Vec<AuditContext> = (done..(done + 10_000).min(events))
            .map(|i| {
                AuditContext::new(
                    1_780_000_000_000 + i,
                    format!("user-{}", i % 50),
                    "handler",
                    "source.identity.read",
                    "source",
                    format!("source-{}", i % 10_000),
                )
                .in_compartment(format!("C{}", i % 7))
            })
            .collect();
        done += batch.len() as i64;
        station.store().append_audit_many(&batch).await?;
    }
    station.checkpoint_audit().await?;
    eprintln!(
        "appended {events} events in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
