//! The forms for every write on a source, over real HTTP on both backends: each form's success
//! as the source page then shows it, at least one refusal per form with the station's rule code
//! and what was typed kept, who is offered which form, and snapshots of the new pages.

use super::pages::assert_accessible;
use super::{Answer, Browser, recruited, redact, value_after};
use crate::handling::{COMPARTMENT, World};
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

/// A refusal as the officer sees it: the status, the station's code in the problem box, and
/// each typed text still on the form.
#[track_caller]
fn assert_refused(a: &Answer, status: StatusCode, code: &str, kept: &[&str]) {
    assert_eq!(a.status, status, "{}", a.body);
    assert!(
        a.body
            .contains(&format!("<code id=\"problem-code\">{code}</code>")),
        "expected {code}: {}",
        a.body
    );
    for k in kept {
        assert!(a.body.contains(k), "{k} was not kept: {}", a.body);
    }
}

#[track_caller]
fn assert_saved(a: &Answer, to: &str) {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), to);
}

/// The id in the first link to `{prefix}{id}/{action}` on a page.
fn id_in_link(body: &str, prefix: &str, action: &str) -> String {
    body.split(&format!("href=\"{prefix}"))
        .skip(1)
        .find_map(|rest| {
            let link = rest.split('"').next().unwrap_or_default();
            link.strip_suffix(&format!("/{action}")).map(str::to_owned)
        })
        .unwrap_or_default()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_handler_records_a_new_source_and_an_analyst_is_never_offered_it(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let list = handler.get("/sources").await;
    assert!(list.body.contains("href=\"/sources/new\""), "{}", list.body);
    let form = handler.get("/sources/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<option value=\"ALPHA\" selected>"));
    assert!(form.body.contains("id=\"date_of_birth\""));

    // A date of birth that is not a date: refused, everything typed kept.
    let typed = [
        ("compartment", COMPARTMENT),
        ("origin", "referral"),
        ("name", "Jane Example"),
        ("date_of_birth", "1st of May"),
        ("identities_used", "J. Sample"),
        ("other_authorities", "HMRC: REF-7"),
        ("codename", ""),
        ("controller", "carl"),
        ("record_keeper", "kim"),
        ("vulnerable", "1"),
    ];
    let refused = handler.submit("/sources/new", "/sources/new", &typed).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_DATE",
        &[
            "value=\"Jane Example\"",
            "value=\"1st of May\"",
            "HMRC: REF-7</textarea>",
            "<option value=\"referral\" selected>",
            "id=\"vulnerable\" name=\"vulnerable\" value=\"1\" checked",
            "value=\"carl\"",
        ],
    );
    // An authority written without its reference.
    let mut fields = typed.to_vec();
    fields[3] = ("date_of_birth", "1980-05-01");
    fields[5] = ("other_authorities", "HMRC");
    let refused = handler
        .submit("/sources/new", "/sources/new", &fields)
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_AUTHORITY",
        &["value=\"1980-05-01\""],
    );
    // The controller named is not a controller.
    fields[5] = ("other_authorities", "HMRC: REF-7");
    fields[7] = ("controller", "ann");
    let refused = handler
        .submit("/sources/new", "/sources/new", &fields)
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ROLE_UNSUITABLE",
        &["value=\"ann\""],
    );
    let none = handler.get("/sources").await;
    assert!(none.body.contains("No source matches these filters."));

    // Recorded: the browser goes to the new source, spotted, with its three roles.
    fields[7] = ("controller", "carl");
    let saved = handler
        .submit("/sources/new", "/sources/new", &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = saved.location().to_owned();
    assert!(page.starts_with("/sources/"), "{page}");
    let shown = handler.get(&page).await;
    assert!(shown.body.contains("<dd id=\"state\">spotted</dd>"));
    assert!(shown.body.contains("<span class=\"tag\">vulnerable</span>"));
    for (role, who) in [
        ("handler", "hana"),
        ("controller", "carl"),
        ("record keeper", "kim"),
    ] {
        assert!(
            shown.body.contains(&format!("<dt>{role}</dt><dd>{who} ")),
            "{role}: {}",
            shown.body
        );
    }
    assert!(
        !shown.body.contains("Jane Example"),
        "the identity is not on the page"
    );
    let revealed = handler
        .submit(&page, &format!("{page}/identity"), &[])
        .await;
    assert!(
        revealed
            .body
            .contains("<dd id=\"identity-name\">Jane Example</dd>")
    );
    assert!(revealed.body.contains("HMRC: REF-7"));

    // The analyst: no link, the form refused, no identity field and no form on the source.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    assert!(!analyst.get("/sources").await.body.contains("/sources/new"));
    let away = analyst.get("/sources/new").await;
    assert_eq!(away.status, StatusCode::FORBIDDEN);
    assert!(away.body.contains("ROLE_FORBIDDEN"));
    assert!(!away.body.contains("date_of_birth"));
    let forged = analyst
        .submit(
            "/sources",
            "/sources/new",
            &[("name", "Someone"), ("date_of_birth", "1990-01-01")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let source = analyst.get(&page).await;
    for link in [
        "id=\"change-state\"",
        "id=\"assess-risk\"",
        "id=\"task-source\"",
        "id=\"record-payment\"",
        "id=\"assign-role\"",
        "id=\"reveal\"",
        "<form method=\"post\" action=\"/sources/",
    ] {
        assert!(!source.body.contains(link), "{link}: {}", source.body);
    }
    for form in [
        "transition",
        "risk/new",
        "taskings/new",
        "payments/new",
        "roles/new",
    ] {
        let a = analyst.get(&format!("{page}/{form}")).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{form}");
        assert!(a.body.contains("ROLE_FORBIDDEN"), "{form}");
        assert!(!a.body.contains("<textarea"), "{form}");
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_lifecycle_role_and_risk_forms_follow_the_rules(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    let page = format!("/sources/{source}");
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let transition = format!("{page}/transition");

    // Only the moves the core allows from here are offered.
    let form = handler.get(&transition).await;
    assert!(form.body.contains("<option value=\"assessed\" selected>"));
    assert!(form.body.contains("<option value=\"terminated\">"));
    assert!(!form.body.contains("<option value=\"recruited\""));
    assert_accessible(&form.body);

    // No reason: refused, the chosen state kept.
    let refused = handler
        .submit(
            &transition,
            &transition,
            &[("to", "assessed"), ("reason", " ")],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "REASON_REQUIRED",
        &["<option value=\"assessed\" selected>"],
    );
    for (to, reason) in [
        ("assessed", "Vetted and suitable."),
        ("in_development", "Cultivation approved."),
    ] {
        let ok = handler
            .submit(&transition, &transition, &[("to", to), ("reason", reason)])
            .await;
        assert_saved(&ok, &page);
    }
    // Recruiting without a live authorisation: AUTH_REQUIRED, the reason kept.
    let refused = handler
        .submit(
            &transition,
            &transition,
            &[("to", "recruited"), ("reason", "Agreed to help.")],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "AUTH_REQUIRED",
        &["Agreed to help.</textarea>"],
    );
    // Terminating without welfare arrangements.
    let refused = handler
        .submit(
            &transition,
            &transition,
            &[("to", "terminated"), ("reason", "Lost access.")],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "WELFARE_PLAN_REQUIRED",
        &[
            "Lost access.</textarea>",
            "<option value=\"terminated\" selected>",
        ],
    );
    let shown = handler.get(&page).await;
    assert!(shown.body.contains("<dd id=\"state\">in development</dd>"));
    assert!(
        shown.body.contains("assessed → in development"),
        "the lifecycle"
    );

    // A risk assessment, after a refusal of a level not on the list.
    let risk = format!("{page}/risk/new");
    let refused = handler
        .submit(
            &risk,
            &risk,
            &[
                ("level", "extreme"),
                ("security_and_welfare", "Works near the target."),
                ("mitigations", "Meetings out of area."),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_CHOICE",
        &[
            "Meetings out of area.</textarea>",
            "Works near the target.</textarea>",
        ],
    );
    assert!(
        handler
            .get(&page)
            .await
            .body
            .contains("No risk assessment yet.")
    );
    let saved = handler
        .submit(
            &risk,
            &risk,
            &[
                ("level", "high"),
                ("security_and_welfare", "Works near the target."),
                ("mitigations", "Meetings out of area."),
                ("explained_to_source", "1"),
                ("understood_by_source", "1"),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let shown = handler.get(&page).await;
    assert!(
        shown
            .body
            .contains("<td>high</td><td>explained and understood</td>"),
        "{}",
        shown.body
    );

    // Roles: a handler is not offered the form and is refused; a controller assigns.
    assert!(!shown.body.contains("id=\"assign-role\""));
    let roles = format!("{page}/roles/new");
    let refused = handler
        .submit(
            &roles,
            &roles,
            &[("role", "record_keeper"), ("officer", "aud")],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
        &["value=\"aud\""],
    );
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    assert!(
        controller
            .get(&page)
            .await
            .body
            .contains("id=\"assign-role\"")
    );
    let refused = controller
        .submit(&roles, &roles, &[("role", "handler"), ("officer", "ann")])
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ROLE_UNSUITABLE",
        &["value=\"ann\"", "<option value=\"handler\" selected>"],
    );
    let saved = controller
        .submit(
            &roles,
            &roles,
            &[("role", "record_keeper"), ("officer", "aud")],
        )
        .await;
    assert_saved(&saved, &page);
    assert!(
        controller
            .get(&page)
            .await
            .body
            .contains("<dt>record keeper</dt><dd>aud ")
    );

    // Closing the case with its welfare arrangements: nothing more can follow.
    let closed = handler
        .submit(
            &transition,
            &transition,
            &[
                ("to", "terminated"),
                ("reason", "Lost access."),
                ("welfare_arrangements", "Welfare calls for three months."),
            ],
        )
        .await;
    assert_saved(&closed, &page);
    assert!(
        handler
            .get(&page)
            .await
            .body
            .contains("<dd id=\"state\">terminated</dd>")
    );
    let form = handler.get(&transition).await;
    assert!(
        form.body
            .contains("This case is closed; its state cannot change.")
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_authorisation_panel_renews_cancels_and_records_notices_and_written_records(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, auth) = recruited(&w).await;
    let page = format!("/sources/{source}");
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let shown = ao.get(&page).await;
    for link in ["renew", "cancel"] {
        assert!(
            shown
                .body
                .contains(&format!("href=\"{page}/authorisations/{auth}/{link}\"")),
            "{link}"
        );
    }
    assert!(!shown.body.contains("notice-link"), "no notice is owed");
    assert!(
        !shown.body.contains("written-link"),
        "a standard grant is written"
    );

    // Renewing with no review since the grant: refused, the urgency reason kept.
    let renew = format!("{page}/authorisations/{auth}/renew");
    let form = ao.get(&renew).await;
    assert_accessible(&form.body);
    assert!(form.body.contains("<dd>standard</dd>"));
    let refused = ao
        .submit(&renew, &renew, &[("urgency_reason", "Meeting tonight.")])
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RENEWAL_WITHOUT_REVIEW",
        &["value=\"Meeting tonight.\""],
    );
    // The written record of a standard grant is not due.
    let written = format!("{page}/authorisations/{auth}/written-record");
    let refused = ao.submit(&written, &written, &[]).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "NO_WRITTEN_RECORD_DUE",
        &[],
    );
    // A handler may see the form's address but the station refuses the renewal.
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let refused = handler.submit(&renew, &renew, &[]).await;
    assert_refused(&refused, StatusCode::FORBIDDEN, "ROLE_FORBIDDEN", &[]);

    // Criminal conduct on top, granted on the form: it must sit on the live authorisation.
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let grant = format!("{page}/authorisations/new");
    let form = ao.get(&grant).await;
    assert_accessible(&form.body);
    assert!(
        form.body
            .contains(&format!("<option value=\"{auth}\">The live authorisation"))
    );
    let mut fields = vec![
        ("kind", "criminal_conduct"),
        ("ground", "preventing_or_detecting_crime_or_disorder"),
        ("necessity", "Needed to keep access to the group."),
        ("proportionality", "Limited to carrying goods."),
        ("collateral_intrusion", "None beyond the group."),
        ("tasks", "carry goods under supervision"),
        ("review_interval_days", "28"),
        ("parent", ""),
    ];
    let refused = ao.submit(&grant, &grant, &fields).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "CCA_REQUIRES_LIVE_AUTHORISATION",
        &[
            "Needed to keep access to the group.</textarea>",
            "<option value=\"criminal_conduct\" selected>",
        ],
    );
    fields[7] = ("parent", auth.as_str());
    let saved = ao.submit(&grant, &grant, &fields).await;
    assert_saved(&saved, &page);
    let shown = ao.get(&page).await;
    assert!(
        shown.body.contains("<td>criminal conduct</td><td>live"),
        "{}",
        shown.body
    );
    // Its grant owes a Commissioner notice.
    let cca = id_in_link(&shown.body, &format!("{page}/authorisations/"), "notice");
    let notice = format!("{page}/authorisations/{cca}/notice");
    assert!(
        ao.get(&page)
            .await
            .body
            .contains(&format!("href=\"{notice}\""))
    );
    let form = ao.get(&notice).await;
    assert!(
        form.body.contains("<option value=\"grant\" selected>"),
        "{}",
        form.body
    );
    assert!(!form.body.contains("<option value=\"renewal\""));
    // A notice of a renewal that never happened (a forged choice): the station refuses.
    let refused = ao.submit(&notice, &notice, &[("event", "renewal")]).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "NO_NOTICE_DUE",
        &[],
    );
    let saved = ao.submit(&notice, &notice, &[("event", "grant")]).await;
    assert_saved(&saved, &page);
    assert!(!ao.get(&page).await.body.contains("notice-link"), "sent");

    // Cancelling: reasons and welfare arrangements are needed; what was typed is kept.
    let cancel = format!("{page}/authorisations/{cca}/cancel");
    let refused = ao
        .submit(
            &cancel,
            &cancel,
            &[
                ("reasons", ""),
                ("instruction_to_cease_at", "2026-03-02T10:00"),
                ("welfare_plan", "Weekly welfare calls."),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "CANCELLATION_REASONS_REQUIRED",
        &[
            "Weekly welfare calls.</textarea>",
            "value=\"2026-03-02T10:00\"",
        ],
    );
    let saved = ao
        .submit(
            &cancel,
            &cancel,
            &[
                ("reasons", "The conduct is no longer needed."),
                ("instruction_to_cease_at", ""),
                ("welfare_plan", "Weekly welfare calls."),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let shown = ao.get(&page).await;
    assert!(
        shown
            .body
            .contains("<td>criminal conduct</td><td>cancelled"),
        "{}",
        shown.body
    );
    // The cancellation owes its own notice.
    let form = ao.get(&notice).await;
    assert!(
        form.body
            .contains("<option value=\"cancellation\" selected>")
    );

    // An urgent oral grant on another source owes its written record.
    let other = w.source("1985-06-01").await;
    w.risk(&other).await;
    w.walk(&other, &["assessed", "in_development"]).await;
    let mut body = World::grant_body("urgent_oral");
    body["urgency_reason"] = json!("The meeting is tonight.");
    let (status, oral) = w.grant(&other, body).await;
    assert_eq!(status, StatusCode::CREATED, "{oral}");
    let oral = oral["id"].as_str().expect("id");
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let other_page = format!("/sources/{other}");
    let written = format!("{other_page}/authorisations/{oral}/written-record");
    assert!(
        ao.get(&other_page)
            .await
            .body
            .contains(&format!("href=\"{written}\""))
    );
    let saved = ao.submit(&written, &written, &[]).await;
    assert_saved(&saved, &other_page);
    assert!(!ao.get(&other_page).await.body.contains("written-link"));
    // Another source's authorisation is not reachable under this source's address.
    let crossed = ao.get(&format!("{page}/authorisations/{oral}/renew")).await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_handler_tasks_a_source_and_moves_the_tasking_on(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let requirement = w.requirement().await;
    let (source, auth) = recruited(&w).await;
    let page = format!("/sources/{source}");
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let task = format!("{page}/taskings/new");
    let form = handler.get(&task).await;
    assert_accessible(&form.body);
    assert!(
        form.body.contains(&format!(
            "<option value=\"{requirement}\" selected>Supply route (priority 2"
        )),
        "{}",
        form.body
    );
    // A requirement that does not exist (a forged choice): refused, instructions kept.
    let refused = handler
        .submit(
            &task,
            &task,
            &[
                ("requirement_id", "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
                ("instructions", "Note the vehicles used."),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &["Note the vehicles used.</textarea>"],
    );
    let saved = handler
        .submit(
            &task,
            &task,
            &[
                ("requirement_id", requirement.as_str()),
                ("instructions", "Note the vehicles used."),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let shown = handler.get(&page).await;
    assert!(
        shown.body.contains(
            "<td>Supply route</td><td>Note the vehicles used.</td><td class=\"tasking-status\">issued</td>"
        ),
        "{}",
        shown.body
    );
    let tasking = id_in_link(&shown.body, &format!("{page}/taskings/"), "status");
    let status = format!("{page}/taskings/{tasking}/status");

    // Withdrawing needs a reason; acknowledging then completing is recorded with its history.
    let refused = handler
        .submit(&status, &status, &[("to", "withdrawn"), ("note", "")])
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "TASKING_NOTE_REQUIRED",
        &["<option value=\"withdrawn\" selected>"],
    );
    let saved = handler
        .submit(
            &status,
            &status,
            &[("to", "acknowledged"), ("note", "Agreed at the meeting.")],
        )
        .await;
    assert_saved(&saved, &page);
    let refused = handler
        .submit(
            &status,
            &status,
            &[("to", "acknowledged"), ("note", "Again.")],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "TASKING_INVALID_TRANSITION",
        &["Again.</textarea>"],
    );
    let saved = handler
        .submit(&status, &status, &[("to", "completed"), ("note", "")])
        .await;
    assert_saved(&saved, &page);
    let shown = handler.get(&page).await;
    assert!(
        shown
            .body
            .contains("<td class=\"tasking-status\">completed</td>")
    );
    assert!(
        shown.body.contains("issued → acknowledged by hana at "),
        "{}",
        shown.body
    );
    assert!(shown.body.contains(": Agreed at the meeting.</li>"));
    assert!(
        !shown.body.contains("tasking-status-link"),
        "a completed task is final"
    );

    // The authorisation cancelled, the source can no longer be tasked without a new one.
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let cancel = format!("{page}/authorisations/{auth}/cancel");
    let saved = ao
        .submit(
            &cancel,
            &cancel,
            &[
                ("reasons", "No longer needed."),
                ("welfare_plan", "Welfare calls."),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let refused = handler
        .submit(
            &task,
            &task,
            &[
                ("requirement_id", requirement.as_str()),
                ("instructions", "One more look."),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "AUTH_CANCELLED",
        &["One more look.</textarea>"],
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn payments_over_the_threshold_wait_for_the_controller(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let page = format!("/sources/{source}");
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let new = format!("{page}/payments/new");
    let form = handler.get(&new).await;
    assert_accessible(&form.body);
    assert!(form.body.contains("over £500.00"), "the policy is stated");

    let refused = handler
        .submit(
            &new,
            &new,
            &[
                ("kind", "payment"),
                ("amount", "ten"),
                ("purpose", "Travel."),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_AMOUNT",
        &["value=\"ten\"", "Travel.</textarea>"],
    );
    // A form that did not come from this session's page: refused, nothing saved, kept.
    let forged = handler
        .post(
            &new,
            &[
                ("csrf", "forged"),
                ("kind", "payment"),
                ("amount", "20"),
                ("purpose", "Travel."),
            ],
        )
        .await;
    assert_refused(
        &forged,
        StatusCode::FORBIDDEN,
        "FORM_EXPIRED",
        &["value=\"20\"", "Travel.</textarea>"],
    );
    // Paid at once above the threshold: the controller must approve first.
    let refused = handler
        .submit(
            &new,
            &new,
            &[
                ("kind", "payment"),
                ("amount", "600"),
                ("purpose", "Expenses for March."),
                ("paid", "1"),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_APPROVAL_REQUIRED",
        &[
            "value=\"600\"",
            "Expenses for March.</textarea>",
            "value=\"1\" checked",
        ],
    );
    assert!(
        handler
            .get(&page)
            .await
            .body
            .contains("No payment or offer recorded.")
    );
    let saved = handler
        .submit(
            &new,
            &new,
            &[
                ("kind", "payment"),
                ("amount", "600"),
                ("purpose", "Expenses for March."),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let saved = handler
        .submit(
            &new,
            &new,
            &[
                ("kind", "offer"),
                ("amount", "50.5"),
                ("purpose", "A meal."),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let shown = handler.get(&page).await;
    assert!(
        shown.body.contains(
            "<td>£600.00 payment</td><td>Expenses for March.</td><td class=\"payment-status\">awaiting a controller&#39;s approval</td>"
        ),
        "{}",
        shown.body
    );
    assert!(shown.body.contains(
        "<td>£50.50 offer</td><td>A meal.</td><td class=\"payment-status\">offered</td>"
    ));
    assert!(
        !shown.body.contains("approve-payment"),
        "a handler is not offered approval"
    );
    assert!(
        !shown.body.contains("pay-payment"),
        "nor payment before approval"
    );
    let payment = value_after(&shown.body, &format!("action=\"{page}/payments/"));
    assert!(payment.is_empty(), "no payment form for the handler yet");
    let payment = {
        let controller = Browser::sign_in(&w.t, &w.controller).await;
        let seen = controller.get(&page).await;
        assert!(
            seen.body.contains("class=\"approve-payment\""),
            "{}",
            seen.body
        );
        value_after(&seen.body, &format!("action=\"{page}/payments/"))
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    };

    // A controller who is not this source's controller: refused by the core's rule.
    let cora =
        w.t.officer("cora", humint_core::Role::Controller, &[COMPARTMENT])
            .await;
    let cora = Browser::sign_in(&w.t, &cora).await;
    let refused = cora
        .submit(&page, &format!("{page}/payments/{payment}/approve"), &[])
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_APPROVER_NOT_CONTROLLER",
        &[],
    );
    // A handler approving: refused by the station.
    let approve = format!("{page}/payments/{payment}/approve");
    let refused = handler.submit(&approve, &approve, &[]).await;
    assert_refused(&refused, StatusCode::FORBIDDEN, "ROLE_FORBIDDEN", &[]);
    // Paying before approval: refused.
    let pay = format!("{page}/payments/{payment}/pay");
    let refused = handler.submit(&pay, &pay, &[]).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_APPROVAL_REQUIRED",
        &["<dd>Expenses for March.</dd>"],
    );

    // The controller approves from the source page's button; the handler then pays.
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let approved = controller.submit(&page, &approve, &[]).await;
    assert_saved(&approved, &page);
    let again = controller.submit(&page, &approve, &[]).await;
    assert_refused(
        &again,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_ALREADY_DECIDED",
        &[],
    );
    let shown = handler.get(&page).await;
    assert!(
        shown
            .body
            .contains("<td class=\"payment-status\">approved, not yet paid</td>")
    );
    let paid = handler.submit(&page, &pay, &[]).await;
    assert_saved(&paid, &page);
    let shown = handler.get(&page).await;
    assert!(
        shown
            .body
            .contains("<td class=\"payment-status\">paid</td>")
    );
    assert!(
        shown
            .body
            .contains("<tr><td>2026</td><td>£50.50</td><td>£600.00</td></tr>"),
        "the year's totals: {}",
        shown.body
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_planned_contact_is_given_its_outcome(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = recruited(&w).await;
    let page = format!("/sources/{source}");
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let contact = format!("{page}/contacts/new");
    let planned = handler
        .submit(
            &contact,
            &contact,
            &[
                ("status", "planned"),
                ("mode", "meeting"),
                ("purpose", "use"),
                ("planned_for", "2026-03-05T18:00"),
            ],
        )
        .await;
    assert_saved(&planned, &page);
    let shown = handler.get(&page).await;
    let id = id_in_link(&shown.body, &format!("{page}/contacts/"), "outcome");
    let outcome = format!("{page}/contacts/{id}/outcome");
    assert!(shown.body.contains(&format!("href=\"{outcome}\"")));
    let form = handler.get(&outcome).await;
    assert_accessible(&form.body);
    assert!(form.body.contains("<dd>2026-03-05 18:00 GMT</dd>"));

    // Held with no officer present: refused, the note kept.
    let refused = handler
        .submit(
            &outcome,
            &outcome,
            &[
                ("status", "held"),
                ("officers_present", ""),
                ("notes", "Nervous but well."),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "CONTACT_OFFICERS_REQUIRED",
        &["Nervous but well.</textarea>"],
    );
    let saved = handler
        .submit(
            &outcome,
            &outcome,
            &[
                ("status", "held"),
                ("officers_present", "hana"),
                ("notes", "Nervous but well."),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let shown = handler.get(&page).await;
    assert!(
        shown.body.contains("<td>held</td><td>meeting</td>"),
        "{}",
        shown.body
    );
    assert!(
        !shown.body.contains("outcome-link"),
        "no planned contact left"
    );
    let again = handler
        .submit(&outcome, &outcome, &[("status", "missed")])
        .await;
    assert_refused(
        &again,
        StatusCode::UNPROCESSABLE_ENTITY,
        "CONTACT_ALREADY_RECORDED",
        &[],
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_meeting_with_a_source_under_16_records_its_appropriate_adult(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source(&crate::handling::born_years_ago(15, 10)).await;
    w.risk(&source).await;
    w.walk(&source, &["assessed", "in_development"]).await;
    let (status, auth) = w.grant(&source, World::grant_body("juvenile")).await;
    assert_eq!(status, StatusCode::CREATED, "{auth}");
    w.walk(&source, &["recruited"]).await;
    let page = format!("/sources/{source}");
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let contact = format!("{page}/contacts/new");
    let form = handler.get(&contact).await;
    assert_accessible(&form.body);
    let meeting = |adult: &'static str, employed: bool| {
        let mut f = vec![
            ("status", "held"),
            ("mode", "meeting"),
            ("purpose", "use"),
            ("officers_present", "hana"),
            ("notes", "Met with the adult present."),
            ("appropriate_adult", adult),
        ];
        if employed {
            f.push(("adult_employed_by_authority", "1"));
        }
        f
    };
    // No adult, then an "independent" adult who works for the authority: both refused.
    let refused = handler
        .submit(&contact, &contact, &meeting("", false))
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JUVENILE_APPROPRIATE_ADULT",
        &["Met with the adult present.</textarea>"],
    );
    let refused = handler
        .submit(&contact, &contact, &meeting("independent_adult", true))
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JUVENILE_APPROPRIATE_ADULT",
        &[
            "<option value=\"independent_adult\" selected>",
            "name=\"adult_employed_by_authority\" value=\"1\" checked",
        ],
    );
    let saved = handler
        .submit(&contact, &contact, &meeting("independent_adult", false))
        .await;
    assert_saved(&saved, &page);

    // A meeting is planned with its adult; its outcome keeps that adult unless another is
    // named, and an adult who does not qualify is refused there too.
    let planned = handler
        .submit(
            &contact,
            &contact,
            &[
                ("status", "planned"),
                ("mode", "meeting"),
                ("purpose", "welfare"),
                ("planned_for", "2026-03-06T16:00"),
                ("appropriate_adult", "welfare_responsible"),
            ],
        )
        .await;
    assert_saved(&planned, &page);
    let shown = handler.get(&page).await;
    let id = id_in_link(&shown.body, &format!("{page}/contacts/"), "outcome");
    let outcome = format!("{page}/contacts/{id}/outcome");
    let refused = handler
        .submit(
            &outcome,
            &outcome,
            &[
                ("status", "held"),
                ("officers_present", "hana"),
                ("appropriate_adult", "independent_adult"),
                ("adult_employed_by_authority", "1"),
                ("notes", "Welfare check."),
            ],
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JUVENILE_APPROPRIATE_ADULT",
        &[
            "Welfare check.</textarea>",
            "<option value=\"independent_adult\" selected>",
        ],
    );
    let saved = handler
        .submit(
            &outcome,
            &outcome,
            &[
                ("status", "held"),
                ("officers_present", "hana"),
                ("appropriate_adult", ""),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let shown = handler.get(&page).await;
    assert!(!shown.body.contains("outcome-link"), "{}", shown.body);
    assert_eq!(
        shown.body.matches("<td>held</td><td>meeting</td>").count(),
        2
    );

    // Criminal conduct by a source under 18 needs every s.29C safeguard on the grant form.
    let auth = auth["id"].as_str().expect("id");
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let grant = format!("{page}/authorisations/new");
    let mut fields = vec![
        ("kind", "criminal_conduct"),
        ("ground", "preventing_or_detecting_crime_or_disorder"),
        ("necessity", "Needed to keep access."),
        ("proportionality", "Limited to one errand."),
        ("collateral_intrusion", "None."),
        ("tasks", "carry a parcel"),
        ("review_interval_days", "14"),
        ("parent", auth),
        ("exceptional_circumstances", "Imminent risk to life."),
        ("best_interests", "Keeps the source safe."),
        ("meeting_arrangements", ""),
    ];
    let refused = ao.submit(&grant, &grant, &fields).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JUVENILE_CCA_SAFEGUARDS",
        &[
            "Imminent risk to life.</textarea>",
            "Keeps the source safe.</textarea>",
        ],
    );
    fields[10] = (
        "meeting_arrangements",
        "An appropriate adult at every meeting.",
    );
    fields.push(("no_foreseeable_harm", "1"));
    let saved = ao.submit(&grant, &grant, &fields).await;
    assert_saved(&saved, &page);
    assert!(
        ao.get(&page)
            .await
            .body
            .contains("<td>criminal conduct</td><td>live")
    );
}

/// The new source form and a source page with risk, tasking and payments, as rendered.
#[tokio::test]
async fn snapshots_of_the_source_forms() {
    let Some(w) = World::new(Backend::Sqlite).await else {
        return;
    };
    let requirement = w.requirement().await;
    let (source, _) = recruited(&w).await;
    let (status, body) = w.task(&source, &requirement).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let page = format!("/sources/{source}");
    let handler = Browser::sign_in(&w.t, &w.handler).await;
    let new = format!("{page}/payments/new");
    let saved = handler
        .submit(
            &new,
            &new,
            &[
                ("kind", "payment"),
                ("amount", "600"),
                ("purpose", "Expenses."),
            ],
        )
        .await;
    assert_saved(&saved, &page);
    let form = handler.get("/sources/new").await.body;
    assert_accessible(&form);
    insta::assert_snapshot!("new_source_form", redact(&form));
    let shown = handler.get(&page).await.body;
    assert_accessible(&shown);
    insta::assert_snapshot!("source_with_sections", redact(&shown));
    let payment = handler.get(&new).await.body;
    insta::assert_snapshot!("payment_form", redact(&payment));
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    let shown = controller.get(&page).await.body;
    assert_accessible(&shown);
    insta::assert_snapshot!("source_controller", redact(&shown));
}

/// PRIV-01 on the grant form: privileged matters intended are refused without the prior
/// approval notice (what was typed kept), granted with it, shown on the source page with the
/// confidential kinds, and the renewal form then asks for a fresh approval.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_grant_form_records_privileged_matters_and_their_prior_approval(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1979-06-01").await;
    w.risk(&source).await;
    let page = format!("/sources/{source}");
    let grant = format!("{page}/authorisations/new");
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let form = ao.get(&grant).await;
    assert_accessible(&form.body);
    let mut fields = vec![
        ("kind", "standard"),
        ("ground", "preventing_or_detecting_crime_or_disorder"),
        ("necessity", "Only an insider hears the advice sought."),
        ("proportionality", "Limited to the treasurer's meetings."),
        ("collateral_intrusion", "Other clients; not recorded."),
        ("tasks", "attend the meetings"),
        ("review_interval_days", "28"),
        ("lpp", "intended"),
        ("confidential_journalistic", "1"),
    ];
    let refused = ao.submit(&grant, &grant, &fields).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "LPP_PRIOR_APPROVAL_REQUIRED",
        &[
            "<option value=\"intended\" selected>",
            "name=\"confidential_journalistic\" value=\"1\" checked",
            "Only an insider hears the advice sought.</textarea>",
        ],
    );
    fields.push(("lawyer_and_client", "Not known"));
    let refused = ao.submit(&grant, &grant, &fields).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_TIME",
        &["value=\"Not known\""],
    );
    fields.extend([
        ("approved_by", "Judicial Commissioner"),
        ("approved_at", "2026-03-02 09:00"),
        (
            "approval_grounds",
            "Serious crime; advice sought to further it.",
        ),
        ("approval_conduct", "Attend the treasurer's meetings."),
        ("privileged_matters", "Advice on supply contracts."),
        ("approval_collateral", "Other clients' appointments."),
    ]);
    let saved = ao.submit(&grant, &grant, &fields).await;
    assert_saved(&saved, &page);
    let shown = ao.get(&page).await;
    assert!(
        shown.body.contains(
            "<span class=\"hint privileged\">privileged matters intended (approved by Judicial Commissioner on "
        ) && shown.body.contains("; confidential: journalistic</span>"),
        "{}",
        shown.body
    );
    let auth = id_in_link(&shown.body, &format!("{page}/authorisations/"), "renew");
    let renew = format!("{page}/authorisations/{auth}/renew");
    let form = ao.get(&renew).await;
    assert_accessible(&form.body);
    assert!(
        form.body.contains("a prior approval of its own")
            && form.body.contains("name=\"lawyer_and_client\""),
        "{}",
        form.body
    );

    // After a review and a fresh risk assessment, the renewal needs its own approval.
    let token = w.token(&w.ao).await;
    let (status, reviewed) = w
        .t
        .post_json(
            Some(&token),
            &format!("/api/v1/authorisations/{auth}/reviews"),
            json!({"use_made": "Two meetings", "tasks_given": "Attend", "information_obtained": "Dates",
                   "necessity_still_met": true, "proportionality_still_met": true, "arrangements_still_met": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    w.risk(&source).await;
    let ao = Browser::sign_in(&w.t, &w.ao).await;
    let refused = ao.submit(&renew, &renew, &[]).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "LPP_PRIOR_APPROVAL_REQUIRED",
        &[],
    );
    let mut renewal = vec![
        ("approved_by", "Judicial Commissioner"),
        ("approval_grounds", "As before; the advice continues."),
        ("approval_conduct", "Attend the treasurer's meetings."),
        ("lawyer_and_client", "Not known"),
        ("privileged_matters", "Advice on supply contracts."),
        ("approval_collateral", "Other clients' appointments."),
    ];
    let refused = ao.submit(&renew, &renew, &renewal).await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_TIME",
        &["As before; the advice continues."],
    );
    let approved_at = w.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    renewal.push(("approved_at", &approved_at));
    let saved = ao.submit(&renew, &renew, &renewal).await;
    assert_saved(&saved, &page);
    let (_, read) =
        w.t.get(Some(&token), &format!("/api/v1/authorisations/{auth}"))
            .await;
    assert_eq!(
        read["renewals"][0]["prior_approval"]["grounds"], "As before; the advice continues.",
        "{read}"
    );
}
