-- Deletes and processing find a video's upload by video_id: without this every lookup scanned
-- the whole uploads table (one scan per delete at 50 deletes in flight).
CREATE INDEX uploads_video_id ON uploads(video_id);
