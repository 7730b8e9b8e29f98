//! Open press as a source of dependence, through the API: reporting that repeats what was
//! already published earns its source nothing and corroborates nobody, reporting before
//! publication still counts, the boundary is the publication millisecond, outlets never appear
//! as sources, and bad items are refused with nothing written. Each test runs on both backends.

use crate::handling::{COMPARTMENT, OTHER, World};
use crate::harness::assert_refused;
use crate::reliability::{assessment, codes, file, reliability};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn items_path(compartment: &str) -> String {
    format!("/api/v1/compartments/{compartment}/open-source-items")
}

/// Records an item in ALPHA published at `published`.
async fn publish(
    w: &World,
    token: &str,
    outlet: &str,
    published: DateTime<Utc>,
    (subject, attribute, value): &(String, &str, String),
) -> Value {
    let (status, body) =
        w.t.post_json(
            Some(token),
            &items_path(COMPARTMENT),
            json!({"outlet": outlet, "published_at": rfc(published), "subject": subject,
                   "attribute": attribute, "value": value, "reference": "https://example.org/story"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn claims_of(a: &Value) -> &Vec<Value> {
    a["claims"].as_array().expect("claims")
}

fn sighting(i: usize) -> (String, &'static str, String) {
    (format!("vehicle {i}"), "location", format!("Depot {i}"))
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn repeating_what_was_published_earns_nothing_and_reporting_before_it_counts(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let early = w.source("1980-01-01").await;
    let echo = w.source("1981-01-01").await;
    let same_ms = w.source("1982-01-01").await;
    let ms_before = w.source("1983-01-01").await;
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;

    // One source reports three sightings; an hour later Reuters publishes them; an hour
    // after that another source reports the same three.
    let three: Vec<_> = (0..3).map(sighting).collect();
    let (early_report, _) = file(&w, &handler, &early, &three).await;
    w.t.clock.advance(Duration::hours(1));
    let published = w.now();
    for s in &three {
        publish(&w, &handler, "Reuters", published, s).await;
    }
    w.t.clock.advance(Duration::hours(1));
    let (echo_report, _) = file(&w, &handler, &echo, &three).await;

    let a = assessment(&w, &analyst, &echo_report).await;
    for c in claims_of(&a) {
        assert_eq!(
            c["echoes_open_press"],
            json!({"outlet": "Reuters", "published_at": rfc(published)}),
            "{a}"
        );
        // The outlet is a dependent corroborator; the earlier report is independent evidence
        // of the value, whoever repeats it.
        assert_eq!(
            (
                &c["dependent_corroborators"],
                &c["independent_corroborators"]
            ),
            (&json!(1), &json!(1)),
            "{a}"
        );
    }
    assert_eq!(a["corroborated_by_outlets"], json!(["Reuters"]), "{a}");
    // The source that repeated the press earned nothing from it: no claim judged, none
    // agreeing, its estimate row there all the same (too little evidence: F).
    let r = reliability(&w, &analyst, &echo).await;
    let ev = &r["suggestion"]["evidence"];
    assert_eq!(
        (&ev["claims_judged"], &ev["claims_agreeing"]),
        (&json!(0), &json!(0)),
        "{r}"
    );
    assert_eq!(ev["open_press"], json!({"echoed": 3, "claims": 3}), "{r}");
    assert_eq!(r["suggestion"]["letter"], "F", "{r}");
    // The source that reported before publication: each value checked against the outlet,
    // and the echo is no corroboration of it.
    let a = assessment(&w, &analyst, &early_report).await;
    for c in claims_of(&a) {
        assert_eq!(c["echoes_open_press"], Value::Null, "{a}");
        let corroborators = c["independent_corroborators"].as_u64().expect("n")
            + c["dependent_corroborators"].as_u64().expect("n");
        assert_eq!(corroborators, 1, "only the outlet corroborates: {a}");
    }
    // The outlet and this source alone speak to those values, and agreement between two
    // views cannot be told from one repeating the other (the press may have had it from the
    // source): nothing is checked yet.
    let r = reliability(&w, &analyst, &early).await;
    assert_eq!(r["suggestion"]["evidence"]["claims_judged"], 0, "{r}");
    assert_eq!(r["suggestion"]["letter"], "F", "{r}");
    assert_eq!(
        r["suggestion"]["evidence"]["open_press"],
        json!({"echoed": 0, "claims": 0}),
        "{r}"
    );

    // The boundary: a claim recorded at the very millisecond of publication echoes it; one
    // recorded a millisecond before does not.
    w.t.clock.advance(Duration::hours(1));
    let at = w.now();
    let (same_report, _) = file(&w, &handler, &same_ms, &[sighting(10)]).await;
    publish(&w, &handler, "Reuters", at, &sighting(10)).await;
    let (before_report, _) = file(&w, &handler, &ms_before, &[sighting(11)]).await;
    // A third source reports that value before publication too: with the outlet, three
    // views of one value (a triangle; the outlet with one source alone is a pair, and the
    // outlet with sources that each share only a value with it a star, neither of which
    // can be judged).
    let third = w.source("1984-01-01").await;
    file(&w, &handler, &third, &[sighting(11)]).await;
    w.t.clock.advance(Duration::milliseconds(1));
    let (status, body) =
        w.t.post_json(
            Some(&handler),
            &items_path(COMPARTMENT),
            json!({"outlet": "reuters ", "published_at": rfc(w.now()), "subject": "VEHICLE 11",
                   "attribute": "Location", "value": "depot  11"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let a = assessment(&w, &analyst, &same_report).await;
    assert_eq!(
        claims_of(&a)[0]["echoes_open_press"],
        json!({"outlet": "Reuters", "published_at": rfc(at)}),
        "{a}"
    );
    let a = assessment(&w, &analyst, &before_report).await;
    assert_eq!(claims_of(&a)[0]["echoes_open_press"], Value::Null, "{a}");
    // Its agreement with the outlet is its own, not an echo, and checked.
    let r = reliability(&w, &analyst, &ms_before).await;
    let ev = &r["suggestion"]["evidence"];
    assert_eq!(
        (
            &ev["claims_agreeing"],
            &ev["open_press"],
            &ev["claims_judged"]
        ),
        (&json!(1), &json!({"echoed": 0, "claims": 0}), &json!(1)),
        "{r}"
    );
    let r = reliability(&w, &analyst, &same_ms).await;
    assert_eq!(
        r["suggestion"]["evidence"]["open_press"],
        json!({"echoed": 1, "claims": 1}),
        "{r}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn sources_repeating_one_item_do_not_corroborate_each_other_and_outlets_are_not_sources(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let first = w.source("1980-01-01").await;
    let second = w.source("1981-01-01").await;
    let original = w.source("1982-01-01").await;
    let mut honest = Vec::new();
    for k in 0..3 {
        honest.push(w.source(&format!("197{k}-01-01")).await);
    }
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;

    // An item published now; two sources repeat it later.
    let item = sighting(0);
    publish(&w, &handler, "Reuters", w.now(), &item).await;
    w.t.clock.advance(Duration::minutes(5));
    let (r1, _) = file(&w, &handler, &first, std::slice::from_ref(&item)).await;
    let (r2, _) = file(&w, &handler, &second, std::slice::from_ref(&item)).await;
    for r in [&r1, &r2] {
        let a = assessment(&w, &analyst, r).await;
        let c = &claims_of(&a)[0];
        assert_eq!(
            (
                &c["independent_corroborators"],
                &c["dependent_corroborators"]
            ),
            (&json!(0), &json!(1)),
            "the other echo is no corroboration, the outlet a dependent one: {a}"
        );
        // Corroborated only by what it repeats: circular, and the warning names the press.
        assert_eq!(a["circular_reporting"], true, "{a}");
        assert_eq!(a["corroborated_by_dependent"], json!([]), "{a}");
        assert!(
            a["warning"].as_str().is_some_and(
                |m| m.contains("only corroboration is open press") && m.contains("(Reuters)")
            ),
            "{a}"
        );
    }

    // Three sources report the truth on twenty vehicles; one invents a colour for each, and a
    // day later The Courier publishes its inventions word for word.
    let truth: Vec<(String, &str, String)> = (0..20)
        .map(|i| (format!("van {i}"), "colour", format!("true shade {i}")))
        .collect();
    let invented: Vec<(String, &str, String)> = (0..20)
        .map(|i| (format!("van {i}"), "colour", format!("invented shade {i}")))
        .collect();
    for s in &honest {
        file(&w, &handler, s, &truth).await;
    }
    let (invented_report, _) = file(&w, &handler, &original, &invented).await;
    w.t.clock.advance(Duration::days(1));
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    for s in &invented {
        publish(&w, &handler, "The Courier", w.now(), s).await;
    }
    let r = reliability(&w, &analyst, &original).await;
    let ev = &r["suggestion"]["evidence"];
    assert!(
        ev["dependent_outlets"]
            .as_array()
            .is_some_and(|d| d.len() == 1 && d[0]["outlet"] == "The Courier"),
        "{r}"
    );
    assert_eq!(ev["dependent_sources"], json!([]), "{r}");
    let a = assessment(&w, &analyst, &invented_report).await;
    assert_eq!(a["corroborated_by_outlets"], json!(["The Courier"]), "{a}");
    assert_eq!(a["corroborated_by_dependent"], json!([]), "{a}");
    // The source's page says so among its evidence, not among the sources dependent on it.
    let page = crate::ui::Browser::sign_in(&w.t, &w.analyst)
        .await
        .get(&format!("/sources/{original}"))
        .await;
    assert!(
        page.body
            .contains("<li>Its other claims look dependent on open press: The Courier ("),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"dependent-sources\""),
        "{}",
        page.body
    );

    // Nowhere is an outlet a source: not in the list, not in any source's dependent sources.
    let (status, list) = w.t.get(Some(&analyst), "/api/v1/sources?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 6, "{list}");
    let text = list.to_string();
    assert!(
        !text.contains("Reuters") && !text.contains("Courier") && !text.contains("press"),
        "{list}"
    );
    for s in items {
        let id = s["id"].as_str().expect("id");
        let r = reliability(&w, &analyst, id).await;
        for d in r["suggestion"]["evidence"]["dependent_sources"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let dep = d["source_id"].as_str().expect("source id");
            assert!(
                items.iter().any(|s| s["id"] == dep),
                "{dep} is no source: {r}"
            );
        }
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_source_mostly_repeating_the_press_has_the_warning_sign(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let five = w.source("1980-01-01").await;
    let four = w.source("1981-01-01").await;
    let handler = w.token(&w.handler).await;
    for i in 0..5 {
        publish(&w, &handler, "Reuters", w.now(), &sighting(i)).await;
    }
    w.t.clock.advance(Duration::minutes(1));
    // Five echoes and five claims of its own: exactly half, exactly five.
    let mut claims: Vec<_> = (0..5).map(sighting).collect();
    claims.extend((0..5).map(|i| (format!("own {i}"), "location", format!("own place {i}"))));
    file(&w, &handler, &five, &claims).await;
    // Four echoes of four: too few.
    let claims: Vec<_> = (0..4).map(sighting).collect();
    file(&w, &handler, &four, &claims).await;
    let analyst = w.token(&w.analyst).await;
    let r = reliability(&w, &analyst, &five).await;
    assert_eq!(codes(&r), ["ECHOES_OPEN_PRESS"], "{r}");
    assert!(
        r["warnings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("5 of this source's 10 claims repeated")),
        "{r}"
    );
    // The source's page and the sources list show it, as they show the other signs.
    let browser = crate::ui::Browser::sign_in(&w.t, &w.analyst).await;
    let page = browser.get(&format!("/sources/{five}")).await;
    assert!(
        page.body
            .contains("<li class=\"warning-sign\">5 of this source&#39;s 10 claims repeated"),
        "{}",
        page.body
    );
    let list = browser.get("/sources").await;
    assert!(
        list.body.contains(&format!(
            "<a class=\"tag warning-signs\" href=\"/sources/{five}#warning-signs\">1 warning sign</a>"
        )),
        "{}",
        list.body
    );
    let r = reliability(&w, &analyst, &four).await;
    assert!(codes(&r).is_empty(), "{r}");
    assert_eq!(
        r["suggestion"]["evidence"]["open_press"],
        json!({"echoed": 4, "claims": 4}),
        "{r}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn bad_items_are_refused_with_nothing_written(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let other = w.t.officer("otto", Role::Handler, &[OTHER]).await;
    let handler = w.token(&w.handler).await;
    let controller = w.token(&w.controller).await;
    let analyst = w.token(&w.analyst).await;
    let otto = w.token(&other).await;
    let auditor = w.token(&w.auditor).await;
    let ao = w.token(&w.ao).await;
    let now = w.now();
    let good = json!({"outlet": "Reuters", "published_at": rfc(now), "subject": "vehicle 1",
                      "attribute": "location", "value": "depot 1"});
    let with = |field: &str, value: Value| {
        let mut b = good.clone();
        b[field] = value;
        b
    };
    let path = items_path(COMPARTMENT);
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            &handler,
            path.as_str(),
            with("outlet", json!("   ")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "OUTLET_REQUIRED",
        ),
        (
            &handler,
            path.as_str(),
            with("published_at", json!(rfc(now + Duration::milliseconds(1)))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "PUBLICATION_IN_FUTURE",
        ),
        (
            &handler,
            path.as_str(),
            with("published_at", json!("yesterday")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_TIME",
        ),
        (
            &handler,
            path.as_str(),
            with("outlet", json!("R".repeat(201))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "TEXT_TOO_LONG",
        ),
        (
            &handler,
            path.as_str(),
            with("subject", json!("s".repeat(201))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "TEXT_TOO_LONG",
        ),
        (
            &handler,
            path.as_str(),
            with("reference", json!("h".repeat(2001))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "TEXT_TOO_LONG",
        ),
        (
            &handler,
            path.as_str(),
            with("subject", json!(" ")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "FIELD_REQUIRED",
        ),
        (
            &handler,
            path.as_str(),
            with("value", json!("")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "FIELD_REQUIRED",
        ),
        // A compartment nobody is read into, existing or not, is refused alike.
        (
            &handler,
            "/api/v1/compartments/NOSUCH/open-source-items",
            good.clone(),
            StatusCode::FORBIDDEN,
            "COMPARTMENT_FORBIDDEN",
        ),
        (
            &otto,
            path.as_str(),
            good.clone(),
            StatusCode::FORBIDDEN,
            "COMPARTMENT_FORBIDDEN",
        ),
        (
            &ao,
            path.as_str(),
            good.clone(),
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        ),
        (
            &auditor,
            path.as_str(),
            good.clone(),
            StatusCode::FORBIDDEN,
            "ROLE_FORBIDDEN",
        ),
    ];
    for (token, path, body, status, code) in cases {
        let answer = w.t.post_json(Some(token), path, body.clone()).await;
        assert_refused(&answer, status, code);
    }
    // Nothing was written: no item, no audit event.
    let (status, list) = w.t.get(Some(&handler), &path).await;
    assert_eq!((status, &list), (StatusCode::OK, &json!([])));
    let (_, log) =
        w.t.get(
            Some(&auditor),
            "/api/v1/audit?action=open_source_item.create",
        )
        .await;
    assert_eq!(log["events"], json!([]), "{log}");
    // Reading is for the same officers.
    assert_refused(
        &w.t.get(Some(&ao), &path).await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    assert_refused(
        &w.t.get(Some(&otto), &path).await,
        StatusCode::FORBIDDEN,
        "COMPARTMENT_FORBIDDEN",
    );

    // The good item lands once, with its audit event, and both runners see it.
    let (status, item) = w.t.post_json(Some(&controller), &path, good.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    assert_eq!(
        (
            &item["outlet"],
            &item["recorded_by"],
            &item["published_at"],
            &item["reference"]
        ),
        (
            &json!("Reuters"),
            &json!("carl"),
            &json!(rfc(now)),
            &Value::Null
        ),
        "{item}"
    );
    let (_, list) = w.t.get(Some(&handler), &path).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["value"], "depot 1", "{list}");
    // Analysts, who check reporting against the press, read and record items too.
    let (_, seen) = w.t.get(Some(&analyst), &path).await;
    assert_eq!(seen, list);
    let (status, by_analyst) =
        w.t.post_json(Some(&analyst), &path, with("value", json!("depot 2")))
            .await;
    assert_eq!(
        (status, &by_analyst["recorded_by"]),
        (StatusCode::CREATED, &json!("ann")),
        "{by_analyst}"
    );
    let (_, log) =
        w.t.get(
            Some(&auditor),
            "/api/v1/audit?action=open_source_item.create",
        )
        .await;
    assert!(
        log["events"]
            .as_array()
            .is_some_and(|e| e.len() == 2 && e.iter().any(|e| e["object_id"] == item["id"])),
        "{log}"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_item_is_ciphertext_at_rest_and_reads_after_key_rotation(#[case] backend: Backend) {
    use humint_store::{OpenPressStore as _, Store as _};
    let Some(w) = World::new(backend).await else {
        return;
    };
    let handler = w.token(&w.handler).await;
    let secret = (
        "Vehicle 99".to_owned(),
        "location",
        "Quarry Lane lock-up".to_owned(),
    );
    publish(&w, &handler, "Reuters", w.now(), &secret).await;
    let compartment =
        w.t.station
            .store()
            .compartment_by_name(COMPARTMENT)
            .await
            .expect("lookup")
            .expect("compartment");
    let rows =
        w.t.station
            .store()
            .open_source_items(&compartment.id)
            .await
            .expect("items");
    assert_eq!(rows.len(), 1);
    for clear in ["Quarry Lane", "Reuters", "Vehicle 99", "example.org"] {
        assert!(
            !rows[0]
                .content
                .windows(clear.len())
                .any(|w| w == clear.as_bytes()),
            "{clear} is stored in clear"
        );
    }
    let rotation =
        w.t.station
            .rotate_keys(&humint_station::Principal::system(), &|_, _| {})
            .await
            .expect("rotate");
    let rows =
        w.t.station
            .store()
            .open_source_items(&compartment.id)
            .await
            .expect("items");
    assert_eq!(
        humint_crypto::blob_version(&rows[0].content),
        Some(rotation.new_version),
        "the item is still under the old key"
    );
    let (status, list) = w.t.get(Some(&handler), &items_path(COMPARTMENT)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list[0]["value"], "Quarry Lane lock-up", "{list}");

    // A claim that repeats it names the outlet to its reader, but the stored suggestions
    // name the item by id only: the outlet stays inside the item's envelope.
    let source = w.source("1980-01-01").await;
    let handler = w.token(&w.handler).await;
    let (report, _) = file(&w, &handler, &source, std::slice::from_ref(&secret)).await;
    let a = assessment(&w, &handler, &report).await;
    assert_eq!(
        claims_of(&a)[0]["echoes_open_press"]["outlet"],
        "Reuters",
        "{a}"
    );
    assert_eq!(a["corroborated_by_outlets"], json!(["Reuters"]), "{a}");
    let stored = {
        use humint_store::ReliabilityStore as _;
        w.t.station
            .store()
            .stored_assessments(&compartment.id)
            .await
            .expect("stored")
    };
    let docs: Vec<&str> = stored
        .claims
        .iter()
        .map(|c| c.doc.as_str())
        .chain(stored.reports.iter().map(|r| r.doc.as_str()))
        .chain(stored.estimates.iter().map(|e| e.doc.as_str()))
        .collect();
    assert!(
        docs.iter().any(|d| d.contains(rows[0].id.as_str())),
        "{docs:?}"
    );
    assert!(
        docs.iter()
            .all(|d| !d.contains("Reuters") && !d.contains("reuters") && !d.contains("Quarry")),
        "{docs:?}"
    );
}

/// An item recorded by another server on the same database is seen by this server's next
/// estimate, though this server keeps the compartment's claims in memory between estimates:
/// were it not, that estimate would rewrite the claim's assessment without the echo.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_item_another_server_recorded_is_seen_by_the_next_estimate(#[case] backend: Backend) {
    use humint_core::FixedClock;
    let Some(w) = World::new(backend).await else {
        return;
    };
    let echo = w.source("1980-01-01").await;
    let other_source = w.source("1981-01-01").await;
    let handler = w.token(&w.handler).await;
    let analyst = w.token(&w.analyst).await;
    let (report, _) = file(&w, &handler, &echo, &[sighting(1)]).await;
    let recorded = w.now();
    let a = assessment(&w, &analyst, &report).await;
    assert_eq!(claims_of(&a)[0]["echoes_open_press"], Value::Null, "{a}");

    // The second server (no background worker: it estimates in the recording's own call).
    let other = w.t.another_server(FixedClock::new(w.now()), 12).await;
    let principal = other
        .authenticate(&handler)
        .await
        .expect("the same session");
    other
        .record_open_source_item(
            &principal,
            COMPARTMENT,
            humint_station::handling::OpenSourceItemInput {
                outlet: "Reuters".into(),
                published_at: recorded,
                subject: "vehicle 1".into(),
                attribute: "location".into(),
                value: "depot 1".into(),
                reference: None,
            },
        )
        .await
        .expect("recorded on the second server");
    // This server estimates again after a report of its own.
    file(&w, &handler, &other_source, &[sighting(2)]).await;
    let a = assessment(&w, &analyst, &report).await;
    assert_eq!(
        claims_of(&a)[0]["echoes_open_press"],
        json!({"outlet": "Reuters", "published_at": rfc(recorded)}),
        "{a}"
    );
    let (_, items) = w.t.get(Some(&handler), &items_path(COMPARTMENT)).await;
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
}
