//! Chapters and orders, for the course's owner only: add and rename chapters, put a course's
//! chapters or a chapter's videos in a new order.

use super::access::{owned_chapter, owned_course};
use super::present::{chapter_dto, read_course, video_dto};
use crate::db::curriculum::OrderError;
use crate::db::{self, models::Chapter};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{CurrentInstructor, JsonObject};
use crate::services;
use crate::services::audit::{Event, Origin};
use crate::state::AppState;
use actix_web::web;
use shared::dto::{
    ChapterDeleted, ChapterDto, ChapterTitle, CourseDto, OrderRequest, VideoDto, ORDER_MAX,
};
use shared::titles::clean_title;

/// `POST /api/courses/{id}/chapters`.
pub async fn add(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
    body: JsonObject<ChapterTitle>,
) -> ApiResult<web::Json<ChapterDto>> {
    let course = owned_course(&state, &origin, "chapter.add", &current, path.into_inner()).await?;
    let title = clean_title(&body.0.title).map_err(ApiError::invalid_title)?;
    let id = crate::services::tokens::new_id();
    let event = Event::new("chapter.added", "success")
        .actor(&current.instructor.id)
        .target(&id)
        .details(serde_json::json!({ "title": title }))
        .into_row(&origin);
    let chapter = db::write(&state.pool, move |conn| {
        Ok(db::curriculum::add_chapter(
            conn, &course.id, &id, &title, &event,
        )?)
    })
    .await?;
    Ok(web::Json(chapter_dto(chapter, 0)))
}

/// `PATCH /api/chapters/{id}`.
pub async fn rename(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
    body: JsonObject<ChapterTitle>,
) -> ApiResult<web::Json<ChapterDto>> {
    let (chapter, _) = owned_chapter(
        &state,
        &origin,
        "chapter.rename",
        &current,
        path.into_inner(),
    )
    .await?;
    let title = clean_title(&body.0.title).map_err(ApiError::invalid_title)?;
    let event = Event::new("chapter.renamed", "success")
        .actor(&current.instructor.id)
        .target(&chapter.id)
        .details(serde_json::json!({ "from": chapter.title, "title": title }))
        .into_row(&origin);
    let (id, new_title) = (chapter.id.clone(), title.clone());
    let count = db::write(&state.pool, move |conn| {
        db::curriculum::rename_chapter(conn, &id, &new_title, &event)?;
        Ok(db::videos::listed_counts(conn, &[id.as_str()])?)
    })
    .await?;
    let video_count = count.get(&chapter.id).copied().unwrap_or(0);
    Ok(web::Json(chapter_dto(
        Chapter { title, ..chapter },
        video_count,
    )))
}

/// The order's IDs, refusing one that names an ID twice or too many.
fn new_order(body: OrderRequest) -> ApiResult<(Vec<String>, Option<Vec<String>>)> {
    if body.ids.len() > ORDER_MAX || body.expected.as_ref().is_some_and(|e| e.len() > ORDER_MAX) {
        return Err(ApiError::invalid_input(format!(
            "An order names at most {ORDER_MAX} items."
        )));
    }
    let mut seen = std::collections::HashSet::new();
    if !body.ids.iter().all(|id| seen.insert(id.as_str())) {
        return Err(ApiError::invalid_input(
            "The order names an item twice; name each once.",
        ));
    }
    Ok((body.ids, body.expected))
}

fn order_error(error: OrderError) -> ApiError {
    match error {
        OrderError::Stale(stale) => ApiError::stale_order(stale.0),
        OrderError::Db(e) => e.into(),
    }
}

/// Puts the items of `target` (a course's chapters, a chapter's videos) in the order the body
/// gives, with `write` (which checks the order against the server's under the target's lock
/// and records `action`), and returns what `write` read afterwards.
async fn apply_order<T: Send + 'static>(
    state: &AppState,
    origin: &Origin,
    current: &CurrentInstructor,
    target: &str,
    action: &'static str,
    body: OrderRequest,
    write: impl FnOnce(
            &mut db::Conn,
            &[String],
            Option<&[String]>,
            &db::models::NewAuditEvent,
        ) -> Result<T, OrderError>
        + Send
        + 'static,
) -> ApiResult<T> {
    let (ids, expected) = new_order(body)?;
    let event = Event::new(action, "success")
        .actor(&current.instructor.id)
        .target(target)
        .into_row(origin);
    db::write(&state.pool, move |conn| {
        Ok(write(conn, &ids, expected.as_deref(), &event))
    })
    .await?
    .map_err(order_error)
}

/// `POST /api/courses/{id}/chapters/order`.
pub async fn reorder(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
    body: JsonObject<OrderRequest>,
) -> ApiResult<web::Json<CourseDto>> {
    let course = owned_course(
        &state,
        &origin,
        "chapters.reorder",
        &current,
        path.into_inner(),
    )
    .await?;
    let id = course.id.clone();
    apply_order(
        &state,
        &origin,
        &current,
        &course.id,
        "chapters.reordered",
        body.0,
        move |conn, ids, expected, event| {
            db::curriculum::reorder_chapters(conn, &id, ids, expected, event)
        },
    )
    .await?;
    Ok(web::Json(read_course(&state, course).await?))
}

