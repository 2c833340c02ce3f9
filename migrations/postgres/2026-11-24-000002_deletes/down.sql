DROP INDEX videos_purge_due;
ALTER TABLE uploads DROP COLUMN cleaned_at;
ALTER TABLE videos DROP COLUMN deleted_from;
