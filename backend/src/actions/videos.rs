//! Reading videos: a chapter's list and one video, for their owner only.

use crate::db::{self, models::Video};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::CurrentInstructor;
use crate::services::signing;
use crate::state::AppState;
use actix_web::web;
use shared::dto::{VideoDto, VideoStatus};

fn status(text: &str) -> VideoStatus {
    match text {
        "uploading" => VideoStatus::Uploading,
        "processing" => VideoStatus::Processing,
        "ready" => VideoStatus::Ready,
        "failed" => VideoStatus::Failed,
        "canceled" => VideoStatus::Canceled,
        _ => VideoStatus::Deleted,
    }
}

/// Maps a row to what the client may know: the storage key and hash stay here.
pub fn to_dto(video: Video, state: &AppState) -> VideoDto {
    let status = status(&video.status);
    let display_url = (status == VideoStatus::Ready)
        .then(|| signing::display_url(&state.secret, &video.id, db::now_ms() / 1000));
    VideoDto {
        id: video.id.into(),
        chapter_id: video.chapter_id.into(),
        title: video.title,
        status,
        size_bytes: video.size_bytes,
        duration_ms: video.duration_ms,
        width: video.width,
        height: video.height,
        created_at: db::rfc3339(video.created_at),
        display_url,
        failure_reason: if status == VideoStatus::Failed {
            video.failure_reason
        } else {
            None
        },
    }
}

/// `GET /api/chapters/{id}/videos`.
pub async fn list(
    state: web::Data<AppState>,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<VideoDto>>> {
    let (owner, chapter) = (current.instructor.id, path.into_inner());
    let videos = db::run(&state.pool, move |conn| {
        if db::courses::owned_chapter(conn, &owner, &chapter)?.is_none() {
            return Ok(None);
        }
        Ok(Some(db::videos::in_chapter(conn, &chapter)?))
    })
    .await?
    .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(
        videos.into_iter().map(|v| to_dto(v, &state)).collect(),
    ))
}

/// `GET /api/videos/{id}`.
pub async fn get(
    state: web::Data<AppState>,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<VideoDto>> {
    let (owner, id) = (current.instructor.id, path.into_inner());
    let video = db::run(&state.pool, move |conn| {
        Ok(db::videos::owned(conn, &owner, &id)?)
    })
    .await?
    .filter(|v| !matches!(v.status.as_str(), "deleted" | "canceled"))
    .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(to_dto(video, &state)))
}
