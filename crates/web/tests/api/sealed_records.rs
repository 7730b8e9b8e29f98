//! The free text of contacts, payments and authorisations is sealed at rest (migration 0016),
//! over real HTTP on both backends, while each record's document stays readable without keys
//! for the alert scheduler: the text round-trips through the API and the statutory record, no
//! column of the raw row holds it, the alerts still raise, key rotation re-wraps it, a station
//! upgraded with plaintext rows seals them when it opens, and a moved envelope is refused.

use crate::handling::alerts::alerts_at;
use crate::handling::{World, born_years_ago, table_holds};
use crate::ui::Browser;
use chrono::{DateTime, Duration, Utc};
use humint_core::FixedClock;
use humint_station::Principal;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const ALIAS: &str = "SITE KESTREL behind the tram depot";
const FALLBACK: &str = "If missed, the bench by the canal lock at 19:00 the next day.";
const COVER: &str = "Two old colleagues from the ferry company meeting for a drink";
const SAFETY: &str = "Second officer watching the approach from the cafe; source arrives by bus";

/// One column of every row of `table` in id order, as bytes (NULL as empty).
async fn column(w: &World, table: &str, column: &str) -> Vec<Vec<u8>> {
    w.t.station
        .store()
        .table_values_unchecked(&format!("(SELECT {column} FROM {table} ORDER BY id) AS c"))
        .await
        .expect("read the column")
}

/// The source's contacts as the handler reads them.
async fn contacts(w: &World, source: &str) -> (StatusCode, Value) {
    let handler = w.token(&w.handler).await;
    w.t.get(
        Some(&handler),
        &format!("/api/v1/sources/{source}/contacts"),
    )
    .await
}

/// The source's statutory record as the controller reads it.
async fn record(w: &World, source: &str) -> Value {
    let controller = w.token(&w.controller).await;
    let (status, record) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/sources/{source}/record"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    record
}

