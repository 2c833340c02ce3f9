//! The page for unknown addresses.

use crate::focus::use_page;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// Any unknown route.
#[function_component(NotFoundPage)]
pub fn not_found_page() -> Html {
    use_page(Some("Page not found".to_string()));
    html! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <h1 tabindex="-1">{ "Page not found" }</h1>
                <p class="muted">{ "The address may be mistyped, or the page has moved." }</p>
                <Link<Route> to={Route::Courses} classes="btn btn-primary">{ "Go to your courses" }</Link<Route>>
            </div>
        </main>
    }
}
