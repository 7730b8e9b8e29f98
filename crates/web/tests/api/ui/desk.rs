//! The desk's pages (reports, requirements, errors, intake) as rendered, with ids, tokens and
//! times redacted, and their two stories in real headless Chromium with JavaScript off: a
//! handler files a report with two claims and an analyst grades it from `/reports`; an intake
//! officer replies to a submission and converts it to a source. Screenshots of each page go
//! under `target/screenshots/`.

use super::browser::{sign_in, sign_out, start};
use super::{Browser, recruited, redact};
use crate::browser::{Driver, browser_binaries};
use crate::handling::{COMPARTMENT, World};
use crate::intake::{only_thread, open_door};
use humint_store::Backend;
use reqwest::StatusCode;

#[tokio::test]
async fn snapshots_of_the_desk_pages() {
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let report = super::filing::file_through_form(&handler, &source).await;
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let graded = analyst
        .submit(
            &format!("/reports/{report}"),
            &format!("/reports/{report}/grade"),
            &[
                ("scheme", "3x5x2"),
                ("source", "2"),
                ("information", "B"),
                ("handling_code", "P"),
            ],
        )
        .await;
    assert_eq!(graded.status, StatusCode::SEE_OTHER, "{}", graded.body);
    let requirement = super::requirements::set_through_form(&analyst, "Supply route").await;
    let reviewed = analyst
        .submit(
            &requirement,
            &format!("{requirement}/review"),
            &[("review_by", "2026-09-30"), ("note", "Still needed.")],
        )
        .await;
    assert_eq!(reviewed.status, StatusCode::SEE_OTHER, "{}", reviewed.body);
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let recorded = controller
        .submit(
            "/errors",
            "/errors",
            &[
                ("compartment", COMPARTMENT),
                (
                    "description",
                    "Meeting held after the authorisation lapsed.",
                ),
                ("identified_at", "2026-03-02T08:00"),
                ("established_at", "2026-03-02T08:30"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let (_c, portal) = open_door(&w.t).await;
    portal.first_contact("A walk-in with a story.", None).await;
    let thread = only_thread(&w.t).await;

    // Not the report's own page: its suggestions are computed after filing (the existing
    // `report` snapshot shows it once the evidence is in).
    let pages = [
        (
            &handler,
            "report_form",
            format!("/sources/{source}/reports/new"),
        ),
        (&analyst, "reports_all", "/reports".to_owned()),
        (
            &analyst,
            "requirements",
            "/requirements?show=all".to_owned(),
        ),
        (&analyst, "requirement", requirement.clone()),
        (&analyst, "requirement_form", "/requirements/new".to_owned()),
        (&controller, "errors", "/errors".to_owned()),
        (&handler, "intake", "/intake".to_owned()),
        (&handler, "submission", format!("/intake/{thread}")),
    ];
    for (who, name, path) in pages {
        let answer = who.get(&path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        super::pages::assert_accessible(&answer.body);
        insta::assert_snapshot!(name, redact(&answer.body));
    }
}

/// Types a London time into a time field, as a person would.
async fn type_when(d: &Driver, css: &str, london: &str) {
    d.type_into(css, london).await;
}

/// Empties a field, as a person selecting its text and deleting it.
async fn clear(d: &Driver, css: &str) {
    let id = d.find(css).await;
    d.call("POST", &format!("/element/{id}/clear"), None).await;
}

#[tokio::test]
async fn chromium_without_javascript_a_handler_files_and_an_analyst_grades_from_the_list() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let t = &w.t;
    let (source, _) = recruited(&w).await;
    let mut d = start(&chromium, &chromedriver, 1400).await;

    // The handler files a report with two claims, from the source's reports.
    sign_in(&d, t, &w.handler).await;
    d.go(&t.url(&format!("/sources/{source}/reports"))).await;
    d.click("#file-report-link").await;
    d.wait_for("File a report from").await;
    d.type_into(
        "#text",
        "Met at the usual place; two vehicles at the depot.",
    )
    .await;
    d.type_into("#claim_subject_0", "Vehicle KX-1").await;
    d.type_into("#claim_attribute_0", "colour").await;
    d.type_into("#claim_value_0", "blue").await;
    type_when(&d, "#claim_observed_at_0", "2026-03-01 10:00").await;
    d.type_into("#claim_subject_1", "Vehicle KX-2").await;
    d.type_into("#claim_attribute_1", "location").await;
    d.type_into("#claim_value_1", "Depot 4").await;
    type_when(&d, "#claim_observed_at_1", "2026-03-01 11:30").await;
    d.screenshot("desk-1-report-form").await;
    d.click("#file-report").await;
    d.wait_for("Report from").await;
    let page = d.source().await;
    assert!(page.contains("Depot 4"), "{page}");
    assert!(page.contains("2026-03-01 11:30 GMT"), "{page}");
    d.screenshot("desk-2-report-filed").await;
    sign_out(&d).await;

    // The analyst finds it in /reports, not graded, and grades it.
    sign_in(&d, t, &w.analyst).await;
    d.click("nav a[href='/reports']").await;
    d.wait_for("all-reports").await;
    d.click("#f-graded option[value='ungraded']").await;
    d.click("#filter").await;
    d.wait_for("Not graded yet</option>").await;
    assert!(d.source().await.contains("not graded"));
    d.screenshot("desk-3-reports").await;
    d.click(".report-link").await;
    d.wait_for("Grade this report").await;
    d.click("#scheme option[value='3x5x2']").await;
    // The form starts at the engine's Admiralty suggestion; this grade is under 3x5x2.
    clear(&d, "#source").await;
    d.type_into("#source", "2").await;
    clear(&d, "#information").await;
    d.type_into("#information", "B").await;
    d.type_into("#handling_code", "P").await;
    d.click("#save-grade").await;
    d.wait_for("(3x5x2), handling P").await;
    assert_eq!(d.text("#gradings tbody tr td:nth-child(4)").await, "ann");
    d.screenshot("desk-4-report-graded").await;
    d.go(&t.url("/reports?graded=graded")).await;
    d.wait_for("all-reports").await;
    assert!(d.source().await.contains("<td>ann</td>"));

    // Requirements and their pages.
    d.click("nav a[href='/requirements']").await;
    d.wait_for("Requirements</h1>").await;
    d.click("#new-requirement").await;
    d.type_into("#title", "Supply route").await;
    d.type_into("#detail", "How goods enter the city.").await;
    d.type_into("#review_by", "06302026").await;
    d.screenshot("desk-5-requirement-form").await;
    d.click("#save-requirement").await;
    d.wait_for("Requirement: Supply route").await;
    assert_eq!(d.text("#coverage").await, "Gap no source tasked");
    d.screenshot("desk-6-requirement").await;
    d.go(&t.url("/requirements")).await;
    d.wait_for("requirement-list").await;
    d.screenshot("desk-7-requirements").await;
    sign_out(&d).await;

    // The register, as the controller keeps it.
    sign_in(&d, t, &w.controller).await;
    d.click("nav a[href='/errors']").await;
    d.wait_for("Relevant errors</h1>").await;
    d.type_into(
        "#description",
        "Meeting held after the authorisation lapsed.",
    )
    .await;
    type_when(&d, "#identified_at", "2026-03-02 08:00").await;
    d.click("#record-error").await;
    d.wait_for("Not established").await;
    d.screenshot("desk-8-errors").await;
    sign_out(&d).await;
    d.quit().await;
}

#[tokio::test]
async fn chromium_without_javascript_an_intake_officer_replies_and_converts() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let t = &w.t;
    let (_c, portal) = open_door(t).await;
    portal
        .first_contact("I work at the depot and have seen things.", None)
        .await;
    let thread = only_thread(t).await;
    // Eight days on, it is past its acknowledgement day.
    t.clock.advance(chrono::Duration::days(8));
    let mut d = start(&chromium, &chromedriver, 1400).await;

    sign_in(&d, t, &w.handler).await;
    assert_eq!(
        d.text("#intake-late strong").await,
        "1",
        "the home page counts it"
    );
    d.screenshot("inbox-1-home").await;
    d.click("nav a[href='/intake']").await;
    d.wait_for("submissions").await;
    d.screenshot("inbox-2-inbox").await;
    d.click(&format!("a[href='/intake/{thread}']")).await;
    d.wait_for("Intake submission received").await;
    d.type_into("#reply-text", "Thank you. Can we meet on Friday?")
        .await;
    d.click("#send-reply").await;
    d.wait_for("an officer (reply)").await;
    assert_eq!(d.text("#submission-status").await, "acknowledged");
    d.screenshot("inbox-3-replied").await;

    // A date of birth the station cannot read is refused; the name typed survives.
    d.type_into("#name", "Sam Walker").await;
    d.type_into("#controller", "carl").await;
    d.click("#convert").await;
    assert_eq!(d.text("#problem-code").await, "INVALID_DATE");
    assert!(d.source().await.contains("value=\"Sam Walker\""));
    d.screenshot("inbox-4-convert-refused").await;
    d.type_into("#date_of_birth", "01311980").await;
    d.click("#convert").await;
    d.wait_for("walk in").await;
    d.screenshot("inbox-5-source").await;
    d.go(&t.url(&format!("/intake/{thread}"))).await;
    assert_eq!(d.text("#submission-status").await, "became a source");
    d.go(&t.url("/")).await;
    assert_eq!(d.text("#intake-late strong").await, "0");
    sign_out(&d).await;
    d.quit().await;
}
