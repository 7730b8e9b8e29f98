//! The relevant errors register in the pages over real HTTP, on both backends: recording,
//! establishing and reporting an error, its deadline in words at the exact boundary, the
//! refusals, and who may see and keep the register.

use super::Browser;
use crate::handling::{COMPARTMENT, World};
use chrono::{NaiveDateTime, TimeZone, Utc};
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;

/// The deadline the page states: "before 2026-03-16 00:00 GMT" (GMT: UTC in March).
fn stated_deadline(html: &str) -> chrono::DateTime<Utc> {
    let text = html
        .split_once("Report to the Commissioner before ")
        .map(|(_, rest)| &rest[..20])
        .expect("a deadline on the page");
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M GMT").expect("a time");
    Utc.from_utc_datetime(&naive)
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_error_is_recorded_established_and_reported_with_its_deadline_in_words(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let page = controller.get("/errors").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    super::pages::assert_accessible(&page.body);
    assert!(page.body.contains("id=\"no-errors\""));

    // Refusals keep what was typed.
    let refused = controller
        .submit(
            "/errors",
            "/errors",
            &[
                ("compartment", COMPARTMENT),
                ("description", "  "),
                ("identified_at", "2026-03-02T08:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("ERROR_DESCRIPTION_REQUIRED"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"2026-03-02T08:00\""));
    let refused = controller
        .submit(
            "/errors",
            "/errors",
            &[
                ("compartment", COMPARTMENT),
                (
                    "description",
                    "Meeting held after the authorisation lapsed.",
                ),
                ("identified_at", "2026-03-09T08:00"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("ERROR_TIME_IN_FUTURE"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains(">Meeting held after the authorisation lapsed.</textarea>")
    );

    let saved = controller
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
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = controller.get("/errors").await;
    assert!(
        page.body.contains("Not established</span> Recorded;"),
        "{}",
        page.body
    );
    let establish = page
        .body
        .split_once("action=\"/errors/")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(path, _)| format!("/errors/{path}"))
        .expect("an establish form");
    assert!(establish.ends_with("/establish"), "{establish}");
    let report = establish.replace("/establish", "/report");

    // Reporting before establishing is the core's refusal.
    let refused = controller
        .submit(
            "/errors",
            &report,
            &[("at", "2026-03-02T09:00"), ("reference", "IPCO/1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("ERROR_NOT_ESTABLISHED"),
        "{}",
        refused.body
    );

    let saved = controller
        .submit("/errors", &establish, &[("at", "2026-03-02T09:00")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = controller.get("/errors").await;
    let due = stated_deadline(&page.body);
    assert!(
        page.body
            .contains("<span class=\"tag sev-warning\">Due</span>")
    );

    // A minute before the deadline it is due; at the deadline it is overdue, in words.
    w.t.clock
        .set(due - chrono::Duration::minutes(1) - chrono::Duration::seconds(30));
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let before = controller.get("/errors").await;
    assert!(before.body.contains(">Due</span>"), "{}", before.body);
    assert!(
        !controller
            .get("/errors?show=overdue")
            .await
            .body
            .contains("Meeting held")
    );
    w.t.clock.set(due);
    let at = controller.get("/errors").await;
    assert!(
        at.body.contains("<span class=\"tag sev-critical\">Overdue</span> Overdue: not reported, and the deadline passed at"),
        "{}",
        at.body
    );
    assert!(
        controller
            .get("/errors?show=overdue")
            .await
            .body
            .contains("Meeting held")
    );

    // The report needs the Commissioner's reference; the time typed stays.
    let refused = controller
        .submit(
            "/errors",
            &report,
            &[("at", "2026-03-20T10:00"), ("reference", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("ERROR_REFERENCE_REQUIRED"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"2026-03-20T10:00\""));
    let at_text = due.format("%Y-%m-%dT%H:%M").to_string();
    let saved = controller
        .submit(
            "/errors",
            &report,
            &[("at", at_text.as_str()), ("reference", "IPCO/2026/7")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let all = controller.get("/errors?show=all").await;
    assert!(
        all.body.contains("Reported late</span> Reported"),
        "{}",
        all.body
    );
    assert!(all.body.contains("Reference IPCO/2026/7"));
    assert!(
        !controller
            .get("/errors")
            .await
            .body
            .contains("Meeting held")
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn who_may_see_and_keep_the_register(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // Analysts see no case records: the register is the station's refusal.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let refused = analyst.get("/errors").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("ROLE_FORBIDDEN"));
    assert!(!analyst.get("/").await.body.contains("href=\"/errors\""));
    // A handler reads the register but keeps none of it.
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let page = handler.get("/errors").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"record-error\""));
    let forged = handler
        .submit(
            "/errors",
            "/errors",
            &[
                ("compartment", COMPARTMENT),
                ("description", "Mine."),
                ("identified_at", "2026-03-02T08:00"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("ROLE_FORBIDDEN"));
    // An auditor keeps it.
    let auditor = Browser::sign_in(&w.t, &w.auditor).await;
    assert!(
        auditor
            .get("/errors")
            .await
            .body
            .contains("id=\"record-error\"")
    );
    assert_eq!(
        auditor.get("/errors?show=never").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_error_about_a_source_is_recorded_from_its_page(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, auth) = w.recruited("1980-01-01").await;
    let auth_id = auth["id"].as_str().expect("authorisation id").to_owned();
    // The handler keeps no register: no link on the source page.
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    assert!(
        !handler
            .get(&format!("/sources/{source}"))
            .await
            .body
            .contains("id=\"record-error-about\"")
    );
    // The controller follows the link: the form starts with the source and its compartment.
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let page = controller.get(&format!("/sources/{source}")).await;
    let link = format!("/errors?source={source}&amp;source_compartment={COMPARTMENT}#h-record");
    assert!(page.body.contains(&link), "{}", page.body);
    let form = controller
        .get(&format!(
            "/errors?source={source}&source_compartment={COMPARTMENT}"
        ))
        .await;
    assert!(
        form.body.contains(&format!(
            "name=\"source_id\" type=\"text\" maxlength=\"64\" value=\"{source}\""
        )),
        "{}",
        form.body
    );
    // The source's authorisation is offered by name, not typed as a reference.
    assert!(
        form.body
            .contains("<select id=\"authorisation_id\" name=\"authorisation_id\">"),
        "{}",
        form.body
    );
    assert!(
        form.body.contains(&format!(
            "<option value=\"{auth_id}\">Standard authorisation, live: granted"
        )),
        "{}",
        form.body
    );
    // Without a source, the reference is typed.
    assert!(
        controller
            .get("/errors")
            .await
            .body
            .contains("<input id=\"authorisation_id\" name=\"authorisation_id\" type=\"text\"")
    );
    let saved = controller
        .submit(
            "/errors",
            "/errors",
            &[
                ("compartment", COMPARTMENT),
                ("source_id", source.as_str()),
                ("authorisation_id", auth_id.as_str()),
                (
                    "description",
                    "A meeting was held without its authorisation in force.",
                ),
                ("identified_at", "2026-03-02 08:00"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = controller.get("/errors").await;
    assert!(
        list.body
            .contains(&format!("<a href=\"/sources/{source}\">The source</a>")),
        "{}",
        list.body
    );
    let token = w.token(&w.controller).await;
    let (_, errors) = w.t.get(Some(&token), "/api/v1/errors?show=all").await;
    assert!(
        errors
            .to_string()
            .contains(&format!("\"authorisation_id\":\"{auth_id}\"")),
        "{errors}"
    );
}
