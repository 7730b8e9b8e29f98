//! `GET /api/v1/alerts` from the alert schedule: each alert appears at its exact instant with
//! no write in between (and not a millisecond before), a write that resolves one removes it at
//! once, pages return every alert exactly once with counts per kind, each caller sees only
//! what they may, bad queries are refused, and a station without the schedule (upgraded, or
//! restored from a backup without it) gets it filled.

use super::{COMPARTMENT, OTHER, World, t};
use crate::harness::{Officer, assert_refused};
use chrono::{DateTime, Duration, Utc};
use humint_core::Role;
use humint_station::{Principal, Station};
use humint_store::{AlertQuery, Backend, HandlingStore as _, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// (kind, subject id) of every alert in force for the officer at `at`, one big page, signing
/// in at `at` (each officer's sign-ins must move forward: a one-time code is never reused).
pub(crate) async fn alerts_at(
    w: &World,
    officer: &Officer,
    at: DateTime<Utc>,
) -> Vec<(String, String)> {
    let token = w.token_at(officer, at).await;
    alerts_with(w, &token, at).await
}

/// The same with a session already open (sessions last 8 hours): only the clock moves.
async fn alerts_with(w: &World, token: &str, at: DateTime<Utc>) -> Vec<(String, String)> {
    w.t.clock.set(at);
    let (status, body) = w.t.get(Some(token), "/api/v1/alerts?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["next"].is_null(), "one page holds them all: {body}");
    pairs(&body)
}

fn pairs(body: &Value) -> Vec<(String, String)> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().expect("kind").to_owned(),
                a["subject_id"].as_str().expect("subject").to_owned(),
            )
        })
        .collect()
}

fn has(found: &[(String, String)], kind: &str, subject: &str) -> bool {
    found.iter().any(|(k, s)| k == kind && s == subject)
}

fn instant(v: &Value) -> DateTime<Utc> {
    t(v.as_str().expect("an instant"))
}

