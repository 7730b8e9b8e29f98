//! The deployment's payment approval thresholds: read by every officer, set by an admin (over
//! the API or `humint settings payments`), checked before they are stored, audited with the new
//! figures, and applied to the next payment on every server at once.

use super::World;
use crate::harness::assert_refused;
use humint_core::FixedClock;
use humint_core::handling::PaymentPolicy;
use humint_station::Principal;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const PATH: &str = "/api/v1/settings/payments";

async fn put(w: &World, token: &str, body: Value) -> (StatusCode, Value) {
    w.t.send(w.t.client.put(w.t.url(PATH)).bearer_auth(token).json(&body))
        .await
}

async fn pay(w: &World, token: &str, source: &str, amount: u64) -> (StatusCode, Value) {
    w.t.post_json(
        Some(token),
        &format!("/api/v1/sources/{source}/payments"),
        json!({"kind": "payment", "amount_minor": amount, "purpose": "travel expenses"}),
    )
    .await
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_admin_sets_the_payment_thresholds_and_the_next_payment_follows_them(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-04-01").await;
    let handler = w.token(&w.handler).await;

    // Before any setting: the defaults, shown to a handler.
    let (status, policy) = w.t.get(Some(&handler), PATH).await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    assert_eq!(
        policy,
        json!({"single_payment_threshold_minor": 50_000, "yearly_threshold_minor": 500_000})
    );
    let (_, p) = pay(&w, &handler, &source, 80_000).await;
    assert_eq!(p["needs_approval"], json!(true), "{p}");
    let waiting = p["id"].as_str().expect("id").to_owned();
    let controller = w.token(&w.controller).await;
    let awaiting = || async {
        let (_, body) =
            w.t.get(
                Some(&controller),
                "/api/v1/alerts?kind=payment_awaiting_approval",
            )
            .await;
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|a| a["subject_id"].as_str().expect("subject").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(awaiting().await, std::slice::from_ref(&waiting));

    // Only an admin sets them; a refused or inconsistent policy changes nothing.
    let raised =
        json!({"single_payment_threshold_minor": 100_000, "yearly_threshold_minor": 1_000_000});
    assert_refused(
        &put(&w, &handler, raised.clone()).await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    let admin = w.t.login(&w.t.admin).await;
    let (status, body) = put(
        &w,
        &admin,
        json!({"single_payment_threshold_minor": 1_000_001, "yearly_threshold_minor": 1_000_000}),
    )
    .await;
    assert_refused(
        &(status, body.clone()),
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_POLICY_INVALID",
    );
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("above the yearly threshold")),
        "{body}"
    );
    assert_refused(
        &put(
            &w,
            &admin,
            json!({"single_payment_threshold_minor": 100_000, "yearly_threshold_minor": u64::MAX}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_POLICY_INVALID",
    );
    let (_, unchanged) = w.t.get(Some(&handler), PATH).await;
    assert_eq!(unchanged, policy, "a refused policy leaves the old one");

    // A second server opened now, under the defaults.
    let other = w.t.another_server(FixedClock::new(w.now()), 31).await;

    let before = w.t.station.store().audit_last_seq().await.expect("last");
    let (status, set) = put(&w, &admin, raised.clone()).await;
    assert_eq!((status, &set), (StatusCode::OK, &raised), "{set}");
    let events =
        w.t.station
            .store()
            .audit_events(before, 100)
            .await
            .expect("events");
    let changes: Vec<&str> = events
        .iter()
        .filter(|e| e.event.action == "settings.payments.change")
        .map(|e| e.event.object_id.as_str())
        .collect();
    assert_eq!(changes, ["payments: single 100000, yearly 1000000"]);

    // The unpaid payment that waited for approval under the old figures no longer does.
    assert_eq!(awaiting().await, Vec::<String>::new());

    // The next payment is judged by the new figures, at the exact boundary.
    let (_, p) = pay(&w, &handler, &source, 100_000).await;
    assert_eq!(p["needs_approval"], json!(false), "at the threshold: {p}");
    let at = p["id"].as_str().expect("id").to_owned();
    let (_, p) = pay(&w, &handler, &source, 100_001).await;
    assert_eq!(p["needs_approval"], json!(true), "above it: {p}");
    let above = p["id"].as_str().expect("id").to_owned();
    assert_eq!(awaiting().await, std::slice::from_ref(&above));

    // Another server on the same database, opened before the change, applies them without a
    // restart: to its decisions and to the alerts its writes schedule.
    let lowered = PaymentPolicy {
        single_payment_threshold_minor: 20_000,
        yearly_threshold_minor: 1_000_000,
    };
    other
        .set_payment_policy(&Principal::system(), lowered)
        .await
        .expect("set on the other server");
    assert_eq!(w.t.station.payment_policy().await.expect("policy"), lowered);
    let mut expected = vec![waiting, at, above];
    expected.sort();
    let mut now_awaiting = awaiting().await;
    now_awaiting.sort();
    assert_eq!(
        now_awaiting, expected,
        "every unpaid payment is above 20,000"
    );
    // This server's scheduler, installed under the defaults (50,000), schedules by 20,000.
    let (_, p) = pay(&w, &handler, &source, 30_000).await;
    assert_eq!(p["needs_approval"], json!(true), "{p}");
    let thirty = p["id"].as_str().expect("id").to_owned();
    assert!(awaiting().await.contains(&thirty), "30,000 awaits approval");
}
