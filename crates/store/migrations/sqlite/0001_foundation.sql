-- Foundation: station metadata, key versions, compartments, users, sessions, audit ledger.
-- Times are Unix milliseconds (BIGINT) and ids UUIDv7 text on both backends, so the store's
-- SQL reads the same on SQLite and PostgreSQL.

CREATE TABLE station_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Data-encryption keys, each wrapped by the master key (which never enters the database).
CREATE TABLE key_versions (
    version    BIGINT PRIMARY KEY,
    wrapped    BLOB   NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE compartments (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    -- XChaCha20-Poly1305 envelope, bound to (users, totp_secret, id, key version).
    totp_secret     BLOB NOT NULL,
    totp_last_step  BIGINT,
    disabled        BIGINT NOT NULL DEFAULT 0,
    failed_logins   BIGINT NOT NULL DEFAULT 0,
    throttled_until BIGINT,
    created_at      BIGINT NOT NULL
);

CREATE TABLE user_compartments (
    user_id        TEXT NOT NULL REFERENCES users(id),
    compartment_id TEXT NOT NULL REFERENCES compartments(id),
    granted_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, compartment_id)
);

-- Server-side sessions: only the SHA-256 of the bearer token is kept, so a copy of the
-- database does not let anyone sign in.
CREATE TABLE sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_events (
    seq          BIGINT PRIMARY KEY,
    at_ms        BIGINT NOT NULL,
    actor        TEXT   NOT NULL,
    role         TEXT   NOT NULL,
    action       TEXT   NOT NULL,
    object_type  TEXT   NOT NULL,
    object_id    TEXT   NOT NULL,
    compartment  TEXT,
    outcome      TEXT   NOT NULL,
    mac          BLOB   NOT NULL
);

CREATE TABLE audit_checkpoints (
    seq        BIGINT PRIMARY KEY,
    at_ms      BIGINT NOT NULL,
    head_mac   BLOB   NOT NULL,
    signature  BLOB   NOT NULL
);

-- The ledger is append-only: the database itself refuses to change or remove an entry, so a
-- bug or a careless operator with SQL access cannot rewrite history.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
