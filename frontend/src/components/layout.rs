//! The app shell: a skip link, the top bar with the signed-in instructor and sign-out, the
//! main landmark, and the upload tray docked in a corner (on every page while anything
//! uploads). While bytes are on their way, leaving or reloading the page asks first; the
//! browser's online and offline events reach the uploads.

use crate::components::upload_tray::UploadTray;
use crate::mutations;
use crate::mutations::upload;
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
    use_upload_guards(props.me.id.to_string());
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
            <main id="main" class="page" tabindex="-1">
                { props.children.clone() }
            </main>
            <UploadTray instructor_id={props.me.id.to_string()} />
        </>
    }
}

/// Lists unfinished uploads of earlier visits, asks before the page is left mid-upload, and
/// tells the uploads when the connection drops or returns.
#[hook]
fn use_upload_guards(instructor_id: String) {
    use_effect_with(instructor_id, |instructor_id| {
        upload::list_unfinished(instructor_id);
        let window = web_sys::window().expect("window");
        upload::set_online(window.navigator().on_line());
        let on_online = gloo_events::EventListener::new(&window, "online", |_| {
            upload::set_online(true);
        });
        let on_offline = gloo_events::EventListener::new(&window, "offline", |_| {
            upload::set_online(false);
        });
        // Not passive: the browser asks "Leave site?" only when the default is prevented.
        let before_unload = gloo_events::EventListener::new_with_options(
            &window,
            "beforeunload",
            gloo_events::EventListenerOptions::enable_prevent_default(),
            |event| {
                if upload::has_unsent_work() {
                    event.prevent_default();
                    // Older engines look at returnValue instead.
                    let _ = js_sys::Reflect::set(event, &"returnValue".into(), &"".into());
                }
            },
        );
        move || drop((on_online, on_offline, before_unload))
    });
}
