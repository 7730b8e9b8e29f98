//! Times the default method's estimate alone, several times in one process, on a claim
//! file: `cargo run --release -p humint-assess --example estimate_time -- FILE [RUNS]`.

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: estimate_time FILE [RUNS]"))?;
    let runs: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    anyhow::ensure!(runs > 0, "RUNS must be at least 1");
    let claims = humint_assess::input::read_claims(std::path::Path::new(&path))?;
    let method = humint_validation::default_method();
    let outcomes = humint_validation::Outcomes::new();
    let mut times = Vec::new();
    let mut faults = Vec::new();
    let cpu0 = cpu_seconds();
    for _ in 0..runs {
        let f0 = stat_field(7);
        let t = std::time::Instant::now();
        let est = method.estimate(&claims, &outcomes);
        times.push(t.elapsed().as_secs_f64());
        faults.push(stat_field(7) - f0);
        std::hint::black_box(est);
    }
    let cpu = cpu_seconds() - cpu0;
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "runs {:?} ms; min {:.1} ms, median {:.1} ms; cpu {:.1} ms per run; page faults {:?}",
        times
            .iter()
            .map(|t| (t * 1e4).round() / 10.0)
            .collect::<Vec<_>>(),
        sorted[0] * 1e3,
        sorted[sorted.len() / 2] * 1e3,
        cpu * 1e3 / runs as f64,
        faults
    );
    Ok(())
}

/// User plus system CPU seconds of this process so far, all threads (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    (stat_field(11) + stat_field(12)) as f64 / 100.0
}

/// Field `i` of `/proc/self/stat` counted after the command name (which is in
/// parentheses): 7 minor page faults, 11 user and 12 system CPU ticks (Linux; 0 elsewhere).
fn stat_field(i: usize) -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    rest.split_whitespace()
        .nth(i)
        .and_then(|x| x.parse().ok())
        .unwrap_or(0)
}
