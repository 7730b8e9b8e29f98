//! Boilerplate in authorisations (INS-02): a grant whose statement largely repeats another
//! authorisation's in the same compartment answers with a warning (and is granted), on the
//! grant's answer, on later reads and on the source page; an original statement, or a copy of
//! another compartment's, does not. Over HTTP on both backends.

use crate::handling::{COMPARTMENT, OTHER, World};
use crate::harness::Officer;
use crate::ui::Browser;
use humint_core::Role;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const NECESSITY: &str = "The group moves its meetings every week and only someone invited to them can say where the next one will be held, who attends, and what is decided there; patrols, open records and informants outside the group have all failed to establish this.";

const PROPORTIONALITY: &str = "Tasking is limited to reporting on the meetings the source already attends in the ordinary course of the source's work, with no direction to seek out private conversations, so the intrusion into the privacy of others is kept to the least needed to identify the organisers and the dates of the shipments.";

/// The proportionality statement above with a few words changed, as pasted into another case.
fn lightly_edited() -> String {
    PROPORTIONALITY
        .replace("ordinary course", "normal course")
        .replace("organisers", "leaders")
        .replace("shipments", "consignments")
}

const ORIGINAL_PROPORTIONALITY: &str = "Only the source can reach the lorry drivers' rest area where payments change hands; the source will report what is seen there on shift and nothing about the drivers' families or their lives away from the depot, and each report will be reviewed by the controller before any further tasking is given.";

const COLLATERAL: &str = "Colleagues may be mentioned in passing; nothing about them is recorded.";

fn grant_body(necessity: &str, proportionality: &str) -> Value {
    json!({
        "kind": "standard",
        "ground": "preventing_or_detecting_crime_or_disorder",
        "necessity": necessity,
        "proportionality": proportionality,
        "collateral_intrusion": COLLATERAL,
        "tasks": ["report on the meetings"],
        "review_interval_days": 28,
    })
}

