//! Filing and following reports in the pages, over real HTTP on both backends: a handler files
//! a report with claims (refusals keep what was typed), the report list across compartments,
//! claims added later, outcomes, dissemination, and the grading history naming its grader.

use super::{Browser, recruited};
use crate::handling::{COMPARTMENT, OTHER, World};
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;

/// The handler files a report through the form with two claims and an empty third row;
/// returns the report's id.
pub async fn file_through_form(handler: &Browser, source: &str) -> String {
    let form = format!("/sources/{source}/reports/new");
    let filed = handler
        .submit(
            &form,
            &form,
            &[
                ("text", "Debrief: met at the usual place; two vehicles."),
                ("requirement_id", ""),
                ("claim_subject_0", "Vehicle KX-1"),
                ("claim_attribute_0", "colour"),
                ("claim_value_0", "blue"),
                ("claim_observed_at_0", "2026-03-01T10:00"),
                ("claim_subject_1", "Vehicle KX-2"),
                ("claim_attribute_1", "location"),
                ("claim_value_1", "Depot 4"),
                ("claim_observed_at_1", "2026-03-01T11:30"),
                ("claim_subject_2", ""),
                ("claim_attribute_2", ""),
                ("claim_value_2", ""),
                ("claim_observed_at_2", ""),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let to = filed.location().to_owned();
    to.strip_prefix("/reports/")
        .expect("to the report's page")
        .to_owned()
}

fn count_rows(html: &str, table: &str) -> usize {
    html.split_once(&format!("<table id=\"{table}\">"))
        .and_then(|(_, t)| t.split_once("</table>"))
        .map(|(t, _)| t.matches("<tr><td>").count())
        .unwrap_or(0)
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_handler_files_a_report_with_claims_and_a_refusal_keeps_what_was_typed(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let list = handler.get(&format!("/sources/{source}/reports")).await;
    assert!(
        list.body
            .contains(&format!("href=\"/sources/{source}/reports/new\"")),
        "{}",
        list.body
    );
    let form = format!("/sources/{source}/reports/new");
    let page = handler.get(&form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    super::pages::assert_accessible(&page.body);
    assert_eq!(page.body.matches("class=\"claim-row\"").count(), 3);

    // No debrief: refused by the station, every claim typed is still there.
    let refused = handler
        .submit(
            &form,
            &form,
            &[
                ("text", "  "),
                ("claim_subject_0", "Vehicle KX-1"),
                ("claim_attribute_0", "colour"),
                ("claim_value_0", "blue"),
                ("claim_observed_at_0", "2026-03-01T10:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("<code id=\"problem-code\">FIELD_REQUIRED</code>"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"Vehicle KX-1\""));
    assert!(refused.body.contains("value=\"2026-03-01T10:00\""));

    // A claim without the time it was observed: refused, the debrief kept.
    let refused = handler
        .submit(
            &form,
            &form,
            &[
                ("text", "Debrief kept."),
                ("claim_subject_1", "Vehicle KX-9"),
                ("claim_attribute_1", "colour"),
                ("claim_value_1", "red"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("claim 2 needs the time it was observed")
    );
    assert!(refused.body.contains(">Debrief kept.</textarea>"));
    // A claim without its subject: the station's rule, not the page's.
    let refused = handler
        .submit(
            &form,
            &form,
            &[
                ("text", "Debrief."),
                ("claim_attribute_0", "colour"),
                ("claim_value_0", "red"),
                ("claim_observed_at_0", "2026-03-01T10:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("a claim needs a subject and an attribute")
    );
    assert!(
        handler
            .get(&format!("/sources/{source}/reports"))
            .await
            .body
            .contains("id=\"no-reports\""),
        "nothing was filed by the refusals"
    );

    let report = file_through_form(&handler, &source).await;
    let page = handler.get(&format!("/reports/{report}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(count_rows(&page.body, "claims"), 2, "{}", page.body);

    // The requirement it answers is chosen from the compartment's open ones.
    let requirement = w.requirement().await;
    let page = handler.get(&form).await;
    assert!(
        page.body.contains(&format!(
            "<option value=\"{requirement}\">Supply route</option>"
        )),
        "{}",
        page.body
    );
    let answered = handler
        .submit(
            &form,
            &form,
            &[
                ("text", "On the supply route."),
                ("requirement_id", requirement.as_str()),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let (status, filed) =
        w.t.get(
            Some(&w.token(&w.handler).await),
            &format!("/api/v1{}", answered.location()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{filed}");
    assert_eq!(filed["requirement_id"], requirement.as_str());
    let page = handler.get(&format!("/reports/{report}")).await;
    assert!(page.body.contains("Depot 4"));
    assert!(
        !page.body.contains("Debrief: met"),
        "the debrief is not shown"
    );

    // An analyst may not file.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let forged = analyst
        .submit(
            "/reports",
            &form,
            &[("text", "Invented."), ("requirement_id", "")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("ROLE_FORBIDDEN"));
    // A form without the session's token saves nothing.
    let stale = handler
        .post(&form, &[("csrf", "nope"), ("text", "Debrief.")])
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert!(stale.body.contains("FORM_EXPIRED"));
    assert!(stale.body.contains(">Debrief.</textarea>"));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn reports_are_listed_across_compartments_newest_first_and_filtered(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let first = file_through_form(&handler, &source).await;
    w.t.clock.advance(chrono::Duration::minutes(5));
    let second = file_through_form(&handler, &source).await;

    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let all = analyst.get("/reports").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert!(
        all.body
            .contains("<a href=\"/reports\" aria-current=\"page\">")
    );
    let at = |id: &str| {
        all.body
            .find(&format!("href=\"/reports/{id}\""))
            .expect("listed")
    };
    assert!(at(&second) < at(&first), "newest first");

    // The analyst grades the first; the filters split them.
    let saved = analyst
        .submit(
            &format!("/reports/{first}"),
            &format!("/reports/{first}/grade"),
            &[
                ("scheme", "3x5x2"),
                ("source", "2"),
                ("information", "B"),
                ("handling_code", "P"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let graded = analyst.get("/reports?graded=graded").await;
    assert!(graded.body.contains(&format!("href=\"/reports/{first}\"")));
    assert!(!graded.body.contains(&format!("href=\"/reports/{second}\"")));
    assert!(
        graded
            .body
            .contains("2B (3x5x2), handling P</td><td>ann</td>"),
        "the grader by name: {}",
        graded.body
    );
    let ungraded = analyst.get("/reports?graded=ungraded").await;
    assert!(
        !ungraded
            .body
            .contains(&format!("href=\"/reports/{first}\""))
    );
    assert!(
        ungraded
            .body
            .contains(&format!("href=\"/reports/{second}\""))
    );
    let alpha = analyst
        .get(&format!("/reports?compartment={COMPARTMENT}"))
        .await;
    assert!(alpha.body.contains(&format!("href=\"/reports/{second}\"")));

    // A refused filter says why; a compartment the analyst is not read into is refused.
    let bad = analyst.get("/reports?graded=maybe").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("INVALID_CHOICE"));
    let other = analyst.get(&format!("/reports?compartment={OTHER}")).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);
    // An analyst of another compartment sees none of them.
    let outsider = w.t.officer("oto", Role::Analyst, &[OTHER]).await;
    let outsider = Browser::sign_in(&w.t, &outsider).await;
    let theirs = outsider.get("/reports").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("id=\"no-reports\""), "{}", theirs.body);
    assert_eq!(
        outsider.get(&format!("/reports/{first}")).await.status,
        StatusCode::FORBIDDEN
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_report_list_pages_fifty_at_a_time(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let token = w.token(&w.handler).await;
    for _ in 0..51 {
        let (status, body) =
            w.t.post_json(
                Some(&token),
                &format!("/api/v1/sources/{source}/reports"),
                serde_json::json!({"text": "Debrief."}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let first = analyst.get("/reports?graded=ungraded").await;
    assert_eq!(first.body.matches("class=\"report-link\"").count(), 50);
    let next = first
        .body
        .split_once("\" id=\"next-page\"")
        .and_then(|(before, _)| before.rsplit_once("href=\""))
        // As a browser reads the attribute: askama writes `&` as `&#38;`.
        .map(|(_, href)| href.replace("&#38;", "&"))
        .expect("a link to the next page");
    assert!(next.contains("graded=ungraded"), "{next}");
    let second = analyst.get(&next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body.matches("class=\"report-link\"").count(), 1);
    assert!(!second.body.contains("id=\"next-page\""));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn claims_outcomes_and_dissemination_on_the_report_page(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let report = file_through_form(&handler, &source).await;
    let page_path = format!("/reports/{report}");

    // The handler adds a claim; one without a subject is refused and the value kept.
    let claims = format!("/reports/{report}/claims");
    let refused = handler
        .submit(
            &page_path,
            &claims,
            &[
                ("subject", ""),
                ("attribute", "owner"),
                ("value", "A. Trader"),
                ("observed_at", "2026-03-01T12:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("FIELD_REQUIRED"), "{}", refused.body);
    assert!(refused.body.contains("value=\"A. Trader\""));
    let added = handler
        .submit(
            &page_path,
            &claims,
            &[
                ("subject", "Vehicle KX-2"),
                ("attribute", "owner"),
                ("value", "A. Trader"),
                ("observed_at", "2026-03-01T12:00"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = handler.get(&page_path).await;
    assert_eq!(count_rows(&page.body, "claims"), 3);
    assert!(page.body.contains("A. Trader"));
    assert!(
        !page.body.contains("class=\"save-outcome\""),
        "handlers record no outcome"
    );

    // The analyst records an outcome; a handler's forged one is refused.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let page = analyst.get(&page_path).await;
    let claim = page
        .body
        .split_once("action=\"/claims/")
        .and_then(|(_, rest)| rest.split_once("/outcomes\""))
        .map(|(id, _)| id.to_owned())
        .expect("an outcome form");
    let outcome = format!("/claims/{claim}/outcomes");
    let forged = handler
        .submit(
            &page_path,
            &outcome,
            &[("verdict", "confirmed"), ("means", "events")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("ROLE_FORBIDDEN"));
    let bad = analyst
        .submit(
            &page_path,
            &outcome,
            &[("verdict", "probably"), ("means", "events")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("INVALID_CHOICE"));
    let saved = analyst
        .submit(
            &page_path,
            &outcome,
            &[
                ("verdict", "refuted"),
                ("means", "technical_collection"),
                ("established_at", "2026-03-01T18:00"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = analyst.get(&page_path).await;
    assert!(
        page.body
            .contains("refuted by technical collection on 2026-03-01 18:00 GMT, recorded by ann"),
        "{}",
        page.body
    );

    // Dissemination before grading is the core's refusal; what was typed stays.
    let disseminate = format!("/reports/{report}/disseminations");
    let refused = analyst
        .submit(
            &page_path,
            &disseminate,
            &[
                ("recipient", "Regional Organised Crime Unit"),
                ("handling_code", "P: no onward release"),
                ("sanitised", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("<code id=\"problem-code\">REPORT_NOT_GRADED</code>"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("value=\"Regional Organised Crime Unit\"")
    );
    assert!(
        refused
            .body
            .contains("id=\"sanitised\" name=\"sanitised\" type=\"checkbox\" value=\"1\" checked")
    );

    let graded = analyst
        .submit(
            &page_path,
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
    // A dissemination recorded as happening in the future: refused, what was typed kept.
    let future = analyst
        .submit(
            &page_path,
            &disseminate,
            &[
                ("recipient", "Regional Organised Crime Unit"),
                ("handling_code", "P: no onward release"),
                ("disseminated_at", "2999-01-01 10:00"),
            ],
        )
        .await;
    assert_eq!(
        future.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        future.body
    );
    assert!(
        future.body.contains("DISSEMINATION_TIME_INVALID"),
        "{}",
        future.body
    );
    assert!(
        future.body.contains("value=\"2999-01-01 10:00\""),
        "{}",
        future.body
    );
    assert!(
        future.body.contains("id=\"no-disseminations\""),
        "nothing was saved"
    );
    let sent = analyst
        .submit(
            &page_path,
            &disseminate,
            &[
                ("recipient", "Regional Organised Crime Unit"),
                ("handling_code", "P: no onward release"),
                ("sanitised", "1"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = analyst.get(&page_path).await;
    assert!(page.body.contains(
        "<td>Regional Organised Crime Unit</td><td>P: no onward release</td><td>yes</td><td>ann</td>"
    ), "{}", page.body);
    assert!(
        page.body
            .contains("<td>2B (3x5x2), handling P</td><td></td><td>ann</td>"),
        "the grading history names its grader: {}",
        page.body
    );
    assert!(page.body.contains("id=\"report-status\">disseminated"));
    // The handler may not disseminate.
    let forged = handler
        .submit(
            &page_path,
            &disseminate,
            &[("recipient", "Press"), ("handling_code", "P")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}
