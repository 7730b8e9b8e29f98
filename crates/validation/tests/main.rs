//! Behaviour of the validation engine as a user of the library sees it.

use humint_validation::synthetic::{SyntheticParams, generate};
use humint_validation::{
    ClaimSet, ClaimSetBuilder, CopyAware, DawidSkene, Grade, METHOD_NAMES, MajorityVote, Method,
    Numeric, OneCoin, Outcomes, default_method, method_by_name,
};
use proptest::prelude::*;
use rstest::rstest;

fn claims(rows: &[(&str, &str, &str)]) -> ClaimSet {
    let mut b = ClaimSetBuilder::new();
    for (s, o, v) in rows {
        b.push(s, o, v);
    }
    b.build()
}

fn value<'a>(
    est: &'a humint_validation::Estimate,
    c: &'a ClaimSet,
    object: &str,
) -> Option<&'a str> {
    est.value_text(c, c.object_id(object)?)
}

const SMALL: &[(&str, &str, &str)] = &[
    ("a", "q1", "x"),
    ("b", "q1", "x"),
    ("c", "q1", "y"),
    ("a", "q2", "u"),
    ("b", "q2", "u"),
    ("c", "q2", "u"),
];

#[test]
fn majority_vote_counts_claims() {
    let c = claims(SMALL);
    let est = MajorityVote.estimate(&c, &Outcomes::new());
    assert_eq!(value(&est, &c, "q1"), Some("x"));
    let q1 = c.object_id("q1").unwrap_or(0) as usize;
    assert!((est.objects[q1].confidence - 2.0 / 3.0).abs() < 1e-12);
    // Source c is right on one of two claims.
    let sc = c.source_id("c").unwrap_or(0) as usize;
    assert!((est.sources[sc].reliability - (1.0 / 3.0 + 1.0) / 2.0).abs() < 1e-12);
}

#[test]
fn one_coin_one_step_matches_hand_computation() {
    // Start: majority shares q1 = {x: 2/3, y: 1/3}. Accuracies with Beta(2,1):
    // a = b = (2/3 + 1 + 2) / 5 = 0.7333…, c = (1/3 + 1 + 2) / 5 = 0.6667.
    // One wrong value on q1, so weights are ln(A / (1 − A)): x gets 2·ln(2.75), y ln 2.
    let c = claims(SMALL);
    let m = OneCoin {
        iterations: 1,
        tolerance: 0.0,
        prior: (2.0, 1.0),
    };
    let est = m.estimate(&c, &Outcomes::new());
    let q1 = c.object_id("q1").unwrap_or(0) as usize;
    let expected = 1.0 / (1.0 + (2.0f64.ln() - 2.0 * 2.75f64.ln()).exp());
    assert_eq!(value(&est, &c, "q1"), Some("x"));
    assert!((est.objects[q1].confidence - expected).abs() < 1e-12);
}

/// The list model's first step by hand. Source a lists the authors `p|q`, source b only
/// `p`. Start: p listed by both (1), q by half (0.5). With Beta(1, 1) priors, a's
/// sensitivity is (1.5 + 1)/(1.5 + 2) and its false-positive rate (0.5 + 1)/(0.5 + 2); b's
/// (1 + 1)/(1.5 + 2) and (0 + 1)/(0.5 + 2). Then q's log-odds are
/// ln(sens_a/fpr_a) + ln((1 − sens_b)/(1 − fpr_b)), and p's cancel between the two lists,
/// so `p` (without q) is the value with probability 1 − P(q).
#[test]
fn list_model_one_step_matches_hand_computation() {
    let c = claims(&[("a", "book", "p|q"), ("b", "book", "p")]);
    let m = humint_validation::ListModel {
        iterations: 1,
        sensitivity_prior: (1.0, 1.0),
        false_positive_prior: (1.0, 1.0),
    };
    let est = m.estimate(&c, &Outcomes::new());
    let (sens_a, fpr_a): (f64, f64) = (2.5 / 3.5, 1.5 / 2.5);
    let (sens_b, fpr_b): (f64, f64) = (2.0 / 3.5, 1.0 / 2.5);
    let q = 1.0 / (1.0 + (-((sens_a / fpr_a).ln() + ((1.0 - sens_b) / (1.0 - fpr_b)).ln())).exp());
    assert_eq!(value(&est, &c, "book"), Some("p"));
    let book = c.object_id("book").unwrap_or(0) as usize;
    assert!(
        (est.objects[book].confidence - (1.0 - q)).abs() < 1e-12,
        "{:?}",
        est.objects[book]
    );
}

