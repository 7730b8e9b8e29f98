//! `humint assess` end to end: files in, report out.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Parser;
use humint_assess::{AssessArgs, run};
use rstest::rstest;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: AssessArgs,
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    let mut f = std::fs::File::create(&p).expect("temp file");
    f.write_all(text.as_bytes()).expect("write temp file");
    p
}

fn assess(args: &[&str]) -> anyhow::Result<String> {
    let mut argv = vec!["assess"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv)?;
    let mut out = Vec::new();
    run(cli.args, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

const CLAIMS: &str = "source,object,value\n\
a,q1,x\nb,q1,x\nc,q1,y\na,q2,u\nb,q2,u\nc,q2,\"u\"\n";

#[test]
fn json_report_has_objects_sources_and_dependencies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let claims = write(dir.path(), "claims.csv", CLAIMS);
    let truth = write(dir.path(), "truth.csv", "object,value\nq1,x\nq2,v\n");
    let out = assess(&[
        "--claims",
        claims.to_str().unwrap_or(""),
        "--truth",
        truth.to_str().unwrap_or(""),
        "--format",
        "json",
    ])
    .expect("assess runs");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["objects"][0]["object"], "q1");
    assert_eq!(v["objects"][0]["value"], "x");
    assert!(v["objects"][0]["confidence"].as_f64().unwrap_or(0.0) > 0.5);
    let sources = v["sources"].as_array().cloned().unwrap_or_default();
    assert_eq!(sources.len(), 3);
    for key in ["source", "reliability", "low", "high", "claims", "grade"] {
        assert!(sources[0].get(key).is_some(), "missing {key}");
    }
    assert!(v["dependencies"].is_array());
    assert_eq!(v["accuracy"]["correct"], 1);
    assert_eq!(v["accuracy"]["total"], 2);
}

#[test]
fn table_report_prints_accuracy_and_grades() {
    let dir = tempfile::tempdir().expect("tempdir");
    let claims = write(dir.path(), "claims.csv", CLAIMS);
    let truth = write(dir.path(), "truth.csv", "object,value\nq1,x\nq2,u\n");
    let out = assess(&[
        "--claims",
        claims.to_str().unwrap_or(""),
        "--truth",
        truth.to_str().unwrap_or(""),
        "--method",
        "majority",
    ])
    .expect("assess runs");
    assert!(out.contains("accuracy 1.0000 (2 of 2 right)"), "{out}");
    assert!(out.contains("SOURCES") && out.contains("OBJECTS"));
}

#[rstest]
#[case::bad_header(
    "src,object,value\na,b,c\n",
    "line 1: expected the header source,object,value"
)]
#[case::too_few_fields("source,object,value\na,q,x\nb,q\n", "line 3: expected 3 fields")]
#[case::too_many_fields("source,object,value\na,q,x,extra\n", "line 2: expected 3 fields")]
#[case::unclosed_quote(
    "source,object,value\na,q,x\nb,\"q,x\n",
    "line 3, column 1: quoted field not closed"
)]
#[case::stray_quote(
    "source,object,value\na,q\"q,x\n",
    "line 2, column 4: quote inside an unquoted field"
)]
#[case::after_quote(
    "source,object,value\na,\"q\"x,y\n",
    "line 2, column 6: text after a closing quote"
)]
#[case::empty_value("source,object,value\na,q,x\nb,q,\n", "line 3, column 5: empty value")]
#[case::empty_file("", "empty file")]
#[case::no_claims("source,object,value\n", "no claims")]
fn malformed_claims_are_reported_with_line_and_column(#[case] text: &str, #[case] expected: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let claims = write(dir.path(), "claims.csv", text);
    let err = assess(&["--claims", claims.to_str().unwrap_or("")]).expect_err("must fail");
    let msg = format!("{err:#}");
    assert!(msg.contains(expected), "{msg}");
    assert!(msg.contains("claims.csv"), "{msg}");
}

