-- The alert schedule: every alert a source's records (or an open requirement) raise, with the
-- span of time it is in force for, computed by the core's rules (humint_core::handling::
-- alert_schedule) and replaced in the same transaction as every write about its owner. An
-- alert that falls due by the passage of time alone is already here with its `starts_at`, so
-- `GET /api/v1/alerts` selects `starts_at <= now < ends_at` instead of running the rules over
-- every visible record per request (docs/benchmarks.md, "Handling API").
CREATE TABLE alert_schedule (
    -- "<owner id>/<n>": the rows of one owner are replaced together.
    id              TEXT PRIMARY KEY,
    -- The source (or requirement) whose records raise the alert.
    owner_id        TEXT   NOT NULL,
    -- NULL for an alert about no source (a requirement's review).
    source_id       TEXT,
    compartment_id  TEXT   NOT NULL,
    kind            TEXT   NOT NULL,
    -- 0 notice, 1 warning, 2 critical, 3 source safety: the most urgent sort first.
    severity        BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    starts_at       BIGINT NOT NULL,
    -- NULL: in force until the records change.
    ends_at         BIGINT,
    -- The core's alert as JSON.
    doc             TEXT   NOT NULL
);
CREATE INDEX alert_schedule_owner ON alert_schedule(owner_id);
-- Covering for the alerts query (filter, sort keys, count by kind, the handler's source), so
-- a page and the counts read the index alone: 1 ms instead of 7 for a whole station's 6,000.
CREATE INDEX alert_schedule_live ON alert_schedule(compartment_id, starts_at, ends_at, severity, due_at, kind, source_id, id);
CREATE INDEX alert_schedule_source ON alert_schedule(source_id);

-- 'built' once every existing source's schedule has been computed (a station upgraded from an
-- earlier version is filled at its first open).
CREATE TABLE alert_schedule_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
