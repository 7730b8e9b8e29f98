-- The alert rules gained two kinds that keep a risk assessment current (compliance.md §1.13):
-- after a founded concern bearing on risk, and behind a live tasking issued after the latest
-- assessment. They read only plain columns (risk_assessments.assessed_at, taskings.status and
-- issued_at), so no table changes; the schedule is rebuilt at the next open so that concerns
-- and taskings recorded before this version raise them without waiting for a write.
DELETE FROM alert_schedule_meta WHERE key = 'built';
