//! The pages over real HTTP: sign-in and its refusals, the session cookie and its expiry,
//! form tokens, who sees what, the main forms with their refusals, and snapshots of the main
//! pages.

use super::{Browser, recruited, redact};
use crate::handling::{COMPARTMENT, World};
use crate::harness::Officer;
use humint_core::Role;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;

const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn session_token(set_cookie: &str) -> String {
    set_cookie
        .strip_prefix("humint_session=")
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn sign_in_sets_the_api_session_in_a_strict_cookie_which_ends_on_sign_out_or_expiry(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t = &w.t;
    let b = Browser::new(t);

    // Not signed in: every page sends the browser to sign in.
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/signin");

    let form = b.get("/signin").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.headers["content-security-policy"], PAGE_CSP);
    assert!(form.body.contains("<label for=\"totp\">"), "{}", form.body);
    assert!(form.body.contains("href=\"#main\""), "a skip link");
    assert!(!form.body.contains("<script"), "no script on any page");
    assert!(!form.body.contains("style="), "no inline style");

    // The stylesheet is the station's own, cached long; the API keeps its own CSP.
    let href = super::value_after(&form.body, "rel=\"stylesheet\" href=\"");
    let css = b.get(&href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["content-type"]
            .to_str()
            .expect("a text header")
            .starts_with("text/css")
    );
    assert!(
        css.headers["cache-control"]
            .to_str()
            .expect("a text header")
            .contains("max-age=31536000")
    );
    assert!(css.body.contains(":focus-visible"));
    let api = b.get("/api/v1/me").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        api.headers["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );

    // A wrong password: the station's sentence, the username kept, no cookie.
    let wrong = b
        .sign_in_answer(t, &w.handler, "not the password at all")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("INVALID_CREDENTIALS"), "{}", wrong.body);
    assert!(
        wrong
            .body
            .contains("the username, password or one-time code is wrong")
    );
    assert!(
        wrong.body.contains("value=\"hana\""),
        "the username is kept"
    );
    assert!(wrong.set_cookie("humint_session").is_empty());

    // A sign-in form that did not come from this station's page.
    let forged = b
        .post(
            "/signin",
            &[
                ("csrf", "0123"),
                ("username", "hana"),
                ("password", "x"),
                ("totp", "1"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("FORM_EXPIRED"));

    // Signed in: an HttpOnly, SameSite=Strict cookie holding the API's own session.
    let ok = b.sign_in_answer(t, &w.handler, &w.handler.password).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/");
    let cookie = ok.set_cookie("humint_session");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let token = session_token(&cookie);
    let (status, me) = t.get(Some(&token), "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "hana");
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("What needs me today"));
    assert!(
        home.body
            .contains("Signed in as <strong id=\"who\">hana</strong> (Handler)")
    );

    // Eight hours on, the session has ended: back to sign-in, told why.
    t.clock.advance(chrono::Duration::hours(8));
    let ended = b.get("/").await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(ended.location(), "/signin?ended=1");
    let told = b.get("/signin?ended=1").await;
    assert!(told.body.contains("Your session has ended."));

    // Signing out needs the page's token, and revokes the session server-side.
    let b = Browser::sign_in(t, &w.handler).await;
    let forged = b.post("/signout", &[("csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/").await.status, StatusCode::OK, "still signed in");
    let out = b.submit("/", "/signout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/signin?out=1");
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_throttled_account_is_told_how_long_to_wait(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let b = Browser::new(&w.t);
    for _ in 0..4 {
        let a = b.sign_in_answer(&w.t, &w.ao, "wrong wrong wrong").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    // The fourth failure holds the account back for a second; the clock has not moved.
    let code = w.t.code(&w.ao);
    let held = b
        .submit(
            "/signin",
            "/signin",
            &[
                ("username", "ada"),
                ("password", &w.ao.password),
                ("totp", &code),
            ],
        )
        .await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        held.body.contains("THROTTLED") || held.body.contains("TOO_MANY"),
        "{}",
        held.body
    );
    assert!(
        held.body
            .contains("too many failed sign-ins for this account; try again in 1 seconds"),
        "{}",
        held.body
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_handler_records_a_contact_and_a_refusal_keeps_what_they_typed(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let b = Browser::sign_in(&w.t, &w.handler).await;

    // The list, filtered in the database.
    let list = b.get("/sources?state=recruited").await;
    assert!(
        list.body.contains(&format!("/sources/{source}")),
        "{}",
        list.body
    );
    let none = b.get("/sources?state=spotted").await;
    assert!(none.body.contains("No source matches these filters."));
    let bad = b.get("/sources?state=asleep").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // By handler (username) and by suggested grade; a bad value is refused with its code, the
    // filters kept as typed.
    let by_handler = b
        .get(&format!("/sources?handler={}", w.handler.username))
        .await;
    assert!(by_handler.body.contains(&format!("/sources/{source}")));
    assert!(
        by_handler.body.contains("<td>none yet</td>"),
        "no claims, no grade"
    );
    let nobody = b.get("/sources?handler=nobody.here").await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nobody.body.contains("UNKNOWN_OFFICER"), "{}", nobody.body);
    assert!(
        nobody.body.contains("value=\"nobody.here\""),
        "{}",
        nobody.body
    );
    let graded = b.get("/sources?grade=B").await;
    assert!(graded.body.contains("No source matches these filters."));
    assert!(graded.body.contains("<option value=\"B\" selected>"));
    let bad_grade = b.get("/sources?grade=Q").await;
    assert_eq!(bad_grade.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad_grade.body.contains("INVALID_GRADE"),
        "{}",
        bad_grade.body
    );

    let form = format!("/sources/{source}/contacts/new");
    // A forged form: refused, nothing saved, the note kept.
    let forged = b
        .post(
            &form,
            &[
                ("csrf", "forged"),
                ("status", "held"),
                ("mode", "meeting"),
                ("purpose", "use"),
                ("notes", "Met at the usual place."),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("FORM_EXPIRED"));
    assert!(forged.body.contains("Met at the usual place.</textarea>"));

    // A planned contact with no time: the station's rule code and sentence, the note kept.
    let refused = b
        .submit(
            &form,
            &form,
            &[
                ("status", "planned"),
                ("mode", "meeting"),
                ("purpose", "use"),
                ("notes", "Plan: the café."),
                ("cover_used", "Old colleagues from the ferry."),
                ("safety_arrangements", "Second officer at the door."),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Old colleagues from the ferry.</textarea>")
    );
    assert!(
        refused
            .body
            .contains("Second officer at the door.</textarea>")
    );
    assert!(refused.body.contains("FIELD_REQUIRED"), "{}", refused.body);
    assert!(refused.body.contains("a planned contact needs planned_for"));
    assert!(refused.body.contains("Plan: the café.</textarea>"));
    assert!(refused.body.contains("<option value=\"planned\" selected>"));
    let page = b.get(&format!("/sources/{source}")).await;
    assert!(
        page.body.contains("No contact recorded."),
        "nothing was saved"
    );

    // Held: recorded, and the page shows it.
    let saved = b
        .submit(
            &form,
            &form,
            &[
                ("status", "held"),
                ("mode", "meeting"),
                ("purpose", "use"),
                ("officers_present", "hana"),
                ("next_contact_due", "2026-03-20T12:00"),
                ("notes", "Met at the usual place."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("/sources/{source}"));
    let page = b.get(&format!("/sources/{source}")).await;
    assert!(
        page.body
            .contains("<td>held</td><td>meeting</td><td>use</td><td>2026-03-20 12:00 GMT</td>"),
        "{}",
        page.body
    );

    // Past the next contact's due time with none held, the home page puts safety first.
    w.t.clock
        .set(super::super::handling::t("2026-03-21T09:00:00Z"));
    let b = Browser::sign_in(&w.t, &w.handler).await;
    let home = b.get("/").await;
    let safety = home
        .body
        .find("id=\"alerts-safety\"")
        .expect("a safety section");
    assert!(
        home.body[safety..].contains("Source safety"),
        "{}",
        home.body
    );
    assert!(home.body[safety..].contains(&format!("/sources/{source}")));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_authorising_officer_grants_then_reviews(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    w.risk(&source).await;
    w.walk(&source, &["assessed", "in_development"]).await;
    let b = Browser::sign_in(&w.t, &w.ao).await;
    let page = b.get(&format!("/sources/{source}")).await;
    assert!(page.body.contains("id=\"grant-authorisation\""));
    let form = format!("/sources/{source}/authorisations/new");

    // No necessity given: refused by the station, what was typed is kept.
    let fields = |necessity: &'static str| {
        vec![
            ("kind", "standard"),
            ("ground", "preventing_or_detecting_crime_or_disorder"),
            ("necessity", necessity),
            ("proportionality", "Least intrusive means."),
            ("collateral_intrusion", "Family may be mentioned."),
            ("tasks", "report on the supply route"),
            ("review_interval_days", "28"),
        ]
    };
    let refused = b.submit(&form, &form, &fields("")).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"problem-code\""));
    assert!(refused.body.contains("Least intrusive means.</textarea>"));
    let bad_number = b
        .submit(
            &form,
            &form,
            &[("kind", "standard"), ("review_interval_days", "soon")],
        )
        .await;
    assert!(bad_number.body.contains("INVALID_NUMBER"));

    let granted = b
        .submit(
            &form,
            &form,
            &fields("No other way to learn the supply route."),
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    let page = b.get(&format!("/sources/{source}")).await;
    assert!(
        page.body.contains("<td>standard</td><td>live"),
        "{}",
        page.body
    );
    let review = format!(
        "/authorisations/{}/review",
        super::value_after(&page.body, "href=\"/authorisations/").trim_end_matches("/review")
    );

    // Reviewed with everything still justified.
    let done = b
        .submit(
            &review,
            &review,
            &[
                ("use_made", "Two meetings."),
                ("tasks_given", "Supply route."),
                ("information_obtained", "Vehicle details."),
                ("necessity_still_met", "1"),
                ("proportionality_still_met", "1"),
                ("arrangements_still_met", "1"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = b.get(&format!("/sources/{source}")).await;
    assert!(
        page.body.contains("<td>1</td>"),
        "one review: {}",
        page.body
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_identity_is_shown_once_to_those_entitled_and_never_to_an_analyst(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let page = format!("/sources/{source}");
    let identity = format!("/sources/{source}/identity");

    // The analyst sees the codename and grading only: no button, and a forged POST is refused.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let seen = analyst.get(&page).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("id=\"reveal\""));
    assert!(seen.body.contains("Not shown to your role."));
    let refused = analyst.submit(&page, &identity, &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("ROLE_FORBIDDEN"), "{}", refused.body);
    assert!(!refused.body.contains("Jane Example"));

    // Someone not read into the compartment gets a refusal page, not the source.
    let outsider: Officer = w.t.officer("otto", Role::Handler, &["BRAVO"]).await;
    let outsider = Browser::sign_in(&w.t, &outsider).await;
    let away = outsider.get(&page).await;
    assert!(
        away.status == StatusCode::FORBIDDEN || away.status == StatusCode::NOT_FOUND,
        "{}",
        away.status
    );
    assert!(!away.body.contains(COMPARTMENT) || away.body.contains("COMPARTMENT_FORBIDDEN"));
    assert!(away.body.contains("id=\"problem-code\""));
    let unknown = outsider.get("/sources/not-a-source").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // The handler reveals: shown in the answer to the POST, audited, and not on the next view.
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let before =
        w.t.station
            .store()
            .audit_events(0, 10_000)
            .await
            .expect("ledger")
            .iter()
            .filter(|e| e.event.action == "source.identity.read")
            .count();
    let shown = handler.submit(&page, &identity, &[]).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown
            .body
            .contains("<dd id=\"identity-name\">Jane Example</dd>")
    );
    assert_eq!(shown.headers["cache-control"], "no-store");
    let after =
        w.t.station
            .store()
            .audit_events(0, 10_000)
            .await
            .expect("ledger")
            .iter()
            .filter(|e| e.event.action == "source.identity.read")
            .count();
    assert_eq!(after, before + 1, "the view is in the audit ledger");
    assert!(!handler.get(&page).await.body.contains("Jane Example"));
}

/// Every visible field of a page has a label naming it (`<label for=…>`), and the page has no
/// inline script or style.
#[track_caller]
pub(super) fn assert_accessible(html: &str) {
    for tag in ["<input", "<select", "<textarea"] {
        for (at, _) in html.match_indices(tag) {
            let element = &html[at..at + html[at..].find('>').unwrap_or(0)];
            if element.contains("type=\"hidden\"") {
                continue;
            }
            let id = super::value_after(element, "id=\"");
            assert!(!id.is_empty(), "a field without an id: {element}");
            assert!(
                html.contains(&format!("for=\"{id}\"")),
                "the field {id} has no label"
            );
        }
    }
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains(" style="), "no inline style");
}

/// The main pages as rendered, with ids, tokens and times redacted.
#[tokio::test]
async fn snapshots_of_the_main_pages() {
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let (source, auth) = recruited(&w).await;
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let form = format!("/sources/{source}/contacts/new");
    let saved = handler
        .submit(
            &form,
            &form,
            &[
                ("status", "held"),
                ("mode", "meeting"),
                ("purpose", "use"),
                ("officers_present", "hana"),
                ("next_contact_due", "2026-03-20T12:00"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    for page in [
        "/".to_owned(),
        "/sources".to_owned(),
        format!("/sources/{source}"),
        form.clone(),
        "/signin".to_owned(),
    ] {
        assert_accessible(&handler.get(&page).await.body);
    }
    insta::assert_snapshot!(
        "signin",
        redact(&Browser::new(&w.t).get("/signin").await.body)
    );
    insta::assert_snapshot!("sources", redact(&handler.get("/sources").await.body));
    insta::assert_snapshot!(
        "source",
        redact(&handler.get(&format!("/sources/{source}")).await.body)
    );
    insta::assert_snapshot!("contact_form", redact(&handler.get(&form).await.body));
    // Weeks on: the handler's contact is overdue and the AO's review is due.
    w.t.clock
        .set(super::super::handling::t("2026-03-28T09:00:00Z"));
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    insta::assert_snapshot!("home_handler", redact(&handler.get("/").await.body));
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    insta::assert_snapshot!("home_ao", redact(&ao.get("/").await.body));
    let review = ao.get(&format!("/authorisations/{auth}/review")).await.body;
    assert_accessible(&review);
    assert_accessible(
        &ao.get(&format!("/sources/{source}/authorisations/new"))
            .await
            .body,
    );
    insta::assert_snapshot!("review_form", redact(&review));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn times_are_typed_and_read_on_the_london_clock(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    // Summer: London is on BST, an hour ahead of UTC.
    w.t.clock.set(crate::handling::t("2026-07-01T09:00:00Z"));
    let b = Browser::sign_in(&w.t, &w.handler).await;
    let form = format!("/sources/{source}/contacts/new");
    let contact = |due: &'static str| {
        vec![
            ("status", "held"),
            ("mode", "meeting"),
            ("purpose", "use"),
            ("officers_present", "hana"),
            ("next_contact_due", due),
            ("notes", "Met in the park."),
        ]
    };

    // The hour the clocks skip in spring and the hour they pass twice in autumn are refused
    // with the reason, keeping what was typed; nothing is saved.
    let skipped = b.submit(&form, &form, &contact("2027-03-28 01:30")).await;
    assert_eq!(skipped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        skipped.body.contains("TIME_NOT_ON_LONDON_CLOCK"),
        "{}",
        skipped.body
    );
    assert!(
        skipped.body.contains("go forward from 01:00 to 02:00"),
        "{}",
        skipped.body
    );
    assert!(
        skipped.body.contains("value=\"2027-03-28 01:30\""),
        "{}",
        skipped.body
    );
    let twice = b.submit(&form, &form, &contact("2026-10-25 01:30")).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("TIME_AMBIGUOUS"), "{}", twice.body);
    assert!(
        twice
            .body
            .contains("2026-10-25 01:30 BST for the first, 2026-10-25 01:30 GMT for the second"),
        "{}",
        twice.body
    );
    let page = b.get(&format!("/sources/{source}")).await;
    assert!(
        page.body.contains("No contact recorded."),
        "nothing was saved"
    );

    // With its zone the autumn time is exact: 01:30 BST is 00:30 UTC.
    let saved = b
        .submit(&form, &form, &contact("2026-10-25 01:30 BST"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // A summer time typed as London time is stored as the UTC instant it names.
    let saved = b.submit(&form, &form, &contact("2026-07-08 13:00")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let token = w.token(&w.handler).await;
    let (_, body) =
        w.t.get(Some(&token), &format!("/api/v1/sources/{source}/contacts"))
            .await;
    let items = body
        .get("items")
        .unwrap_or(&body)
        .as_array()
        .expect("contacts")
        .clone();
    let mut due: Vec<&str> = items
        .iter()
        .filter_map(|c| c["next_contact_due"].as_str())
        .collect();
    due.sort_unstable();
    assert_eq!(
        due,
        ["2026-07-08T12:00:00.000Z", "2026-10-25T00:30:00.000Z"],
        "{body}"
    );
    // And the page reads both back on the London clock, with the held time (09:00 UTC).
    let page = b.get(&format!("/sources/{source}")).await;
    for due in ["2026-07-08 13:00 BST", "2026-10-25 01:30 BST"] {
        assert!(
            page.body.contains(&format!(
                "<td>2026-07-01 10:00 BST</td><td>held</td><td>meeting</td><td>use</td><td>{due}</td>"
            )),
            "{}",
            page.body
        );
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_auditor_breaks_glass_with_a_reason_the_controllers_can_read(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let page = format!("/sources/{source}");
    let action = format!("/sources/{source}/break-glass");

    // Only the auditor gets the form; others have the ordinary reveal or nothing.
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    assert!(!handler.get(&page).await.body.contains("id=\"break-glass\""));
    let auditor = Browser::sign_in(&w.t, &w.auditor).await;
    let seen = auditor.get(&page).await;
    assert!(seen.body.contains("id=\"break-glass\""), "{}", seen.body);
    assert!(!seen.body.contains("id=\"reveal\""));

    // Too short a reason: refused with its code, the reason kept, no identity.
    let refused = auditor
        .submit(&page, &action, &[("reason", "just checking")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("BREAK_GLASS_REASON_REQUIRED"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(">just checking</textarea>"));
    assert!(!refused.body.contains("Jane Example"));

    // With a reason: the identity, and the controllers can read who, when and why.
    let reason = "Inspection sample 14 needs the identity checked against the consent form";
    let shown = auditor.submit(&page, &action, &[("reason", reason)]).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(
        shown
            .body
            .contains("<dd id=\"identity-name\">Jane Example</dd>")
    );
    assert_eq!(shown.headers["cache-control"], "no-store");
    let token = w.token(&w.controller).await;
    let (status, events) = w.t.get(Some(&token), "/api/v1/break-glass").await;
    assert_eq!(status, StatusCode::OK, "{events}");
    assert!(events.to_string().contains(reason), "{events}");
    // An analyst posting the form anyway is refused, and the refusal is in the ledger too.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let no = analyst.submit(&page, &action, &[("reason", reason)]).await;
    assert_eq!(no.status, StatusCode::FORBIDDEN, "{}", no.body);
    assert!(!no.body.contains("Jane Example"));
}
