//! `humint intake …`: custodian keys, the recipients submissions are encrypted to, and getting
//! submissions out to the offline custodians.
//!
//! `keygen` and `decrypt --from` need no station: they are meant for the custodian's offline
//! machine, which never runs the portal.

use crate::StationArgs;
use crate::admin::open;
use anyhow::Context as _;
use clap::{Args, Subcommand};
use humint_station::intake::{DecryptSummary, decrypt_export, generate_custodian_identity};
use humint_station::{Principal, StationError};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum IntakeCommand {
    /// Create an age identity for an offline custodian and print its recipient (public key).
    Keygen(KeygenArgs),
    /// Manage the custodians' recipients every submission is encrypted to.
    #[command(subcommand)]
    Recipient(RecipientCommand),
    /// List submissions (no content).
    List,
    /// Write every submission, still encrypted, as standard `.age` files under a folder.
    Export(ExportArgs),
    /// Decrypt submissions with a custodian identity: an exported folder (`--from`), or,
    /// without it, this station's submissions.
    Decrypt(DecryptArgs),
}

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Where to write the identity (created mode 0600; an existing file is not overwritten).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum RecipientCommand {
    /// Register a recipient (`age1…`); several may be registered, e.g. two custodians.
    Add { recipient: String },
    /// Stop encrypting new submissions to a recipient.
    Remove { recipient: String },
    /// Show the registered recipients.
    List,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args, Debug)]
pub struct DecryptArgs {
    /// The custodian's age identity file.
    #[arg(long)]
    identity: PathBuf,
    /// An exported folder to decrypt (otherwise this station's submissions).
    #[arg(long)]
    from: Option<PathBuf>,
    /// Where the plaintext goes: keep it on the offline machine.
    #[arg(long)]
    out: PathBuf,
}

fn refused(e: StationError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", e.public_message(), e.code())
}

fn write_identity(path: &Path, secret: &str, recipient: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    // The layout `age-keygen` writes, so the `age` tool reads it as is.
    writeln!(file, "# created: by humint intake keygen")
        .and_then(|()| writeln!(file, "# public key: {recipient}"))
        .and_then(|()| writeln!(file, "{secret}"))
        .with_context(|| format!("cannot write {}", path.display()))
}

fn report_decrypt(summary: &DecryptSummary, out: &Path) -> ExitCode {
    println!(
        "Decrypted {} file(s) into {}.",
        summary.decrypted,
        out.display()
    );
    for (path, reason) in &summary.failed {
        eprintln!("could not decrypt {}: {reason}", path.display());
    }
    if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub async fn run(args: StationArgs, cmd: IntakeCommand) -> anyhow::Result<ExitCode> {
    let system = Principal::system();
    match cmd {
        IntakeCommand::Keygen(k) => {
            let (secret, recipient) = generate_custodian_identity();
            write_identity(&k.out, &secret, &recipient)?;
            println!("{recipient}");
            eprintln!(
                "Wrote the identity to {}. Move it to the custodian's offline machine and register the recipient above with `humint intake recipient add`.",
                k.out.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        IntakeCommand::Decrypt(d) if d.from.is_some() => {
            let from = d.from.as_deref().unwrap_or(Path::new("."));
            let summary = decrypt_export(&d.identity, from, &d.out).map_err(refused)?;
            return Ok(report_decrypt(&summary, &d.out));
        }
        _ => {}
    }
    let station = open(&args).await?;
    let code = match cmd {
        IntakeCommand::Recipient(RecipientCommand::Add { recipient }) => {
            let row = station
                .intake_add_recipient(&system, &recipient)
                .await
                .map_err(refused)?;
            println!("Registered {}.", row.recipient);
            ExitCode::SUCCESS
        }
        IntakeCommand::Recipient(RecipientCommand::Remove { recipient }) => {
            station
                .intake_remove_recipient(&system, &recipient)
                .await
                .map_err(refused)?;
            println!("Removed {}.", recipient.trim());
            ExitCode::SUCCESS
        }
        IntakeCommand::Recipient(RecipientCommand::List) => {
            for r in station.intake_recipients(&system).await.map_err(refused)? {
                println!("{}", r.recipient);
            }
            ExitCode::SUCCESS
        }
        IntakeCommand::List => {
            let rows = station.intake_list(&system).await.map_err(refused)?;
            println!(
                "{:<32}  {:<10}  {:>12}  {:<14}  ack due     feedback due",
                "id", "received", "bytes", "status"
            );
            for s in rows {
                println!(
                    "{:<32}  {}  {:>12}  {:<14}  {}  {}",
                    s.id,
                    s.received_on,
                    s.size,
                    s.status.as_str(),
                    s.acknowledgement_due,
                    s.feedback_due
                );
            }
            ExitCode::SUCCESS
        }
        IntakeCommand::Export(e) => {
            let s = station
                .intake_export(&system, &e.out)
                .await
                .map_err(refused)?;
            println!(
                "Exported {} submission thread(s): {} message(s), {} file(s) into {}. Decrypt them with `age -d -i IDENTITY FILE` on the custodian's machine.",
                s.threads,
                s.messages,
                s.files,
                e.out.display()
            );
            ExitCode::SUCCESS
        }
        IntakeCommand::Decrypt(d) => {
            // Ciphertext only goes to the scratch folder; plaintext only to --out.
            let scratch = tempfile_dir(&args.data_dir)?;
            let result = station
                .intake_export(&system, &scratch)
                .await
                .map_err(refused);
            let summary =
                result.and_then(|_| decrypt_export(&d.identity, &scratch, &d.out).map_err(refused));
            let _ = std::fs::remove_dir_all(&scratch);
            report_decrypt(&summary?, &d.out)
        }
        IntakeCommand::Keygen(_) => ExitCode::SUCCESS,
    };
    station.checkpoint_audit().await.map_err(refused)?;
    Ok(code)
}

/// A new folder for ciphertext on its way to being decrypted.
fn tempfile_dir(data_dir: &Path) -> anyhow::Result<PathBuf> {
    use humint_core::Entropy as _;
    let mut bytes = [0u8; 8];
    humint_core::OsEntropy.fill(&mut bytes);
    let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(data_dir.join(format!("intake-export-{name}")))
}
