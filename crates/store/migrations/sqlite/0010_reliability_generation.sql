-- A number per compartment that every save of its reliability estimates raises by one, in
-- the same transaction: a server that keeps the compartment's stored suggestions in memory
-- between estimates (instead of reading 100,000 rows back each time) checks this one number
-- to know that nobody else, on this database, has written them since.
CREATE TABLE reliability_generations (
    compartment_id  TEXT PRIMARY KEY REFERENCES compartments(id),
    generation      BIGINT NOT NULL
);
-- Claims recorded since a time, for an estimate that has the older ones in memory.
CREATE INDEX claims_recorded ON claims(recorded_at);
