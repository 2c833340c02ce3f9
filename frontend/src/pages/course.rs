//! One course: its curriculum (chapters to arrange) and its activity, as two tabs.

use crate::api;
use crate::components::activity_feed::ActivityFeed;
use crate::components::chapter_list::ChapterList;
use crate::components::inline_edit::InlineEdit;
use crate::components::status::{ErrorPanel, Loading};
use crate::focus::use_page;
use crate::mutations::courses;
use crate::pages::courses::chapter_count;
use crate::query::{use_query, QueryClient, QueryKey};
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// Props: which course.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The course ID from the URL.
    pub id: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Curriculum,
    Activity,
}

/// `/courses/:id`.
#[function_component(CoursePage)]
pub fn course_page(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let me = use_query(QueryKey::Me, api::auth::me);
    let courses = use_query(QueryKey::Courses, api::courses::list);
    let tab = use_state(|| Tab::Curriculum);
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
    let on_rename = {
        let (client, id) = (client.clone(), props.id.clone());
        Callback::from(move |title: String| courses::rename_course(&client, &id, title))
    };
    let undo_secs = me.data.as_ref().map_or(0, |m| m.undo_secs);
    let tab_button = |which: Tab, label: &'static str, id: &'static str| {
        let selected = *tab == which;
        let tab = tab.clone();
        html! {
            <button type="button" role="tab" id={id} class={classes!("tab", selected.then_some("tab-selected"))}
                aria-selected={selected.to_string()} aria-controls="course-panel" tabindex={if selected { "0" } else { "-1" }}
                onclick={move |_| tab.set(which)}>{ label }</button>
        }
    };
    // Arrow keys move between the two tabs, as the ARIA tabs pattern has it.
    let on_tabs_key = {
        let tab = tab.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(
                e.key().as_str(),
                "ArrowLeft" | "ArrowRight" | "Home" | "End"
            ) {
                e.prevent_default();
                let next = if *tab == Tab::Curriculum {
                    Tab::Activity
                } else {
                    Tab::Curriculum
                };
                tab.set(next);
                let id = if next == Tab::Activity {
                    "#tab-activity"
                } else {
                    "#tab-curriculum"
                };
                crate::focus::later(vec![id.to_string()]);
            }
        })
    };
    let (panel, labelled) = match *tab {
        Tab::Curriculum => (
            html! { <ChapterList course={course.clone()} {undo_secs} /> },
            "tab-curriculum",
        ),
        Tab::Activity => (
            html! { <ActivityFeed course_id={course.id.to_string()} /> },
            "tab-activity",
        ),
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
                <InlineEdit value={course.title.clone()} what="the course" on_save={on_rename}>
                    <h1 tabindex="-1">{ &course.title }</h1>
                </InlineEdit>
                if !course.description.is_empty() {
                    <p class="course-description">{ &course.description }</p>
                }
                <p class="muted">{ chapter_count(course.chapters.len()) }</p>
            </div>
            <div class="tabs" role="tablist" aria-label="Course" onkeydown={on_tabs_key}>
                { tab_button(Tab::Curriculum, "Curriculum", "tab-curriculum") }
                { tab_button(Tab::Activity, "Activity", "tab-activity") }
            </div>
            <div id="course-panel" role="tabpanel" aria-labelledby={labelled}>
                { panel }
            </div>
        </>
    }
}
