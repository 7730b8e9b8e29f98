//! Non-interactive administration: every secret comes from or goes to a file named on the
//! command line, never the terminal or the arguments themselves (which `ps` shows).

use crate::StationArgs;
use anyhow::Context as _;
use clap::{Args, Subcommand};
use humint_core::{OsEntropy, Role, SystemClock};
use humint_station::{Principal, Station, StationConfig, StationError};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

pub async fn open(args: &StationArgs) -> anyhow::Result<Station> {
    let config = StationConfig {
        data_dir: args.data_dir.clone(),
        database_url: args.database_url.clone(),
        master_key_file: args.master_key_file.clone(),
        login: Default::default(),
    };
    Station::open(config, Arc::new(SystemClock), Arc::new(OsEntropy))
        .await
        .with_context(|| format!("cannot open the station in {}", args.data_dir.display()))
}

/// Reads a password file: its first line, without the line ending.
fn read_secret(path: &Path) -> anyhow::Result<zeroize::Zeroizing<String>> {
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
    );
    Ok(zeroize::Zeroizing::new(
        text.lines().next().unwrap_or_default().to_owned(),
    ))
}

/// Writes a secret to a new file readable by its owner only.
pub fn write_secret(path: &Path, secret: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write as _;
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(secret.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn refused(e: StationError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.public_message(), e.code())
}

#[derive(Args, Debug)]
pub struct InitArgs {
    #[arg(long)]
    admin_user: String,
    /// A file whose first line is the admin's password.
    #[arg(long)]
    admin_password_file: PathBuf,
    /// Where to write the admin's base32 TOTP secret (created mode 0600).
    #[arg(long)]
    totp_secret_out: PathBuf,
}

pub async fn init(args: StationArgs, init: InitArgs) -> anyhow::Result<ExitCode> {
    let password = read_secret(&init.admin_password_file)?;
    let station = open(&args).await?;
    let enrolment = station
        .initialise(&init.admin_user, Some(&password))
        .await
        .map_err(refused)?;
    write_secret(&init.totp_secret_out, &enrolment.totp_base32)?;
    station.checkpoint_audit().await.map_err(refused)?;
    println!(
        "Initialised the station in {} with admin {}.",
        args.data_dir.display(),
        enrolment.username
    );
    println!(
        "The admin's TOTP secret is in {}.",
        init.totp_secret_out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an officer account.
    Add {
        name: String,
        /// admin, handler, controller, authorising_officer, analyst or auditor.
        #[arg(long)]
        role: Role,
        /// Compartments to read the officer into (repeatable).
        #[arg(long = "compartment")]
        compartments: Vec<String>,
        /// A file whose first line is the password.
        #[arg(long)]
        password_file: PathBuf,
        /// Where to write the base32 TOTP secret (created mode 0600).
        #[arg(long)]
        totp_secret_out: PathBuf,
    },
    /// Disable an account; its sessions end at once.
    Disable { name: String },
    /// Read an officer into a compartment.
    Grant { name: String, compartment: String },
    /// Record an officer's rank, from the rank table in force (`humint settings ranks`).
    Rank { name: String, rank: String },
}

pub async fn user(args: StationArgs, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    let system = Principal::system();
    match cmd {
        UserCommand::Add {
            name,
            role,
            compartments,
            password_file,
            totp_secret_out,
        } => {
            let password = read_secret(&password_file)?;
            let enrolment = station
                .add_user(&system, &name, role, &compartments, &password)
                .await
                .map_err(refused)?;
            write_secret(&totp_secret_out, &enrolment.totp_base32)?;
            println!(
                "Created {role} {name}; TOTP secret written to {}.",
                totp_secret_out.display()
            );
        }
        UserCommand::Disable { name } => {
            station
                .disable_user(&system, &name)
                .await
                .map_err(refused)?;
            println!("Disabled {name}; their sessions have ended.");
        }
        UserCommand::Grant { name, compartment } => {
            station
                .grant_compartment(&system, &name, &compartment)
                .await
                .map_err(refused)?;
            println!("Read {name} into {compartment}.");
        }
        UserCommand::Rank { name, rank } => {
            let spelled = station
                .set_user_rank(&system, &name, &rank)
                .await
                .map_err(refused)?;
            println!("Recorded {name}'s rank: {spelled}.");
        }
    }
    station.checkpoint_audit().await.map_err(refused)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum CompartmentCommand {
    /// Create a compartment.
    Add { name: String },
}

pub async fn compartment(args: StationArgs, cmd: CompartmentCommand) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    match cmd {
        CompartmentCommand::Add { name } => {
            station
                .add_compartment(&Principal::system(), &name)
                .await
                .map_err(refused)?;
            println!("Created compartment {name}.");
        }
    }
    station.checkpoint_audit().await.map_err(refused)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Add a new data key version and re-encrypt every encrypted field under it.
    Rotate,
}

fn bar(what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}

pub async fn keys(args: StationArgs, cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    match cmd {
        KeysCommand::Rotate => {
            let progress = bar("re-encrypting");
            let rotation = station
                .rotate_keys(&Principal::system(), &|done, total| {
                    progress.set_length(total);
                    progress.set_position(done);
                })
                .await
                .map_err(refused)?;
            progress.finish_and_clear();
            println!(
                "Key version {} is now current; {} fields re-encrypted.",
                rotation.new_version, rotation.fields_rewrapped
            );
        }
    }
    station.checkpoint_audit().await.map_err(refused)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check every event and checkpoint; exit 0 when the ledger is intact.
    Verify,
    /// Sign the ledger's current head into the database and the data directory.
    Checkpoint,
}

pub async fn audit(args: StationArgs, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    match cmd {
        AuditCommand::Verify => {
            let progress = bar("verifying");
            let outcome = station
                .verify_audit(&|done, total| {
                    progress.set_length(total);
                    progress.set_position(done);
                })
                .await
                .map_err(refused)?;
            progress.finish_and_clear();
            match outcome {
                Ok(report) => {
                    println!(
                        "The audit ledger is intact: {} events, {} checkpoints{}.",
                        report.events,
                        report.checkpoints,
                        report
                            .external_checkpoint
                            .map(|s| format!(
                                ", consistent with the data directory's checkpoint at event {s}"
                            ))
                            .unwrap_or_default()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(failure) => {
                    eprintln!("The audit ledger is NOT intact: {failure}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        AuditCommand::Checkpoint => {
            match station.checkpoint_audit().await.map_err(refused)? {
                Some(cp) => println!("Checkpoint signed at event {}.", cp.seq),
                None => println!("The ledger is empty; nothing to sign."),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The file to write (created mode 0600).
    #[arg(long)]
    out: PathBuf,
}

pub async fn backup(args: StationArgs, backup: BackupArgs) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    let summary = station
        .backup_to(&Principal::system(), &backup.out)
        .await
        .map_err(refused)?;
    println!(
        "Backed up {} rows from {} tables to {}.",
        summary.rows,
        summary.tables,
        backup.out.display()
    );
    println!(
        "The master key is not in the backup: keep {} safe separately.",
        station.config().master_key_path().display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    file: PathBuf,
    /// Replace a station that already holds data.
    #[arg(long)]
    force: bool,
}

pub async fn restore(args: StationArgs, restore: RestoreArgs) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    let summary = station
        .restore_from(&Principal::system(), &restore.file, restore.force)
        .await
        .map_err(refused)?;
    println!(
        "Restored {} rows from {} tables. Run `humint audit verify` to check the restored ledger.",
        summary.rows, summary.tables
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where to write every demo officer's username, role, password and TOTP secret (created
    /// mode 0600): tab-separated, one officer a line.
    #[arg(long)]
    credentials_out: PathBuf,
    /// Seed for the generated station: the same seed gives the same sources and history.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Initialises the station if needed, then fills it with fictional compartments, officers,
/// sources and a year of history. The credentials go to a file, never the terminal.
pub async fn demo(args: StationArgs, demo: DemoArgs) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    let mut lines = vec!["username\trole\tpassword\ttotp_secret".to_owned()];
    if !station.is_initialised().await.map_err(refused)? {
        let admin = station.initialise("admin", None).await.map_err(refused)?;
        lines.push(format!(
            "admin\tadmin\t{}\t{}",
            admin.generated_password.unwrap_or_default(),
            admin.totp_base32
        ));
    }
    let summary = humint_station::handling::fill_demo(&station, demo.seed)
        .await
        .map_err(refused)?;
    for officer in &summary.officers {
        lines.push(format!(
            "{}\t{}\t{}\t{}",
            officer.username, officer.role, officer.password, officer.totp_base32
        ));
    }
    write_secret(&demo.credentials_out, &lines.join("\n"))?;
    station.checkpoint_audit().await.map_err(refused)?;
    println!(
        "Demo station ready: compartments {}, {} officers, {} sources, {} contacts, {} reports, {} open press items.",
        summary.compartments.join(", "),
        summary.officers.len(),
        summary.sources,
        summary.contacts,
        summary.reports,
        summary.open_press_items
    );
    println!(
        "Sign-in details for every officer are in {}.",
        demo.credentials_out.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum SettingsCommand {
    /// Show the payment approval thresholds, or set them (whole minor units, e.g. pence): a
    /// payment above the single threshold, or taking a source's paid total for the calendar
    /// year above the yearly one, needs the controller's approval.
    Payments {
        /// The single-payment threshold in minor units.
        #[arg(long)]
        single_threshold_minor: Option<u64>,
        /// The yearly threshold in minor units.
        #[arg(long)]
        yearly_threshold_minor: Option<u64>,
    },
    /// Show or choose the rank table the authorising officer's rank is checked against
    /// (AUTH-03). Without one (the default) ranks are not checked.
    Ranks {
        /// police-england-wales, or none.
        #[arg(long)]
        table: Option<String>,
    },
}

/// Minor units as major units with two decimals, for reading back a threshold.
fn major(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

pub async fn settings(args: StationArgs, cmd: SettingsCommand) -> anyhow::Result<ExitCode> {
    let station = open(&args).await?;
    match cmd {
        SettingsCommand::Payments {
            single_threshold_minor,
            yearly_threshold_minor,
        } => {
            let mut policy = station.payment_policy().await.map_err(refused)?;
            let change = single_threshold_minor.is_some() || yearly_threshold_minor.is_some();
            if change {
                if let Some(v) = single_threshold_minor {
                    policy.single_payment_threshold_minor = v;
                }
                if let Some(v) = yearly_threshold_minor {
                    policy.yearly_threshold_minor = v;
                }
                policy = station
                    .set_payment_policy(&Principal::system(), policy)
                    .await
                    .map_err(refused)?;
                station.checkpoint_audit().await.map_err(refused)?;
            }
            println!(
                "{}Payments above {} ({} minor units) each, or taking a source's paid total for a calendar year above {} ({} minor units), need the controller's approval.",
                if change { "Set. " } else { "" },
                major(policy.single_payment_threshold_minor),
                policy.single_payment_threshold_minor,
                major(policy.yearly_threshold_minor),
                policy.yearly_threshold_minor,
            );
        }
        SettingsCommand::Ranks { table } => {
            let change = table.is_some();
            let table = match table {
                Some(name) => {
                    let set = station
                        .set_rank_table(&Principal::system(), &name)
                        .await
                        .map_err(refused)?;
                    station.checkpoint_audit().await.map_err(refused)?;
                    set
                }
                None => station.rank_table().await.map_err(refused)?,
            };
            let set = if change { "Set. " } else { "" };
            match table {
                None => println!(
                    "{set}No rank table is in force: the authorising officer's rank is not checked."
                ),
                Some(t) => println!(
                    "{set}Rank table {} ({}): standard {}, urgent {}, relevant source {}, relevant source urgent {}, relevant source long-term {}, Annex A {}.",
                    t.name,
                    t.title,
                    t.standard,
                    t.urgent,
                    t.relevant_source,
                    t.relevant_source_urgent,
                    t.relevant_source_long_term,
                    t.annex_a
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
