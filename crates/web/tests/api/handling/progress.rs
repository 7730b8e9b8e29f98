//! Requirements reviewed and closed with their history, taskings moved along issued →
//! acknowledged → completed | withdrawn, and reports graded under a selectable scheme with
//! their grading history, through the API on both backends.

use super::{COMPARTMENT, World, born_years_ago};
use crate::harness::assert_refused;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

fn listed(list: &Value, id: &str) -> bool {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .any(|r| r["id"] == id)
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn requirements_are_reviewed_and_closed_and_taskings_move_on(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t0 = &w.t;
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let requirement = w.requirement().await;
    let controller = w.token(&w.controller).await;
    let reviews = format!("/api/v1/requirements/{requirement}/reviews");
    let closure = format!("/api/v1/requirements/{requirement}/closure");

    // Reviews: a new review-by day (today, 2 March 2026, or later) and a note.
    for (body, code) in [
        (
            json!({"review_by": "2026-03-01", "note": "Still needed."}),
            "REVIEW_BY_IN_PAST",
        ),
        (
            json!({"review_by": "2026-06-30", "note": " "}),
            "REQUIREMENT_NOTE_REQUIRED",
        ),
        (
            json!({"review_by": "30/06/2026", "note": "Still needed."}),
            "INVALID_DATE",
        ),
    ] {
        assert_refused(
            &t0.post_json(Some(&controller), &reviews, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        );
    }
    let handler = w.token(&w.handler).await;
    assert_refused(
        &t0.post_json(
            Some(&handler),
            &reviews,
            json!({"review_by": "2026-06-30", "note": "Still needed."}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let (status, reviewed) = t0
        .post_json(
            Some(&controller),
            &reviews,
            json!({"review_by": "2026-03-02", "note": "Still the top gap."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["review_by"], "2026-03-02");
    assert_eq!(reviewed["history"][0]["kind"], "review");
    assert_eq!(reviewed["history"][0]["by"], "carl");
    assert_eq!(reviewed["history"][0]["note"], "Still the top gap.");
    let (_, one) = t0
        .get(
            Some(&controller),
            &format!("/api/v1/requirements/{requirement}"),
        )
        .await;
    assert_eq!(
        one["review_by"], "2026-03-02",
        "the requirement itself moved: {one}"
    );

    // A tasking: issued, then acknowledged (still covering the requirement), then completed.
    let (status, tasking) = w.task(&source, &requirement).await;
    assert_eq!(status, StatusCode::CREATED, "{tasking}");
    let tasking_id = tasking["id"].as_str().expect("id").to_owned();
    let status_path = format!("/api/v1/taskings/{tasking_id}/status");
    let handler = w.token(&w.handler).await;
    assert_refused(
        &t0.post_json(Some(&handler), &status_path, json!({"to": "completed"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "TASKING_INVALID_TRANSITION",
    );
    let analyst = w.token(&w.analyst).await;
    assert_refused(
        &t0.post_json(Some(&analyst), &status_path, json!({"to": "acknowledged"}))
            .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let (status, acked) = t0
        .post_json(
            Some(&handler),
            &status_path,
            json!({"to": "acknowledged", "note": "Agreed at the meeting."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{acked}");
    assert_eq!(acked["status"], "acknowledged");
    let (_, uncovered) = t0
        .get(Some(&controller), "/api/v1/requirements?uncovered=true")
        .await;
    assert!(
        !listed(&uncovered, &requirement),
        "an acknowledged task covers it: {uncovered}"
    );
    let handler = w.token(&w.handler).await;
    assert_refused(
        &t0.post_json(
            Some(&handler),
            &status_path,
            json!({"to": "withdrawn", "note": "  "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "TASKING_NOTE_REQUIRED",
    );
    let (status, done) = t0
        .post_json(
            Some(&handler),
            &status_path,
            json!({"to": "completed", "note": "Vehicles logged."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_refused(
        &t0.post_json(
            Some(&handler),
            &status_path,
            json!({"to": "withdrawn", "note": "Too late."}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "TASKING_INVALID_TRANSITION",
    );
    let auditor = w.token(&w.auditor).await;
    let (status, seen) = t0
        .get(Some(&auditor), &format!("/api/v1/taskings/{tasking_id}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["status"], "completed");
    let history: Vec<(&str, &str)> = seen["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap_or(""),
                e["to"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        history,
        [("issued", "acknowledged"), ("acknowledged", "completed")]
    );
    assert_eq!(seen["history"][1]["note"], "Vehicles logged.");
    let (_, uncovered) = t0
        .get(Some(&controller), "/api/v1/requirements?uncovered=true")
        .await;
    assert!(
        listed(&uncovered, &requirement),
        "a completed task no longer covers it"
    );

    // Closure with its reason; then no reviews and no tasking against it.
    let controller = w.token(&w.controller).await;
    assert_refused(
        &t0.post_json(Some(&controller), &closure, json!({"reason": ""}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "REQUIREMENT_NOTE_REQUIRED",
    );
    let (status, closed) = t0
        .post_json(
            Some(&controller),
            &closure,
            json!({"reason": "The route was shut by arrests."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert!(closed["closed_at"].is_string(), "{closed}");
    assert_eq!(closed["history"][1]["kind"], "close");
    assert_eq!(
        closed["history"][1]["note"],
        "The route was shut by arrests."
    );
    for (path, body) in [
        (&closure, json!({"reason": "Again."})),
        (
            &reviews,
            json!({"review_by": "2026-06-30", "note": "Still needed."}),
        ),
    ] {
        assert_refused(
            &t0.post_json(Some(&controller), path, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "REQUIREMENT_CLOSED",
        );
    }
    assert_refused(
        &w.task(&source, &requirement).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "REQUIREMENT_CLOSED",
    );
    let (_, open) = t0
        .get(Some(&controller), "/api/v1/requirements?open=true")
        .await;
    assert!(!listed(&open, &requirement));
    let (status, history) = t0
        .get(
            Some(&auditor),
            &format!("/api/v1/requirements/{requirement}/history"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["history"].as_array().map(Vec::len), Some(2));

    let events = t0
        .station
        .store()
        .audit_events(0, 10_000)
        .await
        .expect("ledger");
    let count = |action: &str| events.iter().filter(|e| e.event.action == action).count();
    assert_eq!(
        [
            count("requirement.review"),
            count("requirement.close"),
            count("tasking.acknowledged"),
            count("tasking.completed"),
        ],
        [1, 1, 1, 1]
    );
    assert!(events.iter().all(|e| {
        e.event
            .compartment
            .as_deref()
            .is_none_or(|c| c == COMPARTMENT)
    }));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn reports_are_graded_under_a_chosen_scheme_with_their_history(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t0 = &w.t;
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let handler = w.token(&w.handler).await;
    let (status, report) = t0
        .post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/reports"),
            json!({"text": "Two vans cross at night."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let grading = format!(
        "/api/v1/reports/{}/grading",
        report["id"].as_str().expect("id")
    );
    let analyst = w.token(&w.analyst).await;

    // Without a scheme, 3x5x2 (GRD-01); its codes, and no other scheme's, are read.
    for (body, code) in [
        (
            json!({"source": "2", "information": "B", "handling_code": "C"}),
            "GRADING_CONDITIONS_REQUIRED",
        ),
        (
            json!({"source": "B", "information": "2", "handling_code": "P"}),
            "GRADE_INVALID",
        ),
        (
            json!({"scheme": "4x4", "source": "2", "information": "B", "handling_code": "P"}),
            "GRADING_SCHEME_UNKNOWN",
        ),
        (
            json!({"information": "B", "handling_code": "P"}),
            "FIELD_REQUIRED",
        ),
        (
            json!({"scheme": "5x5x5", "source": "B", "information": "2", "handling_code": "5"}),
            "GRADING_CONDITIONS_REQUIRED",
        ),
        (
            json!({"scheme": "5x5x5", "source": "F", "information": "2", "handling_code": "1"}),
            "GRADE_INVALID",
        ),
    ] {
        assert_refused(
            &t0.post_json(Some(&analyst), &grading, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        );
    }
    let handler = w.token(&w.handler).await;
    assert_refused(
        &t0.post_json(
            Some(&handler),
            &grading,
            json!({"source": "2", "information": "B", "handling_code": "P"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let (status, graded) = t0
        .post_json(
            Some(&analyst),
            &grading,
            json!({"source": "2", "information": "b", "handling_code": "C", "handling_conditions": "Not to leave the unit."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{graded}");
    assert_eq!(graded["status"], "graded");
    assert_eq!(graded["grading"]["scheme"], "3x5x2");
    assert_eq!(
        (
            &graded["grading"]["source"],
            &graded["grading"]["information"],
            &graded["grading"]["handling_code"]
        ),
        (&json!("2"), &json!("B"), &json!("C"))
    );
    assert_eq!(
        graded["grading"]["handling_conditions"],
        "Not to leave the unit."
    );
    // Not an Admiralty grade: the Admiralty fields stay empty rather than converted.
    assert_eq!(
        (&graded["grade"], &graded["source_reliability"]),
        (&Value::Null, &Value::Null)
    );

    // Regraded under the legacy scheme, then by an older Admiralty client: all kept.
    let controller = w.token(&w.controller).await;
    let (status, legacy) = t0
        .post_json(
            Some(&controller),
            &grading,
            json!({"scheme": "5x5x5", "source": "B", "information": "2", "handling_code": "5", "handling_conditions": "Refer to the originator."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{legacy}");
    let analyst = w.token(&w.analyst).await;
    let (status, old_client) = t0
        .post_json(
            Some(&analyst),
            &grading,
            json!({"source_reliability": "B", "information_credibility": 2, "handling_code": "P"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{old_client}");
    assert_eq!(old_client["grade"], "B2");
    assert_eq!(old_client["grading"]["scheme"], "admiralty");
    let schemes: Vec<&str> = old_client["grading_history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|g| g["scheme"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(schemes, ["3x5x2", "5x5x5", "admiralty"]);
    let history = old_client["grading_history"].as_array().expect("history");
    assert_ne!(
        history[0]["graded_by"], history[1]["graded_by"],
        "evaluators kept"
    );
    assert!(
        history
            .windows(2)
            .all(|p| p[0]["graded_at"].as_str() < p[1]["graded_at"].as_str())
    );
    // Readers see the same history.
    let auditor = w.token(&w.auditor).await;
    let (_, seen) = t0
        .get(
            Some(&auditor),
            &format!("/api/v1/reports/{}", report["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(
        seen["grading_history"].as_array().map(Vec::len),
        Some(3),
        "{seen}"
    );

    // The list shows each report's current grading: a second report graded under 3x5x2, and a
    // draft with none.
    let handler = w.token(&w.handler).await;
    let mut second = None;
    for text in ["A van was seen at the depot.", "Nothing new this week."] {
        let (status, r) = t0
            .post_json(
                Some(&handler),
                &format!("/api/v1/sources/{source}/reports"),
                json!({"text": text}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        second.get_or_insert(r["id"].as_str().expect("id").to_owned());
    }
    let second = second.expect("second report");
    let analyst = w.token(&w.analyst).await;
    let (status, _) = t0
        .post_json(
            Some(&analyst),
            &format!("/api/v1/reports/{second}/grading"),
            json!({"source": "1", "information": "A", "handling_code": "P"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, list) = t0
        .get(Some(&auditor), &format!("/api/v1/sources/{source}/reports"))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    // (Reports made in the same millisecond have ids in no particular order.)
    let mut current: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| {
            let g = &r["grading"];
            format!(
                "{} {}{}",
                g["scheme"].as_str().unwrap_or("none"),
                g["source"].as_str().unwrap_or(""),
                g["information"].as_str().unwrap_or("")
            )
        })
        .collect();
    current.sort();
    assert_eq!(current, ["3x5x2 1A", "admiralty B2", "none "]);
}
