//! Row types the store reads and writes. These are storage shapes, not wire types: the web
//! layer converts them explicitly and none of them is `Serialize`.

/// A data-encryption key wrapped by the master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyVersionRow {
    pub version: i64,
    pub wrapped: Vec<u8>,
    pub created_at_ms: i64,
}

/// A column that holds ciphertext, and the column that names its row. Key rotation walks
/// exactly these; a new encrypted column must be listed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptedColumn {
    pub table: &'static str,
    pub column: &'static str,
    pub row_key: &'static str,
}

pub const ENCRYPTED_COLUMNS: &[EncryptedColumn] = &[
    EncryptedColumn {
        table: "users",
        column: "totp_secret",
        row_key: "id",
    },
    EncryptedColumn {
        table: "sources",
        column: "true_identity",
        row_key: "id",
    },
    EncryptedColumn {
        table: "risk_assessments",
        column: "content",
        row_key: "id",
    },
    EncryptedColumn {
        table: "contacts",
        column: "notes",
        row_key: "id",
    },
    EncryptedColumn {
        table: "reports",
        column: "content",
        row_key: "id",
    },
    EncryptedColumn {
        table: "claims",
        column: "content",
        row_key: "id",
    },
    EncryptedColumn {
        table: "grade_decisions",
        column: "rationale",
        row_key: "id",
    },
    // Migration 0012: the register's free text (see `SEALED_TEXT_COLUMNS`).
    EncryptedColumn {
        table: "relevant_errors",
        column: "description_sealed",
        row_key: "id",
    },
    EncryptedColumn {
        table: "relevant_errors",
        column: "reference_sealed",
        row_key: "id",
    },
    EncryptedColumn {
        table: "requirement_events",
        column: "note_sealed",
        row_key: "id",
    },
    EncryptedColumn {
        table: "break_glass_events",
        column: "reason_sealed",
        row_key: "id",
    },
    EncryptedColumn {
        table: "open_source_items",
        column: "content",
        row_key: "id",
    },
    // Migration 0014: a source's lifecycle events (see `SEALED_TEXT_COLUMNS`).
    EncryptedColumn {
        table: "source_transitions",
        column: "doc_sealed",
        row_key: "id",
    },
    // Migration 0015: taskings' instructions and status notes.
    EncryptedColumn {
        table: "taskings",
        column: "doc_sealed",
        row_key: "id",
    },
    // Migration 0016: a contact's location alias and fallback arrangements.
    EncryptedColumn {
        table: "contacts",
        column: "text_sealed",
        row_key: "id",
    },
    // Migration 0016: a payment's purpose.
    EncryptedColumn {
        table: "payments",
        column: "text_sealed",
        row_key: "id",
    },
    // Migration 0016: an authorisation's justification and the text of its history.
    EncryptedColumn {
        table: "authorisations",
        column: "text_sealed",
        row_key: "id",
    },
    // Migration 0018: concerns raised about a source and their reviews.
    EncryptedColumn {
        table: "source_concerns",
        column: "account_sealed",
        row_key: "id",
    },
    EncryptedColumn {
        table: "source_concern_reviews",
        column: "review_note_sealed",
        row_key: "concern_id",
    },
];

/// A free-text column that was plaintext before migration 0012 and its envelope counterpart.
/// New rows leave `plain` blank; rows written before are sealed when the station opens
/// ([`crate::RegisterStore::unsealed_texts`], [`crate::RegisterStore::seal_texts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedTextColumn {
    pub table: &'static str,
    /// The old plaintext column.
    pub plain: &'static str,
    /// The envelope column (listed in [`ENCRYPTED_COLUMNS`]).
    pub sealed: &'static str,
    /// Whether the plaintext column may be NULL (then it is blanked to NULL, otherwise to '').
    pub nullable: bool,
    /// Whether the plaintext column is a document of which only the free-text fields are
    /// sealed (migration 0016): it keeps the document with those fields blanked
    /// ([`crate::SealedText::rest`]), which readers without keys (the alert scheduler) decode.
    pub split: bool,
}

