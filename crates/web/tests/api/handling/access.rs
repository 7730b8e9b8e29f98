//! Every role × compartment combination on the source endpoints, as one table.

use super::{COMPARTMENT, OTHER, World};
use crate::harness::assert_refused;
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::json;

/// What each endpoint answers: an HTTP status, or a 403 with its code.
#[derive(Debug, Clone, Copy, PartialEq)]
enum A {
    Ok,
    Created,
    /// The access checks pass and the rule refuses (a transition the lifecycle forbids).
    Rule,
    /// 403 ROLE_FORBIDDEN.
    Role,
    /// 403 COMPARTMENT_FORBIDDEN.
    Comp,
    /// 403 NOT_YOUR_SOURCE: a handler who is not this source's handler.
    Mine,
}
use A::*;

/// (who, role, read into the source's compartment,
///  POST /sources, GET /sources lists it (None: refused), GET /sources/{id},
///  GET /sources/{id}/identity, POST /sources/{id}/transitions, GET /sources/{id}/record)
type Row = (
    &'static str,
    Option<Role>,
    bool,
    A,
    Option<bool>,
    A,
    A,
    A,
    A,
);

#[rustfmt::skip]
const TABLE: &[Row] = &[
    ("admin in",             Some(Role::Admin),              true,  Role,    None,        Role, Role, Role, Role),
    ("admin out",            Some(Role::Admin),              false, Role,    None,        Role, Role, Role, Role),
    ("handler in",           Some(Role::Handler),            true,  Created, Some(true),  Ok,   Mine, Rule, Mine),
    ("handler out",          Some(Role::Handler),            false, Comp,    Some(false), Comp, Comp, Comp, Comp),
    ("controller in",        Some(Role::Controller),         true,  Created, Some(true),  Ok,   Ok,   Rule, Ok),
    ("controller out",       Some(Role::Controller),         false, Comp,    Some(false), Comp, Comp, Comp, Comp),
    ("authorising in",       Some(Role::AuthorisingOfficer), true,  Role,    Some(true),  Ok,   Ok,   Role, Ok),
    ("authorising out",      Some(Role::AuthorisingOfficer), false, Role,    Some(false), Comp, Comp, Role, Comp),
    ("analyst in",           Some(Role::Analyst),            true,  Role,    Some(true),  Ok,   Role, Role, Role),
    ("analyst out",          Some(Role::Analyst),            false, Role,    Some(false), Comp, Role, Role, Role),
    ("auditor in",           Some(Role::Auditor),            true,  Role,    Some(true),  Ok,   Role, Role, Role),
    ("auditor out",          Some(Role::Auditor),            false, Role,    Some(false), Comp, Role, Role, Role),
    // The source's own handler (hana, read in).
    ("the source's handler", None,                           true,  Created, Some(true),  Ok,   Ok,   Rule, Ok),
];

#[track_caller]
fn check(who: &str, what: &str, answer: &(StatusCode, serde_json::Value), expected: A) {
    let (status, code) = match expected {
        Ok => (StatusCode::OK, None),
        Created => (StatusCode::CREATED, None),
        Rule => (StatusCode::UNPROCESSABLE_ENTITY, Some("INVALID_TRANSITION")),
        Role => (StatusCode::FORBIDDEN, Some("ROLE_FORBIDDEN")),
        Comp => (StatusCode::FORBIDDEN, Some("COMPARTMENT_FORBIDDEN")),
        Mine => (StatusCode::FORBIDDEN, Some("NOT_YOUR_SOURCE")),
    };
    match code {
        Some(code) => {
            assert_eq!(answer.0, status, "{who} / {what}: {}", answer.1);
            assert_refused(answer, status, code);
        }
        None => assert_eq!(answer.0, status, "{who} / {what}: {}", answer.1),
    }
}

#[rstest]
#[case::sqlite(Backend::Sqlite)]
#[case::postgres(Backend::Postgres)]
#[tokio::test]
async fn every_role_and_compartment_on_the_source_endpoints(#[case] backend: Backend) {
    let Some(w) = World::new(backend).await else {
        return;
    };
    let source = w.source("1980-01-01").await;
    for (i, (who, role, read_in, create, lists, get, identity, transition, record)) in
        TABLE.iter().enumerate()
    {
        let made;
        let officer = match role {
            Some(role) => {
                let compartment = if *read_in { COMPARTMENT } else { OTHER };
                made =
                    w.t.officer(&format!("officer{i}"), *role, &[compartment])
                        .await;
                &made
            }
            None => &w.handler,
        };
        let token = w.token(officer).await;
        let t = &w.t;
        let new = json!({"compartment": COMPARTMENT, "origin": "referral", "true_identity": {"name": "Someone Else", "date_of_birth": "1990-02-03"}});
        check(
            who,
            "create",
            &t.post_json(Some(&token), "/api/v1/sources", new).await,
            *create,
        );
        let listed = t.get(Some(&token), "/api/v1/sources").await;
        match lists {
            Some(sees) => {
                assert_eq!(listed.0, StatusCode::OK, "{who} / list: {}", listed.1);
                let found = listed.1["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .any(|s| s["id"] == source.as_str());
                assert_eq!(found, *sees, "{who} / list: {}", listed.1);
            }
            None => assert_refused(&listed, StatusCode::FORBIDDEN, "ROLE_FORBIDDEN"),
        }
        check(
            who,
            "get",
            &t.get(Some(&token), &format!("/api/v1/sources/{source}"))
                .await,
            *get,
        );
        let answer = t
            .get(Some(&token), &format!("/api/v1/sources/{source}/identity"))
            .await;
        check(who, "identity", &answer, *identity);
        if *identity == Ok {
            assert_eq!(answer.1["name"], "Jane Example");
        }
        let answer = t
            .post_json(
                Some(&token),
                &format!("/api/v1/sources/{source}/transitions"),
                json!({"to": "recruited", "reason": "skip ahead"}),
            )
            .await;
        check(who, "transition", &answer, *transition);
        check(
            who,
            "record",
            &t.get(Some(&token), &format!("/api/v1/sources/{source}/record"))
                .await,
            *record,
        );
    }
    // Unknown sources are 404 for anyone allowed to look.
    let token = w.token(&w.controller).await;
    assert_refused(
        &w.t.get(
            Some(&token),
            "/api/v1/sources/00000000-0000-7000-8000-000000000000",
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_refused(
        &w.t.get(Some(&token), "/api/v1/sources/not-an-id/identity")
            .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
}
