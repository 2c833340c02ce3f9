//! Rows as the browser may see them: the `shared` DTOs of courses, chapters and videos. The
//! storage key and hash of a video stay here; its pictures and stream are signed URLs.

use crate::db::{self, models::Chapter, models::Course, models::Video};
use crate::error::ApiResult;
use crate::services::signing;
use crate::state::AppState;
use shared::dto::{ChapterDto, CourseDto, VideoDto, VideoStatus};
use std::collections::HashMap;

/// Maps a chapter row and its count of listed videos.
pub fn chapter_dto(chapter: Chapter, video_count: i64) -> ChapterDto {
    ChapterDto {
        video_count,
        id: chapter.id.into(),
        title: chapter.title,
        position: chapter.position,
    }
}

pub(crate) fn course_dto(
    course: Course,
    chapters: Vec<Chapter>,
    counts: &HashMap<String, i64>,
) -> CourseDto {
    CourseDto {
        id: course.id.into(),
        title: course.title,
        description: course.description,
        chapters: chapters
            .into_iter()
            .map(|ch| {
                let count = counts.get(&ch.id).copied().unwrap_or(0);
                chapter_dto(ch, count)
            })
            .collect(),
    }
}

/// The course as its owner sees it now, read in one go.
pub(crate) async fn read_course(state: &AppState, course: Course) -> ApiResult<CourseDto> {
    let (course, chapters, counts) = db::run(&state.pool, move |conn| {
        let chapters = db::courses::chapters_of(conn, &course.id)?;
        let ids: Vec<&str> = chapters.iter().map(|ch| ch.id.as_str()).collect();
        let counts = db::videos::listed_counts(conn, &ids)?;
        Ok((course, chapters, counts))
    })
    .await?;
    Ok(course_dto(course, chapters, &counts))
}

fn status(stored: db::status::VideoStatus) -> VideoStatus {
    use db::status::VideoStatus as Stored;
    match stored {
        Stored::Uploading => VideoStatus::Uploading,
        Stored::Processing => VideoStatus::Processing,
        Stored::Ready => VideoStatus::Ready,
        Stored::Failed => VideoStatus::Failed,
        Stored::Canceled => VideoStatus::Canceled,
        Stored::Deleted => VideoStatus::Deleted,
    }
}

/// Maps a row to what the client may know: the storage key and hash stay here.
pub fn video_dto(video: Video, state: &AppState) -> VideoDto {
    let status = status(video.status);
    let now = crate::clock::now_ms() / 1000;
    let display_url =
        (status == VideoStatus::Ready).then(|| signing::display_url(&state.secret, &video.id, now));
    let picture = |object| {
        (status == VideoStatus::Ready && video.has_poster)
            .then(|| signing::signed_url(&state.secret, object, &video.id, now))
    };
    let (poster_url, thumbnails_url) = (
        picture(signing::Object::Poster),
        picture(signing::Object::Thumbnails),
    );
    VideoDto {
        id: video.id.into(),
        chapter_id: video.chapter_id.into(),
        title: video.title,
        status,
        size_bytes: video.size_bytes,
        duration_ms: video.duration_ms,
        width: video.width,
        height: video.height,
        created_at: crate::clock::rfc3339(video.created_at),
        display_url,
        poster_url,
        thumbnails_url,
        failure_reason: if status == VideoStatus::Failed {
            video.failure_reason
        } else {
            None
        },
    }
}
