//! The handling cycle through the API: the full story, the rules at their boundaries, and who
//! may do what on the source endpoints. Each test runs on both backends.

mod access;
pub(crate) mod alerts;
mod boundaries;
mod payment_policy;
mod privileged;
mod progress;
mod ranks;
mod register;
mod story;

use crate::harness::{Officer, TestStation};
use chrono::{DateTime, Utc};
use humint_core::Role;
use humint_store::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const COMPARTMENT: &str = "ALPHA";
pub const OTHER: &str = "BRAVO";

/// A station with one compartment's worth of officers: a handler, a controller, an
/// authorising officer, a record-keeper, an analyst and an auditor, all read into ALPHA.
pub struct World {
    pub t: TestStation,
    pub handler: Officer,
    pub controller: Officer,
    pub ao: Officer,
    pub keeper: Officer,
    pub analyst: Officer,
    pub auditor: Officer,
}

impl World {
    pub async fn new(backend: Backend) -> Option<World> {
        let t = TestStation::start(backend).await?;
        let handler = t.officer("hana", Role::Handler, &[COMPARTMENT]).await;
        let controller = t.officer("carl", Role::Controller, &[COMPARTMENT]).await;
        let ao = t
            .officer("ada", Role::AuthorisingOfficer, &[COMPARTMENT])
            .await;
        let keeper = t.officer("kim", Role::Auditor, &[COMPARTMENT]).await;
        let analyst = t.officer("ann", Role::Analyst, &[COMPARTMENT]).await;
        let auditor = t.officer("aud", Role::Auditor, &[COMPARTMENT]).await;
        Some(World {
            t,
            handler,
            controller,
            ao,
            keeper,
            analyst,
            auditor,
        })
    }

    /// A fresh session (sessions last 8 hours; tests move the clock by months).
    pub async fn token(&self, officer: &Officer) -> String {
        self.t.login(officer).await
    }

    pub fn now(&self) -> DateTime<Utc> {
        use humint_core::Clock;
        self.t.clock.now()
    }

    /// Sets the clock so that, after signing in (which moves it on 30 s), it reads `at`.
    pub async fn token_at(&self, officer: &Officer, at: DateTime<Utc>) -> String {
        self.t.clock.set(at - chrono::Duration::seconds(30));
        self.token(officer).await
    }

    /// A new source with all three roles, by the handler. Returns its id.
    pub async fn source(&self, dob: &str) -> String {
        let token = self.token(&self.handler).await;
        let (status, body) = self
            .t
            .post_json(
                Some(&token),
                "/api/v1/sources",
                json!({
                    "compartment": COMPARTMENT,
                    "origin": "walk_in",
                    "true_identity": {"name": "Jane Example", "date_of_birth": dob, "identities_used": ["J. Sample"]},
                    "controller": "carl",
                    "record_keeper": "kim",
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    /// A complete risk assessment (enhanced, so it serves juveniles too).
    pub async fn risk(&self, source: &str) {
        let token = self.token(&self.handler).await;
        let (status, body) = self
            .t
            .post_json(
                Some(&token),
                &format!("/api/v1/sources/{source}/risk-assessments"),
                json!({
                    "level": "medium",
                    "security_and_welfare": "Works near the target; exposure would risk reprisal.",
                    "mitigations": "Meetings out of area; cover story agreed.",
                    "explained_to_source": true,
                    "understood_by_source": true,
                    "physical_harm": "Low if meetings stay out of area.",
                    "psychological_harm": "Stress of divided loyalty; welfare calls weekly.",
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// How many authorisations the source's list shows the holder of `token` (a refusal must
    /// leave it unchanged).
    pub async fn authorisation_count(&self, token: &str, source: &str) -> usize {
        let (status, list) = self
            .t
            .get(
                Some(token),
                &format!("/api/v1/sources/{source}/authorisations"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list.as_array().map_or(0, Vec::len)
    }

    pub fn grant_body(kind: &str) -> Value {
        json!({
            "kind": kind,
            "ground": "preventing_or_detecting_crime_or_disorder",
            "necessity": "No other way to learn the group's supply route.",
            "proportionality": "Least intrusive means; limited to the supply route.",
            "collateral_intrusion": "Family members may be mentioned; not recorded.",
            "tasks": ["report on the supply route"],
            "review_interval_days": 28,
        })
    }

    /// Grants as the authorising officer; returns the answer.
    pub async fn grant(&self, source: &str, body: Value) -> (StatusCode, Value) {
        let token = self.token(&self.ao).await;
        self.t
            .post_json(
                Some(&token),
                &format!("/api/v1/sources/{source}/authorisations"),
                body,
            )
            .await
    }

    /// Moves the source through the states to `to`, by the handler.
    pub async fn walk(&self, source: &str, states: &[&str]) {
        for to in states {
            let token = self.token(&self.handler).await;
            let (status, body) = self
                .t
                .post_json(
                    Some(&token),
                    &format!("/api/v1/sources/{source}/transitions"),
                    json!({"to": to, "reason": format!("ready for {to}")}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "to {to}: {body}");
        }
    }

    /// A source recruited under a standard authorisation; returns (source, authorisation).
    pub async fn recruited(&self, dob: &str) -> (String, Value) {
        let source = self.source(dob).await;
        self.risk(&source).await;
        self.walk(&source, &["assessed", "in_development"]).await;
        let (status, auth) = self.grant(&source, Self::grant_body("standard")).await;
        assert_eq!(status, StatusCode::CREATED, "{auth}");
        self.walk(&source, &["recruited"]).await;
        (source, auth)
    }

    pub async fn requirement(&self) -> String {
        let token = self.token(&self.controller).await;
        let (status, body) = self
            .t
            .post_json(
                Some(&token),
                "/api/v1/requirements",
                json!({"compartment": COMPARTMENT, "title": "Supply route", "detail": "How goods enter the city", "priority": 2, "review_by": "2027-12-31"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    pub async fn task(&self, source: &str, requirement: &str) -> (StatusCode, Value) {
        let token = self.token(&self.handler).await;
        self.t
            .post_json(
                Some(&token),
                &format!("/api/v1/sources/{source}/taskings"),
                json!({"requirement_id": requirement, "instructions": "Note the vehicles used."}),
            )
            .await
    }
}

/// An instant from RFC 3339 text.
pub fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// An ISO date `years` years and `days` days before the station's start, for ages.
pub fn born_years_ago(years: i32, extra_days: i64) -> String {
    use chrono::Datelike;
    let start = crate::harness::start_time().date_naive();
    let d = start.with_year(start.year() - years).expect("valid date")
        - chrono::Duration::days(extra_days);
    d.to_string()
}

/// Whether any value of any row of `table` contains `text`.
pub async fn table_holds(w: &World, table: &str, text: &str) -> bool {
    let values =
        w.t.station
            .store()
            .table_values_unchecked(table)
            .await
            .expect("read the table");
    values.iter().any(|v| {
        v.windows(text.len())
            .any(|window| window == text.as_bytes())
    })
}
