//! The intake inbox in the pages over real HTTP, on both backends: the list and a thread
//! (audited reads, no content), reply, status and conversion with their refusals, phrases,
//! who may do what, and the home page's count at its exact boundary (counted, not read).

use super::Browser;
use crate::handling::{COMPARTMENT, OTHER, World};
use crate::intake::{only_thread, open_door};
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;

/// The actions of the ledger's events so far.
async fn actions(w: &World) -> Vec<String> {
    w.t.station
        .store()
        .audit_events(0, 10_000)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.event.action)
        .collect()
}

fn count(actions: &[String], action: &str) -> usize {
    actions.iter().filter(|a| *a == action).count()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_intake_officer_replies_moves_the_status_and_converts_a_submission(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_c, portal) = open_door(&w.t).await;
    portal
        .first_contact("I work at the depot and have seen things.", None)
        .await;
    let id = only_thread(&w.t).await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;

    let before = actions(&w).await;
    let list = handler.get("/intake").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    super::pages::assert_accessible(&list.body);
    assert!(list.body.contains(&format!("href=\"/intake/{id}\"")));
    assert!(
        list.body.contains("<td>new</td><td>due by 2026-03-09</td>"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("I work at the depot"), "no content");
    let after = actions(&w).await;
    assert_eq!(
        count(&after, "intake.list"),
        count(&before, "intake.list") + 1,
        "one audit event per list read"
    );

    let page_path = format!("/intake/{id}");
    let page = handler.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    super::pages::assert_accessible(&page.body);
    assert_eq!(page.body.matches("<td>the volunteer</td>").count(), 1);
    assert!(!page.body.contains("I work at the depot"));
    assert!(
        count(&actions(&w).await, "intake.read") >= 1,
        "the thread read is audited"
    );

    // A blank reply is refused; a reply is sent and acknowledges receipt.
    let reply = format!("{page_path}/reply");
    let refused = handler.submit(&page_path, &reply, &[("text", "   ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("<code id=\"problem-code\">INVALID_REPLY</code>"),
        "{}",
        refused.body
    );
    let sent = handler
        .submit(
            &page_path,
            &reply,
            &[(
                "text",
                "Thank you. We would like to meet; reply with a day.",
            )],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(sent.location(), page_path);
    let page = handler.get(&page_path).await;
    assert!(page.body.contains("id=\"submission-status\">acknowledged"));
    assert!(page.body.contains("<td>an officer (reply)</td>"));
    assert!(
        !page.body.contains("We would like to meet"),
        "the reply is not kept readable"
    );

    // A status the station does not allow is refused; feedback is recorded.
    let status = format!("{page_path}/status");
    let refused = handler
        .submit(&page_path, &status, &[("status", "new")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("INVALID_STATUS"));
    let saved = handler
        .submit(&page_path, &status, &[("status", "feedback_given")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(
        handler
            .get(&page_path)
            .await
            .body
            .contains("id=\"submission-status\">feedback given")
    );

    // Conversion: a bad date of birth and a compartment the handler is not in are refused,
    // keeping what was typed; then the walk-in becomes a spotted source.
    let convert = format!("{page_path}/convert");
    let refused = handler
        .submit(
            &page_path,
            &convert,
            &[
                ("compartment", COMPARTMENT),
                ("name", "Sam Walker"),
                ("date_of_birth", "31/01/1980"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("INVALID_DATE"), "{}", refused.body);
    assert!(refused.body.contains("value=\"Sam Walker\""));
    let refused = handler
        .submit(
            &page_path,
            &convert,
            &[
                ("compartment", OTHER),
                ("name", "Sam Walker"),
                ("date_of_birth", "1980-01-31"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let stale = handler.get(&page_path).await.csrf();
    let converted = handler
        .submit(
            &page_path,
            &convert,
            &[
                ("compartment", COMPARTMENT),
                ("name", "Sam Walker"),
                ("date_of_birth", "1980-01-31"),
                ("controller", "carl"),
            ],
        )
        .await;
    assert_eq!(
        converted.status,
        StatusCode::SEE_OTHER,
        "{}",
        converted.body
    );
    let source_path = converted.location().to_owned();
    assert!(source_path.starts_with("/sources/"), "{source_path}");
    let source = handler.get(&source_path).await;
    assert_eq!(source.status, StatusCode::OK);
    assert!(source.body.contains("walk in"), "{}", source.body);
    let page = handler.get(&page_path).await;
    assert!(
        page.body
            .contains("id=\"submission-status\">became a source")
    );
    assert!(
        page.body
            .contains(&format!("href=\"{source_path}\" id=\"converted-source\""))
    );
    assert!(
        !page.body.contains("id=\"convert\""),
        "no forms once converted"
    );
    // The form sent again from the page as it was: the station's refusal.
    let again = handler
        .post(
            &convert,
            &[
                ("csrf", stale.as_str()),
                ("compartment", COMPARTMENT),
                ("name", "Sam Walker"),
                ("date_of_birth", "1980-01-31"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("ALREADY_CONVERTED"));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn who_may_open_and_work_the_intake_and_phrases_are_shown_once(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_c, portal) = open_door(&w.t).await;
    portal.first_contact("Hello.", None).await;
    let id = only_thread(&w.t).await;

    // An analyst: the station refuses the inbox, and the navigation does not offer it.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let refused = analyst.get("/intake").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body.contains("ROLE_FORBIDDEN"));
    assert_eq!(
        analyst.get(&format!("/intake/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!analyst.get("/").await.body.contains("href=\"/intake\""));

    // An auditor sees the list and the thread but no form, and a forged reply is refused.
    let auditor = Browser::sign_in(&w.t, &w.auditor).await;
    let list = auditor.get("/intake").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("id=\"issue-phrase\""));
    let page_path = format!("/intake/{id}");
    let page = auditor.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"send-reply\""));
    let forged = auditor
        .submit(
            &page_path,
            &format!("{page_path}/reply"),
            &[("text", "Hi.")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("ROLE_FORBIDDEN"));

    // A controller issues a phrase: six words, shown on that answer only.
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let refused = controller
        .submit("/intake", "/intake/phrases", &[("hours", "9999")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("INVALID_VALIDITY"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"9999\""));
    let issued = controller
        .submit("/intake", "/intake/phrases", &[("hours", "24")])
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let phrase = crate::intake::element(&issued.body, "phrase").expect("the phrase");
    assert_eq!(phrase.split_whitespace().count(), 6, "{phrase}");
    assert!(!controller.get("/intake").await.body.contains(&phrase));
    let (status, html) = portal.verify(&phrase).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(
        crate::intake::element(&html, "verdict").as_deref(),
        Some("genuine"),
        "the phrase shown is the one the portal accepts"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_home_page_counts_new_submissions_past_their_acknowledgement_day(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_c, portal) = open_door(&w.t).await;
    portal.first_contact("Received on 2026-03-02.", None).await;
    let id = only_thread(&w.t).await;
    let line = |n: usize| {
        format!("New intake submissions past their acknowledgement date: <strong>{n}</strong>")
    };
    let at = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&chrono::Utc)
    };

    // Due by 2026-03-09: on its last minute it is not late; the next day it is.
    w.t.clock.set(at("2026-03-09T23:58:30Z"));
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let before = actions(&w).await;
    let home = handler.get("/").await;
    assert!(home.body.contains(&line(0)), "{}", home.body);
    w.t.clock.set(at("2026-03-10T00:00:00Z"));
    let home = handler.get("/").await;
    assert!(home.body.contains(&line(1)), "{}", home.body);
    let after = actions(&w).await;
    assert_eq!(
        count(&after, "intake.list") + count(&after, "intake.read"),
        count(&before, "intake.list") + count(&before, "intake.read"),
        "the count reads no submission"
    );
    assert!(
        handler.get("/intake").await.body.contains(
            "<span class=\"tag sev-critical\">Late</span> past its day: due by 2026-03-09"
        )
    );

    // Acknowledged by a reply, it leaves the count.
    let page_path = format!("/intake/{id}");
    let sent = handler
        .submit(
            &page_path,
            &format!("{page_path}/reply"),
            &[("text", "Received, thank you.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(handler.get("/").await.body.contains(&line(0)));

    // Roles that do not work the intake see no line.
    for officer in [&w.analyst, &w.auditor, &w.ao] {
        let b = Browser::sign_in(&w.t, officer).await;
        assert!(!b.get("/").await.body.contains("id=\"intake-late\""));
    }
}
