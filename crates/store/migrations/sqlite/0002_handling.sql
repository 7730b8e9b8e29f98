-- The handling cycle: requirements, sources and their lifecycle, management roles, risk
-- assessments, authorisations, taskings, contacts, payments, reports, claims, disseminations
-- and outcomes. Same conventions as 0001: BIGINT Unix-millisecond times, UUIDv7 text ids,
-- BIGINT 0/1 booleans.
--
-- Each table has the columns the store filters, orders and pages on; `doc` holds the rest of
-- the pure core's record as JSON, so the rules see exactly the record they decided. Encrypted
-- columns (envelopes bound to table, column and row) are listed in ENCRYPTED_COLUMNS.

CREATE TABLE requirements (
    id              TEXT PRIMARY KEY,
    compartment_id  TEXT   NOT NULL REFERENCES compartments(id),
    title           TEXT   NOT NULL,
    detail          TEXT   NOT NULL,
    priority        BIGINT NOT NULL,
    opened_at       BIGINT NOT NULL,
    -- The London day (YYYY-MM-DD) and the instant its end falls at.
    review_by       TEXT   NOT NULL,
    review_due_at   BIGINT NOT NULL,
    closed_at       BIGINT,
    created_by      TEXT   NOT NULL
);
CREATE INDEX requirements_compartment ON requirements(compartment_id, id);

