//! Course and chapter actions.

use super::{call, call_with_query, ClientError};
use shared::actions::{
    AddChapter, CourseActivity, CreateCourse, DeleteChapter, ListCourses, RenameChapter,
    ReorderChapters, RestoreChapter, UpdateCourse,
};
use shared::dto::{
    ActivityKind, ActivityPage, ChapterDeleted, ChapterDto, ChapterTitle, CourseDto, CourseUpdate,
    Empty, NewCourse, OrderRequest,
};

/// `GET /api/courses`.
pub async fn list() -> Result<Vec<CourseDto>, ClientError> {
    call::<ListCourses>(&[], &Empty {}).await
}

/// `POST /api/courses`.
pub async fn create(title: String, description: Option<String>) -> Result<CourseDto, ClientError> {
    call::<CreateCourse>(&[], &NewCourse { title, description }).await
}

/// `PATCH /api/courses/{id}` with a new title.
pub async fn rename(course_id: String, title: String) -> Result<CourseDto, ClientError> {
    let update = CourseUpdate {
        title: Some(title),
        description: None,
    };
    call::<UpdateCourse>(&[&course_id], &update).await
}

/// `POST /api/courses/{id}/chapters`.
pub async fn add_chapter(course_id: String, title: String) -> Result<ChapterDto, ClientError> {
    call::<AddChapter>(&[&course_id], &ChapterTitle { title }).await
}

/// `PATCH /api/chapters/{id}`.
pub async fn rename_chapter(chapter_id: String, title: String) -> Result<ChapterDto, ClientError> {
    call::<RenameChapter>(&[&chapter_id], &ChapterTitle { title }).await
}

/// `DELETE /api/chapters/{id}`.
pub async fn delete_chapter(chapter_id: String) -> Result<ChapterDeleted, ClientError> {
    call::<DeleteChapter>(&[&chapter_id], &Empty {}).await
}

/// `POST /api/chapters/{id}/restore`.
pub async fn restore_chapter(chapter_id: String) -> Result<ChapterDto, ClientError> {
    call::<RestoreChapter>(&[&chapter_id], &Empty {}).await
}

/// `POST /api/courses/{id}/chapters/order`: `ids` in their new order, `expected` as seen before.
pub async fn reorder_chapters(
    course_id: String,
    ids: Vec<String>,
    expected: Vec<String>,
) -> Result<CourseDto, ClientError> {
    let order = OrderRequest {
        ids,
        expected: Some(expected),
    };
    call::<ReorderChapters>(&[&course_id], &order).await
}

/// `GET /api/courses/{id}/activity?before=&kind=`.
pub async fn activity(
    course_id: String,
    before: Option<i64>,
    kind: Option<ActivityKind>,
) -> Result<ActivityPage, ClientError> {
    let mut query = Vec::new();
    if let Some(before) = before {
        query.push(format!("before={before}"));
    }
    if let Some(kind) = kind {
        query.push(format!("kind={}", kind.as_str()));
    }
    call_with_query::<CourseActivity>(&[&course_id], &query.join("&"), &Empty {}).await
}
