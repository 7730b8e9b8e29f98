//! Fresh, throwaway stores for tests on either backend: a temporary SQLite file, or a new
//! database on the PostgreSQL server named by `HUMINT_TEST_POSTGRES_URL`.
//!
//! When `CI` is set and `HUMINT_TEST_POSTGRES_URL` is not, asking for the PostgreSQL backend
//! fails the test instead of skipping it: CI must exercise both backends.

use crate::{AuditKeys, Backend, SqlStore};
use sqlx::{AssertSqlSafe, Connection as _, Executor as _};
use std::sync::atomic::{AtomicU64, Ordering};

pub const POSTGRES_ENV: &str = "HUMINT_TEST_POSTGRES_URL";

/// Keys for tests: fixed, so a failing test can be replayed.
pub fn test_keys() -> AuditKeys {
    AuditKeys {
        chain: [7u8; 32],
        checkpoint: [9u8; 32],
    }
}

/// Which backends this run must cover.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if std::env::var_os(POSTGRES_ENV).is_some() {
        out.push(Backend::Postgres);
    } else if std::env::var_os("CI").is_some() {
        // Pushed anyway: `fresh_url` then fails loudly, naming what is missing.
        out.push(Backend::Postgres);
    }
    out
}

/// A database that exists for one test and the files or database behind it: the SQLite
/// file's directory is removed, and the PostgreSQL database dropped, when it goes.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the server's administration URL and the database's name.
    created: Option<(String, String)>,
}

impl Drop for TestDatabase {
    /// Drops the PostgreSQL database (closing any connection a test left open), on a thread
    /// of its own with its own runtime, since a test's runtime may be the one dropping it,
    /// and waits for it: each test runs in a process of its own, which may exit next.
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.created.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = conn
                        .execute(AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = dropped.join();
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new, empty database for the backend.
pub async fn fresh_database(backend: Backend) -> TestDatabase {
    match backend {
        Backend::Sqlite => {
            #[allow(clippy::expect_used)]
            let dir = tempfile::tempdir().expect("a temporary directory");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("humint.db").display()
            );
            TestDatabase {
                url,
                backend,
                _dir: Some(dir),
                created: None,
            }
        }
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
                panic!(
                    "CI is set but {POSTGRES_ENV} is not: the PostgreSQL store suite cannot be skipped in CI"
                );
            };
            let name = format!(
                "humint_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0)
            );
            sqlx::any::install_default_drivers();
            #[allow(clippy::expect_used)]
            let mut conn = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("connect to the test PostgreSQL server");
            #[allow(clippy::expect_used)]
            conn.execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .expect("create a test database");
            let _ = conn.close().await;
            // postgres://user@host:port/admin_db?params → same server, the new database.
            let (location, query) = admin_url
                .split_once('?')
                .map_or((admin_url.as_str(), String::new()), |(l, q)| {
                    (l, format!("?{q}"))
                });
            let server = location
                .rsplit_once('/')
                .map_or(location, |(server, _db)| server);
            TestDatabase {
                url: format!("{server}/{name}{query}"),
                backend,
                _dir: None,
                created: Some((admin_url.clone(), name)),
            }
        }
    }
}

/// A new, empty, migrated store for the backend.
pub async fn fresh_store(backend: Backend) -> (SqlStore, TestDatabase) {
    let db = fresh_database(backend).await;
    #[allow(clippy::expect_used)]
    let store = SqlStore::open(&db.url, test_keys())
        .await
        .expect("open the test store");
    (store, db)
}
