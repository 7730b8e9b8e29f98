//! The auditor's pages over real HTTP, on both backends: the audit log filtered and paged, its
//! refusals keeping the filters, the bigot lists, the inspection pack downloaded as the same
//! document the API serves, and who may open these pages.

use super::{Browser, recruited};
use crate::handling::{COMPARTMENT, World};
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;

/// The sequence numbers in the log table of a page.
fn seqs(html: &str) -> Vec<i64> {
    html.split("<tr><td>")
        .skip(1)
        .filter_map(|row| row.split_once("</td>"))
        .filter_map(|(n, _)| n.parse().ok())
        .collect()
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_auditor_searches_and_pages_the_audit_log(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let auditor = Browser::sign_in(&w.t, &w.auditor).await;
    let home = auditor.get("/").await;
    for href in ["/audit", "/inspection", "/audit/bigot-lists"] {
        assert!(
            home.body.contains(&format!("href=\"{href}\"")),
            "{href} in the navigation"
        );
    }
    // Each read of the log is itself an event: 51 reads make two pages of them.
    for _ in 0..51 {
        assert_eq!(auditor.get("/audit").await.status, StatusCode::OK);
    }
    let first = auditor.get("/audit?action=audit.log.read&actor=aud").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first_seqs = seqs(&first.body);
    assert_eq!(first_seqs.len(), 50, "{}", first.body);
    assert!(first_seqs.windows(2).all(|p| p[0] > p[1]), "newest first");
    assert!(!first.body.contains("user.create"), "the filter applies");
    assert!(
        first.body.contains("value=\"audit.log.read\""),
        "filters kept"
    );
    let next = next_link(&first.body)
        .expect("a link to older events")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = auditor.get(&next).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second_seqs = seqs(&second.body);
    assert!(!second_seqs.is_empty(), "{}", second.body);
    assert!(
        second_seqs
            .iter()
            .all(|s| s < first_seqs.last().expect("a row")),
        "older events only, none twice: {next} {first_seqs:?} {second_seqs:?}"
    );

    // Refusals keep what was typed.
    let bad_date = auditor.get("/audit?from=2026-02-30&action=source").await;
    assert!(bad_date.status.is_client_error(), "{}", bad_date.status);
    assert!(
        bad_date.body.contains("id=\"problem-code\""),
        "{}",
        bad_date.body
    );
    assert!(bad_date.body.contains("value=\"2026-02-30\""));
    assert!(bad_date.body.contains("value=\"source\""));
    let backwards = auditor.get("/audit?from=2026-03-10&to=2026-03-01").await;
    assert!(
        backwards.body.contains("INVALID_RANGE"),
        "{}",
        backwards.body
    );
    let nobody = auditor.get("/audit?actor=nobody-at-all").await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    assert!(nobody.body.contains("value=\"nobody-at-all\""));

    // The bigot list of the auditor's compartment.
    let bigot = auditor.get("/audit/bigot-lists").await;
    assert_eq!(bigot.status, StatusCode::OK, "{}", bigot.body);
    assert!(bigot.body.contains(&format!("<h2>{COMPARTMENT}</h2>")));
    assert!(
        bigot.body.contains("<tr><td>ann</td><td>Analyst</td></tr>"),
        "{}",
        bigot.body
    );
}

/// The address of the page's "Older events" link.
fn next_link(html: &str) -> Option<String> {
    let (before, _) = html.split_once("\" id=\"next-page\"")?;
    let (_, href) = before.rsplit_once("href=\"")?;
    Some(href.to_owned())
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_auditor_downloads_the_inspection_pack_the_api_serves(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    recruited(&w).await;
    // The API's token first: signing in moves the clock, which the pack's footer shows.
    let token = w.token(&w.auditor).await;
    let auditor = Browser::sign_in(&w.t, &w.auditor).await;
    let form = auditor.get("/inspection").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("action=\"/inspection/pack\""));

    let pack = auditor
        .get("/inspection/pack?from=2026-03-01&to=2026-03-31")
        .await;
    assert_eq!(pack.status, StatusCode::OK, "{}", pack.body);
    assert_eq!(
        pack.headers["content-disposition"],
        "attachment; filename=\"inspection-2026-03-01-to-2026-03-31.html\""
    );
    assert!(
        pack.headers["content-type"]
            .to_str()
            .expect("text")
            .starts_with("text/html")
    );
    // The same document as the API's, fetched with a token.
    let api =
        w.t.client
            .get(w.t.url("/api/v1/inspection?from=2026-03-01&to=2026-03-31"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("request");
    assert_eq!(api.status(), StatusCode::OK);
    let api = api.text().await.expect("body");
    assert_eq!(pack.body, api, "the same pack");
    assert!(pack.body.contains(COMPARTMENT));

    // A backwards period: the form again with the reason and the dates kept.
    let backwards = auditor
        .get("/inspection/pack?from=2026-03-31&to=2026-03-01")
        .await;
    assert!(backwards.status.is_client_error());
    assert!(backwards.headers.get("content-disposition").is_none());
    assert!(
        backwards.body.contains("INVALID_RANGE"),
        "{}",
        backwards.body
    );
    assert!(backwards.body.contains("value=\"2026-03-31\""));
    let missing = auditor.get("/inspection/pack?from=&to=").await;
    assert!(missing.status.is_client_error());
    assert!(missing.body.contains("id=\"problem-code\""));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn only_auditors_open_the_auditor_pages(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let analyst = Browser::sign_in(&w.t, &w.analyst).await;
    let home = analyst.get("/").await;
    assert!(!home.body.contains("href=\"/audit\""));
    assert!(!home.body.contains("href=\"/inspection\""));
    for path in [
        "/audit",
        "/audit/bigot-lists",
        "/inspection",
        "/inspection/pack?from=2026-03-01&to=2026-03-31",
    ] {
        let page = analyst.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}: {}", page.body);
        assert!(
            page.body.contains("ROLE_FORBIDDEN"),
            "{path}: {}",
            page.body
        );
        assert!(page.headers.get("content-disposition").is_none());
    }
    // A controller sees the bigot lists, not the log.
    let controller = Browser::sign_in(&w.t, &w.controller).await;
    assert_eq!(
        controller.get("/audit/bigot-lists").await.status,
        StatusCode::OK
    );
    assert_eq!(controller.get("/audit").await.status, StatusCode::FORBIDDEN);
    // Signed out: sent to sign in.
    assert_eq!(
        Browser::new(&w.t).get("/inspection/pack").await.location(),
        "/signin"
    );
}
