-- The missing records of the handling cycle (issue #3): the error register, requirement
-- reviews and closures, break-glass reads of a true identity, and the grading history of
-- reports under a selectable scheme. Same conventions as 0002: BIGINT Unix-millisecond times,
-- UUIDv7 text ids.

-- Relevant errors (IPA 2016 s.231; IPCO AR 2018 para 17.4; compliance.md ERR-01). The
-- report deadline is computed by the core when the error is established and kept here so the
-- "overdue" filter runs in SQL.
CREATE TABLE relevant_errors (
    id                TEXT PRIMARY KEY,
    compartment_id    TEXT   NOT NULL REFERENCES compartments(id),
    source_id         TEXT REFERENCES sources(id),
    authorisation_id  TEXT REFERENCES authorisations(id),
    description       TEXT   NOT NULL,
    identified_at     BIGINT NOT NULL,
    established_at    BIGINT,
    established_by    TEXT,
    report_due_at     BIGINT,
    reported_at       BIGINT,
    reported_by       TEXT,
    reference         TEXT,
    recorded_by       TEXT   NOT NULL,
    recorded_at       BIGINT NOT NULL
);
CREATE INDEX relevant_errors_compartment ON relevant_errors(compartment_id, id);
CREATE INDEX relevant_errors_due ON relevant_errors(reported_at, report_due_at);

-- Reviews (a new review-by date and a note) and the closure (a reason) of requirements.
CREATE TABLE requirement_events (
    id              TEXT PRIMARY KEY,
    requirement_id  TEXT   NOT NULL REFERENCES requirements(id),
    kind            TEXT   NOT NULL,
    at_ms           BIGINT NOT NULL,
    actor           TEXT   NOT NULL,
    -- The new review-by day (YYYY-MM-DD) of a review; NULL for a closure.
    review_by       TEXT,
    note            TEXT   NOT NULL
);
CREATE INDEX requirement_events_requirement ON requirement_events(requirement_id, at_ms);

-- An auditor's break-glass read of a true identity, with the reason given (the audit event
-- beside it carries identifiers only).
CREATE TABLE break_glass_events (
    id              TEXT PRIMARY KEY,
    compartment_id  TEXT   NOT NULL REFERENCES compartments(id),
    source_id       TEXT   NOT NULL REFERENCES sources(id),
    actor           TEXT   NOT NULL REFERENCES users(id),
    reason          TEXT   NOT NULL,
    at_ms           BIGINT NOT NULL
);
CREATE INDEX break_glass_events_compartment ON break_glass_events(compartment_id, id);

-- Every grading of a report (GRD-01: evaluator, time and re-evaluation history), under its
-- scheme: 3x5x2, 5x5x5 or admiralty, codes as the scheme writes them.
CREATE TABLE report_gradings (
    id                TEXT PRIMARY KEY,
    report_id         TEXT   NOT NULL REFERENCES reports(id),
    scheme            TEXT   NOT NULL,
    source_code       TEXT   NOT NULL,
    information_code  TEXT   NOT NULL,
    handling_code     TEXT   NOT NULL,
    conditions        TEXT,
    graded_by         TEXT   NOT NULL,
    graded_at         BIGINT NOT NULL
);
CREATE INDEX report_gradings_report ON report_gradings(report_id, graded_at);

-- Reports graded before schemes existed were Admiralty: their current grade becomes the first
-- entry of their history.
INSERT INTO report_gradings (id, report_id, scheme, source_code, information_code, handling_code, conditions, graded_by, graded_at)
SELECT id, id, 'admiralty', source_grade, CAST(info_grade AS TEXT), COALESCE(handling_code, ''), NULL, graded_by, graded_at
FROM reports
WHERE graded_at IS NOT NULL AND source_grade IS NOT NULL AND info_grade IS NOT NULL AND graded_by IS NOT NULL;
