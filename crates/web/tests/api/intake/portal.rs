//! A volunteer's story through the portal's forms, and what the pages promise.

use super::{Portal, element, only_thread, open_door, serve_portal, test_policy};
use crate::harness::TestStation;
use humint_core::Role;
use humint_station::Principal;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;
use std::time::Instant;

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_volunteer_submits_comes_back_with_the_codename_and_reads_a_reply(
    #[case] backend: Backend,
) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_custodian, p) = open_door(&t).await;

    let (status, home) = p.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("enctype=\"multipart/form-data\""), "{home}");
    assert!(!home.contains("<script"), "no script, ever");

    let codename = p
        .first_contact(
            "The harbour master takes money for ignoring containers.",
            None,
        )
        .await;
    let words: Vec<&str> = codename.split(' ').collect();
    assert_eq!(words.len(), 7, "{codename}");

    // Shown once: reloading the page does not show it again.
    let (_, again) = p.get("/welcome").await;
    assert!(element(&again, "codename").is_none(), "{again}");

    // An officer sees the submission (no content) and replies.
    let alice = t.officer("alice", Role::Handler, &[]).await;
    let token = t.login(&alice).await;
    let (status, list) = t.get(Some(&token), "/api/v1/intake").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list[0]["status"], "new");
    assert_eq!(list[0]["received_on"], "2026-03-02");
    assert_eq!(list[0]["acknowledgement_due"], "2026-03-09");
    assert_eq!(list[0]["feedback_due"], "2026-06-09");
    assert!(
        !list.to_string().contains("harbour"),
        "the list holds no content"
    );
    let (status, after) = t
        .post_json(
            Some(&token),
            &format!("/api/v1/intake/{id}/replies"),
            json!({"text": "Thank you. Which harbour, and since when?"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{after}");
    assert_eq!(
        after["status"], "acknowledged",
        "the first reply acknowledges receipt"
    );
    assert_eq!(after["acknowledged_on"], "2026-03-02");

    // The volunteer signs in with the codename (typed in capitals, spaced loosely).
    let loose = format!("  {}  ", codename.to_uppercase().replace(' ', "   "));
    let (status, thread) = p.login(&loose).await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    assert!(
        thread.contains("Thank you. Which harbour, and since when?"),
        "{thread}"
    );
    assert!(
        !thread.contains("takes money"),
        "what they sent is shown as received, not its content"
    );

    // They send more; the thread shows it, newest first.
    let (status, thread) = p
        .send_more(
            "Since January. Berth 7.",
            Some(("note.txt", b"berth 7 schedule".to_vec())),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    let reply_at = thread.find("Which harbour").unwrap();
    let newest = thread
        .find("with a file")
        .expect("the new item, with its file");
    assert!(newest < reply_at, "newest first");
    assert!(
        thread.contains("NOT removed"),
        "told that a text file's metadata was not removed: {thread}"
    );

    let summary = t
        .station
        .intake_get(&Principal::system(), &id)
        .await
        .unwrap();
    assert_eq!(summary.received, 2);
    assert_eq!(summary.replies, 1);

    // Volunteer events are in the ledger as "volunteer", at the start of the day.
    let events = t.station.store().audit_events(0, 1000).await.unwrap();
    let volunteer: Vec<_> = events
        .iter()
        .filter(|e| e.event.actor == "volunteer")
        .collect();
    assert!(volunteer.len() >= 3, "{volunteer:?}");
    let midnight = crate::harness::start_time()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    assert!(
        volunteer.iter().all(|e| e.event.at_ms == midnight),
        "day only: {volunteer:?}"
    );

    // Signing out ends the session.
    p.logout().await;
    let (_, after) = p.get("/thread").await;
    assert!(after.contains("Sign in with your codename"), "{after}");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_wrong_codename_reads_nothing_and_costs_the_same_time(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let codename = p.first_contact("first", None).await;
    let browser = p.fresh();

    let timed = |c: String| {
        let b = &browser;
        async move {
            let start = Instant::now();
            let answer = b.login(&c).await;
            (answer, start.elapsed())
        }
    };
    let ((status, _), right) = timed(codename.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let mut wrong_words: Vec<&str> = codename.split(' ').collect();
    wrong_words[6] = if wrong_words[6] == "zoom" {
        "abacus"
    } else {
        "zoom"
    };
    for wrong in [
        wrong_words.join(" "),
        "not a codename".to_owned(),
        String::new(),
        "x".repeat(5000),
    ] {
        let ((status, html), took) = timed(wrong).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{html}");
        assert!(
            element(&html, "error").is_some_and(|e| e.contains("does not open")),
            "{html}"
        );
        assert!(!html.contains("Your conversation"));
        let floor = test_policy().login_floor;
        assert!(
            took >= floor && right >= floor,
            "both wait at least the floor: {took:?} {right:?}"
        );
        let gap = took.as_millis().abs_diff(right.as_millis());
        assert!(gap < 120, "wrong {took:?} vs right {right:?}");
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_phrase_is_genuine_once_and_unknown_after_or_when_expired(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let bob = t.officer("bob", Role::Controller, &[]).await;
    let token = t.login(&bob).await;

    let (status, issued) = t
        .post_json(Some(&token), "/api/v1/verification-phrases", json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let phrase = issued["phrase"].as_str().unwrap().to_owned();
    assert_eq!(phrase.split(' ').count(), 6);

    let (status, html) = p.verify(&format!(" {} ", phrase.to_uppercase())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        element(&html, "verdict").as_deref(),
        Some("genuine"),
        "{html}"
    );
    // Replayed: the phrase was used up.
    let (_, html) = p.verify(&phrase).await;
    assert_eq!(element(&html, "verdict").as_deref(), Some("unknown"));
    // Never issued.
    let (_, html) = p.verify("abacus abacus abacus abacus abacus abacus").await;
    assert_eq!(element(&html, "verdict").as_deref(), Some("unknown"));
    // Expired: valid for one hour, checked after two.
    let (_, short) = t
        .post_json(
            Some(&token),
            "/api/v1/verification-phrases",
            json!({"valid_hours": 1}),
        )
        .await;
    t.clock.advance(chrono::Duration::hours(2));
    let (_, html) = p.verify(short["phrase"].as_str().unwrap()).await;
    assert_eq!(element(&html, "verdict").as_deref(), Some("unknown"));
    // Reloading the answer page does not repeat a verdict.
    let (_, html) = p.get("/verify").await;
    assert!(element(&html, "verdict").is_none());
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn without_a_custodian_the_portal_refuses_with_a_clear_page(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let p = serve_portal(&t, test_policy()).await;
    let (status, home) = p.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        element(&home, "closed").is_some_and(|s| s.contains("not accepting")),
        "{home}"
    );
    // The closed page has no form; a crafted POST with a valid token is refused all the same.
    let token = p.token("/verify").await;
    let response = p
        .client
        .post(p.url("/submit"))
        .multipart(Portal::form(&token, "hello", None))
        .send()
        .await
        .unwrap();
    let (status, html) = p.page(response).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("Not accepting submissions yet"), "{html}");
    assert!(
        t.station
            .intake_list(&Principal::system())
            .await
            .unwrap()
            .is_empty()
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[tokio::test]
async fn pages_are_strict_forms_need_their_token_and_posts_redirect(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let (_c, p) = open_door(&t).await;
    let response = p.client.get(p.url("/")).send().await.unwrap();
    let h = response.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
    let set_cookie = h["set-cookie"].to_str().unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let (status, css) = p.get("/portal.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!css.contains("http"), "no third-party resources");

    // A form posted from elsewhere (no token, or a token for another browser) is refused.
    let stranger = p.fresh();
    let token = p.token("/").await;
    for t in ["", token.as_str()] {
        let r = stranger
            .client
            .post(stranger.url("/submit"))
            .multipart(Portal::form(t, "hello", None))
            .send()
            .await
            .unwrap();
        let (status, html) = stranger.page(r).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains("This form has expired"));
        let r = stranger
            .client
            .post(stranger.url("/login"))
            .form(&[("csrf", t), ("codename", "a b")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }

    // POST-redirect-GET: a successful POST answers 303.
    let no_follow = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let home = no_follow
        .get(p.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = super::csrf_in(&home);
    let r = no_follow
        .post(p.url("/submit"))
        .multipart(Portal::form(&token, "hello", None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/welcome");
    let (status, html) = p.get("/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Nothing here"));
    let _ = only_thread(&t).await;
}
