//! A source's access (what it can reach) and declared motivation, over real HTTP on both
//! backends: access travels with the true identity (encrypted, shown only where the identity
//! is), motivation is a category every reader of the source sees as context for validation,
//! changed by those who run the source, each refusal leaving nothing written.

use crate::handling::{COMPARTMENT, World, born_years_ago};
use crate::harness::assert_refused;
use crate::ui::Browser;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const ACCESS: &str = "Night-shift supervisor at the Wexbridge container terminal";

/// A new source by the handler, with `access` and `motivation`; the whole answer.
async fn create(w: &World, access: Option<&str>, motivation: Option<&str>) -> (StatusCode, Value) {
    let token = w.token(&w.handler).await;
    let mut identity = json!({"name": "Jane Example", "date_of_birth": born_years_ago(40, 0)});
    if let Some(a) = access {
        identity["access"] = json!(a);
    }
    let mut body = json!({
        "compartment": COMPARTMENT,
        "origin": "walk_in",
        "true_identity": identity,
        "controller": "carl",
        "record_keeper": "kim",
    });
    if let Some(m) = motivation {
        body["motivation"] = json!(m);
    }
    w.t.post_json(Some(&token), "/api/v1/sources", body).await
}

async fn put_motivation(w: &World, token: &str, source: &str, body: Value) -> (StatusCode, Value) {
    w.t.send(
        w.t.client
            .put(w.t.url(&format!("/api/v1/sources/{source}/motivation")))
            .bearer_auth(token)
            .json(&body),
    )
    .await
}

