//! A chapter: its uploader, the upload queue and its videos.

use crate::api::{self, ClientError};
use crate::components::status::{ErrorPanel, Loading};
use crate::components::{uploader::Uploader, video_list::VideoList};
use crate::focus::use_page;
use crate::query::{use_query, QueryKey};
use crate::route::Route;
use crate::stores::uploads::Destination;
use yew::prelude::*;
use yew_router::prelude::*;

/// Props: which chapter.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The course ID from the URL.
    pub course_id: String,
    /// The chapter ID from the URL.
    pub chapter_id: String,
}

/// `/courses/:course_id/chapters/:chapter_id`.
#[function_component(ChapterPage)]
pub fn chapter_page(props: &Props) -> Html {
    let me = use_query(QueryKey::Me, api::auth::me);
    let courses = use_query(QueryKey::Courses, api::courses::list);
    let limit = use_query(QueryKey::UploadLimit, || async {
        api::tus::max_size().await.map_err(|_| ClientError::Network)
    });
    let videos = {
        let chapter = props.chapter_id.clone();
        use_query(QueryKey::ChapterVideos(chapter.clone()), move || {
            api::videos::in_chapter(chapter.clone())
        })
    };
    let found = courses.data.as_ref().and_then(|list| {
        let course = list.iter().find(|c| c.id.as_str() == props.course_id)?;
        let chapter = course
            .chapters
            .iter()
            .find(|ch| ch.id.as_str() == props.chapter_id)?;
        Some((course.clone(), chapter.clone()))
    });
    use_page(match (&found, &courses.data) {
        (Some((_, chapter)), _) => Some(chapter.title.clone()),
        (None, Some(_)) => Some("Chapter not found".into()),
        (None, None) => None,
    });
    let Some((course, chapter)) = found else {
        return match (&courses.data, &courses.error) {
            (Some(_), _) => html! {
                <div class="empty">
                    <h1 tabindex="-1">{ "Chapter not found" }</h1>
                    <p>{ "This chapter does not exist or is not in one of your courses." }</p>
                    <Link<Route> to={Route::Courses} classes="btn">{ "Back to your courses" }</Link<Route>>
                </div>
            },
            (None, Some(e)) => {
                html! { <ErrorPanel message={e.message()} query={QueryKey::Courses} /> }
            }
            (None, None) => html! { <Loading label="Loading the chapter…" /> },
        };
    };
    let instructor = me
        .data
        .as_ref()
        .map(|m| m.id.to_string())
        .unwrap_or_default();
    let list = match (&videos.data, &videos.error) {
        (Some(list), _) => {
            let undo_secs = me.data.as_ref().map_or(0, |m| m.undo_secs);
            html! { <VideoList chapter_id={props.chapter_id.clone()} videos={list.clone()} {undo_secs} /> }
        }
        (None, Some(e)) => {
            html! { <ErrorPanel message={e.message()} query={QueryKey::ChapterVideos(props.chapter_id.clone())} /> }
        }
        (None, None) => html! { <Loading label="Loading videos…" /> },
    };
    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <ol>
                    <li><Link<Route> to={Route::Courses}>{ "Your courses" }</Link<Route>></li>
                    <li><Link<Route> to={Route::Course { id: course.id.to_string() }}>{ &course.title }</Link<Route>></li>
                    <li><span aria-current="page">{ &chapter.title }</span></li>
                </ol>
            </nav>
            <div class="page-header">
                <span class="chapter-number">{ format!("Chapter {}", chapter.position + 1) }</span>
                <h1 tabindex="-1">{ &chapter.title }</h1>
            </div>
            <Uploader instructor_id={instructor} to={Destination {
                chapter_id: props.chapter_id.clone(),
                chapter_title: chapter.title.clone(),
                course_id: course.id.to_string(),
            }} max_bytes={limit.data.as_deref().copied()} />
            <section class="videos-section" aria-labelledby="videos-title">
                <h2 id="videos-title" tabindex="-1">{ "Videos" }</h2>
                { list }
            </section>
        </>
    }
}
