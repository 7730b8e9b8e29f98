//! Importing a report register over the API (`POST /api/v1/reports/import`), and the time a
//! source reported (`reported_at`) as the validation reads it: an imported register spread over
//! years raises no jump in volume, who reported a fact first is decided by when each source
//! reported it, not by when it was written here, and open press published after a source
//! reported is no echo. Every refusal writes nothing; a backup keeps the time, and one from
//! before the time existed restores each report as reported when it was filed. Each test runs
//! on both backends.

use crate::handling::{COMPARTMENT, OTHER, World};
use crate::harness::assert_refused;
use crate::reliability::{assessment, codes, file, reliability};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use humint_core::Role;
use humint_station::Principal;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

const IMPORT: &str = "/api/v1/reports/import";

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One report of an import: `source` reported the (subject, attribute, value) claims at `at`.
fn imported(source: &str, at: DateTime<Utc>, claims: &[(String, &str, String)]) -> Value {
    let claims: Vec<Value> = claims
        .iter()
        .map(|(s, a, v)| json!({"subject": s, "attribute": a, "value": v, "observed_at": rfc(at)}))
        .collect();
    json!({"source_id": source, "reported_at": rfc(at), "text": "Debrief from the register.",
           "claims": claims})
}

fn sighting(i: usize) -> Vec<(String, &'static str, String)> {
    vec![(format!("vehicle {i}"), "location", format!("depot {i}"))]
}

/// The reports listed on `source` (ids, reported_at, created_at), in filing order, every
/// page of them.
async fn listed(w: &World, source: &str) -> Vec<(String, String, String)> {
    let token = w.token(&w.analyst).await;
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let (status, body) =
            w.t.get(
                Some(&token),
                &format!("/api/v1/sources/{source}/reports?limit=500&after={after}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        out.extend(body["items"].as_array().expect("items").iter().map(|r| {
            let s = |k: &str| r[k].as_str().expect(k).to_owned();
            (s("id"), s("reported_at"), s("created_at"))
        }));
        match body["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => return out,
        }
    }
}

