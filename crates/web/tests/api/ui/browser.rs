//! The main stories in real headless Chromium with JavaScript off: a handler records a
//! contact; an authorising officer grants and reviews; an analyst grades a report with the
//! suggestion; an auditor downloads the inspection pack. Screenshots of each main page are
//! written under `target/screenshots/` (see `crate::browser::screenshot_dir`).

use crate::browser::{Driver, browser_binaries};
use crate::handling::World;
use crate::harness::{Officer, TestStation};
use humint_store::Backend;

async fn sign_in(d: &Driver, t: &TestStation, officer: &Officer) {
    t.clock.advance(chrono::Duration::seconds(30));
    d.go(&t.url("/signin")).await;
    d.type_into("#username", &officer.username).await;
    d.type_into("#password", &officer.password).await;
    d.type_into("#totp", &t.code(officer)).await;
    d.click("#sign-in").await;
    d.wait_for("What needs me today").await;
}

async fn sign_out(d: &Driver) {
    d.click("#sign-out").await;
    d.wait_for("You have signed out.").await;
}

#[tokio::test]
async fn chromium_without_javascript_walks_the_officers_main_stories() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let t = &w.t;
    let recruited = w.source("1980-01-01").await;
    w.risk(&recruited).await;
    w.walk(&recruited, &["assessed", "in_development"]).await;
    let mut d = Driver::start(&chromium, &chromedriver).await;
    d.call(
        "POST",
        "/window/rect",
        Some(serde_json::json!({"width": 1280, "height": 1100})),
    )
    .await;
    d.go("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await;
    assert_eq!(d.title().await, "off", "JavaScript must be disabled");

    // An authorising officer grants, then reviews.
    d.go(&t.url("/")).await;
    d.wait_for("Sign in").await;
    d.screenshot("officer-1-signin").await;
    sign_in(&d, t, &w.ao).await;
    d.screenshot("officer-2-home-ao").await;
    d.click("nav a[href='/sources']").await;
    d.wait_for("source-list").await;
    d.screenshot("officer-3-sources").await;
    d.click(&format!("a[href='/sources/{recruited}']")).await;
    d.click("#grant-authorisation").await;
    d.type_into("#necessity", "No other way to learn the supply route.")
        .await;
    d.type_into("#proportionality", "Least intrusive means.")
        .await;
    d.type_into(
        "#collateral_intrusion",
        "Family may be mentioned; not recorded.",
    )
    .await;
    d.type_into("#tasks", "report on the supply route").await;
    d.screenshot("officer-4-grant-form").await;
    d.click("#grant").await;
    d.wait_for("days left").await;
    d.click(".review-link").await;
    d.type_into("#use_made", "Two meetings.").await;
    d.type_into("#tasks_given", "The supply route.").await;
    d.type_into("#information_obtained", "Vehicle details.")
        .await;
    d.click("#necessity_still_met").await;
    d.click("#proportionality_still_met").await;
    d.click("#arrangements_still_met").await;
    d.screenshot("officer-5-review-form").await;
    d.click("#save-review").await;
    d.wait_for("days left").await;
    let reviews = d.text("#authorisations tbody tr td:nth-child(6)").await;
    assert_eq!(reviews, "1", "the review is on the source's page");
    sign_out(&d).await;

    // The source is recruited; its handler records a contact, first forgetting the time of a
    // planned one (the station refuses and the note survives), then as held.
    w.walk(&recruited, &["recruited"]).await;
    sign_in(&d, t, &w.handler).await;
    d.go(&t.url(&format!("/sources/{recruited}"))).await;
    d.screenshot("officer-6-source").await;
    d.click("#record-contact").await;
    d.click("#status option[value='planned']").await;
    d.type_into("#notes", "Met at the usual place.").await;
    d.click("#save-contact").await;
    assert_eq!(d.text("#problem-code").await, "FIELD_REQUIRED");
    d.screenshot("officer-7-contact-refused").await;
    assert!(
        d.source()
            .await
            .contains("Met at the usual place.</textarea>")
    );
    d.click("#status option[value='held']").await;
    d.click("#save-contact").await;
    d.wait_for("<td>held</td>").await;
    d.click("#reveal").await;
    assert_eq!(d.text("#identity-name").await, "Jane Example");
    d.screenshot("officer-8-identity-revealed").await;
    // At half the width (as at 200% zoom) the page reflows and stays readable.
    d.call(
        "POST",
        "/window/rect",
        Some(serde_json::json!({"width": 640, "height": 1100})),
    )
    .await;
    d.go(&t.url(&format!("/sources/{recruited}"))).await;
    d.screenshot("officer-9-source-narrow").await;
    sign_out(&d).await;
    d.quit().await;
}

#[tokio::test]
async fn chromium_without_javascript_walks_the_analysts_and_auditors_stories() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let t = &w.t;
    let (source, _) = super::recruited(&w).await;
    let report = super::reports::filed_report(&w, &source).await;
    let mut d = Driver::start(&chromium, &chromedriver).await;
    d.call(
        "POST",
        "/window/rect",
        Some(serde_json::json!({"width": 1280, "height": 1400})),
    )
    .await;
    d.go("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await;
    assert_eq!(d.title().await, "off", "JavaScript must be disabled");

    // An analyst grades a report with the suggestion: the form starts at it.
    sign_in(&d, t, &w.analyst).await;
    d.go(&t.url(&format!("/sources/{source}"))).await;
    d.wait_for("reliability-chart").await;
    d.screenshot("analyst-1-source-reliability").await;
    d.click("#source-reports").await;
    d.wait_for("report-list").await;
    d.screenshot("analyst-2-reports").await;
    d.click(&format!("a[href='/reports/{report}']")).await;
    let suggestion = d.text("#form-suggestion").await;
    d.type_into("#handling_code", "P").await;
    d.screenshot("analyst-3-report-grading").await;
    d.click("#save-grade").await;
    d.wait_for("(admiralty), handling P").await;
    let history = d.text("#gradings tbody tr td:nth-child(2)").await;
    assert_eq!(history, format!("{suggestion} (admiralty), handling P"));
    d.screenshot("analyst-4-report-graded").await;
    sign_out(&d).await;

    // An auditor reads the log and the bigot lists, and downloads the inspection pack.
    sign_in(&d, t, &w.auditor).await;
    d.click("nav a[href='/audit']").await;
    d.wait_for("audit-events").await;
    d.screenshot("auditor-1-audit-log").await;
    d.click("nav a[href='/audit/bigot-lists']").await;
    d.wait_for("bigot-list").await;
    d.screenshot("auditor-2-bigot-lists").await;
    d.click("nav a[href='/inspection']").await;
    d.wait_for("download-pack").await;
    d.screenshot("auditor-3-inspection-form").await;
    // The browser's download lands outside the test's reach; the same request with the
    // browser's own session cookie shows what it receives.
    let cookie = d.call("GET", "/cookie/humint_session", None).await;
    let session = cookie["value"].as_str().expect("a session cookie");
    let pack = reqwest::Client::new()
        .get(t.url("/inspection/pack?from=2026-03-01&to=2026-03-31"))
        .header("cookie", format!("humint_session={session}"))
        .send()
        .await
        .expect("download");
    assert_eq!(pack.status(), reqwest::StatusCode::OK);
    assert_eq!(
        pack.headers()["content-disposition"],
        "attachment; filename=\"inspection-2026-03-01-to-2026-03-31.html\""
    );
    let body = pack.text().await.expect("the pack");
    assert!(body.contains("Produced"), "{body}");
    assert!(body.contains(crate::handling::COMPARTMENT));
    sign_out(&d).await;
    d.quit().await;
}
