-- When the source gave a report's information (`reported_at`), apart from when it was written
-- into the database (`created_at`, the write time the ledger also keeps). The validation reads
-- it as the report's time: the volume of a source's reporting, who reported a fact first, and
-- whether it followed open press. A register imported today keeps the dates it was reported.
-- Every report filed before this migration was reported when it was filed.
ALTER TABLE reports ADD COLUMN reported_at BIGINT;
UPDATE reports SET reported_at = created_at;
ALTER TABLE reports ALTER COLUMN reported_at SET NOT NULL;
-- The per-source time reads (volume of reporting) by the time the source reported.
CREATE INDEX reports_source_reported ON reports(source_id, reported_at);
