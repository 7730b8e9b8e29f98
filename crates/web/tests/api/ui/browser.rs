//! The main stories in real headless Chromium with JavaScript off: a handler records a
//! contact; an authorising officer grants and reviews; an analyst grades a report with the
//! suggestion; an auditor downloads the inspection pack; a source goes from creation to an
//! approved payment through the forms. Screenshots of each main page are
//! written under `target/screenshots/` (see `crate::browser::screenshot_dir`).

use crate::browser::{Driver, browser_binaries};
use crate::handling::World;
use crate::harness::{Officer, TestStation};
use humint_store::Backend;

pub(super) async fn sign_in(d: &Driver, t: &TestStation, officer: &Officer) {
    t.clock.advance(chrono::Duration::seconds(30));
    d.go(&t.url("/signin")).await;
    d.type_into("#username", &officer.username).await;
    d.type_into("#password", &officer.password).await;
    d.type_into("#totp", &t.code(officer)).await;
    d.click("#sign-in").await;
    d.wait_for("What needs me today").await;
}

pub(super) async fn sign_out(d: &Driver) {
    d.click("#sign-out").await;
    d.wait_for("You have signed out.").await;
}

/// A Chromium 1280 pixels wide and `height` high, with JavaScript checked to be off.
pub(super) async fn start(chromium: &str, chromedriver: &str, height: u32) -> Driver {
    let d = Driver::start(chromium, chromedriver).await;
    d.call(
        "POST",
        "/window/rect",
        Some(serde_json::json!({"width": 1280, "height": height})),
    )
    .await;
    d.go("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await;
    assert_eq!(d.title().await, "off", "JavaScript must be disabled");
    d
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
    let mut d = start(&chromium, &chromedriver, 1100).await;

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
    let mut d = start(&chromium, &chromedriver, 1400).await;

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
    // From the sources list to the compartment's dependence: one source, so no group.
    d.click("nav a[href='/sources']").await;
    d.wait_for("compartment-links").await;
    d.click(&format!(
        "#compartment-links a[href='/compartments/{}/dependence']",
        crate::handling::COMPARTMENT
    ))
    .await;
    d.wait_for("no-dependence").await;
    assert!(
        d.text("#no-dependence")
            .await
            .contains("(1 with an estimate)")
    );
    d.screenshot("analyst-5-dependence").await;
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

#[tokio::test]
async fn chromium_without_javascript_walks_a_source_from_creation_to_an_approved_payment() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let t = &w.t;
    w.requirement().await;
    let mut d = start(&chromium, &chromedriver, 1400).await;

    // A handler records a new source, assesses its risks and develops it.
    sign_in(&d, t, &w.handler).await;
    d.click("nav a[href='/sources']").await;
    d.click("#new-source").await;
    d.type_into("#name", "Jane Example").await;
    d.type_into("#date_of_birth", "1980-05-01").await;
    d.type_into("#identities_used", "J. Sample").await;
    d.type_into("#controller", "carl").await;
    d.type_into("#record_keeper", "kim").await;
    d.screenshot("forms-1-new-source").await;
    d.click("#save-source").await;
    d.wait_for("id=\"state\">spotted").await;
    let url = d.call("GET", "/url", None).await;
    let page = url.as_str().expect("the source's address").to_owned();
    assert!(page.contains("/sources/"), "{page}");
    d.click("#assess-risk").await;
    d.type_into("#security_and_welfare", "Works near the target.")
        .await;
    d.type_into("#mitigations", "Meetings out of area.").await;
    d.click("#explained_to_source").await;
    d.click("#understood_by_source").await;
    d.screenshot("forms-2-risk").await;
    d.click("#save-risk").await;
    d.wait_for("explained and understood").await;
    for (state, shown) in [
        ("assessed", "assessed"),
        ("in_development", "in development"),
    ] {
        d.click("#change-state").await;
        d.click(&format!("#to option[value='{state}']")).await;
        d.type_into("#reason", "Ready for the next stage.").await;
        if state == "assessed" {
            d.screenshot("forms-3-transition").await;
        }
        d.click("#save-transition").await;
        d.wait_for(&format!("id=\"state\">{shown}<")).await;
    }
    sign_out(&d).await;

    // An authorising officer authorises it.
    sign_in(&d, t, &w.ao).await;
    d.go(&page).await;
    d.click("#grant-authorisation").await;
    d.type_into("#necessity", "No other way to learn the supply route.")
        .await;
    d.type_into("#proportionality", "Least intrusive means.")
        .await;
    d.type_into("#collateral_intrusion", "Family may be mentioned.")
        .await;
    d.type_into("#tasks", "report on the supply route").await;
    d.click("#grant").await;
    d.wait_for("days left").await;
    d.screenshot("forms-4-authorised").await;
    sign_out(&d).await;

    // The handler recruits it, tasks it and records a payment over the threshold.
    sign_in(&d, t, &w.handler).await;
    d.go(&page).await;
    d.click("#change-state").await;
    d.click("#to option[value='recruited']").await;
    d.type_into("#reason", "Agreed to help.").await;
    d.click("#save-transition").await;
    d.wait_for("id=\"state\">recruited<").await;
    d.click("#task-source").await;
    d.type_into("#instructions", "Note the vehicles used.")
        .await;
    d.screenshot("forms-5-tasking").await;
    d.click("#save-tasking").await;
    d.wait_for("tasking-status\">issued").await;
    d.click("#record-payment").await;
    d.type_into("#amount", "600").await;
    d.type_into("#purpose", "Expenses for March.").await;
    d.click("#paid").await;
    d.click("#save-payment").await;
    assert_eq!(d.text("#problem-code").await, "PAYMENT_APPROVAL_REQUIRED");
    d.screenshot("forms-6-payment-refused").await;
    assert!(d.source().await.contains("Expenses for March.</textarea>"));
    d.click("#paid").await;
    d.click("#save-payment").await;
    d.wait_for("awaiting a controller").await;
    d.screenshot("forms-7-source-handler").await;
    sign_out(&d).await;

    // The controller approves the payment from the source's page.
    sign_in(&d, t, &w.controller).await;
    d.go(&page).await;
    d.click(".approve-payment").await;
    d.wait_for("approved, not yet paid").await;
    assert_eq!(d.text(".payment-status").await, "approved, not yet paid");
    d.screenshot("forms-8-payment-approved").await;
    // ... and hands the record-keeping to another officer.
    d.click("#assign-role").await;
    d.click("#role option[value='record_keeper']").await;
    d.type_into("#officer", "aud").await;
    d.screenshot("forms-9-assign-role").await;
    d.click("#save-role").await;
    d.wait_for("aud <span").await;
    sign_out(&d).await;

    // The handler moves the tasking on and records what became of a planned meeting.
    let source = page.rsplit('/').next().expect("an id").to_owned();
    let token = w.token(&w.handler).await;
    let (status, body) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/contacts"),
            serde_json::json!({"mode": "meeting", "status": "planned", "purpose": "welfare",
                "planned_for": "2026-03-09T18:00:00Z"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    sign_in(&d, t, &w.handler).await;
    d.go(&page).await;
    d.click(".tasking-status-link").await;
    d.click("#to option[value='acknowledged']").await;
    d.type_into("#note", "Agreed at the meeting.").await;
    d.screenshot("forms-10-tasking-status").await;
    d.click("#save-tasking-status").await;
    d.wait_for("acknowledged by hana").await;
    d.click(".outcome-link").await;
    d.type_into("#notes", "Well; no concerns.").await;
    d.screenshot("forms-11-contact-outcome").await;
    d.click("#save-outcome").await;
    d.wait_for("<td>held</td>").await;
    sign_out(&d).await;

    // The authorising officer: criminal conduct on the live authorisation, its Commissioner
    // notice, a renewal refused for want of a review, and a cancellation.
    sign_in(&d, t, &w.ao).await;
    d.go(&page).await;
    d.click("#grant-authorisation").await;
    d.click("#kind option[value='criminal_conduct']").await;
    d.type_into("#necessity", "Needed to keep access to the group.")
        .await;
    d.type_into("#proportionality", "Limited to carrying goods.")
        .await;
    d.type_into("#collateral_intrusion", "None beyond the group.")
        .await;
    d.type_into("#tasks", "carry goods under supervision").await;
    d.click("#parent option:nth-child(2)").await;
    d.screenshot("forms-12-grant-criminal-conduct").await;
    d.click("#grant").await;
    d.wait_for("<td>criminal conduct</td>").await;
    d.click(".notice-link").await;
    d.screenshot("forms-13-commissioner-notice").await;
    d.click("#save-notice").await;
    d.wait_for("days left").await;
    assert!(!d.source().await.contains("notice-link"));
    d.click(".renew-link").await;
    d.click("#save-renewal").await;
    assert_eq!(d.text("#problem-code").await, "RENEWAL_WITHOUT_REVIEW");
    d.screenshot("forms-14-renewal-refused").await;
    d.go(&page).await;
    d.click(".cancel-link").await;
    d.type_into("#reasons", "The operation has ended.").await;
    d.type_into("#welfare_plan", "Welfare calls for three months.")
        .await;
    d.screenshot("forms-15-cancel").await;
    d.click("#save-cancellation").await;
    d.wait_for("<td>standard</td><td>cancelled").await;
    d.screenshot("forms-16-source-ao").await;
    sign_out(&d).await;
    d.quit().await;
}
