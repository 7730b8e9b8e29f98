-- Open press as a source of dependence (product.md, "Validation": "reporting that echoes open
-- press"): items an outlet published, recorded per compartment, so that a claim repeating
-- what was already published is not taken for independent evidence. Everything but the ids
-- and times is an envelope of (outlet, subject, attribute, value, reference), listed in
-- ENCRYPTED_COLUMNS.
CREATE TABLE open_source_items (
    id              TEXT PRIMARY KEY,
    compartment_id  TEXT   NOT NULL REFERENCES compartments(id),
    recorded_by     TEXT   NOT NULL,
    recorded_at     BIGINT NOT NULL,
    published_at    BIGINT NOT NULL,
    content         BYTEA   NOT NULL
);
CREATE INDEX open_source_items_compartment ON open_source_items(compartment_id, published_at);
