//! `GET /api/courses`: the caller's own courses and chapters (with how many videos each lists),
//! nobody else's.

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
    let (rows, counts) = db::run(&state.pool, move |conn| {
        let rows = db::courses::for_owner(conn, &owner)?;
        let ids: Vec<&str> = rows
            .iter()
            .flat_map(|(_, chapters)| chapters.iter().map(|ch| ch.id.as_str()))
            .collect();
        let counts = db::videos::listed_counts(conn, &ids)?;
        Ok((rows, counts))
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
                    video_count: counts.get(&ch.id).copied().unwrap_or(0),
                    id: ch.id.into(),
                    title: ch.title,
                    position: ch.position,
                })
                .collect(),
        })
        .collect();
    Ok(web::Json(courses))
}
