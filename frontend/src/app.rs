//! The root component: the query cache context, the router and the toasts.

use crate::components::{auth_gate::RequireAuth, toasts::Toasts};
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
    html! {
        <ContextProvider<QueryClient> context={(*client).clone()}>
            <BrowserRouter>
                <Switch<Route> render={switch} />
                <Toasts />
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
