//! Request and response bodies. These are the only shapes that cross the wire; the server maps
//! its database rows into them, so a server-only column can never leak by accident.

use crate::ids::{ChapterId, CourseId, InstructorId, VideoId};
use serde::{Deserialize, Serialize};

/// `POST /api/auth/login` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The instructor's email address (surrounding spaces are ignored; at most 320 characters).
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 320, pattern = r"\S")
    )]
    pub email: String,
    /// The instructor's password (at most 1024 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// The signed-in instructor, as `GET /api/auth/me` and a successful sign-in return it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeDto {
    /// The instructor's ID.
    pub id: InstructorId,
    /// The instructor's email address.
    pub email: String,
    /// The instructor's display name.
    pub name: String,
    /// How long a deleted video can be restored, in seconds (the server's grace period), so
    /// the app can say so before a bulk delete.
    #[serde(default)]
    pub undo_secs: u64,
}

/// A chapter of a course, in course order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChapterDto {
    /// The chapter's ID.
    pub id: ChapterId,
    /// The chapter's title.
    pub title: String,
    /// Zero-based position within the course.
    pub position: i32,
    /// How many videos the chapter lists (uploading, processing, ready or failed).
    #[serde(default)]
    pub video_count: i64,
}

/// A course with its chapters, as `GET /api/courses` lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseDto {
    /// The course's ID.
    pub id: CourseId,
    /// The course's title.
    pub title: String,
    /// The chapters, ordered by position.
    pub chapters: Vec<ChapterDto>,
}

/// Where a video is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VideoStatus {
    /// Bytes are still arriving.
    Uploading,
    /// All bytes arrived; the server is checking the file.
    Processing,
    /// Playable.
    Ready,
    /// The file was rejected (see the video's `failure_reason`).
    Failed,
    /// The upload was canceled before it finished.
    Canceled,
    /// Deleted; restorable during the grace period.
    Deleted,
}

/// A video as the client sees it: an ID and a display URL, never a storage detail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VideoDto {
    /// The video's ID.
    pub id: VideoId,
    /// The chapter it belongs to.
    pub chapter_id: ChapterId,
    /// Title shown to people (defaults to the uploaded file's name).
    pub title: String,
    /// Where the video is in its life.
    pub status: VideoStatus,
    /// Size in bytes (the declared upload length until the upload completes).
    pub size_bytes: i64,
    /// Duration in milliseconds, when the container says.
    pub duration_ms: Option<i64>,
    /// Frame width in pixels, when the container says.
    pub width: Option<i32>,
    /// Frame height in pixels, when the container says.
    pub height: Option<i32>,
    /// When the upload was created, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// A signed, expiring URL that plays the video; only for `ready` videos.
    pub display_url: Option<String>,
    /// Why the video failed, in words for the instructor; only for `failed` videos.
    pub failure_reason: Option<String>,
}

/// `POST /api/videos/bulk-delete` body: up to [`BULK_DELETE_MAX`] video IDs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkDeleteRequest {
    /// The videos to delete.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub ids: Vec<VideoId>,
}

/// Most IDs one bulk delete takes.
pub const BULK_DELETE_MAX: usize = 500;

/// What happened to one video of a delete.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteResult {
    /// The video.
    pub id: VideoId,
    /// Deleted (or already deleted).
    pub ok: bool,
    /// Why not, when not.
    pub code: Option<crate::ErrorCode>,
    /// Why not, for people.
    pub message: Option<String>,
    /// Until when `POST /api/videos/{id}/restore` brings it back, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub restorable_until: Option<String>,
}

/// `POST /api/videos/bulk-delete` response: one result per requested ID, in request order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkDeleteResponse {
    /// Per-ID results.
    pub results: Vec<DeleteResult>,
}

/// `GET /healthz` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthDto {
    /// "ok" when the server and its database answer.
    pub status: String,
}

/// Bodies of actions that return nothing of interest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Empty {}
