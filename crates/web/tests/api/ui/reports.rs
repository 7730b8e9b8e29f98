//! The analyst's story over real HTTP, on both backends: a source's reports, a report's page
//! with the engine's suggestion, grading with the suggestion, a departing grade refused without
//! its rationale (the typed input kept), and who may grade.

use super::{Browser, recruited};
use crate::handling::World;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

/// The handler files a report of ten claims on subjects only this source speaks to, and the
/// analyst records each as refuted a minute apart, so the engine has evidence to suggest a
/// grade from; returns the report id.
pub async fn filed_report(w: &World, source: &str) -> String {
    let token = w.token(&w.handler).await;
    let claims: Vec<Value> = (0..10)
        .map(|i| {
            json!({"subject": format!("Vehicle KX-{i}"), "attribute": "location",
                        "value": format!("Depot {i}"), "observed_at": "2026-03-01T10:00:00Z"})
        })
        .collect();
    let (status, report) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/reports"),
            json!({"text": "Debrief: the meeting at the usual place.", "claims": claims}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let analyst = w.token(&w.analyst).await;
    for c in report["claims"].as_array().expect("claims") {
        w.t.clock.advance(chrono::Duration::minutes(1));
        let (status, body) =
            w.t.post_json(
                Some(&analyst),
                &format!("/api/v1/claims/{}/outcomes", c["id"].as_str().expect("id")),
                json!({"verdict": "refuted", "means": "technical_collection"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    report["id"].as_str().expect("id").to_owned()
}

async fn assessment(w: &World, report: &str) -> Value {
    let token = w.token(&w.analyst).await;
    let (status, body) =
        w.t.get(
            Some(&token),
            &format!("/api/v1/reports/{report}/assessment"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_analyst_grades_a_report_beside_the_suggestion_and_a_departure_needs_a_rationale(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let report = filed_report(&w, &source).await;
    let suggested = assessment(&w, &report).await;
    assert_ne!(suggested["source_reliability"], "F", "{suggested}");
    let letter = suggested["source_reliability"]
        .as_str()
        .expect("a suggested letter")
        .to_owned();
    let digit = suggested["information_credibility"]
        .as_u64()
        .expect("a suggested digit")
        .to_string();

    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    // From the source page to its reports to the report.
    let source_page = analyst.get(&format!("/sources/{source}")).await;
    assert!(
        source_page
            .body
            .contains(&format!("href=\"/sources/{source}/reports\"")),
        "{}",
        source_page.body
    );
    // The source page: the suggested letter, the chart and the same points as a table.
    let (status, reliability) =
        w.t.get(
            Some(&w.token(&w.analyst).await),
            &format!("/api/v1/sources/{source}/reliability"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reliability}");
    assert!(source_page.body.contains(&format!(
        "<strong id=\"reliability-letter\">{letter}</strong>"
    )));
    assert!(
        source_page
            .body
            .contains("<svg class=\"chart\" id=\"reliability-chart\"")
    );
    let history = reliability["history"].as_array().expect("history").len();
    assert!(history > 1, "{reliability}");
    let table = source_page
        .body
        .split_once("<table id=\"reliability-history\">")
        .and_then(|(_, t)| t.split_once("</table>"))
        .map(|(t, _)| t)
        .expect("the chart's table");
    assert_eq!(table.matches("<tr><td>").count(), history, "{table}");
    assert_eq!(
        source_page.body.matches("<circle class=\"point\"").count(),
        history
    );

    let list = analyst.get(&format!("/sources/{source}/reports")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains(&format!("href=\"/reports/{report}\"")));
    assert!(list.body.contains("not graded"));

    let page_path = format!("/reports/{report}");
    let page = analyst.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Vehicle KX-3"), "the claims are shown");
    assert!(page.body.contains("Depot 3"));
    assert!(page.body.contains("outcome refuted"));
    assert!(
        page.body.contains(&format!(
            "<strong id=\"form-suggestion\">{letter}{digit}</strong>"
        )),
        "the suggestion sits beside the form: {}",
        page.body
    );
    // The form starts at the suggestion; the debrief and any identity are never on the page.
    assert!(page.body.contains(&format!(
        "id=\"source\" name=\"source\" type=\"text\" maxlength=\"8\" value=\"{letter}\""
    )));
    assert!(!page.body.contains("Debrief: the meeting"));
    assert!(!page.body.contains("Jane Example"));
    assert!(page.body.contains("id=\"no-gradings\""));

    // A departing grade without a rationale: refused with the code and sentence, input kept.
    let other = if letter == "A" { "B" } else { "A" };
    let grade_path = format!("/reports/{report}/grade");
    let refused = analyst
        .submit(
            &page_path,
            &grade_path,
            &[
                ("scheme", "admiralty"),
                ("source", other),
                ("information", digit.as_str()),
                ("handling_code", "Handle as sensitive"),
                ("rationale", "   "),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("<code id=\"problem-code\">GRADE_RATIONALE_REQUIRED</code>"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Handle as sensitive\""));
    assert!(refused.body.contains(&format!(
        "id=\"source\" name=\"source\" type=\"text\" maxlength=\"8\" value=\"{other}\""
    )));
    assert!(
        analyst
            .get(&page_path)
            .await
            .body
            .contains("id=\"no-gradings\""),
        "nothing was stored by the refusal"
    );

    // With a rationale it is recorded, and the history and decision show it.
    let saved = analyst
        .submit(
            &page_path,
            &grade_path,
            &[
                ("scheme", "admiralty"),
                ("source", other),
                ("information", digit.as_str()),
                ("handling_code", "Handle as sensitive"),
                ("rationale", "Vetted in person last week."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), page_path);
    let after = analyst.get(&page_path).await;
    assert!(
        after.body.contains(&format!(
            "{other}{digit} (admiralty), handling Handle as sensitive"
        )),
        "{}",
        after.body
    );
    assert!(after.body.contains("Vetted in person last week."));
    assert!(
        analyst
            .get(&format!("/sources/{source}/reports"))
            .await
            .body
            .contains(&format!("{other}{digit} (admiralty)"))
    );

    // A regrade under 3x5x2 needs the conditions of a conditional code.
    let conditional = analyst
        .submit(
            &page_path,
            &grade_path,
            &[
                ("scheme", "3x5x2"),
                ("source", "1"),
                ("information", "B"),
                ("handling_code", "C"),
            ],
        )
        .await;
    assert_eq!(
        conditional.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        conditional.body
    );
    assert!(conditional.body.contains("id=\"problem-code\""));
    assert!(
        conditional
            .body
            .contains("<option value=\"3x5x2\" selected>")
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_handler_sees_no_grading_form_and_cannot_grade(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let report = filed_report(&w, &source).await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let page_path = format!("/reports/{report}");
    let page = handler.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("id=\"save-grade\""));
    let forged = handler
        .submit(
            "/",
            &format!("/reports/{report}/grade"),
            &[
                ("scheme", "admiralty"),
                ("source", "A"),
                ("information", "1"),
                ("handling_code", "P"),
                ("rationale", "I know them well."),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("ROLE_FORBIDDEN"), "{}", forged.body);
    assert!(
        handler
            .get(&page_path)
            .await
            .body
            .contains("id=\"no-gradings\"")
    );

    // A form without this session's token is refused and saves nothing.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let stale = analyst
        .post(
            &format!("/reports/{report}/grade"),
            &[
                ("csrf", "not-a-token"),
                ("scheme", "admiralty"),
                ("source", "A"),
                ("information", "1"),
                ("handling_code", "P"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(stale.body.contains("FORM_EXPIRED"));
    // An unknown report is a not-found page.
    assert_eq!(
        analyst.get("/reports/not-a-report").await.status,
        StatusCode::NOT_FOUND
    );
}

/// The analyst's and auditor's pages as rendered, with ids, tokens and times redacted.
#[tokio::test]
async fn snapshots_of_the_analysts_and_auditors_pages() {
    use super::redact;
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let report = filed_report(&w, &source).await;
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let page_path = format!("/reports/{report}");
    let saved = analyst
        .submit(
            &page_path,
            &format!("/reports/{report}/grade"),
            &[
                ("scheme", "admiralty"),
                ("source", "C"),
                ("information", "5"),
                ("handling_code", "P"),
                ("rationale", "Two refutations were of a vehicle since sold."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let auditor = Browser::sign_in(&w.t, &w.auditor).await;
    let pages = [
        (&analyst, "source_reliability", format!("/sources/{source}")),
        (&analyst, "reports", format!("/sources/{source}/reports")),
        (&analyst, "report", page_path.clone()),
        (
            &auditor,
            "audit_log",
            "/audit?action=report.grade".to_owned(),
        ),
        (&auditor, "bigot_lists", "/audit/bigot-lists".to_owned()),
        (&auditor, "inspection_form", "/inspection".to_owned()),
    ];
    for (who, name, path) in pages {
        let answer = who.get(&path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        super::pages::assert_accessible(&answer.body);
        insta::assert_snapshot!(name, redact(&answer.body));
    }
}

/// Files a report on `source` as the handler with one claim per (subject, value); returns its id.
async fn file_values(w: &World, source: &str, values: &[(String, String)]) -> String {
    let token = w.token(&w.handler).await;
    let claims: Vec<Value> = values
        .iter()
        .map(|(s, v)| json!({"subject": s, "attribute": "colour", "value": v, "observed_at": "2026-03-01T10:00:00Z"}))
        .collect();
    let (status, report) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/reports"),
            json!({"text": "Debrief.", "claims": claims}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    report["id"].as_str().expect("id").to_owned()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_report_corroborated_only_by_a_copy_warns_of_circular_reporting(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // Three sources report the truth on twenty subjects; one invents a value for each and
    // another repeats the inventions word for word.
    let truth: Vec<(String, String)> = (0..20)
        .map(|i| (format!("vehicle {i}"), format!("true shade {i}")))
        .collect();
    let invented: Vec<(String, String)> = (0..20)
        .map(|i| (format!("vehicle {i}"), format!("invented shade {i}")))
        .collect();
    for k in 0..3 {
        let s = w.source(&format!("197{k}-01-01")).await;
        file_values(&w, &s, &truth).await;
    }
    let original = w.source("1975-01-01").await;
    let honest_report = file_values(&w, &original, &invented).await;
    let copier = w.source("1976-01-01").await;
    let copied = file_values(&w, &copier, &invented).await;
    let a = assessment(&w, &copied).await;
    assert_eq!(a["circular_reporting"], true, "{a}");
    let codename = a["corroborated_by_dependent"][0]["codename"]
        .as_str()
        .expect("the original's codename")
        .to_owned();

    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let page = analyst.get(&format!("/reports/{copied}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let warning = page
        .body
        .split_once("id=\"circular-warning\"")
        .map(|(_, rest)| rest.split_once("</div>").map(|(w, _)| w).unwrap_or(rest))
        .expect("the circular-reporting warning");
    assert!(warning.contains(&codename), "{warning}");
    assert!(
        page.body.contains("1 dependent corroboration"),
        "{}",
        page.body
    );
    // A report without dependent corroboration carries no warning.
    let (status, other) =
        w.t.get(
            Some(&w.token(&w.analyst).await),
            &format!("/api/v1/reports/{honest_report}/assessment"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let plain = analyst.get(&format!("/reports/{honest_report}")).await;
    assert_eq!(
        plain.body.contains("id=\"circular-warning\""),
        other["circular_reporting"] == true,
        "the page warns exactly when the engine does"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_sources_reports_are_listed_fifty_to_a_page(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let values = vec![("vehicle".to_owned(), "blue".to_owned())];
    for _ in 0..51 {
        file_values(&w, &source, &values).await;
    }
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let first = analyst.get(&format!("/sources/{source}/reports")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body.matches("class=\"report-link\"").count(), 50);
    let next = first
        .body
        .split_once("\" id=\"next-page\"")
        .and_then(|(before, _)| before.rsplit_once("href=\""))
        .map(|(_, href)| href.to_owned())
        .expect("a link to the next page");
    let second = analyst.get(&next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body.matches("class=\"report-link\"").count(), 1);
    assert!(!second.body.contains("id=\"next-page\""));
}
