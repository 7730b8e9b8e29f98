-- The alert schedule keeps, in each row, the source's current handler (maintained by every
-- write that reschedules the source, so by every role change), so a handler's alerts are an
-- equality on this column instead of a correlated look-up in source_roles per alert
-- (docs/benchmarks.md, "Handling API"); and whether the alert is only for those who keep the
-- relevant-error register of the compartment (controllers, authorising officers, auditors).
ALTER TABLE alert_schedule ADD COLUMN handler_id TEXT;
ALTER TABLE alert_schedule ADD COLUMN keepers_only BIGINT NOT NULL DEFAULT 0;
-- Covering for the alerts query with the new filters.
DROP INDEX alert_schedule_live;
CREATE INDEX alert_schedule_live2 ON alert_schedule(compartment_id, starts_at, ends_at, severity, due_at, kind, source_id, handler_id, keepers_only, id);
-- Rebuilt at the next open: fills the handler and schedules the relevant-error alerts.
DELETE FROM alert_schedule_meta WHERE key = 'built';