/// A source in `compartment`, assessed and in development, ready for a grant. Returns its id
/// and codename.
async fn source_in(
    w: &World,
    compartment: &str,
    handler: &Officer,
    controller: &str,
    keeper: &str,
) -> (String, String) {
    let token = w.token(handler).await;
    let (status, body) =
        w.t.post_json(
            Some(&token),
            "/api/v1/sources",
            json!({
                "compartment": compartment,
                "origin": "walk_in",
                "true_identity": {"name": "Jane Example", "date_of_birth": "1980-01-01", "identities_used": []},
                "controller": controller,
                "record_keeper": keeper,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let codename = body["codename"].as_str().expect("codename").to_owned();
    let token = w.token(handler).await;
    let (status, body) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{id}/risk-assessments"),
            json!({
                "level": "medium",
                "security_and_welfare": "Works near the target; exposure would risk reprisal.",
                "mitigations": "Meetings out of area; cover story agreed.",
                "explained_to_source": true,
                "understood_by_source": true,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for to in ["assessed", "in_development"] {
        let token = w.token(handler).await;
        let (status, body) =
            w.t.post_json(
                Some(&token),
                &format!("/api/v1/sources/{id}/transitions"),
                json!({"to": to, "reason": format!("ready for {to}")}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    (id, codename)
}

async fn grant_as(w: &World, ao: &Officer, source: &str, body: Value) -> Value {
    let token = w.token(ao).await;
    let (status, answer) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/authorisations"),
            body,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "granted, warning or not: {answer}"
    );
    answer
}

fn warnings(answer: &Value) -> &Vec<Value> {
    answer["warnings"].as_array().expect("a warnings list")
}

async fn compare_events(w: &World) -> usize {
    w.t.station
        .store()
        .audit_events(0, 10_000)
        .await
        .expect("ledger")
        .iter()
        .filter(|e| e.event.action == "authorisation.text.compare")
        .count()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_copied_statement_is_granted_with_a_warning_within_its_compartment_only(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // The first authorisation in ALPHA: nothing earlier to repeat.
    let (first, first_codename) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let original = grant_as(&w, &w.ao, &first, grant_body(NECESSITY, PROPORTIONALITY)).await;
    assert_eq!(warnings(&original), &Vec::<Value>::new(), "{original}");
    let first_granted_on = original["granted_at"].as_str().expect("time")[..10].to_owned();

    // A second source in ALPHA whose proportionality statement is a lightly edited copy, its
    // necessity written for it.
    let (second, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let own_necessity = "The source drives for the firm that collects the cash from the depot each Friday, and the route and the people who meet the van cannot be learned from the firm's records, from watching the depot, or from anyone else we know.";
    let copied = grant_as(
        &w,
        &w.ao,
        &second,
        grant_body(own_necessity, &lightly_edited()),
    )
    .await;
    let found = warnings(&copied);
    assert_eq!(found.len(), 1, "only the copied statement: {copied}");
    let warning = &found[0];
    assert_eq!(warning["code"], "AUTH_TEXT_REPEATED");
    assert_eq!(warning["statement"], "proportionality");
    assert_eq!(warning["other_authorisation_id"], original["id"]);
    assert_eq!(warning["other_codename"], first_codename.as_str());
    let share = warning["share_percent"].as_u64().expect("share");
    assert!((60..100).contains(&share), "a light edit: {warning}");
    assert_eq!(
        warning["message"],
        format!(
            "The proportionality statement repeats {share} % of the one written for {first_codename} on {first_granted_on}: IPCO asks for statements written for this source and this operation."
        )
    );
    // The grant stands: the authorisation is live, with the text as written.
    assert_eq!(copied["status"], "live", "{copied}");
    assert_eq!(copied["proportionality"], lightly_edited());

    // The warning stands on later reads of the authorisation and the source's list; the
    // original is never flagged for being copied.
    let token = w.token(&w.auditor).await;
    let (status, again) =
        w.t.get(
            Some(&token),
            &format!(
                "/api/v1/authorisations/{}",
                copied["id"].as_str().expect("id")
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(warnings(&again), found);
    let (status, first_again) =
        w.t.get(
            Some(&token),
            &format!(
                "/api/v1/authorisations/{}",
                original["id"].as_str().expect("id")
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        warnings(&first_again),
        &Vec::<Value>::new(),
        "{first_again}"
    );
    let (status, list) =
        w.t.get(
            Some(&token),
            &format!("/api/v1/sources/{second}/authorisations"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(warnings(&list[0]), found);

    // A third source in ALPHA with statements written for it: no warning.
    let (third, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let own = grant_as(
        &w,
        &w.ao,
        &third,
        grant_body(
            own_necessity.replace("Friday", "Monday").as_str(),
            ORIGINAL_PROPORTIONALITY,
        ),
    )
    .await;
    // Its necessity repeats the second's (changed one word): that is flagged, its own
    // proportionality is not.
    let statements: Vec<&str> = warnings(&own)
        .iter()
        .map(|w| w["statement"].as_str().expect("statement"))
        .collect();
    assert_eq!(statements, vec!["necessity"], "{own}");

    // BRAVO: the very same statements copied from ALPHA are not compared across compartments.
    let bravo_handler = w.t.officer("hbravo", Role::Handler, &[OTHER]).await;
    w.t.officer("cbravo", Role::Controller, &[OTHER]).await;
    w.t.officer("kbravo", Role::Auditor, &[OTHER]).await;
    let bravo_ao =
        w.t.officer("abravo", Role::AuthorisingOfficer, &[OTHER])
            .await;
    let (bravo, _) = source_in(&w, OTHER, &bravo_handler, "cbravo", "kbravo").await;
    let elsewhere = grant_as(
        &w,
        &bravo_ao,
        &bravo,
        grant_body(NECESSITY, PROPORTIONALITY),
    )
    .await;
    assert_eq!(warnings(&elsewhere), &Vec::<Value>::new(), "{elsewhere}");

    // Each grant that opened other authorisations' statements is one audit event: the two
    // later grants in ALPHA (the first grant in each compartment had nothing to open). The
    // reads show what the grant stored and open nothing (since migration 0021; before it, each
    // of the three reads was an event too).
    assert_eq!(compare_events(&w).await, 2);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn short_statements_are_not_judged_and_open_nothing(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (a, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let (b, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    // The same short, formulaic statements twice (under 25 words each).
    let first = grant_as(&w, &w.ao, &a, World::grant_body("standard")).await;
    let second = grant_as(&w, &w.ao, &b, World::grant_body("standard")).await;
    assert_eq!(warnings(&first), &Vec::<Value>::new());
    assert_eq!(warnings(&second), &Vec::<Value>::new(), "{second}");
    assert_eq!(compare_events(&w).await, 0);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_source_page_shows_the_warning(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (first, first_codename) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    grant_as(&w, &w.ao, &first, grant_body(NECESSITY, PROPORTIONALITY)).await;
    let (second, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let copied = grant_as(&w, &w.ao, &second, grant_body(NECESSITY, &lightly_edited())).await;
    assert_eq!(warnings(&copied).len(), 2, "{copied}");
    let copied_id = copied["id"].as_str().expect("id");

    let browser = Browser::sign_in(&w.t, &w.controller).await;
    let compared_at_grant = compare_events(&w).await;
    assert_eq!(compared_at_grant, 1, "the second grant opened the first");
    let page = browser.get(&format!("/sources/{second}")).await;
    assert_eq!(page.status, StatusCode::OK);
    // The page shows what the grant stored: it opens no other authorisation's text.
    assert_eq!(compare_events(&w).await, compared_at_grant);
    let row = page
        .body
        .split_once(&format!("id=\"text-repeated-{copied_id}\""))
        .map(|(_, rest)| rest.split_once("</tr>").map_or(rest, |(r, _)| r))
        .expect("a warning row under the authorisation");
    assert!(
        row.contains(&format!(
            "The necessity statement repeats 100 % of the one written for {first_codename} on 2026-03-02"
        )),
        "{row}"
    );
    assert!(
        row.contains("The proportionality statement repeats"),
        "{row}"
    );
    // The first source's page: its authorisation was copied, not copying.
    let page = browser.get(&format!("/sources/{first}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("text-repeated-"), "{}", page.body);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_inspection_pack_lists_the_repeated_statements(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (first, first_codename) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let original = grant_as(&w, &w.ao, &first, grant_body(NECESSITY, PROPORTIONALITY)).await;
    let (second, second_codename) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let own_necessity = "The source drives for the firm that collects the cash from the depot each Friday, and the route and the people who meet the van cannot be learned from the firm's records, from watching the depot, or from anyone else we know.";
    let copied = grant_as(
        &w,
        &w.ao,
        &second,
        grant_body(own_necessity, &lightly_edited()),
    )
    .await;
    let warning = warnings(&copied)[0].clone();
    // The same copy in BRAVO, where this auditor is not read in and nothing is compared anyway.
    let bravo_handler = w.t.officer("hbravo", Role::Handler, &[OTHER]).await;
    w.t.officer("cbravo", Role::Controller, &[OTHER]).await;
    w.t.officer("kbravo", Role::Auditor, &[OTHER]).await;
    let bravo_ao =
        w.t.officer("abravo", Role::AuthorisingOfficer, &[OTHER])
            .await;
    let (bravo, _) = source_in(&w, OTHER, &bravo_handler, "cbravo", "kbravo").await;
    grant_as(
        &w,
        &bravo_ao,
        &bravo,
        grant_body(NECESSITY, PROPORTIONALITY),
    )
    .await;
    let (bravo_copy, _) = source_in(&w, OTHER, &bravo_handler, "cbravo", "kbravo").await;
    let in_bravo = grant_as(
        &w,
        &bravo_ao,
        &bravo_copy,
        grant_body(NECESSITY, &lightly_edited()),
    )
    .await;
    assert_eq!(
        warnings(&in_bravo).len(),
        2,
        "BRAVO's own copy is flagged there: {in_bravo}"
    );

    let token = w.token(&w.auditor).await;
    let compared_at_grant = compare_events(&w).await;
    let (status, pack) =
        w.t.get(
            Some(&token),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    assert_eq!(
        compare_events(&w).await,
        compared_at_grant,
        "the pack reads what the grants stored"
    );
    let repeated: Vec<&Value> = pack["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "AUTH_TEXT_REPEATED")
        .collect();
    assert_eq!(repeated.len(), 1, "ALPHA's copy only: {}", pack["findings"]);
    let f = repeated[0];
    assert_eq!(f["codename"], second_codename.as_str());
    assert_eq!(f["compartment"], COMPARTMENT);
    assert_eq!(f["authorisation"], copied["id"]);
    assert_eq!(f["message"], warning["message"]);
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains(&first_codename)),
        "{f}"
    );
    assert_ne!(f["authorisation"], original["id"]);

    // The HTML pack an inspector reads shows it among the findings.
    let response =
        w.t.client
            .get(w.t.url("/api/v1/inspection?from=2026-03-01&to=2026-03-31"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    assert!(html.contains("AUTH_TEXT_REPEATED"), "{html}");
    assert!(
        html.contains(&format!(
            "The proportionality statement repeats {} % of the one written for {first_codename} on 2026-03-02",
            warning["share_percent"]
        )),
        "{html}"
    );
}

/// The events of the kind the comparison writes, and who wrote them.
async fn compare_actors_in(store: &humint_store::SqlStore) -> Vec<(String, String)> {
    store
        .audit_events(0, 10_000)
        .await
        .expect("ledger")
        .iter()
        .filter(|e| e.event.action == "authorisation.text.compare")
        .map(|e| (e.event.actor.clone(), e.event.object_type.clone()))
        .collect()
}

/// An original grant and a second source's grant copying its proportionality statement (its
/// necessity its own). Returns the copy's id and the warnings its grant answered with.
async fn original_and_copy(w: &World) -> (String, Vec<Value>) {
    let (first, _) = source_in(w, COMPARTMENT, &w.handler, "carl", "kim").await;
    grant_as(w, &w.ao, &first, grant_body(NECESSITY, PROPORTIONALITY)).await;
    let (second, _) = source_in(w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let own_necessity = "The source drives for the firm that collects the cash from the depot each Friday, and the route and the people who meet the van cannot be learned from the firm's records, from watching the depot, or from anyone else we know.";
    let copied = grant_as(
        w,
        &w.ao,
        &second,
        grant_body(own_necessity, &lightly_edited()),
    )
    .await;
    let found = warnings(&copied).clone();
    assert_eq!(found.len(), 1, "{copied}");
    (copied["id"].as_str().expect("id").to_owned(), found)
}

/// The warnings `GET /authorisations/{id}` answers with, read by the auditor.
async fn read_warnings(w: &World, id: &str) -> Vec<Value> {
    let token = w.token(&w.auditor).await;
    let (status, body) =
        w.t.get(Some(&token), &format!("/api/v1/authorisations/{id}"))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    warnings(&body).clone()
}

/// The auditor as a station caller (for a station not served over HTTP).
async fn auditor(store: &humint_store::SqlStore) -> humint_station::Principal {
    let aud = store.user_by_name("aud").await.expect("read").expect("aud");
    humint_station::Principal {
        user_id: aud.id,
        username: "aud".to_owned(),
        role: Role::Auditor,
        compartments: [COMPARTMENT.to_owned()].into(),
        session_expires_at_ms: i64::MAX,
    }
}

/// What a station shows of one authorisation's warnings: (statement, other id, message).
async fn station_warnings(
    station: &humint_station::Station,
    id: &str,
) -> Vec<(String, String, String)> {
    let p = auditor(station.store()).await;
    let (_, repeats) = station.authorisation_warned(&p, id).await.expect("read");
    repeats
        .into_iter()
        .map(|r| {
            (
                r.statement.as_str().to_owned(),
                r.other_authorisation_id,
                r.message,
            )
        })
        .collect()
}

fn as_tuples(found: &[Value]) -> Vec<(String, String, String)> {
    found
        .iter()
        .map(|v| {
            (
                v["statement"].as_str().expect("statement").to_owned(),
                v["other_authorisation_id"].as_str().expect("id").to_owned(),
                v["message"].as_str().expect("message").to_owned(),
            )
        })
        .collect()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn reads_open_nothing_and_the_stored_warning_survives_a_restart(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (copied, found) = original_and_copy(&w).await;
    assert_eq!(compare_events(&w).await, 1, "the copy's grant compared");
    assert_eq!(read_warnings(&w, &copied).await, found);
    assert_eq!(read_warnings(&w, &copied).await, found);
    assert_eq!(compare_events(&w).await, 1, "reads open nothing");

    // Another server on the same database (a restart): the same warning, nothing compared.
    let again = w.t.another_server(w.t.clock.clone(), 7).await;
    assert_eq!(station_warnings(&again, &copied).await, as_tuples(&found));
    assert_eq!(compare_events(&w).await, 1);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn authorisations_granted_before_the_stored_check_are_compared_once(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (copied, found) = original_and_copy(&w).await;
    let store = w.t.station.store();
    // As a version before migration 0021 left them: granted, never compared.
    let forget = async || {
        store
            .execute_unchecked("DELETE FROM authorisation_text_repeats")
            .await
            .expect("forget");
        store
            .execute_unchecked("DELETE FROM authorisation_text_checks")
            .await
            .expect("forget");
    };
    forget().await;
    let before = compare_actors_in(store).await.len();

    // The first read finds them uncompared: the station compares the compartment's once (one
    // event, by the system) and the reader sees the warning the grant gave.
    assert_eq!(read_warnings(&w, &copied).await, found);
    let actors = compare_actors_in(store).await;
    assert_eq!(actors.len(), before + 1);
    assert_eq!(
        actors.last(),
        Some(&("system".to_owned(), "compartment".to_owned()))
    );
    assert_eq!(read_warnings(&w, &copied).await, found);
    assert_eq!(compare_actors_in(store).await.len(), before + 1, "once");

    // Forgotten again, then a server starts on the database: it compares them as it opens.
    forget().await;
    let again = w.t.another_server(w.t.clock.clone(), 9).await;
    assert_eq!(compare_actors_in(store).await.len(), before + 2);
    assert_eq!(station_warnings(&again, &copied).await, as_tuples(&found));
    assert_eq!(read_warnings(&w, &copied).await, found);
    assert_eq!(compare_actors_in(store).await.len(), before + 2);
    // A server opening on a database with nothing left to compare compares nothing.
    let other = w.t.another_server(w.t.clock.clone(), 10).await;
    assert_eq!(compare_actors_in(store).await.len(), before + 2);

    // Two servers comparing the same forgotten authorisations at once (two `humint serve`
    // starting together): both finish, and each authorisation's comparison is stored once.
    forget().await;
    let (here, there) = tokio::join!(
        w.t.station.compare_unchecked_authorisations(None),
        other.compare_unchecked_authorisations(None),
    );
    let (here, there) = (here.expect("here"), there.expect("there"));
    assert_eq!(
        here + there,
        2,
        "the original and the copy, once: {here} + {there}"
    );
    assert_eq!(read_warnings(&w, &copied).await, found);
    assert_eq!(station_warnings(&other, &copied).await, as_tuples(&found));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_backup_keeps_the_stored_check_and_one_from_before_it_is_compared_on_restore(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (copied, found) = original_and_copy(&w).await;
    let file = w.t.dir.path().join("checked.backup");
    w.t.station
        .backup_to(&humint_station::Principal::system(), &file)
        .await
        .expect("backup");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(text.contains("\"authorisation_text_repeats\""));
    let events = compare_actors_in(w.t.station.store()).await;

    let (restored, _db) = w.t.restore_elsewhere(backend, &file, "checked").await;
    assert_eq!(
        compare_actors_in(restored.store()).await,
        events,
        "restored as stored: nothing compared"
    );
    assert_eq!(
        station_warnings(&restored, &copied).await,
        as_tuples(&found)
    );

    // The same backup as a version before 0021 wrote it: neither table.
    let mut old = String::new();
    let (mut skipping, mut tables, mut rows) = (false, 0u64, 0u64);
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).expect("json");
        match v["kind"].as_str().unwrap_or_default() {
            "table" => {
                skipping = v["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("authorisation_text_"));
                if skipping {
                    tables += 1;
                    continue;
                }
            }
            "row" if skipping => {
                rows += 1;
                continue;
            }
            "footer" => {
                v["tables"] = json!(v["tables"].as_u64().expect("tables") - tables);
                v["rows"] = json!(v["rows"].as_u64().expect("rows") - rows);
            }
            _ => {}
        }
        old.push_str(&v.to_string());
        old.push('\n');
    }
    assert_eq!((tables, rows), (2, 3), "two checks and one repeat left out");
    let old_file = w.t.dir.path().join("old.backup");
    std::fs::write(&old_file, old).expect("write");
    let (restored, _db) = w.t.restore_elsewhere(backend, &old_file, "old").await;
    // Compared once, by the restore.
    let after = compare_actors_in(restored.store()).await;
    assert_eq!(after.len(), events.len() + 1);
    assert_eq!(
        after.last(),
        Some(&("system".to_owned(), "compartment".to_owned()))
    );
    assert_eq!(
        station_warnings(&restored, &copied).await,
        as_tuples(&found)
    );
    assert_eq!(compare_actors_in(restored.store()).await.len(), after.len());
}

async fn grant_with(w: &World, token: &str, source: &str, body: Value) -> Value {
    let (status, answer) =
        w.t.post_json(
            Some(token),
            &format!("/api/v1/sources/{source}/authorisations"),
            body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn of_two_grants_at_once_the_one_written_first_is_what_the_other_repeats(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (a, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let (b, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let token = w.token(&w.ao).await;
    // The clock does not move between the two: the same millisecond.
    let first = grant_with(&w, &token, &a, grant_body(NECESSITY, PROPORTIONALITY)).await;
    let second = grant_with(&w, &token, &b, grant_body(NECESSITY, PROPORTIONALITY)).await;
    assert_eq!(first["granted_at"], second["granted_at"]);
    assert_eq!(warnings(&first), &Vec::<Value>::new(), "{first}");
    let statements: Vec<(&str, &str)> = warnings(&second)
        .iter()
        .map(|v| {
            (
                v["statement"].as_str().expect("statement"),
                v["other_authorisation_id"].as_str().expect("other"),
            )
        })
        .collect();
    let first_id = first["id"].as_str().expect("id");
    assert_eq!(
        statements,
        vec![("necessity", first_id), ("proportionality", first_id)],
        "{second}"
    );
    let second_id = second["id"].as_str().expect("id");
    assert_eq!(read_warnings(&w, second_id).await, *warnings(&second));
    assert_eq!(read_warnings(&w, first_id).await, Vec::<Value>::new());

    // Two grants of the same new text sent together: whichever is written first is original,
    // the other repeats it (never both original, as comparing before either is written would
    // have it).
    let (c, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let (d, _) = source_in(&w, COMPARTMENT, &w.handler, "carl", "kim").await;
    let token = w.token(&w.ao).await;
    let fresh = "Only the source can say when the new courier collects from the market stalls on a Sunday, since the collections move each week and are arranged by telephone between two people who meet nobody else about it.";
    let (one, two) = tokio::join!(
        grant_with(&w, &token, &c, grant_body(fresh, ORIGINAL_PROPORTIONALITY)),
        grant_with(&w, &token, &d, grant_body(fresh, ORIGINAL_PROPORTIONALITY)),
    );
    let flagged: Vec<(&Value, &Value)> = [(&one, &two), (&two, &one)]
        .into_iter()
        .filter(|(g, _)| !warnings(g).is_empty())
        .collect();
    assert_eq!(flagged.len(), 1, "{one} {two}");
    let (copy, original) = flagged[0];
    assert!(
        warnings(copy)
            .iter()
            .all(|v| v["other_authorisation_id"] == original["id"]),
        "{copy}"
    );
    assert_eq!(warnings(copy).len(), 2, "{copy}");
}
