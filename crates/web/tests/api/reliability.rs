//! Whom to believe, through the API (issue 4): suggestions that follow outcomes, F for thin
//! evidence, the circular-reporting warning, the rationale a departing grade needs, and who may
//! read all this. Each test runs on both backends.

use crate::handling::{COMPARTMENT, OTHER, World};
use crate::harness::assert_refused;
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const OBSERVED: &str = "2026-03-01T10:00:00Z";

/// Files one report on `source` with the given (subject, attribute, value) claims, as the
/// handler; returns the report id and its claim ids.
pub(crate) async fn file(
    w: &World,
    token: &str,
    source: &str,
    claims: &[(String, &str, String)],
) -> (String, Vec<String>) {
    let claims: Vec<Value> = claims
        .iter()
        .map(|(s, a, v)| json!({"subject": s, "attribute": a, "value": v, "observed_at": OBSERVED}))
        .collect();
    let (status, report) =
        w.t.post_json(
            Some(token),
            &format!("/api/v1/sources/{source}/reports"),
            json!({"text": "Debrief.", "claims": claims}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let ids = report["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .map(|c| c["id"].as_str().expect("claim id").to_owned())
        .collect();
    (report["id"].as_str().expect("id").to_owned(), ids)
}

async fn outcome(w: &World, token: &str, claim: &str, verdict: &str) {
    let (status, body) =
        w.t.post_json(
            Some(token),
            &format!("/api/v1/claims/{claim}/outcomes"),
            json!({"verdict": verdict, "means": "technical_collection"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

pub(crate) async fn reliability(w: &World, token: &str, source: &str) -> Value {
    let (status, body) =
        w.t.get(
            Some(token),
            &format!("/api/v1/sources/{source}/reliability"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub(crate) async fn assessment(w: &World, token: &str, report: &str) -> Value {
    let (status, body) =
        w.t.get(Some(token), &format!("/api/v1/reports/{report}/assessment"))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn letter(r: &Value) -> &str {
    r["suggestion"]["letter"].as_str().unwrap_or("none")
}

/// The codes of a reliability answer's warning signs.
pub(crate) fn codes(r: &Value) -> Vec<&str> {
    r["warnings"]
        .as_array()
        .map(|w| w.iter().filter_map(|x| x["code"].as_str()).collect())
        .unwrap_or_default()
}

/// Ten claims on subjects only this source speaks to.
fn own_claims(tag: &str, n: usize) -> Vec<(String, &'static str, String)> {
    (0..n)
        .map(|i| {
            (
                format!("{tag} subject {i}"),
                "location",
                format!("{tag} place {i}"),
            )
        })
        .collect()
}

/// Ten claims on subjects another source speaks to as well, with a value of its own.
fn contested(tag: &str) -> Vec<(String, &'static str, String)> {
    (0..10)
        .map(|i| {
            (
                format!("contested subject {i}"),
                "location",
                format!("{tag} place {i}"),
            )
        })
        .collect()
}

/// A world with a source confirmed by outcomes against a rival that contradicts it, a
/// fabricator refuted by them and a source with two claims; returns (world, handler token,
/// analyst token, [confirmed, rival, fabricator, thin] source ids, the fabricator's report id).
async fn outcomes_world(backend: Backend) -> Option<(World, String, String, [String; 4], String)> {
    let w = World::new(backend).await?;
    let confirmed = w.source("1980-01-01").await;
    let fabricator = w.source("1981-01-01").await;
    let thin = w.source("1982-01-01").await;
    let rival = w.source("1983-01-01").await;
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    let (_, good) = file(&w, &handler, &confirmed, &contested("truth")).await;
    file(&w, &handler, &rival, &contested("false")).await;
    let (fab_report, bad) = file(&w, &handler, &fabricator, &own_claims("bad", 10)).await;
    file(&w, &handler, &thin, &own_claims("thin", 2)).await;
    // Outcomes arrive a minute apart, each re-estimating the compartment.
    for c in &good {
        w.t.clock.advance(chrono::Duration::minutes(1));
        outcome(&w, &analyst, c, "confirmed").await;
    }
    for c in &bad {
        w.t.clock.advance(chrono::Duration::minutes(1));
        outcome(&w, &analyst, c, "refuted").await;
    }
    Some((
        w,
        handler,
        analyst,
        [confirmed, rival, fabricator, thin],
        fab_report,
    ))
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn outcomes_drive_the_suggestion_and_thin_evidence_gets_f(#[case] backend: Backend) {
    let Some((w, _handler, analyst, [confirmed, rival, fabricator, thin], fab_report)) =
        outcomes_world(backend).await
    else {
        return;
    };

    let good = reliability(&w, &analyst, &confirmed).await;
    assert!(matches!(letter(&good), "A" | "B"), "{good}");
    let s = &good["suggestion"];
    assert_eq!(s["claims"], 10, "{good}");
    assert_eq!(s["evidence"]["outcomes_confirmed"], 10, "{good}");
    assert!(s["low"].as_f64() <= s["reliability"].as_f64(), "{good}");
    assert!(s["reliability"].as_f64() <= s["high"].as_f64(), "{good}");
    assert!(
        s["method"].as_str().is_some_and(|m| m.starts_with("auto")),
        "{good}"
    );
    // Nothing to judge at first (claims nobody else made), nor once the rival contradicted
    // them (one word against another's: two sources alone cannot be told apart), so the
    // middle of the whole interval and F; then rising with each confirmation (each
    // re-estimating); the history ends at the suggestion, in time order.
    let history = good["history"].as_array().expect("history");
    let points: Vec<(f64, &str)> = history
        .iter()
        .map(|p| {
            (
                p["reliability"].as_f64().unwrap_or(-1.0),
                p["letter"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let tie = points.iter().rposition(|p| *p == (0.5, "F"));
    assert_eq!(points.first(), Some(&(0.5, "F")), "{good}");
    let after: Vec<f64> = points[tie.unwrap_or(0)..].iter().map(|p| p.0).collect();
    assert!(
        after.len() >= 10 && after.windows(2).all(|w| w[0] < w[1]),
        "{good}"
    );
    let times: Vec<&str> = history.iter().filter_map(|p| p["at"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{good}");
    let last = &history[history.len() - 1];
    assert_eq!(
        (&last["letter"], &last["reliability"]),
        (&s["letter"], &s["reliability"]),
        "{good}"
    );
    // The source it contradicted is now the one not believed.
    let rival = reliability(&w, &analyst, &rival).await;
    assert!(matches!(letter(&rival), "D" | "E"), "{rival}");
    assert_eq!(
        rival["suggestion"]["evidence"]["claims_contradicted"], 10,
        "{rival}"
    );

    let bad = reliability(&w, &analyst, &fabricator).await;
    assert!(matches!(letter(&bad), "D" | "E"), "{bad}");
    assert_eq!(
        bad["suggestion"]["evidence"]["outcomes_refuted"], 10,
        "{bad}"
    );
    assert!(
        bad["suggestion"]["reliability"].as_f64() < good["suggestion"]["reliability"].as_f64(),
        "{bad} vs {good}"
    );

    // Refuted ten times and never confirmed: the warning sign, with its figures; the source
    // outcomes confirm, and the one the estimate merely disbelieves, have none.
    assert_eq!(codes(&bad), ["CONTRADICTED_BY_OUTCOMES"], "{bad}");
    assert!(
        bad["warnings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("refuted 10") && m.contains("confirmed 0")),
        "{bad}"
    );
    assert!(codes(&good).is_empty(), "{good}");
    assert!(codes(&rival).is_empty(), "{rival}");
    // The analyst grading one of its reports sees them beside the suggestion.
    let page = crate::ui::Browser::sign_in(&w.t, &w.analyst)
        .await
        .get(&format!("/reports/{fab_report}"))
        .await;
    let signs = page
        .body
        .split_once("id=\"source-warning-signs\"")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no warning signs on the report page: {}", page.body));
    assert!(signs.contains("Outcomes refuted 10"), "{}", page.body);

    let thin = reliability(&w, &analyst, &thin).await;
    assert_eq!(letter(&thin), "F", "{thin}");
    assert_eq!(
        thin["suggestion"]["label"], "reliability cannot be judged",
        "{thin}"
    );

    // Ten claims nobody else speaks to and no outcome: nothing to judge them by, so F
    // however consistent they look.
    let unchecked = w.source("1985-01-01").await;
    let handler = w.token(&w.handler).await;
    file(&w, &handler, &unchecked, &own_claims("unchecked", 10)).await;
    let unchecked = reliability(&w, &analyst, &unchecked).await;
    assert_eq!(
        (
            letter(&unchecked),
            &unchecked["suggestion"]["evidence"]["claims_judged"]
        ),
        ("F", &json!(0)),
        "{unchecked}"
    );
    assert_eq!(bad["suggestion"]["evidence"]["claims_judged"], 10, "{bad}");

    // A source with no claims yet has nothing to suggest.
    let fresh = w.source("1984-01-01").await;
    let none = reliability(&w, &analyst, &fresh).await;
    assert_eq!(
        (&none["suggestion"], &none["history"]),
        (&Value::Null, &json!([])),
        "{none}"
    );
}

/// A fabricator files thirty reports on subjects nobody else reports on, and on ten
/// subjects a value three other sources, who agree with each other, contradict; a loner
/// files twelve reports nobody else touches. Reports nobody can check are no evidence: the
/// fabricator is graded on the ten that could be checked (all contradicted), the three
/// keep their standing, the loner cannot be judged, and an uncorroborated report is not
/// shown as certain.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn reports_nobody_else_makes_do_not_raise_their_source(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    let fabricator = w.source("1960-01-01").await;
    let loner = w.source("1961-01-01").await;
    let mut honest = Vec::new();
    for k in 0..3 {
        let s = w.source(&format!("196{}-01-01", k + 2)).await;
        file(&w, &handler, &s, &contested("truth")).await;
        honest.push(s);
    }
    let mut fab_claims = own_claims("invented", 30);
    fab_claims.extend(contested("invented"));
    let (fab_report, _) = file(&w, &handler, &fabricator, &fab_claims).await;
    file(&w, &handler, &loner, &own_claims("unchecked", 12)).await;

    let fab = reliability(&w, &analyst, &fabricator).await;
    assert_eq!(letter(&fab), "E", "{fab}");
    assert!(
        fab["suggestion"]["reliability"].as_f64() < Some(0.3),
        "{fab}"
    );
    assert_eq!(fab["suggestion"]["claims"], 40, "{fab}");
    for s in &honest {
        let r = reliability(&w, &analyst, s).await;
        // Ten claims each, every one corroborated twice: believed, though ten claims
        // are a short record.
        assert!(r["suggestion"]["reliability"].as_f64() > Some(0.7), "{r}");
        assert!(!matches!(letter(&r), "D" | "E"), "{r}");
    }
    let lone = reliability(&w, &analyst, &loner).await;
    assert_eq!(letter(&lone), "F", "{lone}");
    assert_eq!(
        (&lone["suggestion"]["low"], &lone["suggestion"]["high"]),
        (&json!(0.0), &json!(1.0)),
        "{lone}"
    );
    // The fabricator's uncorroborated reports are as likely right as its record says.
    let a = assessment(&w, &analyst, &fab_report).await;
    let claims = a["claims"].as_array().expect("claims");
    assert_eq!(claims.len(), 40, "{a}");
    for c in claims {
        assert!(c["probability"].as_f64() < Some(0.3), "{c}");
    }
}

/// Two sources that report the same twelve things and nobody else does: whether both are
/// right or one repeats the other cannot be told, so neither earns a letter from it (F,
/// the whole interval), and the report's claims are not shown as confirmed.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn two_sources_that_only_echo_each_other_are_not_judged(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    let first = w.source("1950-01-01").await;
    let second = w.source("1951-01-01").await;
    file(&w, &handler, &first, &own_claims("echoed", 12)).await;
    let (report, _) = file(&w, &handler, &second, &own_claims("echoed", 12)).await;
    for s in [&first, &second] {
        let r = reliability(&w, &analyst, s).await;
        assert_eq!(letter(&r), "F", "{r}");
        let sug = &r["suggestion"];
        assert_eq!(
            (&sug["low"], &sug["high"]),
            (&json!(0.0), &json!(1.0)),
            "{r}"
        );
    }
    let a = assessment(&w, &analyst, &report).await;
    for c in a["claims"].as_array().expect("claims") {
        let digit = c["credibility"].as_u64().expect("a digit");
        assert!(digit > 1, "{c}");
    }
    // The source page says why, and what would change it.
    let page = crate::ui::Browser::sign_in(&w.t, &w.analyst)
        .await
        .get(&format!("/sources/{first}"))
        .await;
    for line in [
        "0 of its claims could be checked against another source or an outcome.",
        "linked to it only in a pair or a chain, which nobody else checks, so its accuracy cannot be told from repetition: it will be judged once a third source reports on one of those subjects, or an outcome settles one.",
    ] {
        assert!(page.body.contains(line), "{line}\n{}", page.body);
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_copier_corroborating_its_original_is_circular_reporting(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    // Three independent sources report the truth on twenty subjects; one source invents a
    // value for each and another repeats the inventions word for word.
    let truth: Vec<(String, &str, String)> = (0..20)
        .map(|i| (format!("vehicle {i}"), "colour", format!("true shade {i}")))
        .collect();
    let invented: Vec<(String, &str, String)> = (0..20)
        .map(|i| {
            (
                format!("vehicle {i}"),
                "colour",
                format!("invented shade {i}"),
            )
        })
        .collect();
    let mut honest = Vec::new();
    for k in 0..3 {
        let s = w.source(&format!("197{k}-01-01")).await;
        let (r, _) = file(&w, &handler, &s, &truth).await;
        honest.push((s, r));
    }
    let original = w.source("1975-01-01").await;
    file(&w, &handler, &original, &invented).await;
    let copier = w.source("1976-01-01").await;
    let (copied, _) = file(&w, &handler, &copier, &invented).await;

    let a = assessment(&w, &analyst, &copied).await;
    assert_eq!(a["circular_reporting"], true, "{a}");
    let by: Vec<&str> = a["corroborated_by_dependent"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["source_id"].as_str())
        .collect();
    assert_eq!(by, vec![original.as_str()], "{a}");
    assert!(
        a["warning"]
            .as_str()
            .is_some_and(|m| m.contains("circular")),
        "{a}"
    );
    assert!(
        a["claims"].as_array().is_some_and(|cs| cs.len() == 20
            && cs
                .iter()
                .all(|c| c["dependent_corroborators"] == 1 && c["independent_corroborators"] == 0)),
        "{a}"
    );
    // The compartment's dependence: the inventor and its copier are one group, and the
    // honest sources, who agree with each other independently, are in none.
    let (status, dep) =
        w.t.get(
            Some(&analyst),
            &format!("/api/v1/compartments/{COMPARTMENT}/dependence"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{dep}");
    let groups = dep["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1, "{dep}");
    let mut pair = vec![original.clone(), copier.clone()];
    pair.sort();
    let members: Vec<&str> = groups[0]["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|m| m["source_id"].as_str())
        .collect();
    assert_eq!(members, pair, "{dep}");
    assert!(
        groups[0]["pairs"][0]["probability"]
            .as_f64()
            .is_some_and(|p| p >= 0.5),
        "{dep}"
    );
    assert_eq!(dep["sources_estimated"], 5, "{dep}");
    let analyst_pages = crate::ui::Browser::sign_in(&w.t, &w.analyst).await;
    let page = analyst_pages
        .get(&format!("/compartments/{COMPARTMENT}/dependence"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for id in &pair {
        assert!(
            page.body.contains(&format!("<a href=\"/sources/{id}\">")),
            "{}",
            page.body
        );
    }
    for (honest_source, _) in &honest {
        assert!(!page.body.contains(honest_source.as_str()), "{}", page.body);
    }
    let list = analyst_pages.get("/sources").await;
    assert!(
        list.body.contains(&format!(
            "<a href=\"/compartments/{COMPARTMENT}/dependence\">"
        )),
        "{}",
        list.body
    );

    let r = reliability(&w, &analyst, &copier).await;
    assert!(
        r["suggestion"]["evidence"]["dependent_sources"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["source_id"] == original.as_str())),
        "{r}"
    );
    // The copier's page names the source it depends on, with a link, beside its evidence.
    let page = crate::ui::Browser::sign_in(&w.t, &w.analyst)
        .await
        .get(&format!("/sources/{copier}"))
        .await;
    let dependent = page
        .body
        .split_once("<p id=\"dependent-sources\">")
        .and_then(|(_, p)| p.split_once("</p>"))
        .map(|(p, _)| p)
        .unwrap_or_else(|| panic!("no dependent sources on the page: {}", page.body));
    assert!(
        dependent.contains(&format!("<a href=\"/sources/{original}\">")),
        "{dependent}"
    );
    assert!(
        page.body
            .contains("20 of its claims could be checked against another source or an outcome"),
        "{}",
        page.body
    );

    // Independent corroboration is not circular, and the truth is believed.
    let (_, first) = &honest[0];
    let a = assessment(&w, &analyst, first).await;
    assert_eq!(
        (&a["circular_reporting"], &a["warning"]),
        (&json!(false), &Value::Null),
        "{a}"
    );
    assert!(
        a["claims"].as_array().is_some_and(|cs| cs.iter().all(|c| {
            c["independent_corroborators"] == 2 && c["credibility"].as_u64().is_some_and(|d| d <= 2)
        })),
        "{a}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_grade_departing_from_the_suggestion_needs_a_rationale(#[case] backend: Backend) {
    let Some((w, _handler, analyst, _, report)) = outcomes_world(backend).await else {
        return;
    };
    let a = assessment(&w, &analyst, &report).await;
    assert_eq!(a["suggested_grade"], "E5", "{a}");
    assert!(
        a["claims"].as_array().is_some_and(|cs| cs
            .iter()
            .all(|c| c["credibility"] == 5 && c["outcome"] == "refuted")),
        "{a}"
    );
    let grading = format!("/api/v1/reports/{report}/grading");
    let refused =
        w.t.post_json(
            Some(&analyst),
            &grading,
            json!({"source_reliability": "B", "information_credibility": 5, "handling_code": "P"}),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "GRADE_RATIONALE_REQUIRED",
    );
    assert!(
        refused.1["message"]
            .as_str()
            .is_some_and(|m| m.contains("E (unreliable)")),
        "{}",
        refused.1
    );
    // A blank rationale is no rationale; the digit alone departing is enough to need one.
    assert_refused(
        &w.t.post_json(
            Some(&analyst),
            &grading,
            json!({"source_reliability": "E", "information_credibility": 2, "handling_code": "P", "rationale": "   "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "GRADE_RATIONALE_REQUIRED",
    );
    // Nothing was stored by the refusals.
    let (_, seen) =
        w.t.get(Some(&analyst), &format!("/api/v1/reports/{report}"))
            .await;
    assert_eq!(seen["status"], "draft", "{seen}");

    // Agreeing needs no rationale.
    let (status, graded) =
        w.t.post_json(
            Some(&analyst),
            &grading,
            json!({"source_reliability": "E", "information_credibility": 5, "handling_code": "P"}),
        )
        .await;
    assert_eq!(
        (status, &graded["grade"]),
        (StatusCode::OK, &json!("E5")),
        "{graded}"
    );
    w.t.clock.advance(chrono::Duration::minutes(5));
    // Departing with a rationale is accepted and the rationale is kept with the decision.
    let (status, graded) = w
        .t
        .post_json(
            Some(&analyst),
            &grading,
            json!({"source_reliability": "B", "information_credibility": 5, "handling_code": "P",
                   "rationale": "Outcomes were recorded against the wrong vehicle; re-vetted in person."}),
        )
        .await;
    assert_eq!(
        (status, &graded["grade"]),
        (StatusCode::OK, &json!("B5")),
        "{graded}"
    );
    let (status, decisions) =
        w.t.get(
            Some(&analyst),
            &format!("/api/v1/reports/{report}/grade-decisions"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decisions}");
    assert_eq!(
        decisions,
        json!([
            {"grade": "E5", "graded_by": decisions[0]["graded_by"], "graded_at": decisions[0]["graded_at"],
             "suggested_source_reliability": "E", "suggested_information_credibility": 5, "rationale": null},
            {"grade": "B5", "graded_by": decisions[1]["graded_by"], "graded_at": decisions[1]["graded_at"],
             "suggested_source_reliability": "E", "suggested_information_credibility": 5,
             "rationale": "Outcomes were recorded against the wrong vehicle; re-vetted in person."},
        ]),
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn who_may_read_reliability(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    let handler = w.token(&w.handler).await;
    let (report, _) = file(&w, &handler, &source, &own_claims("seen", 3)).await;
    let paths = [
        format!("/api/v1/sources/{source}/reliability"),
        format!("/api/v1/reports/{report}/assessment"),
        format!("/api/v1/reports/{report}/grade-decisions"),
        format!("/api/v1/compartments/{COMPARTMENT}/dependence"),
    ];
    for officer in [&w.analyst, &w.auditor, &w.controller, &w.ao, &w.handler] {
        let token = w.token(officer).await;
        for path in &paths {
            let (status, body) = w.t.get(Some(&token), path).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{} on {path}: {body}",
                officer.username
            );
            assert!(!body.to_string().contains("Jane Example"), "{body}");
        }
    }
    let outsider = w.t.officer("oli", Role::Analyst, &[OTHER]).await;
    let outsider = w.token(&outsider).await;
    let admin = w.token(&w.t.admin).await;
    for path in &paths {
        assert_refused(
            &w.t.get(Some(&outsider), path).await,
            StatusCode::FORBIDDEN,
            "COMPARTMENT_FORBIDDEN",
        );
        assert_refused(
            &w.t.get(Some(&admin), path).await,
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        );
        assert_refused(
            &w.t.get(None, path).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        );
    }
    let analyst = w.token(&w.analyst).await;
    assert_refused(
        &w.t.get(
            Some(&analyst),
            "/api/v1/sources/0190a0b0-0000-7000-8000-000000000000/reliability",
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_import_is_estimated_once_and_refused_whole(#[case] backend: Backend) {
    use humint_station::handling::{ClaimInput, ReportInput};
    let Some(w) = World::new(backend).await else {
        return;
    };
    let a = w.source("1980-01-01").await;
    let b = w.source("1981-01-01").await;
    let handler = w.token(&w.handler).await;
    let handler = w.t.station.authenticate(&handler).await.expect("session");
    let analyst = w.token(&w.analyst).await;
    let analyst_p = w.t.station.authenticate(&analyst).await.expect("session");
    let observed = crate::handling::t(OBSERVED);
    let report = |tag: &str, n: usize, text: &str| ReportInput {
        contact_id: None,
        requirement_id: None,
        text: text.to_owned(),
        claims: own_claims(tag, n)
            .into_iter()
            .map(|(subject, attribute, value)| ClaimInput {
                subject,
                attribute: attribute.to_owned(),
                value,
                observed_at: observed,
            })
            .collect(),
        reported_at: Some(observed),
    };
    let refused = |r: Result<Vec<String>, humint_station::StationError>| match r {
        Err(e) => e.code().to_owned(),
        Ok(ids) => panic!("expected a refusal, got {ids:?}"),
    };
    // One bad report refuses the whole batch, and nothing is written.
    let blank =
        w.t.station
            .import_reports(
                &handler,
                vec![
                    (a.clone(), report("a", 6, "Debrief.")),
                    (b.clone(), report("b", 2, "  ")),
                ],
            )
            .await;
    assert_eq!(refused(blank), "FIELD_REQUIRED");
    let mut linked = report("b", 2, "Debrief.");
    linked.requirement_id = Some("anything".to_owned());
    let linked =
        w.t.station
            .import_reports(&handler, vec![(b.clone(), linked)])
            .await;
    assert_eq!(refused(linked), "IMPORT_LINKS_NOT_ALLOWED");
    let by_analyst =
        w.t.station
            .import_reports(&analyst_p, vec![(a.clone(), report("a", 6, "Debrief."))])
            .await;
    assert_eq!(refused(by_analyst), "ROLE_FORBIDDEN");
    let (_, listed) =
        w.t.get(Some(&analyst), &format!("/api/v1/sources/{a}/reports"))
            .await;
    assert_eq!(listed["items"], json!([]), "{listed}");
    assert_eq!(
        reliability(&w, &analyst, &a).await["suggestion"],
        Value::Null
    );

    // Accepted: both reports land, and the compartment is estimated once for the batch.
    let ids =
        w.t.station
            .import_reports(
                &handler,
                vec![
                    (a.clone(), report("a", 6, "Debrief.")),
                    (a.clone(), report("a2", 6, "Debrief.")),
                    (b.clone(), report("b", 2, "Debrief.")),
                ],
            )
            .await
            .expect("import");
    assert_eq!(ids.len(), 3);
    let ra = reliability(&w, &analyst, &a).await;
    assert_eq!(
        (
            &ra["suggestion"]["claims"],
            ra["history"].as_array().map(Vec::len)
        ),
        (&json!(12), Some(1)),
        "{ra}"
    );
    let rb = reliability(&w, &analyst, &b).await;
    assert_eq!(letter(&rb), "F", "{rb}");
}

/// The ids in a source list answer.
fn listed(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn sources_are_listed_by_suggested_grade_and_by_handler(#[case] backend: Backend) {
    let Some((w, _handler, analyst, sources, _)) = outcomes_world(backend).await else {
        return;
    };
    let mut letters = std::collections::BTreeMap::new();
    for s in &sources {
        letters.insert(
            s.clone(),
            letter(&reliability(&w, &analyst, s).await).to_owned(),
        );
    }
    let distinct: std::collections::BTreeSet<&String> = letters.values().collect();
    assert!(
        distinct.len() >= 2,
        "the world should tell sources apart: {letters:?}"
    );
    for grade in ["A", "B", "C", "D", "E", "F"] {
        let (status, body) =
            w.t.get(Some(&analyst), &format!("/api/v1/sources?grade={grade}"))
                .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut got = listed(&body);
        got.sort();
        let mut want: Vec<String> = letters
            .iter()
            .filter(|(_, l)| l.as_str() == grade)
            .map(|(s, _)| s.clone())
            .collect();
        want.sort();
        assert_eq!(got, want, "grade {grade}: {letters:?}");
    }
    // Lower case reads the same; anything but one letter A-F is refused.
    let (_, lower) = w.t.get(Some(&analyst), "/api/v1/sources?grade=f").await;
    let (_, upper) = w.t.get(Some(&analyst), "/api/v1/sources?grade=F").await;
    assert_eq!(listed(&lower), listed(&upper));
    for bad in ["Z", "AB", "1"] {
        assert_refused(
            &w.t.get(Some(&analyst), &format!("/api/v1/sources?grade={bad}"))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_GRADE",
        );
    }

    // By handler: the handler's username lists their sources; an officer who handles none,
    // none; an unknown name is refused, not answered with an empty list.
    let (_, mine) =
        w.t.get(
            Some(&analyst),
            &format!("/api/v1/sources?handler={}", w.handler.username),
        )
        .await;
    let mut got = listed(&mine);
    got.sort();
    let mut all = sources.to_vec();
    all.sort();
    assert_eq!(got, all, "{mine}");
    let (_, none) =
        w.t.get(
            Some(&analyst),
            &format!("/api/v1/sources?handler={}", w.controller.username),
        )
        .await;
    assert!(listed(&none).is_empty(), "{none}");
    assert_refused(
        &w.t.get(Some(&analyst), "/api/v1/sources?handler=nobody.here")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "UNKNOWN_OFFICER",
    );
}

/// Two servers share the database, and the first keeps what it read and stored in memory
/// between estimates. The second, its clock an hour behind, files a report and stores its
/// estimate, then (as a server of another version would) stores a different suggestion for a
/// claim that nothing since has touched. The first server's next estimate must count the
/// second's claims (recorded "before" its last read) and must not trust its remembered copy of
/// what is stored; a third server, estimating every compartment from scratch, then finds
/// nothing to change.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn what_one_server_keeps_in_memory_misses_nothing_another_wrote(#[case] backend: Backend) {
    use humint_core::{Clock as _, FixedClock};
    use humint_station::handling::{ClaimInput, ReportInput};
    use humint_store::{AuditContext, ReliabilityStore as _, ReliabilityUpdate, Store as _};

    let Some(w) = World::new(backend).await else {
        return;
    };
    let first = w.source("1980-01-01").await;
    let rival = w.source("1981-01-01").await;
    let late = w.source("1982-01-01").await;
    let quiet = w.source("1983-01-01").await;
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    let (first_report, _) = file(&w, &handler, &first, &contested("truth")).await;
    file(&w, &handler, &rival, &contested("false")).await;
    let (quiet_report, quiet_claims) = file(&w, &handler, &quiet, &own_claims("quiet", 2)).await;
    let before = assessment(&w, &analyst, &first_report).await;
    assert!(
        before["claims"]
            .as_array()
            .is_some_and(|cs| cs.iter().all(|c| {
                c["independent_corroborators"] == 0
                    && c["dependent_corroborators"] == 0
                    && c["contradictors"] == 1
            })),
        "{before}"
    );
    let compartment_id =
        w.t.station
            .store()
            .list_compartments()
            .await
            .expect("compartments")
            .into_iter()
            .find(|c| c.name == crate::handling::COMPARTMENT)
            .expect("the compartment")
            .id;

    // The second server: its clock an hour behind, no background worker (it estimates in the
    // filing's own call).
    let behind = FixedClock::new(w.t.clock.now());
    let other = w.t.another_server(behind.clone(), 12).await;
    let principal = other
        .authenticate(&handler)
        .await
        .expect("the same session");
    behind.advance(chrono::Duration::hours(-1));
    let observed_at = chrono::DateTime::parse_from_rfc3339(OBSERVED)
        .expect("time")
        .to_utc();
    other
        .add_report(
            &principal,
            &late,
            ReportInput {
                contact_id: None,
                requirement_id: None,
                text: "Debrief.".into(),
                claims: contested("truth")
                    .into_iter()
                    .map(|(subject, attribute, value)| ClaimInput {
                        subject,
                        attribute: attribute.into(),
                        value,
                        observed_at,
                    })
                    .collect(),
                reported_at: None,
            },
        )
        .await
        .expect("filed on the second server");
    // A suggestion of its own for one of the quiet source's claims.
    let stored = other
        .store()
        .claim_assessments(&quiet_report)
        .await
        .expect("stored");
    let mut row = stored
        .into_iter()
        .find(|r| r.claim_id == quiet_claims[0])
        .expect("the quiet claim's row");
    let mut doc: Value = serde_json::from_str(&row.doc).expect("doc");
    doc["contradictors"] = json!(99);
    row.doc = doc.to_string();
    other
        .store()
        .save_reliability(
            &compartment_id,
            &ReliabilityUpdate {
                claims: vec![row],
                ..ReliabilityUpdate::default()
            },
            &AuditContext::new(
                behind.now().timestamp_millis(),
                "system",
                "system",
                "reliability.estimate",
                "compartment",
                &compartment_id,
            )
            .in_compartment(crate::handling::COMPARTMENT),
        )
        .await
        .expect("saved on the second server");

    // The first server files again and estimates from what it keeps.
    w.t.clock.advance(chrono::Duration::minutes(1));
    file(&w, &handler, &rival, &own_claims("rival", 2)).await;
    let after = assessment(&w, &analyst, &first_report).await;
    assert!(
        after["claims"]
            .as_array()
            .is_some_and(|cs| cs.iter().all(|c| {
                c["independent_corroborators"].as_u64().unwrap_or(0)
                    + c["dependent_corroborators"].as_u64().unwrap_or(0)
                    == 1
                    && c["contradictors"] == 1
            })),
        "the second server's claims corroborate: {after}"
    );
    let quiet_now = assessment(&w, &analyst, &quiet_report).await;
    assert!(
        quiet_now["claims"]
            .as_array()
            .is_some_and(|cs| cs.len() == 2 && cs.iter().all(|c| c["contradictors"] == 0)),
        "the second server's suggestion is replaced: {quiet_now}"
    );

    // From scratch, a third server stores nothing new.
    let third = w.t.another_server(w.t.clock.clone(), 13).await;
    let generation = third
        .store()
        .reliability_generation(&compartment_id)
        .await
        .expect("generation");
    assert_eq!(
        third.refresh_reliability().await.expect("refresh"),
        Vec::<String>::new()
    );
    assert_eq!(
        third
            .store()
            .reliability_generation(&compartment_id)
            .await
            .expect("generation"),
        generation
    );
    other.store().close().await;
    third.store().close().await;
}

/// The warning signs that read the record's timing: a source that only ever repeats what
/// another had reported first, and a quiet source whose reporting suddenly jumps (a sign that
/// fades once the burst is over four weeks old, with no write in between).
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn echoes_and_bursts_are_warning_signs(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let first = w.source("1980-02-01").await;
    let echo = w.source("1980-03-01").await;
    // Ten sightings reported first by one source, each repeated an hour later by the other
    // (sessions lapse over hours of clock time: each step signs in anew).
    for i in 0..10 {
        let handler = w.token(&w.handler).await;
        let claim = vec![(format!("vehicle {i}"), "location", format!("depot {i}"))];
        file(&w, &handler, &first, &claim).await;
        w.t.clock.advance(chrono::Duration::hours(1));
        file(&w, &handler, &echo, &claim).await;
        w.t.clock.advance(chrono::Duration::hours(1));
    }
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    let echoed = reliability(&w, &analyst, &echo).await;
    assert_eq!(codes(&echoed), ["ECHOES_EARLIER_REPORTING"], "{echoed}");
    assert!(
        echoed["warnings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Of 10 things") && m.contains("first with 0")),
        "{echoed}"
    );
    assert_eq!(
        echoed["suggestion"]["evidence"]["first_reports"],
        json!({"corroborated": 10, "first": 0, "expected_first": 5.0}),
        "{echoed}"
    );
    // The one it repeats was first every time: nothing to warn of.
    assert!(codes(&reliability(&w, &analyst, &first).await).is_empty());
    // Nine repeats would be 1/512 by chance: not enough (the tenth made it 1/1024).
    let nine = w.source("1980-04-01").await;
    for i in 0..9 {
        let claim = vec![(format!("vehicle {i}"), "location", format!("depot {i}"))];
        file(&w, &handler, &nine, &claim).await;
    }
    assert!(codes(&reliability(&w, &analyst, &nine).await).is_empty());

    // A source registered now, with two reports over its first four months and then ten in a
    // week.
    let burst = w.source("1980-05-01").await;
    let mut n = 0;
    let mut report = |tag: &str| {
        n += 1;
        own_claims(&format!("{tag} {n}"), 1)
    };
    // Sessions lapse over days of clock time: each step signs in anew.
    for days in [20, 100] {
        w.t.clock.advance(chrono::Duration::days(days));
        let handler = w.token(&w.handler).await;
        file(&w, &handler, &burst, &report("early")).await;
    }
    w.t.clock.advance(chrono::Duration::days(30));
    let analyst = w.token(&w.analyst).await;
    assert!(codes(&reliability(&w, &analyst, &burst).await).is_empty());
    for _ in 0..10 {
        w.t.clock.advance(chrono::Duration::hours(12));
        let handler = w.token(&w.handler).await;
        file(&w, &handler, &burst, &report("burst")).await;
    }
    let analyst = w.token(&w.analyst).await;
    let jumped = reliability(&w, &analyst, &burst).await;
    assert_eq!(codes(&jumped), ["VOLUME_JUMP"], "{jumped}");
    assert!(
        jumped["warnings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("10 reports in the last 28 days, against 2")),
        "{jumped}"
    );
    // The officer's page says so too, and the list of sources marks it and no other: the
    // echo's sign went when the third source repeated nine of its values after it (second of
    // three every time is 1 in 77 by chance, not 1 in 1,024).
    let browser = crate::ui::Browser::sign_in(&w.t, &w.analyst).await;
    let page = browser.get(&format!("/sources/{burst}")).await;
    assert!(page.body.contains("id=\"warning-signs\""), "{}", page.body);
    assert!(
        page.body.contains("10 reports in the last 28 days"),
        "{}",
        page.body
    );
    let list = browser.get("/sources").await;
    let mut marked: Vec<&str> = list
        .body
        .split("<a class=\"tag warning-signs\" href=\"/sources/")
        .skip(1)
        .filter_map(|rest| rest.split_once("#warning-signs\">1 warning sign</a>"))
        .map(|(id, _)| id)
        .collect();
    marked.sort_unstable();
    assert_eq!(marked, [burst.as_str()], "{}", list.body);
    assert!(
        codes(&reliability(&w, &w.token(&w.analyst).await, &echo).await).is_empty(),
        "the echo's sign is gone"
    );
    // The burst's reports are 12 hours apart, 4.5 days from first to last. 23 days after the
    // last, all ten are still within the last 28 days; 29 days after, none is, and the sign
    // has gone with time alone.
    w.t.clock.advance(chrono::Duration::days(23));
    let later = reliability(&w, &w.token(&w.analyst).await, &burst).await;
    assert_eq!(codes(&later), ["VOLUME_JUMP"], "{later}");
    w.t.clock.advance(chrono::Duration::days(6));
    let later = reliability(&w, &w.token(&w.analyst).await, &burst).await;
    assert!(codes(&later).is_empty(), "{later}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_reports_claims_read_in_the_order_they_were_filed(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    let handler = w.token(&w.handler).await;
    // Filed in one request, so in one millisecond, in an order no sort would give.
    let subjects = [
        "kilo", "alpha", "zulu", "echo", "bravo", "yankee", "delta", "x-ray",
    ];
    let claims: Vec<(String, &str, String)> = subjects
        .iter()
        .map(|s| (s.to_string(), "location", format!("{s} place")))
        .collect();
    let (report, _) = file(&w, &handler, &source, &claims).await;
    let (status, body) =
        w.t.get(Some(&handler), &format!("/api/v1/reports/{report}"))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let read: Vec<&str> = body["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .filter_map(|c| c["subject"].as_str())
        .collect();
    assert_eq!(read, subjects, "{body}");
}
