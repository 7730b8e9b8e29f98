//! Sign-in, sessions, roles and compartments, errors: the foundation every other API builds on.

use crate::harness::{PASSWORD, TestStation, assert_refused};
use humint_core::Role;
use humint_store::{Backend, Store as _};
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn an_officer_signs_in_sees_themselves_and_signs_out(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let alice = t.officer("alice", Role::Handler, &["ALPHA"]).await;
    let token = t.login(&alice).await;

    let (status, me) = t.get(Some(&token), "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "alice");
    assert_eq!(me["role"], "handler");
    assert_eq!(me["compartments"], json!(["ALPHA"]));

    let (status, _) = t.delete(Some(&token), "/api/v1/session").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_refused(
        &t.get(Some(&token), "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    assert_refused(
        &t.delete(Some(&token), "/api/v1/session").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn each_wrong_credential_is_refused_alike(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let bob = t.officer("bob", Role::Analyst, &[]).await;
    let code = t.code(&bob);
    let wrong_code = if code == "000000" {
        "000001".to_owned()
    } else {
        "000000".to_owned()
    };
    for (username, password, totp) in [
        ("bob", "not the password at all", code.as_str()),
        ("bob", PASSWORD, wrong_code.as_str()),
        ("bob", PASSWORD, "12"),
        ("nobody", PASSWORD, code.as_str()),
        ("", "", ""),
    ] {
        let answer = t
            .post_json(
                None,
                "/api/v1/session",
                json!({"username": username, "password": password, "totp": totp}),
            )
            .await;
        assert_refused(&answer, StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS");
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_used_totp_code_is_refused_the_second_time(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let carol = t.officer("carol", Role::Controller, &[]).await;
    let body = json!({"username": "carol", "password": PASSWORD, "totp": t.code(&carol)});
    let (status, _) = t.post_json(None, "/api/v1/session", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    // The same code again, still inside its 30-second window: refused.
    assert_refused(
        &t.post_json(None, "/api/v1/session", body).await,
        StatusCode::UNAUTHORIZED,
        "TOTP_REPLAYED",
    );
    // The next code is accepted.
    t.login(&carol).await;
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn repeated_failures_slow_the_account_down(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let dave = t.officer("dave", Role::Handler, &[]).await;
    let wrong = json!({"username": "dave", "password": "a wrong password!", "totp": "123456"});
    for _ in 0..4 {
        assert_refused(
            &t.post_json(None, "/api/v1/session", wrong.clone()).await,
            StatusCode::UNAUTHORIZED,
            "INVALID_CREDENTIALS",
        );
    }
    // The fourth failure held the account back for a second: even the right password waits.
    let right = json!({"username": "dave", "password": PASSWORD, "totp": t.code(&dave)});
    let answer = t.post_json(None, "/api/v1/session", right).await;
    assert_refused(&answer, StatusCode::TOO_MANY_REQUESTS, "LOGIN_THROTTLED");
    // Other accounts are not slowed down by dave's failures.
    t.login(&t.admin).await;
    // Once the wait is over, the right credentials work and reset the count.
    t.clock.advance(chrono::Duration::seconds(2));
    t.login(&dave).await;
    let user = t
        .station
        .store()
        .user_by_name("dave")
        .await
        .expect("lookup")
        .expect("dave");
    assert_eq!(user.failed_logins, 0);
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn a_session_ends_when_it_expires_or_the_account_is_disabled(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let erin = t.officer("erin", Role::Analyst, &[]).await;
    let token = t.login(&erin).await;
    t.clock
        .advance(chrono::Duration::hours(8) - chrono::Duration::seconds(1));
    assert_eq!(
        t.get(Some(&token), "/api/v1/me").await.0,
        StatusCode::OK,
        "one second before expiry"
    );
    t.clock.advance(chrono::Duration::seconds(1));
    assert_refused(
        &t.get(Some(&token), "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );

    let token = t.login(&erin).await;
    let admin = t.login(&t.admin).await;
    let (status, _) = t
        .post_json(Some(&admin), "/api/v1/users/erin/disable", json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_refused(
        &t.get(Some(&token), "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    t.clock.advance(chrono::Duration::seconds(30));
    let answer = t
        .post_json(
            None,
            "/api/v1/session",
            json!({"username": "erin", "password": PASSWORD, "totp": t.code(&erin)}),
        )
        .await;
    assert_refused(&answer, StatusCode::FORBIDDEN, "ACCOUNT_DISABLED");
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn only_admins_manage_accounts(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let handler = t.officer("hal", Role::Handler, &["ALPHA"]).await;
    let hal = t.login(&handler).await;
    let admin = t.login(&t.admin).await;
    let new_user = json!({"username": "frank", "role": "analyst", "compartments": ["ALPHA"], "password": PASSWORD});

    assert_refused(
        &t.post_json(Some(&hal), "/api/v1/users", new_user.clone())
            .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    assert_refused(
        &t.post_json(None, "/api/v1/users", new_user.clone()).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    assert_refused(
        &t.post_json(Some(&hal), "/api/v1/compartments", json!({"name": "BETA"}))
            .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );

    let (status, created) = t
        .post_json(Some(&admin), "/api/v1/users", new_user.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["totp_secret"].as_str().map(str::len),
        Some(32),
        "a 160-bit base32 secret: {created}"
    );
    assert_refused(
        &t.post_json(Some(&admin), "/api/v1/users", new_user).await,
        StatusCode::CONFLICT,
        "USERNAME_TAKEN",
    );

    for (body, code) in [
        (
            json!({"username": "gina", "role": "analyst", "password": "short"}),
            "WEAK_PASSWORD",
        ),
        (
            json!({"username": "gina", "role": "superuser", "password": PASSWORD}),
            "INVALID_ROLE",
        ),
        (
            json!({"username": "Gina Smith", "role": "analyst", "password": PASSWORD}),
            "INVALID_USERNAME",
        ),
        (
            json!({"username": "gina", "role": "analyst", "compartments": ["NOPE"], "password": PASSWORD}),
            "UNKNOWN_COMPARTMENT",
        ),
    ] {
        assert_refused(
            &t.post_json(Some(&admin), "/api/v1/users", body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
        );
    }
    assert!(
        t.station
            .store()
            .user_by_name("gina")
            .await
            .expect("lookup")
            .is_none(),
        "no refused account was half-created"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_bigot_list_needs_the_role_and_the_compartment(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let in_alpha = t.officer("cora", Role::Controller, &["ALPHA"]).await;
    let in_beta = t.officer("colin", Role::Controller, &["BETA"]).await;
    let handler = t.officer("hank", Role::Handler, &["ALPHA"]).await;
    let (cora, colin, hank, admin) = (
        t.login(&in_alpha).await,
        t.login(&in_beta).await,
        t.login(&handler).await,
        t.login(&t.admin).await,
    );

    let (status, members) = t
        .get(Some(&cora), "/api/v1/compartments/ALPHA/members")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        members,
        json!([{"username": "cora", "role": "controller"}, {"username": "hank", "role": "handler"}])
    );
    assert_refused(
        &t.get(Some(&colin), "/api/v1/compartments/ALPHA/members")
            .await,
        StatusCode::FORBIDDEN,
        "COMPARTMENT_FORBIDDEN",
    );
    assert_refused(
        &t.get(Some(&hank), "/api/v1/compartments/ALPHA/members")
            .await,
        StatusCode::FORBIDDEN,
        "ROLE_FORBIDDEN",
    );
    assert_eq!(
        t.get(Some(&admin), "/api/v1/compartments/ALPHA/members")
            .await
            .0,
        StatusCode::OK
    );
    assert_refused(
        &t.get(Some(&admin), "/api/v1/compartments/GAMMA/members")
            .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );

    // Reading colin into ALPHA opens it to him.
    let (status, _) = t
        .post_json(
            Some(&admin),
            "/api/v1/users/colin/compartments",
            json!({"compartment": "ALPHA"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let colin = t.login(&in_beta).await;
    assert_eq!(
        t.get(Some(&colin), "/api/v1/compartments/ALPHA/members")
            .await
            .0,
        StatusCode::OK
    );
    assert_refused(
        &t.post_json(
            Some(&admin),
            "/api/v1/users/colin/compartments",
            json!({"compartment": "ALPHA"}),
        )
        .await,
        StatusCode::CONFLICT,
        "ALREADY_READ_IN",
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn bad_requests_get_a_code_and_a_sentence(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let session = t.url("/api/v1/session");
    let malformed = t
        .client
        .post(&session)
        .header("content-type", "application/json")
        .body("{\"username\": ");
    assert_refused(
        &t.send(malformed).await,
        StatusCode::BAD_REQUEST,
        "MALFORMED_JSON",
    );
    let missing = t.client.post(&session).json(&json!({"username": "admin"}));
    assert_refused(
        &t.send(missing).await,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
    );
    let unknown_field = t
        .client
        .post(&session)
        .json(&json!({"username": "a", "password": "b", "totp": "c", "admin": true}));
    assert_refused(
        &t.send(unknown_field).await,
        StatusCode::BAD_REQUEST,
        "INVALID_REQUEST",
    );
    let not_json = t.client.post(&session).body("username=admin");
    assert_refused(
        &t.send(not_json).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
    );
    let huge = t
        .client
        .post(&session)
        .header("content-type", "application/json")
        .body(vec![b' '; 1024 * 1024]);
    assert_eq!(t.send(huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_refused(
        &t.get(None, "/api/v1/no-such-thing").await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_refused(
        &t.send(t.client.put(&session)).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    );
    let forged = t
        .client
        .get(t.url("/api/v1/me"))
        .bearer_auth("x".repeat(43));
    assert_refused(
        &t.send(forged).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    let (status, health) = t.get(None, "/healthz").await;
    assert_eq!((status, health), (StatusCode::OK, json!({"status": "ok"})));
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn the_openapi_document_is_for_signed_in_officers(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    assert_refused(
        &t.get(None, "/api/v1/openapi.json").await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    let token = t.login(&t.admin).await;
    let (status, doc) = t.get(Some(&token), "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/compartments/{name}/members",
    ] {
        assert!(doc["paths"][path].is_object(), "the document lacks {path}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn every_write_and_refused_sign_in_is_in_the_ledger(#[case] backend: Backend) {
    let Some(t) = TestStation::start(backend).await else {
        return;
    };
    let before = t.station.store().audit_count().await.expect("count");
    let admin = t.login(&t.admin).await;
    t.post_json(
        Some(&admin),
        "/api/v1/compartments",
        json!({"name": "OMEGA"}),
    )
    .await;
    t.post_json(
        None,
        "/api/v1/session",
        json!({"username": "admin", "password": "wrong password!!", "totp": "000000"}),
    )
    .await;
    let events = t
        .station
        .store()
        .audit_events(before, 100)
        .await
        .expect("events");
    let actions: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.event.action.as_str(), e.event.outcome.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("session.create", "ok"),
            ("compartment.create", "ok"),
            ("session.create", "denied")
        ]
    );
    assert_eq!(events[1].event.compartment.as_deref(), Some("OMEGA"));
    let verified = t
        .station
        .verify_audit(&|_, _| {})
        .await
        .expect("read")
        .expect("intact");
    assert_eq!(verified.last_seq, before + 3);
}
