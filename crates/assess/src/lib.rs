//! `humint assess`: reads claim files, runs the validation engine and prints estimates.
//!
//! The command-line surface is [`AssessArgs`] (a `clap::Args`, to be flattened into the
//! `humint` binary) and [`run`]. The engine itself is `humint-validation`; this crate only
//! does files, progress bars and output formats.

pub mod csv;
pub mod generate;
pub mod input;
pub mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use humint_validation::synthetic::SyntheticParams;
use humint_validation::{METHOD_NAMES, Outcomes, Settings, method_with, score};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text tables.
    Table,
    /// One JSON object: `{"objects":[…],"sources":[…],"dependencies":[…]}`.
    Json,
}

/// `humint assess`: estimate values, source reliability and dependent sources from claims.
#[derive(Debug, Clone, clap::Args)]
#[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
pub struct AssessArgs {
    /// Subcommand (otherwise assess the claims file).
    #[command(subcommand)]
    pub command: Option<AssessCommand>,
    /// Claims: CSV with header `source,object,value`.
    #[arg(long, required = true, value_name = "FILE")]
    pub claims: Option<PathBuf>,
    /// Known truth (`object,value`) to score against; never used for the estimate.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Confirmed outcomes (`object,value`) that anchor the estimate.
    #[arg(long, value_name = "FILE")]
    pub outcomes: Option<PathBuf>,
    /// Estimation method (default: chosen from the data).
    #[arg(long, default_value = "auto", value_parser = clap::builder::PossibleValuesParser::new(METHOD_NAMES))]
    pub method: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// When scoring against --truth, numbers within this relative difference count as
    /// equal (0.01 = 1 %); 0 means exact text.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub tolerance: f64,
    /// Report source pairs whose dependence probability is at least this.
    #[arg(long, default_value_t = 0.5, value_name = "P")]
    pub min_dependency: f64,
    /// Print how long reading, estimating and writing took (to stderr).
    #[arg(long)]
    pub timings: bool,
}

/// Subcommands of `humint assess`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AssessCommand {
    /// Write a synthetic data set with known truth, accuracies and copying.
    Generate(GenerateArgs),
}

/// `humint assess generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// Number of sources.
    #[arg(long)]
    pub sources: u32,
    /// Number of objects.
    #[arg(long)]
    pub objects: u32,
    /// Distinct sources claiming each object.
    #[arg(long)]
    pub claims_per_object: u32,
    /// Share of sources that copy another source (0–1).
    #[arg(long, default_value_t = 0.0)]
    pub copiers: f64,
    /// Share of a copier's claims copied from its original.
    #[arg(long, default_value_t = 0.8)]
    pub copy_rate: f64,
    /// Number of classes (values).
    #[arg(long, default_value_t = 4)]
    pub classes: u32,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write claims.csv, truth.csv and sources.csv into.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
}

/// Runs `humint assess` with parsed arguments, writing results to `out` (progress bars go
/// to stderr when it is a terminal).
pub fn run(args: AssessArgs, out: &mut dyn Write) -> Result<ExitCode> {
    if let Some(AssessCommand::Generate(g)) = args.command {
        let params = SyntheticParams {
            sources: g.sources,
            objects: g.objects,
            claims_per_object: g.claims_per_object,
            copiers: g.copiers,
            classes: g.classes,
            copy_rate: g.copy_rate,
            seed: g.seed,
        };
        anyhow::ensure!(
            (0.0..=1.0).contains(&g.copiers),
            "--copiers must be between 0 and 1"
        );
        anyhow::ensure!(
            g.sources > 0 && g.objects > 0,
            "--sources and --objects must be positive"
        );
        let n = generate::write_synthetic(&params, &g.out)?;
        writeln!(out, "wrote {n} claims to {}", g.out.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(claims_path) = args.claims else {
        anyhow::bail!("--claims FILE is required");
    };
    let settings = Settings {
        min_dependency: args.min_dependency,
    };
    let method = method_with(&args.method, &settings)
        .ok_or_else(|| anyhow::anyhow!("unknown method {:?}", args.method))?;
    let t0 = std::time::Instant::now();
    let claims = input::read_claims(&claims_path)?;
    let outcomes = match &args.outcomes {
        Some(p) => input::read_outcomes(p)?,
        None => Outcomes::new(),
    };
    // The truth file is read only after the estimate exists, so it cannot leak into it.
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!("estimating ({} claims)", claims.n_claims()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let t1 = std::time::Instant::now();
    let estimate = method.estimate(&claims, &outcomes);
    let t2 = std::time::Instant::now();
    spinner.finish_and_clear();
    let scored = match &args.truth {
        Some(p) => {
            let truth = input::read_pairs(p)?;
            Some(score(
                &claims,
                &estimate,
                truth.iter().map(|(o, v)| (o.as_str(), v.as_str())),
                args.tolerance,
            ))
        }
        None => None,
    };
    match args.format {
        Format::Json => output::write_json(out, &claims, &estimate, scored)?,
        Format::Table => output::write_table(out, &claims, &estimate, scored)?,
    }
    if args.timings {
        eprintln!(
            "timings: read {:.3} s, estimate {:.3} s, score and write {:.3} s ({})",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            t2.elapsed().as_secs_f64(),
            estimate.method
        );
    }
    Ok(ExitCode::SUCCESS)
}
