//! AUTH-03 over the API: with the police (England and Wales) rank table in force, each grant and
//! renewal needs the authorising officer's recorded rank to reach the one its case needs, and a
//! refusal writes nothing; with no table (the default) nothing is checked, as before.

use super::{COMPARTMENT, World, born_years_ago};
use crate::harness::assert_refused;
use humint_station::Principal;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const TABLE: &str = "/api/v1/settings/ranks";
const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

async fn put_table(w: &World, token: &str, table: &str) -> (StatusCode, Value) {
    w.t.send(
        w.t.client
            .put(w.t.url(TABLE))
            .bearer_auth(token)
            .json(&json!({"table": table})),
    )
    .await
}

async fn set_rank(w: &World, token: &str, user: &str, rank: &str) -> (StatusCode, Value) {
    w.t.post_json(
        Some(token),
        &format!("/api/v1/users/{user}/rank"),
        json!({"rank": rank}),
    )
    .await
}

/// As the admin: records `rank` for the authorising officer.
async fn ao_rank(w: &World, rank: &str) {
    let admin = w.token(&w.t.admin).await;
    let (status, body) = set_rank(w, &admin, "ada", rank).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// A source ready for its first grant (all three roles, risk assessed, in development).
async fn ready(w: &World, dob: &str, undercover: bool) -> String {
    ready_as(w, dob, undercover, false).await
}

async fn ready_as(w: &World, dob: &str, undercover: bool, vulnerable: bool) -> String {
    let token = w.token(&w.handler).await;
    let (status, body) =
        w.t.post_json(
            Some(&token),
            "/api/v1/sources",
            json!({
                "compartment": COMPARTMENT,
                "origin": "walk_in",
                "true_identity": {"name": "Jane Example", "date_of_birth": dob, "identities_used": ["J. Sample"]},
                "controller": "carl",
                "record_keeper": "kim",
                "undercover_operative": undercover,
                "vulnerable": vulnerable,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let source = body["id"].as_str().expect("id").to_owned();
    w.risk(&source).await;
    w.walk(&source, &["assessed", "in_development"]).await;
    source
}

fn urgent(kind: &str) -> Value {
    let mut body = World::grant_body(kind);
    body["urgency_reason"] = json!("The meeting is tonight.");
    body
}

fn confidential_likely() -> Value {
    let mut body = World::grant_body("standard");
    body["privileged"] = json!({"confidential": ["journalistic"]});
    body
}

/// The grant is refused with `code`, its sentence naming `words`, and nothing is written.
async fn refused(w: &World, source: &str, body: Value, code: &str, words: &[&str]) {
    let answer = w.grant(source, body).await;
    assert_refused(&answer, UNPROCESSABLE, code);
    let message = answer.1["message"].as_str().expect("message");
    for word in words {
        assert!(message.contains(word), "{code} names {word}: {message}");
    }
    let token = w.token(&w.ao).await;
    assert_eq!(
        w.authorisation_count(&token, source).await,
        0,
        "a refused grant writes nothing"
    );
}

/// The grant succeeds and records the rank the grantor held.
async fn granted(w: &World, source: &str, body: Value, rank: Option<&str>) -> Value {
    let (status, auth) = w.grant(source, body).await;
    assert_eq!(status, StatusCode::CREATED, "{auth}");
    assert_eq!(auth["granted_by_rank"], json!(rank), "{auth}");
    auth
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn with_the_police_table_each_grant_needs_the_rank_its_case_names(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let admin = w.token(&w.t.admin).await;
    let ao = w.token(&w.ao).await;

    // The default: no table, and no rank can be recorded against none.
    let (status, table) = w.t.get(Some(&ao), TABLE).await;
    assert_eq!(status, StatusCode::OK, "{table}");
    assert_eq!(table["table"], "none", "{table}");
    assert_refused(
        &set_rank(&w, &admin, "ada", "Superintendent").await,
        UNPROCESSABLE,
        "RANK_UNKNOWN",
    );

    // Only an admin chooses the table, and only a table that exists.
    assert_refused(
        &put_table(&w, &ao, "police-england-wales").await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    assert_refused(
        &put_table(&w, &admin, "royal-navy").await,
        UNPROCESSABLE,
        "RANK_TABLE_UNKNOWN",
    );
    let (status, table) = put_table(&w, &admin, "police-england-wales").await;
    assert_eq!(status, StatusCode::OK, "{table}");
    assert_eq!(
        (
            &table["standard"],
            &table["urgent"],
            &table["relevant_source"],
            &table["annex_a"]
        ),
        (
            &json!("Superintendent"),
            &json!("Inspector"),
            &json!("Assistant Chief Constable"),
            &json!("Chief Constable")
        ),
        "{table}"
    );

    // An AO with no rank recorded cannot grant while the table is in force.
    let adult = ready(&w, "1980-04-01", false).await;
    refused(
        &w,
        &adult,
        World::grant_body("standard"),
        "AO_RANK_UNKNOWN",
        &["No rank is recorded", "Superintendent"],
    )
    .await;

    // Recording ranks: admins only, a rank of the table, a user who exists.
    assert_refused(
        &set_rank(&w, &ao, "ada", "Inspector").await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    assert_refused(
        &set_rank(&w, &admin, "ada", "Captain").await,
        UNPROCESSABLE,
        "RANK_UNKNOWN",
    );
    assert_eq!(
        set_rank(&w, &admin, "nobody", "Inspector").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, body) = set_rank(&w, &admin, "ada", " inspector ").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"username": "ada", "rank": "Inspector"}));

    // An Inspector: a standard grant is too low; an urgent oral one is theirs to make.
    refused(
        &w,
        &adult,
        World::grant_body("standard"),
        "AO_RANK_TOO_LOW",
        &["Superintendent", "Inspector"],
    )
    .await;
    let other = ready(&w, "1979-02-01", false).await;
    granted(&w, &other, urgent("urgent_oral"), Some("Inspector")).await;

    // A Superintendent grants the standard authorisation; not a juvenile's, not one likely to
    // obtain confidential material, not an undercover officer's (its urgent grant, yes).
    ao_rank(&w, "Superintendent").await;
    granted(
        &w,
        &adult,
        World::grant_body("standard"),
        Some("Superintendent"),
    )
    .await;
    let juvenile = ready(&w, &born_years_ago(16, 30), false).await;
    refused(
        &w,
        &juvenile,
        World::grant_body("juvenile"),
        "AO_RANK_TOO_LOW",
        &["Chief Constable", "Superintendent"],
    )
    .await;
    let press = ready(&w, "1975-06-01", false).await;
    refused(
        &w,
        &press,
        confidential_likely(),
        "AO_RANK_TOO_LOW",
        &["Chief Constable"],
    )
    .await;
    let vulnerable = ready_as(&w, "1990-09-01", false, true).await;
    refused(
        &w,
        &vulnerable,
        World::grant_body("standard"),
        "AO_RANK_TOO_LOW",
        &["Chief Constable", "vulnerable"],
    )
    .await;
    let undercover = ready(&w, "1985-09-01", true).await;
    refused(
        &w,
        &undercover,
        World::grant_body("relevant_source"),
        "AO_RANK_TOO_LOW",
        &["Assistant Chief Constable", "Superintendent"],
    )
    .await;
    let undercover_urgent = ready(&w, "1986-09-01", true).await;
    granted(
        &w,
        &undercover_urgent,
        urgent("urgent_oral"),
        Some("Superintendent"),
    )
    .await;

    // A Metropolitan Police Commander ranks with an ACC: the relevant source, not Annex A.
    ao_rank(&w, "Commander").await;
    let deployment = granted(
        &w,
        &undercover,
        World::grant_body("relevant_source"),
        Some("Commander"),
    )
    .await;
    // Its renewal would take the officer's deployment past twelve months in all (REL-01): a
    // long-term authorisation, for the Chief Constable (Met: Assistant Commissioner).
    let deployment = deployment["id"].as_str().expect("id").to_owned();
    let token = w.token(&w.ao).await;
    let (status, reviewed) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/authorisations/{deployment}/reviews"),
            json!({"use_made": "Deployed", "tasks_given": "Infiltrate", "information_obtained": "Meeting places",
                   "necessity_still_met": true, "proportionality_still_met": true, "arrangements_still_met": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    w.risk(&undercover).await;
    let renewals = format!("/api/v1/authorisations/{deployment}/renewals");
    let token = w.token(&w.ao).await;
    let answer = w.t.post_json(Some(&token), &renewals, json!({})).await;
    assert_refused(&answer, UNPROCESSABLE, "AO_RANK_TOO_LOW");
    let message = answer.1["message"].as_str().expect("message");
    assert!(
        message.contains("long-term") && message.contains("Chief Constable"),
        "{message}"
    );
    ao_rank(&w, "Assistant Commissioner").await;
    let token = w.token(&w.ao).await;
    let (status, renewed) = w.t.post_json(Some(&token), &renewals, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    assert_eq!(
        renewed["renewals"][0]["renewed_by_rank"], "Assistant Commissioner",
        "{renewed}"
    );
    ao_rank(&w, "Commander").await;
    refused(
        &w,
        &juvenile,
        World::grant_body("juvenile"),
        "AO_RANK_TOO_LOW",
        &["Chief Constable", "Commander"],
    )
    .await;
    ao_rank(&w, "Chief Constable").await;
    granted(
        &w,
        &juvenile,
        World::grant_body("juvenile"),
        Some("Chief Constable"),
    )
    .await;
    granted(&w, &press, confidential_likely(), Some("Chief Constable")).await;
    granted(
        &w,
        &vulnerable,
        World::grant_body("standard"),
        Some("Chief Constable"),
    )
    .await;

    // Table off: the same Inspector grants a standard authorisation, as before AUTH-03.
    ao_rank(&w, "Inspector").await;
    let (status, table) = put_table(&w, &admin, "none").await;
    assert_eq!(status, StatusCode::OK, "{table}");
    assert_eq!(table["table"], "none", "{table}");
    let later = ready(&w, "1970-01-01", false).await;
    granted(&w, &later, World::grant_body("standard"), None).await;

    // Every change is in the audit ledger, with the table's name or the rank.
    let events: Vec<String> =
        w.t.station
            .store()
            .audit_events(0, 10_000)
            .await
            .expect("events")
            .into_iter()
            .filter(|e| e.event.action == "settings.ranks.change" || e.event.action == "user.rank")
            .map(|e| e.event.object_id)
            .collect();
    assert_eq!(
        events.first().map(String::as_str),
        Some("ranks: police-england-wales")
    );
    assert_eq!(events.last().map(String::as_str), Some("ranks: none"));
    assert_eq!(
        events.iter().filter(|e| e.ends_with(": Commander")).count(),
        2,
        "Commander, Assistant Commissioner, Commander again: {events:?}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_renewal_needs_the_rank_of_the_authorisation_it_renews(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let admin = w.token(&w.t.admin).await;
    let (status, body) = put_table(&w, &admin, "police-england-wales").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ao_rank(&w, "Chief Superintendent").await;
    let source = ready(&w, "1980-04-01", false).await;
    let auth = granted(
        &w,
        &source,
        World::grant_body("standard"),
        Some("Chief Superintendent"),
    )
    .await;
    let id = auth["id"].as_str().expect("id");
    let ao = w.token(&w.ao).await;
    let (status, reviewed) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{id}/reviews"),
            json!({"use_made": "Two meetings", "tasks_given": "Attend", "information_obtained": "Dates",
                   "necessity_still_met": true, "proportionality_still_met": true, "arrangements_still_met": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    w.risk(&source).await;

    // A Chief Inspector may not renew a standard authorisation; the record is unchanged.
    ao_rank(&w, "Chief Inspector").await;
    let renew = || async {
        let ao = w.token(&w.ao).await;
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{id}/renewals"),
            json!({}),
        )
        .await
    };
    let answer = renew().await;
    assert_refused(&answer, UNPROCESSABLE, "AO_RANK_TOO_LOW");
    let (_, unchanged) =
        w.t.get(Some(&ao), &format!("/api/v1/authorisations/{id}"))
            .await;
    assert_eq!(unchanged["renewals"], json!([]), "{unchanged}");

    ao_rank(&w, "Superintendent").await;
    let (status, renewed) = renew().await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    assert_eq!(
        renewed["granted_by_rank"], "Chief Superintendent",
        "{renewed}"
    );
    assert_eq!(
        renewed["renewals"][0]["renewed_by_rank"], "Superintendent",
        "{renewed}"
    );

    // The inspection pack shows the rank the grantor held.
    let auditor = w.token(&w.auditor).await;
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    assert_eq!(
        pack["authorisations"][0]["granted_by_rank"], "Chief Superintendent",
        "{pack}"
    );
    let (_, _, _, html) =
        crate::inspection::download(&w, &auditor, "from=2026-03-01&to=2026-03-31").await;
    assert_eq!(
        pack["authorisations"][0]["renewals"][0]["renewed_by_rank"], "Superintendent",
        "{pack}"
    );
    assert!(
        html.contains("<td>ada (Chief Superintendent)</td>")
            && html.contains("<td>ada (Superintendent)</td>"),
        "the pack names the grantor's and the renewing officer's rank"
    );

    // A backup carries the table in force and each officer's rank to the restored station.
    let file = w.t.dir.path().join("ranks.backup");
    w.t.station
        .backup_to(&Principal::system(), &file)
        .await
        .expect("backup");
    let (restored, _db) = w.t.restore_elsewhere(backend, &file, "ranks").await;
    assert_eq!(
        restored.rank_table().await.expect("table").map(|t| t.name),
        Some("police-england-wales")
    );
    assert_eq!(
        restored.user_rank("ada").await.expect("rank").as_deref(),
        Some("Superintendent")
    );
}
