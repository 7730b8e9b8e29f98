//! The register's free text is sealed at rest (migration 0012), over real HTTP on both
//! backends: an error's description and reference, a requirement's review note and closure
//! reason, and a break-glass reason round-trip through the API and the pages, while a copy of
//! the tables holds none of them; key rotation re-wraps them; a station upgraded with plaintext
//! rows seals them when it opens; a moved envelope is refused, not shown.

use crate::handling::{COMPARTMENT, World, born_years_ago, table_holds};
use crate::ui::Browser;
use humint_core::FixedClock;
use humint_station::Principal;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const DESCRIPTION: &str = "The handler of CHIS LANTERN disclosed the meeting place to a colleague.";
const REFERENCE: &str = "IPC/2026/0317-LANTERN";
const NOTE: &str = "Review: the gap around the docks is still open; keep the tasking.";
const REASON: &str = "Court order in R v Example requires confirming the identity today.";

/// Every value of the three tables' rows.
async fn envelopes(w: &World) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    for table in [
        "relevant_errors",
        "requirement_events",
        "break_glass_events",
    ] {
        all.extend(
            w.t.station
                .store()
                .table_values_unchecked(table)
                .await
                .expect("read"),
        );
    }
    all
}

/// Everything the API and the pages show of the four texts, as the keepers read them.
async fn shown(w: &World, requirement: &str) -> (Value, Value, Value, String, String) {
    let controller = w.token(&w.controller).await;
    let (status, errors) = w.t.get(Some(&controller), "/api/v1/errors").await;
    assert_eq!(status, StatusCode::OK, "{errors}");
    let (status, history) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/requirements/{requirement}/history"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let (status, glass) = w.t.get(Some(&controller), "/api/v1/break-glass").await;
    assert_eq!(status, StatusCode::OK, "{glass}");
    let browser = Browser::sign_in(&w.t, &w.controller).await;
    let errors_page = browser.get("/errors?show=all").await;
    assert_eq!(errors_page.status, StatusCode::OK, "{}", errors_page.body);
    let requirement_page = browser.get(&format!("/requirements/{requirement}")).await;
    assert_eq!(
        requirement_page.status,
        StatusCode::OK,
        "{}",
        requirement_page.body
    );
    (
        errors,
        history,
        glass,
        errors_page.body,
        requirement_page.body,
    )
}

/// The note of the requirement's event of this kind.
fn note_of<'a>(history: &'a Value, kind: &str) -> &'a Value {
    history["history"]
        .as_array()
        .expect("history")
        .iter()
        .find(|e| e["kind"] == kind)
        .map(|e| &e["note"])
        .expect("an event of that kind")
}

fn assert_all_shown(shown: &(Value, Value, Value, String, String)) {
    let (errors, history, glass, errors_page, requirement_page) = shown;
    assert_eq!(errors["items"][0]["description"], DESCRIPTION, "{errors}");
    assert_eq!(errors["items"][0]["reference"], REFERENCE, "{errors}");
    assert_eq!(note_of(history, "review"), NOTE, "{history}");
    assert_eq!(note_of(history, "close"), REASON, "{history}");
    assert_eq!(glass["items"][0]["reason"], REASON, "{glass}");
    assert!(errors_page.contains(DESCRIPTION), "{errors_page}");
    assert!(errors_page.contains(REFERENCE), "{errors_page}");
    assert!(requirement_page.contains(NOTE), "{requirement_page}");
    assert!(requirement_page.contains(REASON), "{requirement_page}");
}

/// No table that held these texts holds any of them.
async fn assert_nothing_in_plaintext(w: &World) {
    for (table, text) in [
        ("relevant_errors", DESCRIPTION),
        ("relevant_errors", REFERENCE),
        ("requirement_events", NOTE),
        ("requirement_events", REASON),
        ("break_glass_events", REASON),
        ("audit_events", DESCRIPTION),
        ("audit_events", REASON),
    ] {
        assert!(
            !table_holds(w, table, text).await,
            "{table} holds \"{text}\" in plaintext"
        );
    }
}

