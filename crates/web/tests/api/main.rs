//! The officer API driven over real HTTP by a real client, against a real station on each
//! backend (SQLite always; PostgreSQL when `HUMINT_TEST_POSTGRES_URL` is set, and in CI).
//! One test binary for the crate: each area of the API is a module here.

mod browser;
mod harness;

mod boilerplate;
mod concerns;
mod foundation;
mod handling;
mod import;
mod inspection;
mod intake;
mod motivation;
mod open_press;
mod reliability;
mod risk_alerts;
mod sealed;
mod sealed_records;
mod ui;
