//! Rows as diesel reads and writes them. Server-only columns (password hashes, storage keys)
//! live here and nowhere in `shared`.

use crate::db::schema::{audit_events, chapters, courses, instructors, sessions};
use crate::db::status::{UploadState, VideoStatus};
use diesel::prelude::*;

/// An instructor account.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = instructors)]
pub struct Instructor {
    /// ID.
    pub id: String,
    /// Lower-cased email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Creation time (ms).
    pub created_at: i64,
}

/// A sign-in session, keyed by the hash of its cookie token.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// sha256 of the token, hex.
    pub id: String,
    /// Who is signed in.
    pub instructor_id: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// Expiry time (ms).
    pub expires_at: i64,
}

/// A course.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = courses)]
pub struct Course {
    /// ID.
    pub id: String,
    /// Owning instructor.
    pub owner_id: String,
    /// Title.
    pub title: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// What the course is about (may be empty).
    pub description: String,
}

/// A chapter of a course.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = chapters)]
pub struct Chapter {
    /// ID.
    pub id: String,
    /// The course.
    pub course_id: String,
    /// Title.
    pub title: String,
    /// Zero-based position in the course.
    pub position: i32,
}

/// An audit event to append.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    /// When (ms).
    pub at: i64,
    /// Instructor ID, or the attempted email for failed sign-ins.
    pub actor: Option<String>,
    /// What was attempted, e.g. `auth.login`.
    pub action: String,
    /// What it was attempted on (an ID).
    pub target: Option<String>,
    /// `success`, `denied`, `failed` …
    pub outcome: String,
    /// The peer address.
    pub client_ip: Option<String>,
    /// The request id also found in the logs.
    pub request_id: Option<String>,
    /// JSON with anything else worth keeping.
    pub details: String,
    /// How many times it happened (1; more for refusals counted together).
    pub repeats: i64,
}

/// An audit event as stored.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    /// Sequence number.
    pub id: i64,
    /// When (ms).
    pub at: i64,
    /// Who.
    pub actor: Option<String>,
    /// What.
    pub action: String,
    /// On what.
    pub target: Option<String>,
    /// How it ended.
    pub outcome: String,
    /// From where.
    pub client_ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// Extra JSON.
    pub details: String,
    /// How many times it happened: identical refusals within a minute share one row.
    pub repeats: i64,
    /// When it last happened (ms), when more than once.
    pub last_at: Option<i64>,
}

/// A video row. `storage_key` is server-only.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::db::schema::videos)]
pub struct Video {
    /// ID.
    pub id: String,
    /// The chapter.
    pub chapter_id: String,
    /// Title.
    pub title: String,
    /// Where it is in its life.
    pub status: VideoStatus,
    /// Declared length until the upload completes, then the stored size.
    pub size_bytes: i64,
    /// Duration (ms).
    pub duration_ms: Option<i64>,
    /// Frame width.
    pub width: Option<i32>,
    /// Frame height.
    pub height: Option<i32>,
    /// Where the bytes are. Never leaves the server.
    pub storage_key: String,
    /// The type it is served with.
    pub content_type: String,
    /// sha256 of the bytes, hex (also the ETag).
    pub sha256: Option<String>,
    /// Why it failed, for the instructor.
    pub failure_reason: Option<String>,
    /// Created (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
    /// Deleted (ms).
    pub deleted_at: Option<i64>,
    /// When the janitor may purge the bytes (ms).
    pub purge_after: Option<i64>,
    /// Purge attempts so far.
    pub purge_attempts: i32,
    /// When the bytes were purged (ms).
    pub purged_at: Option<i64>,
    /// The status before deletion (what a restore brings back).
    pub deleted_from: Option<VideoStatus>,
    /// Whether its poster and thumbnail strip are stored beside it.
    pub has_poster: bool,
}

/// A tus upload session.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::db::schema::uploads)]
pub struct Upload {
    /// Unguessable ID, the last segment of the tus URL.
    pub id: String,
    /// The video being uploaded.
    pub video_id: String,
    /// Who created it; only they may touch it.
    pub instructor_id: String,
    /// Declared total length.
    pub upload_length: i64,
    /// Bytes durably stored.
    pub upload_offset: i64,
    /// The raw `Upload-Metadata` header, echoed on HEAD.
    pub metadata: String,
    /// Where it is in its life.
    pub state: UploadState,
    /// When an unfinished upload expires (ms).
    pub expires_at: i64,
    /// Created (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
    /// When an ended upload's bytes were removed (ms); `None` while that is still to do.
    pub cleaned_at: Option<i64>,
}
