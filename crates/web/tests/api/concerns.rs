//! Concerns raised about a source, over real HTTP on both backends (compliance.md, "Software
//! implications": at most a flag that someone raised concerns about coercion; §1: concerns
//! reach the controller): raised by anyone who reads the source, read back with the review,
//! an alert to the compartment from the instant it is raised to the instant it is reviewed,
//! the account and the note sealed at rest, every refusal with its code and nothing written.

use crate::handling::{COMPARTMENT, OTHER, World, born_years_ago, table_holds};
use crate::harness::assert_refused;
use chrono::{DateTime, Duration, Utc};
use humint_core::Role;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const ACCOUNT: &str = "At the last meeting the source said a detective from another unit threatened to charge her brother unless she reported on the club.";
const NOTE: &str =
    "Spoke to the source and the detective's line manager; passed to professional standards.";
const WELFARE: &str = "The source's reports mention sleeping in a car since the eviction.";

async fn raise(w: &World, token: &str, source: &str, body: Value) -> (StatusCode, Value) {
    w.t.post_json(
        Some(token),
        &format!("/api/v1/sources/{source}/concerns"),
        body,
    )
    .await
}

async fn review(w: &World, token: &str, concern: &str, body: Value) -> (StatusCode, Value) {
    w.t.post_json(
        Some(token),
        &format!("/api/v1/concerns/{concern}/review"),
        body,
    )
    .await
}

