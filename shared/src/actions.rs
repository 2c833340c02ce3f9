//! The action table: each server action's method, path and input/output types in one place.
//! The server registers its routes from these paths and the browser builds its requests from
//! them, so the two cannot drift apart.

use crate::dto::{
    ActivityPage, BulkDeleteRequest, BulkDeleteResponse, ChapterDeleted, ChapterDto, ChapterTitle,
    CourseDto, CourseUpdate, DeleteResult, Empty, HealthDto, LoginRequest, MeDto, NewCourse,
    OrderRequest, RefreshRequest, TokenPair, VideoDto, VideoUpdate,
};
use serde::{de::DeserializeOwned, Serialize};

/// HTTP methods the actions use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// PATCH
    Patch,
}

impl Method {
    /// The method as HTTP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Patch => "PATCH",
        }
    }
}

/// The tus endpoint (creation); uploads live at `{UPLOADS_PATH}/{upload_id}`. tus is its own
/// protocol, so it is not an [`Action`].
pub const UPLOADS_PATH: &str = "/api/uploads";

/// Metadata keys the tus creation request carries (`Upload-Metadata`).
pub mod upload_metadata {
    /// The file's name; only ever the default title.
    pub const FILENAME: &str = "filename";
    /// The file's MIME type.
    pub const FILETYPE: &str = "filetype";
    /// The target chapter's ID.
    pub const CHAPTER_ID: &str = "chapter_id";
    /// Optional title.
    pub const TITLE: &str = "title";
}

/// The response header carrying the new video's ID on tus creation.
pub const VIDEO_ID_HEADER: &str = "Reel-Video-Id";

/// One server action.
pub trait Action {
    /// The HTTP method.
    const METHOD: Method;
    /// The path pattern, with `{name}` segments for path parameters (actix syntax).
    const PATH: &'static str;
    /// The JSON request body (`Empty` for none).
    type Input: Serialize + DeserializeOwned;
    /// The JSON response body.
    type Output: Serialize + DeserializeOwned;
}

