//! The whole cycle on one source, on each backend: requirement → source → authorisation →
//! recruitment → tasking → contact → payment → report → outcome → review → renewal →
//! termination, with the refusals a handler meets on the way.

use super::{COMPARTMENT, World};
use crate::harness::assert_refused;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_full_handling_cycle(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let t = &w.t;

    // Requirement, uncovered at first.
    let requirement = w.requirement().await;
    let token = w.token(&w.analyst).await;
    let (status, coverage) = t
        .get(Some(&token), "/api/v1/requirements?uncovered=true")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        coverage["items"].as_array().map(Vec::len),
        Some(1),
        "{coverage}"
    );

    // Source: spotted, with a generated codename and its three roles.
    let source = w.source("1980-05-17").await;
    let token = w.token(&w.handler).await;
    let (_, detail) = t
        .get(Some(&token), &format!("/api/v1/sources/{source}"))
        .await;
    assert_eq!(detail["status"], "spotted");
    assert!(detail["codename"].as_str().is_some_and(|c| c.len() > 3));
    assert_eq!(
        detail["roles"].as_array().map(Vec::len),
        Some(3),
        "{detail}"
    );
    assert!(detail.get("true_identity").is_none() && !detail.to_string().contains("Jane"));

    // Recruiting without an authorisation is refused; so is granting by a handler.
    w.walk(&source, &["assessed", "in_development"]).await;
    let answer = t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/transitions"),
            json!({"to": "recruited", "reason": "agreed to help"}),
        )
        .await;
    assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "AUTH_REQUIRED");
    let answer = t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/authorisations"),
            World::grant_body("standard"),
        )
        .await;
    assert_refused(&answer, StatusCode::FORBIDDEN, "ROLE_FORBIDDEN");
    // No risk assessment yet: the grant is refused by the rule.
    assert_refused(
        &w.grant(&source, World::grant_body("standard")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RISK_ASSESSMENT_REQUIRED",
    );
    w.risk(&source).await;
    let (status, auth) = w.grant(&source, World::grant_body("standard")).await;
    assert_eq!(status, StatusCode::CREATED, "{auth}");
    assert_eq!(auth["status"], "live");
    assert_eq!(
        auth["expires_at"], "2027-03-02T00:00:00.000Z",
        "12 months beginning with 2 March 2026"
    );
    let auth_id = auth["id"].as_str().expect("id").to_owned();
    w.walk(&source, &["recruited"]).await;

    // Tasking: the requirement is now covered.
    let (status, tasking) = w.task(&source, &requirement).await;
    assert_eq!(status, StatusCode::CREATED, "{tasking}");
    assert_eq!(tasking["authorisation_id"], auth_id.as_str());
    let token = w.token(&w.analyst).await;
    let (_, coverage) = t
        .get(Some(&token), "/api/v1/requirements?uncovered=true")
        .await;
    assert_eq!(
        coverage["items"].as_array().map(Vec::len),
        Some(0),
        "{coverage}"
    );

    // A held meeting, with its note encrypted and readable only through its audited endpoint.
    let token = w.token(&w.handler).await;
    let next_due = (w.now() + chrono::Duration::days(7)).to_rfc3339();
    let (status, contact) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/contacts"),
            json!({"mode": "meeting", "status": "held", "purpose": "use", "officers_present": ["hana"], "location_alias": "CAFE 3", "next_contact_due": next_due, "notes": "Nervous; mentioned a new van."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    assert!(
        !contact.to_string().contains("van"),
        "notes never in a contact view"
    );
    let contact_id = contact["id"].as_str().expect("id").to_owned();
    let (status, notes) = t
        .get(
            Some(&token),
            &format!("/api/v1/contacts/{contact_id}/notes"),
        )
        .await;
    assert_eq!(
        (status, notes["notes"].as_str()),
        (StatusCode::OK, Some("Nervous; mentioned a new van."))
    );
    let analyst = w.token(&w.analyst).await;
    assert_refused(
        &t.get(
            Some(&analyst),
            &format!("/api/v1/contacts/{contact_id}/notes"),
        )
        .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );

    // A payment over the threshold needs the controller's approval before it is paid.
    let token = w.token(&w.handler).await;
    let pay = json!({"kind": "payment", "amount_minor": 80_000, "purpose": "expenses and reward", "paid": true});
    assert_refused(
        &t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/payments"),
            pay,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_APPROVAL_REQUIRED",
    );
    let (status, payment) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/payments"),
            json!({"kind": "payment", "amount_minor": 80_000, "purpose": "expenses and reward"}),
        )
        .await;
    assert_eq!(
        (status, &payment["needs_approval"]),
        (StatusCode::CREATED, &json!(true)),
        "{payment}"
    );
    let payment_id = payment["id"].as_str().expect("id").to_owned();
    let controller = w.token(&w.controller).await;
    let (_, alerts) = t.get(Some(&controller), "/api/v1/alerts").await;
    assert!(
        alerts["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["kind"] == "payment_awaiting_approval")),
        "{alerts}"
    );
    assert_refused(
        &t.post_json(
            Some(&token),
            &format!("/api/v1/payments/{payment_id}/approval"),
            json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let (status, _) = t
        .post_json(
            Some(&controller),
            &format!("/api/v1/payments/{payment_id}/approval"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, paid) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/payments/{payment_id}/paid"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    let (_, payments) = t
        .get(Some(&token), &format!("/api/v1/sources/{source}/payments"))
        .await;
    assert_eq!(
        payments["yearly_totals"][0]["paid_minor"], 80_000,
        "{payments}"
    );

    // A report: the analyst grades (independently), disseminates and records an outcome, but
    // never reads the text.
    let (status, report) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/reports"),
            json!({"contact_id": contact_id, "requirement_id": requirement, "text": "A white van collects at the docks on Tuesdays.",
                   "claims": [{"subject": "white van", "attribute": "collects_at", "value": "docks, Tuesdays", "observed_at": "2026-03-01T10:00:00Z"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let report_id = report["id"].as_str().expect("id").to_owned();
    let claim_id = report["claims"][0]["id"]
        .as_str()
        .expect("claim")
        .to_owned();
    let analyst = w.token(&w.analyst).await;
    assert_refused(
        &t.get(Some(&analyst), &format!("/api/v1/reports/{report_id}/text"))
            .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let (_, seen) = t
        .get(Some(&analyst), &format!("/api/v1/reports/{report_id}"))
        .await;
    assert!(
        !seen.to_string().contains("collects at the docks")
            && seen["claims"][0]["value"] == "docks, Tuesdays",
        "{seen}"
    );
    assert_refused(
        &t.post_json(
            Some(&analyst),
            &format!("/api/v1/reports/{report_id}/disseminations"),
            json!({"recipient": "Border Force", "handling_code": "P"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "REPORT_NOT_GRADED",
    );
    assert_refused(
        &t.post_json(
            Some(&analyst),
            &format!("/api/v1/reports/{report_id}/grading"),
            json!({"source_reliability": "G", "information_credibility": 2, "handling_code": "P"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "GRADE_INVALID",
    );
    let (status, graded) = t
        .post_json(
            Some(&analyst),
            &format!("/api/v1/reports/{report_id}/grading"),
            json!({"source_reliability": "B", "information_credibility": 2, "handling_code": "P"}),
        )
        .await;
    assert_eq!(
        (status, &graded["grade"]),
        (StatusCode::OK, &json!("B2")),
        "{graded}"
    );
    // When it went: never in the future, never before the report was filed.
    for when in ["2999-01-01T00:00:00Z", "2000-01-01T00:00:00Z"] {
        assert_refused(
            &t.post_json(
                Some(&analyst),
                &format!("/api/v1/reports/{report_id}/disseminations"),
                json!({"recipient": "Border Force", "handling_code": "P", "disseminated_at": when}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "DISSEMINATION_TIME_INVALID",
        );
    }
    let (status, sent) = t
        .post_json(
            Some(&analyst),
            &format!("/api/v1/reports/{report_id}/disseminations"),
            json!({"recipient": "Border Force", "handling_code": "P", "sanitised": true}),
        )
        .await;
    assert_eq!(
        (status, &sent["status"]),
        (StatusCode::CREATED, &json!("disseminated")),
        "{sent}"
    );
    let (status, claim) = t
        .post_json(
            Some(&analyst),
            &format!("/api/v1/claims/{claim_id}/outcomes"),
            json!({"verdict": "confirmed", "means": "technical_collection"}),
        )
        .await;
    assert_eq!(
        (status, &claim["outcomes"][0]["verdict"]),
        (StatusCode::CREATED, &json!("confirmed")),
        "{claim}"
    );
    let (status, text) = t
        .get(Some(&token), &format!("/api/v1/reports/{report_id}/text"))
        .await;
    assert_eq!(
        (status, text["text"].as_str()),
        (
            StatusCode::OK,
            Some("A white van collects at the docks on Tuesdays.")
        )
    );

    // Eleven months on: review, then renewal (which needs a fresh risk assessment).
    let later = w.now() + chrono::Duration::days(330);
    let ao = w.token_at(&w.ao, later).await;
    let review = json!({"use_made": "Weekly meetings", "tasks_given": "Supply route", "information_obtained": "Van at the docks",
                        "necessity_still_met": true, "proportionality_still_met": true, "arrangements_still_met": true});
    let (status, reviewed) = t
        .post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{auth_id}/reviews"),
            review,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    assert_refused(
        &t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{auth_id}/renewals"),
            json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "RENEWAL_WITHOUT_RISK_ASSESSMENT",
    );
    w.risk(&source).await;
    let ao = w.token(&w.ao).await;
    let (status, renewed) = t
        .post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{auth_id}/renewals"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    assert_eq!(
        renewed["expires_at"], "2028-03-02T00:00:00.000Z",
        "{renewed}"
    );

    // The statutory record: every particular, for the handler; never for the analyst.
    let token = w.token(&w.handler).await;
    let (status, record) = t
        .get(Some(&token), &format!("/api/v1/sources/{source}/record"))
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["true_identity"]["name"], "Jane Example");
    assert_eq!(record["roles"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        record["recruitment"]["circumstances"],
        "ready for recruited"
    );
    assert_eq!(record["tasks"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        record["contacts"][0]["notes"],
        "Nervous; mentioned a new van."
    );
    assert_eq!(
        record["information_obtained"][0]["disseminations"][0]["recipient"],
        "Border Force"
    );
    assert_eq!(record["payments"].as_array().map(Vec::len), Some(1));
    assert!(
        record["security_and_welfare"]
            .as_array()
            .is_some_and(|r| r.len() == 2 && r[0]["explained_to_source"] == true)
    );
    for reader in [&w.analyst, &w.auditor, &w.keeper] {
        let token = w.token(reader).await;
        assert_refused(
            &t.get(Some(&token), &format!("/api/v1/sources/{source}/record"))
                .await,
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        );
    }
    let token = w.token(&w.handler).await;

    // Termination: welfare arrangements first; the live authorisation is cancelled with it.
    let answer = t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/transitions"),
            json!({"to": "terminated", "reason": "moved abroad"}),
        )
        .await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "WELFARE_PLAN_REQUIRED",
    );
    let (status, closed) = t
        .post_json(Some(&token), &format!("/api/v1/sources/{source}/transitions"), json!({"to": "terminated", "reason": "moved abroad", "welfare_arrangements": "Monthly welfare call for a year."}))
        .await;
    assert_eq!(
        (status, &closed["status"]),
        (StatusCode::OK, &json!("terminated")),
        "{closed}"
    );
    let (_, auth) = t
        .get(Some(&token), &format!("/api/v1/authorisations/{auth_id}"))
        .await;
    assert_eq!(auth["status"], "cancelled", "{auth}");
    assert_eq!(
        auth["cancellation"]["welfare_plan"],
        "Monthly welfare call for a year."
    );

    // Every read of protected content is in the ledger, with the refused attempts.
    let events = t
        .station
        .store()
        .audit_events(0, 10_000)
        .await
        .expect("ledger");
    let count = |action: &str, outcome: &str| {
        events
            .iter()
            .filter(|e| e.event.action == action && e.event.outcome == outcome)
            .count()
    };
    assert_eq!(count("contact.notes.read", "ok"), 1);
    assert_eq!(count("contact.notes.read", "denied"), 1);
    assert_eq!(count("report.text.read", "denied"), 1);
    assert_eq!(count("source.record.read", "ok"), 1);
    assert_eq!(count("authorisation.cancel", "ok"), 1);
    assert!(events.iter().all(|e| {
        e.event
            .compartment
            .as_deref()
            .is_none_or(|c| c == COMPARTMENT)
    }));
}
