//! Concerns raised about a source in the pages: the source page lists them with their reviews,
//! anyone who reads the source raises one through a form (a refusal keeps what was typed), the
//! controller's home page links the alert to the review form, and the review shows on the page;
//! over HTTP on both backends and in headless Chromium with JavaScript off.

use super::Browser;
use super::browser::{sign_in, start};
use crate::browser::browser_binaries;
use crate::handling::World;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;

const ACCOUNT: &str =
    "The source says a detective from another unit threatened to charge her brother.";
const NOTE: &str = "Passed to professional standards; the source is being moved to a new handler.";

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_source_page_raises_lists_and_reviews_concerns(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    let page = format!("/sources/{source}");
    let form = format!("{page}/concerns/new");
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let shown = handler.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(shown.body.contains("id=\"no-concerns\""), "{}", shown.body);
    assert!(
        shown.body.contains("id=\"raise-concern\""),
        "{}",
        shown.body
    );

    // A blank account is refused with its code, the chosen category kept.
    let refused = handler
        .submit(&form, &form, &[("category", "welfare"), ("account", "  ")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("CONCERN_TEXT_REQUIRED"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains(r#"<option value="welfare" selected>"#),
        "{}",
        refused.body
    );
    let raised = handler
        .submit(
            &form,
            &form,
            &[("category", "coercion"), ("account", ACCOUNT)],
        )
        .await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    assert_eq!(raised.location(), format!("{page}#h-concerns"));
    let shown = handler.get(&page).await;
    assert!(shown.body.contains(ACCOUNT), "{}", shown.body);
    assert!(
        shown.body.contains("Open: awaiting a controller"),
        "{}",
        shown.body
    );
    // A handler does not review.
    assert!(
        !shown.body.contains("class=\"review-concern\""),
        "{}",
        shown.body
    );

    // The analyst sees that a concern was raised, not its account.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let shown = analyst.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(
        shown
            .body
            .contains("<td class=\"concern-category\">coercion</td>"),
        "{}",
        shown.body
    );
    assert!(!shown.body.contains(ACCOUNT), "{}", shown.body);

    // The controller's home page links the alert to the review form.
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let home = controller.get("/").await;
    let marker = format!("href=\"{page}/concerns/");
    let start = home.body.find(&marker).expect("a link to the review form");
    let href = home.body[start + 6..]
        .split('"')
        .next()
        .expect("href")
        .to_owned();
    assert!(href.ends_with("/review"), "{href}");
    let review_form = controller.get(&href).await;
    assert_eq!(review_form.status, StatusCode::OK, "{}", review_form.body);
    assert!(review_form.body.contains(ACCOUNT), "{}", review_form.body);
    let done = controller
        .submit(&href, &href, &[("finding", "founded"), ("note", NOTE)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let shown = controller.get(&page).await;
    assert!(shown.body.contains("founded by carl"), "{}", shown.body);
    assert!(shown.body.contains(NOTE), "{}", shown.body);
    assert!(
        shown.body.contains("The risk assessment must be reviewed."),
        "{}",
        shown.body
    );
    assert!(
        !shown.body.contains("class=\"review-concern\""),
        "{}",
        shown.body
    );
    // The alert has ended: no link to it on the home page any more.
    assert!(!controller.get("/").await.body.contains(&marker));

    // A second review through the form is refused, and says why.
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let again = ao
        .submit(&href, &href, &[("finding", "unfounded"), ("note", "No.")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again.body.contains("CONCERN_ALREADY_REVIEWED"),
        "{}",
        again.body
    );
}

#[tokio::test]
async fn chromium_without_javascript_raises_and_reviews_a_concern() {
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
    d.go(&t.url(&format!("/sources/{source}"))).await;
    d.wait_for("no-concerns").await;
    d.click("#raise-concern").await;
    d.wait_for("save-concern").await;
    d.click("#category option[value='circumstances']").await;
    d.type_into(
        "#account",
        "The source has moved in with the target's cousin.",
    )
    .await;
    d.click("#save-concern").await;
    d.wait_for("concern-account").await;
    assert_eq!(d.text(".concern-category").await, "circumstances");
    d.screenshot("concerns-1-raised").await;
    d.click("#sign-out").await;
    d.wait_for("You have signed out.").await;

    sign_in(&d, t, &w.controller).await;
    d.go(&t.url(&format!("/sources/{source}"))).await;
    d.wait_for("review-concern").await;
    d.click(".review-concern").await;
    d.wait_for("save-concern-review").await;
    d.click("#finding option[value='referred']").await;
    d.type_into(
        "#note",
        "Asked the handler to reassess the risks this week.",
    )
    .await;
    d.click("#save-concern-review").await;
    d.wait_for("concern-review").await;
    assert!(
        d.text(".concern-review")
            .await
            .starts_with("referred by carl at "),
        "{}",
        d.text(".concern-review").await
    );
    d.screenshot("concerns-2-reviewed").await;
    d.quit().await;
}
