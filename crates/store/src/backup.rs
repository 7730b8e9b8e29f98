//! A backup is a stream of JSON lines: a header, then each table's name and rows, then a
//! footer with the count, so a cut-short file is refused rather than half-restored. The format
//! is the same for both backends: a SQLite station can be restored onto PostgreSQL.
//!
//! Encrypted fields stay ciphertext in the backup; the master key is not in it and must be
//! kept (separately) for the restored station to read them.

use serde::{Deserialize, Serialize};

/// The kind of value a column holds, which decides how it is written to JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Text,
    Blob,
}

#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [(&'static str, ColumnKind)],
    pub order_by: &'static str,
}

use ColumnKind::{Blob, Int, Text};

/// Every table, parents before children (the order rows are restored in).
pub const TABLES: &[TableSpec] = &[
    TableSpec {
        name: "station_meta",
        columns: &[("key", Text), ("value", Text)],
        order_by: "key",
    },
    TableSpec {
        name: "key_versions",
        columns: &[("version", Int), ("wrapped", Blob), ("created_at", Int)],
        order_by: "version",
    },
    TableSpec {
        name: "compartments",
        columns: &[("id", Text), ("name", Text), ("created_at", Int)],
        order_by: "id",
    },
    TableSpec {
        name: "users",
        columns: &[
            ("id", Text),
            ("username", Text),
            ("role", Text),
            ("password_hash", Text),
            ("totp_secret", Blob),
            ("totp_last_step", Int),
            ("disabled", Int),
            ("failed_logins", Int),
            ("throttled_until", Int),
            ("created_at", Int),
            ("officer_rank", Text),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "user_compartments",
        columns: &[
            ("user_id", Text),
            ("compartment_id", Text),
            ("granted_at", Int),
        ],
        order_by: "user_id, compartment_id",
    },
    TableSpec {
        name: "sessions",
        columns: &[
            ("token_hash", Blob),
            ("user_id", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("revoked_at", Int),
        ],
        order_by: "token_hash",
    },
    TableSpec {
        name: "audit_events",
        columns: &[
            ("seq", Int),
            ("at_ms", Int),
            ("actor", Text),
            ("role", Text),
            ("action", Text),
            ("object_type", Text),
            ("object_id", Text),
            ("compartment", Text),
            ("outcome", Text),
            ("mac", Blob),
        ],
        order_by: "seq",
    },
    TableSpec {
        name: "audit_checkpoints",
        columns: &[
            ("seq", Int),
            ("at_ms", Int),
            ("head_mac", Blob),
            ("signature", Blob),
        ],
        order_by: "seq",
    },
    // The handling cycle (migration 0002), parents before children.
    TableSpec {
        name: "requirements",
        columns: &[
            ("id", Text),
            ("compartment_id", Text),
            ("title", Text),
            ("detail", Text),
            ("priority", Int),
            ("opened_at", Int),
            ("review_by", Text),
            ("review_due_at", Int),
            ("closed_at", Int),
            ("created_by", Text),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "sources",
        columns: &[
            ("id", Text),
            ("compartment_id", Text),
            ("codename", Text),
            ("state", Text),
            ("origin", Text),
            ("juvenile", Int),
            ("vulnerable", Int),
            ("undercover", Int),
            ("recruited_at", Int),
            ("true_identity", Blob),
            ("created_at", Int),
            ("created_by", Text),
            ("version", Int),
            ("motivation", Text),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "source_transitions",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("from_state", Text),
            ("to_state", Text),
            ("at_ms", Int),
            ("actor", Text),
            ("doc", Text),
            ("doc_sealed", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "source_roles",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("role", Text),
            ("officer_id", Text),
            ("from_ms", Int),
            ("until_ms", Int),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "risk_assessments",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("assessed_by", Text),
            ("assessed_at", Int),
            ("level", Text),
            ("explained", Int),
            ("understood", Int),
            ("content", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "authorisations",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("kind", Text),
            ("parent_id", Text),
            ("granted_by", Text),
            ("granted_at", Int),
            ("expires_at", Int),
            ("cancelled_at", Int),
            ("next_review_due", Int),
            ("doc", Text),
            ("text_sealed", Blob),
        ],
        order_by: "granted_at, id",
    },
    TableSpec {
        name: "taskings",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("requirement_id", Text),
            ("authorisation_id", Text),
            ("issued_by", Text),
            ("issued_at", Int),
            ("status", Text),
            ("doc", Text),
            ("doc_sealed", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "contacts",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("status", Text),
            ("at_ms", Int),
            ("next_contact_due", Int),
            ("recorded_by", Text),
            ("recorded_at", Int),
            ("doc", Text),
            ("notes", Blob),
            ("text_sealed", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "payments",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("kind", Text),
            ("amount_minor", Int),
            ("recorded_at", Int),
            ("approved_at", Int),
            ("paid_at", Int),
            ("doc", Text),
            ("text_sealed", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "reports",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("contact_id", Text),
            ("requirement_id", Text),
            ("status", Text),
            ("source_grade", Text),
            ("info_grade", Int),
            ("handling_code", Text),
            ("graded_by", Text),
            ("graded_at", Int),
            ("created_by", Text),
            ("created_at", Int),
            ("content", Blob),
            ("reported_at", Int),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "claims",
        columns: &[
            ("id", Text),
            ("report_id", Text),
            ("observed_at", Int),
            ("recorded_by", Text),
            ("recorded_at", Int),
            ("content", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "disseminations",
        columns: &[
            ("id", Text),
            ("report_id", Text),
            ("recipient", Text),
            ("handling_code", Text),
            ("sanitised", Int),
            ("disseminated_by", Text),
            ("disseminated_at", Int),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "outcomes",
        columns: &[
            ("id", Text),
            ("claim_id", Text),
            ("verdict", Text),
            ("means", Text),
            ("established_at", Int),
            ("recorded_by", Text),
            ("recorded_at", Int),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "intake_settings",
        columns: &[("key", Text), ("value", Text)],
        order_by: "key",
    },
    TableSpec {
        name: "intake_recipients",
        columns: &[("id", Text), ("recipient", Text), ("created_at", Int)],
        order_by: "id",
    },
    TableSpec {
        name: "intake_threads",
        columns: &[
            ("id", Text),
            ("lookup", Blob),
            ("reply_recipient", Text),
            ("received_day", Text),
            ("status", Text),
            ("acknowledged_day", Text),
            ("feedback_day", Text),
            ("source_id", Text),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "intake_entries",
        columns: &[
            ("id", Text),
            ("thread_id", Text),
            ("seq", Int),
            ("kind", Text),
            ("day", Text),
            ("body", Blob),
            ("size", Int),
            ("file_name", Text),
            ("file_size", Int),
        ],
        order_by: "thread_id, seq",
    },
    TableSpec {
        name: "intake_phrases",
        columns: &[
            ("phrase_hash", Blob),
            ("issued_by", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_day", Text),
        ],
        order_by: "phrase_hash",
    },
    TableSpec {
        name: "relevant_errors",
        columns: &[
            ("id", Text),
            ("compartment_id", Text),
            ("source_id", Text),
            ("authorisation_id", Text),
            ("description", Text),
            ("identified_at", Int),
            ("established_at", Int),
            ("established_by", Text),
            ("report_due_at", Int),
            ("reported_at", Int),
            ("reported_by", Text),
            ("reference", Text),
            ("recorded_by", Text),
            ("recorded_at", Int),
            ("description_sealed", Blob),
            ("reference_sealed", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "requirement_events",
        columns: &[
            ("id", Text),
            ("requirement_id", Text),
            ("kind", Text),
            ("at_ms", Int),
            ("actor", Text),
            ("review_by", Text),
            ("note", Text),
            ("note_sealed", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "break_glass_events",
        columns: &[
            ("id", Text),
            ("compartment_id", Text),
            ("source_id", Text),
            ("actor", Text),
            ("reason", Text),
            ("at_ms", Int),
            ("reason_sealed", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "report_gradings",
        columns: &[
            ("id", Text),
            ("report_id", Text),
            ("scheme", Text),
            ("source_code", Text),
            ("information_code", Text),
            ("handling_code", Text),
            ("conditions", Text),
            ("graded_by", Text),
            ("graded_at", Int),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "reliability_estimates",
        columns: &[
            ("source_id", Text),
            ("compartment_id", Text),
            ("computed_at", Int),
            ("letter", Text),
            ("doc", Text),
        ],
        order_by: "source_id",
    },
    TableSpec {
        name: "reliability_history",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("seq", Int),
            ("computed_at", Int),
            ("doc", Text),
        ],
        order_by: "source_id, seq",
    },
    TableSpec {
        name: "claim_assessments",
        columns: &[
            ("claim_id", Text),
            ("report_id", Text),
            ("compartment_id", Text),
            ("computed_at", Int),
            ("digit", Int),
            ("doc", Text),
        ],
        order_by: "claim_id",
    },
    TableSpec {
        name: "report_assessments",
        columns: &[
            ("report_id", Text),
            ("compartment_id", Text),
            ("computed_at", Int),
            ("digit", Int),
            ("circular", Int),
            ("doc", Text),
        ],
        order_by: "report_id",
    },
    TableSpec {
        name: "reliability_generations",
        columns: &[("compartment_id", Text), ("generation", Int)],
        order_by: "compartment_id",
    },
    TableSpec {
        name: "grade_decisions",
        columns: &[
            ("id", Text),
            ("report_id", Text),
            ("graded_by", Text),
            ("graded_at", Int),
            ("source_grade", Text),
            ("info_grade", Int),
            ("suggested_source", Text),
            ("suggested_info", Int),
            ("rationale", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "totp_enrolments",
        columns: &[("user_id", Text), ("created_at", Int)],
        order_by: "user_id",
    },
    TableSpec {
        name: "alert_schedule",
        columns: &[
            ("id", Text),
            ("owner_id", Text),
            ("source_id", Text),
            ("compartment_id", Text),
            ("kind", Text),
            ("severity", Int),
            ("due_at", Int),
            ("starts_at", Int),
            ("ends_at", Int),
            ("doc", Text),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "alert_schedule_meta",
        columns: &[("key", Text), ("value", Text)],
        order_by: "key",
    },
    TableSpec {
        name: "open_source_items",
        columns: &[
            ("id", Text),
            ("compartment_id", Text),
            ("recorded_by", Text),
            ("recorded_at", Int),
            ("published_at", Int),
            ("content", Blob),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "source_concerns",
        columns: &[
            ("id", Text),
            ("source_id", Text),
            ("category", Text),
            ("account_sealed", Blob),
            ("raised_by", Text),
            ("raised_at", Int),
        ],
        order_by: "id",
    },
    TableSpec {
        name: "source_concern_reviews",
        columns: &[
            ("concern_id", Text),
            ("finding", Text),
            ("review_note_sealed", Blob),
            ("reviewed_by", Text),
            ("reviewed_at", Int),
        ],
        order_by: "concern_id",
    },
    // The boilerplate check's stored result (migration 0021). A backup from before it has
    // neither table: the station compares those authorisations when it restores it.
    TableSpec {
        name: "authorisation_text_checks",
        columns: &[
            ("authorisation_id", Text),
            ("checked_at", Int),
            ("at_grant", Int),
        ],
        order_by: "authorisation_id",
    },
    TableSpec {
        name: "authorisation_text_repeats",
        columns: &[
            ("authorisation_id", Text),
            ("statement", Text),
            ("other_id", Text),
            ("shared", Int),
            ("shingles", Int),
        ],
        order_by: "authorisation_id, statement",
    },
];

/// Columns added after the format's version 1 was first written, each at the end of its
/// table's list and nullable: a backup made before them restores with them NULL (the station
/// seals the register's plaintext, and splits and seals the free text of contacts, payments
/// and authorisations (0016), when it next opens; a source's motivation reads as not
/// recorded).
pub const ADDED_COLUMNS: &[&str] = &[
    "description_sealed",
    "reference_sealed",
    "note_sealed",
    "reason_sealed",
    "motivation",
    "doc_sealed",
    "text_sealed",
    "officer_rank",
];

/// Columns added at the end of one table's list that a backup from before them fills from
/// another column of the same row rather than with NULL (so they may be NOT NULL): (table,
/// column, filled from). Named by table, since `reported_at` is an older column of
/// `relevant_errors`. A report restored from a backup made before 0020 was reported when it
/// was filed, as the migration says of existing rows.
pub const ADDED_FROM: &[(&str, &str, &str)] = &[("reports", "reported_at", "created_at")];

/// The column a backup from before `column` of `table` fills it from, if any.
pub(crate) fn added_from(table: &str, column: &str) -> Option<&'static str> {
    ADDED_FROM
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, from)| *from)
}

/// How many of `spec`'s columns a backup naming `columns` fills: all of them, or all but
/// trailing [`ADDED_COLUMNS`] and [`ADDED_FROM`] columns (a backup from before they existed).
/// `None` if it names others.
pub(crate) fn restored_columns(spec: &TableSpec, columns: &[String]) -> Option<usize> {
    let expected: Vec<&str> = spec.columns.iter().map(|(n, _)| *n).collect();
    let n = columns.len();
    let same = n <= expected.len() && expected.iter().zip(columns).all(|(e, c)| e == c);
    let added = |c: &&str| ADDED_COLUMNS.contains(c) || added_from(spec.name, c).is_some();
    (same && expected[n..].iter().all(added)).then_some(n)
}

pub const FORMAT: &str = "humint-backup";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    Header {
        format: String,
        version: u32,
        backend: String,
    },
    Table {
        name: String,
        columns: Vec<String>,
    },
    Row {
        values: Vec<serde_json::Value>,
    },
    Footer {
        tables: u64,
        rows: u64,
    },
}

/// Where backup lines go (a file, an encrypting writer, memory in tests).
pub trait BackupSink {
    fn write_line(&mut self, line: &str) -> std::io::Result<()>;
}

/// Where backup lines come from; `Ok(None)` at the end.
pub trait BackupSource {
    fn read_line(&mut self) -> std::io::Result<Option<String>>;
}

impl BackupSink for Vec<String> {
    fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        self.push(line.to_owned());
        Ok(())
    }
}

impl BackupSource for std::collections::VecDeque<String> {
    fn read_line(&mut self) -> std::io::Result<Option<String>> {
        Ok(self.pop_front())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub tables: u64,
    pub rows: u64,
}

pub(crate) fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_backup_from_before_the_envelope_columns_restores_and_nothing_else_is_guessed() {
        let spec = table("break_glass_events").expect("table");
        let now = [
            "id",
            "compartment_id",
            "source_id",
            "actor",
            "reason",
            "at_ms",
        ];
        let mut all = now.to_vec();
        all.push("reason_sealed");
        assert_eq!(
            restored_columns(spec, &names(&all)),
            Some(7),
            "this version's"
        );
        assert_eq!(restored_columns(spec, &names(&now)), Some(6), "before 0012");
        // A column of its own missing, an unknown one, or another order: refused.
        assert_eq!(restored_columns(spec, &names(&now[..5])), None);
        let mut extra = all.clone();
        extra.push("colour");
        assert_eq!(restored_columns(spec, &names(&extra)), None);
        let mut swapped = all.clone();
        swapped.swap(0, 1);
        assert_eq!(restored_columns(spec, &names(&swapped)), None);
        // Tables without added columns take only their own list.
        let users = table("compartments").expect("table");
        assert_eq!(
            restored_columns(users, &names(&["id", "name", "created_at"])),
            Some(3)
        );
        assert_eq!(restored_columns(users, &names(&["id", "name"])), None);
    }

    #[test]
    fn a_backup_from_before_the_motivation_column_restores_its_sources() {
        let spec = table("sources").expect("table");
        let all: Vec<&str> = spec.columns.iter().map(|(n, _)| *n).collect();
        assert_eq!(all.last(), Some(&"motivation"));
        assert_eq!(restored_columns(spec, &names(&all)), Some(all.len()));
        let before = &all[..all.len() - 1];
        assert_eq!(
            restored_columns(spec, &names(before)),
            Some(before.len()),
            "before 0013: motivation reads as not recorded"
        );
    }

    #[test]
    fn a_backup_from_before_officer_ranks_restores_its_users_with_no_rank() {
        let spec = table("users").expect("table");
        let all: Vec<&str> = spec.columns.iter().map(|(n, _)| *n).collect();
        assert_eq!(all.last(), Some(&"officer_rank"));
        assert_eq!(restored_columns(spec, &names(&all)), Some(all.len()));
        let before = &all[..all.len() - 1];
        assert_eq!(
            restored_columns(spec, &names(before)),
            Some(before.len()),
            "before 0022: no rank recorded"
        );
    }

    #[test]
    fn a_backup_from_before_reported_at_restores_its_reports_reported_when_filed() {
        let spec = table("reports").expect("table");
        let all: Vec<&str> = spec.columns.iter().map(|(n, _)| *n).collect();
        assert_eq!(all.last(), Some(&"reported_at"));
        let before = &all[..all.len() - 1];
        assert_eq!(restored_columns(spec, &names(before)), Some(before.len()));
        assert_eq!(added_from("reports", "reported_at"), Some("created_at"));
        assert!(before.contains(&"created_at"));
        assert_eq!(added_from("sources", "motivation"), None);
        // The register's own `reported_at` is no added column: a backup without it is refused.
        let errors = table("relevant_errors").expect("table");
        let cols: Vec<&str> = errors.columns.iter().map(|(n, _)| *n).collect();
        let at = cols
            .iter()
            .position(|c| *c == "reported_at")
            .expect("column");
        assert_eq!(restored_columns(errors, &names(&cols[..at])), None);
    }
}