/// How many alert rows the station holds: unchanged means nothing was written.
async fn schedule_rows(w: &World) -> u64 {
    // A no-op update counts the rows without changing them, on both backends.
    w.t.station
        .store()
        .execute_unchecked("UPDATE alert_schedule SET kind = kind")
        .await
        .expect("count")
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn alerts_fall_due_at_their_exact_instant_with_no_write_in_between(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, auth) = w.recruited("1980-01-01").await;
    let auth_id = auth["id"].as_str().expect("id").to_owned();
    // A held meeting whose next contact is due at an exact instant.
    let token = w.token(&w.handler).await;
    let next_due = w.now() + Duration::days(10) + Duration::milliseconds(1234);
    let (status, contact) = w
        .t
        .post_json(
            Some(&token),
            &format!("/api/v1/sources/{source}/contacts"),
            json!({"mode": "meeting", "status": "held", "purpose": "use", "officers_present": ["hana"],
                   "next_contact_due": next_due.to_rfc3339(), "notes": "Fine."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    let rows = schedule_rows(&w).await;

    let review_due = instant(&auth["next_review_due"]);
    let expires = instant(&auth["expires_at"]);
    let ms = Duration::milliseconds(1);
    // (instant, kind, subject, expected in force)
    let cases: Vec<(DateTime<Utc>, &str, &str, bool)> = vec![
        (next_due - ms, "contact_overdue", &source, false),
        (next_due, "contact_overdue", &source, true),
        (
            review_due - Duration::days(7) - ms,
            "review_due",
            &auth_id,
            false,
        ),
        (review_due - Duration::days(7), "review_due", &auth_id, true),
        (review_due - ms, "review_overdue", &auth_id, false),
        (review_due, "review_overdue", &auth_id, true),
        (review_due, "review_due", &auth_id, false),
        (
            expires - Duration::days(28) - ms,
            "authorisation_expiring",
            &auth_id,
            false,
        ),
        (
            expires - Duration::days(28),
            "authorisation_expiring",
            &auth_id,
            true,
        ),
        (expires - ms, "authorisation_expired", &auth_id, false),
        (expires, "authorisation_expired", &auth_id, true),
        (expires, "authorisation_expiring", &auth_id, false),
    ];
    let mut cases = cases;
    cases.sort_by_key(|c| c.0);
    let mut session: Option<(DateTime<Utc>, String)> = None;
    for (at, kind, subject, expected) in cases {
        // A new session only when the last is hours old; signing in writes no handling record.
        let token = match &session {
            Some((since, token)) if at - *since < Duration::hours(1) => token.clone(),
            _ => {
                let token = w.token_at(&w.controller, at - Duration::minutes(1)).await;
                session = Some((at - Duration::minutes(1), token.clone()));
                token
            }
        };
        let found = alerts_with(&w, &token, at).await;
        assert_eq!(
            has(&found, kind, subject),
            expected,
            "{kind} at {at}: {found:?}"
        );
    }
    // The window reached is the one named.
    let token = w.token_at(&w.controller, expires + Duration::days(1)).await;
    w.t.clock.set(expires - Duration::days(7));
    let (_, body) =
        w.t.get(Some(&token), "/api/v1/alerts?kind=authorisation_expiring")
            .await;
    assert_eq!(body["items"][0]["within_days"], 7, "{body}");
    assert_eq!(body["items"][0]["severity"], "critical", "{body}");
    assert_eq!(
        schedule_rows(&w).await,
        rows,
        "reading alerts writes nothing"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_write_that_resolves_an_alert_removes_it_at_once(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, auth) = w.recruited("1980-01-01").await;
    let auth_id = auth["id"].as_str().expect("id").to_owned();
    let review_due = instant(&auth["next_review_due"]);

    // A review recorded once overdue: the overdue alert goes, in the same call.
    let late = review_due + Duration::hours(10);
    let ao = w.token_at(&w.ao, late).await;
    assert!(has(
        &alerts_with(&w, &ao, late).await,
        "review_overdue",
        &auth_id
    ));
    let (status, reviewed) = w
        .t
        .post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{auth_id}/reviews"),
            json!({"use_made": "Weekly meetings", "tasks_given": "Supply route", "information_obtained": "Van",
                   "necessity_still_met": true, "proportionality_still_met": true, "arrangements_still_met": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    let (_, body) = w.t.get(Some(&ao), "/api/v1/alerts?limit=500").await;
    let found = pairs(&body);
    assert!(!has(&found, "review_overdue", &auth_id), "{found:?}");
    assert!(!has(&found, "review_due", &auth_id), "{found:?}");

    // A missed contact, then an overdue one: both source-safety alerts go when one is held.
    let handler = w.token(&w.handler).await;
    let next_due = w.now() + Duration::days(3);
    for (status_text, extra) in [
        ("held", json!({"next_contact_due": next_due.to_rfc3339()})),
        ("missed", json!({})),
    ] {
        let mut body = json!({"mode": "meeting", "status": status_text, "purpose": "use", "officers_present": ["hana"]});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let (status, c) =
            w.t.post_json(
                Some(&handler),
                &format!("/api/v1/sources/{source}/contacts"),
                body,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{c}");
        // The missed one an hour after the held one.
        w.t.clock.set(w.now() + Duration::hours(1));
    }
    let overdue_at = next_due + Duration::hours(1);
    let handler = w.token_at(&w.handler, overdue_at).await;
    let found = alerts_with(&w, &handler, overdue_at).await;
    assert!(has(&found, "contact_overdue", &source), "{found:?}");
    assert!(
        found.iter().any(|(k, _)| k == "contact_missed"),
        "{found:?}"
    );
    // Source safety first: the missed contact (due earlier), then the overdue one.
    assert_eq!(
        (found[0].0.as_str(), found[1].0.as_str()),
        ("contact_missed", "contact_overdue"),
        "{found:?}"
    );
    let (status, c) = w
        .t
        .post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/contacts"),
            json!({"mode": "meeting", "status": "held", "purpose": "welfare", "officers_present": ["hana"],
                   "next_contact_due": (overdue_at + Duration::days(7)).to_rfc3339()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let (_, body) = w.t.get(Some(&handler), "/api/v1/alerts?limit=500").await;
    let found = pairs(&body);
    assert!(
        !found
            .iter()
            .any(|(k, _)| k == "contact_overdue" || k == "contact_missed"),
        "{found:?}"
    );

    // A payment above the threshold waits for the controller until approved.
    let (status, payment) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/payments"),
            json!({"kind": "payment", "amount_minor": 80_000, "purpose": "expenses and reward"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    let payment_id = payment["id"].as_str().expect("id").to_owned();
    let controller = w.token(&w.controller).await;
    let (_, body) =
        w.t.get(
            Some(&controller),
            "/api/v1/alerts?kind=payment_awaiting_approval",
        )
        .await;
    assert!(
        has(&pairs(&body), "payment_awaiting_approval", &payment_id),
        "{body}"
    );
    let (status, _) =
        w.t.post_json(
            Some(&controller),
            &format!("/api/v1/payments/{payment_id}/approval"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = w.t.get(Some(&controller), "/api/v1/alerts").await;
    assert!(
        !has(&pairs(&body), "payment_awaiting_approval", &payment_id),
        "{body}"
    );
    assert!(
        body["counts"]["payment_awaiting_approval"].is_null(),
        "{body}"
    );

    // A review finding the authorisation no longer justified: cancellation required, until
    // it is cancelled.
    let ao = w.token(&w.ao).await;
    let (status, reviewed) = w
        .t
        .post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{auth_id}/reviews"),
            json!({"use_made": "Weekly meetings", "tasks_given": "Supply route", "information_obtained": "Nothing",
                   "necessity_still_met": false, "proportionality_still_met": true, "arrangements_still_met": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    let (_, body) = w.t.get(Some(&ao), "/api/v1/alerts").await;
    assert!(
        has(&pairs(&body), "cancellation_required", &auth_id),
        "{body}"
    );
    let (status, cancelled) = w
        .t
        .post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{auth_id}/cancellation"),
            json!({"reasons": "No longer necessary.", "welfare_plan": "Welfare calls for three months."}),
        )
        .await;
    assert!(status.is_success(), "{status} {cancelled}");
    let (_, body) = w.t.get(Some(&ao), "/api/v1/alerts").await;
    assert!(
        !has(&pairs(&body), "cancellation_required", &auth_id),
        "{body}"
    );
}

/// Three recruited sources and a requirement, far enough on that each has several alerts.
async fn busy_world(backend: Backend) -> Option<(World, Vec<String>, DateTime<Utc>)> {
    let w = World::new(backend).await?;
    let mut sources = Vec::new();
    for _ in 0..3 {
        let (source, _) = w.recruited("1980-01-01").await;
        let handler = w.token(&w.handler).await;
        for status in ["missed", "missed"] {
            let (s, c) = w
                .t
                .post_json(
                    Some(&handler),
                    &format!("/api/v1/sources/{source}/contacts"),
                    json!({"mode": "call", "status": status, "purpose": "welfare", "officers_present": ["hana"]}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{c}");
        }
        sources.push(source);
    }
    w.requirement().await;
    // Past every review, into the last 28 days, past the requirement's review-by.
    let at = t("2028-02-20T12:00:00Z");
    Some((w, sources, at))
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn pages_return_every_alert_exactly_once_with_counts(#[case] backend: Backend) {
    let Some((w, _, at)) = busy_world(backend).await else {
        return;
    };
    let token = w.token_at(&w.controller, at).await;
    let all = alerts_with(&w, &token, at).await;
    let (_, whole) = w.t.get(Some(&token), "/api/v1/alerts?limit=500").await;
    assert!(all.len() >= 10, "{all:?}");
    assert_eq!(whole["total"], all.len(), "{whole}");
    let counted: i64 = whole["counts"]
        .as_object()
        .expect("counts")
        .values()
        .filter_map(Value::as_i64)
        .sum();
    assert_eq!(counted, all.len() as i64);
    for kind in [
        "contact_missed",
        "authorisation_expired",
        "requirement_review_overdue",
    ] {
        assert!(
            whole["counts"][kind].as_i64().is_some_and(|n| n > 0),
            "{kind}: {whole}"
        );
    }
    // Two at a time, through `cursor`, in the same order as the one big page.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/alerts?limit=2&cursor={c}"),
            None => "/api/v1/alerts?limit=2".to_owned(),
        };
        let (status, page) = w.t.get(Some(&token), &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            page["counts"], whole["counts"],
            "counts do not depend on the page"
        );
        paged.extend(pairs(&page));
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(paged.len() <= all.len(), "paging does not end");
    }
    assert_eq!(paged, all);
    let unique: BTreeSet<&(String, String)> = paged.iter().collect();
    assert_eq!(unique.len(), paged.len(), "no alert twice");
    // Most urgent first.
    let rank = |s: &str| match s {
        "source_safety" => 3,
        "critical" => 2,
        "warning" => 1,
        _ => 0,
    };
    let severities: Vec<i32> = whole["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| rank(a["severity"].as_str().unwrap_or_default()))
        .collect();
    assert!(
        severities.windows(2).all(|p| p[0] >= p[1]),
        "{severities:?}"
    );
    // A kind filter returns exactly that kind's count.
    let (_, missed) =
        w.t.get(Some(&token), "/api/v1/alerts?kind=contact_missed&limit=500")
            .await;
    let items = missed["items"].as_array().expect("items");
    assert_eq!(
        Some(items.len() as i64),
        whole["counts"]["contact_missed"].as_i64()
    );
    assert!(items.iter().all(|a| a["kind"] == "contact_missed"));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn each_caller_sees_only_the_alerts_they_may(#[case] backend: Backend) {
    let Some((w, sources, at)) = busy_world(backend).await else {
        return;
    };
    let other_handler = w.t.officer("hugo", Role::Handler, &[COMPARTMENT]).await;
    let stranger = w.t.officer("bob", Role::Controller, &[OTHER]).await;
    let everyone = alerts_at(&w, &w.controller, at).await;
    let about_sources: Vec<_> = everyone
        .iter()
        .filter(|(k, _)| k != "requirement_review_overdue")
        .cloned()
        .collect();
    assert!(!about_sources.is_empty());
    // The sources' handler sees all of it.
    assert_eq!(alerts_at(&w, &w.handler, at).await, everyone);
    // Another handler of the compartment: only what is about no source.
    let theirs = alerts_at(&w, &other_handler, at).await;
    assert!(
        theirs
            .iter()
            .all(|(k, _)| k == "requirement_review_overdue"),
        "{theirs:?}"
    );
    assert!(!theirs.is_empty());
    // The analyst: requirements, never the handling of sources.
    let analyst = alerts_at(&w, &w.analyst, at).await;
    assert!(
        analyst
            .iter()
            .all(|(k, _)| k == "requirement_review_overdue"),
        "{analyst:?}"
    );
    // Someone not read into the compartment: nothing of it, not even counts.
    let token = w.token_at(&stranger, at).await;
    let (status, body) = w.t.get(Some(&token), "/api/v1/alerts").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"], json!([]), "{body}");
    assert_eq!(body["counts"], json!({}), "{body}");
    assert_eq!(body["total"], 0);
    for s in &sources {
        assert!(!body.to_string().contains(s.as_str()));
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn bad_alert_queries_are_refused(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let token = w.token(&w.controller).await;
    for (path, code) in [
        ("/api/v1/alerts?limit=0", "INVALID_PAGE"),
        ("/api/v1/alerts?limit=501", "INVALID_PAGE"),
        ("/api/v1/alerts?cursor=nonsense", "INVALID_PAGE"),
        ("/api/v1/alerts?after=3~x~y", "INVALID_PAGE"),
        ("/api/v1/alerts?kind=everything", "INVALID_ALERT_KIND"),
    ] {
        let answer = w.t.get(Some(&token), path).await;
        assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, code);
    }
    let (status, body) = w.t.get(None, "/api/v1/alerts").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

/// The alerts in force at `at_ms` for a user, straight from a store (a restored station has no
/// server in these tests).
async fn stored_alerts(station: &Station, username: &str, at_ms: i64) -> Vec<String> {
    let user = station
        .store()
        .user_by_name(username)
        .await
        .expect("read")
        .expect("user");
    let page = station
        .store()
        .alert_page(&AlertQuery {
            reader: user.id,
            handled_by: None,
            about_sources: true,
            keeps_register: true,
            now_ms: at_ms,
            kind: None,
            after: None,
            limit: 500,
        })
        .await
        .expect("alerts");
    page.rows.into_iter().map(|r| r.doc).collect()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_station_without_the_schedule_gets_it_filled(#[case] backend: Backend) {
    let Some((w, _, at)) = busy_world(backend).await else {
        return;
    };
    let at_ms = at.timestamp_millis();
    let token = w.token_at(&w.controller, at).await;
    let before = alerts_with(&w, &token, at).await;
    let stored = stored_alerts(&w.t.station, "carl", at_ms).await;
    assert_eq!(stored.len(), before.len());
    let store = w.t.station.store();

    // A backup carries the schedule; restored elsewhere, the same alerts.
    let file = w.t.dir.path().join("with.backup");
    w.t.station
        .backup_to(&Principal::system(), &file)
        .await
        .expect("backup");
    let (restored, _db1) = w.t.restore_elsewhere(backend, &file, "with").await;
    assert_eq!(stored_alerts(&restored, "carl", at_ms).await, stored);

    // A station from before the schedule (its rows and marker gone) fills it at open.
    store
        .execute_unchecked("DELETE FROM alert_schedule")
        .await
        .expect("delete");
    store
        .execute_unchecked("DELETE FROM alert_schedule_meta")
        .await
        .expect("delete");
    assert!(stored_alerts(&w.t.station, "carl", at_ms).await.is_empty());
    let file = w.t.dir.path().join("without.backup");
    w.t.station
        .backup_to(&Principal::system(), &file)
        .await
        .expect("backup");
    let reopened = w.t.another_server(w.t.clock.clone(), 7).await;
    assert!(reopened.store().alert_schedule_built().await.expect("read"));
    assert_eq!(alerts_with(&w, &token, at).await, before);
    reopened.store().close().await;

    // A backup without the schedule restores with it rebuilt.
    let (restored, _db2) = w.t.restore_elsewhere(backend, &file, "without").await;
    assert_eq!(stored_alerts(&restored, "carl", at_ms).await, stored);
}

/// The source ids of the alerts in force for a session at `at` (none: about no source).
async fn alert_sources_at(w: &World, token: &str, at: DateTime<Utc>) -> Vec<Option<String>> {
    w.t.clock.set(at);
    let (status, body) = w.t.get(Some(token), "/api/v1/alerts?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["source_id"].as_str().map(str::to_owned))
        .collect()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_handover_moves_the_sources_alerts_to_the_new_handler_at_once(#[case] backend: Backend) {
    let Some((w, sources, at)) = busy_world(backend).await else {
        return;
    };
    let hugo = w.t.officer("hugo", Role::Handler, &[COMPARTMENT]).await;
    let moved = &sources[0];
    let (hana, hugo, carl) = (
        w.token_at(&w.handler, at).await,
        w.token_at(&hugo, at).await,
        w.token_at(&w.controller, at).await,
    );
    let before = alert_sources_at(&w, &hana, at).await;
    assert!(before.contains(&Some(moved.clone())), "{before:?}");
    assert!(
        alert_sources_at(&w, &hugo, at)
            .await
            .iter()
            .all(Option::is_none)
    );

    let (status, roles) =
        w.t.post_json(
            Some(&carl),
            &format!("/api/v1/sources/{moved}/roles"),
            json!({"role": "handler", "officer": "hugo"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{roles}");

    // The same instant, no other write: the new handler sees the source's alerts and only
    // those; the old one no longer does, and keeps the other sources'.
    let theirs = alert_sources_at(&w, &hugo, at).await;
    let about_moved = theirs.iter().filter(|s| s.as_ref() == Some(moved)).count();
    assert_eq!(
        about_moved,
        before.iter().filter(|s| s.as_ref() == Some(moved)).count(),
        "{theirs:?}"
    );
    assert!(theirs.iter().flatten().all(|s| s == moved), "{theirs:?}");
    let kept = alert_sources_at(&w, &hana, at).await;
    assert!(!kept.contains(&Some(moved.clone())), "{kept:?}");
    for s in &sources[1..] {
        assert!(kept.contains(&Some(s.clone())), "{kept:?}");
    }
    // The controller still sees everything.
    assert_eq!(alert_sources_at(&w, &carl, at).await.len(), before.len());
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn error_report_alerts_reach_the_register_keepers_and_turn_overdue_at_the_deadline(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    let controller = w.token(&w.controller).await;
    let record = |established: Option<&str>| {
        let mut body = json!({
            "compartment": COMPARTMENT,
            "source_id": source,
            "description": "Meeting held after the authorisation expired.",
            "identified_at": "2026-03-02T08:00:00Z",
        });
        if let Some(at) = established {
            body["established_at"] = json!(at);
        }
        body
    };
    // One on suspicion (no deadline, no alert), one established at once.
    let mut ids = Vec::new();
    for established in [None, Some("2026-03-02T09:00:00Z")] {
        let (status, e) =
            w.t.post_json(Some(&controller), "/api/v1/errors", record(established))
                .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        ids.push(e["id"].as_str().expect("id").to_owned());
    }
    let (suspected, established) = (&ids[0], &ids[1]);
    // The report is due by the end of the tenth working day: overdue from this instant.
    let deadline = t("2026-03-17T00:00:00.000Z");
    let last = deadline - Duration::milliseconds(1);

    for officer in [&w.controller, &w.ao, &w.auditor] {
        let found = alerts_at(&w, officer, last).await;
        assert!(has(&found, "error_report_due", established), "{found:?}");
        assert!(!has(&found, "error_report_overdue", established));
        assert!(!found.iter().any(|(_, s)| s == suspected), "{found:?}");
    }
    // Not for the handler of the source, nor the analyst.
    for officer in [&w.handler, &w.analyst] {
        let found = alerts_at(&w, officer, last).await;
        assert!(
            !found.iter().any(|(k, _)| k.starts_with("error_report")),
            "{found:?}"
        );
    }
    // At the deadline, with no write in between: overdue.
    let token = w.token_at(&w.auditor, deadline).await;
    let found = alerts_with(&w, &token, deadline).await;
    assert!(
        has(&found, "error_report_overdue", established),
        "{found:?}"
    );
    assert!(!has(&found, "error_report_due", established), "{found:?}");
    let found = alerts_at(&w, &w.handler, deadline).await;
    assert!(!found.iter().any(|(k, _)| k.starts_with("error_report")));

    // Establishing the other raises its alert in the same call; reporting ends both at once.
    let (status, e) =
        w.t.post_json(
            Some(&token),
            &format!("/api/v1/errors/{suspected}/establish"),
            json!({"established_at": "2026-03-16T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let found = alerts_with(&w, &token, deadline).await;
    assert!(has(&found, "error_report_due", suspected), "{found:?}");
    for id in &ids {
        let (status, e) =
            w.t.post_json(
                Some(&token),
                &format!("/api/v1/errors/{id}/report"),
                json!({"reported_at": "2026-03-17T00:00:00Z", "reference": "IPC/9"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{e}");
    }
    let found = alerts_with(&w, &token, deadline).await;
    assert!(
        !found.iter().any(|(k, _)| k.starts_with("error_report")),
        "{found:?}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn pruning_ended_alerts_changes_no_answer(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_source, auth) = w.recruited("1980-01-01").await;
    let expires = instant(&auth["expires_at"]);
    // Two days after expiry: "expiring in 28, 14, 7 days" and the review spans have all ended,
    // but only the spans that ended more than a day ago may go.
    let at = expires + Duration::days(2);
    let before = alerts_at(&w, &w.controller, at).await;
    assert!(
        before.iter().any(|(k, _)| k == "authorisation_expired"),
        "{before:?}"
    );
    let rows = schedule_rows(&w).await;
    let pruned = w.t.station.prune_alerts().await.expect("prune");
    assert!(pruned > 0, "ended spans were kept");
    assert_eq!(schedule_rows(&w).await, rows - pruned);
    assert_eq!(alerts_with_fresh_session(&w, at).await, before);
    // Nothing in force or still to come is touched: pruning again removes nothing.
    assert_eq!(w.t.station.prune_alerts().await.expect("prune"), 0);
}

async fn alerts_with_fresh_session(w: &World, at: DateTime<Utc>) -> Vec<(String, String)> {
    let token = w.token_at(&w.controller, at + Duration::minutes(1)).await;
    alerts_with(w, &token, at + Duration::minutes(1)).await
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_write_from_another_server_on_the_same_database_shows_at_once(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_source, auth) = w.recruited("1980-01-01").await;
    let auth_id = auth["id"].as_str().expect("id").to_owned();
    let late = instant(&auth["next_review_due"]) + Duration::hours(10);
    let ao = w.token_at(&w.ao, late).await;
    // Asked twice with nothing changed: the same answer (the second may be reused).
    let first = alerts_with(&w, &ao, late).await;
    assert!(has(&first, "review_overdue", &auth_id), "{first:?}");
    assert_eq!(alerts_with(&w, &ao, late).await, first);

    // A second server process on the same database records the review.
    let other = w.t.another_server(w.t.clock.clone(), 11).await;
    let principal = other.authenticate(&ao).await.expect("the same session");
    other
        .review_authorisation(
            &principal,
            &auth_id,
            humint_station::handling::ReviewInput {
                use_made: "Weekly meetings".into(),
                tasks_given: "Supply route".into(),
                information_obtained: "Van".into(),
                necessity_still_met: true,
                proportionality_still_met: true,
                arrangements_still_met: true,
            },
        )
        .await
        .expect("review");
    // The first server answers with the review at once, at the same instant.
    let after = alerts_with(&w, &ao, late).await;
    assert!(!has(&after, "review_overdue", &auth_id), "{after:?}");
    other.store().close().await;
}
