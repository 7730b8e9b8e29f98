//! `humint`: one binary for the whole station. `humint serve` runs it; the other commands
//! administer it from the machine that holds its master key, for scripts and operators.

mod admin;
mod intake;
mod report;
mod serve;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "humint",
    version,
    about = "The system of record for lawful human-source work."
)]
struct Cli {
    #[command(flatten)]
    station: StationArgs,
    #[command(subcommand)]
    command: Command,
}

/// Where the station lives; every command takes these.
#[derive(Args, Debug, Clone)]
pub struct StationArgs {
    /// The data directory (database, master key, audit checkpoint).
    #[arg(
        long,
        env = "HUMINT_DATA_DIR",
        default_value = "./humint-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://…) instead of the embedded SQLite database.
    #[arg(
        long,
        env = "HUMINT_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// The master key file, if not <data-dir>/master.key.
    #[arg(long, env = "HUMINT_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the station: the officer API and the intake portal.
    Serve(serve::ServeArgs),
    /// Initialise a new station and its first admin, without prompts.
    Init(admin::InitArgs),
    /// Manage officer accounts.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage compartments.
    #[command(subcommand)]
    Compartment(admin::CompartmentCommand),
    /// Manage the station's encryption keys.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Check the audit ledger.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// The deployment's policy settings (payment approval thresholds).
    #[command(subcommand)]
    Settings(admin::SettingsCommand),
    /// Write a consistent snapshot of the station to a file.
    Backup(admin::BackupArgs),
    /// Load a snapshot into this station.
    Restore(admin::RestoreArgs),
    /// The intake portal: custodian keys, recipients, export and decryption.
    #[command(subcommand)]
    Intake(intake::IntakeCommand),
    /// Fill an empty station with a realistic fictional one, to see a living system.
    Demo(admin::DemoArgs),
    /// Judge sources from claim files: whom to believe (no station needed).
    Assess(humint_assess::AssessArgs),
    /// Reports for inspectors: `report inspection --from --to --out FILE.html`.
    #[command(subcommand)]
    Report(report::ReportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HUMINT_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.station, cli.command));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(station: StationArgs, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::run(station, args).await,
        Command::Init(args) => admin::init(station, args).await,
        Command::User(cmd) => admin::user(station, cmd).await,
        Command::Compartment(cmd) => admin::compartment(station, cmd).await,
        Command::Keys(cmd) => admin::keys(station, cmd).await,
        Command::Audit(cmd) => admin::audit(station, cmd).await,
        Command::Settings(cmd) => admin::settings(station, cmd).await,
        Command::Backup(args) => admin::backup(station, args).await,
        Command::Restore(args) => admin::restore(station, args).await,
        Command::Intake(cmd) => intake::run(station, cmd).await,
        Command::Demo(args) => admin::demo(station, args).await,
        Command::Assess(args) => humint_assess::run(args, &mut std::io::stdout().lock()),
        Command::Report(cmd) => report::run(station, cmd).await,
    }
}
