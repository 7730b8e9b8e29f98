//! Printing an estimate as a table for people or as one JSON object for programs.

use std::io::Write;

use anyhow::Result;
use humint_validation::{ClaimSet, Estimate, Score};
use serde::Serialize;

#[derive(Serialize)]
struct ObjectRow<'a> {
    object: &'a str,
    value: Option<&'a str>,
    confidence: f64,
}

#[derive(Serialize)]
struct SourceRow<'a> {
    source: &'a str,
    reliability: f64,
    low: f64,
    high: f64,
    claims: u32,
    /// Claims that could be checked (see `SourceEstimate::checked`).
    checked: u32,
    grade: String,
}

#[derive(Serialize)]
struct DependencyRow<'a> {
    source_a: &'a str,
    source_b: &'a str,
    probability: f64,
}

#[derive(Serialize)]
struct AccuracyRow {
    accuracy: f64,
    correct: usize,
    total: usize,
    missing: usize,
}

#[derive(Serialize)]
struct Report<'a> {
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    accuracy: Option<AccuracyRow>,
    objects: Vec<ObjectRow<'a>>,
    sources: Vec<SourceRow<'a>>,
    dependencies: Vec<DependencyRow<'a>>,
}

/// Rounds to 6 decimals so output is stable across platforms' last-bit differences.
fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Writes the estimate as one JSON object.
pub fn write_json(
    out: &mut dyn Write,
    claims: &ClaimSet,
    est: &Estimate,
    score: Option<Score>,
) -> Result<()> {
    let report = Report {
        method: &est.method,
        accuracy: score.map(|s| AccuracyRow {
            accuracy: r6(s.accuracy()),
            correct: s.correct,
            total: s.total,
            missing: s.missing,
        }),
        objects: (0..claims.n_objects() as u32)
            .map(|o| ObjectRow {
                object: claims.object_name(o),
                value: est.value_text(claims, o),
                confidence: r6(est.objects[o as usize].confidence),
            })
            .collect(),
        sources: est
            .sources
            .iter()
            .enumerate()
            .map(|(s, e)| SourceRow {
                source: claims.source_name(s as u32),
                reliability: r6(e.reliability),
                low: r6(e.low),
                high: r6(e.high),
                claims: e.claims,
                checked: e.checked,
                grade: e.grade.to_string(),
            })
            .collect(),
        dependencies: est
            .dependencies
            .iter()
            .map(|d| DependencyRow {
                source_a: claims.source_name(d.source_a),
                source_b: claims.source_name(d.source_b),
                probability: r6(d.probability),
            })
            .collect(),
    };
    let mut w = std::io::BufWriter::new(out);
    serde_json::to_writer(&mut w, &report)?;
    writeln!(w)?;
    w.flush()?;
    Ok(())
}

/// Writes the estimate as aligned text tables.
pub fn write_table(
    out: &mut dyn Write,
    claims: &ClaimSet,
    est: &Estimate,
    score: Option<Score>,
) -> Result<()> {
    let mut w = std::io::BufWriter::new(out);
    writeln!(
        w,
        "method {}: {} claims, {} sources, {} objects",
        est.method,
        claims.n_claims(),
        claims.n_sources(),
        claims.n_objects()
    )?;
    if let Some(s) = score {
        writeln!(
            w,
            "accuracy {:.4} ({} of {} right{})",
            s.accuracy(),
            s.correct,
            s.total,
            if s.missing > 0 {
                format!(", {} not claimed", s.missing)
            } else {
                String::new()
            }
        )?;
    }
    let width = |it: &mut dyn Iterator<Item = usize>, min: usize| it.max().unwrap_or(0).max(min);

    writeln!(w, "\nSOURCES")?;
    let sw = width(
        &mut (0..claims.n_sources() as u32).map(|s| claims.source_name(s).chars().count()),
        6,
    );
    writeln!(
        w,
        "{:<sw$}  reliability  95% interval   claims  checked  grade",
        "source"
    )?;
    for (s, e) in est.sources.iter().enumerate() {
        writeln!(
            w,
            "{:<sw$}  {:>11.3}  [{:.3}, {:.3}]  {:>6}  {:>7}  {}",
            claims.source_name(s as u32),
            e.reliability,
            e.low,
            e.high,
            e.claims,
            e.checked,
            e.grade
        )?;
    }

    writeln!(w, "\nDEPENDENT SOURCES")?;
    if est.dependencies.is_empty() {
        writeln!(w, "(none found)")?;
    }
    for d in &est.dependencies {
        writeln!(
            w,
            "{} ~ {}  {:.3}",
            claims.source_name(d.source_a),
            claims.source_name(d.source_b),
            d.probability
        )?;
    }

    writeln!(w, "\nOBJECTS")?;
    let ow = width(
        &mut (0..claims.n_objects() as u32).map(|o| claims.object_name(o).chars().count()),
        6,
    );
    writeln!(w, "{:<ow$}  confidence  value", "object")?;
    for o in 0..claims.n_objects() as u32 {
        writeln!(
            w,
            "{:<ow$}  {:>10.3}  {}",
            claims.object_name(o),
            est.objects[o as usize].confidence,
            est.value_text(claims, o).unwrap_or("-")
        )?;
    }
    w.flush()?;
    Ok(())
}
