//! Risk assessments kept current (compliance.md §1.13), over real HTTP on both backends: a
//! founded concern bearing on risk and a tasking issued after the latest assessment each raise
//! an alert, from the finding or the issue until a risk assessment recorded at or after it (or,
//! for a tasking, until it ends), and the home page sends the officer to the assessment form.

use crate::handling::{World, born_years_ago};
use crate::harness::assert_refused;
use crate::ui::Browser;
use chrono::{DateTime, Duration, Utc};
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const AFTER_CONCERN: &str = "risk_assessment_after_concern";
const BEHIND_TASKING: &str = "risk_assessment_behind_tasking";

/// The caller's alerts of `kind` in force at `at`, checking the count the page gives for it.
async fn alerts_of(w: &World, token: &str, kind: &str, at: DateTime<Utc>) -> Vec<Value> {
    w.t.clock.set(at);
    let (status, body) =
        w.t.get(
            Some(token),
            &format!("/api/v1/alerts?kind={kind}&limit=500"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().expect("items").clone();
    assert!(items.iter().all(|a| a["kind"] == kind), "{body}");
    let counted = body["counts"][kind].as_i64().unwrap_or(0);
    assert_eq!(counted, items.len() as i64, "{body}");
    items
}

/// Records a complete risk assessment of `source` by the token's officer, at the clock's time.
async fn assess(w: &World, token: &str, source: &str) {
    let (status, body) =
        w.t.post_json(
            Some(token),
            &format!("/api/v1/sources/{source}/risk-assessments"),
            json!({
                "level": "high",
                "security_and_welfare": "Reassessed after the concern: the source's cover is strained.",
                "mitigations": "Meetings moved; weekly welfare call by the controller.",
                "explained_to_source": true,
                "understood_by_source": true,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn raise(w: &World, token: &str, source: &str, category: &str) -> String {
    let (status, body) =
        w.t.post_json(
            Some(token),
            &format!("/api/v1/sources/{source}/concerns"),
            json!({"category": category, "account": format!("A {category} concern: the source was seen with the target's driver.")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

async fn review(w: &World, token: &str, concern: &str, finding: &str) {
    let (status, body) =
        w.t.post_json(
            Some(token),
            &format!("/api/v1/concerns/{concern}/review"),
            json!({"finding": finding, "note": "Looked into with the handler."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Whether the source's concern `id` still asks for the risk assessment to be reviewed, and
/// the sentence that asks it.
async fn review_asked(w: &World, token: &str, source: &str, id: &str) -> (Value, Value) {
    let (status, list) =
        w.t.get(Some(token), &format!("/api/v1/sources/{source}/concerns"))
            .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let c = list
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("no concern {id}: {list}"));
    (
        c["risk_assessment_review_required"].clone(),
        c["action"].clone(),
    )
}

async fn codename(w: &World, token: &str, source: &str) -> String {
    let (status, body) =
        w.t.get(Some(token), &format!("/api/v1/sources/{source}"))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["codename"].as_str().expect("codename").to_owned()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_founded_concern_alerts_until_the_risks_are_reassessed(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let raised_at = w.now() + Duration::hours(1);
    let handler = w.token_at(&w.handler, raised_at).await;
    let name = codename(&w, &handler, &source).await;
    let welfare = raise(&w, &handler, &source, "welfare").await;
    let conduct = raise(&w, &handler, &source, "conduct").await;
    let circumstances = raise(&w, &handler, &source, "circumstances").await;

    let found = raised_at + Duration::hours(1);
    let controller = w.token_at(&w.controller, found).await;
    review(&w, &controller, &welfare, "founded").await;
    // A founded concern about conduct alone, and an unfounded one, raise nothing.
    review(&w, &controller, &conduct, "founded").await;
    review(&w, &controller, &circumstances, "unfounded").await;

    assert!(
        alerts_of(
            &w,
            &controller,
            AFTER_CONCERN,
            found - Duration::milliseconds(1)
        )
        .await
        .is_empty()
    );
    for token in [&controller, &handler] {
        let raised = alerts_of(&w, token, AFTER_CONCERN, found).await;
        assert_eq!(raised.len(), 1, "{raised:?}");
        let a = &raised[0];
        assert_eq!(a["severity"], "source_safety");
        assert_eq!(a["subject_type"], "concern");
        assert_eq!(a["subject_id"], welfare.as_str());
        assert_eq!(a["source_id"], source.as_str());
        assert_eq!(
            a["message"],
            format!(
                "{name}: a concern about the source's welfare was found founded on {}; reassess the source's risks and record a new risk assessment.",
                found.date_naive()
            )
        );
    }
    // The concern itself says the risk assessment must be reviewed.
    let (asked, action) = review_asked(&w, &controller, &source, &welfare).await;
    assert_eq!(asked, json!(true));
    assert_eq!(
        action,
        json!("The concern was found founded: the source's risk assessment must be reviewed.")
    );
    // The concerns themselves are reviewed: no concern_open alert stands.
    let (_, all) = w.t.get(Some(&controller), "/api/v1/alerts?limit=500").await;
    assert!(all["counts"]["concern_open"].is_null(), "{all}");

    // The controller's home page sends them to the risk assessment form.
    let page = Browser::sign_in(&w.t, &w.controller).await;
    let form = format!("href=\"/sources/{source}/risk/new\"");
    let home = page.get("/").await;
    assert!(home.body.contains(&form), "{}", home.body);
    assert!(
        home.body.contains("Record a risk assessment"),
        "{}",
        home.body
    );

    // Reassessed two days later: in force until that instant, gone from it.
    let redone = found + Duration::days(2);
    let controller = w
        .token_at(&w.controller, redone - Duration::minutes(10))
        .await;
    let handler = w.token_at(&w.handler, redone).await;
    assess(&w, &handler, &source).await;
    assert_eq!(
        alerts_of(
            &w,
            &controller,
            AFTER_CONCERN,
            redone - Duration::milliseconds(1)
        )
        .await
        .len(),
        1
    );
    assert!(
        alerts_of(&w, &controller, AFTER_CONCERN, redone)
            .await
            .is_empty()
    );
    let page = Browser::sign_in(&w.t, &w.controller).await;
    assert!(!page.get("/").await.body.contains(&form));
    // And the concern no longer asks for it.
    let (asked, action) = review_asked(&w, &controller, &source, &welfare).await;
    assert_eq!((asked, action), (json!(false), Value::Null));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_assessment_at_the_finding_clears_it_and_one_a_millisecond_before_does_not(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (early, _) = w.recruited(&born_years_ago(35, 0)).await;
    let (exact, _) = w.recruited(&born_years_ago(36, 0)).await;
    let start = w.now() + Duration::hours(1);
    let handler = w.token_at(&w.handler, start).await;
    let early_concern = raise(&w, &handler, &early, "coercion").await;
    let exact_concern = raise(&w, &handler, &exact, "coercion").await;
    let found = start + Duration::hours(1);
    let controller = w
        .token_at(&w.controller, found - Duration::minutes(10))
        .await;

    w.t.clock.set(found - Duration::milliseconds(1));
    assess(&w, &handler, &early).await;
    w.t.clock.set(found);
    review(&w, &controller, &early_concern, "founded").await;
    review(&w, &controller, &exact_concern, "founded").await;
    assess(&w, &handler, &exact).await;

    for at in [found, found + Duration::hours(1)] {
        let left = alerts_of(&w, &controller, AFTER_CONCERN, at).await;
        assert_eq!(left.len(), 1, "at {at}: {left:?}");
        assert_eq!(left[0]["source_id"], early.as_str());
        assert_eq!(left[0]["subject_id"], early_concern.as_str());
        assert_eq!(left[0]["severity"], "source_safety");
        assert!(
            left[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("coerced")),
            "{left:?}"
        );
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_task_given_after_the_latest_assessment_warns_until_reassessed_or_ended(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited(&born_years_ago(40, 0)).await;
    let requirement = w.requirement().await;
    let issued = w.now() + Duration::hours(1);
    let controller = w
        .token_at(&w.controller, issued - Duration::minutes(10))
        .await;
    let handler = w.token_at(&w.handler, issued).await;
    let name = codename(&w, &handler, &source).await;
    let task = |instructions: &'static str| {
        let (w, handler, source, requirement) = (&w, &handler, &source, &requirement);
        async move {
            let (status, body) =
                w.t.post_json(
                    Some(handler),
                    &format!("/api/v1/sources/{source}/taskings"),
                    json!({"requirement_id": requirement, "instructions": instructions}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_str().expect("id").to_owned()
        }
    };
    let status = |id: String, to: &'static str, note: &'static str| {
        let (w, handler) = (&w, &handler);
        async move {
            let (status, body) =
                w.t.post_json(
                    Some(handler),
                    &format!("/api/v1/taskings/{id}/status"),
                    json!({"to": to, "note": note}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };

    let first = task("Note the vehicles used at the depot.").await;
    assert!(
        alerts_of(
            &w,
            &controller,
            BEHIND_TASKING,
            issued - Duration::milliseconds(1)
        )
        .await
        .is_empty()
    );
    let raised = alerts_of(&w, &controller, BEHIND_TASKING, issued).await;
    assert_eq!(raised.len(), 1, "{raised:?}");
    let a = &raised[0];
    assert_eq!(a["severity"], "warning");
    assert_eq!(a["subject_type"], "tasking");
    assert_eq!(a["subject_id"], first.as_str());
    assert_eq!(a["source_id"], source.as_str());
    assert_eq!(
        a["message"],
        format!(
            "{name}: a task given on {} came after the latest risk assessment; record a risk assessment that weighs the risk of this task.",
            issued.date_naive()
        )
    );
    // The handler's home page sends them to the risk assessment form.
    let page = Browser::sign_in(&w.t, &w.handler).await;
    let home = page.get("/").await;
    assert!(
        home.body
            .contains(&format!("href=\"/sources/{source}/risk/new\"")),
        "{}",
        home.body
    );

    // Acknowledged, it is still asked of the source; withdrawn, the alert ends.
    let acked = issued + Duration::minutes(20);
    w.t.clock.set(acked);
    status(first.clone(), "acknowledged", "Agreed at the meeting.").await;
    assert_eq!(
        alerts_of(&w, &controller, BEHIND_TASKING, acked)
            .await
            .len(),
        1
    );
    let withdrawn = issued + Duration::minutes(40);
    w.t.clock.set(withdrawn);
    status(first, "withdrawn", "The depot closed.").await;
    assert!(
        alerts_of(&w, &controller, BEHIND_TASKING, withdrawn)
            .await
            .is_empty()
    );

    // A task and an assessment at the same instant: the assessment weighs it.
    let same = issued + Duration::hours(1);
    w.t.clock.set(same);
    task("Photograph the depot's new gate.").await;
    assess(&w, &handler, &source).await;
    assert!(
        alerts_of(&w, &controller, BEHIND_TASKING, same)
            .await
            .is_empty()
    );

    // A task given a millisecond after the latest assessment warns until the next one.
    let next = same + Duration::milliseconds(1);
    w.t.clock.set(next);
    let third = task("List who visits the depot at night.").await;
    let listed = alerts_of(&w, &controller, BEHIND_TASKING, next).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["subject_id"], third.as_str());
    let reassessed = same + Duration::hours(2);
    w.t.clock.set(reassessed);
    assess(&w, &handler, &source).await;
    assert_eq!(
        alerts_of(
            &w,
            &controller,
            BEHIND_TASKING,
            reassessed - Duration::milliseconds(1)
        )
        .await
        .len(),
        1
    );
    assert!(
        alerts_of(&w, &controller, BEHIND_TASKING, reassessed)
            .await
            .is_empty()
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_new_kinds_are_filters_the_station_accepts(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let controller = w.token(&w.controller).await;
    for kind in [AFTER_CONCERN, BEHIND_TASKING] {
        let (status, body) =
            w.t.get(Some(&controller), &format!("/api/v1/alerts?kind={kind}"))
                .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 0, "{body}");
    }
    let answer =
        w.t.get(
            Some(&controller),
            "/api/v1/alerts?kind=risk_assessment_stale",
        )
        .await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "INVALID_ALERT_KIND",
    );
    let body = answer.1;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains(AFTER_CONCERN) && m.contains(BEHIND_TASKING)),
        "{body}"
    );
}