#[test]
fn numeric_model_lets_close_figures_support_each_other() {
    // Two sources say about 100, two (individually more numerous) say exactly 200.
    let c = claims(&[
        ("a", "city", "100000"),
        ("b", "city", "100050"),
        ("c", "city", "100020"),
        ("d", "city", "200000"),
        ("e", "city", "200000"),
    ]);
    let mv = MajorityVote.estimate(&c, &Outcomes::new());
    assert_eq!(value(&mv, &c, "city"), Some("200000"));
    let est = Numeric::default().estimate(&c, &Outcomes::new());
    let v: f64 = value(&est, &c, "city")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    assert!((v - 100_000.0).abs() < 100.0, "got {v}");
}

#[test]
fn dawid_skene_matches_crowd_kit_on_bluebird() {
    // Reference: crowd-kit 1.4.2 DawidSkene(n_iter=10) on bluebird (Welinder et al.
    // 2010); see tests/fixtures/make_ds_reference.py.
    let text = include_str!("fixtures/bluebird_claims.csv");
    let mut b = ClaimSetBuilder::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        b.push(f[0], f[1], f[2]);
    }
    let c = b.build();
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/ds_reference_bluebird.json"))
            .unwrap_or_default();
    let labels: Vec<String> = reference["labels"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let probas = reference["probas"].as_object().cloned().unwrap_or_default();
    assert_eq!(probas.len(), 108);
    let ds = DawidSkene {
        iterations: 10,
        tolerance: 0.0,
        smoothing: 0.0,
        ..DawidSkene::default()
    };
    let est = ds.estimate(&c, &Outcomes::new());
    let mut checked = 0;
    for (task, row) in &probas {
        let o = c.object_id(task).unwrap_or(u32::MAX);
        let best_ref = row
            .as_array()
            .map(|r| {
                let p: Vec<f64> = r.iter().filter_map(|x| x.as_f64()).collect();
                let i = if p[0] >= p[1] { 0 } else { 1 };
                (labels[i].clone(), p[i])
            })
            .unwrap_or_default();
        assert_eq!(
            value(&est, &c, task),
            Some(best_ref.0.as_str()),
            "task {task}"
        );
        let conf = est.objects[o as usize].confidence;
        assert!(
            (conf - best_ref.1).abs() < 1e-6,
            "task {task}: {conf} vs {}",
            best_ref.1
        );
        checked += 1;
    }
    assert_eq!(checked, 108);
}

#[rstest]
#[case::auto("auto")]
#[case::majority("majority")]
#[case::one_coin("one-coin")]
#[case::dawid_skene("dawid-skene")]
#[case::smoothed("dawid-skene-smoothed")]
#[case::copy_aware("copy-aware")]
#[case::numeric("numeric")]
#[case::list("list")]
#[case::ordinal("dawid-skene-ordinal")]
fn results_do_not_depend_on_row_order(#[case] name: &str) {
    let data = generate(&SyntheticParams {
        sources: 30,
        objects: 200,
        claims_per_object: 5,
        copiers: 0.2,
        seed: 3,
        ..SyntheticParams::default()
    });
    let rows: Vec<(String, String, String)> = data
        .claims
        .iter()
        .map(|&(s, o, v)| (format!("s{s}"), format!("o{o}"), v.to_string()))
        .collect();
    let build = |order: &mut dyn Iterator<Item = &(String, String, String)>| {
        let mut b = ClaimSetBuilder::new();
        for (s, o, v) in order {
            b.push(s, o, v);
        }
        b.build()
    };
    let forward = build(&mut rows.iter());
    let backward = build(&mut rows.iter().rev());
    // A deterministic shuffle: stride through the rows.
    let n = rows.len();
    let shuffled = build(&mut (0..n).map(|i| &rows[(i * 7919 + 13) % n]));
    let m = method_by_name(name).expect("listed method");
    let a = m.estimate(&forward, &Outcomes::new());
    assert_eq!(a, m.estimate(&backward, &Outcomes::new()));
    assert_eq!(a, m.estimate(&shuffled, &Outcomes::new()));
}

