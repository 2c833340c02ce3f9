//! Video actions.

use super::{call, ClientError};
use shared::actions::{BulkDeleteVideos, DeleteVideo, GetVideo, ListChapterVideos, RestoreVideo};
use shared::dto::{BulkDeleteRequest, BulkDeleteResponse, DeleteResult, Empty, VideoDto};
use shared::VideoId;

/// `GET /api/chapters/{id}/videos`.
pub async fn in_chapter(chapter_id: String) -> Result<Vec<VideoDto>, ClientError> {
    call::<ListChapterVideos>(&[&chapter_id], &Empty {}).await
}

/// `GET /api/videos/{id}`.
pub async fn get(video_id: String) -> Result<VideoDto, ClientError> {
    call::<GetVideo>(&[&video_id], &Empty {}).await
}

/// `DELETE /api/videos/{id}`.
pub async fn delete(video_id: String) -> Result<DeleteResult, ClientError> {
    call::<DeleteVideo>(&[&video_id], &Empty {}).await
}

/// `POST /api/videos/bulk-delete`.
pub async fn bulk_delete(ids: Vec<VideoId>) -> Result<BulkDeleteResponse, ClientError> {
    call::<BulkDeleteVideos>(&[], &BulkDeleteRequest { ids }).await
}

/// `POST /api/videos/{id}/restore`.
pub async fn restore(video_id: String) -> Result<VideoDto, ClientError> {
    call::<RestoreVideo>(&[&video_id], &Empty {}).await
}
