-- Repeated refusals (throttled sign-ins, denied reads, unknown IDs) are counted on one row
-- per minute instead of one row each, so nobody can grow the audit trail at will.
ALTER TABLE audit_events ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_events ADD COLUMN last_at BIGINT;
CREATE INDEX audit_events_repeat ON audit_events(action, outcome, client_ip, at);
