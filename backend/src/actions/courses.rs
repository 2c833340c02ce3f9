//! `GET /api/courses`: the caller's own courses and chapters, nobody else's.

use crate::db;
use crate::error::ApiResult;
use crate::http::extract::CurrentInstructor;
use crate::state::AppState;
use actix_web::web;
use shared::dto::{ChapterDto, CourseDto};

/// Lists the caller's courses with their chapters in order.
pub async fn list(
    state: web::Data<AppState>,
    current: CurrentInstructor,
) -> ApiResult<web::Json<Vec<CourseDto>>> {
    let owner = current.instructor.id;
    let rows = db::run(&state.pool, move |conn| {
        Ok(db::courses::for_owner(conn, &owner)?)
    })
    .await?;
    let courses = rows
        .into_iter()
        .map(|(course, chapters)| CourseDto {
            id: course.id.into(),
            title: course.title,
            chapters: chapters
                .into_iter()
                .map(|ch| ChapterDto {
                    id: ch.id.into(),
                    title: ch.title,
                    position: ch.position,
                })
                .collect(),
        })
        .collect();
    Ok(web::Json(courses))
}