/// How many reports the station holds, over every source of both compartments.
async fn report_count(w: &World, sources: &[&str]) -> usize {
    let mut n = 0;
    for s in sources {
        n += listed(w, s).await.len();
    }
    n
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_register_spread_over_two_years_raises_no_jump_in_volume(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // A source registered here 200 days ago, whose paper register is imported today: 60
    // reports, one every 12 days, the last 10 days ago.
    let source = w.source("1980-01-01").await;
    w.t.clock.advance(Duration::days(200));
    let handler = w.token(&w.handler).await;
    let now = w.now();
    let times: Vec<DateTime<Utc>> = (0..60)
        .map(|i| now - Duration::days(10 + 12 * (59 - i)))
        .collect();
    let reports: Vec<Value> = times
        .iter()
        .enumerate()
        .map(|(i, t)| imported(&source, *t, &sighting(i)))
        .collect();
    let (status, body) =
        w.t.post_json(Some(&handler), IMPORT, json!({"reports": reports}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ids: Vec<&str> = body["report_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(ids.len(), 60, "{body}");

    // Each report keeps the time its source reported; it was written now.
    let list = listed(&w, &source).await;
    assert_eq!(
        list.iter()
            .map(|(id, _, _)| id.as_str())
            .collect::<Vec<_>>(),
        ids,
        "the ids in the order given"
    );
    for ((_, reported, created), t) in list.iter().zip(&times) {
        assert_eq!(reported, &rfc(*t));
        assert_eq!(created, &rfc(now));
    }
    let analyst = w.token(&w.analyst).await;
    let (status, one) =
        w.t.get(Some(&analyst), &format!("/api/v1/reports/{}", ids[0]))
            .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["reported_at"], json!(rfc(times[0])), "{one}");

    // Two years of reporting, not sixty reports in a day: no jump (three in the last 28
    // days against fourteen in the 168 before). Were the reports read at the time they were
    // written here, all sixty would be this week's.
    let r = reliability(&w, &analyst, &source).await;
    assert!(!codes(&r).contains(&"VOLUME_JUMP"), "{r}");
    // The officer's page lists the reports by when they were reported.
    let browser = crate::ui::Browser::sign_in(&w.t, &w.analyst).await;
    let page = browser.get(&format!("/sources/{source}/reports")).await;
    assert!(
        page.body.contains("<th scope=\"col\">Reported</th>"),
        "{}",
        page.body
    );
    let page = browser.get(&format!("/reports/{}", ids[0])).await;
    assert!(
        page.body.contains("id=\"report-reported\""),
        "{}",
        page.body
    );

    // The same register imported for a second source registered only now: its record began
    // with its first report, so a burst after it would be measured against two years.
    let fresh = w.source("1981-01-01").await;
    let handler = w.token(&w.handler).await;
    let now = w.now();
    let mut reports: Vec<Value> = (0..20)
        .map(|i| {
            imported(
                &fresh,
                now - Duration::days(30 + 30 * i),
                &sighting(100 + i as usize),
            )
        })
        .collect();
    reports.extend(
        (0..8).map(|i| imported(&fresh, now - Duration::days(i), &sighting(200 + i as usize))),
    );
    let (status, body) =
        w.t.post_json(Some(&handler), IMPORT, json!({"reports": reports}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let r = reliability(&w, &w.token(&w.analyst).await, &fresh).await;
    assert_eq!(codes(&r), ["VOLUME_JUMP"], "{r}");
    assert!(
        r["warnings"][0]["message"].as_str().is_some_and(
            |m| m.starts_with("8 reports in the last 28 days, against 6 in the 168 days")
        ),
        "{r}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn who_reported_first_is_decided_by_when_each_source_reported(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    // One source reports ten sightings today, through the usual filing.
    let live = w.source("1980-01-01").await;
    let register = w.source("1981-01-01").await;
    w.t.clock.advance(Duration::days(400));
    let handler = w.token(&w.handler).await;
    for i in 0..10 {
        file(&w, &handler, &live, &sighting(i)).await;
    }
    // Then another source's register is imported: it had reported the same ten a year ago.
    let year_ago = w.now() - Duration::days(365);
    let reports: Vec<Value> = (0..10)
        .map(|i| {
            imported(
                &register,
                year_ago + Duration::hours(i as i64),
                &sighting(i),
            )
        })
        .collect();
    let (status, body) =
        w.t.post_json(Some(&handler), IMPORT, json!({"reports": reports}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The register's source was first every time, although written here last; the source
    // that reported today repeated it ten times out of ten.
    let analyst = w.token(&w.analyst).await;
    let first = reliability(&w, &analyst, &register).await;
    assert!(codes(&first).is_empty(), "{first}");
    assert_eq!(
        first["suggestion"]["evidence"]["first_reports"],
        json!({"corroborated": 10, "first": 10, "expected_first": 5.0}),
        "{first}"
    );
    let repeated = reliability(&w, &analyst, &live).await;
    assert!(
        codes(&repeated).contains(&"ECHOES_EARLIER_REPORTING"),
        "{repeated}"
    );
    assert_eq!(
        repeated["suggestion"]["evidence"]["first_reports"],
        json!({"corroborated": 10, "first": 0, "expected_first": 5.0}),
        "{repeated}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn open_press_published_after_a_source_reported_is_no_echo(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let register = w.source("1980-01-01").await;
    let reader = w.source("1981-01-01").await;
    w.t.clock.advance(Duration::days(800));
    let handler = w.token(&w.handler).await;
    let now = w.now();
    // A year ago the press published five sightings; the register's source had reported them
    // two years ago (imported today); another source reports them today.
    let published = now - Duration::days(365);
    for i in 0..5 {
        let (s, a, v) = &sighting(i)[0];
        let (status, body) =
            w.t.post_json(
                Some(&handler),
                &format!("/api/v1/compartments/{COMPARTMENT}/open-source-items"),
                json!({"outlet": "Reuters", "published_at": rfc(published), "subject": s,
                       "attribute": a, "value": v, "reference": "https://example.org/story"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let five: Vec<_> = (0..5).flat_map(sighting).collect();
    let (status, body) =
        w.t.post_json(
            Some(&handler),
            IMPORT,
            json!({"reports": [imported(&register, now - Duration::days(730), &five)]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let imported_report = body["report_ids"][0].as_str().expect("id").to_owned();
    let (today_report, _) = file(&w, &handler, &reader, &five).await;

    let analyst = w.token(&w.analyst).await;
    let a = assessment(&w, &analyst, &imported_report).await;
    for c in a["claims"].as_array().expect("claims") {
        assert_eq!(c["echoes_open_press"], Value::Null, "{a}");
    }
    let a = assessment(&w, &analyst, &today_report).await;
    for c in a["claims"].as_array().expect("claims") {
        assert_eq!(c["echoes_open_press"]["outlet"], "Reuters", "{a}");
    }
    assert_eq!(
        codes(&reliability(&w, &analyst, &reader).await),
        ["ECHOES_OPEN_PRESS"]
    );
    assert!(codes(&reliability(&w, &analyst, &register).await).is_empty());
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn every_refusal_names_its_report_and_writes_nothing(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let a = w.source("1980-01-01").await;
    let b = w.source("1981-01-01").await;
    // A handler read into another compartment only.
    let outsider = w.t.officer("olga", Role::Handler, &[OTHER]).await;
    w.t.clock.advance(Duration::days(30));
    let all = [a.as_str(), b.as_str()];
    let before = report_count(&w, &all).await;
    let handler = w.token(&w.handler).await;
    let now = w.now();
    let good = |i: usize| {
        imported(
            if i.is_multiple_of(2) { &a } else { &b },
            now - Duration::days(20),
            &sighting(i),
        )
    };
    let batch = |bad_at: usize, bad: Value| -> Value {
        let mut reports: Vec<Value> = (1..=40).map(good).collect();
        reports[bad_at - 1] = bad;
        json!({"reports": reports})
    };
    let post = |body: Value| {
        let handler = handler.clone();
        let w = &w;
        async move { w.t.post_json(Some(&handler), IMPORT, body).await }
    };

    // Report 37 of 40 has no text.
    let mut blank = good(37);
    blank["text"] = json!("   ");
    let answer = post(batch(37, blank)).await;
    assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "FIELD_REQUIRED");
    assert!(
        answer.1["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("report 37 of the 40 in the import")),
        "{}",
        answer.1
    );
    // Report 5 dated a millisecond after now; report 12 a time that is no time; report 3 a
    // claim without its attribute; report 40 a source that does not exist.
    let mut future = good(5);
    future["reported_at"] = json!(rfc(now + Duration::milliseconds(1)));
    let answer = post(batch(5, future)).await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "REPORTED_AT_IN_FUTURE",
    );
    assert!(
        answer.1["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("report 5 of the 40 in the import")),
        "{}",
        answer.1
    );
    let mut garbled = good(12);
    garbled["reported_at"] = json!("last Tuesday");
    let answer = post(batch(12, garbled)).await;
    assert!(
        answer.1["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("report 12 of the 40 in the import")),
        "{}",
        answer.1
    );
    assert_ne!(answer.0, StatusCode::CREATED);
    let mut no_attribute = good(3);
    no_attribute["claims"][0]["attribute"] = json!("");
    let answer = post(batch(3, no_attribute)).await;
    assert_refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "FIELD_REQUIRED");
    assert!(
        answer.1["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("report 3 of the 40 in the import")),
        "{}",
        answer.1
    );
    let nobody = "0190b2a4-0000-7000-8000-000000000000";
    let answer = post(batch(40, imported(nobody, now, &sighting(40)))).await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "IMPORT_NOT_FOUND",
    );
    assert!(
        answer.1["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("report 40 of the 40 in the import")),
        "{}",
        answer.1
    );
    // A handler of another compartment may not import into this one.
    let outsider_token = w.t.login(&outsider).await;
    let answer =
        w.t.post_json(Some(&outsider_token), IMPORT, batch(1, good(1)))
            .await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN, "{}", answer.1);
    assert!(
        answer.1["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("report 1 of the 40 in the import")),
        "{}",
        answer.1
    );
    // Links to a contact or requirement are not part of an import, nor is a report without
    // its date.
    let mut linked = good(2);
    linked["contact_id"] = json!("0190b2a4-0000-7000-8000-000000000000");
    assert_refused(
        &post(batch(2, linked)).await,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
    );
    let mut undated = good(2);
    undated
        .as_object_mut()
        .expect("object")
        .remove("reported_at");
    assert_refused(
        &post(batch(2, undated)).await,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
    );
    // More than 2,000 reports at once; none at all.
    let too_many: Vec<Value> = (0..2001).map(good).collect();
    let answer = post(json!({"reports": too_many})).await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "IMPORT_TOO_LARGE",
    );
    assert!(
        answer.1["message"]
            .as_str()
            .is_some_and(|m| m.contains("2001") && m.contains("2000")),
        "{}",
        answer.1
    );
    assert_refused(
        &post(json!({"reports": []})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "IMPORT_EMPTY",
    );
    // An analyst may not file reports, so may not import them.
    let analyst = w.token(&w.analyst).await;
    assert_refused(
        &w.t.post_json(Some(&analyst), IMPORT, batch(1, good(1)))
            .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    assert_eq!(report_count(&w, &all).await, before, "nothing was written");

    // The boundary: a report dated exactly now is accepted, and so are all 2,000 at once.
    let mut at_now = good(1);
    at_now["reported_at"] = json!(rfc(now));
    let answer = post(batch(1, at_now)).await;
    assert_eq!(answer.0, StatusCode::CREATED, "{}", answer.1);
    assert_eq!(report_count(&w, &all).await, before + 40);
    let most: Vec<Value> = (0..2000).map(good).collect();
    let answer = post(json!({"reports": most})).await;
    assert_eq!(answer.0, StatusCode::CREATED, "{}", answer.1);
    assert_eq!(report_count(&w, &all).await, before + 2040);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_single_report_takes_its_time_at_or_before_now_and_after_its_contact(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited("1980-01-01").await;
    // A meeting two days ago, under the authorisation granted three days ago.
    w.t.clock.advance(Duration::days(3));
    let handler = w.token(&w.handler).await;
    let held_at = w.now() - Duration::days(2);
    let (status, contact) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{source}/contacts"),
            json!({"mode": "meeting", "status": "held", "purpose": "use",
                   "officers_present": ["hana"], "occurred_at": rfc(held_at)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");
    let contact = contact["id"].as_str().expect("id").to_owned();
    let url = format!("/api/v1/sources/{source}/reports");
    // (Counting signs in, which moves the clock: now is read after it.)
    let count = || async { listed(&w, &source).await.len() };
    let before = count().await;
    let now = w.now();
    let answer =
        w.t.post_json(
            Some(&handler),
            &url,
            json!({"text": "Debrief.", "reported_at": rfc(now + Duration::milliseconds(1))}),
        )
        .await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "REPORTED_AT_IN_FUTURE",
    );
    let answer =
        w.t.post_json(
            Some(&handler),
            &url,
            json!({"text": "Debrief.", "contact_id": contact,
                   "reported_at": rfc(held_at - Duration::milliseconds(1))}),
        )
        .await;
    assert_refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "REPORTED_BEFORE_CONTACT",
    );
    let answer =
        w.t.post_json(
            Some(&handler),
            &url,
            json!({"text": "Debrief.", "reported_at": "soon"}),
        )
        .await;
    assert_ne!(answer.0, StatusCode::CREATED, "{}", answer.1);
    assert_eq!(count().await, before, "nothing was written");
    let now = w.now();

    // At the contact's instant, and exactly now: accepted; without a time: now.
    let (status, at_contact) =
        w.t.post_json(
            Some(&handler),
            &url,
            json!({"text": "Debrief.", "contact_id": contact, "reported_at": rfc(held_at)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{at_contact}");
    assert_eq!(at_contact["reported_at"], json!(rfc(held_at)));
    assert_eq!(at_contact["created_at"], json!(rfc(now)));
    let (status, at_now) =
        w.t.post_json(
            Some(&handler),
            &url,
            json!({"text": "Debrief.", "reported_at": rfc(now)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{at_now}");
    let (status, plain) =
        w.t.post_json(Some(&handler), &url, json!({"text": "Debrief."}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{plain}");
    assert_eq!(plain["reported_at"], plain["created_at"], "{plain}");

    // The officers' form takes it too (London time; 2 days ago is in the same zone here),
    // and refuses a future one, keeping what was typed.
    let browser = crate::ui::Browser::sign_in(&w.t, &w.handler).await;
    let form = format!("/sources/{source}/reports/new");
    let count_before = count().await;
    let future = rfc(w.now() + Duration::days(1));
    let refused = browser
        .submit(
            &form,
            &form,
            &[("text", "Debrief."), ("reported_at", &future)],
        )
        .await;
    assert!(
        refused.body.contains("REPORTED_AT_IN_FUTURE"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(&future), "{}", refused.body);
    assert_eq!(count().await, count_before);
    let earlier = rfc(held_at);
    let filed = browser
        .submit(
            &form,
            &form,
            &[("text", "Debrief."), ("reported_at", &earlier)],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let reported: Vec<String> = listed(&w, &source)
        .await
        .into_iter()
        .map(|(_, r, _)| r)
        .collect();
    assert!(reported.contains(&earlier), "{reported:?}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_backup_keeps_when_each_report_was_reported(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    w.t.clock.advance(Duration::days(100));
    let handler = w.token(&w.handler).await;
    let import_at = w.now().timestamp_millis();
    let long_ago = w.now() - Duration::days(90);
    let (status, body) =
        w.t.post_json(
            Some(&handler),
            IMPORT,
            json!({"reports": [imported(&source, long_ago, &sighting(1))]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let imported_id = body["report_ids"][0].as_str().expect("id").to_owned();
    let (filed_id, _) = file(&w, &handler, &source, &sighting(2)).await;
    let filed_at = w.now().timestamp_millis();

    let file_path = w.t.dir.path().join("reports.backup");
    w.t.station
        .backup_to(&Principal::system(), &file_path)
        .await
        .expect("backup");
    let restored = w.t.restore_elsewhere(backend, &file_path, "now").await;
    let times = reported_times(&restored.0, &source).await;
    assert_eq!(
        times,
        vec![
            (imported_id.clone(), long_ago.timestamp_millis()),
            (filed_id.clone(), filed_at)
        ]
    );
    restored.0.store().close().await;

    // The same backup as a version before 0020 wrote it: no `reported_at` column. Each report
    // restores as reported when it was filed, as the migration says of existing rows.
    let text = std::fs::read_to_string(&file_path).expect("read");
    let mut old = String::new();
    let mut cut = None;
    for line in text.lines() {
        let mut v: Value = serde_json::from_str(line).expect("json");
        match v["kind"].as_str().unwrap_or_default() {
            "table" => {
                let is_reports = v["name"] == "reports";
                let columns = v["columns"].as_array_mut().expect("columns");
                cut = is_reports.then(|| {
                    assert_eq!(columns.pop(), Some(json!("reported_at")));
                    columns.len()
                });
            }
            "row" => {
                if let Some(n) = cut {
                    v["values"].as_array_mut().expect("values").truncate(n);
                }
            }
            _ => {}
        }
        old.push_str(&v.to_string());
        old.push('\n');
    }
    let old_path = w.t.dir.path().join("old.backup");
    std::fs::write(&old_path, old).expect("write");
    let restored = w.t.restore_elsewhere(backend, &old_path, "old").await;
    let times = reported_times(&restored.0, &source).await;
    assert_eq!(times, vec![(imported_id, import_at), (filed_id, filed_at)]);
    restored.0.store().close().await;
}

/// (report id, reported_at) of the source's reports in a restored station, as its store
/// holds them.
async fn reported_times(station: &humint_station::Station, source: &str) -> Vec<(String, i64)> {
    use humint_store::HandlingStore as _;
    let page = humint_station::handling::page(None, Some(50)).expect("page");
    station
        .store()
        .reports(source, &page)
        .await
        .expect("reports")
        .into_iter()
        .map(|r| (r.id, r.reported_at_ms))
        .collect()
}
