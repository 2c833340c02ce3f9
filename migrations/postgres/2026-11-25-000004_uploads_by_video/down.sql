DROP INDEX uploads_video_id;
