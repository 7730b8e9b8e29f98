//! Sign-in latency over real HTTP with the production Argon2id cost.
//!
//! `cargo run --release -p humint-web --example login_latency -- [SIGN_INS]`
//!
//! Starts a station on a temporary SQLite database, serves the officer API on a loopback port,
//! and signs in SIGN_INS times (default 200) one after another, each with a fresh TOTP step.
//! Prints p50, p90 and p99 of the whole request as the client sees it.

use humint_core::{FixedClock, OsEntropy};
use humint_crypto::{TotpSecret, totp_code_at};
use humint_station::{Station, StationConfig};
use std::sync::Arc;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200);
    let dir = tempfile::tempdir()?;
    let clock = FixedClock::new(chrono::Utc::now());
    let station = Arc::new(
        Station::open(
            StationConfig::new(dir.path()),
            Arc::new(clock.clone()),
            Arc::new(OsEntropy),
        )
        .await?,
    );
    let password = "correct horse battery staple";
    let enrolment = station.initialise("admin", Some(password)).await?;
    let secret = TotpSecret::from_base32(&enrolment.totp_base32)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/api/v1/session", listener.local_addr()?);
    tokio::spawn(axum::serve(listener, humint_web::officer_router(station.clone())).into_future());
    let client = reqwest::Client::new();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        use humint_core::Clock;
        clock.advance(chrono::Duration::seconds(30));
        let body = serde_json::json!({"username": "admin", "password": password, "totp": totp_code_at(&secret, clock.now().timestamp())});
        let start = Instant::now();
        let response = client.post(&url).json(&body).send().await?;
        let status = response.status();
        let _ = response.bytes().await?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if status != 201 {
            return Err(format!("sign-in failed: {status}").into());
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        times[((times.len() as f64 * p).ceil() as usize)
            .saturating_sub(1)
            .min(times.len() - 1)]
    };
    println!(
        "{n} sign-ins: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms (Argon2id m=19 MiB, t=2, p=1)",
        pct(0.5),
        pct(0.9),
        pct(0.99)
    );
    Ok(())
}
