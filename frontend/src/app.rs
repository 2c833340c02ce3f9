//! The root component: the query cache context, the router, the toasts and the confirm dialog.

use crate::components::announcer::Announcer;
use crate::components::{auth_gate::RequireAuth, confirm_dialog::ConfirmDialog, toasts::Toasts};
use crate::pages::chapter::ChapterPage;
use crate::pages::{
    course::CoursePage, courses::CoursesPage, not_found::NotFoundPage, sign_in::SignInPage,
};
use crate::query::QueryClient;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// The whole app.
#[function_component(App)]
pub fn app() -> Html {
    let client = use_state(QueryClient::default);
    use_refresh_on_focus_and_interval((*client).clone());
    // The app has painted: the static shell of index.html goes.
    use_effect_with((), |_| {
        if let Some(shell) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("app-shell"))
        {
            shell.remove();
        }
    });
    html! {
        <ContextProvider<QueryClient> context={(*client).clone()}>
            <BrowserRouter>
                <Switch<Route> render={switch} />
                <Toasts />
                <Announcer />
                <ConfirmDialog />
            </BrowserRouter>
        </ContextProvider<QueryClient>>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Redirect<Route> to={Route::Courses} /> },
        Route::SignIn => html! { <SignInPage /> },
        Route::Courses => html! { <RequireAuth><CoursesPage /></RequireAuth> },
        Route::Course { id } => html! { <RequireAuth><CoursePage {id} /></RequireAuth> },
        Route::Chapter {
            course_id,
            chapter_id,
        } => {
            html! { <RequireAuth><ChapterPage {course_id} {chapter_id} /></RequireAuth> }
        }
        Route::Panic => html! { <Panic /> },
        Route::NotFound => html! { <NotFoundPage /> },
    }
}

/// Renders nothing: it panics, to show the crash panel (`/_/panic`).
#[function_component(Panic)]
fn panic_on_purpose() -> Html {
    panic!("diagnostic panic requested at /_/panic");
}

/// How often visible, watched data is checked for staleness.
const REFRESH_EVERY_MS: u32 = 10_000;

/// Refetches stale watched queries when the window regains focus or the tab becomes visible,
/// and on an interval while the tab is visible.
#[hook]
fn use_refresh_on_focus_and_interval(client: QueryClient) {
    use_effect_with((), move |()| {
        let visible = || {
            web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| !d.hidden())
        };
        let on_focus = {
            let client = client.clone();
            gloo_events::EventListener::new(
                &web_sys::window().expect("window"),
                "focus",
                move |_| client.refresh_watched(),
            )
        };
        let on_visible = {
            let client = client.clone();
            let document = web_sys::window()
                .and_then(|w| w.document())
                .expect("document");
            gloo_events::EventListener::new(&document, "visibilitychange", move |_| {
                if visible() {
                    client.refresh_watched();
                }
            })
        };
        let interval = gloo_timers::callback::Interval::new(REFRESH_EVERY_MS, move || {
            if visible() {
                client.refresh_watched();
            }
        });
        move || drop((on_focus, on_visible, interval))
    });
}