/// `POST /api/chapters/{id}/videos/order`.
pub async fn reorder_videos(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
    body: JsonObject<OrderRequest>,
) -> ApiResult<web::Json<Vec<VideoDto>>> {
    let (chapter, _) = owned_chapter(
        &state,
        &origin,
        "videos.reorder",
        &current,
        path.into_inner(),
    )
    .await?;
    let id = chapter.id.clone();
    let videos = apply_order(
        &state,
        &origin,
        &current,
        &chapter.id,
        "videos.reordered",
        body.0,
        move |conn, ids, expected, event| {
            db::curriculum::reorder_videos(conn, &id, ids, expected, event)?;
            Ok(db::videos::in_chapter(conn, &id)?)
        },
    )
    .await?;
    Ok(web::Json(
        videos.into_iter().map(|v| video_dto(v, &state)).collect(),
    ))
}

fn grace_ms(state: &AppState) -> i64 {
    i64::try_from(state.config.delete_grace_secs).unwrap_or(i64::MAX / 4) * 1000
}

/// `DELETE /api/chapters/{id}`: the chapter leaves the course, then its videos are deleted
/// through the videos' own delete (grace period, audit, stopped uploads). The chapter goes
/// first, so no upload starts into it meanwhile.
pub async fn delete(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<ChapterDeleted>> {
    let (chapter, course) = owned_chapter(
        &state,
        &origin,
        "chapter.delete",
        &current,
        path.into_inner(),
    )
    .await?;
    let owner = current.instructor.id.clone();
    let now = crate::clock::now_ms();
    let event = Event::new("chapter.deleted", "success")
        .actor(&owner)
        .target(&chapter.id)
        .details(serde_json::json!({ "title": chapter.title }))
        .into_row(&origin);
    let id = chapter.id.clone();
    let videos = db::write(&state.pool, move |conn| {
        db::curriculum::delete_chapter(conn, &course.id, &id, now, &event)?;
        Ok(db::videos::in_chapter(conn, &id)?)
    })
    .await?;
    let ids = videos.into_iter().map(|v| v.id).collect();
    let results = services::videos::delete(&state.videos(), &origin, &owner, ids).await?;
    let videos_deleted = results.iter().filter(|(_, r)| r.is_ok()).count();
    Ok(web::Json(ChapterDeleted {
        id: chapter.id.into(),
        videos_deleted: i64::try_from(videos_deleted).unwrap_or(i64::MAX),
        restorable_until: crate::clock::rfc3339(now + grace_ms(&state)),
    }))
}

/// `POST /api/chapters/{id}/restore`: the Undo of a chapter's delete, within the grace period.
/// Restoring a chapter that is not deleted changes nothing.
pub async fn restore(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
) -> ApiResult<web::Json<ChapterDto>> {
    let owner = current.instructor.id.clone();
    let id = path.into_inner();
    let lookup = (owner.clone(), id.clone());
    let found = db::run(&state.pool, move |conn| {
        Ok(db::courses::owned_deleted_chapter(
            conn, &lookup.0, &lookup.1,
        )?)
    })
    .await?;
    let Some((chapter, course, deleted_at)) = found else {
        let (chapter, _) = owned_chapter(&state, &origin, "chapter.restore", &current, id).await?;
        return Ok(web::Json(counted(&state, chapter).await?));
    };
    if crate::clock::now_ms() >= deleted_at + grace_ms(&state) {
        let refusal = services::videos::Refusal::RestoreExpired;
        return Err(ApiError::new(
            actix_web::http::StatusCode::GONE,
            refusal.code(),
            "The time to undo this delete has passed; the chapter and its videos were removed.",
        ));
    }
    let event = Event::new("chapter.restored", "success")
        .actor(&owner)
        .target(&chapter.id)
        .into_row(&origin);
    let chapter_id = chapter.id.clone();
    let taken = db::write(&state.pool, move |conn| {
        db::curriculum::restore_chapter(conn, &course.id, &chapter_id, &event)?;
        Ok(db::curriculum::deleted_with(conn, &chapter_id, deleted_at)?)
    })
    .await?;
    let videos = state.videos();
    for video in taken {
        // One that cannot come back any more (purged meanwhile) stays deleted; it is audited.
        if let Err(refusal) = services::videos::restore(&videos, &origin, &owner, &video).await? {
            tracing::info!(%video, ?refusal, "a chapter came back without one of its videos");
        }
    }
    let (chapter, _) =
        owned_chapter(&state, &origin, "chapter.restore", &current, chapter.id).await?;
    Ok(web::Json(counted(&state, chapter).await?))
}

/// The chapter with its count of listed videos.
async fn counted(state: &AppState, chapter: Chapter) -> ApiResult<ChapterDto> {
    let id = chapter.id.clone();
    let counts = db::run(&state.pool, move |conn| {
        Ok(db::videos::listed_counts(conn, &[id.as_str()])?)
    })
    .await?;
    let count = counts.get(&chapter.id).copied().unwrap_or(0);
    Ok(chapter_dto(chapter, count))
}