pub const SEALED_TEXT_COLUMNS: &[SealedTextColumn] = &[
    SealedTextColumn {
        table: "relevant_errors",
        plain: "description",
        sealed: "description_sealed",
        nullable: false,
        split: false,
    },
    SealedTextColumn {
        table: "relevant_errors",
        plain: "reference",
        sealed: "reference_sealed",
        nullable: true,
        split: false,
    },
    SealedTextColumn {
        table: "requirement_events",
        plain: "note",
        sealed: "note_sealed",
        nullable: false,
        split: false,
    },
    SealedTextColumn {
        table: "break_glass_events",
        plain: "reason",
        sealed: "reason_sealed",
        nullable: false,
        split: false,
    },
    SealedTextColumn {
        table: "source_transitions",
        plain: "doc",
        sealed: "doc_sealed",
        nullable: false,
        split: false,
    },
    SealedTextColumn {
        table: "taskings",
        plain: "doc",
        sealed: "doc_sealed",
        nullable: false,
        split: false,
    },
    SealedTextColumn {
        table: "contacts",
        plain: "doc",
        sealed: "text_sealed",
        nullable: false,
        split: true,
    },
    SealedTextColumn {
        table: "payments",
        plain: "doc",
        sealed: "text_sealed",
        nullable: false,
        split: true,
    },
    SealedTextColumn {
        table: "authorisations",
        plain: "doc",
        sealed: "text_sealed",
        nullable: false,
        split: true,
    },
];

/// Where a page of encrypted fields ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCursor {
    pub column_index: usize,
    pub row: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedField {
    pub table: &'static str,
    pub column: &'static str,
    pub row: String,
    pub ciphertext: Vec<u8>,
    pub cursor: FieldCursor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompartmentRecord {
    pub id: String,
    pub name: String,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub id: String,
    pub username: String,
    pub role: String,
    pub password_hash: String,
    /// Ciphertext of the TOTP secret, bound to (users, totp_secret, id).
    pub totp_secret: Vec<u8>,
    pub created_at_ms: i64,
    pub compartment_ids: Vec<String>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub role: String,
    pub password_hash: String,
    pub totp_secret: Vec<u8>,
    pub totp_last_step: Option<i64>,
    pub disabled: bool,
    pub failed_logins: i64,
    pub throttled_until_ms: Option<i64>,
    pub created_at_ms: i64,
    /// The officer's rank as the rank table spells it (migration 0022; AUTH-03).
    pub rank: Option<String>,
}

impl std::fmt::Debug for UserRecord {
    // The password hash and the TOTP ciphertext stay out of logs and panic messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field("failed_logins", &self.failed_logins)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the bearer token; the token itself is never stored.
    pub token_hash: Vec<u8>,
    pub user_id: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

/// Who did what to which object, for the audit event a store call appends. Never carries
/// plaintext of sensitive content: object ids and action names only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContext {
    pub at_ms: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub compartment: Option<String>,
    pub outcome: String,
}

impl AuditContext {
    pub fn new(
        at_ms: i64,
        actor: impl Into<String>,
        role: impl Into<String>,
        action: impl Into<String>,
        object_type: impl Into<String>,
        object_id: impl Into<String>,
    ) -> Self {
        Self {
            at_ms,
            actor: actor.into(),
            role: role.into(),
            action: action.into(),
            object_type: object_type.into(),
            object_id: object_id.into(),
            compartment: None,
            outcome: "ok".to_owned(),
        }
    }

    pub fn in_compartment(mut self, compartment: impl Into<String>) -> Self {
        self.compartment = Some(compartment.into());
        self
    }

    pub fn denied(mut self) -> Self {
        self.outcome = "denied".to_owned();
        self
    }
}
