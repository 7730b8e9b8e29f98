//! `humint assess generate`: writes a synthetic data set with known truth, known source
//! accuracies and known copying.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use humint_validation::synthetic::{SyntheticParams, generate};
use indicatif::ProgressBar;

/// Writes `claims.csv`, `truth.csv` and `sources.csv` (`source,accuracy,copies`) into
/// `dir`, creating it if needed. Returns the number of claims written.
pub fn write_synthetic(params: &SyntheticParams, dir: &Path) -> Result<usize> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let data = generate(params);
    let create = |name: &str| -> Result<BufWriter<File>> {
        let path = dir.join(name);
        let f = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    let bar = ProgressBar::new(data.claims.len() as u64);
    let mut w = create("claims.csv")?;
    writeln!(w, "source,object,value")?;
    for (i, &(s, o, v)) in data.claims.iter().enumerate() {
        writeln!(w, "s{s},o{o},{v}")?;
        if i.is_multiple_of(65_536) {
            bar.set_position(i as u64);
        }
    }
    w.flush()?;
    bar.finish_and_clear();
    let mut w = create("truth.csv")?;
    writeln!(w, "object,value")?;
    for (o, v) in data.truth.iter().enumerate() {
        writeln!(w, "o{o},{v}")?;
    }
    w.flush()?;
    let mut w = create("sources.csv")?;
    writeln!(w, "source,accuracy,copies")?;
    for (s, a) in data.accuracy.iter().enumerate() {
        let orig = data.copies_from[s]
            .map(|o| format!("s{o}"))
            .unwrap_or_default();
        writeln!(w, "s{s},{a:.6},{orig}")?;
    }
    w.flush()?;
    Ok(data.claims.len())
}