#[test]
fn every_listed_method_exists() {
    for name in METHOD_NAMES {
        assert!(method_by_name(name).is_some(), "{name}");
    }
    assert!(method_by_name("nonsense").is_none());
}

#[test]
fn outcomes_anchor_objects_and_judge_sources() {
    // Everyone but d says "no"; the confirmed outcome is "yes".
    let c = claims(&[
        ("a", "q", "no"),
        ("b", "q", "no"),
        ("c", "q", "no"),
        ("d", "q", "yes"),
        ("a", "r", "1"),
        ("d", "r", "1"),
    ]);
    let mut outcomes = Outcomes::new();
    outcomes.insert("q", "yes");
    outcomes.insert("unknown-object", "ignored");
    let est = default_method().estimate(&c, &outcomes);
    let q = c.object_id("q").unwrap_or(0) as usize;
    assert_eq!(value(&est, &c, "q"), Some("yes"));
    assert!(est.objects[q].anchored);
    assert_eq!(est.objects[q].confidence, 1.0);
    let rel = |s: &str| est.sources[c.source_id(s).unwrap_or(0) as usize].reliability;
    assert!(rel("d") > rel("b"));
    // An outcome nobody claimed is still reported.
    let mut other = Outcomes::new();
    other.insert("q", "maybe");
    let est = MajorityVote.estimate(&c, &other);
    assert_eq!(value(&est, &c, "q"), Some("maybe"));
}

/// A fabricator: forty reports nobody else makes, and on ten subjects a value that three
/// sources who agree with each other contradict; the three, and a fourth, also report on
/// thirty other subjects two at a time, agreeing mostly. Reports nobody else makes cannot
/// be checked, so they neither raise the fabricator (before, they were each "certain" and
/// made it the most reliable source, graded A, with the three honest sources judged
/// copiers of each other) nor count towards its record; a lone report is as likely right
/// as its source's record says; and a source whose every report is lone cannot be judged.
#[rstest]
#[case::names("names")]
#[case::figures("figures")]
#[case::lists("lists")]
fn reports_nobody_else_makes_do_not_make_a_source_reliable(#[case] kind: &str) {
    let said = |i: usize, other: bool| match kind {
        "figures" => (1000 + 7 * i + if other { 500 } else { 0 }).to_string(),
        "lists" if other => format!("c{i}|d{i}"),
        "lists" => format!("a{i}|b{i}"),
        _ if other => format!("other {i}"),
        _ => format!("value {i}"),
    };
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut row = |s: &str, o: String, v: String| rows.push((s.to_owned(), o, v));
    for i in 0..40 {
        row("fabricator", format!("u{i}"), said(100 + i, false));
    }
    for i in 0..10 {
        for h in ["h1", "h2", "h3"] {
            row(h, format!("c{i}"), said(i, false));
        }
        row("fabricator", format!("c{i}"), said(i, true));
    }
    let honest = ["h1", "h2", "h3", "h4"];
    for i in 0..30 {
        let pair = [honest[i % 4], honest[(i + 1 + i / 4) % 4]];
        for (j, h) in pair.iter().enumerate() {
            // One in ten disagrees.
            row(h, format!("d{i}"), said(50 + i, j == 1 && i % 10 == 3));
        }
    }
    for i in 0..12 {
        row("loner", format!("l{i}"), said(200 + i, false));
    }
    let c = {
        let mut b = ClaimSetBuilder::new();
        for (s, o, v) in &rows {
            b.push(s, o, v);
        }
        b.build()
    };
    let methods: Vec<Box<dyn Method>> = vec![
        default_method(),
        Box::new(CopyAware::default()),
        Box::new(OneCoin::default()),
        Box::new(Numeric::default()),
    ];
    for m in methods {
        let est = m.estimate(&c, &Outcomes::new());
        let src = |s: &str| est.sources[c.source_id(s).unwrap_or(0) as usize];
        let name = m.name();
        for i in 0..10 {
            assert_eq!(
                value(&est, &c, &format!("c{i}")).map(str::to_owned),
                Some(said(i, false)),
                "{name}: c{i}"
            );
        }
        let f = src("fabricator");
        assert!(f.reliability < 0.3, "{name}: fabricator {f:?}");
        assert!(matches!(f.grade, Grade::E | Grade::F), "{name}: {f:?}");
        for h in ["h1", "h2", "h3"] {
            assert!(src(h).reliability > 0.7, "{name}: {h} {:?}", src(h));
        }
        // Nothing the loner says can be checked.
        assert_eq!(src("loner").grade, Grade::F, "{name}");
        assert_eq!((src("loner").low, src("loner").high), (0.0, 1.0), "{name}");
        // A lone report is right with its source's record, not certainly.
        let lone = c.object_id("u0").unwrap_or(0) as usize;
        assert!(
            est.objects[lone].confidence < 0.5,
            "{name}: {:?}",
            est.objects[lone]
        );
    }
}

