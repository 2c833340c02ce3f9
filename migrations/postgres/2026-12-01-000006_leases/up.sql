-- Several instances on one database: a PATCH holds its upload by a lease with a fencing
-- number. It is taken with one conditional UPDATE on the database clock, renewed while the
-- body streams, and every offset the holder records is checked against `lease_number`, so an
-- instance that stalled past its lease cannot move the offset once another has taken over.
ALTER TABLE uploads ADD COLUMN lease_holder TEXT;
ALTER TABLE uploads ADD COLUMN lease_number BIGINT NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
-- Another request asked the holder to let go (seen at its next renewal).
ALTER TABLE uploads ADD COLUMN lease_release_asked BOOLEAN NOT NULL DEFAULT FALSE;
-- Processing is claimed the same way: a video whose instance died is claimed again by
-- another once `process_until` has passed.
ALTER TABLE videos ADD COLUMN process_holder TEXT;
ALTER TABLE videos ADD COLUMN process_until BIGINT NOT NULL DEFAULT 0;
-- Passes that one instance at a time runs (the janitor's): the holder renews it each pass,
-- another instance takes it over once `until` has passed.
CREATE TABLE singleton_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    until BIGINT NOT NULL
);
