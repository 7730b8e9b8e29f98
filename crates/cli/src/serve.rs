//! `humint serve`: the whole station in one process — the officer API on `--listen`, the
//! intake portal on `--intake-listen` — initialising a new station on first run.

use crate::StationArgs;
use crate::admin::open;
use anyhow::Context as _;
use clap::Args;
use humint_station::Station;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Where officers connect (API and pages). Keep it on a private network.
    #[arg(long, env = "HUMINT_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Where the public intake portal listens; publish only this, e.g. as a Tor onion service.
    #[arg(long, env = "HUMINT_INTAKE_LISTEN", default_value = "127.0.0.1:8081")]
    intake_listen: SocketAddr,
    /// The first admin's username, used on first run only.
    #[arg(long, default_value = "admin")]
    admin_user: String,
}

/// How often the ledger's head is signed into the data directory while serving.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(60);

pub async fn run(args: StationArgs, serve: ServeArgs) -> anyhow::Result<ExitCode> {
    let station = Arc::new(open(&args).await?);
    if !station
        .is_initialised()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        let enrolment = station
            .initialise(&serve.admin_user, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        // Shown once, on the operator's terminal; never logged and never stored in clear.
        println!("A new station was created in {}.", args.data_dir.display());
        println!();
        println!("  First admin:          {}", enrolment.username);
        println!(
            "  One-time password:    {}",
            enrolment.generated_password.as_deref().unwrap_or("")
        );
        println!("  TOTP secret (base32): {}", enrolment.totp_base32);
        println!("  TOTP enrolment URI:   {}", enrolment.otpauth_uri);
        println!();
        println!("Add the TOTP secret to an authenticator app now and keep the password safe:");
        println!(
            "neither is shown again. Back up {} as well: without it nothing encrypted can be read.",
            station.config().master_key_path().display()
        );
        println!();
    }
    station
        .checkpoint_audit()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let officer = tokio::net::TcpListener::bind(serve.listen)
        .await
        .with_context(|| format!("cannot listen on {}", serve.listen))?;
    let intake = tokio::net::TcpListener::bind(serve.intake_listen)
        .await
        .with_context(|| format!("cannot listen on {}", serve.intake_listen))?;
    println!(
        "Officers: http://{}   Intake portal: http://{}",
        officer.local_addr()?,
        intake.local_addr()?
    );
    tracing::info!(backend = station.backend().name(), "station serving");

    // Reports and outcomes answer at once; their compartment is re-estimated in the background.
    // Every compartment is re-estimated once at the start, also in the background, so that
    // this version's engine, not the one that last wrote, makes the suggestions shown.
    station.start_reliability_worker();
    if let Err(e) = station.refresh_reliability().await {
        tracing::warn!(error = %e, "could not queue the compartments' estimates");
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let officer_server = axum::serve(officer, humint_web::officer_router(station.clone()))
        .with_graceful_shutdown(wait_for(stop_rx.clone()));
    let intake_server = axum::serve(intake, humint_web::intake::intake_router(station.clone()))
        .with_graceful_shutdown(wait_for(stop_rx.clone()));
    let checkpoints = tokio::spawn(checkpoint_loop(station.clone(), stop_rx));
    let signals = tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let (a, b) = tokio::join!(officer_server, intake_server);
    signals.abort();
    let _ = checkpoints.await;
    a.context("the officer listener failed")?;
    b.context("the intake listener failed")?;
    // Estimates writes asked for before the stop are stored before the database closes; the
    // start's refreshes still waiting are not (the next start makes them).
    station.forget_reliability_refreshes();
    station.reliability_settled().await;
    station
        .checkpoint_audit()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    station.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for(mut stop: tokio::sync::watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn checkpoint_loop(station: Arc<Station>, stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(CHECKPOINT_EVERY) => {
                if let Err(e) = station.checkpoint_audit().await {
                    tracing::warn!(error = %e, "could not sign an audit checkpoint");
                }
                if let Err(e) = station.prune_alerts().await {
                    tracing::warn!(error = %e, "could not prune ended alerts");
                }
            }
            _ = wait_for(stop.clone()) => return,
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