/// Records, establishes and reports an error, reviews and closes a requirement, and breaks
/// glass on a source, all through the API. Returns (requirement, source).
async fn write_the_texts(w: &World) -> (String, String) {
    let source = w.source(&born_years_ago(40, 0)).await;
    let requirement = w.requirement().await;
    let controller = w.token(&w.controller).await;
    let (status, error) =
        w.t.post_json(
            Some(&controller),
            "/api/v1/errors",
            json!({
                "compartment": COMPARTMENT,
                "source_id": source,
                "description": DESCRIPTION,
                "identified_at": "2026-03-02T08:00:00Z",
                "established_at": "2026-03-02T08:30:00Z",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{error}");
    assert_eq!(
        error["description"], DESCRIPTION,
        "the answer shows what was written"
    );
    let id = error["id"].as_str().expect("id");
    let (status, reported) =
        w.t.post_json(
            Some(&controller),
            &format!("/api/v1/errors/{id}/report"),
            json!({"reported_at": "2026-03-02T08:45:00Z", "reference": REFERENCE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reported}");
    assert_eq!(reported["reference"], REFERENCE, "{reported}");
    assert_eq!(reported["description"], DESCRIPTION, "{reported}");

    let (status, reviewed) =
        w.t.post_json(
            Some(&controller),
            &format!("/api/v1/requirements/{requirement}/reviews"),
            json!({"review_by": "2026-06-30", "note": NOTE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["history"][0]["note"], NOTE, "{reviewed}");
    let (status, closed) =
        w.t.post_json(
            Some(&controller),
            &format!("/api/v1/requirements/{requirement}/closure"),
            json!({"reason": REASON}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");

    let auditor = w.token(&w.auditor).await;
    let (status, glass) =
        w.t.post_json(
            Some(&auditor),
            &format!("/api/v1/sources/{source}/identity/break-glass"),
            json!({"reason": REASON}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{glass}");
    assert_eq!(glass["event"]["reason"], REASON, "{glass}");
    (requirement, source)
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn register_text_is_shown_to_its_readers_and_sealed_at_rest(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (requirement, _) = write_the_texts(&w).await;
    let before = shown(&w, &requirement).await;
    assert_all_shown(&before);
    assert_nothing_in_plaintext(&w).await;
    // The inspection pack (JSON and HTML) still gives the error's description and reference.
    let auditor = w.token(&w.auditor).await;
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    let text = pack.to_string();
    assert!(text.contains(DESCRIPTION), "{pack}");
    assert!(text.contains(REFERENCE), "{pack}");
    let browser = Browser::sign_in(&w.t, &w.auditor).await;
    let html = browser
        .get("/inspection/pack?from=2026-03-01&to=2026-03-31")
        .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains(DESCRIPTION), "{}", html.body);

    // Key rotation re-wraps the envelopes (they change) and every text still reads.
    let sealed_before = envelopes(&w).await;
    let rotation =
        w.t.station
            .rotate_keys(&Principal::system(), &|_, _| {})
            .await
            .expect("rotate");
    assert_eq!(rotation.new_version, 2);
    let sealed_after = envelopes(&w).await;
    let rewrapped = sealed_after
        .iter()
        .filter(|v| !sealed_before.contains(v))
        .count();
    assert_eq!(
        rewrapped, 5,
        "the description, the reference, two notes and one reason are re-wrapped"
    );
    let after = shown(&w, &requirement).await;
    assert_all_shown(&after);
    assert_nothing_in_plaintext(&w).await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_upgraded_station_seals_its_plaintext_register_text_when_it_opens(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source(&born_years_ago(40, 0)).await;
    let requirement = w.requirement().await;
    // Rows as a version before migration 0012 wrote them: plaintext, no envelope.
    let store = w.t.station.store();
    let error_id = "0195f000-0000-7000-8000-000000000001";
    store
        .execute_unchecked(&format!(
            "INSERT INTO relevant_errors (id, compartment_id, source_id, authorisation_id, description, identified_at, established_at, established_by, report_due_at, reported_at, reported_by, reference, recorded_by, recorded_at) \
             SELECT '{error_id}', c.id, '{source}', NULL, '{DESCRIPTION}', 1772438400000, 1772440200000, u.id, 1773705600000, 1772441100000, u.id, '{REFERENCE}', u.id, 1772438400000 \
             FROM compartments c, users u WHERE c.name = '{COMPARTMENT}' AND u.username = 'carl'"
        ))
        .await
        .expect("an old error row");
    for (id, kind, review_by, note, at) in [
        (
            "0195f000-0000-7000-8000-000000000002",
            "review",
            "'2026-06-30'",
            NOTE,
            1772440000000i64,
        ),
        (
            "0195f000-0000-7000-8000-000000000003",
            "close",
            "NULL",
            REASON,
            1772440100000,
        ),
    ] {
        store
            .execute_unchecked(&format!(
                "INSERT INTO requirement_events (id, requirement_id, kind, at_ms, actor, review_by, note) \
                 SELECT '{id}', '{requirement}', '{kind}', {at}, u.id, {review_by}, '{note}' FROM users u WHERE u.username = 'carl'"
            ))
            .await
            .expect("an old requirement event");
    }
    store
        .execute_unchecked(&format!(
            "INSERT INTO break_glass_events (id, compartment_id, source_id, actor, reason, at_ms) \
             SELECT '0195f000-0000-7000-8000-000000000004', c.id, '{source}', u.id, '{REASON}', 1772440300000 \
             FROM compartments c, users u WHERE c.name = '{COMPARTMENT}' AND u.username = 'aud'"
        ))
        .await
        .expect("an old break-glass row");
    assert!(table_holds(&w, "relevant_errors", DESCRIPTION).await);
    // The scan below finds plaintext in the file when it is there.
    if let Some(file) = w.t.sqlite_file() {
        store
            .execute_unchecked("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .expect("checkpoint");
        let bytes = std::fs::read(&file).expect("the database file");
        assert!(
            bytes
                .windows(DESCRIPTION.len())
                .any(|w| w == DESCRIPTION.as_bytes())
        );
    }
    let last_seq = store.audit_last_seq().await.expect("head");

    // The new version opens the station (a second server on the same database and keys).
    let upgraded = w.t.another_server(FixedClock::new(w.now()), 7).await;
    assert_nothing_in_plaintext(&w).await;
    // Nor in the database file: blanked plaintext leaves no copy in the pages' free space
    // (SQLite's secure delete), once the write-ahead log is folded in.
    if let Some(file) = w.t.sqlite_file() {
        store
            .execute_unchecked("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .expect("checkpoint");
        let mut wal = file.clone().into_os_string();
        wal.push("-wal");
        for path in [file, wal.into()] {
            let bytes = std::fs::read(&path).unwrap_or_default();
            for text in [DESCRIPTION, REFERENCE, NOTE, REASON] {
                assert!(
                    !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
                    "{text:?} is still in {}",
                    path.display()
                );
            }
        }
    }
    let events = store.audit_events(last_seq, 100).await.expect("events");
    let sealing: Vec<_> = events
        .iter()
        .filter(|e| e.event.action == "register.text.seal")
        .collect();
    assert_eq!(sealing.len(), 1, "one event for the whole job: {events:?}");
    assert_eq!(
        sealing[0].event.object_id, "5",
        "description, reference, two notes, one reason"
    );
    // What the officers see is what was written.
    assert_all_shown(&shown(&w, &requirement).await);

    // Opening again finds nothing left to seal and records nothing.
    let head = store.audit_last_seq().await.expect("head");
    drop(upgraded);
    let again = w.t.another_server(FixedClock::new(w.now()), 8).await;
    assert_eq!(again.seal_plaintext_texts().await.expect("idempotent"), 0);
    let events = store.audit_events(head, 100).await.expect("events");
    assert!(
        events
            .iter()
            .all(|e| e.event.action != "register.text.seal"),
        "{events:?}"
    );
    assert_all_shown(&shown(&w, &requirement).await);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_moved_envelope_is_refused_with_the_stations_error_and_never_shown(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (requirement, _) = write_the_texts(&w).await;
    let token = w.token(&w.controller).await;
    let (status, second) =
        w.t.post_json(
            Some(&token),
            "/api/v1/errors",
            json!({
                "compartment": COMPARTMENT,
                "description": "A second, unrelated error.",
                "identified_at": "2026-03-02T08:00:00Z",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second = second["id"].as_str().expect("id");
    // Someone with the database moves the first error's description onto the second row.
    let store = w.t.station.store();
    store
        .execute_unchecked(&format!(
            "UPDATE relevant_errors SET description_sealed = (SELECT description_sealed FROM relevant_errors WHERE id <> '{second}') WHERE id = '{second}'"
        ))
        .await
        .expect("tamper");
    // The station refuses to open it: the crypto layer's error, no panic, no text.
    let controller = w.token(&w.controller).await;
    let (status, body) = w.t.get(Some(&controller), "/api/v1/errors").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("RECORD_TAMPERED")),
        "{body}"
    );
    assert!(!body.to_string().contains(DESCRIPTION), "{body}");
    let browser = Browser::sign_in(&w.t, &w.controller).await;
    let page = browser.get("/errors?show=all").await;
    assert!(!page.body.contains(DESCRIPTION), "{}", page.body);
    assert!(page.body.contains("RECORD_TAMPERED"), "{}", page.body);
    assert!(
        page.body.contains("failed its integrity check"),
        "{}",
        page.body
    );
    // The other records are untouched and still read.
    let (status, history) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/requirements/{requirement}/history"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(note_of(&history, "review"), NOTE);
    // A break-glass reason moved between rows is refused the same way.
    store
        .execute_unchecked(
            "UPDATE requirement_events SET note_sealed = (SELECT reason_sealed FROM break_glass_events)",
        )
        .await
        .expect("tamper");
    let (status, body) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/requirements/{requirement}/history"),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("RECORD_TAMPERED")),
        "{body}"
    );
    assert!(!body.to_string().contains(REASON), "{body}");
}

/// Reads the circumstances of the source's recruitment from its statutory record.
async fn recruitment_circumstances(w: &World, source: &str) -> String {
    let controller = w.token(&w.controller).await;
    let (status, record) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/sources/{source}/record"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    record["recruitment"]["circumstances"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn lifecycle_reasons_are_sealed_at_rest_and_old_ones_when_the_station_opens(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // A recruitment recorded now: its reason (the circumstances) is in no column in clear,
    // and the statutory record still reads it.
    let (recruited, _) = w.recruited(&born_years_ago(40, 0)).await;
    assert_eq!(
        recruitment_circumstances(&w, &recruited).await,
        "ready for recruited"
    );
    assert!(!table_holds(&w, "source_transitions", "ready for").await);

    // A recruitment an older version wrote: plaintext, no envelope.
    const OLD: &str = "Met through the docks social club; agreed after two meetings.";
    let old = w.source(&born_years_ago(50, 0)).await;
    let store = w.t.station.store();
    store
        .execute_unchecked(&format!(
            "INSERT INTO source_transitions (id, source_id, from_state, to_state, at_ms, actor, doc) \
             SELECT '0195f000-0000-7000-8000-000000000010', '{old}', 'in_development', 'recruited', 1772438400000, u.id, \
             '{{\"from\":\"in_development\",\"to\":\"recruited\",\"reason\":\"{OLD}\"}}' FROM users u WHERE u.username = 'hana'"
        ))
        .await
        .expect("an old transition");
    assert!(table_holds(&w, "source_transitions", OLD).await);
    // Until it is sealed it reads as written; the new version seals it when it opens.
    assert_eq!(recruitment_circumstances(&w, &old).await, OLD);
    let _upgraded = w.t.another_server(FixedClock::new(w.now()), 9).await;
    assert!(!table_holds(&w, "source_transitions", OLD).await);
    assert_eq!(recruitment_circumstances(&w, &old).await, OLD);
    assert_eq!(
        recruitment_circumstances(&w, &recruited).await,
        "ready for recruited"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn tasking_instructions_and_status_notes_are_sealed_at_rest(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let requirement = w.requirement().await;
    let (status, tasking) = w.task(&source, &requirement).await;
    assert_eq!(status, StatusCode::CREATED, "{tasking}");
    let id = tasking["id"].as_str().expect("id").to_owned();
    const NOTE: &str = "Agreed at the meeting behind the fish market.";
    let handler = w.token(&w.handler).await;
    let (status, acked) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/taskings/{id}/status"),
            json!({"to": "acknowledged", "note": NOTE}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    // The instructions and the note are read back, and are in no column in clear.
    let (status, read) =
        w.t.get(Some(&handler), &format!("/api/v1/taskings/{id}"))
            .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let text = read.to_string();
    assert!(text.contains("Note the vehicles used."), "{read}");
    assert!(text.contains(NOTE), "{read}");
    assert!(!table_holds(&w, "taskings", "Note the vehicles used.").await);
    assert!(!table_holds(&w, "taskings", NOTE).await);
    // The source's list of taskings and its statutory record read them too.
    let (_, list) =
        w.t.get(
            Some(&handler),
            &format!("/api/v1/sources/{source}/taskings"),
        )
        .await;
    assert!(list.to_string().contains(NOTE), "{list}");
    let controller = w.token(&w.controller).await;
    let (_, record) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/sources/{source}/record"),
        )
        .await;
    assert!(
        record.to_string().contains("Note the vehicles used."),
        "{record}"
    );
}
