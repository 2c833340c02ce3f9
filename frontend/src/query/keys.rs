//! The typed keys of the query cache.

/// One piece of server data the browser may hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum QueryKey {
    /// The signed-in instructor.
    Me,
    /// The instructor's courses with their chapters.
    Courses,
    /// A chapter's videos.
    ChapterVideos(String),
    /// One page of a course's activity: the course, the kind filter, the `before` cursor.
    Activity(String, Option<shared::dto::ActivityKind>, Option<i64>),
    /// The largest upload the server accepts (tus `Tus-Max-Size`).
    UploadLimit,
}
