//! Each rule at its boundary, through the API, table-driven: the periods of a standard (12
//! months), a 17-year-old's (4 months) and an urgent oral (72 hours) authorisation, the 7th-day
//! Commissioner notice, and the under-16 safeguards.

use super::{World, born_years_ago, t};
use crate::harness::assert_refused;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

/// (case, years old at grant, kind asked, the deadline expected: the first instant not live).
/// `None` for the deadline means "72 hours after the grant".
const PERIODS: &[(&str, i32, &str, Option<&str>)] = &[
    // Granted on 2 March 2026 (GMT): in force to the end of 1 March 2027.
    (
        "adult, standard: 12 months",
        40,
        "standard",
        Some("2027-03-02T00:00:00.000Z"),
    ),
    // 17 at grant: 4 months whatever the kind asked; ends at the end of 1 July 2026 (BST).
    (
        "17-year-old, standard asked: 4 months",
        17,
        "standard",
        Some("2026-07-01T23:00:00.000Z"),
    ),
    (
        "17-year-old, juvenile: 4 months",
        17,
        "juvenile",
        Some("2026-07-01T23:00:00.000Z"),
    ),
    ("adult, urgent oral: 72 hours", 40, "urgent_oral", None),
];

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn authorisations_are_live_on_their_last_instant_and_dead_at_the_deadline(
    #[case] backend: Backend,
) {
    for (case, age, kind, deadline) in PERIODS {
        // A fresh station per case: the clock only moves forward (one-time codes forbid going back).
        let Some(w) = World::new(backend).await else {
            return;
        };
        let requirement = w.requirement().await;
        let source = w.source(&born_years_ago(*age, 30)).await;
        w.risk(&source).await;
        w.walk(&source, &["assessed", "in_development"]).await;
        let mut body = World::grant_body(kind);
        if *kind == "urgent_oral" {
            body["urgency_reason"] = json!("The meeting is tonight.");
        }
        let (status, auth) = w.grant(&source, body).await;
        assert_eq!(status, StatusCode::CREATED, "{case}: {auth}");
        let expires = match deadline {
            Some(d) => t(d),
            None => {
                t(auth["granted_at"].as_str().expect("granted_at")) + chrono::Duration::hours(72)
            }
        };
        assert_eq!(
            t(auth["expires_at"].as_str().expect("expires_at")),
            expires,
            "{case}: {auth}"
        );
        w.walk(&source, &["recruited"]).await;

        // The last instant: live, and the source can be tasked.
        let last = expires - chrono::Duration::seconds(1);
        let token = w.token_at(&w.handler, last).await;
        let (status, tasking) =
            w.t.post_json(
                Some(&token),
                &format!("/api/v1/sources/{source}/taskings"),
                json!({"requirement_id": requirement, "instructions": "watch"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{case}: still live at {last}: {tasking}"
        );

        // The deadline: expired, and the same tasking is refused.
        let token = w.token_at(&w.handler, expires).await;
        let answer =
            w.t.post_json(
                Some(&token),
                &format!("/api/v1/sources/{source}/taskings"),
                json!({"requirement_id": requirement, "instructions": "watch"}),
            )
            .await;
        assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "AUTH_EXPIRED");
        let auth_id = auth["id"].as_str().expect("id");
        let (_, now) =
            w.t.get(Some(&token), &format!("/api/v1/authorisations/{auth_id}"))
                .await;
        assert_eq!(now["status"], "expired", "{case}");
        // And renewal comes too late.
        let ao = w.token(&w.ao).await;
        assert_refused(
            &w.t.post_json(
                Some(&ao),
                &format!("/api/v1/authorisations/{auth_id}/renewals"),
                json!({}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "RENEWAL_AFTER_EXPIRY",
        );
    }
}

/// (case, instant, the alert expected) for a criminal conduct grant on 2 March 2026: the
/// notice is due by the end of the 7th day after, 9 March (GMT).
const NOTICE: &[(&str, &str, &str)] = &[
    (
        "the day of grant",
        "2026-03-02T12:00:00Z",
        "commissioner_notice_due",
    ),
    (
        "last second of the 7th day",
        "2026-03-09T23:59:59Z",
        "commissioner_notice_due",
    ),
    (
        "first instant of the 8th day",
        "2026-03-10T00:00:00Z",
        "commissioner_notice_overdue",
    ),
];

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_commissioner_notice_is_due_by_the_end_of_the_seventh_day(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, parent) = w.recruited("1980-01-01").await;
    let mut body = World::grant_body("criminal_conduct");
    assert_refused(
        &w.grant(&source, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "CCA_REQUIRES_LIVE_AUTHORISATION",
    );
    body["parent_id"] = parent["id"].clone();
    body["ground"] = json!("public_health");
    assert_refused(
        &w.grant(&source, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "CCA_GROUND_NOT_PERMITTED",
    );
    body["ground"] = json!("preventing_or_detecting_crime_or_disorder");
    let (status, cca) = w.grant(&source, body).await;
    assert_eq!(status, StatusCode::CREATED, "{cca}");
    assert_eq!(
        cca["commissioner_notices"][0]["due_at"], "2026-03-10T00:00:00.000Z",
        "{cca}"
    );
    let cca_id = cca["id"].as_str().expect("id").to_owned();

    for (case, at, kind) in NOTICE {
        let token = w.token_at(&w.ao, t(at)).await;
        let (status, alerts) = w.t.get(Some(&token), "/api/v1/alerts").await;
        assert_eq!(status, StatusCode::OK);
        let found: Vec<&str> = alerts["items"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|a| a["subject_id"] == cca_id.as_str())
            .filter_map(|a| a["kind"].as_str())
            .collect();
        assert!(
            found.contains(kind),
            "{case}: expected {kind}, got {found:?}"
        );
    }
    // Once sent, the notice no longer raises an alert.
    let token = w.token(&w.ao).await;
    let (status, sent) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/authorisations/{cca_id}/notices"),
            json!({"event": "grant"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert!(sent["commissioner_notices"][0]["sent_at"].is_string());
    let (_, alerts) = w.t.get(Some(&token), "/api/v1/alerts").await;
    assert!(
        !alerts.to_string().contains("commissioner_notice"),
        "{alerts}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn under_sixteen_needs_an_appropriate_adult_and_no_tasking_against_a_parent(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source(&born_years_ago(15, 10)).await;
    w.risk(&source).await;
    w.walk(&source, &["assessed", "in_development"]).await;
    let mut body = World::grant_body("juvenile");
    body["relationship_with_parent_or_guardian"] = json!(true);
    assert_refused(
        &w.grant(&source, body.clone()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JUVENILE_PARENT_RELATIONSHIP",
    );
    body["relationship_with_parent_or_guardian"] = json!(false);
    let (status, auth) = w.grant(&source, body).await;
    assert_eq!(status, StatusCode::CREATED, "{auth}");
    assert_eq!(auth["source_age_at_grant"], "under16");
    w.walk(&source, &["recruited"]).await;

    let token = w.token(&w.handler).await;
    let meeting = |adult: Option<serde_json::Value>| {
        let mut m = json!({"mode": "meeting", "status": "held", "purpose": "use", "officers_present": ["hana"]});
        if let Some(a) = adult {
            m["appropriate_adult"] = a;
        }
        m
    };
    let url = format!("/api/v1/sources/{source}/contacts");
    // (case, appropriate adult, expected refusal or None for accepted)
    let cases: &[(&str, Option<serde_json::Value>, Option<&str>)] = &[
        ("no adult", None, Some("JUVENILE_APPROPRIATE_ADULT")),
        (
            "independent adult employed by the authority",
            Some(
                json!({"category": "independent_adult", "employed_by_or_member_of_authority": true}),
            ),
            Some("JUVENILE_APPROPRIATE_ADULT"),
        ),
        (
            "a parent",
            Some(
                json!({"category": "parent_or_guardian", "employed_by_or_member_of_authority": false}),
            ),
            None,
        ),
    ];
    for (case, adult, refusal) in cases {
        let answer =
            w.t.post_json(Some(&token), &url, meeting(adult.clone()))
                .await;
        match refusal {
            Some(code) => assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, code),
            None => assert_eq!(answer.0, StatusCode::CREATED, "{case}: {}", answer.1),
        }
    }
    let requirement = w.requirement().await;
    let token = w.token(&w.handler).await;
    let answer = w.t.post_json(Some(&token), &format!("/api/v1/sources/{source}/taskings"),
        json!({"requirement_id": requirement, "instructions": "ask your father", "against_parent_or_guardian": true})).await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JUVENILE_PARENT_TASKING",
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn roles_are_suited_distinct_and_kept_as_history(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // Only a controller can control and only a handler handle, so an authorising officer can
    // never hold the roles that would make a grant self-authorisation; record-keeping is
    // allowed and does not bar them from authorising.
    let source = w.source("1980-01-01").await;
    w.risk(&source).await;
    let token = w.token(&w.controller).await;
    let answer =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/roles"),
            json!({"role": "controller", "officer": "ada"}),
        )
        .await;
    assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "ROLE_UNSUITABLE");
    let (status, roles) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/roles"),
            json!({"role": "record_keeper", "officer": "ada"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{roles}");
    assert_eq!(
        roles.as_array().map(Vec::len),
        Some(4),
        "the old record-keeper's period is kept: {roles}"
    );
    let answer =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/roles"),
            json!({"role": "record_keeper", "officer": "hana"}),
        )
        .await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ROLES_NOT_DISTINCT",
    );
    let (status, auth) = w.grant(&source, World::grant_body("standard")).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a record-keeper may still authorise: {auth}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn criminal_conduct_falls_with_the_authorisation_it_rests_on(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, parent) = w.recruited("1980-01-01").await;
    let parent_id = parent["id"].as_str().expect("id").to_owned();
    let mut body = World::grant_body("criminal_conduct");
    body["parent_id"] = parent["id"].clone();
    body["ground"] = json!("preventing_or_detecting_crime_or_disorder");
    w.t.clock.advance(chrono::Duration::days(30));
    let (status, cca) = w.grant(&source, body).await;
    assert_eq!(status, StatusCode::CREATED, "{cca}");
    // Granted later for the same twelve months, it still ends when its base does.
    assert_eq!(cca["expires_at"], parent["expires_at"], "{cca}");
    let cca_id = cca["id"].as_str().expect("id").to_owned();

    let ao = w.token(&w.ao).await;
    let (status, cancelled) = w
        .t
        .post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{parent_id}/cancellation"),
            json!({"reasons": "No longer necessary.", "welfare_plan": "Welfare calls for three months."}),
        )
        .await;
    assert!(status.is_success(), "{status} {cancelled}");
    // The criminal conduct resting on it is cancelled too, saying why, at the same instant.
    let (status, cca) =
        w.t.get(Some(&ao), &format!("/api/v1/authorisations/{cca_id}"))
            .await;
    assert_eq!(status, StatusCode::OK, "{cca}");
    assert_eq!(cca["status"], "cancelled", "{cca}");
    assert_eq!(
        cca["cancellation"]["cancelled_at"], cancelled["cancellation"]["cancelled_at"],
        "{cca}"
    );
    let reasons = cca["cancellation"]["reasons"].as_str().expect("reasons");
    assert!(
        reasons.contains(&parent_id) && reasons.contains("No longer necessary."),
        "{reasons}"
    );
    // Its cancellation owes the Judicial Commissioner a notice of its own (s.32C).
    let owed: Vec<&str> = cca["commissioner_notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(|n| n["event"].as_str())
        .collect();
    assert_eq!(owed, ["grant", "cancellation"], "{cca}");
    // Tasking on the source is now refused: nothing it rests on is in force.
    let requirement = w.requirement().await;
    let (status, refused) = w.task(&source, &requirement).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
}
