-- A video has one upload (they are created together). Saying so lets the planner find a
-- video's upload by this index alone: with the plain index and fresh statistics PostgreSQL
-- also scanned every active upload by state, a third of a delete's database time.
DROP INDEX uploads_video_id;
CREATE UNIQUE INDEX uploads_video_id ON uploads(video_id);
