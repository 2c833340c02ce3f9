//! A chapter: its uploader, the upload queue and its videos.

use crate::api::{self, ClientError};
use crate::components::status::{ErrorPanel, Loading};
use crate::components::{upload_queue::UploadQueue, uploader::Uploader, video_list::VideoList};
use crate::query::{use_query, QueryKey};
use crate::route::Route;
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
    let Some((course, chapter)) = found else {
        return match (&courses.data, &courses.error) {
            (Some(_), _) => html! {
                <div class="empty">
                    <h1>{ "Chapter not found" }</h1>
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
            html! { <VideoList chapter_id={props.chapter_id.clone()} videos={list.clone()} /> }
        }
        (None, Some(e)) => {
            html! { <ErrorPanel message={e.message()} query={QueryKey::ChapterVideos(props.chapter_id.clone())} /> }
        }
        (None, None) => html! { <Loading label="Loading videos…" /> },
    };
    html! {
        <>
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <Link<Route> to={Route::Courses}>{ "Your courses" }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <Link<Route> to={Route::Course { id: course.id.to_string() }}>{ &course.title }</Link<Route>>
                <span aria-hidden="true">{ " / " }</span>
                <span aria-current="page">{ &chapter.title }</span>
            </nav>
            <div class="page-header">
                <span class="chapter-number">{ format!("Chapter {}", chapter.position + 1) }</span>
                <h1>{ &chapter.title }</h1>
            </div>
            <Uploader instructor_id={instructor} chapter_id={props.chapter_id.clone()} max_bytes={limit.data.as_deref().copied()} />
            <UploadQueue chapter_id={props.chapter_id.clone()} />
            <section class="videos-section" aria-labelledby="videos-title">
                <h2 id="videos-title">{ "Videos" }</h2>
                { list }
            </section>
        </>
    }
}
