-- The intake portal: custodian recipients, volunteer threads, what they sent and the replies,
-- verification phrases. Nothing here is plaintext a volunteer or an officer wrote: message
-- bodies, files (on disk) and replies are age ciphertext, and the codename is kept only as a
-- one-way lookup key. Volunteer-side dates are days (YYYY-MM-DD), never instants, and ids are
-- random (not UUIDv7, which would carry the instant of submission).

-- Portal-wide settings: the codename KDF's salt and cost (so every `humint serve` instance
-- derives the same lookup key from the same codename).
CREATE TABLE intake_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Offline custodians' age public keys; every submission is encrypted to all of them.
CREATE TABLE intake_recipients (
    id         TEXT PRIMARY KEY,
    recipient  TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE intake_threads (
    id               TEXT PRIMARY KEY,
    -- SHA-256 of the codename's Argon2id output: finds the thread, cannot be reversed.
    lookup           BLOB   NOT NULL UNIQUE,
    -- The age X25519 recipient derived from the codename: replies are encrypted to it.
    reply_recipient  TEXT   NOT NULL,
    received_day     TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    acknowledged_day TEXT,
    feedback_day     TEXT,
    source_id        TEXT
);

-- What a volunteer sent ('received': ciphertext to the custodians) and what officers answered
-- ('reply': ciphertext to the volunteer's codename key only), in one order per thread.
CREATE TABLE intake_entries (
    id        TEXT PRIMARY KEY,
    thread_id TEXT   NOT NULL REFERENCES intake_threads(id),
    seq       BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    day       TEXT   NOT NULL,
    body      BLOB   NOT NULL,
    size      BIGINT NOT NULL,
    -- A file, as an age file under <data_dir>/intake/, named relative to that folder.
    file_name TEXT,
    file_size BIGINT,
    UNIQUE (thread_id, seq)
);

-- "Is this approach genuine?": only a keyed hash of each phrase, single use, expiring.
CREATE TABLE intake_phrases (
    phrase_hash BLOB   PRIMARY KEY,
    issued_by   TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_day    TEXT
);
