//! Load generator for the "Intake" figures in docs/benchmarks.md. Loopback only; every loop
//! is bounded in count and time.
//!
//! ```text
//! # Submissions per second with a 1 MiB file, against an in-process portal whose rate limits
//! # are lifted (production Argon2id and encryption; the figure is capacity, not the default cap):
//! intake_load capacity --n 200 --concurrency 4 --file-kib 1024
//! # The same against a running `humint serve` (default limits):
//! intake_load submit --portal http://127.0.0.1:8081 --n 60 --concurrency 4 --file-kib 1024
//! # Officer API latency, alone and while the portal is flooded:
//! intake_load api --officer http://127.0.0.1:8080 --username admin --password-file pw \
//!     --totp-file totp --seconds 20 [--flood http://127.0.0.1:8081 --concurrency 16]
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::multipart::{Form, Part};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn arg(args: &HashMap<String, String>, name: &str, default: &str) -> String {
    args.get(name)
        .cloned()
        .unwrap_or_else(|| default.to_owned())
}

fn num(args: &HashMap<String, String>, name: &str, default: u64) -> u64 {
    args.get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

async fn csrf(client: &reqwest::Client, portal: &str) -> String {
    let html = client
        .get(format!("{portal}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// One submission; the status code.
async fn submit(client: &reqwest::Client, portal: &str, file: &[u8]) -> u16 {
    let token = csrf(client, portal).await;
    let form = Form::new()
        .text("csrf", token)
        .text("message", "load test message")
        .part("file", Part::bytes(file.to_vec()).file_name("load.bin"));
    match client
        .post(format!("{portal}/submit"))
        .multipart(form)
        .send()
        .await
    {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

async fn run_submissions(portal: &str, n: u64, concurrency: u64, file_kib: u64) {
    let file: Arc<Vec<u8>> = Arc::new((0..file_kib * 1024).map(|i| (i * 7 % 251) as u8).collect());
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (file, next, portal) = (file.clone(), next.clone(), portal.to_owned());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut codes = HashMap::<u16, u64>::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                *codes.entry(submit(&c, &portal, &file).await).or_default() += 1;
            }
            codes
        }));
    }
    let mut codes = HashMap::<u16, u64>::new();
    for t in tasks {
        for (k, v) in t.await.unwrap() {
            *codes.entry(k).or_default() += v;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let ok = codes.get(&200).copied().unwrap_or(0);
    println!(
        "{n} submissions of {file_kib} KiB, {concurrency} at a time: {secs:.1} s, {:.2} accepted/s; statuses {codes:?}",
        ok as f64 / secs
    );
}

async fn capacity(args: &HashMap<String, String>) {
    use humint_station::intake::IntakePolicy;
    use humint_station::{Principal, Station, StationConfig};
    let dir = tempfile::tempdir().unwrap();
    let station = Arc::new(
        Station::open(
            StationConfig::new(dir.path().join("data")),
            Arc::new(humint_core::SystemClock),
            Arc::new(humint_core::OsEntropy),
        )
        .await
        .unwrap(),
    );
    station.initialise("admin", None).await.unwrap();
    let (_, recipient) = humint_station::intake::generate_custodian_identity();
    station
        .intake_add_recipient(&Principal::system(), &recipient)
        .await
        .unwrap();
    let policy = IntakePolicy {
        submissions_per_minute: 1_000_000,
        submission_burst: 1_000_000,
        concurrent_uploads: 64,
        ..IntakePolicy::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    let router = humint_web::intake::intake_router_with(station.clone(), policy);
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    run_submissions(
        &portal,
        num(args, "n", 200),
        num(args, "concurrency", 4),
        num(args, "file-kib", 1024),
    )
    .await;
    server.abort();
}

async fn api(args: &HashMap<String, String>) {
    let officer = arg(args, "officer", "http://127.0.0.1:8080");
    let password = std::fs::read_to_string(arg(args, "password-file", "pw"))
        .unwrap()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let secret = std::fs::read_to_string(arg(args, "totp-file", "totp"))
        .unwrap()
        .trim()
        .to_owned();
    let totp = humint_crypto::TotpSecret::from_base32(&secret).expect("a TOTP secret");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{officer}/api/v1/session"))
        .json(&serde_json::json!({"username": arg(args, "username", "admin"), "password": password, "totp": humint_crypto::totp_code_at(&totp, now)}))
        .send().await.unwrap().json().await.unwrap();
    let token = session["token"].as_str().expect("signed in").to_owned();
    let seconds = num(args, "seconds", 20).min(300);
    let stop = Arc::new(AtomicBool::new(false));
    let mut flooders = Vec::new();
    if let Some(portal) = args.get("flood") {
        let file: Arc<Vec<u8>> = Arc::new(vec![1u8; 1024 * 1024]);
        for _ in 0..num(args, "concurrency", 16) {
            let (stop, file, portal) = (stop.clone(), file.clone(), portal.clone());
            flooders.push(tokio::spawn(async move {
                let c = client();
                let mut codes = HashMap::<u16, u64>::new();
                while !stop.load(Ordering::Relaxed) {
                    *codes.entry(submit(&c, &portal, &file).await).or_default() += 1;
                }
                codes
            }));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let mut latencies = Vec::new();
    let until = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < until {
        let t = Instant::now();
        let r = http
            .get(format!("{officer}/api/v1/intake"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
        let _ = r.bytes().await;
        latencies.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut codes = HashMap::<u16, u64>::new();
    for f in flooders {
        for (k, v) in f.await.unwrap() {
            *codes.entry(k).or_default() += v;
        }
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "GET /api/v1/intake x{}: p50 {:?}, p99 {:?}, max {:?}; portal flood statuses {codes:?}",
        latencies.len(),
        pct(0.5),
        pct(0.99),
        latencies.last().copied().unwrap_or_default()
    );
}

#[tokio::main]
async fn main() {
    let mut raw = std::env::args().skip(1);
    let mode = raw.next().unwrap_or_default();
    let mut args = HashMap::new();
    let rest: Vec<String> = raw.collect();
    for pair in rest.chunks(2) {
        if let [k, v] = pair {
            args.insert(k.trim_start_matches("--").to_owned(), v.clone());
        }
    }
    match mode.as_str() {
        "capacity" => capacity(&args).await,
        "submit" => {
            run_submissions(
                &arg(&args, "portal", "http://127.0.0.1:8081"),
                num(&args, "n", 60),
                num(&args, "concurrency", 4),
                num(&args, "file-kib", 1024),
            )
            .await
        }
        "api" => api(&args).await,
        _ => eprintln!("usage: intake_load capacity|submit|api [--name value]…"),
    }
}
