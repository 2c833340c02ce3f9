DROP INDEX uploads_video_id;
CREATE INDEX uploads_video_id ON uploads(video_id);
