//! The auditor's side through the API: the inspection pack (HTML download and JSON) judged at
//! its boundaries with the station's clock, who may have it, and the audit log searched and
//! paged. Each test runs on both backends.

use crate::handling::{COMPARTMENT, OTHER, World, t};
use crate::harness::assert_refused;
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The seeded true identity (see `World::source`): none of it may appear in a pack.
const IDENTITY: &[&str] = &["Jane Example", "J. Sample", "1980-01-01"];

fn review_body() -> Value {
    json!({"use_made": "Weekly meetings", "tasks_given": "Supply route", "information_obtained": "Van at the docks",
           "necessity_still_met": true, "proportionality_still_met": true, "arrangements_still_met": true})
}

async fn review(w: &World, auth_id: &str, at: &str) {
    let ao = w.token_at(&w.ao, t(at)).await;
    let (status, body) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{auth_id}/reviews"),
            review_body(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "review at {at}: {body}");
}

/// Downloads the HTML pack: (status, Content-Type, Content-Disposition, body).
pub(crate) async fn download(
    w: &World,
    token: &str,
    query: &str,
) -> (StatusCode, String, String, String) {
    let response =
        w.t.client
            .get(w.t.url(&format!("/api/v1/inspection?{query}")))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (status, kind, disposition) = (
        response.status(),
        header(reqwest::header::CONTENT_TYPE),
        header(reqwest::header::CONTENT_DISPOSITION),
    );
    (
        status,
        kind,
        disposition,
        response.text().await.expect("body"),
    )
}

async fn codename(w: &World, id: &str) -> String {
    let token = w.token(&w.handler).await;
    let (_, s) =
        w.t.get(Some(&token), &format!("/api/v1/sources/{id}"))
            .await;
    s["codename"].as_str().expect("codename").to_owned()
}

