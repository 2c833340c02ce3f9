//! A chapter: its uploader, the upload queue and its videos.

use crate::api::{self, ClientError};
use crate::components::status::{ErrorPanel, Loading};
use crate::components::uploader::Uploader;
use crate::components::video_list::{VideoList, VIDEO_DRAG};
use crate::focus::use_page;
use crate::mutations::videos;
use crate::query::{use_query, QueryClient, QueryKey};
use crate::route::Route;
use crate::stores::uploads::Destination;
use shared::dto::CourseDto;
use std::rc::Rc;
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
            let others: Rc<Vec<(String, String)>> = Rc::new(
                course
                    .chapters
                    .iter()
                    .filter(|ch| ch.id.as_str() != props.chapter_id)
                    .map(|ch| (ch.id.to_string(), ch.title.clone()))
                    .collect(),
            );
            html! { <VideoList chapter_id={props.chapter_id.clone()} videos={list.clone()} {undo_secs} {others} /> }
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
            <ChapterSwitcher course={course.clone()} current={props.chapter_id.clone()} />
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

#[derive(Properties, PartialEq)]
struct SwitcherProps {
    course: CourseDto,
    current: String,
}

/// The course's chapters as links; each other chapter is also where a dragged video row can be
/// dropped, to move it there.
#[function_component(ChapterSwitcher)]
fn chapter_switcher(props: &SwitcherProps) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let over = use_state(|| None::<String>);
    let course_id = props.course.id.to_string();
    html! {
        <nav class="chapter-switcher" aria-label="Chapters of this course">
            <ol>
                { for props.course.chapters.iter().map(|ch| {
                    let id = ch.id.to_string();
                    let here = id == props.current;
                    let on_dragover = {
                        let (over, id) = (over.clone(), id.clone());
                        Callback::from(move |e: DragEvent| {
                            if !here && e.data_transfer().is_some_and(|dt| dt.types().includes(&VIDEO_DRAG.into(), 0)) {
                                e.prevent_default();
                                if over.as_deref() != Some(id.as_str()) {
                                    over.set(Some(id.clone()));
                                }
                            }
                        })
                    };
                    let on_dragleave = {
                        let over = over.clone();
                        Callback::from(move |_: DragEvent| over.set(None))
                    };
                    let on_drop = {
                        let (client, over, from, to, title) = (client.clone(), over.clone(), props.current.clone(), id.clone(), ch.title.clone());
                        Callback::from(move |e: DragEvent| {
                            over.set(None);
                            let dragged = e.data_transfer().and_then(|dt| dt.get_data(VIDEO_DRAG).ok()).filter(|d| !d.is_empty());
                            if let (false, Some(video)) = (here, dragged) {
                                e.prevent_default();
                                videos::move_videos(&client, &from, &to, &title, vec![video]);
                            }
                        })
                    };
                    html! {
                        <li key={id.clone()} class={classes!("chapter-pill", here.then_some("chapter-pill-current"), (over.as_deref() == Some(id.as_str())).then_some("chapter-pill-drop"))}
                            data-testid="chapter-pill" ondragover={on_dragover} ondragleave={on_dragleave} ondrop={on_drop}>
                            if here {
                                <span aria-current="page">{ format!("{}. {}", ch.position + 1, ch.title) }</span>
                            } else {
                                <Link<Route> to={Route::Chapter { course_id: course_id.clone(), chapter_id: id.clone() }}>
                                    { format!("{}. {}", ch.position + 1, ch.title) }
                                </Link<Route>>
                            }
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}
