-- Failed sign-ins per key ("account:<email>" or "address:<ip>"), in the database so every
-- instance counts the same attempts. A key blocks until `blocked_until` (back-off, never a
-- permanent lock); it is forgotten after a quiet hour or a successful sign-in.
CREATE TABLE sign_in_throttles (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL
);
