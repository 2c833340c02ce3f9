//! The app shell: a skip link, the top bar with the signed-in instructor and sign-out, and the
//! main landmark.

use crate::mutations;
use crate::query::QueryClient;
use crate::route::Route;
use crate::stores::{toast, ToastKind};
use shared::dto::MeDto;
use yew::prelude::*;
use yew_router::prelude::*;

/// Props: who is signed in, and the page.
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The signed-in instructor.
    pub me: MeDto,
    /// The page.
    pub children: Html,
}

/// The shell around every signed-in page.
#[function_component(Shell)]
pub fn shell(props: &Props) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let navigator = use_navigator();
    let on_sign_out = Callback::from(move |_: MouseEvent| {
        let client = client.clone();
        let navigator = navigator.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if mutations::auth::sign_out(&client).await.is_err() {
                toast(ToastKind::Info, "You are signed out on this device. Reel could not be reached to end the session.");
            }
            if let Some(nav) = navigator {
                nav.push(&Route::SignIn);
            }
        });
    });
    let initials: String = props
        .me
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    html! {
        <>
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <header class="topbar">
                <Link<Route> to={Route::Courses} classes="brand">
                    <span class="brand-mark" aria-hidden="true">{ "▶" }</span>
                    <span class="brand-name">{ "Reel" }</span>
                </Link<Route>>
                <div class="topbar-user">
                    <span class="avatar" aria-hidden="true">{ initials }</span>
                    <span class="user-name" data-testid="user-name">{ &props.me.name }</span>
                    <button type="button" class="btn btn-ghost" onclick={on_sign_out}>{ "Sign out" }</button>
                </div>
            </header>
            <main id="main" class="page" tabindex="-1">{ props.children.clone() }</main>
        </>
    }
}