#[test]
fn quoted_fields_with_commas_and_line_breaks_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let claims = write(
        dir.path(),
        "claims.csv",
        "source,object,value\r\n\"a, inc\",\"gary, indiana\",\"1\"\"2\"\r\nb,\"multi\nline\",3\r\n",
    );
    let out = assess(&[
        "--claims",
        claims.to_str().unwrap_or(""),
        "--format",
        "json",
    ])
    .expect("runs");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let objects: Vec<&str> = v["objects"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o["object"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(objects, ["gary, indiana", "multi\nline"]);
    assert_eq!(v["objects"][0]["value"], "1\"2");
    assert_eq!(v["sources"][0]["source"], "a, inc");
}

#[test]
fn generate_writes_a_data_set_that_assess_scores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("synth");
    let msg = assess(&[
        "generate",
        "--sources",
        "20",
        "--objects",
        "100",
        "--claims-per-object",
        "5",
        "--copiers",
        "0.2",
        "--seed",
        "4",
        "--out",
        out_dir.to_str().unwrap_or(""),
    ])
    .expect("generate runs");
    assert!(msg.contains("wrote 500 claims"), "{msg}");
    for f in ["claims.csv", "truth.csv", "sources.csv"] {
        assert!(out_dir.join(f).exists(), "{f}");
    }
    let sources = std::fs::read_to_string(out_dir.join("sources.csv")).unwrap_or_default();
    // 20 sources, a fifth of them copiers: four rows name an original.
    let copiers = sources
        .lines()
        .skip(1)
        .filter(|l| !l.ends_with(','))
        .count();
    assert_eq!(copiers, 4);
    let report = assess(&[
        "--claims",
        out_dir.join("claims.csv").to_str().unwrap_or(""),
        "--truth",
        out_dir.join("truth.csv").to_str().unwrap_or(""),
        "--format",
        "json",
    ])
    .expect("assess runs");
    let v: serde_json::Value = serde_json::from_str(&report).expect("json");
    assert!(v["accuracy"]["accuracy"].as_f64().unwrap_or(0.0) > 0.8);
}

#[test]
fn outcomes_anchor_the_estimate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let claims = write(dir.path(), "claims.csv", CLAIMS);
    let outcomes = write(dir.path(), "outcomes.csv", "object,value\nq1,y\n");
    let out = assess(&[
        "--claims",
        claims.to_str().unwrap_or(""),
        "--outcomes",
        outcomes.to_str().unwrap_or(""),
        "--format",
        "json",
    ])
    .expect("runs");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["objects"][0]["value"], "y");
    assert_eq!(v["objects"][0]["confidence"], 1.0);
}

#[test]
fn claims_are_required_without_a_subcommand() {
    assert!(assess(&[]).is_err());
}

/// A field as a CSV writer quotes it: always, with quotes doubled.
fn quoted(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever the names hold — commas, quotes, line breaks, any script — a claims file
    /// written with standard quoting reads back to exactly those sources and objects.
    #[test]
    fn any_quoted_names_read_back_as_written(
        rows in proptest::collection::vec(
            (
                "[a-zé,\"\n ]{0,6}[a-z0-9é,\"]",
                "[a-zé,\"\r\n ]{0,6}[a-z0-9é,\"]",
                "[a-z0-9,\"\n]{0,3}[a-z0-9,\"]",
            ),
            1..12,
        ),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut text = String::from("source,object,value\r\n");
        for (s, o, v) in &rows {
            text.push_str(&format!("{},{},{}\r\n", quoted(s), quoted(o), quoted(v)));
        }
        let claims = write(dir.path(), "claims.csv", &text);
        let out = assess(&["--claims", claims.to_str().unwrap_or(""), "--format", "json"]);
        let out = out.map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e:#}\n{text}")))?;
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let names = |key: &str, field: &str| -> std::collections::BTreeSet<String> {
            v[key]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x[field].as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let want_sources: std::collections::BTreeSet<String> =
            rows.iter().map(|r| r.0.clone()).collect();
        let want_objects: std::collections::BTreeSet<String> =
            rows.iter().map(|r| r.1.clone()).collect();
        proptest::prop_assert_eq!(names("sources", "source"), want_sources);
        proptest::prop_assert_eq!(names("objects", "object"), want_objects);
    }

    /// Any bytes after a good header — broken quotes, stray fields, invalid UTF-8 — give
    /// either claims or an error that names the file and the line, never a panic.
    #[test]
    fn any_bytes_give_claims_or_an_error_naming_the_line(
        body in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(vec![b',', b'"', b'\n', b'\r', b'a', b'b', b' ']),
                proptest::num::u8::ANY,
            ],
            0..60,
        ),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("claims.csv");
        let mut bytes = b"source,object,value\n".to_vec();
        bytes.extend_from_slice(&body);
        std::fs::write(&path, &bytes).expect("write");
        if let Err(e) = assess(&["--claims", path.to_str().unwrap_or(""), "--format", "json"]) {
            let msg = format!("{e:#}");
            proptest::prop_assert!(msg.contains("claims.csv"), "{}", msg);
            proptest::prop_assert!(
                msg.contains("line ") || msg.contains("no claims"),
                "{}", msg
            );
        }
    }
}