/// A claim set from owned rows.
fn owned_claims(rows: &[(String, String, String)]) -> ClaimSet {
    let mut b = ClaimSetBuilder::new();
    for (s, o, v) in rows {
        b.push(s, o, v);
    }
    b.build()
}

/// Every method that judges sources, the default first.
fn judging_methods() -> Vec<Box<dyn Method>> {
    vec![
        default_method(),
        Box::new(CopyAware::default()),
        Box::new(OneCoin::default()),
        Box::new(MajorityVote),
        Box::new(DawidSkene::default()),
    ]
}

/// Four sources h1–h4 that each report three in four of forty subjects q0–q39, agreeing:
/// a group that can be judged, beside whatever a test puts next to it.
fn judged_crowd(rows: &mut Vec<(String, String, String)>) {
    for i in 0..40 {
        for (j, h) in ["h1", "h2", "h3", "h4"].iter().enumerate() {
            if (i + j) % 4 != 0 {
                rows.push((h.to_string(), format!("q{i}"), format!("t{i}")));
            }
        }
    }
}

/// `names` are not judged (F, the whole interval at its middle, nothing checked), and the
/// crowd's h1 is.
fn assert_not_judged(c: &ClaimSet, est: &humint_validation::Estimate, names: &[&str], m: &str) {
    for s in names {
        let e = est.sources[c.source_id(s).unwrap_or(0) as usize];
        assert_eq!(
            (e.grade, e.low, e.high, e.reliability, e.checked),
            (Grade::F, 0.0, 1.0, 0.5, 0),
            "{m}: {s}"
        );
    }
    let h = est.sources[c.source_id("h1").unwrap_or(0) as usize];
    assert_ne!(h.grade, Grade::F, "{m}: {h:?}");
}