CREATE TABLE sources (
    id              TEXT PRIMARY KEY,
    compartment_id  TEXT   NOT NULL REFERENCES compartments(id),
    codename        TEXT   NOT NULL UNIQUE,
    state           TEXT   NOT NULL,
    origin          TEXT   NOT NULL,
    juvenile        BIGINT NOT NULL DEFAULT 0,
    vulnerable      BIGINT NOT NULL DEFAULT 0,
    undercover      BIGINT NOT NULL DEFAULT 0,
    recruited_at    BIGINT,
    -- Envelope of the true identity (name, date of birth, identities used, other authorities).
    true_identity   BLOB   NOT NULL,
    created_at      BIGINT NOT NULL,
    created_by      TEXT   NOT NULL,
    -- Bumped by every write about the source: a rule decided on a stale read is refused.
    version         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sources_compartment ON sources(compartment_id, id);
CREATE INDEX sources_state ON sources(state, id);

CREATE TABLE source_transitions (
    id          TEXT PRIMARY KEY,
    source_id   TEXT   NOT NULL REFERENCES sources(id),
    from_state  TEXT   NOT NULL,
    to_state    TEXT   NOT NULL,
    at_ms       BIGINT NOT NULL,
    actor       TEXT   NOT NULL,
    doc         TEXT   NOT NULL
);
CREATE INDEX source_transitions_source ON source_transitions(source_id, at_ms);

-- Append-only history of who held each s.29(5) role and when: a handover closes one period
-- (sets until_ms) and opens the next at the same instant.
CREATE TABLE source_roles (
    id          TEXT PRIMARY KEY,
    source_id   TEXT   NOT NULL REFERENCES sources(id),
    role        TEXT   NOT NULL,
    officer_id  TEXT   NOT NULL REFERENCES users(id),
    from_ms     BIGINT NOT NULL,
    until_ms    BIGINT
);
CREATE INDEX source_roles_source ON source_roles(source_id, from_ms);
CREATE INDEX source_roles_officer ON source_roles(officer_id, role);

CREATE TABLE risk_assessments (
    id           TEXT PRIMARY KEY,
    source_id    TEXT   NOT NULL REFERENCES sources(id),
    assessed_by  TEXT   NOT NULL,
    assessed_at  BIGINT NOT NULL,
    level        TEXT   NOT NULL,
    explained    BIGINT NOT NULL,
    understood   BIGINT NOT NULL,
    -- Envelope of the welfare text: security and welfare, mitigations, harms.
    content      BLOB   NOT NULL
);
CREATE INDEX risk_assessments_source ON risk_assessments(source_id, assessed_at);

CREATE TABLE authorisations (
    id                TEXT PRIMARY KEY,
    source_id         TEXT   NOT NULL REFERENCES sources(id),
    kind              TEXT   NOT NULL,
    parent_id         TEXT REFERENCES authorisations(id),
    granted_by        TEXT   NOT NULL,
    granted_at        BIGINT NOT NULL,
    -- The deadline in force (latest renewal's, else the grant's).
    expires_at        BIGINT NOT NULL,
    cancelled_at      BIGINT,
    next_review_due   BIGINT NOT NULL,
    doc               TEXT   NOT NULL
);
CREATE INDEX authorisations_source ON authorisations(source_id, granted_at);
CREATE INDEX authorisations_expiry ON authorisations(expires_at);

CREATE TABLE taskings (
    id                TEXT PRIMARY KEY,
    source_id         TEXT   NOT NULL REFERENCES sources(id),
    requirement_id    TEXT   NOT NULL REFERENCES requirements(id),
    authorisation_id  TEXT   NOT NULL REFERENCES authorisations(id),
    issued_by         TEXT   NOT NULL,
    issued_at         BIGINT NOT NULL,
    status            TEXT   NOT NULL,
    doc               TEXT   NOT NULL
);
CREATE INDEX taskings_source ON taskings(source_id, issued_at);
CREATE INDEX taskings_requirement ON taskings(requirement_id, status);

CREATE TABLE contacts (
    id                TEXT PRIMARY KEY,
    source_id         TEXT   NOT NULL REFERENCES sources(id),
    status            TEXT   NOT NULL,
    -- When it happened or was due (occurred_at, else planned_for): the order of contacts.
    at_ms             BIGINT NOT NULL,
    next_contact_due  BIGINT,
    recorded_by       TEXT   NOT NULL,
    recorded_at       BIGINT NOT NULL,
    doc               TEXT   NOT NULL,
    -- Envelope of the contact note, when there is one.
    notes             BLOB
);
CREATE INDEX contacts_source ON contacts(source_id, at_ms);
CREATE INDEX contacts_source_status ON contacts(source_id, status, at_ms);

CREATE TABLE payments (
    id            TEXT PRIMARY KEY,
    source_id     TEXT   NOT NULL REFERENCES sources(id),
    kind          TEXT   NOT NULL,
    amount_minor  BIGINT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    approved_at   BIGINT,
    paid_at       BIGINT,
    doc           TEXT   NOT NULL
);
CREATE INDEX payments_source ON payments(source_id, recorded_at);

CREATE TABLE reports (
    id              TEXT PRIMARY KEY,
    source_id       TEXT   NOT NULL REFERENCES sources(id),
    contact_id      TEXT REFERENCES contacts(id),
    requirement_id  TEXT REFERENCES requirements(id),
    status          TEXT   NOT NULL,
    -- Admiralty letter A-F and digit 1-6, graded independently; both NULL until graded.
    source_grade    TEXT,
    info_grade      BIGINT,
    handling_code   TEXT,
    graded_by       TEXT,
    graded_at       BIGINT,
    created_by      TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    -- Envelope of the debrief text.
    content         BLOB   NOT NULL
);
CREATE INDEX reports_source ON reports(source_id, created_at);

CREATE TABLE claims (
    id           TEXT PRIMARY KEY,
    report_id    TEXT   NOT NULL REFERENCES reports(id),
    observed_at  BIGINT NOT NULL,
    recorded_by  TEXT   NOT NULL,
    recorded_at  BIGINT NOT NULL,
    -- Envelope of (subject, attribute, value).
    content      BLOB   NOT NULL
);
CREATE INDEX claims_report ON claims(report_id);

CREATE TABLE disseminations (
    id               TEXT PRIMARY KEY,
    report_id        TEXT   NOT NULL REFERENCES reports(id),
    recipient        TEXT   NOT NULL,
    handling_code    TEXT   NOT NULL,
    sanitised        BIGINT NOT NULL,
    disseminated_by  TEXT   NOT NULL,
    disseminated_at  BIGINT NOT NULL
);
CREATE INDEX disseminations_report ON disseminations(report_id);

CREATE TABLE outcomes (
    id              TEXT PRIMARY KEY,
    claim_id        TEXT   NOT NULL REFERENCES claims(id),
    verdict         TEXT   NOT NULL,
    means           TEXT   NOT NULL,
    established_at  BIGINT NOT NULL,
    recorded_by     TEXT   NOT NULL,
    recorded_at     BIGINT NOT NULL
);
CREATE INDEX outcomes_claim ON outcomes(claim_id);
