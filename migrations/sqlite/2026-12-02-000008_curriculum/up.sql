-- The curriculum editor: a course says what it is about, a chapter's videos have an order the
-- instructor sets, a deleted chapter can be brought back where it was, and a course's activity
-- is found by what the events were about.
ALTER TABLE courses ADD COLUMN description TEXT NOT NULL DEFAULT '';
-- A deleted chapter keeps its row (its videos and its activity point at it) with a negative
-- position, out of the way of the live ones, and remembers where it was for an Undo.
ALTER TABLE chapters ADD COLUMN deleted_at BIGINT;
ALTER TABLE chapters ADD COLUMN deleted_position INTEGER;
ALTER TABLE videos ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
-- Until now a chapter listed its videos oldest first: that is their first order.
UPDATE videos SET position = (
    SELECT COUNT(*) FROM videos AS earlier
    WHERE earlier.chapter_id = videos.chapter_id
      AND (earlier.created_at < videos.created_at
           OR (earlier.created_at = videos.created_at AND earlier.id < videos.id))
);
-- Whether the poster and thumbnail strip were made (beside the source, under its key).
ALTER TABLE videos ADD COLUMN has_poster BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX videos_chapter_position ON videos(chapter_id, position);
CREATE INDEX audit_events_target ON audit_events(target, id);
