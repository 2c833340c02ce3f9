//! Courses for their owner only: list them, create one, rename it or change its description.

use super::access::owned_course;
use super::present::{course_dto, read_course};
use crate::db::{self, models::Course};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{CurrentInstructor, JsonObject};
use crate::services::audit::{Event, Origin};
use crate::state::AppState;
use actix_web::web;
use shared::dto::{CourseDto, CourseUpdate, NewCourse};
use shared::titles::{clean_description, clean_title};
use std::collections::HashMap;

/// `GET /api/courses`: the caller's courses with their chapters in order.
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
        .map(|(course, chapters)| course_dto(course, chapters, &counts))
        .collect();
    Ok(web::Json(courses))
}

fn description(raw: Option<&str>) -> ApiResult<Option<String>> {
    raw.map(clean_description)
        .transpose()
        .map_err(ApiError::invalid_input)
}

/// `POST /api/courses`.
pub async fn create(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    body: JsonObject<NewCourse>,
) -> ApiResult<web::Json<CourseDto>> {
    let body = body.0;
    let title = clean_title(&body.title).map_err(ApiError::invalid_title)?;
    let description = description(body.description.as_deref())?.unwrap_or_default();
    let course = Course {
        id: crate::services::tokens::new_id(),
        owner_id: current.instructor.id.clone(),
        title,
        created_at: crate::clock::now_ms(),
        description,
    };
    let event = Event::new("course.created", "success")
        .actor(&current.instructor.id)
        .target(&course.id)
        .details(serde_json::json!({ "title": course.title }))
        .into_row(&origin);
    let row = course.clone();
    db::write(&state.pool, move |conn| {
        Ok(db::curriculum::create_course(conn, &row, &event)?)
    })
    .await?;
    Ok(web::Json(course_dto(course, Vec::new(), &HashMap::new())))
}

/// `PATCH /api/courses/{id}`.
pub async fn update(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
    body: JsonObject<CourseUpdate>,
) -> ApiResult<web::Json<CourseDto>> {
    let body = body.0;
    let course = owned_course(
        &state,
        &origin,
        "course.update",
        &current,
        path.into_inner(),
    )
    .await?;
    let title = body
        .title
        .as_deref()
        .map(clean_title)
        .transpose()
        .map_err(ApiError::invalid_title)?;
    let description = description(body.description.as_deref())?;
    let event = Event::new("course.updated", "success")
        .actor(&current.instructor.id)
        .target(&course.id)
        .details(serde_json::json!({ "from": course.title, "title": title }))
        .into_row(&origin);
    let (id, new_title, new_description) = (course.id.clone(), title.clone(), description.clone());
    db::write(&state.pool, move |conn| {
        Ok(db::curriculum::update_course(
            conn,
            &id,
            new_title.as_deref(),
            new_description.as_deref(),
            &event,
        )?)
    })
    .await?;
    let course = Course {
        title: title.unwrap_or(course.title),
        description: description.unwrap_or(course.description),
        ..course
    };
    Ok(web::Json(read_course(&state, course).await?))
}