/// The concern alerts in force for the token's officer at `at`: (subject id, severity).
async fn concern_alerts(w: &World, token: &str, at: DateTime<Utc>) -> Vec<(String, String)> {
    w.t.clock.set(at);
    let (status, body) = w.t.get(Some(token), "/api/v1/alerts?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|a| a["kind"] == "concern_open")
        .map(|a| {
            assert_eq!(a["subject_type"], "concern", "{a}");
            (
                a["subject_id"].as_str().expect("subject").to_owned(),
                a["severity"].as_str().expect("severity").to_owned(),
            )
        })
        .collect()
}

/// The audit actions about concerns, in order.
async fn concern_events(w: &World) -> Vec<String> {
    w.t.station
        .store()
        .audit_events(0, 100_000)
        .await
        .expect("ledger")
        .iter()
        .map(|e| e.event.action.clone())
        .filter(|a| a.starts_with("concern."))
        .collect()
}

async fn rows(w: &World, table: &str) -> u64 {
    w.t.station
        .store()
        .execute_unchecked(&format!("UPDATE {table} SET raised_at = raised_at"))
        .await
        .expect("count")
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_concern_is_read_back_alerts_until_the_instant_it_is_reviewed_and_is_sealed_at_rest(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source(&born_years_ago(40, 0)).await;
    let handler = w.token(&w.handler).await;
    let controller = w.token(&w.controller).await;
    let analyst = w.token(&w.analyst).await;
    let auditor = w.token(&w.auditor).await;

    let raised_at = w.now() + Duration::minutes(5);
    w.t.clock.set(raised_at);
    let (status, raised) = raise(
        &w,
        &handler,
        &source,
        json!({"category": "coercion", "account": format!("  {ACCOUNT}\n")}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    assert_eq!(raised["category"], "coercion");
    assert_eq!(raised["account"], ACCOUNT);
    assert_eq!(raised["raised_by"], "hana");
    assert_eq!(raised["status"], "open");
    assert!(raised["review"].is_null());
    let id = raised["id"].as_str().expect("id").to_owned();
    assert_eq!(
        DateTime::parse_from_rfc3339(raised["raised_at"].as_str().expect("at")).expect("time"),
        raised_at
    );

    // The controller sees a source-safety alert from the instant it was raised, not before.
    assert!(
        concern_alerts(&w, &controller, raised_at - Duration::milliseconds(1))
            .await
            .is_empty()
    );
    assert_eq!(
        concern_alerts(&w, &controller, raised_at).await,
        vec![(id.clone(), "source_safety".to_owned())]
    );
    // The handler of the source sees it too; the analyst (alerts about no source only) does not.
    assert_eq!(concern_alerts(&w, &handler, raised_at).await.len(), 1);
    assert!(concern_alerts(&w, &analyst, raised_at).await.is_empty());

    // An analyst raises what the reporting says: a welfare concern, a warning.
    let (status, welfare) = raise(
        &w,
        &analyst,
        &source,
        json!({"category": "welfare", "account": WELFARE}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{welfare}");
    let welfare_id = welfare["id"].as_str().expect("id").to_owned();
    let open = concern_alerts(&w, &controller, raised_at).await;
    assert_eq!(open.len(), 2, "{open:?}");
    assert!(open.contains(&(welfare_id.clone(), "warning".to_owned())));

    // The controller reviews the coercion concern: founded, so the risk assessment must be
    // reviewed; the alert ends at the exact instant of the review.
    let reviewed_at = raised_at + Duration::hours(3);
    w.t.clock.set(reviewed_at);
    let (status, done) = review(
        &w,
        &controller,
        &id,
        json!({"finding": "founded", "note": NOTE}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "reviewed");
    assert_eq!(done["review"]["finding"], "founded");
    assert_eq!(done["review"]["note"], NOTE);
    assert_eq!(done["review"]["reviewed_by"], "carl");
    assert_eq!(done["account"], ACCOUNT);
    assert_eq!(done["risk_assessment_review_required"], true);
    assert!(
        done["action"]
            .as_str()
            .is_some_and(|a| a.contains("risk assessment must be reviewed")),
        "{done}"
    );
    let before = concern_alerts(&w, &controller, reviewed_at - Duration::milliseconds(1)).await;
    assert!(
        before.contains(&(id.clone(), "source_safety".to_owned())),
        "{before:?}"
    );
    let after = concern_alerts(&w, &controller, reviewed_at).await;
    assert_eq!(after, vec![(welfare_id.clone(), "warning".to_owned())]);

    // Read back, newest first: the controller and the auditor see both accounts and the note;
    // the handler and the analyst see their own account and the other concern's category,
    // dates and finding only (a concern may be about the handler).
    w.t.clock.set(reviewed_at + Duration::minutes(1));
    for token in [&controller, &auditor] {
        let (status, list) =
            w.t.get(Some(token), &format!("/api/v1/sources/{source}/concerns"))
                .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let items = list.as_array().expect("list");
        assert_eq!(items.len(), 2, "{list}");
        assert_eq!(items[0]["id"], welfare_id);
        assert_eq!(items[0]["account"], WELFARE);
        assert_eq!(items[0]["raised_by"], "ann");
        assert_eq!(items[0]["status"], "open");
        assert_eq!(items[1]["id"], id);
        assert_eq!(items[1]["account"], ACCOUNT);
        assert_eq!(items[1]["review"]["note"], NOTE);
        assert_eq!(items[1]["review"]["finding"], "founded");
        assert_eq!(items[1]["risk_assessment_review_required"], true);
    }
    let (status, list) =
        w.t.get(
            Some(&analyst),
            &format!("/api/v1/sources/{source}/concerns"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list[0]["account"], WELFARE);
    assert!(list[1]["account"].is_null(), "{list}");
    assert!(list[1]["review"]["note"].is_null(), "{list}");
    assert_eq!(list[1]["review"]["finding"], "founded");
    assert!(!list.to_string().contains(ACCOUNT));
    let (status, list) =
        w.t.get(
            Some(&handler),
            &format!("/api/v1/sources/{source}/concerns"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list[0]["account"].is_null(), "{list}");
    assert_eq!(list[0]["raised_by"], "ann");
    assert_eq!(list[1]["account"], ACCOUNT);
    assert_eq!(list[1]["review"]["note"], NOTE);
    assert!(!list.to_string().contains(WELFARE));

    // The statutory record lists them too, under its own audited read.
    let (status, record) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/sources/{source}/record"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["concerns"][1]["account"], ACCOUNT, "{record}");
    assert_eq!(record["concerns"][1]["review"]["note"], NOTE, "{record}");
    assert_eq!(record["concerns"][0]["category"], "welfare", "{record}");

    // Neither the account nor the note is in the tables as written.
    assert!(!table_holds(&w, "source_concerns", "threatened to charge").await);
    assert!(!table_holds(&w, "source_concerns", "sleeping in a car").await);
    assert!(!table_holds(&w, "source_concern_reviews", "professional standards").await);
    assert!(table_holds(&w, "source_concerns", "coercion").await);

    // Key rotation re-wraps the account and the note, and both still read.
    let store = w.t.station.store();
    let before = (
        store
            .table_values_unchecked("source_concerns")
            .await
            .expect("read"),
        store
            .table_values_unchecked("source_concern_reviews")
            .await
            .expect("read"),
    );
    w.t.station
        .rotate_keys(&humint_station::Principal::system(), &|_, _| {})
        .await
        .expect("rotate");
    let after = (
        store
            .table_values_unchecked("source_concerns")
            .await
            .expect("read"),
        store
            .table_values_unchecked("source_concern_reviews")
            .await
            .expect("read"),
    );
    let changed =
        |old: &Vec<Vec<u8>>, new: &Vec<Vec<u8>>| new.iter().filter(|v| !old.contains(v)).count();
    assert_eq!(
        changed(&before.0, &after.0),
        2,
        "both accounts are re-wrapped"
    );
    assert_eq!(changed(&before.1, &after.1), 1, "the note is re-wrapped");
    let (_, list) =
        w.t.get(
            Some(&controller),
            &format!("/api/v1/sources/{source}/concerns"),
        )
        .await;
    assert_eq!(list[1]["account"], ACCOUNT, "{list}");
    assert_eq!(list[1]["review"]["note"], NOTE, "{list}");
    assert_eq!(list[0]["account"], WELFARE, "{list}");

    // The inspection pack lists both by codename, category, dates and finding, never the text.
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    assert_eq!(pack["summary"]["concerns"], 2, "{pack}");
    assert_eq!(pack["summary"]["concerns_open"], 1, "{pack}");
    let listed = pack["concerns"].as_array().expect("concerns");
    assert_eq!(listed[0]["category"], "coercion", "{pack}");
    assert_eq!(listed[0]["finding"], "founded", "{pack}");
    assert_eq!(listed[0]["risk_assessment_review_required"], true, "{pack}");
    assert_eq!(listed[1]["category"], "welfare", "{pack}");
    assert!(listed[1]["finding"].is_null(), "{pack}");
    for text in [
        "threatened to charge",
        "sleeping in a car",
        "professional standards",
    ] {
        assert!(!pack.to_string().contains(text), "{pack}");
    }

    // A backup restores them elsewhere (with the same master key), still sealed, with the
    // open welfare concern's alert.
    let file = w.t.dir.path().join("concerns.backup");
    w.t.station
        .backup_to(&humint_station::Principal::system(), &file)
        .await
        .expect("backup");
    let db = humint_store::testing::fresh_database(backend).await;
    let restored = humint_station::Station::open(
        humint_station::StationConfig {
            data_dir: w.t.dir.path().join("restored"),
            database_url: Some(db.url.clone()),
            master_key_file: Some(w.t.station.config().master_key_path()),
            login: crate::harness::test_policy(),
        },
        std::sync::Arc::new(w.t.clock.clone()),
        std::sync::Arc::new(humint_core::SeededEntropy::new(7)),
    )
    .await
    .expect("open");
    restored
        .restore_from(&humint_station::Principal::system(), &file, false)
        .await
        .expect("restore");
    use humint_store::ConcernStore as _;
    let back = restored.store().concerns(&source).await.expect("concerns");
    assert_eq!(back.len(), 2);
    assert_eq!(
        back[1].review.as_ref().map(|r| r.finding.as_str()),
        Some("founded")
    );
    let restored_store = restored.store();
    let holds = |values: Vec<Vec<u8>>, text: &str| {
        values
            .iter()
            .any(|v| v.windows(text.len()).any(|x| x == text.as_bytes()))
    };
    assert!(!holds(
        restored_store
            .table_values_unchecked("source_concerns")
            .await
            .expect("read"),
        "sleeping in a car"
    ));
    assert!(holds(
        restored_store
            .table_values_unchecked("alert_schedule")
            .await
            .expect("read"),
        &welfare_id
    ));

    // Each raise, the review and each list that opened an account are audit events.
    let events = concern_events(&w).await;
    assert_eq!(
        events.iter().filter(|a| *a == "concern.raise").count(),
        2,
        "{events:?}"
    );
    assert_eq!(
        events.iter().filter(|a| *a == "concern.review").count(),
        1,
        "{events:?}"
    );
    assert_eq!(
        events.iter().filter(|a| *a == "concern.read").count(),
        5,
        "{events:?}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn every_refusal_has_its_code_and_writes_nothing(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source(&born_years_ago(40, 0)).await;
    let handler = w.token(&w.handler).await;
    let controller = w.token(&w.controller).await;
    let ao = w.token(&w.ao).await;
    let analyst = w.token(&w.analyst).await;
    let outsider = w.t.officer("olga", Role::Controller, &[OTHER]).await;
    let outsider = w.token(&outsider).await;
    let admin = w.token(&w.t.admin).await;
    let _ = COMPARTMENT;

    let (status, raised) = raise(
        &w,
        &controller,
        &source,
        json!({"category": "conduct", "account": "The source was seen dealing at the club."}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    let id = raised["id"].as_str().expect("id").to_owned();
    let events = concern_events(&w).await;
    let written = rows(&w, "source_concerns").await;
    assert_eq!(written, 1);

    let good = json!({"category": "coercion", "account": ACCOUNT});
    for (token, body, status, code) in [
        (
            &handler,
            json!({"category": "leverage", "account": ACCOUNT}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CONCERN_CATEGORY_UNKNOWN",
        ),
        (
            &handler,
            json!({"category": "coercion", "account": " \n\t "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CONCERN_TEXT_REQUIRED",
        ),
        (
            &analyst,
            json!({"category": "welfare", "account": "a".repeat(4001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CONCERN_TEXT_TOO_LONG",
        ),
        (
            &outsider,
            good.clone(),
            StatusCode::FORBIDDEN,
            "COMPARTMENT_FORBIDDEN",
        ),
        (
            &admin,
            good.clone(),
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        ),
    ] {
        let answer = raise(&w, token, &source, body).await;
        assert_refused(&answer, status, code);
    }
    // A field for leverage is not a field at all.
    let answer = raise(
        &w,
        &handler,
        &source,
        json!({"category": "coercion", "account": ACCOUNT, "leverage": "debts"}),
    )
    .await;
    assert_refused(&answer, StatusCode::BAD_REQUEST, "INVALID_REQUEST");
    let answer = raise(&w, &handler, "0190e0b4-0000-7000-8000-000000000000", good).await;
    assert_eq!(answer.0, StatusCode::NOT_FOUND, "{}", answer.1);

    let note = json!({"finding": "unfounded", "note": "Checked with the club's doorman."});
    for (token, concern, body, status, code) in [
        (
            &handler,
            id.as_str(),
            note.clone(),
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        ),
        (
            &analyst,
            id.as_str(),
            note.clone(),
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        ),
        (
            &outsider,
            id.as_str(),
            note.clone(),
            StatusCode::FORBIDDEN,
            "COMPARTMENT_FORBIDDEN",
        ),
        (
            &controller,
            id.as_str(),
            note.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CONCERN_OWN_REVIEW",
        ),
        (
            &ao,
            id.as_str(),
            json!({"finding": "dismissed", "note": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CONCERN_FINDING_UNKNOWN",
        ),
        (
            &ao,
            id.as_str(),
            json!({"finding": "founded", "note": "   "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CONCERN_TEXT_REQUIRED",
        ),
        (
            &ao,
            id.as_str(),
            json!({"finding": "founded", "note": "n".repeat(4001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "CONCERN_TEXT_TOO_LONG",
        ),
    ] {
        let answer = review(&w, token, concern, body).await;
        assert_refused(&answer, status, code);
    }
    let answer = review(
        &w,
        &ao,
        "0190e0b4-0000-7000-8000-000000000000",
        note.clone(),
    )
    .await;
    assert_eq!(answer.0, StatusCode::NOT_FOUND, "{}", answer.1);
    assert_eq!(concern_events(&w).await, events, "a refusal wrote an event");
    assert_eq!(rows(&w, "source_concerns").await, written);
    let (_, list) =
        w.t.get(Some(&ao), &format!("/api/v1/sources/{source}/concerns"))
            .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert!(list[0]["review"].is_null(), "{list}");

    // An authorising officer reviews it (conduct, founded: no risk review asked); a second
    // review by anyone is refused and changes nothing.
    let (status, done) = review(&w, &ao, &id, note.clone()).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["review"]["finding"], "unfounded");
    assert_eq!(done["risk_assessment_review_required"], false);
    assert!(done["action"].is_null());
    let events = concern_events(&w).await;
    let again = review(
        &w,
        &w.token(&w.t.officer("cleo", Role::Controller, &[COMPARTMENT]).await)
            .await,
        &id,
        json!({"finding": "founded", "note": "I disagree."}),
    )
    .await;
    assert_refused(&again, StatusCode::CONFLICT, "CONCERN_ALREADY_REVIEWED");
    assert_eq!(concern_events(&w).await, events);
    // The store refuses a second review inside its transaction too (two reviewers racing on
    // two servers), writing nothing.
    use humint_store::ConcernStore as _;
    let raced =
        w.t.station
            .store()
            .insert_concern_review(
                &id,
                &humint_store::ConcernReviewRow {
                    finding: "founded".to_owned(),
                    note: vec![1, 2, 3],
                    reviewed_by: raised["raised_by"].as_str().unwrap_or_default().to_owned(),
                    reviewed_at_ms: 0,
                },
                &humint_store::AuditContext::new(
                    0,
                    "x",
                    "controller",
                    "concern.review",
                    "concern",
                    &id,
                ),
            )
            .await;
    assert!(
        matches!(raced, Err(humint_store::StoreError::Conflict { .. })),
        "{raced:?}"
    );
    assert_eq!(concern_events(&w).await, events);
    let (_, list) =
        w.t.get(Some(&ao), &format!("/api/v1/sources/{source}/concerns"))
            .await;
    assert_eq!(list[0]["review"]["finding"], "unfounded", "{list}");
    assert_eq!(list[0]["review"]["reviewed_by"], "ada", "{list}");
}
