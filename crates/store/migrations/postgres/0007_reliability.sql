-- Validation in the station (issue 4): each source's current suggested reliability and its
-- history, each claim's and report's suggested credibility, and grade decisions with the
-- suggestion they were made against and, when they depart from it, the rationale.
--
-- Estimates are derived from claims and outcomes by the validation engine, per compartment,
-- after each write that changes them. Numbers live in `doc` (JSON); columns are what SQL looks
-- up and orders by. The rationale is an envelope (listed in ENCRYPTED_COLUMNS).

CREATE TABLE reliability_estimates (
    source_id       TEXT PRIMARY KEY REFERENCES sources(id),
    compartment_id  TEXT   NOT NULL REFERENCES compartments(id),
    computed_at     BIGINT NOT NULL,
    letter          TEXT   NOT NULL,
    doc             TEXT   NOT NULL
);
CREATE INDEX reliability_estimates_compartment ON reliability_estimates(compartment_id);

-- One row per change of a source's estimate (reliability, interval or letter); `seq` counts
-- the source's points from 1, so their order survives two estimates in one millisecond.
CREATE TABLE reliability_history (
    id           TEXT PRIMARY KEY,
    source_id    TEXT   NOT NULL REFERENCES sources(id),
    seq          BIGINT NOT NULL,
    computed_at  BIGINT NOT NULL,
    doc          TEXT   NOT NULL,
    UNIQUE (source_id, seq)
);

CREATE TABLE claim_assessments (
    claim_id        TEXT PRIMARY KEY REFERENCES claims(id),
    report_id       TEXT   NOT NULL REFERENCES reports(id),
    compartment_id  TEXT   NOT NULL REFERENCES compartments(id),
    computed_at     BIGINT NOT NULL,
    digit           BIGINT NOT NULL,
    doc             TEXT   NOT NULL
);
CREATE INDEX claim_assessments_report ON claim_assessments(report_id);
CREATE INDEX claim_assessments_compartment ON claim_assessments(compartment_id);

CREATE TABLE report_assessments (
    report_id       TEXT PRIMARY KEY REFERENCES reports(id),
    compartment_id  TEXT   NOT NULL REFERENCES compartments(id),
    computed_at     BIGINT NOT NULL,
    digit           BIGINT,
    circular        BIGINT NOT NULL,
    doc             TEXT   NOT NULL
);
CREATE INDEX report_assessments_compartment ON report_assessments(compartment_id);

CREATE TABLE grade_decisions (
    id                TEXT PRIMARY KEY,
    report_id         TEXT   NOT NULL REFERENCES reports(id),
    graded_by         TEXT   NOT NULL,
    graded_at         BIGINT NOT NULL,
    source_grade      TEXT   NOT NULL,
    info_grade        BIGINT NOT NULL,
    suggested_source  TEXT,
    suggested_info    BIGINT,
    -- Envelope of the rationale; NULL when none was given.
    rationale         BYTEA
);
CREATE INDEX grade_decisions_report ON grade_decisions(report_id, graded_at);