/// Plans a contact with both texts, due in three days; returns its id.
async fn plan_contact(w: &World, source: &str) -> String {
    let handler = w.token(&w.handler).await;
    let planned = w.now() + Duration::days(1);
    let (status, contact) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/contacts"),
            json!({"mode": "meeting", "status": "planned", "purpose": "use",
                   "planned_for": planned.to_rfc3339(),
                   "location_alias": ALIAS, "fallback_arrangements": FALLBACK,
                   "cover_used": COVER, "safety_arrangements": SAFETY}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    assert_contact_text(&contact);
    contact["id"].as_str().expect("id").to_owned()
}

/// Records the planned contact as held, with the next contact due at `next_due`.
async fn hold(w: &World, contact: &str, next_due: DateTime<Utc>) -> Value {
    let handler = w.token(&w.handler).await;
    let (status, held) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/contacts/{contact}/outcome"),
            json!({"status": "held", "officers_present": ["hana"],
                   "next_contact_due": next_due.to_rfc3339()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{held}");
    held
}

fn assert_contact_text(c: &Value) {
    assert_eq!(c["location_alias"], ALIAS, "{c}");
    assert_eq!(c["fallback_arrangements"], FALLBACK, "{c}");
    assert_eq!(c["cover_used"], COVER, "{c}");
    assert_eq!(c["safety_arrangements"], SAFETY, "{c}");
}

/// A contact an older version wrote: its two texts, and none of the fields added since.
fn assert_older_contact_text(c: &Value) {
    assert_eq!(c["location_alias"], ALIAS, "{c}");
    assert_eq!(c["fallback_arrangements"], FALLBACK, "{c}");
    assert!(
        c["cover_used"].is_null() && c["safety_arrangements"].is_null(),
        "{c}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_contacts_meeting_place_and_fallback_are_sealed_at_rest(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let id = plan_contact(&w, &source).await;
    // No column of the raw row holds either text; the document the scheduler reads is there
    // with them blanked.
    for text in [ALIAS, FALLBACK, COVER, SAFETY] {
        assert!(!table_holds(&w, "contacts", text).await, "{text}");
    }
    let docs = column(&w, "contacts", "doc").await;
    let doc: Value = serde_json::from_slice(&docs[0]).expect("the document is JSON");
    assert_eq!(doc["status"], "planned", "{doc}");
    assert!(doc["location_alias"].is_null(), "{doc}");
    assert!(doc["cover_used"].is_null(), "{doc}");

    // The handler reads them back; recording the outcome keeps them, and re-seals.
    let (status, list) = contacts(&w, &source).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_contact_text(&list["items"][0]);
    let sealed_before = column(&w, "contacts", "text_sealed").await;
    let next_due = w.now() + Duration::days(3);
    let held = hold(&w, &id, next_due).await;
    assert_contact_text(&held);
    assert_eq!(held["status"], "held", "{held}");
    let sealed_after = column(&w, "contacts", "text_sealed").await;
    assert_ne!(sealed_before, sealed_after, "the outcome re-seals the text");
    assert!(!table_holds(&w, "contacts", ALIAS).await);
    let (_, list) = contacts(&w, &source).await;
    assert_contact_text(&list["items"][0]);
    // The statutory record (reg 3(k)) reads them too.
    let record = record(&w, &source).await;
    assert_contact_text(&record["contacts"][0]);

    // The scheduler still reads the contact: overdue from the instant the next one was due.
    let before = alerts_at(&w, &w.handler, next_due - Duration::milliseconds(1)).await;
    assert!(
        !before.iter().any(|(k, _)| k == "contact_overdue"),
        "{before:?}"
    );
    let after = alerts_at(&w, &w.handler, next_due).await;
    assert!(
        after
            .iter()
            .any(|(k, s)| k == "contact_overdue" && *s == source),
        "{after:?}"
    );

    // Key rotation re-wraps the envelope, and the text still reads.
    let rotation =
        w.t.station
            .rotate_keys(&Principal::system(), &|_, _| {})
            .await
            .expect("rotate");
    assert_eq!(rotation.new_version, 2);
    assert_ne!(column(&w, "contacts", "text_sealed").await, sealed_after);
    let (status, list) = contacts(&w, &source).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_contact_text(&list["items"][0]);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_contact_an_older_version_wrote_is_sealed_when_the_station_opens(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    // A planned contact as a version before migration 0016 wrote it: the text in the
    // document, no envelope.
    let id = "0195f000-0000-7000-8000-000000000020";
    let planned = w.now() + Duration::days(1);
    let doc = json!({
        "id": id, "source": source, "mode": "meeting", "status": "planned", "purpose": "use",
        "planned_for": planned, "occurred_at": null, "officers_present": [],
        "appropriate_adult": null, "location_alias": ALIAS, "fallback_arrangements": FALLBACK,
        "next_contact_due": null,
    });
    let store = w.t.station.store();
    store
        .execute_unchecked(&format!(
            "INSERT INTO contacts (id, source_id, status, at_ms, next_contact_due, recorded_by, recorded_at, doc, notes) \
             SELECT '{id}', '{source}', 'planned', {at}, NULL, u.id, {at}, '{doc}', NULL FROM users u WHERE u.username = 'hana'",
            at = planned.timestamp_millis(),
        ))
        .await
        .expect("an old contact row");
    assert!(table_holds(&w, "contacts", ALIAS).await);
    // Until it is sealed it reads as written.
    let (_, list) = contacts(&w, &source).await;
    assert_older_contact_text(&list["items"][0]);

    // The scan below finds the text in the file when it is there.
    if let Some(file) = w.t.sqlite_file() {
        store
            .execute_unchecked("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .expect("checkpoint");
        let bytes = std::fs::read(&file).expect("the database file");
        assert!(bytes.windows(ALIAS.len()).any(|w| w == ALIAS.as_bytes()));
    }
    // The new version opens the station: the row is split and sealed, in one audited job.
    let last_seq = store.audit_last_seq().await.expect("head");
    let upgraded = w.t.another_server(FixedClock::new(w.now()), 11).await;
    assert!(!table_holds(&w, "contacts", ALIAS).await);
    assert!(!table_holds(&w, "contacts", FALLBACK).await);
    // Nor in the database file's free space (SQLite's secure delete), once the log is folded in.
    if let Some(file) = w.t.sqlite_file() {
        store
            .execute_unchecked("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .expect("checkpoint");
        let bytes = std::fs::read(&file).expect("the database file");
        for text in [ALIAS, FALLBACK] {
            assert!(
                !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
                "{text:?} is still in the file"
            );
        }
    }
    let events = store.audit_events(last_seq, 100).await.expect("events");
    let sealing: Vec<_> = events
        .iter()
        .filter(|e| e.event.action == "register.text.seal")
        .collect();
    assert_eq!(sealing.len(), 1, "{events:?}");
    assert_eq!(sealing[0].event.object_id, "1");
    let (status, list) = contacts(&w, &source).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_older_contact_text(&list["items"][0]);
    assert_eq!(list["items"][0]["status"], "planned", "{list}");
    // Opening again seals nothing.
    drop(upgraded);
    let again = w.t.another_server(FixedClock::new(w.now()), 12).await;
    assert_eq!(again.seal_plaintext_texts().await.expect("idempotent"), 0);

    // The upgraded row takes its outcome like any other, keeps its text, and the scheduler
    // reads it: overdue once the next contact is late.
    let next_due = w.now() + Duration::days(3);
    let held = hold(&w, id, next_due).await;
    assert_older_contact_text(&held);
    assert!(!table_holds(&w, "contacts", ALIAS).await);
    assert_older_contact_text(&record(&w, &source).await["contacts"][0]);
    let after = alerts_at(&w, &w.handler, next_due + Duration::milliseconds(1)).await;
    assert!(
        after
            .iter()
            .any(|(k, s)| k == "contact_overdue" && *s == source),
        "{after:?}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_moved_contact_envelope_is_refused_and_never_shown(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let first = plan_contact(&w, &source).await;
    let handler = w.token(&w.handler).await;
    let (status, second) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/contacts"),
            json!({"mode": "call", "status": "held", "purpose": "welfare", "officers_present": ["hana"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second = second["id"].as_str().expect("id");
    // Someone with the database moves the first contact's text onto the second.
    w.t.station
        .store()
        .execute_unchecked(&format!(
            "UPDATE contacts SET text_sealed = (SELECT text_sealed FROM contacts WHERE id = '{first}') WHERE id = '{second}'"
        ))
        .await
        .expect("tamper");
    let (status, body) = contacts(&w, &source).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("RECORD_TAMPERED")),
        "{body}"
    );
    assert!(!body.to_string().contains(ALIAS), "{body}");
    let (status, body) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/contacts/{second}/outcome"),
            json!({"status": "held", "officers_present": ["hana"]}),
        )
        .await;
    assert_eq!(body["code"], "RECORD_TAMPERED", "{status} {body}");
}

const PURPOSE: &str = "Rent for the flat on Mercer Street while the source relocates.";

/// The source's payments as the handler reads them.
async fn payments(w: &World, source: &str) -> (StatusCode, Value) {
    let handler = w.token(&w.handler).await;
    w.t.get(
        Some(&handler),
        &format!("/api/v1/sources/{source}/payments"),
    )
    .await
}

/// Records a payment over the single-payment threshold (so awaiting approval); returns its id.
async fn record_payment(w: &World, source: &str, purpose: &str) -> String {
    let handler = w.token(&w.handler).await;
    let (status, payment) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/payments"),
            json!({"kind": "payment", "amount_minor": 80_000, "purpose": purpose}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    assert_eq!(payment["purpose"], purpose, "{payment}");
    assert_eq!(payment["needs_approval"], true, "{payment}");
    payment["id"].as_str().expect("id").to_owned()
}

/// Whether the controller sees the payment awaiting approval now.
async fn awaiting_approval(w: &World, payment: &str) -> bool {
    let controller = w.token(&w.controller).await;
    let (status, alerts) = w.t.get(Some(&controller), "/api/v1/alerts?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{alerts}");
    alerts["items"].as_array().is_some_and(|a| {
        a.iter()
            .any(|x| x["kind"] == "payment_awaiting_approval" && x["subject_id"] == payment)
    })
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_payments_purpose_is_sealed_at_rest(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let id = record_payment(&w, &source, PURPOSE).await;
    assert!(!table_holds(&w, "payments", PURPOSE).await);
    let docs = column(&w, "payments", "doc").await;
    let doc: Value = serde_json::from_slice(&docs[0]).expect("the document is JSON");
    assert_eq!(
        (&doc["amount_minor"], &doc["purpose"]),
        (&json!(80_000), &json!(""))
    );
    // The scheduler reads the blanked document: the controller is asked to approve.
    assert!(awaiting_approval(&w, &id).await);

    // The list, the source page and the statutory record show the purpose.
    let (status, list) = payments(&w, &source).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["purpose"], PURPOSE, "{list}");
    let browser = Browser::sign_in(&w.t, &w.handler).await;
    let page = browser.get(&format!("/sources/{source}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(PURPOSE), "{}", page.body);
    assert_eq!(record(&w, &source).await["payments"][0]["purpose"], PURPOSE);

    // Approval and payment keep it (re-sealed with each change) and the alert goes.
    let sealed_before = column(&w, "payments", "text_sealed").await;
    let controller = w.token(&w.controller).await;
    let (status, approved) =
        w.t.post_json(
            Some(&controller),
            &format!("/api/v1/payments/{id}/approval"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["purpose"], PURPOSE, "{approved}");
    assert_ne!(column(&w, "payments", "text_sealed").await, sealed_before);
    assert!(!awaiting_approval(&w, &id).await);
    let handler = w.token(&w.handler).await;
    let (status, paid) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/payments/{id}/paid"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(paid["purpose"], PURPOSE, "{paid}");
    assert!(!table_holds(&w, "payments", PURPOSE).await);

    // Key rotation re-wraps it; it still reads.
    let sealed = column(&w, "payments", "text_sealed").await;
    w.t.station
        .rotate_keys(&Principal::system(), &|_, _| {})
        .await
        .expect("rotate");
    assert_ne!(column(&w, "payments", "text_sealed").await, sealed);
    let (_, list) = payments(&w, &source).await;
    assert_eq!(list["items"][0]["purpose"], PURPOSE, "{list}");
    assert_eq!(list["yearly_totals"][0]["paid_minor"], 80_000, "{list}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_payment_an_older_version_wrote_is_sealed_when_the_station_opens(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    // A payment awaiting approval as a version before 0016 wrote it.
    let id = "0195f000-0000-7000-8000-000000000030";
    let store = w.t.station.store();
    let at = w.now() - Duration::hours(1);
    let hana = store
        .user_by_name("hana")
        .await
        .expect("read")
        .expect("hana")
        .id;
    let doc = json!({
        "id": id, "source": source, "kind": "payment", "amount_minor": 80_000,
        "purpose": PURPOSE, "recorded_by": hana, "recorded_at": at, "approval": null,
        "witnessed_by": null, "paid_at": null,
    });
    store
        .execute_unchecked(&format!(
            "INSERT INTO payments (id, source_id, kind, amount_minor, recorded_at, approved_at, paid_at, doc) \
             VALUES ('{id}', '{source}', 'payment', 80000, {ms}, NULL, NULL, '{doc}')",
            ms = at.timestamp_millis(),
        ))
        .await
        .expect("an old payment row");
    assert!(table_holds(&w, "payments", PURPOSE).await);
    let (_, list) = payments(&w, &source).await;
    assert_eq!(list["items"][0]["purpose"], PURPOSE, "{list}");

    let _upgraded = w.t.another_server(FixedClock::new(w.now()), 13).await;
    assert!(!table_holds(&w, "payments", PURPOSE).await);
    let (status, list) = payments(&w, &source).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["purpose"], PURPOSE, "{list}");
    assert_eq!(list["items"][0]["amount_minor"], 80_000, "{list}");
    // A later write on the source reschedules it from the sealed row: the old payment is
    // seen awaiting approval (the new one is a small offer, which needs none).
    let handler = w.token(&w.handler).await;
    let (status, offer) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/payments"),
            json!({"kind": "offer", "amount_minor": 1_000, "purpose": "A meal"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    assert!(awaiting_approval(&w, id).await);
    assert_eq!(record(&w, &source).await["payments"][0]["purpose"], PURPOSE);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_moved_payment_envelope_is_refused_and_never_shown(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let first = record_payment(&w, &source, PURPOSE).await;
    let second = record_payment(&w, &source, "Travel").await;
    w.t.station
        .store()
        .execute_unchecked(&format!(
            "UPDATE payments SET text_sealed = (SELECT text_sealed FROM payments WHERE id = '{first}') WHERE id = '{second}'"
        ))
        .await
        .expect("tamper");
    let (status, body) = payments(&w, &source).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("RECORD_TAMPERED")),
        "{body}"
    );
    assert!(!body.to_string().contains(PURPOSE), "{body}");
    let controller = w.token(&w.controller).await;
    let (_, body) =
        w.t.post_json(
            Some(&controller),
            &format!("/api/v1/payments/{second}/approval"),
            json!({}),
        )
        .await;
    assert_eq!(body["code"], "RECORD_TAMPERED", "{body}");
}

const NECESSITY: &str = "Only an insider can say when the Harbour Road consignments move.";
const PROPORTIONALITY: &str = "Limited to the consignments; no other means reaches them.";
const COLLATERAL: &str = "The source's brother-in-law drives for the firm; nothing on him kept.";
const TASK: &str = "Report the dates of the Harbour Road consignments";
const USE_MADE: &str = "Fortnightly meetings at the depot cafe.";
const OBTAINED: &str = "Consignment dates for May and June.";
const REASONS: &str = "The consignments stopped; the source is no longer needed.";
const WELFARE: &str = "Welfare call monthly for six months by the handler.";

/// The texts an authorisation's answer and the raw table are checked for.
const AUTH_TEXTS: [&str; 8] = [
    NECESSITY,
    PROPORTIONALITY,
    COLLATERAL,
    TASK,
    USE_MADE,
    OBTAINED,
    REASONS,
    WELFARE,
];

/// A source recruited under a standard authorisation with the texts above; returns (source,
/// authorisation id, its expiry).
async fn recruited_with_texts(w: &World) -> (String, String, DateTime<Utc>) {
    let source = w.source(&born_years_ago(40, 0)).await;
    w.risk(&source).await;
    w.walk(&source, &["assessed", "in_development"]).await;
    let (status, auth) = w
        .grant(
            &source,
            json!({
                "kind": "standard",
                "ground": "preventing_or_detecting_crime_or_disorder",
                "necessity": NECESSITY,
                "proportionality": PROPORTIONALITY,
                "collateral_intrusion": COLLATERAL,
                "tasks": [TASK],
                "review_interval_days": 28,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{auth}");
    assert_eq!(auth["necessity"], NECESSITY, "{auth}");
    w.walk(&source, &["recruited"]).await;
    let expires = crate::handling::t(auth["expires_at"].as_str().expect("expiry"));
    (source, auth["id"].as_str().expect("id").to_owned(), expires)
}

/// The authorisation as the authorising officer reads it.
async fn authorisation(w: &World, id: &str) -> (StatusCode, Value) {
    let ao = w.token(&w.ao).await;
    w.t.get(Some(&ao), &format!("/api/v1/authorisations/{id}"))
        .await
}

fn assert_grant_text(a: &Value) {
    assert_eq!(a["necessity"], NECESSITY, "{a}");
    assert_eq!(a["proportionality"], PROPORTIONALITY, "{a}");
    assert_eq!(a["collateral_intrusion"], COLLATERAL, "{a}");
    assert_eq!(a["tasks"], json!([TASK]), "{a}");
}

/// Reviews the authorisation (as the authorising officer) with the texts above.
async fn review(w: &World, id: &str) -> Value {
    let ao = w.token(&w.ao).await;
    let (status, reviewed) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{id}/reviews"),
            json!({"use_made": USE_MADE, "tasks_given": TASK, "information_obtained": OBTAINED,
                   "necessity_still_met": true, "proportionality_still_met": true,
                   "arrangements_still_met": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    reviewed
}

/// No value of the authorisations table holds any of the texts.
async fn assert_no_auth_text_at_rest(w: &World) {
    for text in AUTH_TEXTS {
        assert!(
            !table_holds(w, "authorisations", text).await,
            "authorisations holds {text:?}"
        );
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_authorisations_justification_and_history_are_sealed_at_rest(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, id, expires) = recruited_with_texts(&w).await;
    assert_no_auth_text_at_rest(&w).await;
    let docs = column(&w, "authorisations", "doc").await;
    let doc: Value = serde_json::from_slice(&docs[0]).expect("the document is JSON");
    assert_eq!(
        (&doc["kind"], &doc["necessity"], &doc["tasks_in_scope"]),
        (&json!("standard"), &json!(""), &json!([])),
        "{doc}"
    );
    let (status, read) = authorisation(&w, &id).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_grant_text(&read);

    // The scheduler reads the blanked document: the expiry warning comes 28 days before, to
    // the millisecond.
    let warn = expires - Duration::days(28);
    let before = alerts_at(&w, &w.ao, warn - Duration::milliseconds(1)).await;
    assert!(
        !before
            .iter()
            .any(|(k, s)| k == "authorisation_expiring" && *s == id),
        "{before:?}"
    );
    let at = alerts_at(&w, &w.ao, warn).await;
    assert!(
        at.iter()
            .any(|(k, s)| k == "authorisation_expiring" && *s == id),
        "{at:?}"
    );

    // A review, a renewal and a cancellation: each keeps the text and adds its own.
    let reviewed = review(&w, &id).await;
    assert_grant_text(&reviewed);
    assert_eq!(reviewed["reviews"][0]["use_made"], USE_MADE, "{reviewed}");
    w.risk(&source).await;
    let ao = w.token(&w.ao).await;
    let (status, renewed) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{id}/renewals"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    let (status, cancelled) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{id}/cancellation"),
            json!({"reasons": REASONS, "welfare_plan": WELFARE}),
        )
        .await;
    assert!(status.is_success(), "{status} {cancelled}");
    assert_no_auth_text_at_rest(&w).await;
    let check = |a: &Value| {
        assert_grant_text(a);
        assert_eq!(a["reviews"][0]["use_made"], USE_MADE, "{a}");
        assert_eq!(a["reviews"][0]["tasks_given"], TASK, "{a}");
        assert_eq!(a["reviews"][0]["information_obtained"], OBTAINED, "{a}");
        assert_eq!(a["renewals"].as_array().map(Vec::len), Some(1), "{a}");
        assert_eq!(a["cancellation"]["reasons"], REASONS, "{a}");
        assert_eq!(a["cancellation"]["welfare_plan"], WELFARE, "{a}");
    };
    let (_, read) = authorisation(&w, &id).await;
    check(&read);
    // The source's list, its statutory record and the inspection pack read them too.
    let (status, list) =
        w.t.get(
            Some(&ao),
            &format!("/api/v1/sources/{source}/authorisations"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    check(&list[0]);
    check(&record(&w, &source).await["authorisations"][0]);
    let auditor = w.token(&w.auditor).await;
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2027-06-30",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    assert!(pack.to_string().contains(REASONS), "{pack}");

    // Key rotation re-wraps it; it still reads.
    let sealed = column(&w, "authorisations", "text_sealed").await;
    w.t.station
        .rotate_keys(&Principal::system(), &|_, _| {})
        .await
        .expect("rotate");
    assert_ne!(column(&w, "authorisations", "text_sealed").await, sealed);
    let (status, read) = authorisation(&w, &id).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    check(&read);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_authorisation_an_older_version_wrote_is_sealed_when_the_station_opens(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_source, id, expires) = recruited_with_texts(&w).await;
    // Turn the row back into what a version before 0016 wrote: the text in the document, no
    // envelope.
    let docs = column(&w, "authorisations", "doc").await;
    let mut doc: Value = serde_json::from_slice(&docs[0]).expect("JSON");
    doc["necessity"] = json!(NECESSITY);
    doc["proportionality"] = json!(PROPORTIONALITY);
    doc["collateral_intrusion"] = json!(COLLATERAL);
    doc["tasks_in_scope"] = json!([TASK]);
    let store = w.t.station.store();
    store
        .execute_unchecked(&format!(
            "UPDATE authorisations SET doc = '{doc}', text_sealed = NULL WHERE id = '{id}'",
            doc = doc.to_string().replace('\'', "''"),
        ))
        .await
        .expect("an old authorisation row");
    assert!(table_holds(&w, "authorisations", NECESSITY).await);
    let (status, read) = authorisation(&w, &id).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_grant_text(&read);

    let last_seq = store.audit_last_seq().await.expect("head");
    let _upgraded = w.t.another_server(FixedClock::new(w.now()), 14).await;
    assert_no_auth_text_at_rest(&w).await;
    let events = store.audit_events(last_seq, 100).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.event.action == "register.text.seal" && e.event.object_id == "1"),
        "{events:?}"
    );
    let (status, read) = authorisation(&w, &id).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_grant_text(&read);

    // A review on the upgraded row keeps the grant's text; the scheduler, run by that write,
    // still warns of the expiry at its instant.
    let warn = expires - Duration::days(28);
    let _ = w.token_at(&w.ao, warn - Duration::days(1)).await;
    let reviewed = review(&w, &id).await;
    assert_grant_text(&reviewed);
    assert_no_auth_text_at_rest(&w).await;
    let at = alerts_at(&w, &w.ao, warn).await;
    assert!(
        at.iter()
            .any(|(k, s)| k == "authorisation_expiring" && *s == id),
        "{at:?}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_moved_authorisation_envelope_is_refused_and_never_shown(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_, first, _) = recruited_with_texts(&w).await;
    let (_, second) = w.recruited(&born_years_ago(30, 0)).await;
    let second = second["id"].as_str().expect("id").to_owned();
    w.t.station
        .store()
        .execute_unchecked(&format!(
            "UPDATE authorisations SET text_sealed = (SELECT text_sealed FROM authorisations WHERE id = '{first}') WHERE id = '{second}'"
        ))
        .await
        .expect("tamper");
    let (status, body) = authorisation(&w, &second).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("RECORD_TAMPERED")),
        "{body}"
    );
    assert!(!body.to_string().contains(NECESSITY), "{body}");
    // The untouched one still reads.
    let (status, read) = authorisation(&w, &first).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_grant_text(&read);
}

/// What the restored station shows the handler of the three records, and whether any of their
/// tables holds any of the texts.
async fn check_restored(
    w: &World,
    restored: &humint_station::Station,
    (source, auth): (&str, &str),
) {
    let hana =
        w.t.station
            .store()
            .user_by_name("hana")
            .await
            .expect("read")
            .expect("hana");
    let p = Principal {
        user_id: hana.id,
        username: "hana".to_owned(),
        role: humint_core::Role::Handler,
        compartments: [crate::handling::COMPARTMENT.to_owned()].into(),
        session_expires_at_ms: i64::MAX,
    };
    let contacts = restored
        .contacts(
            &p,
            source,
            humint_store::Page {
                after: None,
                limit: 10,
            },
        )
        .await
        .expect("contacts");
    assert_eq!(contacts[0].location_alias.as_deref(), Some(ALIAS));
    assert_eq!(contacts[0].fallback_arrangements.as_deref(), Some(FALLBACK));
    let (payments, _) = restored.payments(&p, source).await.expect("payments");
    assert_eq!(payments[0].payment.purpose, PURPOSE);
    let a = restored
        .authorisation(&p, auth)
        .await
        .expect("authorisation");
    assert_eq!(
        (a.necessity.as_str(), a.tasks_in_scope.clone()),
        (NECESSITY, vec![TASK.to_owned()])
    );
    for (table, text) in [
        ("contacts", ALIAS),
        ("contacts", FALLBACK),
        ("payments", PURPOSE),
        ("authorisations", NECESSITY),
        ("authorisations", COLLATERAL),
    ] {
        let values = restored
            .store()
            .table_values_unchecked(table)
            .await
            .expect("read");
        assert!(
            !values
                .iter()
                .any(|v| v.windows(text.len()).any(|w| w == text.as_bytes())),
            "{table} holds {text:?} after the restore"
        );
    }
    assert!(
        restored
            .verify_audit(&|_, _| {})
            .await
            .expect("read")
            .is_ok()
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_backup_restores_the_sealed_text_and_an_older_one_is_sealed_by_the_restore(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, auth, _) = recruited_with_texts(&w).await;
    plan_contact(&w, &source).await;
    record_payment(&w, &source, PURPOSE).await;
    let file = w.t.dir.path().join("sealed.backup");
    w.t.station
        .backup_to(&Principal::system(), &file)
        .await
        .expect("backup");
    let text = std::fs::read_to_string(&file).expect("read");
    assert!(!text.contains(ALIAS) && !text.contains(PURPOSE) && !text.contains(NECESSITY));
    let (restored, _db) = w.t.restore_elsewhere(backend, &file, "sealed").await;
    check_restored(&w, &restored, (&source, &auth)).await;

    // The same backup as a version before 0016 wrote it: no `text_sealed` columns, the text
    // in each document.
    let mut old = String::new();
    let (mut table, mut doc_at, mut keep) = (String::new(), None, None);
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).expect("json");
        match v["kind"].as_str().unwrap_or_default() {
            "table" => {
                table = v["name"].as_str().unwrap_or_default().to_owned();
                let columns = v["columns"].as_array_mut().expect("columns");
                doc_at = columns.iter().position(|c| c == "doc");
                keep = (columns.last().is_some_and(|c| c == "text_sealed")).then(|| {
                    columns.pop();
                    columns.len()
                });
            }
            "row" if keep.is_some() => {
                let values = v["values"].as_array_mut().expect("values");
                values.truncate(keep.unwrap_or_default());
                let at = doc_at.expect("a doc column");
                let mut doc: Value =
                    serde_json::from_str(values[at].as_str().expect("doc")).expect("doc json");
                match table.as_str() {
                    "contacts" => {
                        doc["location_alias"] = json!(ALIAS);
                        doc["fallback_arrangements"] = json!(FALLBACK);
                    }
                    "payments" => doc["purpose"] = json!(PURPOSE),
                    _ => {
                        doc["necessity"] = json!(NECESSITY);
                        doc["collateral_intrusion"] = json!(COLLATERAL);
                        doc["tasks_in_scope"] = json!([TASK]);
                    }
                }
                values[at] = json!(doc.to_string());
            }
            _ => {}
        }
        old.push_str(&v.to_string());
        old.push('\n');
    }
    assert!(old.contains(ALIAS) && !old.contains("text_sealed"));
    let old_file = w.t.dir.path().join("old.backup");
    std::fs::write(&old_file, old).expect("write");
    let (restored, _db) = w.t.restore_elsewhere(backend, &old_file, "old").await;
    check_restored(&w, &restored, (&source, &auth)).await;
}
