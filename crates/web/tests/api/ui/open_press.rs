//! A compartment's open press in the pages: the list and the form (its refusals shown with
//! what was typed), and the note on a report whose claim repeated what was already published;
//! over HTTP on both backends and in headless Chromium with JavaScript off.

use super::Browser;
use super::browser::{sign_in, start};
use crate::browser::browser_binaries;
use crate::handling::{COMPARTMENT, World};
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

const PAGE: &str = "/compartments/ALPHA/open-press";

/// Files a report on `source` claiming that vehicle 7 is at Depot 7; returns the report id.
async fn file_repeat(w: &World, source: &str) -> String {
    let handler = w.token(&w.handler).await;
    let (status, report) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/reports"),
            json!({"text": "Debrief.", "claims": [{"subject": "Vehicle 7", "attribute": "location",
                   "value": "depot 7", "observed_at": "2026-03-01T10:00:00Z"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    report["id"].as_str().expect("id").to_owned()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_open_press_page_records_items_and_a_report_says_what_it_repeated(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let empty = handler.get(PAGE).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("id=\"no-items\""), "{}", empty.body);

    // Refused: no outlet, then a publication time in the future; what was typed stays.
    let fields = |outlet: &'static str, published: &'static str| {
        vec![
            ("outlet", outlet),
            ("published_at", published),
            ("subject", "Vehicle 7"),
            ("attribute", "Location"),
            ("value", "Depot 7"),
            ("reference", "https://example.org/story"),
        ]
    };
    let refused = handler
        .submit(PAGE, PAGE, &fields("", "2026-03-02 08:00"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("<code id=\"problem-code\">OUTLET_REQUIRED</code>"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Depot 7\""),
        "{}",
        refused.body
    );
    let refused = handler
        .submit(PAGE, PAGE, &fields("Reuters", "2026-03-03 08:00"))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains(">PUBLICATION_IN_FUTURE<"),
        "{}",
        refused.body
    );
    assert!(handler.get(PAGE).await.body.contains("id=\"no-items\""));

    // Recorded: back to the page, which lists it.
    let done = handler
        .submit(PAGE, PAGE, &fields("Reuters", "2026-03-02 08:00"))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), PAGE);
    let listed = handler.get(PAGE).await;
    let row = listed
        .body
        .split_once("<tr class=\"open-source-item\">")
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("no item listed: {}", listed.body));
    assert!(
        row.starts_with("<td>2026-03-02 08:00 GMT</td><td>Reuters</td><td>Vehicle 7</td>"),
        "{row}"
    );
    assert!(row.contains("by hana"), "{row}");
    super::pages::assert_accessible(&listed.body);
    if backend == Backend::Sqlite {
        insta::assert_snapshot!("open_press", super::redact(&listed.body));
    }

    // An authorising officer may not record or read them; the page says so. An analyst,
    // who checks reporting against the press, reads the same list.
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let refused = ao.get(PAGE).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("ROLE_FORBIDDEN"), "{}", refused.body);
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let read = analyst.get(PAGE).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains("by hana"), "{}", read.body);
    // The sources list leads there for those who may, and not for the others.
    let link = format!("<a href=\"{PAGE}\">open press</a>");
    assert!(analyst.get("/sources").await.body.contains(&link));
    assert!(!ao.get("/sources").await.body.contains(&link));

    // A report repeating it says so beside the claim, and names the press as what its
    // corroboration comes from.
    let report = file_repeat(&w, &source).await;
    let page = analyst.get(&format!("/reports/{report}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("<p class=\"press-echo\">Published earlier by Reuters on 2026-03-02."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("comes from open press its claims repeat or depend on: Reuters."),
        "{}",
        page.body
    );
    // The source's page counts the echo in its evidence and links to the compartment's press.
    let page = handler.get(&format!("/sources/{source}")).await;
    assert!(
        page.body.contains(
            "<li>1 of its 1 claims repeated what open press had already published; they earn it nothing and corroborate nobody.</li>"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!(
            "<p id=\"open-press-link\"><a href=\"/compartments/{COMPARTMENT}/open-press\">"
        )),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn chromium_without_javascript_records_an_item_and_shows_the_echo() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let t = &w.t;
    let source = w.source("1980-01-01").await;
    let mut d = start(&chromium, &chromedriver, 1100).await;
    sign_in(&d, t, &w.handler).await;
    d.go(&t.url(PAGE)).await;
    d.wait_for("no-items").await;
    d.type_into("#published_at", "2026-03-02 08:00").await;
    d.type_into("#subject", "Vehicle 7").await;
    d.type_into("#attribute", "location").await;
    d.type_into("#value", "Depot 7").await;
    d.click("#record-item").await;
    d.wait_for("problem-code").await;
    assert_eq!(d.text("#problem-code").await, "OUTLET_REQUIRED");
    d.type_into("#outlet", "Reuters").await;
    d.click("#record-item").await;
    d.wait_for("open-source-items").await;
    d.screenshot("open-press-1-items").await;
    assert!(d.source().await.contains("<td>Reuters</td>"));

    let report = file_repeat(&w, &source).await;
    d.click("#sign-out").await;
    d.wait_for("You have signed out.").await;
    sign_in(&d, t, &w.analyst).await;
    t.station.reliability_settled().await;
    d.go(&t.url(&format!("/reports/{report}"))).await;
    d.wait_for("press-echo").await;
    assert!(
        d.text(".press-echo")
            .await
            .starts_with("Published earlier by Reuters on 2026-03-02")
    );
    d.screenshot("open-press-2-report").await;
    d.quit().await;
}