/// Three sources in a chain — x agreeing with y on some subjects, y with z on others, never
/// all three on one — cannot be judged either: each agreement rate is one figure for two
/// accuracies, and along a chain every accuracy can be traded against its neighbours'.
/// When x and z also agree on subjects of their own, the triangle fixes all three; an
/// outcome on one of the chain's subjects does too.
#[test]
fn three_sources_in_a_chain_cannot_be_judged_until_a_triangle_or_an_outcome() {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for i in 0..40 {
        for s in ["x", "y"] {
            rows.push((s.to_owned(), format!("p{i}"), format!("v{i}")));
        }
        for s in ["y", "z"] {
            rows.push((s.to_owned(), format!("r{i}"), format!("w{i}")));
        }
    }
    judged_crowd(&mut rows);
    let chain = owned_claims(&rows);
    for m in judging_methods() {
        let est = m.estimate(&chain, &Outcomes::new());
        assert_not_judged(&chain, &est, &["x", "y", "z"], m.name());
    }
    // x and z agree on twenty subjects of their own: a triangle.
    let mut closed = rows.clone();
    for i in 0..20 {
        for s in ["x", "z"] {
            closed.push((s.to_owned(), format!("u{i}"), format!("k{i}")));
        }
    }
    let closed = owned_claims(&closed);
    for m in judging_methods() {
        let est = m.estimate(&closed, &Outcomes::new());
        for s in ["x", "y", "z"] {
            let e = est.sources[closed.source_id(s).unwrap_or(0) as usize];
            assert_ne!(e.grade, Grade::F, "{}: {s} {e:?}", m.name());
        }
    }
    // Or an outcome confirms one of x and y's subjects: the chain is anchored.
    let mut confirmed = Outcomes::new();
    confirmed.insert("p0", "v0");
    for m in judging_methods() {
        let est = m.estimate(&chain, &confirmed);
        for s in ["x", "y", "z"] {
            let e = est.sources[chain.source_id(s).unwrap_or(0) as usize];
            assert!(e.checked >= 40, "{}: {s} {e:?}", m.name());
        }
    }
}

/// Two sources that agree on fifty things nobody else reports: their agreement is one
/// figure and their accuracies two unknowns, and it looks the same whether both are right
/// or one repeats the other (circular reporting), so neither can be judged, by any method.
/// Once one of them also reports, in agreement, alongside three other sources, the pair is
/// tied to the rest and both are judged again.
#[test]
fn two_sources_that_only_echo_each_other_cannot_be_judged() {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for i in 0..50 {
        for s in ["x", "y"] {
            rows.push((s.to_owned(), format!("p{i}"), format!("v{i}")));
        }
    }
    judged_crowd(&mut rows);
    let closed = owned_claims(&rows);
    for m in judging_methods() {
        let est = m.estimate(&closed, &Outcomes::new());
        assert_not_judged(&closed, &est, &["x", "y"], m.name());
    }
    // y also reports twenty of the subjects the others report on, agreeing with them.
    let mut joined = rows.clone();
    for i in 0..20 {
        joined.push(("y".to_owned(), format!("q{i}"), format!("t{i}")));
    }
    let joined = owned_claims(&joined);
    for m in judging_methods() {
        let est = m.estimate(&joined, &Outcomes::new());
        for s in ["x", "y"] {
            let e = est.sources[joined.source_id(s).unwrap_or(0) as usize];
            assert_ne!(e.grade, Grade::F, "{}: {s} {e:?}", m.name());
        }
    }
}

#[test]
fn thin_evidence_is_graded_f_and_a_long_good_record_is_not() {
    let mut rows = vec![("once", "o0", "1")];
    let objects: Vec<String> = (0..60).map(|i| format!("o{i}")).collect();
    for o in &objects {
        rows.push(("steady", o, "1"));
        rows.push(("other", o, "1"));
    }
    let c = claims(&rows);
    let est = MajorityVote.estimate(&c, &Outcomes::new());
    let grade = |s: &str| est.sources[c.source_id(s).unwrap_or(0) as usize].grade;
    assert_eq!(grade("once"), Grade::F);
    assert_eq!(grade("steady"), Grade::A);
    let s = est.sources[c.source_id("steady").unwrap_or(0) as usize];
    assert!(s.low < s.reliability && s.reliability <= s.high);
}

#[test]
fn copy_detection_tells_copiers_from_independent_sources() {
    let p = SyntheticParams {
        sources: 60,
        objects: 1500,
        claims_per_object: 10,
        copiers: 0.2,
        seed: 11,
        ..SyntheticParams::default()
    };
    let data = generate(&p);
    let mut b = ClaimSetBuilder::new();
    for &(s, o, v) in &data.claims {
        b.push(&format!("s{s:03}"), &format!("o{o}"), &v.to_string());
    }
    let c = b.build();
    let m = CopyAware {
        report_threshold: 0.0,
        ..CopyAware::default()
    };
    let est = m.estimate(&c, &Outcomes::new());
    let id = |s: u32| -> u32 { c.source_name(s)[1..].parse().unwrap_or(0) };
    let (mut pos, mut neg) = (Vec::new(), Vec::new());
    for d in &est.dependencies {
        if data.dependent(id(d.source_a), id(d.source_b)) {
            pos.push(d.probability);
        } else {
            neg.push(d.probability);
        }
    }
    assert!(!pos.is_empty() && !neg.is_empty());
    let mut wins = 0.0;
    for &x in &pos {
        for &y in &neg {
            wins += if x > y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            };
        }
    }
    let auc = wins / (pos.len() * neg.len()) as f64;
    assert!(auc >= 0.95, "AUC {auc}");
}

