//! Videos for their owner only: a chapter's list, one video, delete (one or many), restore.

use super::access::{denied, owned_chapter};
use super::present::video_dto;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{CurrentInstructor, JsonObject};
use crate::services;
use crate::services::audit::{Event, Origin};
use crate::services::videos::Refusal;
use crate::state::AppState;
use actix_web::{http::StatusCode, web};
use shared::dto::{
    BulkDeleteRequest, BulkDeleteResponse, DeleteResult, VideoDto, VideoUpdate, BULK_DELETE_MAX,
};

/// `GET /api/chapters/{id}/videos`.
pub async fn list(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<VideoDto>>> {
    let (owner, chapter) = (current.instructor.id.clone(), path.into_inner());
    let target = chapter.clone();
    let found = db::run(&state.pool, move |conn| {
        if db::courses::owned_chapter(conn, &owner, &chapter)?.is_none() {
            return Ok(None);
        }
        Ok(Some(db::videos::in_chapter(conn, &chapter)?))
    })
    .await?;
    let Some(videos) = found else {
        let actor = &current.instructor.id;
        return Err(denied(&state, &origin, "chapter.read", actor, &target).await);
    };
    Ok(web::Json(
        videos.into_iter().map(|v| video_dto(v, &state)).collect(),
    ))
}

/// `GET /api/videos/{id}`.
pub async fn get(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<VideoDto>> {
    let (owner, id) = (current.instructor.id.clone(), path.into_inner());
    let target = id.clone();
    let found = db::run(&state.pool, move |conn| {
        Ok(db::videos::owned(conn, &owner, &id)?)
    })
    .await?
    .filter(|v| {
        !matches!(
            v.status,
            db::status::VideoStatus::Deleted | db::status::VideoStatus::Canceled
        )
    });
    let Some(video) = found else {
        let actor = &current.instructor.id;
        return Err(denied(&state, &origin, "video.read", actor, &target).await);
    };
    Ok(web::Json(video_dto(video, &state)))
}

fn delete_result(id: String, result: Result<i64, Refusal>) -> DeleteResult {
    match result {
        Ok(until) => DeleteResult {
            id: id.into(),
            ok: true,
            code: None,
            message: None,
            restorable_until: Some(crate::clock::rfc3339(until)),
        },
        Err(refusal) => DeleteResult {
            id: id.into(),
            ok: false,
            code: Some(refusal.code()),
            message: Some(refusal.message().to_string()),
            restorable_until: None,
        },
    }
}

fn refusal_error(refusal: &Refusal) -> ApiError {
    match refusal {
        Refusal::NotFound => ApiError::not_found(),
        Refusal::RestoreExpired => {
            ApiError::new(StatusCode::GONE, refusal.code(), refusal.message())
        }
    }
}

/// `DELETE /api/videos/{id}`.
pub async fn delete(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<DeleteResult>> {
    let id = path.into_inner();
    let mut results =
        services::videos::delete(&state.videos(), &origin, &current.instructor.id, vec![id])
            .await?;
    let (id, result) = results.pop().ok_or_else(ApiError::not_found)?;
    if let Err(refusal) = &result {
        return Err(refusal_error(refusal));
    }
    Ok(web::Json(delete_result(id, result)))
}

/// `POST /api/videos/bulk-delete`.
pub async fn bulk_delete(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    body: JsonObject<BulkDeleteRequest>,
) -> ApiResult<web::Json<BulkDeleteResponse>> {
    let requested = body.0.ids;
    if requested.is_empty() {
        return Err(ApiError::invalid_input(
            "Choose at least one video to delete.",
        ));
    }
    // Counted as sent, duplicates included, as the OpenAPI document's `maxItems` says.
    if requested.len() > BULK_DELETE_MAX {
        return Err(ApiError::invalid_input(format!(
            "Delete at most {BULK_DELETE_MAX} videos at a time."
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = requested
        .into_iter()
        .map(|id| id.0)
        .filter(|id| seen.insert(id.clone()))
        .collect();
    let results =
        services::videos::delete(&state.videos(), &origin, &current.instructor.id, ids).await?;
    Ok(web::Json(BulkDeleteResponse {
        results: results
            .into_iter()
            .map(|(id, r)| delete_result(id, r))
            .collect(),
    }))
}

/// `POST /api/videos/{id}/restore`.
pub async fn restore(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<VideoDto>> {
    let id = path.into_inner();
    match services::videos::restore(&state.videos(), &origin, &current.instructor.id, &id).await? {
        Ok(video) => Ok(web::Json(video_dto(video, &state))),
        Err(refusal) => Err(refusal_error(&refusal)),
    }
}

/// `PATCH /api/videos/{id}`: a new title, another chapter of the same course, or both.
pub async fn update(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
    body: JsonObject<VideoUpdate>,
) -> ApiResult<web::Json<VideoDto>> {
    let body = body.0;
    let (owner, id) = (current.instructor.id.clone(), path.into_inner());
    let lookup = (owner.clone(), id.clone());
    let found = db::run(&state.pool, move |conn| {
        let Some(video) = db::videos::owned(conn, &lookup.0, &lookup.1)? else {
            return Ok(None);
        };
        let place = db::courses::owned_chapter(conn, &lookup.0, &video.chapter_id)?;
        Ok(place.map(|(_, course)| (video, course)))
    })
    .await?
    .filter(|(v, _)| db::status::VideoStatus::LISTED.contains(&v.status));
    let Some((video, course)) = found else {
        return Err(denied(&state, &origin, "video.update", &owner, &id).await);
    };
    let title = body
        .title
        .as_deref()
        .map(shared::titles::clean_title)
        .transpose()
        .map_err(ApiError::invalid_title)?;
    let to = match body.chapter_id {
        Some(to) if to.as_str() != video.chapter_id => {
            let (chapter, to_course) =
                owned_chapter(&state, &origin, "video.move", &current, to.0).await?;
            if to_course.id != course.id {
                return Err(ApiError::invalid_input(
                    "A video moves only between chapters of its own course.",
                ));
            }
            Some(chapter.id)
        }
        _ => None,
    };
    let now = crate::clock::now_ms();
    let renamed = title.map(|title| {
        let event = Event::new("video.renamed", "success")
            .actor(&owner)
            .target(&video.id)
            .details(serde_json::json!({ "from": video.title, "title": title }))
            .into_row(&origin);
        (title, event)
    });
    let moved = to.map(|to| {
        let event = Event::new("video.moved", "success")
            .actor(&owner)
            .target(&video.id)
            .details(serde_json::json!({ "from": video.chapter_id, "to": to }))
            .into_row(&origin);
        (to, event)
    });
    let (video_id, from) = (video.id.clone(), video.chapter_id.clone());
    let updated = db::write(&state.pool, move |conn| {
        if let Some((to, event)) = &moved {
            let done =
                db::curriculum::move_video(conn, &course.id, &video_id, &from, to, now, event)?;
            if !done {
                return Ok(Err(()));
            }
        }
        if let Some((title, event)) = &renamed {
            db::curriculum::rename_video(conn, &video_id, title, now, event)?;
        }
        Ok(Ok(db::videos::by_id(conn, &video_id)?))
    })
    .await?
    .map_err(|()| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            shared::ErrorCode::NotFound,
            "That chapter was deleted, so the video stays where it was.",
        )
    })?
    .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(video_dto(updated, &state)))
}