/// Fills the `{…}` segments of an action's path, in order, URL-encoding nothing because every
/// parameter is a server-generated ID.
pub fn fill_path(pattern: &str, params: &[&str]) -> String {
    let mut out = String::with_capacity(pattern.len() + 40);
    let mut params = params.iter();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(params.next().copied().unwrap_or_default());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Facts about one action, for code that must cover every action: the server's OpenAPI
/// document and the tests that check it names them all.
#[derive(Clone, Copy, Debug)]
pub struct ActionInfo {
    /// The action's type name (`ListCourses`).
    pub name: &'static str,
    /// [`Action::METHOD`].
    pub method: Method,
    /// [`Action::PATH`].
    pub path: &'static str,
    /// The action's doc comment.
    pub doc: &'static str,
    /// The request body type's name; `Empty` means the action reads no body.
    pub input: &'static str,
    /// The response body type's name.
    pub output: &'static str,
    /// The body schemas (only with the `openapi` feature, which only the server enables).
    #[cfg(feature = "openapi")]
    pub schemas: crate::openapi::BodySchemas,
}

impl ActionInfo {
    /// Whether the action reads a JSON request body.
    pub fn has_body(&self) -> bool {
        self.input != "Empty"
    }
}

/// Declares every action and [`ALL`] from one table, so nothing that lists the actions can
/// miss one.
macro_rules! actions {
    ($($(#[doc = $doc:literal])* $name:ident, $method:ident, $path:literal, $input:ty => $output:ty;)*) => {
        $(
            $(#[doc = $doc])*
            pub struct $name;
            impl Action for $name {
                const METHOD: Method = Method::$method;
                const PATH: &'static str = $path;
                type Input = $input;
                type Output = $output;
            }
        )*

        /// Every action, in table order.
        pub const ALL: &[ActionInfo] = &[$(
            ActionInfo {
                name: stringify!($name),
                method: Method::$method,
                path: $path,
                doc: concat!($($doc, "\n"),*),
                input: stringify!($input),
                output: stringify!($output),
                #[cfg(feature = "openapi")]
                schemas: crate::openapi::BodySchemas::of::<$input, $output>(),
            },
        )*];
    };
}

actions! {
    /// Sign in with email and password; sets the session cookie.
    Login, Post, "/api/auth/login", LoginRequest => MeDto;
    /// End the session.
    Logout, Post, "/api/auth/logout", Empty => Empty;
    /// Who is signed in.
    Me, Get, "/api/auth/me", Empty => MeDto;
    /// Spends a refresh token for an access token and the next refresh token (for a browser
    /// that keeps no cookie, inside an LMS). A refresh token sent twice revokes its family.
    Refresh, Post, "/api/auth/refresh", RefreshRequest => TokenPair;
    /// The caller's courses with their chapters.
    ListCourses, Get, "/api/courses", Empty => Vec<CourseDto>;
    /// Creates a course (with no chapters yet).
    CreateCourse, Post, "/api/courses", NewCourse => CourseDto;
    /// Renames a course or changes its description.
    UpdateCourse, Patch, "/api/courses/{id}", CourseUpdate => CourseDto;
    /// Adds a chapter at the end of a course.
    AddChapter, Post, "/api/courses/{id}/chapters", ChapterTitle => ChapterDto;
    /// Puts a course's chapters in a new order (all of them, once each).
    /// A stale order is `409 stale_order` with the current one.
    ReorderChapters, Post, "/api/courses/{id}/chapters/order", OrderRequest => CourseDto;
    /// A course's activity, newest first: `before` pages back, `kind` filters.
    CourseActivity, Get, "/api/courses/{id}/activity", Empty => ActivityPage;
    /// Renames a chapter.
    RenameChapter, Patch, "/api/chapters/{id}", ChapterTitle => ChapterDto;
    /// Deletes a chapter and its videos (each restorable during the grace period).
    DeleteChapter, Delete, "/api/chapters/{id}", Empty => ChapterDeleted;
    /// Brings a deleted chapter back where it was, with the videos its delete took.
    RestoreChapter, Post, "/api/chapters/{id}/restore", Empty => ChapterDto;
    /// Puts a chapter's videos in a new order (all it lists, once each).
    /// A stale order is `409 stale_order` with the current one.
    ReorderVideos, Post, "/api/chapters/{id}/videos/order", OrderRequest => Vec<VideoDto>;
    /// A chapter's videos, in the chapter's order.
    ListChapterVideos, Get, "/api/chapters/{id}/videos", Empty => Vec<VideoDto>;
    /// One video.
    GetVideo, Get, "/api/videos/{id}", Empty => VideoDto;
    /// Renames a video or moves it to the end of another chapter of the same course.
    UpdateVideo, Patch, "/api/videos/{id}", VideoUpdate => VideoDto;
    /// Deletes a video (restorable during the grace period). Idempotent for its owner.
    DeleteVideo, Delete, "/api/videos/{id}", Empty => DeleteResult;
    /// Deletes many videos; one result per ID.
    BulkDeleteVideos, Post, "/api/videos/bulk-delete", BulkDeleteRequest => BulkDeleteResponse;
    /// Brings a deleted video back within the grace period.
    RestoreVideo, Post, "/api/videos/{id}/restore", Empty => VideoDto;
    /// Liveness and database check.
    Health, Get, "/healthz", Empty => HealthDto;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_path_substitutes_parameters_in_order() {
        assert_eq!(
            fill_path("/api/chapters/{id}/videos", &["abc"]),
            "/api/chapters/abc/videos"
        );
        assert_eq!(fill_path("/a/{x}/b/{y}", &["1", "2"]), "/a/1/b/2");
        assert_eq!(fill_path("/api/courses", &[]), "/api/courses");
    }

    #[test]
    fn the_table_lists_every_action_once_with_its_own_facts() {
        assert_eq!(ALL.len(), 21);
        let login = ALL
            .iter()
            .find(|a| a.name == "Login")
            .expect("login listed");
        assert_eq!(login.path, Login::PATH);
        assert_eq!(login.method, Login::METHOD);
        assert!(login.has_body());
        assert!(login.doc.contains("Sign in"));
        let me = ALL.iter().find(|a| a.name == "Me").expect("me listed");
        assert!(!me.has_body());
        let mut routes: Vec<_> = ALL.iter().map(|a| (a.path, a.method as u8)).collect();
        routes.sort_unstable();
        routes.dedup();
        assert_eq!(
            routes.len(),
            ALL.len(),
            "two actions share a method and path"
        );
    }
}