/// Two sources granted on Monday 2 March 2026 with a 28-day review interval: each review is
/// due by the end of Monday 30 March (BST since the 29th, so 23:00 UTC). ON_TIME is reviewed
/// in the last second of that day, LATE at the first instant after it. A criminal conduct
/// authorisation on ON_TIME, granted on 2 March, owes its Commissioner notice by the end of
/// the 7th day after (9 March); it is given on the 8th (10 March). Its own review is never
/// made, so by the end of the period it is overdue.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_pack_shows_reviews_and_notices_on_time_or_late_at_their_boundaries(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (on_time, on_time_auth) = w.recruited("1980-01-01").await;
    let (late, late_auth) = w.recruited("1980-01-01").await;
    let mut cca = World::grant_body("criminal_conduct");
    cca["parent_id"] = on_time_auth["id"].clone();
    let (status, cca) = w.grant(&on_time, cca).await;
    assert_eq!(status, StatusCode::CREATED, "{cca}");
    let cca_id = cca["id"].as_str().expect("id").to_owned();

    // Payments on 2 March: 50.00 paid and 200.00 offered to ON_TIME.
    let handler = w.token(&w.handler).await;
    for body in [
        json!({"kind": "payment", "amount_minor": 5_000, "purpose": "travel", "paid": true}),
        json!({"kind": "offer", "amount_minor": 20_000, "purpose": "reward if the route is confirmed"}),
    ] {
        let (status, p) =
            w.t.post_json(
                Some(&handler),
                &format!("/api/v1/sources/{on_time}/payments"),
                body,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
    }

    // The notice on the 8th day.
    let ao = w.token_at(&w.ao, t("2026-03-10T09:00:00Z")).await;
    let (status, sent) =
        w.t.post_json(
            Some(&ao),
            &format!("/api/v1/authorisations/{cca_id}/notices"),
            json!({"event": "grant"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");

    review(
        &w,
        on_time_auth["id"].as_str().expect("id"),
        "2026-03-30T22:59:59Z",
    )
    .await;
    review(
        &w,
        late_auth["id"].as_str().expect("id"),
        "2026-03-30T23:00:00Z",
    )
    .await;

    let auditor = w.token_at(&w.auditor, t("2026-04-02T10:00:00Z")).await;
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    let entry = |id: &Value| {
        pack["authorisations"]
            .as_array()
            .expect("authorisations")
            .iter()
            .find(|a| a["id"] == *id)
            .cloned()
            .unwrap_or_else(|| panic!("authorisation {id} is in the pack: {pack}"))
    };
    let on_time_entry = entry(&on_time_auth["id"]);
    assert_eq!(
        on_time_entry["reviews"][0]["timeliness"], "on_time",
        "{on_time_entry}"
    );
    assert_eq!(
        on_time_entry["reviews"][0]["due_at"],
        "2026-03-30T23:00:00Z"
    );
    assert_eq!(on_time_entry["reviews"][0]["reviewed_by"], "ada");
    assert_eq!(on_time_entry["duration"], "12 months");
    let late_entry = entry(&late_auth["id"]);
    assert_eq!(
        late_entry["reviews"][0]["timeliness"], "late",
        "{late_entry}"
    );
    let cca_entry = entry(&cca["id"]);
    assert_eq!(cca_entry["notices"][0]["due_at"], "2026-03-10T00:00:00Z");
    assert_eq!(cca_entry["notices"][0]["timeliness"], "late", "{cca_entry}");
    assert_eq!(pack["criminal_conduct"], json!([cca_id]));

    let summary = &pack["summary"];
    assert_eq!(
        (
            &summary["authorisations"],
            &summary["reviews"],
            &summary["reviews_late"],
            &summary["criminal_conduct"],
            &summary["notices_late_or_missing"],
            &summary["paid_minor"],
            &summary["offered_minor"],
        ),
        (
            &json!(3),
            &json!(2),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(5_000),
            &json!(20_000)
        ),
        "{summary}"
    );
    let on_time_name = codename(&w, &on_time).await;
    let late_name = codename(&w, &late).await;
    let findings: BTreeSet<(String, String)> = pack["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_owned(),
                f["codename"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("NOTICE_LATE", &on_time_name),
        ("REVIEW_OVERDUE", &on_time_name),
        ("REVIEW_LATE", &late_name),
    ]
    .into_iter()
    .map(|(c, n)| (c.to_owned(), n.clone()))
    .collect();
    assert_eq!(findings, expected, "{}", pack["findings"]);
    let by_source = &pack["payments"]["by_source"];
    assert_eq!(by_source[0]["name"], on_time_name.as_str(), "{by_source}");
    assert_eq!(by_source[0]["paid_minor"], 5_000);
    assert_eq!(pack["payments"]["by_compartment"][0]["name"], COMPARTMENT);

    // The HTML: a download, self-contained, and codenames without identities.
    let (status, kind, disposition, html) =
        download(&w, &auditor, "from=2026-03-01&to=2026-03-31").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(kind, "text/html; charset=utf-8");
    assert_eq!(
        disposition,
        "attachment; filename=\"inspection-2026-03-01-to-2026-03-31.html\""
    );
    assert!(html.contains(&on_time_name) && html.contains(&late_name));
    assert!(
        html.contains("<td class=\"fault\">late</td>"),
        "a late review is marked in words"
    );
    assert!(html.contains("<td>on time</td>"));
    assert!(html.contains("50.00") && html.contains("200.00"));
    for name in IDENTITY {
        assert!(!html.contains(name), "the pack shows {name}");
    }
    for forbidden in ["<script", "src=", "href=\"http", "<link", "@import", "url("] {
        assert!(
            !html.contains(forbidden),
            "the pack is not self-contained: {forbidden}"
        );
    }

    // Each read of the pack is in the audit log, under the auditor's name.
    let (_, log) =
        w.t.get(Some(&auditor), "/api/v1/audit?action=inspection.pack.read")
            .await;
    let reads: Vec<&Value> = log["events"].as_array().expect("events").iter().collect();
    assert_eq!(reads.len(), 2, "{log}");
    assert!(reads.iter().all(|e| e["actor_name"] == "aud"
        && e["outcome"] == "ok"
        && e["object_id"] == "2026-03-01..2026-03-31"));
}

/// A period that ends before a review falls due judges as of its own end: nothing was late
/// or overdue then, even though the clock has moved on.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_past_period_is_judged_as_it_stood_at_its_end(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (_, auth) = w.recruited("1980-01-01").await;
    let auditor = w.token_at(&w.auditor, t("2026-06-01T10:00:00Z")).await;
    let (status, march) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-15",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{march}");
    assert_eq!(march["as_of"], "2026-03-16T00:00:00Z");
    assert_eq!(march["findings"], json!([]), "{march}");
    // By June the review due in March is long overdue.
    let (_, spring) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-05-31",
        )
        .await;
    assert_eq!(spring["findings"][0]["code"], "REVIEW_OVERDUE", "{spring}");
    assert_eq!(spring["findings"][0]["authorisation"], auth["id"]);
    // A period before anything was granted lists nothing.
    let (_, before) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-01-01&to=2026-02-28",
        )
        .await;
    assert_eq!(before["summary"]["authorisations"], 0, "{before}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn only_auditors_get_the_pack_and_the_log_and_bad_periods_are_refused(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let admin = w.t.login(&w.t.admin).await;
    for (who, token) in [
        ("handler", w.token(&w.handler).await),
        ("controller", w.token(&w.controller).await),
        ("authorising officer", w.token(&w.ao).await),
        ("analyst", w.token(&w.analyst).await),
        ("admin", admin.clone()),
    ] {
        for path in [
            "/api/v1/inspection?from=2026-03-01&to=2026-03-31",
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
            "/api/v1/audit",
        ] {
            let answer = w.t.get(Some(&token), path).await;
            assert_eq!(
                answer.0,
                StatusCode::FORBIDDEN,
                "{who} {path}: {}",
                answer.1
            );
            assert_refused(&answer, StatusCode::FORBIDDEN, "ROLE_FORBIDDEN");
        }
    }
    assert_refused(
        &w.t.get(None, "/api/v1/inspection?from=2026-03-01&to=2026-03-31")
            .await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    // Refused reads are in the ledger too.
    let auditor = w.token(&w.auditor).await;
    let (_, denied) =
        w.t.get(
            Some(&auditor),
            "/api/v1/audit?action=inspection.pack.read&limit=500",
        )
        .await;
    let denied = denied["events"].as_array().expect("events");
    assert_eq!(denied.len(), 10, "{denied:?}");
    assert!(denied.iter().all(|e| e["outcome"] == "denied"));

    for (query, code) in [
        ("from=2026-03-31&to=2026-03-01", "INVALID_RANGE"),
        ("from=2026-02-30&to=2026-03-01", "INVALID_DATE"),
        ("from=yesterday&to=2026-03-01", "INVALID_DATE"),
        ("from=2026-03-01", "MISSING_PARAMETER"),
        ("", "MISSING_PARAMETER"),
    ] {
        for path in ["/api/v1/inspection", "/api/v1/inspection.json"] {
            assert_refused(
                &w.t.get(Some(&auditor), &format!("{path}?{query}")).await,
                StatusCode::BAD_REQUEST,
                code,
            );
        }
    }
    for (query, code) in [
        ("limit=0", "INVALID_PAGE"),
        ("limit=501", "INVALID_PAGE"),
        ("limit=ten", "INVALID_PAGE"),
        ("cursor=abc", "INVALID_CURSOR"),
        ("from=2026-13-01", "INVALID_DATE"),
        ("from=2026-03-02&to=2026-03-01", "INVALID_RANGE"),
    ] {
        assert_refused(
            &w.t.get(Some(&auditor), &format!("/api/v1/audit?{query}"))
                .await,
            StatusCode::BAD_REQUEST,
            code,
        );
    }
    // The widest dates there are: no overflow, no 500.
    let (status, all) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=0001-01-01&to=9999-12-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let (status, all) =
        w.t.get(
            Some(&auditor),
            "/api/v1/audit?from=0001-01-01&to=9999-12-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_refused(
        &w.t.get(Some(&auditor), "/api/v1/audit?actor=nobody").await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_audit_log_is_filtered_paged_newest_first_and_kept_to_the_auditors_compartments(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited("1980-01-01").await;
    // A controller of another compartment reads its bigot list: an event the ALPHA auditor
    // must not see.
    let bravo = w.t.officer("bob", Role::Controller, &[OTHER]).await;
    let bob = w.t.login(&bravo).await;
    let (status, _) =
        w.t.get(Some(&bob), &format!("/api/v1/compartments/{OTHER}/members"))
            .await;
    assert_eq!(status, StatusCode::OK);
    let auditor = w.token(&w.auditor).await;

    // Every page of three, following the cursor: each event once, newest first.
    let mut seqs = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/audit?limit=3&cursor={c}"),
            None => "/api/v1/audit?limit=3".to_owned(),
        };
        let (status, page) = w.t.get(Some(&auditor), &path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let events = page["events"].as_array().expect("events");
        assert!(events.len() <= 3);
        for e in events {
            assert_ne!(e["compartment"], OTHER, "an event of {OTHER} is shown: {e}");
            seqs.push(e["seq"].as_i64().expect("seq"));
        }
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!(
        pages > 3,
        "the log spans several pages ({} events)",
        seqs.len()
    );
    let mut sorted = seqs.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seqs, sorted, "newest first, each event once");
    // Reading pages appends events, but the pages already cut never shift: the listing holds
    // every visible event up to the first page's head.
    let head = seqs[0];
    let all = w.station_events(head).await;
    assert_eq!(
        seqs.len(),
        all,
        "every visible event up to seq {head} is listed once"
    );

    // Filters: the authorising officer's grant, and events of one day.
    let (_, grants) =
        w.t.get(
            Some(&auditor),
            "/api/v1/audit?actor=ada&action=authorisation.grant",
        )
        .await;
    let grants = grants["events"].as_array().expect("events");
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0]["actor_name"], "ada");
    assert_eq!(grants[0]["compartment"], COMPARTMENT);
    let (_, handlers) = w.t.get(Some(&auditor), "/api/v1/audit?actor=hana").await;
    let handlers = handlers["events"].as_array().expect("events");
    assert!(!handlers.is_empty());
    assert!(handlers.iter().all(|e| e["actor_name"] == "hana"));
    assert!(
        handlers
            .iter()
            .any(|e| e["action"] == "source.create" && e["object_id"] == source.as_str()),
        "{handlers:?}"
    );
    let (_, none) =
        w.t.get(
            Some(&auditor),
            "/api/v1/audit?from=2026-03-03&to=2026-03-31",
        )
        .await;
    assert_eq!(none["events"], json!([]), "nothing happened after 2 March");
    let (_, today) =
        w.t.get(
            Some(&auditor),
            "/api/v1/audit?from=2026-03-02&to=2026-03-02&limit=500",
        )
        .await;
    assert!(!today["events"].as_array().expect("events").is_empty());
    // No event carries protected content: the identity never appears.
    let (_, everything) = w.t.get(Some(&auditor), "/api/v1/audit?limit=500").await;
    for name in IDENTITY {
        assert!(!everything.to_string().contains(name));
    }

    // The bigot lists of the auditor's compartments.
    let (status, lists) = w.t.get(Some(&auditor), "/api/v1/audit/bigot-lists").await;
    assert_eq!(status, StatusCode::OK, "{lists}");
    assert_eq!(lists.as_array().map(Vec::len), Some(1), "{lists}");
    assert_eq!(lists[0]["compartment"], COMPARTMENT);
    let members: BTreeSet<&str> = lists[0]["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["username"].as_str())
        .collect();
    assert_eq!(
        members,
        ["ada", "ann", "aud", "carl", "hana", "kim"]
            .into_iter()
            .collect()
    );
    let analyst = w.token(&w.analyst).await;
    assert_refused(
        &w.t.get(Some(&analyst), "/api/v1/audit/bigot-lists").await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
}

impl World {
    /// How many ledger events up to `head` an ALPHA auditor may see (outside any compartment
    /// or in ALPHA), counted straight from the ledger.
    async fn station_events(&self, head: i64) -> usize {
        use humint_store::Store as _;
        let events = self
            .t
            .station
            .store()
            .audit_events(0, head)
            .await
            .expect("ledger");
        events
            .iter()
            .filter(|e| e.event.seq <= head)
            .filter(|e| {
                e.event
                    .compartment
                    .as_deref()
                    .is_none_or(|c| c == COMPARTMENT)
            })
            .count()
    }
}

/// Every juvenile and vulnerable case is listed (IPCO samples all juvenile cases) with the
/// safeguards on record: the 4-month period of a 15-year-old's authorisation and the
/// appropriate adult at each meeting; an adult source appears only when flagged vulnerable.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn juvenile_and_vulnerable_sources_are_listed_with_their_safeguards(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let young = w.source(&crate::handling::born_years_ago(15, 10)).await;
    w.risk(&young).await;
    w.walk(&young, &["assessed", "in_development"]).await;
    let (status, auth) = w.grant(&young, World::grant_body("juvenile")).await;
    assert_eq!(status, StatusCode::CREATED, "{auth}");
    w.walk(&young, &["recruited"]).await;
    let handler = w.token(&w.handler).await;
    let (status, meeting) =
        w.t.post_json(
            Some(&handler),
            &format!("/api/v1/sources/{young}/contacts"),
            json!({"mode": "meeting", "status": "held", "purpose": "use", "officers_present": ["hana"],
                   "appropriate_adult": {"category": "parent_or_guardian", "employed_by_or_member_of_authority": false}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    let (status, vulnerable) =
        w.t.post_json(
            Some(&handler),
            "/api/v1/sources",
            json!({"compartment": COMPARTMENT, "origin": "referral", "vulnerable": true,
                   "true_identity": {"name": "Jane Example", "date_of_birth": "1950-05-05", "identities_used": []},
                   "controller": "carl", "record_keeper": "kim"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vulnerable}");
    w.source("1980-01-01").await;

    let auditor = w.token(&w.auditor).await;
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    let listed: Vec<(String, bool, bool, usize, usize)> = pack["safeguarded"]
        .as_array()
        .expect("safeguarded")
        .iter()
        .map(|s| {
            (
                s["codename"].as_str().unwrap_or_default().to_owned(),
                s["juvenile"] == true,
                s["vulnerable"] == true,
                s["conversations_held"].as_u64().unwrap_or(99) as usize,
                s["with_appropriate_adult"].as_u64().unwrap_or(99) as usize,
            )
        })
        .collect();
    let young_name = codename(&w, &young).await;
    let vulnerable_name = vulnerable["codename"]
        .as_str()
        .expect("codename")
        .to_owned();
    let mut expected = vec![
        (young_name.clone(), true, false, 1, 1),
        (vulnerable_name, false, true, 0, 0),
    ];
    expected.sort();
    assert_eq!(listed, expected, "{}", pack["safeguarded"]);
    assert_eq!(
        (
            &pack["summary"]["juvenile_sources"],
            &pack["summary"]["vulnerable_sources"]
        ),
        (&json!(1), &json!(1))
    );
    let entry = &pack["authorisations"][0];
    assert_eq!(
        (
            &entry["duration"],
            &entry["age_at_grant"],
            &entry["duration_as_the_law_sets"]
        ),
        (&json!("4 months"), &json!("under 16"), &json!(true)),
        "{entry}"
    );
    let young_entry = pack["safeguarded"]
        .as_array()
        .expect("safeguarded")
        .iter()
        .find(|s| s["codename"] == young_name.as_str())
        .expect("the juvenile source is listed");
    assert_eq!(young_entry["authorisations"], json!([auth["id"]]));
    assert_eq!(
        pack["findings"],
        json!([]),
        "an appropriate adult was present"
    );
    let (_, _, _, html) = download(&w, &auditor, "from=2026-03-01&to=2026-03-31").await;
    assert!(
        html.contains("juvenile, 4 months, reviewed every 28 days"),
        "{html}"
    );
    for name in IDENTITY.iter().chain(&["1950-05-05"]) {
        assert!(!html.contains(name), "the pack shows {name}");
    }
}

/// An urgent oral authorisation lapses after 72 hours; a source still recruited after that is
/// a finding in a pack whose period reaches today, and not in one that ended before.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_recruited_source_whose_authorisation_lapsed_is_a_finding(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    w.risk(&source).await;
    w.walk(&source, &["assessed", "in_development"]).await;
    let mut body = World::grant_body("urgent_oral");
    body["urgency_reason"] = json!("The meeting is tonight.");
    let (status, auth) = w.grant(&source, body).await;
    assert_eq!(status, StatusCode::CREATED, "{auth}");
    w.walk(&source, &["recruited"]).await;
    let expires = t(auth["expires_at"].as_str().expect("expires_at"));

    // The last instant: still in force, nothing to find.
    let auditor = w
        .token_at(&w.auditor, expires - chrono::Duration::seconds(1))
        .await;
    let (_, before) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    let codes: Vec<&str> = before["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(
        !codes.contains(&"AUTHORISATION_EXPIRED_IN_USE"),
        "{codes:?}"
    );
    // At the deadline: the source is recruited with nothing in force.
    let auditor = w.token_at(&w.auditor, expires).await;
    let (_, after) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    let found: Vec<&Value> = after["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "AUTHORISATION_EXPIRED_IN_USE")
        .collect();
    assert_eq!(found.len(), 1, "{after}");
    assert_eq!(found[0]["codename"], codename(&w, &source).await.as_str());
    assert!(
        found[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("recruited"))
    );
    // Its written record was due by the end of the next working day, Tuesday 3 March.
    let missing: Vec<&Value> = after["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "WRITTEN_RECORD_MISSING")
        .collect();
    assert_eq!(missing.len(), 1, "{after}");
    assert_eq!(missing[0]["at"], "2026-03-04T00:00:00Z");
    // A period that ended the day before judges as of its own end.
    let (_, earlier) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-02",
        )
        .await;
    assert_eq!(earlier["findings"], json!([]), "{earlier}");
}

/// Relevant errors established on Monday 2 March 2026 are due to be reported by the end of
/// Monday 16 March (ten working days). One reported in the last second of that day is on time,
/// one reported at the first instant after it is late, one never reported is overdue, and one
/// never established has no clock. A period ending before the deadline shows the unreported
/// error as not yet due.
#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_pack_lists_relevant_errors_with_their_report_on_time_or_late(
    #[case] backend: Backend,
) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let (source, _) = w.recruited("1980-01-01").await;
    let controller = w.token_at(&w.controller, t("2026-04-01T10:00:00Z")).await;
    let mut ids = Vec::new();
    for (description, established, reported) in [
        ("Reported on time.", true, Some("2026-03-16T23:59:59Z")),
        ("Reported late.", true, Some("2026-03-17T00:00:00Z")),
        ("Never reported.", true, None),
        ("Only suspected.", false, None),
    ] {
        let mut body = json!({"compartment": COMPARTMENT, "source_id": source,
            "description": description, "identified_at": "2026-03-02T08:00:00Z"});
        if established {
            body["established_at"] = json!("2026-03-02T09:00:00Z");
        }
        let (status, e) =
            w.t.post_json(Some(&controller), "/api/v1/errors", body)
                .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        let id = e["id"].as_str().expect("id").to_owned();
        if let Some(at) = reported {
            let (status, e) =
                w.t.post_json(
                    Some(&controller),
                    &format!("/api/v1/errors/{id}/report"),
                    json!({"reported_at": at, "reference": "IPC/2026/7"}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{e}");
        }
        ids.push(id);
    }
    let auditor = w.token_at(&w.auditor, t("2026-04-01T10:00:00Z")).await;
    let (status, pack) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pack}");
    let judged = |pack: &Value| -> BTreeMap<String, Value> {
        pack["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["description"].as_str().expect("description").to_owned(),
                    e["timeliness"].clone(),
                )
            })
            .collect()
    };
    let expect = |pairs: [(&str, Value); 4]| -> BTreeMap<String, Value> {
        pairs.into_iter().map(|(d, v)| (d.to_owned(), v)).collect()
    };
    assert_eq!(
        judged(&pack),
        expect([
            ("Reported on time.", json!("on_time")),
            ("Reported late.", json!("late")),
            ("Never reported.", json!("missing")),
            ("Only suspected.", Value::Null),
        ]),
        "{pack}"
    );
    assert_eq!(pack["summary"]["errors"], 4);
    assert_eq!(pack["summary"]["errors_late_or_unreported"], 2);
    let codes: Vec<&str> = pack["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .filter(|c| c.starts_with("ERROR_"))
        .collect();
    assert_eq!(
        codes,
        ["ERROR_NOT_REPORTED", "ERROR_REPORTED_LATE"],
        "{pack}"
    );
    let (_, _, _, html) = download(&w, &auditor, "from=2026-03-01&to=2026-03-31").await;
    assert!(html.contains("Relevant errors and their report to the Commissioner"));
    assert!(html.contains("Never reported.") && html.contains("not reported"));
    for name in IDENTITY {
        assert!(!html.contains(name), "the pack shows {name}");
    }

    // Judged at the end of 10 March, the unreported error is not yet due.
    let (_, early) =
        w.t.get(
            Some(&auditor),
            "/api/v1/inspection.json?from=2026-03-01&to=2026-03-10",
        )
        .await;
    assert_eq!(
        judged(&early),
        expect([
            ("Reported on time.", json!("pending")),
            ("Reported late.", json!("pending")),
            ("Never reported.", json!("pending")),
            ("Only suspected.", Value::Null),
        ]),
        "reports made after the period are not yet known: {early}"
    );
    assert_eq!(early["summary"]["errors_late_or_unreported"], 0);
}
