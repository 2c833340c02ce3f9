DROP INDEX audit_events_target;
DROP INDEX videos_chapter_position;
ALTER TABLE videos DROP COLUMN has_poster;
ALTER TABLE videos DROP COLUMN position;
ALTER TABLE chapters DROP COLUMN deleted_position;
ALTER TABLE chapters DROP COLUMN deleted_at;
ALTER TABLE courses DROP COLUMN description;
