//! The error register and break-glass through the API, on both backends: a relevant error's
//! report deadline at its exact boundary (overdue from the deadline, late when reported at
//! it), who may keep the register, and an auditor's reasoned, audited, one-time read of a true
//! identity.

use super::{COMPARTMENT, OTHER, World, born_years_ago, t};
use crate::harness::assert_refused;
use chrono::Duration;
use humint_core::Role;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

/// Established on Monday 2 March 2026 (GMT): the 10th working day after is Monday 16 March, so
/// the first instant past the deadline is midnight at its end.
const ESTABLISHED: &str = "2026-03-02T09:00:00Z";
const DEADLINE: &str = "2026-03-17T00:00:00.000Z";

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_relevant_error_is_due_by_the_end_of_the_tenth_working_day(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t0 = &w.t;
    let outsider = t0.officer("oscar", Role::Auditor, &[OTHER]).await;
    let source = w.source(&born_years_ago(40, 0)).await;
    let controller = w.token(&w.controller).await;
    let body = |description: &str, identified: &str| {
        json!({
            "compartment": COMPARTMENT,
            "source_id": source,
            "description": description,
            "identified_at": identified,
        })
    };

    // Who may record: controllers, authorising officers and auditors of the compartment.
    for (officer, code) in [
        (&w.analyst, "ROLE_FORBIDDEN"),
        (&w.handler, "ROLE_FORBIDDEN"),
        (&outsider, "COMPARTMENT_FORBIDDEN"),
    ] {
        let token = w.token(officer).await;
        assert_refused(
            &t0.post_json(
                Some(&token),
                "/api/v1/errors",
                body("Late review.", "2026-03-02T08:00:00Z"),
            )
            .await,
            StatusCode::FORBIDDEN,
            code,
        );
    }
    // Bad input, each refused with its rule and nothing written.
    for (request, code) in [
        (
            body("   ", "2026-03-02T08:00:00Z"),
            "ERROR_DESCRIPTION_REQUIRED",
        ),
        (
            body("Late review.", "2026-03-03T08:00:00Z"),
            "ERROR_TIME_IN_FUTURE",
        ),
        (body("Late review.", "yesterday"), "INVALID_TIME"),
        (
            json!({"compartment": COMPARTMENT, "description": "Late review.", "identified_at": "2026-03-02T08:00:00Z", "established_at": "2026-03-01T08:00:00Z"}),
            "ERROR_TIMES_OUT_OF_ORDER",
        ),
    ] {
        assert_refused(
            &t0.post_json(Some(&controller), "/api/v1/errors", request)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        );
    }
    let (status, empty) = t0.get(Some(&controller), "/api/v1/errors").await;
    assert_eq!((status, ids(&empty).len()), (StatusCode::OK, 0), "{empty}");

    // Two errors recorded on suspicion: no deadline until established.
    let mut errors = Vec::new();
    for officer in [&w.controller, &w.ao] {
        let token = w.token(officer).await;
        let (status, e) = t0
            .post_json(
                Some(&token),
                "/api/v1/errors",
                body(
                    "Meeting held after the authorisation expired.",
                    "2026-03-02T08:00:00Z",
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        assert_eq!(e["report_due_at"], Value::Null);
        assert_eq!(e["overdue"], false);
        errors.push(e["id"].as_str().expect("id").to_owned());
    }
    let auditor = w.token(&w.auditor).await;
    assert_refused(
        &t0.post_json(
            Some(&auditor),
            &format!("/api/v1/errors/{}/report", errors[0]),
            json!({"reported_at": ESTABLISHED, "reference": "IPC/1"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ERROR_NOT_ESTABLISHED",
    );
    for id in &errors {
        let (status, e) = t0
            .post_json(
                Some(&auditor),
                &format!("/api/v1/errors/{id}/establish"),
                json!({"established_at": ESTABLISHED}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}");
        assert_eq!(e["report_due_at"], DEADLINE, "{e}");
    }
    assert_refused(
        &t0.post_json(
            Some(&auditor),
            &format!("/api/v1/errors/{}/establish", errors[0]),
            json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ERROR_ALREADY_ESTABLISHED",
    );

    let handler = w.token(&w.handler).await;
    assert_refused(
        &t0.post_json(
            Some(&handler),
            &format!("/api/v1/errors/{}/report", errors[0]),
            json!({"reported_at": ESTABLISHED, "reference": "IPC/1"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    // What the alerts show: both errors, established and unreported, are due to be reported.
    let (status, alerts) = t0
        .get(
            Some(&w.token(&w.controller).await),
            "/api/v1/alerts?kind=error_report_due",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{alerts}");
    assert_eq!(alerts["counts"]["error_report_due"], 2, "{alerts}");
    assert_eq!(
        alerts["items"].as_array().map(Vec::len),
        Some(2),
        "{alerts}"
    );

    // The last instant before the deadline: due, not overdue.
    let deadline = t(DEADLINE);
    let last = deadline - Duration::milliseconds(1);
    let token = w.token_at(&w.controller, last).await;
    let (_, overdue) = t0.get(Some(&token), "/api/v1/errors?overdue=true").await;
    assert!(ids(&overdue).is_empty(), "nothing overdue yet: {overdue}");
    let (_, open) = t0.get(Some(&token), "/api/v1/errors?open=true").await;
    assert_eq!(ids(&open), errors);
    assert!(
        open["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["overdue"] == false)
    );
    // The first is reported on that last instant: on time.
    let (status, on_time) = t0
        .post_json(
            Some(&token),
            &format!("/api/v1/errors/{}/report", errors[0]),
            json!({"reported_at": "2026-03-16T23:59:59.999Z", "reference": "IPC/2026/041"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{on_time}");
    assert_eq!(on_time["reported_late"], false, "{on_time}");
    assert_eq!(on_time["reference"], "IPC/2026/041");

    // At the deadline the second is overdue, and reported then, it is late.
    let token = w.token_at(&w.ao, deadline).await;
    let (_, overdue) = t0.get(Some(&token), "/api/v1/errors?overdue=true").await;
    assert_eq!(ids(&overdue), vec![errors[1].clone()], "{overdue}");
    assert_eq!(overdue["items"][0]["overdue"], true);
    for (request, code) in [
        (
            json!({"reported_at": DEADLINE, "reference": "  "}),
            "ERROR_REFERENCE_REQUIRED",
        ),
        (
            json!({"reported_at": "2026-03-01T00:00:00Z", "reference": "IPC/1"}),
            "ERROR_TIMES_OUT_OF_ORDER",
        ),
        (
            json!({"reported_at": "2026-03-18T00:00:00Z", "reference": "IPC/1"}),
            "ERROR_TIME_IN_FUTURE",
        ),
    ] {
        assert_refused(
            &t0.post_json(
                Some(&token),
                &format!("/api/v1/errors/{}/report", errors[1]),
                request,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        );
    }
    let (status, late) = t0
        .post_json(
            Some(&token),
            &format!("/api/v1/errors/{}/report", errors[1]),
            json!({"reported_at": DEADLINE, "reference": "IPC/2026/042"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{late}");
    assert_eq!(
        (&late["reported_late"], &late["overdue"]),
        (&json!(true), &json!(false))
    );
    assert_refused(
        &t0.post_json(
            Some(&token),
            &format!("/api/v1/errors/{}/report", errors[1]),
            json!({"reported_at": DEADLINE, "reference": "IPC/2026/043"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ERROR_ALREADY_REPORTED",
    );
    let (_, open) = t0.get(Some(&token), "/api/v1/errors?open=true").await;
    assert!(ids(&open).is_empty(), "{open}");
    let (_, all) = t0.get(Some(&token), "/api/v1/errors").await;
    assert_eq!(ids(&all), errors);

    // Analysts do not see the register; an auditor outside the compartment sees none of it.
    let analyst = w.token(&w.analyst).await;
    assert_refused(
        &t0.get(Some(&analyst), "/api/v1/errors").await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let outsider = w.token(&outsider).await;
    let (status, none) = t0.get(Some(&outsider), "/api/v1/errors").await;
    assert_eq!((status, ids(&none).len()), (StatusCode::OK, 0));

    // An error tied to an authorisation belongs to that authorisation's source.
    let (recruited, auth) = w.recruited(&born_years_ago(30, 0)).await;
    let auth_id = auth["id"].as_str().expect("authorisation id");
    let controller = w.token(&w.controller).await;
    assert_refused(
        &t0.post_json(
            Some(&controller),
            "/api/v1/errors",
            json!({"compartment": COMPARTMENT, "source_id": source, "authorisation_id": auth_id,
                   "description": "Tasked outside the authorised tasks.", "identified_at": "2026-03-16T08:00:00Z"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ERROR_LINK_MISMATCH",
    );
    let (status, linked) = t0
        .post_json(
            Some(&controller),
            "/api/v1/errors",
            json!({"compartment": COMPARTMENT, "authorisation_id": auth_id,
                   "description": "Tasked outside the authorised tasks.", "identified_at": "2026-03-16T08:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert_eq!(linked["source_id"], recruited.as_str());

    // The register's routes are in the OpenAPI document.
    let (_, doc) = t0.get(Some(&controller), "/api/v1/openapi.json").await;
    for path in [
        "/api/v1/errors",
        "/api/v1/errors/{id}/establish",
        "/api/v1/errors/{id}/report",
        "/api/v1/sources/{id}/identity/break-glass",
        "/api/v1/break-glass",
        "/api/v1/requirements/{id}/reviews",
        "/api/v1/requirements/{id}/closure",
        "/api/v1/taskings/{id}/status",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is not documented");
    }

    // Each change is in the ledger with its record.
    let events = t0
        .station
        .store()
        .audit_events(0, 10_000)
        .await
        .expect("ledger");
    let count = |action: &str| events.iter().filter(|e| e.event.action == action).count();
    assert_eq!(count("relevant_error.create"), 3);
    assert_eq!(count("relevant_error.establish"), 2);
    assert_eq!(count("relevant_error.report"), 2);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_auditor_reads_a_true_identity_only_by_a_recorded_break_glass(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t0 = &w.t;
    let outsider = t0.officer("oscar", Role::Auditor, &[OTHER]).await;
    let other_controller = t0.officer("olga", Role::Controller, &[OTHER]).await;
    let source = w.source(&born_years_ago(40, 0)).await;
    let path = format!("/api/v1/sources/{source}/identity/break-glass");
    let reason = "Checking the identity recorded against the inspection sample for March.";

    let auditor = w.token(&w.auditor).await;
    // The ordinary identity endpoint stays closed to auditors.
    assert_refused(
        &t0.get(
            Some(&auditor),
            &format!("/api/v1/sources/{source}/identity"),
        )
        .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    for word in ["", "audit", "inspection check"] {
        assert_refused(
            &t0.post_json(Some(&auditor), &path, json!({"reason": word}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "BREAK_GLASS_REASON_REQUIRED",
        );
    }
    // Analysts never; controllers and others keep their own rules (no break-glass).
    for (officer, code) in [
        (&w.analyst, "ROLE_FORBIDDEN"),
        (&w.controller, "ROLE_FORBIDDEN"),
        (&w.handler, "ROLE_FORBIDDEN"),
        (&outsider, "COMPARTMENT_FORBIDDEN"),
    ] {
        let token = w.token(officer).await;
        assert_refused(
            &t0.post_json(Some(&token), &path, json!({"reason": reason}))
                .await,
            StatusCode::FORBIDDEN,
            code,
        );
    }
    let (status, glass) = t0
        .post_json(
            Some(&auditor),
            &path,
            json!({"reason": format!("  {reason} ")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{glass}");
    assert_eq!(glass["true_identity"]["name"], "Jane Example");
    assert_eq!(glass["event"]["reason"], reason);
    assert_eq!(glass["event"]["actor"], "aud");

    // The events, for the compartment's controllers and auditors, and admins.
    let admin = t0.login(&t0.admin).await;
    for officer in [&w.controller, &w.auditor] {
        let token = w.token(officer).await;
        let (status, list) = t0.get(Some(&token), "/api/v1/break-glass").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
        assert_eq!(list["items"][0]["reason"], reason);
        assert_eq!(list["items"][0]["source_id"], source.as_str());
    }
    let (status, list) = t0.get(Some(&admin), "/api/v1/break-glass").await;
    assert_eq!(
        (status, list["items"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    let token = w.token(&other_controller).await;
    let (_, list) = t0.get(Some(&token), "/api/v1/break-glass").await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "not their compartment"
    );
    for officer in [&w.analyst, &w.handler, &w.ao] {
        let token = w.token(officer).await;
        assert_refused(
            &t0.get(Some(&token), "/api/v1/break-glass").await,
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        );
    }

    // Every attempt is in the ledger: one read, and each refusal.
    let events = t0
        .station
        .store()
        .audit_events(0, 10_000)
        .await
        .expect("ledger");
    let count = |outcome: &str| {
        events
            .iter()
            .filter(|e| {
                e.event.action == "source.identity.break_glass" && e.event.outcome == outcome
            })
            .count()
    };
    assert_eq!((count("ok"), count("denied")), (1, 7));
}
