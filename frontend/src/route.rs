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
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}
