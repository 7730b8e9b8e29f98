//! Reading claim, truth and outcome files into the engine's structures.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use anyhow::{Context, Result};
use humint_validation::{ClaimSet, ClaimSetBuilder, Outcomes};
use indicatif::{ProgressBar, ProgressStyle};

use crate::csv::{CsvError, CsvReader, Record};

/// A progress bar over a file's bytes; invisible when stderr is not a terminal.
fn file_progress(path: &Path, what: &str) -> ProgressBar {
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(len);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes} ({eta})")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    bar
}

/// Opens `path` and checks its header holds exactly the `expected` column names (in any
/// order); returns the reader and, per expected name, its column index.
fn open_with_header<const N: usize>(
    path: &Path,
    expected: [&str; N],
) -> Result<(CsvReader<BufReader<File>>, [usize; N])> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = CsvReader::new(BufReader::with_capacity(1 << 20, file));
    let mut rec = Record::default();
    let located = |e: CsvError| anyhow::anyhow!("{}: {e}", path.display());
    if !reader.next_record(&mut rec).map_err(located)? {
        anyhow::bail!(
            "{}: empty file; expected the header {}",
            path.display(),
            expected.join(",")
        );
    }
    let mut index = [usize::MAX; N];
    let names: Vec<String> = (0..rec.len())
        .map(|i| rec.get(i).unwrap_or("").trim().to_ascii_lowercase())
        .collect();
    for (slot, want) in index.iter_mut().zip(expected) {
        if let Some(i) = names.iter().position(|n| n == want) {
            *slot = i;
        }
    }
    if names.len() != N || index.contains(&usize::MAX) {
        anyhow::bail!(
            "{}: line {}: expected the header {}, found {}",
            path.display(),
            rec.line,
            expected.join(","),
            names.join(",")
        );
    }
    Ok((reader, index))
}

/// Reads every data record of a file with the given header, calling `each` with the
/// fields in `expected` order.
fn for_each_row<const N: usize>(
    path: &Path,
    expected: [&str; N],
    what: &str,
    mut each: impl FnMut([&str; N]),
) -> Result<u64> {
    let (mut reader, index) = open_with_header(path, expected)?;
    let bar = file_progress(path, what);
    let mut rec = Record::default();
    let mut rows = 0u64;
    loop {
        match reader.next_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                bar.finish_and_clear();
                anyhow::bail!("{}: {e}", path.display());
            }
        }
        if rec.len() != N {
            bar.finish_and_clear();
            anyhow::bail!(
                "{}: line {}: expected {N} fields ({}), found {}",
                path.display(),
                rec.line,
                expected.join(","),
                rec.len()
            );
        }
        let mut fields = [""; N];
        for (f, &i) in fields.iter_mut().zip(&index) {
            *f = rec.get(i).unwrap_or("");
        }
        if let Some(k) = fields.iter().position(|f| f.trim().is_empty()) {
            bar.finish_and_clear();
            anyhow::bail!(
                "{}: line {}, column {}: empty {}",
                path.display(),
                rec.line,
                column_of(&rec, index[k]),
                expected[k]
            );
        }
        each(fields);
        rows += 1;
        if rows.is_multiple_of(65_536) {
            bar.set_position(reader.bytes_read());
        }
    }
    bar.finish_and_clear();
    Ok(rows)
}

/// Column (1-based, in characters) where field `i` of a record starts, assuming no
/// quotes — good enough to point at an empty field.
fn column_of(rec: &Record, i: usize) -> usize {
    (0..i)
        .map(|j| rec.get(j).map_or(0, |f| f.chars().count()) + 1)
        .sum::<usize>()
        + 1
}

/// Reads a `source,object,value` claims file.
pub fn read_claims(path: &Path) -> Result<ClaimSet> {
    let mut builder = ClaimSetBuilder::new();
    let rows = for_each_row(
        path,
        ["source", "object", "value"],
        "reading claims",
        |[s, o, v]| builder.push(s, o, v),
    )?;
    if rows == 0 {
        anyhow::bail!("{}: no claims after the header", path.display());
    }
    Ok(builder.build())
}

/// Reads an `object,value` file (truth or outcomes).
pub fn read_pairs(path: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for_each_row(path, ["object", "value"], "reading", |[o, v]| {
        out.push((o.to_string(), v.to_string()))
    })?;
    Ok(out)
}

/// Reads an outcomes file.
pub fn read_outcomes(path: &Path) -> Result<Outcomes> {
    let mut outcomes = Outcomes::new();
    for (o, v) in read_pairs(path)? {
        outcomes.insert(o, v);
    }
    Ok(outcomes)
}
