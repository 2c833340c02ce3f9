//! Video actions.

use super::{call, ClientError};
use shared::actions::{
    BulkDeleteVideos, DeleteVideo, GetVideo, ListChapterVideos, ReorderVideos, RestoreVideo,
    UpdateVideo,
};
use shared::dto::{
    BulkDeleteRequest, BulkDeleteResponse, DeleteResult, Empty, OrderRequest, VideoDto, VideoUpdate,
};
use shared::{ChapterId, VideoId};

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

/// `PATCH /api/videos/{id}` with a new title.
pub async fn rename(video_id: String, title: String) -> Result<VideoDto, ClientError> {
    let update = VideoUpdate {
        title: Some(title),
        chapter_id: None,
    };
    call::<UpdateVideo>(&[&video_id], &update).await
}

/// `PATCH /api/videos/{id}` moving it to the end of another chapter.
pub async fn move_to(video_id: String, chapter_id: String) -> Result<VideoDto, ClientError> {
    let update = VideoUpdate {
        title: None,
        chapter_id: Some(ChapterId(chapter_id)),
    };
    call::<UpdateVideo>(&[&video_id], &update).await
}

/// `POST /api/chapters/{id}/videos/order`: `ids` in their new order, `expected` as seen before.
pub async fn reorder(
    chapter_id: String,
    ids: Vec<String>,
    expected: Vec<String>,
) -> Result<Vec<VideoDto>, ClientError> {
    let order = OrderRequest {
        ids,
        expected: Some(expected),
    };
    call::<ReorderVideos>(&[&chapter_id], &order).await
}
