//! Requirements in the pages over real HTTP, on both backends: setting one, its coverage in
//! words, review and closure with their refusals, and who may do what.

use super::{Browser, recruited};
use crate::handling::{COMPARTMENT, World};
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;

/// The analyst sets a requirement through the form; returns its page's path.
pub async fn set_through_form(b: &Browser, title: &str) -> String {
    let saved = b
        .submit(
            "/requirements/new",
            "/requirements/new",
            &[
                ("title", title),
                ("detail", "How goods enter the city."),
                ("priority", "2"),
                ("compartment", COMPARTMENT),
                ("review_by", "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    saved.location().to_owned()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn requirements_are_set_covered_reviewed_and_closed_with_refusals_shown(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let form = analyst.get("/requirements/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    super::pages::assert_accessible(&form.body);

    // A priority off the scale is the core's refusal; what was typed stays.
    let refused = analyst
        .submit(
            "/requirements/new",
            "/requirements/new",
            &[
                ("title", "Supply route"),
                ("detail", "Kept detail."),
                ("priority", "5"),
                ("compartment", COMPARTMENT),
                ("review_by", "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("<code id=\"problem-code\">REQUIREMENT_PRIORITY_INVALID</code>"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Supply route\""));
    assert!(refused.body.contains(">Kept detail.</textarea>"));
    let refused = analyst
        .submit(
            "/requirements/new",
            "/requirements/new",
            &[
                ("title", "Supply route"),
                ("priority", "2"),
                ("compartment", COMPARTMENT),
                ("review_by", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("INVALID_DATE"));

    let page_path = set_through_form(&analyst, "Supply route").await;
    let list = analyst.get("/requirements").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body
            .contains(&format!("<a href=\"{page_path}\">Supply route</a>"))
    );
    assert!(
        list.body
            .contains("<span class=\"tag sev-warning\">Gap</span> no source tasked"),
        "an uncovered requirement is flagged in words: {}",
        list.body
    );
    assert!(
        analyst
            .get("/requirements?show=uncovered")
            .await
            .body
            .contains("Supply route")
    );

    // Once a source is tasked against it, it is covered.
    let (source, _) = recruited(&w).await;
    let id = page_path.trim_start_matches("/requirements/").to_owned();
    let (status, body) = w.task(&source, &id).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let page = analyst.get(&page_path).await;
    assert!(
        page.body.contains("id=\"coverage\">1 source tasked"),
        "{}",
        page.body
    );
    assert!(
        !analyst
            .get("/requirements?show=uncovered")
            .await
            .body
            .contains("Supply route")
    );

    // A review into the past is refused and its note kept; then one is recorded.
    let review = format!("{page_path}/review");
    let refused = analyst
        .submit(
            &page_path,
            &review,
            &[("review_by", "2026-03-01"), ("note", "Still needed.")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("REVIEW_BY_IN_PAST"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(">Still needed.</textarea>"));
    let saved = analyst
        .submit(
            &page_path,
            &review,
            &[("review_by", "2026-09-30"), ("note", "Still needed.")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = analyst.get(&page_path).await;
    assert!(page.body.contains("id=\"review-by\">2026-09-30"));
    assert!(
        page.body.contains(
            "<td>reviewed; next review by 2026-09-30</td><td>ann</td><td>Still needed.</td>"
        ),
        "{}",
        page.body
    );

    // A handler sees the page but no form, and the station refuses a forged closure.
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let seen = handler.get(&page_path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("id=\"close-requirement\""));
    assert!(
        !handler
            .get("/requirements")
            .await
            .body
            .contains("id=\"new-requirement\"")
    );
    let close = format!("{page_path}/close");
    let forged = handler
        .submit(&page_path, &close, &[("note", "Not needed.")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("ROLE_FORBIDDEN"));
    let forged = handler
        .submit(
            "/requirements",
            "/requirements/new",
            &[
                ("title", "Mine"),
                ("priority", "1"),
                ("compartment", COMPARTMENT),
                ("review_by", "2026-06-30"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Closing needs a reason; then it closes, and a review sent from the page as it was
    // before is the core's REQUIREMENT_CLOSED.
    let stale = analyst.get(&page_path).await.csrf();
    let refused = analyst.submit(&page_path, &close, &[("note", "  ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("REQUIREMENT_NOTE_REQUIRED"));
    let closed = analyst
        .submit(&page_path, &close, &[("note", "Route found.")])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let page = analyst.get(&page_path).await;
    assert!(page.body.contains("id=\"requirement-state\">closed"));
    assert!(
        !page.body.contains("id=\"save-review\""),
        "no form once closed"
    );
    let late = analyst
        .post(
            &review,
            &[
                ("csrf", stale.as_str()),
                ("review_by", "2026-12-31"),
                ("note", "Late review."),
            ],
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert!(
        late.body
            .contains("<code id=\"problem-code\">REQUIREMENT_CLOSED</code>"),
        "{}",
        late.body
    );
    assert!(
        !analyst
            .get("/requirements")
            .await
            .body
            .contains("Supply route")
    );
    assert!(
        analyst
            .get("/requirements?show=all")
            .await
            .body
            .contains("Supply route")
    );
    assert_eq!(
        analyst.get("/requirements?show=some").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        analyst.get("/requirements/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
}
