//! `humint assess` without the station: the same arguments and output, built from this
//! crate alone, so benchmarks of the engine need not compile the whole server.
//!
//! `cargo run --release -p humint-assess --example assess -- --claims FILE`

use clap::Parser;

#[derive(Parser)]
#[command(name = "assess")]
struct Cli {
    #[command(flatten)]
    args: humint_assess::AssessArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match humint_assess::run(cli.args, &mut std::io::stdout().lock()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
