//! Shows its children only to a signed-in instructor, inside the app shell; everyone else is
//! sent to the sign-in page.

use crate::api;
use crate::components::layout::Shell;
use crate::components::status::{ErrorPanel, Loading};
use crate::query::{use_query, QueryKey};
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

/// Props: the protected page.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The page.
    pub children: Html,
}

/// The gate.
#[function_component(RequireAuth)]
pub fn require_auth(props: &Props) -> Html {
    let me = use_query(QueryKey::Me, api::auth::me);
    if let Some(me) = &me.data {
        return html! { <Shell me={(**me).clone()}>{ props.children.clone() }</Shell> };
    }
    match &me.error {
        Some(e) if e.is_unauthenticated() => html! { <Redirect<Route> to={Route::SignIn} /> },
        Some(e) => {
            html! { <main class="page"><ErrorPanel message={e.message()} query={QueryKey::Me} /></main> }
        }
        None => html! { <main class="page"><Loading label="Loading your account…" /></main> },
    }
}