/// Audit events about sources (sign-ins aside).
async fn source_events(w: &World) -> usize {
    w.t.station
        .store()
        .audit_events(0, 100_000)
        .await
        .expect("ledger")
        .iter()
        .filter(|e| e.event.action.starts_with("source."))
        .count()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn access_is_shown_with_the_identity_only_and_motivation_to_every_reader(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (status, created) = create(&w, Some(ACCESS), Some("money")).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["motivation"], "money");
    assert!(!created.to_string().contains(ACCESS), "{created}");
    let id = created["id"].as_str().expect("id").to_owned();

    // The handler's audited reveal and the controller's statutory record give the access.
    let handler = w.token(&w.handler).await;
    let (status, identity) =
        w.t.get(Some(&handler), &format!("/api/v1/sources/{id}/identity"))
            .await;
    assert_eq!(status, StatusCode::OK, "{identity}");
    assert_eq!(identity["access"], ACCESS);
    let controller = w.token(&w.controller).await;
    let (status, record) =
        w.t.get(Some(&controller), &format!("/api/v1/sources/{id}/record"))
            .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["true_identity"]["access"], ACCESS, "{record}");
    let browser = Browser::sign_in(&w.t, &w.handler).await;
    let page = format!("/sources/{id}");
    let revealed = browser
        .submit(&page, &format!("{page}/identity"), &[])
        .await;
    assert_eq!(revealed.status, StatusCode::OK, "{}", revealed.body);
    assert!(revealed.body.contains(ACCESS), "{}", revealed.body);

    // Analysts and auditors see the motivation beside the reporting, never the access.
    for officer in [&w.analyst, &w.auditor] {
        let token = w.token(officer).await;
        let (status, source) =
            w.t.get(Some(&token), &format!("/api/v1/sources/{id}"))
                .await;
        assert_eq!(status, StatusCode::OK, "{source}");
        assert_eq!(source["motivation"], "money");
        let (status, reliability) =
            w.t.get(Some(&token), &format!("/api/v1/sources/{id}/reliability"))
                .await;
        assert_eq!(status, StatusCode::OK, "{reliability}");
        assert_eq!(reliability["motivation"], "money");
        let (_, list) = w.t.get(Some(&token), "/api/v1/sources").await;
        for body in [&source, &reliability, &list] {
            assert!(!body.to_string().contains(ACCESS), "{body}");
        }
        let refused =
            w.t.get(Some(&token), &format!("/api/v1/sources/{id}/identity"))
                .await;
        assert_eq!(refused.0, StatusCode::FORBIDDEN, "{}", refused.1);
        assert!(!refused.1.to_string().contains(ACCESS));
        let browser = Browser::sign_in(&w.t, officer).await;
        for path in [
            page.clone(),
            "/sources".to_owned(),
            format!("{page}/reports"),
            "/audit".to_owned(),
        ] {
            let answer = browser.get(&path).await;
            assert!(!answer.body.contains(ACCESS), "{path}: {}", answer.body);
        }
        let shown = browser.get(&page).await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
        assert!(
            shown.body.contains(r#"<dd id="motivation">money</dd>"#),
            "{}",
            shown.body
        );
        if officer.username == w.analyst.username {
            assert!(
                shown.body.contains("Declared motivation: money")
                    && shown.body.contains("it changes no grade"),
                "{}",
                shown.body
            );
        }
    }

    // Nor is it in the auditor's inspection pack.
    let auditor = w.token(&w.auditor).await;
    let day = w.now().date_naive();
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            &format!("/api/v1/inspection.json?from={day}&to={day}"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    assert!(!pack.to_string().contains(ACCESS), "{pack}");

    // At rest the access is only ciphertext: no table of sources holds it.
    let rows =
        w.t.station
            .store()
            .table_values_unchecked("sources")
            .await
            .expect("read");
    assert!(
        rows.iter().any(|v| v == b"money"),
        "the category is a column"
    );
    assert!(
        !rows
            .iter()
            .any(|v| v.windows(ACCESS.len()).any(|x| x == ACCESS.as_bytes())),
        "the access is stored in plaintext"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn runners_change_the_motivation_and_refusals_write_nothing(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // Neither field is needed: a spotted source's access and motivation may be unknown, and an
    // identity without access (as every one written before it existed) still opens.
    let (status, created) = create(&w, None, None).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["motivation"], Value::Null);
    let id = created["id"].as_str().expect("id").to_owned();
    let handler = w.token(&w.handler).await;
    let (status, identity) =
        w.t.get(Some(&handler), &format!("/api/v1/sources/{id}/identity"))
            .await;
    assert_eq!(status, StatusCode::OK, "{identity}");
    assert_eq!(identity["name"], "Jane Example");
    assert_eq!(identity["access"], Value::Null);
    let browser = Browser::sign_in(&w.t, &w.analyst).await;
    let page = browser.get(&format!("/sources/{id}")).await;
    assert!(
        page.body
            .contains(r#"<dd id="motivation">not recorded</dd>"#),
        "{}",
        page.body
    );

    let (status, changed) =
        put_motivation(&w, &handler, &id, json!({"motivation": "conscience"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["motivation"], "conscience");
    let controller = w.token(&w.controller).await;
    let (status, changed) =
        put_motivation(&w, &controller, &id, json!({"motivation": "ideology"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let events =
        w.t.station
            .store()
            .audit_events(0, 100_000)
            .await
            .expect("ledger");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event.action == "source.motivation.set" && e.event.object_id == id)
            .count(),
        2,
        "each change is in the ledger"
    );

    // Refusals: an analyst, an unknown value (coercion is not a motivation), a bad access.
    // Signing in is in the ledger; nothing about the source may be.
    let analyst = w.token(&w.analyst).await;
    let before = source_events(&w).await;
    assert_refused(
        &put_motivation(&w, &analyst, &id, json!({"motivation": "money"})).await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let unknown = put_motivation(&w, &handler, &id, json!({"motivation": "leverage"})).await;
    assert_refused(
        &unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_MOTIVATION",
    );
    assert!(
        unknown.1["message"].as_str().is_some_and(|m| m.ends_with(
            "a declared motivation is one of ideology, money, recognition, conscience, other, or left not recorded"
        )),
        "{}",
        unknown.1
    );
    assert_refused(
        &create(&w, None, Some("coercion")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_MOTIVATION",
    );
    assert_refused(
        &create(&w, Some(&"x".repeat(1001)), None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ACCESS_TOO_LONG",
    );
    assert_eq!(
        source_events(&w).await,
        before,
        "a refusal writes no audit event"
    );
    let (_, source) =
        w.t.get(Some(&controller), &format!("/api/v1/sources/{id}"))
            .await;
    assert_eq!(source["motivation"], "ideology", "nothing changed");
    let (_, list) = w.t.get(Some(&controller), "/api/v1/sources").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");

    // Null clears it back to not recorded.
    let (status, cleared) = put_motivation(&w, &handler, &id, json!({"motivation": null})).await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["motivation"], Value::Null);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_motivation_form_records_it_for_runners_and_keeps_a_refusal_on_the_form(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (status, created) = create(&w, Some(ACCESS), Some("money")).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    let page = format!("/sources/{id}");
    let form = format!("{page}/motivation");

    let handler = Browser::sign_in(&w.t, &w.handler).await;
    assert!(
        handler
            .get(&page)
            .await
            .body
            .contains(r#"id="record-motivation""#)
    );
    let shown = handler.get(&form).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(
        shown
            .body
            .contains(r#"<option value="money" selected>Money</option>"#),
        "the form starts from the motivation recorded: {}",
        shown.body
    );
    let refused = handler
        .submit(&form, &form, &[("motivation", "leverage")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("INVALID_MOTIVATION"),
        "{}",
        refused.body
    );
    let saved = handler
        .submit(&form, &form, &[("motivation", "recognition")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), page);
    let after = handler.get(&page).await;
    assert!(
        after
            .body
            .contains(r#"<dd id="motivation">recognition</dd>"#),
        "{}",
        after.body
    );

    // An analyst gets no link and no form, and a forged submission changes nothing.
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    assert!(
        !analyst
            .get(&page)
            .await
            .body
            .contains(r#"id="record-motivation""#)
    );
    let away = analyst.get(&form).await;
    assert_eq!(away.status, StatusCode::FORBIDDEN);
    assert!(away.body.contains("ROLE_FORBIDDEN"), "{}", away.body);
    let forged = analyst
        .submit(&page, &form, &[("motivation", "other")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let token = w.token(&w.analyst).await;
    let (_, source) =
        w.t.get(Some(&token), &format!("/api/v1/sources/{id}"))
            .await;
    assert_eq!(source["motivation"], "recognition");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_walk_in_is_converted_with_its_access_and_motivation(#[case] backend: Backend) {
    use crate::harness::TestStation;
    use crate::intake::{only_thread, open_door};
    use humint_core::Role;
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_custodian, portal) = open_door(&t).await;
    portal
        .first_contact("I can tell you about the port.", None)
        .await;
    let thread = only_thread(&t).await;
    let hal = t.officer("hal", Role::Handler, &["WALKIN"]).await;
    let token = t.login(&hal).await;
    let body = |motivation: &str| {
        json!({
            "compartment": "WALKIN",
            "true_identity": {"name": "Jordan Example", "date_of_birth": "1980-01-02", "access": ACCESS},
            "motivation": motivation,
        })
    };
    assert_refused(
        &t.post_json(
            Some(&token),
            &format!("/api/v1/intake/{thread}/convert"),
            body("revenge"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_MOTIVATION",
    );
    let (status, converted) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{thread}/convert"),
            body("conscience"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{converted}");
    assert!(!converted.to_string().contains(ACCESS), "{converted}");
    let source = converted["source_id"].as_str().expect("id");
    let (_, shown) = t
        .get(Some(&token), &format!("/api/v1/sources/{source}"))
        .await;
    assert_eq!(shown["motivation"], "conscience");
    let (_, identity) = t
        .get(Some(&token), &format!("/api/v1/sources/{source}/identity"))
        .await;
    assert_eq!(identity["access"], ACCESS);
}
