//! Who may act on what: each handler finds its course, chapter or video through these, so a
//! thing that is missing and one that is someone else's get the same audited "not found".

use crate::db::{self, models::Chapter, models::Course};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::CurrentInstructor;
use crate::services::audit::{self, Event, Origin};
use crate::state::AppState;

/// An attempt on something that is missing or someone else's: audited, then "not found".
pub(crate) async fn denied(
    state: &AppState,
    origin: &Origin,
    action: &'static str,
    actor: &str,
    target: &str,
) -> ApiError {
    audit::record_refusal(
        &state.pool,
        origin,
        Event::new(action, "denied").actor(actor).target(target),
        db::audit::SameWhen::Everything,
    )
    .await;
    ApiError::not_found()
}

/// The caller's course, or an audited "not found".
pub(crate) async fn owned_course(
    state: &AppState,
    origin: &Origin,
    action: &'static str,
    current: &CurrentInstructor,
    course_id: String,
) -> ApiResult<Course> {
    let owner = current.instructor.id.clone();
    let id = course_id.clone();
    let found = db::run(&state.pool, move |conn| {
        Ok(db::courses::owned_course(conn, &owner, &id)?)
    })
    .await?;
    match found {
        Some(course) => Ok(course),
        None => Err(denied(state, origin, action, &current.instructor.id, &course_id).await),
    }
}

/// The caller's chapter (with its course), or an audited "not found".
pub(crate) async fn owned_chapter(
    state: &AppState,
    origin: &Origin,
    action: &'static str,
    current: &CurrentInstructor,
    chapter_id: String,
) -> ApiResult<(Chapter, db::models::Course)> {
    let owner = current.instructor.id.clone();
    let id = chapter_id.clone();
    let found = db::run(&state.pool, move |conn| {
        Ok(db::courses::owned_chapter(conn, &owner, &id)?)
    })
    .await?;
    match found {
        Some(pair) => Ok(pair),
        None => {
            let actor = &current.instructor.id;
            Err(denied(state, origin, action, actor, &chapter_id).await)
        }
    }
}
