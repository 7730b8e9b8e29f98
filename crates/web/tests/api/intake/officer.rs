//! The officers' side over the API: who may do what, deadlines, status, refusals.

use super::{only_thread, open_door};
use crate::harness::{TestStation, assert_refused};
use humint_core::Role;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn officers_triage_with_deadlines_and_the_ledger_records_it(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    p.first_contact("A walk-in with a story.", None).await;
    let id = only_thread(&t).await;
    let carol = t.officer("carol", Role::Controller, &[]).await;

    // Acknowledged two days later: feedback is due three months from then.
    t.clock.advance(chrono::Duration::days(2));
    let token = t.login(&carol).await;
    let (status, s) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/status"),
            json!({"status": "acknowledged"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["acknowledged_on"], "2026-03-04");
    assert_eq!(s["feedback_due"], "2026-06-04");
    let (_, s) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/status"),
            json!({"status": "feedback_given"}),
        )
        .await;
    assert_eq!(s["status"], "feedback_given");
    assert_eq!(s["feedback_on"], "2026-03-04");
    assert_eq!(
        s["acknowledged_on"], "2026-03-04",
        "the first acknowledgement stands"
    );
    let (_, s) = t.get(Some(&token), &format!("/api/v1/intake/{id}")).await;
    assert_eq!(s["items"], 1);

    for (body, code) in [
        (json!({"status": "new"}), "INVALID_STATUS"),
        (json!({"status": "spotted"}), "INVALID_STATUS"),
    ] {
        assert_refused(
            &t.post_json(Some(&token), &format!("/api/v1/intake/{id}/status"), body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        );
    }
    for text in ["", "   ", &"x".repeat(20_001)] {
        assert_refused(
            &t.post_json(
                Some(&token),
                &format!("/api/v1/intake/{id}/replies"),
                json!({"text": text}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_REPLY",
        );
    }
    assert_refused(
        &t.post_json(
            Some(&token),
            "/api/v1/intake/nope/replies",
            json!({"text": "hi"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_refused(
        &t.post_json(
            Some(&token),
            "/api/v1/verification-phrases",
            json!({"valid_hours": 0}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_VALIDITY",
    );
    assert_refused(
        &t.post_json(
            Some(&token),
            "/api/v1/verification-phrases",
            json!({"valid_hours": "soon"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
    );

    let events = t.station.store().audit_events(0, 1000).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.event.action.as_str()).collect();
    for a in ["intake.recipient.add", "intake.submit", "intake.status"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn only_triage_roles_touch_the_intake(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    p.first_contact("Hello.", None).await;
    let id = only_thread(&t).await;
    let analyst = t.officer("ann", Role::Analyst, &[]).await;
    let auditor = t.officer("aud", Role::Auditor, &[]).await;
    let ann = t.login(&analyst).await;
    let aud = t.login(&auditor).await;

    assert_refused(
        &t.get(Some(&ann), "/api/v1/intake").await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let (status, _) = t.get(Some(&aud), "/api/v1/intake").await;
    assert_eq!(status, StatusCode::OK, "auditors may see the list");
    for token in [&ann, &aud] {
        assert_refused(
            &t.post_json(
                Some(token),
                &format!("/api/v1/intake/{id}/replies"),
                json!({"text": "hi"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        );
        assert_refused(
            &t.post_json(Some(token), "/api/v1/verification-phrases", json!({}))
                .await,
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        );
    }
    assert_refused(
        &t.get(None, "/api/v1/intake").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );

    // The API's description lists the intake paths; the portal serves none of the API.
    let (_, doc) = t.get(Some(&aud), "/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/intake"].is_object());
    assert!(doc["paths"]["/api/v1/verification-phrases"].is_object());
    let (status, _) = p.get("/api/v1/intake").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = t.get(None, "/submit").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the officer listener serves no portal page"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_walk_in_becomes_a_spotted_source_once(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    p.first_contact("I can tell you about the port.", None)
        .await;
    let id = only_thread(&t).await;
    let hal = t.officer("hal", Role::Handler, &["WALKIN"]).await;
    let token = t.login(&hal).await;
    let body = json!({
        "compartment": "WALKIN",
        "true_identity": {"name": "Jordan Example", "date_of_birth": "1980-01-02"},
    });

    let outsider = t.officer("out", Role::Handler, &["OTHER"]).await;
    let other = t.login(&outsider).await;
    assert_refused(
        &t.post_json(
            Some(&other),
            &format!("/api/v1/intake/{id}/convert"),
            body.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "COMPARTMENT_FORBIDDEN",
    );

    let (status, converted) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/convert"),
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{converted}");
    assert_eq!(converted["source_status"], "spotted");
    assert_eq!(converted["origin"], "walk_in");
    assert_eq!(converted["submission"]["status"], "converted");
    assert_eq!(converted["submission"]["source_id"], converted["source_id"]);
    assert!(
        !converted.to_string().contains("Jordan"),
        "the identity is not echoed"
    );

    assert_refused(
        &t.post_json(Some(&token), &format!("/api/v1/intake/{id}/convert"), body)
            .await,
        StatusCode::CONFLICT,
        "ALREADY_CONVERTED",
    );
    assert_refused(
        &t.post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/status"),
            json!({"status": "closed"}),
        )
        .await,
        StatusCode::CONFLICT,
        "ALREADY_CONVERTED",
    );
}
