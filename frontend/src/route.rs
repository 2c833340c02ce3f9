//! The app's routes.

use yew_router::prelude::*;

/// Every page the app can show.
#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    /// `/`: goes to the course list.
    #[at("/")]
    Home,
    /// The sign-in form.
    #[at("/sign-in")]
    SignIn,
    /// The instructor's courses.
    #[at("/courses")]
    Courses,
    /// One course with its chapters.
    #[at("/courses/:id")]
    Course {
        /// The course ID.
        id: String,
    },
    /// A chapter: upload and manage its videos.
    #[at("/courses/:course_id/chapters/:chapter_id")]
    Chapter {
        /// The course ID.
        course_id: String,
        /// The chapter ID.
        chapter_id: String,
    },
    /// Diagnostics: panics on purpose so QA can check the crash panel.
    #[at("/_/panic")]
    Panic,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}
