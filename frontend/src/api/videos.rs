//! Video actions.

use super::{call, ClientError};
use shared::actions::{GetVideo, ListChapterVideos};
use shared::dto::{Empty, VideoDto};

/// `GET /api/chapters/{id}/videos`.
pub async fn in_chapter(chapter_id: String) -> Result<Vec<VideoDto>, ClientError> {
    call::<ListChapterVideos>(&[&chapter_id], &Empty {}).await
}

/// `GET /api/videos/{id}`.
pub async fn get(video_id: String) -> Result<VideoDto, ClientError> {
    call::<GetVideo>(&[&video_id], &Empty {}).await
}
