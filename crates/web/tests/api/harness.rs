//! A station served on a loopback port for one test, with a clock the test moves and officers
//! it can sign in as.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use chrono::TimeZone;
use humint_core::{FixedClock, Role, SeededEntropy};
use humint_crypto::{PasswordParams, TotpSecret, totp_code_at};
use humint_station::{LoginPolicy, Principal, Station, StationConfig};
use humint_store::Backend;
use humint_store::testing::{TestDatabase, backends, fresh_database};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

pub const PASSWORD: &str = "correct horse battery staple";

/// An officer the test can sign in as.
pub struct Officer {
    pub username: String,
    pub password: String,
    pub totp: TotpSecret,
}

pub struct TestStation {
    pub station: Arc<Station>,
    pub base: String,
    pub client: reqwest::Client,
    pub clock: FixedClock,
    pub admin: Officer,
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    _db: TestDatabase,
    server: tokio::task::JoinHandle<()>,
}

impl TestStation {
    /// The SQLite database file, on that backend.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        let rest = self._db.url.strip_prefix("sqlite://")?;
        Some(std::path::PathBuf::from(
            rest.split_once('?').map_or(rest, |(path, _)| path),
        ))
    }
}

impl Drop for TestStation {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Cheap Argon2 parameters: the cost is not what these tests check.
pub fn test_policy() -> LoginPolicy {
    LoginPolicy {
        password_params: PasswordParams::new(1024, 1, 1).expect("valid params"),
        ..LoginPolicy::default()
    }
}

pub fn start_time() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc
        .with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid time")
}

impl TestStation {
    /// A new initialised station with an admin, or `None` when the backend is not available
    /// here (never in CI: there `backends()` makes a missing PostgreSQL fail the test).
    pub async fn start(backend: Backend) -> Option<TestStation> {
        if !backends().contains(&backend) {
            eprintln!("skipping {backend:?}: HUMINT_TEST_POSTGRES_URL is not set");
            return None;
        }
        let db = fresh_database(backend).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = FixedClock::new(start_time());
        let config = StationConfig {
            data_dir: dir.path().join("data"),
            database_url: Some(db.url.clone()),
            master_key_file: None,
            login: test_policy(),
        };
        let station = Arc::new(
            Station::open(
                config,
                Arc::new(clock.clone()),
                Arc::new(SeededEntropy::new(42)),
            )
            .await
            .expect("open station"),
        );
        let enrolment = station
            .initialise("admin", Some(PASSWORD))
            .await
            .expect("initialise");
        let admin = Officer {
            username: "admin".into(),
            password: PASSWORD.into(),
            totp: TotpSecret::from_base32(&enrolment.totp_base32).expect("secret"),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        // As `humint serve` does: estimates run in the background.
        station.start_reliability_worker();
        let router = humint_web::officer_router(station.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("serve");
        });
        Some(TestStation {
            station,
            base,
            client: reqwest::Client::new(),
            clock,
            admin,
            backend,
            dir,
            _db: db,
            server,
        })
    }

    /// Another server process on this station's database and keys (no background worker),
    /// with its own clock and entropy.
    pub async fn another_server(&self, clock: FixedClock, seed: u64) -> Station {
        Station::open(
            self.station.config().clone(),
            Arc::new(clock),
            Arc::new(SeededEntropy::new(seed)),
        )
        .await
        .expect("another server on the same database")
    }

    /// Restores the backup `file` into a fresh database with this station's master key, as
    /// another station (data directory `restored-{name}`); the database lives as long as the
    /// returned handle.
    pub async fn restore_elsewhere(
        &self,
        backend: Backend,
        file: &std::path::Path,
        name: &str,
    ) -> (Station, TestDatabase) {
        let db = fresh_database(backend).await;
        let mut config = self.station.config().clone();
        config.data_dir = self.dir.path().join(format!("restored-{name}"));
        config.database_url = Some(db.url.clone());
        config.master_key_file = Some(self.station.config().master_key_path());
        let station = Station::open(
            config,
            Arc::new(self.clock.clone()),
            Arc::new(SeededEntropy::new(15)),
        )
        .await
        .expect("open");
        station
            .restore_from(&Principal::system(), file, false)
            .await
            .expect("restore");
        (station, db)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The officer's current one-time code by the station's clock.
    pub fn code(&self, officer: &Officer) -> String {
        totp_code_at(&officer.totp, self.clock.now_ts())
    }

    /// Signs in and returns the bearer token. Moves the clock on one TOTP step first, so an
    /// officer can sign in again without tripping the replay rule.
    pub async fn login(&self, officer: &Officer) -> String {
        self.clock.advance(chrono::Duration::seconds(30));
        let (status, body) = self
            .post_json(None, "/api/v1/session", json!({"username": officer.username, "password": officer.password, "totp": self.code(officer)}))
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "sign-in of {} failed: {body}",
            officer.username
        );
        body["token"].as_str().expect("token").to_owned()
    }

    /// Creates an officer through the station's own service (as the system) and returns them.
    pub async fn officer(&self, username: &str, role: Role, compartments: &[&str]) -> Officer {
        for c in compartments {
            let _ = self.station.add_compartment(&Principal::system(), c).await;
        }
        let names: Vec<String> = compartments.iter().map(|c| c.to_string()).collect();
        let enrolment = self
            .station
            .add_user(&Principal::system(), username, role, &names, PASSWORD)
            .await
            .expect("add user");
        Officer {
            username: username.into(),
            password: PASSWORD.into(),
            totp: TotpSecret::from_base32(&enrolment.totp_base32).expect("secret"),
        }
    }

    /// Sends after the background estimates asked for by earlier requests are stored, so a test
    /// reads what the station has settled on (a served station gets there within seconds).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        self.station.reliability_settled().await;
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    fn authed(
        &self,
        request: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        match token {
            Some(t) => request.bearer_auth(t),
            None => request,
        }
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        self.send(self.authed(self.client.get(self.url(path)), token))
            .await
    }

    pub async fn post_json(
        &self,
        token: Option<&str>,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send(self.authed(self.client.post(self.url(path)).json(&body), token))
            .await
    }

    pub async fn delete(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        self.send(self.authed(self.client.delete(self.url(path)), token))
            .await
    }
}

trait NowTs {
    fn now_ts(&self) -> i64;
}

impl NowTs for FixedClock {
    fn now_ts(&self) -> i64 {
        use humint_core::Clock;
        self.now().timestamp()
    }
}

/// Asserts an error answer: status, rule code, and a non-empty sentence.
#[track_caller]
pub fn assert_refused(answer: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(
        answer.0, status,
        "expected {status} {code}, got {} {}",
        answer.0, answer.1
    );
    assert_eq!(answer.1["code"], code, "expected {code}: {}", answer.1);
    assert!(
        answer.1["message"].as_str().is_some_and(|m| m.len() > 10),
        "a refusal needs a sentence: {}",
        answer.1
    );
}
