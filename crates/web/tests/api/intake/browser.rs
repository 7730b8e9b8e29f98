//! One real browser: headless Chromium with JavaScript disabled (Tor Browser "Safest"),
//! driven through chromedriver's W3C WebDriver HTTP API, through submit → codename → sign-in
//! → reply → verify.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/test installs them). Without them
//! the test is skipped, except in CI, where it fails.

use super::{only_thread, open_door};
use crate::browser::{Driver, browser_binaries};
use crate::harness::TestStation;
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn chromium_without_javascript_goes_through_the_whole_portal() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let Some(t) = TestStation::start(Backend::Sqlite).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let mut d = Driver::start(&chromium, &chromedriver).await;

    // JavaScript really is off: a page whose script would change its title keeps it.
    d.go("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await;
    assert_eq!(d.title().await, "off", "JavaScript must be disabled");

    // First contact, with a file.
    let upload = tempfile::tempdir().unwrap();
    let file = upload.path().join("evidence.txt");
    std::fs::write(&file, "the schedule").unwrap();
    d.go(&p.url("/")).await;
    d.screenshot("intake-1-start").await;
    d.type_into("#message", "I saw the shipment being unloaded at night.")
        .await;
    d.type_into("#file", &file.display().to_string()).await;
    d.click("#send").await;
    let codename = d.text("#codename").await;
    d.screenshot("intake-2-codename").await;
    assert_eq!(codename.split(' ').count(), 7, "{codename}");

    // An officer replies.
    let id = only_thread(&t).await;
    let alice = t.officer("alice", Role::Handler, &[]).await;
    let token = t.login(&alice).await;
    let (status, _) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/replies"),
            json!({"text": "Thank you. Can you say which night?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The volunteer signs in and reads it.
    d.go(&p.url("/login")).await;
    d.type_into("#codename-input", &codename).await;
    d.click("#sign-in").await;
    let reply = d.text(".reply-text").await;
    d.screenshot("intake-3-thread").await;
    assert_eq!(reply, "Thank you. Can you say which night?");
    d.wait_for("with a file").await;

    // They answer; the thread shows it.
    d.type_into("#message", "Tuesday, around 2am.").await;
    d.click("#send").await;
    d.wait_for("Received on").await;
    let list = t
        .station
        .intake_get(&humint_station::Principal::system(), &id)
        .await
        .unwrap();
    assert_eq!(list.received, 2);

    // Someone approached checks the phrase an officer gave them.
    let (_, issued) = t
        .post_json(Some(&token), "/api/v1/verification-phrases", json!({}))
        .await;
    d.go(&p.url("/verify")).await;
    d.type_into("#phrase", issued["phrase"].as_str().unwrap())
        .await;
    d.click("#check").await;
    d.screenshot("intake-4-verdict").await;
    assert_eq!(d.text("#verdict").await, "genuine");
    d.quit().await;
}