/// Books whose shops often list only the first author, plus one shop that adds a wrong one.
fn book_rows() -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    for book in 0..6 {
        let full = if book % 2 == 0 {
            "knuth|patashnik"
        } else {
            "aho|ullman"
        };
        let first = full.split('|').next().unwrap_or("");
        for shop in 0..8 {
            // Shops 0–5 list only the first author, 6–7 the full list.
            let v = if shop < 6 { first } else { full };
            rows.push((format!("shop{shop}"), format!("book{book}"), v.to_string()));
        }
    }
    for shop in 0..8 {
        rows.push((format!("shop{shop}"), "single".into(), "hopper".into()));
    }
    rows.push(("shop8".into(), "single".into(), "hopper|wrong".into()));
    rows
}

#[test]
fn list_model_credits_complete_author_lists() {
    let rows = book_rows();
    let refs: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(s, o, v)| (s.as_str(), o.as_str(), v.as_str()))
        .collect();
    let c = claims(&refs);
    // Majority takes the incomplete listing …
    let mv = MajorityVote.estimate(&c, &Outcomes::new());
    assert_eq!(value(&mv, &c, "book0"), Some("knuth"));
    // … the item-wise model sees that leaving an author out is not denying them, while
    // one shop adding an author nobody else lists does not make it true.
    let est = method_by_name("list")
        .expect("listed")
        .estimate(&c, &Outcomes::new());
    for book in 0..6 {
        let want = if book % 2 == 0 {
            "knuth|patashnik"
        } else {
            "aho|ullman"
        };
        assert_eq!(value(&est, &c, &format!("book{book}")), Some(want));
    }
    assert_eq!(value(&est, &c, "single"), Some("hopper"));
    // And the default recognises list values and uses that model.
    let auto = default_method().estimate(&c, &Outcomes::new());
    assert_eq!(auto.method, "auto:list");
    assert_eq!(value(&auto, &c, "book0"), Some("knuth|patashnik"));
}

#[test]
fn default_chooses_full_confusion_when_errors_depend_on_the_class() {
    // 20 sources label 300 items 0/1: half never miss a 1 but call 40 % of 0s "1", the
    // other half the mirror image. One accuracy per source cannot describe that; a
    // confusion matrix can, and predicts held-out claims better.
    let mut rng = humint_validation::synthetic::SplitMix64::new(11);
    let mut b = ClaimSetBuilder::new();
    for item in 0..300 {
        let truth = rng.below(2);
        for s in 0..20 {
            let slip = rng.unit() < 0.4;
            let said = match (s % 2, truth) {
                (0, 0) if slip => 1,
                (1, 1) if slip => 0,
                _ => truth,
            };
            b.push(&format!("s{s}"), &format!("i{item}"), &said.to_string());
        }
    }
    let c = b.build();
    assert_eq!(humint_validation::Auto::choose(&c), "dawid-skene-smoothed");
}

#[test]
fn default_chooses_one_accuracy_when_sources_are_sparse() {
    // 300 sources with about 27 claims each over four classes, errors spread evenly:
    // too few claims for 16 parameters per source.
    let data = generate(&SyntheticParams {
        sources: 300,
        objects: 2000,
        claims_per_object: 4,
        copiers: 0.0,
        seed: 4,
        ..SyntheticParams::default()
    });
    let mut b = ClaimSetBuilder::new();
    for &(s, o, v) in &data.claims {
        b.push(&format!("s{s}"), &format!("o{o}"), &v.to_string());
    }
    let c = b.build();
    assert_eq!(humint_validation::Auto::choose(&c), "one-coin");
    let est = default_method().estimate(&c, &Outcomes::new());
    assert_eq!(est.method, "auto:one-coin");
}

