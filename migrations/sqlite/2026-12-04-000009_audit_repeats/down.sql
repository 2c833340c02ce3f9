DROP INDEX audit_events_repeat;
ALTER TABLE audit_events DROP COLUMN last_at;
ALTER TABLE audit_events DROP COLUMN repeats;
