//! Request and response bodies. These are the only shapes that cross the wire; the server maps
//! its database rows into them, so a server-only column can never leak by accident.

use crate::ids::{ChapterId, CourseId, InstructorId, VideoId};
use serde::{Deserialize, Serialize};

/// `POST /api/auth/refresh` body: a refresh token (from an LTI launch, or the last refresh).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    /// The refresh token; good once.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub refresh_token: String,
}

/// `POST /api/auth/refresh` answer: an access token to send as `Authorization: Bearer`, and
/// the refresh token that buys the next one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// The next refresh token (the one sent is spent).
    pub refresh_token: String,
    /// Seconds the access token lasts.
    pub expires_in_secs: u64,
}

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
    /// What the course is about (may be empty).
    #[serde(default)]
    pub description: String,
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
    /// A signed, expiring URL of its poster frame (JPEG); `None` shows a placeholder.
    #[serde(default)]
    pub poster_url: Option<String>,
    /// A signed, expiring URL of a strip of thumbnails side by side (JPEG), for scrubbing.
    #[serde(default)]
    pub thumbnails_url: Option<String>,
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

/// `POST /api/courses` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCourse {
    /// The title: trimmed, 1–200 characters, one line.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub title: String,
    /// What the course is about (at most 5,000 characters).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 5000,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        )
    )]
    pub description: Option<String>,
}

/// `PATCH /api/courses/{id}` body: the fields to change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseUpdate {
    /// A new title.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub title: Option<String>,
    /// A new description.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 5000,
            pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
        )
    )]
    pub description: Option<String>,
}

/// `POST /api/courses/{id}/chapters` and `PATCH /api/chapters/{id}` body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChapterTitle {
    /// The title: trimmed, 1–200 characters, one line.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub title: String,
}

/// The full new order of a course's chapters or a chapter's videos.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRequest {
    /// Every ID, once each, in the new order.
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub ids: Vec<String>,
    /// The order the client saw before its change. When given and the server's order has
    /// changed since (another tab), the answer is `409 stale_order` with the current order.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub expected: Option<Vec<String>>,
}

/// Most IDs an order names.
pub const ORDER_MAX: usize = 1000;

/// `PATCH /api/videos/{id}` body: the fields to change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VideoUpdate {
    /// A new title.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
        )
    )]
    pub title: Option<String>,
    /// Another chapter of the same course; the video goes to its end.
    #[serde(default)]
    pub chapter_id: Option<ChapterId>,
}

/// `DELETE /api/chapters/{id}` response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChapterDeleted {
    /// The chapter.
    pub id: ChapterId,
    /// How many of its videos were deleted with it.
    pub videos_deleted: i64,
    /// Until when `POST /api/chapters/{id}/restore` brings it back with them, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub restorable_until: String,
}

/// What kind of thing happened, for filtering a course's activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// Uploads started, finished, failed, canceled or expired.
    Upload,
    /// Deletes.
    Delete,
    /// Restores.
    Restore,
    /// Purges (the bytes removed after the grace period).
    Purge,
    /// Renames and new courses or chapters.
    Edit,
    /// Moves and reorders.
    Move,
    /// Attempts someone was not allowed to make.
    Denied,
}

impl ActivityKind {
    /// The kind as the `kind` query parameter spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upload => "upload",
            Self::Delete => "delete",
            Self::Restore => "restore",
            Self::Purge => "purge",
            Self::Edit => "edit",
            Self::Move => "move",
            Self::Denied => "denied",
        }
    }
}

/// One entry of a course's activity: IDs and titles, never a storage detail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityEventDto {
    /// Increasing with time; pass it as `before` for the next page.
    pub id: i64,
    /// When, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    /// The kind, for filtering and icons.
    pub kind: ActivityKind,
    /// What was attempted, e.g. `video.renamed`.
    pub action: String,
    /// `success`, `denied`, `failed` …
    pub outcome: String,
    /// The course, chapter or video it was about.
    pub target_id: Option<String>,
    /// That thing's title now, when it still has one.
    pub target_title: Option<String>,
    /// Who, by name, when it was the course's owner.
    pub actor_name: Option<String>,
    /// Why an upload failed, in words for the instructor.
    pub reason: Option<String>,
    /// The chapter a video was moved from, by its title now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_chapter: Option<String>,
    /// The chapter a video was moved or uploaded to, by its title now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_chapter: Option<String>,
    /// How many times it happened: identical refusals within a minute are one event.
    #[serde(default = "one")]
    pub repeats: i64,
}

fn one() -> i64 {
    1
}

/// `GET /api/courses/{id}/activity` response: newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityPage {
    /// Up to [`ACTIVITY_PAGE`] events.
    pub events: Vec<ActivityEventDto>,
    /// Pass as `before` for older events; `None` on the last page.
    pub next_before: Option<i64>,
}

/// Events per activity page.
pub const ACTIVITY_PAGE: usize = 50;

/// Bodies of actions that return nothing of interest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Empty {}
