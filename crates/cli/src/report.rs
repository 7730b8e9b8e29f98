//! `humint report inspection`: the inspection pack for a period, written to an HTML file. The
//! operator on the machine that holds the master key acts as `system` (like every other
//! command here) over every compartment; the read is recorded in the audit ledger.

use crate::StationArgs;
use crate::admin::{open, write_secret};
use anyhow::Context as _;
use clap::{Args, Subcommand};
use humint_station::handling::InspectionPeriod;
use humint_station::{Principal, StationError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The inspection pack for a period, as a self-contained printable HTML file.
    Inspection(InspectionArgs),
}

#[derive(Args, Debug)]
pub struct InspectionArgs {
    /// First day of the period, YYYY-MM-DD (London).
    #[arg(long)]
    from: String,
    /// Last day of the period, inclusive.
    #[arg(long)]
    to: String,
    /// The HTML file to write (created mode 0600; it names sources by codename only).
    #[arg(long)]
    out: PathBuf,
}

fn refused(e: StationError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.public_message(), e.code())
}

pub async fn run(args: StationArgs, cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ReportCommand::Inspection(r) => {
            // The dates are checked before the station is opened: a typo costs nothing.
            let period = InspectionPeriod::parse(&r.from, &r.to).map_err(refused)?;
            let station = open(&args).await?;
            let pack = station
                .inspection_pack(&Principal::system(), period)
                .await
                .map_err(refused)?;
            let html = humint_web::inspection::render_inspection_pack(&pack)
                .context("the inspection pack could not be rendered")?;
            write_secret(&r.out, &html)?;
            station.checkpoint_audit().await.map_err(refused)?;
            println!(
                "Wrote the inspection pack for {} to {} to {}: {} authorisations, {} findings.",
                period.from,
                period.to,
                r.out.display(),
                pack.summary.authorisations,
                pack.summary.findings
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
