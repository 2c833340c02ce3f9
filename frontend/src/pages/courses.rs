//! The instructor's courses.

use crate::api;
use crate::components::format;
use crate::components::new_course::NewCourse;
use crate::components::status::{ErrorPanel, Loading};
use crate::focus::use_page;
use crate::mutations::optimistic::PENDING;
use crate::query::{use_query, QueryKey};
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// `/courses`.
#[function_component(CoursesPage)]
pub fn courses_page() -> Html {
    let courses = use_query(QueryKey::Courses, api::courses::list);
    use_page(Some("Your courses".to_string()));
    let body = match (&courses.data, &courses.error) {
        (Some(list), _) if list.is_empty() => html! {
            <div class="empty">
                <h2>{ "No courses yet" }</h2>
                <p>{ "Create your first course with “New course”: give it a title, add chapters, then upload their lectures." }</p>
            </div>
        },
        (Some(list), _) => html! {
            <ul class="course-grid">
                { for list.iter().map(|course| html! {
                    <li class="card course-card" key={course.id.to_string()} data-testid="course-card"
                        aria-busy={course.id.as_str().starts_with(PENDING).to_string()}>
                        if course.id.as_str().starts_with(PENDING) {
                            <h2>{ &course.title }</h2>
                            <p class="muted">{ "Creating…" }</p>
                        } else {
                            <h2><Link<Route> to={Route::Course { id: course.id.to_string() }}>{ &course.title }</Link<Route>></h2>
                        }
                        if !course.description.is_empty() {
                            <p class="course-description">{ &course.description }</p>
                        }
                        <p class="muted">{ chapter_count(course.chapters.len()) }</p>
                        <ol class="chapter-preview">
                            { for course.chapters.iter().map(|ch| html! {
                                <li key={ch.id.to_string()}>
                                    <Link<Route> to={Route::Chapter { course_id: course.id.to_string(), chapter_id: ch.id.to_string() }}>{ &ch.title }</Link<Route>>
                                    <span class="chapter-videos" data-testid="chapter-videos">{ format::count(ch.video_count as usize, "video") }</span>
                                </li>
                            }) }
                        </ol>
                    </li>
                }) }
            </ul>
        },
        (None, Some(e)) => html! { <ErrorPanel message={e.message()} query={QueryKey::Courses} /> },
        (None, None) => html! { <Loading label="Loading your courses…" /> },
    };
    html! {
        <>
            <div class="page-header page-header-row">
                <h1 tabindex="-1">{ "Your courses" }</h1>
                <NewCourse />
            </div>
            { body }
        </>
    }
}

/// "1 chapter", "3 chapters".
pub fn chapter_count(n: usize) -> String {
    crate::components::format::count(n, "chapter")
}
