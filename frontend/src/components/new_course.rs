//! "New course": a title and an optional description. The card shows in the list at once and
//! the editor opens when the server has made the course.

use crate::mutations::courses;
use crate::query::QueryClient;
use crate::route::Route;
use shared::titles::{clean_description, clean_title};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;
use yew_router::prelude::*;

/// The form, closed behind a button until asked for.
#[function_component(NewCourse)]
pub fn new_course() -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let navigator = use_navigator();
    let open = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let (title, description) = (use_node_ref(), use_node_ref());
    if !*open {
        let open = open.clone();
        return html! {
            <button type="button" class="btn btn-primary" onclick={move |_| open.set(true)} data-testid="new-course">
                { "+ New course" }
            </button>
        };
    }
    let submit = {
        let (open, problem, title, description) = (
            open.clone(),
            problem.clone(),
            title.clone(),
            description.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let raw_title = title
                .cast::<HtmlInputElement>()
                .map(|el| el.value())
                .unwrap_or_default();
            let raw_description = description
                .cast::<HtmlTextAreaElement>()
                .map(|el| el.value())
                .unwrap_or_default();
            let clean = clean_title(&raw_title).map_err(|p| p.message());
            let about = clean_description(&raw_description);
            match (clean, about) {
                (Ok(t), Ok(d)) => {
                    problem.set(None);
                    open.set(false);
                    let navigator = navigator.clone();
                    let then = Callback::from(move |course: shared::dto::CourseDto| {
                        if let Some(n) = &navigator {
                            n.push(&Route::Course {
                                id: course.id.to_string(),
                            });
                        }
                    });
                    courses::create_course(&client, t, (!d.is_empty()).then_some(d), then);
                }
                (Err(p), _) | (_, Err(p)) => problem.set(Some(p)),
            }
        })
    };
    let cancel = {
        let open = open.clone();
        move |_: MouseEvent| open.set(false)
    };
    html! {
        <form class="card new-course" onsubmit={submit} aria-labelledby="new-course-title" novalidate=true>
            <h2 id="new-course-title">{ "New course" }</h2>
            <label for="course-title">{ "Title" }</label>
            <input ref={title} id="course-title" type="text" maxlength="200" required=true autofocus=true
                placeholder="e.g. Documentary Filmmaking 101" aria-describedby="new-course-error" />
            <label for="course-description">{ "Description (optional)" }</label>
            <textarea ref={description} id="course-description" rows="3"
                placeholder="What will learners be able to do after this course?"></textarea>
            <div id="new-course-error" class="form-error" aria-live="polite">
                { problem.as_ref().map(|p| html! { <p>{ p }</p> }).unwrap_or_default() }
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{ "Create course" }</button>
                <button type="button" class="btn btn-ghost" onclick={cancel}>{ "Cancel" }</button>
            </div>
        </form>
    }
}
