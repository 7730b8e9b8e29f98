-- Concerns raised about a source (compliance.md, "Software implications": "At most, provide a
-- flag that someone raised concerns about coercion"; §1: concerns about the source's
-- circumstances, conduct, safety and welfare must reach the controller). A category, who raised
-- it and when in clear; the account is an envelope bound to table, column and row, listed in
-- ENCRYPTED_COLUMNS. There is no column for leverage. A concern is reviewed once, by another
-- officer: the review is its own row (a finding in clear, the note sealed); nothing is edited.
CREATE TABLE source_concerns (
    id              TEXT PRIMARY KEY,
    source_id       TEXT   NOT NULL REFERENCES sources(id),
    category        TEXT   NOT NULL,
    account_sealed  BLOB   NOT NULL,
    raised_by       TEXT   NOT NULL REFERENCES users(id),
    raised_at       BIGINT NOT NULL
);
CREATE INDEX source_concerns_source ON source_concerns(source_id, raised_at);
CREATE TABLE source_concern_reviews (
    concern_id      TEXT PRIMARY KEY REFERENCES source_concerns(id),
    finding         TEXT   NOT NULL,
    review_note_sealed     BLOB   NOT NULL,
    reviewed_by     TEXT   NOT NULL REFERENCES users(id),
    reviewed_at     BIGINT NOT NULL
);
