//! What differs between the two databases, kept in one place: how to connect, which
//! migrations to run, how a write transaction takes the ledger's lock, and how to clear a
//! database for a forced restore.

use sqlx::migrate::Migrator;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which events a ledger read covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LedgerSlice {
    /// The next `n` events after a sequence number.
    Next,
    /// Every event in a range of sequence numbers.
    Range,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Statements run on every new connection.
    pub(crate) fn connection_setup(self) -> &'static str {
        match self {
            // WAL lets readers (the officer UI, `audit verify`) run beside a writer; the busy
            // timeout makes a second process (a CLI command while `serve` runs) wait rather
            // than fail; foreign keys are off by default in SQLite. Secure delete zeroes what a
            // change frees in the file, so text overwritten (the register's plaintext when it is
            // sealed) leaves no copy in a page's free space for a seized disk to show.
            Backend::Sqlite => {
                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;"
            }
            Backend::Postgres => "SET TIME ZONE 'UTC'",
        }
    }

    /// How a write transaction begins. The audit chain needs its writers in a single line:
    /// each event's MAC covers the previous one, so two writers must never read the same head.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            // IMMEDIATE takes SQLite's write lock at BEGIN, so a transaction never has to
            // upgrade a read lock (which can fail at once under WAL).
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Run right after `begin_write`, inside the transaction.
    pub(crate) fn lock_ledger(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            // A transaction-scoped advisory lock serialises writers across every `humint serve`
            // instance sharing the database; it is released at commit or rollback.
            Backend::Postgres => Some("SELECT 1 FROM pg_advisory_xact_lock(72657)"),
        }
    }

    /// "`column` is a compartment the reader (`$1`) is read into", for a list ordered by id.
    /// On PostgreSQL an `IN (subquery)` becomes a join whose generic plan (sqlx prepares every
    /// statement) reads every source of the reader's compartments and sorts them (75 ms for a
    /// duty controller's 10,000); `= ANY(ARRAY(…))` is a filter, so the page walks the primary
    /// key and stops after its 50 rows (under 2 ms; docs/benchmarks.md, "Handling API").
    pub(crate) fn in_reader_compartments(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!(
                "{column} IN (SELECT compartment_id FROM user_compartments WHERE user_id = $1)"
            ),
            Backend::Postgres => format!(
                "{column} = ANY(ARRAY(SELECT compartment_id FROM user_compartments WHERE user_id = $1))"
            ),
        }
    }

    /// How a consistent read snapshot begins.
    pub(crate) fn begin_snapshot(self) -> &'static str {
        match self {
            // Under WAL a read transaction sees one snapshot for its whole life.
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }

    /// Ledger events as a single JSON text (one row holding an array of arrays). With
    /// `LedgerSlice::Next`, `$1` = after this sequence number and `$2` = how many; with
    /// `LedgerSlice::Range`, `$1` < seq <= `$2`.
    ///
    /// Verification reads every event; fetching a million rows one by one through the driver
    /// costs several microseconds a row, while one aggregated row per page costs the database
    /// a fraction of that. The caller orders the page by `seq` (SQLite does not promise an
    /// aggregate's order without a sort of its own).
    pub(crate) fn ledger_json(self, slice: LedgerSlice) -> &'static str {
        match (self, slice) {
            (Backend::Sqlite, LedgerSlice::Next) => {
                "SELECT json_group_array(json_array(seq, at_ms, actor, role, action, object_type, object_id, compartment, outcome, hex(mac))) \
                 FROM (SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2)"
            }
            (Backend::Sqlite, LedgerSlice::Range) => {
                "SELECT json_group_array(json_array(seq, at_ms, actor, role, action, object_type, object_id, compartment, outcome, hex(mac))) \
                 FROM audit_events WHERE seq > $1 AND seq <= $2"
            }
            (Backend::Postgres, LedgerSlice::Next) => {
                "SELECT COALESCE(json_agg(json_build_array(seq, at_ms, actor, role, action, object_type, object_id, compartment, outcome, encode(mac, 'hex'))), '[]')::text \
                 FROM (SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2) AS page"
            }
            (Backend::Postgres, LedgerSlice::Range) => {
                "SELECT COALESCE(json_agg(json_build_array(seq, at_ms, actor, role, action, object_type, object_id, compartment, outcome, encode(mac, 'hex'))), '[]')::text \
                 FROM audit_events WHERE seq > $1 AND seq <= $2"
            }
        }
    }

    /// The statement that removes one table (forced restore), so migrations can rebuild the
    /// schema from nothing. Dropping a table is not an UPDATE or DELETE: the ledger's triggers
    /// go with it, by design, because the restored ledger is verified again after loading.
    pub(crate) fn drop_table(self, table: &str) -> String {
        match self {
            Backend::Sqlite => format!("DROP TABLE IF EXISTS {table}"),
            Backend::Postgres => format!("DROP TABLE IF EXISTS {table} CASCADE"),
        }
    }

    /// Whatever else the migrations create besides tables.
    pub(crate) fn drop_extras(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => {
                Some("DROP FUNCTION IF EXISTS humint_refuse_ledger_change() CASCADE")
            }
        }
    }
}