/// The kinds of values the property test below draws claims from.
const VALUE_POOLS: [&[&str]; 4] = [
    &["0", "1", "2", "3"],
    &["ann", "bob", "cy", "dee", "eve"],
    &["100", "101", "250", "99.5", "-3"],
    &["p|q", "p", "q|r", "p|q|r", "s"],
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Whatever the claims (labels, names, figures or lists; one source or many; an object
    /// claimed once or by everyone; a source giving two values for one object) and whatever
    /// outcomes are confirmed (on a claimed value, on a value nobody claimed, on an object
    /// nobody claimed), every method answers without panicking, and what it answers is
    /// coherent: one estimate per object and per source, probabilities within [0, 1],
    /// each source's reliability inside its interval, at most its claims checked, a source
    /// with none checked at the middle of the whole interval and graded F, confirmed values
    /// shown as such, and each dependent pair named once in order.
    #[test]
    fn every_method_answers_coherently_on_any_claims(
        pool in 0usize..4,
        rows in prop::collection::vec((0u8..6, 0u8..8, 0usize..5), 1..40),
        confirmed in prop::collection::vec((0u8..10, 0usize..6), 0..3),
    ) {
        let values = VALUE_POOLS[pool];
        let mut b = ClaimSetBuilder::new();
        for &(s, o, v) in &rows {
            b.push(&format!("s{s}"), &format!("o{o}"), values[v % values.len()]);
        }
        let c = b.build();
        let mut outcomes = Outcomes::new();
        for &(o, v) in &confirmed {
            // Index 5 is a value nobody claims; objects 8 and 9 are claimed by nobody.
            let value = values.get(v).copied().unwrap_or("unheard of");
            outcomes.insert(format!("o{o}"), value);
        }
        for name in METHOD_NAMES {
            let Some(m) = method_by_name(name) else {
                return Err(TestCaseError::fail(format!("{name} is listed but missing")));
            };
            let est = m.estimate(&c, &outcomes);
            prop_assert_eq!(est.objects.len(), c.n_objects(), "{}", name);
            prop_assert_eq!(est.sources.len(), c.n_sources(), "{}", name);
            for (o, e) in est.objects.iter().enumerate() {
                prop_assert!((0.0..=1.0).contains(&e.confidence), "{}: {:?}", name, e);
                let object = c.object_name(o as u32);
                let confirmed_here = confirmed.iter().rev().find(|&&(x, _)| format!("o{x}") == object);
                if let Some(&(_, v)) = confirmed_here {
                    let want = values.get(v).copied().unwrap_or("unheard of");
                    prop_assert!(e.anchored, "{}: {} {:?}", name, object, e);
                    prop_assert_eq!(est.value_text(&c, o as u32), Some(want), "{}", name);
                    prop_assert_eq!(e.confidence, 1.0, "{}", name);
                } else {
                    prop_assert!(!e.anchored, "{}: {} {:?}", name, object, e);
                }
            }
            for (s, e) in est.sources.iter().enumerate() {
                let claims = c.source_claims(s as u32).len() as u32;
                prop_assert_eq!(e.claims, claims, "{}", name);
                prop_assert!(e.checked <= e.claims, "{}: {:?}", name, e);
                prop_assert!(
                    0.0 <= e.low && e.low <= e.reliability && e.reliability <= e.high && e.high <= 1.0,
                    "{}: {:?}", name, e
                );
                if e.checked == 0 {
                    prop_assert_eq!((e.low, e.high, e.reliability, e.grade), (0.0, 1.0, 0.5, Grade::F), "{}", name);
                }
            }
            for d in &est.dependencies {
                prop_assert!(d.source_a < d.source_b, "{}: {:?}", name, d);
                prop_assert!((d.source_b as usize) < c.n_sources(), "{}: {:?}", name, d);
                prop_assert!((0.0..=1.0).contains(&d.probability), "{}: {:?}", name, d);
            }
        }
    }
}
