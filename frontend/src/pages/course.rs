//! One course and its chapters.

use crate::api;
use crate::components::format;
use crate::components::status::{ErrorPanel, Loading};
use crate::focus::use_page;
use crate::pages::courses::chapter_count;
use crate::query::{use_query, QueryKey};
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// Props: which course.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The course ID from the URL.
    pub id: String,
}

/// `/courses/:id`.
#[function_component(CoursePage)]
pub fn course_page(props: &Props) -> Html {
    let courses = use_query(QueryKey::Courses, api::courses::list);
    use_page(courses.data.as_ref().map(|list| {
        list.iter()
            .find(|c| c.id.as_str() == props.id)
            .map_or_else(|| "Course not found".to_string(), |c| c.title.clone())
    }));
    let Some(list) = &courses.data else {
        return match &courses.error {
            Some(e) => html! { <ErrorPanel message={e.message()} query={QueryKey::Courses} /> },
            None => html! { <Loading label="Loading the course…" /> },
        };
    };
    let Some(course) = list.iter().find(|c| c.id.as_str() == props.id) else {
        return html! {
            <div class="empty">
                <h1 tabindex="-1">{ "Course not found" }</h1>
                <p>{ "This course does not exist or is not one of yours." }</p>
                <Link<Route> to={Route::Courses} classes="btn">{ "Back to your courses" }</Link<Route>>
            </div>
        };
    };
    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <ol>
                    <li><Link<Route> to={Route::Courses}>{ "Your courses" }</Link<Route>></li>
                    <li><span aria-current="page">{ &course.title }</span></li>
                </ol>
            </nav>
            <div class="page-header">
                <h1 tabindex="-1">{ &course.title }</h1>
                <p class="muted">{ chapter_count(course.chapters.len()) }</p>
            </div>
            <ol class="chapters">
                { for course.chapters.iter().map(|ch| html! {
                    <li class="card chapter" key={ch.id.to_string()} data-testid="chapter">
                        <div class="chapter-head">
                            <span class="chapter-number">{ format!("Chapter {}", ch.position + 1) }</span>
                            <h2>
                                <Link<Route> to={Route::Chapter { course_id: course.id.to_string(), chapter_id: ch.id.to_string() }}>
                                    { &ch.title }
                                </Link<Route>>
                            </h2>
                        </div>
                        <p class="muted" data-testid="chapter-count">{ if ch.video_count == 0 {
                            "No videos yet — open the chapter to upload its lectures.".to_string()
                        } else {
                            format::count(ch.video_count as usize, "video")
                        } }</p>
                    </li>
                }) }
            </ol>
        </>
    }
}
