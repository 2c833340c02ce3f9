//! The root component: the query cache context, the router and the toasts.

use crate::components::{auth_gate::RequireAuth, toasts::Toasts};
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
        Route::NotFound => html! { <NotFoundPage /> },
    }
}
