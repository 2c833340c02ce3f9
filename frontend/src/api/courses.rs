//! Course actions.

use super::{call, ClientError};
use shared::actions::ListCourses;
use shared::dto::{CourseDto, Empty};

/// `GET /api/courses`.
pub async fn list() -> Result<Vec<CourseDto>, ClientError> {
    call::<ListCourses>(&[], &Empty {}).await
}
