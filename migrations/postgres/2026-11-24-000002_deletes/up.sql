-- What a deleted video was before, so a restore brings it back unchanged.
ALTER TABLE videos ADD COLUMN deleted_from TEXT;
-- When an ended upload's bytes were removed; NULL on an ended upload means "still to remove",
-- which the janitor finishes (a crash between the state change and the delete leaves no orphan).
ALTER TABLE uploads ADD COLUMN cleaned_at BIGINT;
CREATE INDEX videos_purge_due ON videos(status, purged_at, purge_after);
