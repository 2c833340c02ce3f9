//! The sign-in form.

use crate::mutations;
use crate::query::QueryClient;
use crate::route::Route;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

/// `/sign-in`.
#[function_component(SignInPage)]
pub fn sign_in_page() -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let navigator = use_navigator();
    let email = use_state(String::new);
    let password = use_state(String::new);
    let error = use_state(|| None::<String>);
    let pending = use_state(|| false);

    let on_email = {
        let email = email.clone();
        Callback::from(move |e: InputEvent| {
            email.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_password = {
        let password = password.clone();
        Callback::from(move |e: InputEvent| {
            password.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_submit = {
        let (email, password, error, pending) = (
            email.clone(),
            password.clone(),
            error.clone(),
            pending.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *pending {
                return;
            }
            pending.set(true);
            error.set(None);
            let (client, navigator) = (client.clone(), navigator.clone());
            let (email, password, error, pending) = (
                (*email).clone(),
                (*password).clone(),
                error.clone(),
                pending.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match mutations::auth::sign_in(&client, email, password).await {
                    Ok(_) => {
                        if let Some(nav) = navigator {
                            nav.push(&Route::Courses);
                        }
                    }
                    Err(e) => {
                        error.set(Some(e.message()));
                        pending.set(false);
                    }
                }
            });
        })
    };

    html! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <div class="brand brand-large" aria-hidden="true">
                    <span class="brand-mark">{ "▶" }</span>
                    <span class="brand-name">{ "Reel" }</span>
                </div>
                <h1>{ "Sign in" }</h1>
                <p class="muted">{ "Upload and manage the lecture videos of your courses." }</p>
                <form onsubmit={on_submit} novalidate=true>
                    <label for="email">{ "Email" }</label>
                    <input id="email" name="email" type="email" autocomplete="username" required=true
                        value={(*email).clone()} oninput={on_email} />
                    <label for="password">{ "Password" }</label>
                    <input id="password" name="password" type="password" autocomplete="current-password"
                        required=true value={(*password).clone()} oninput={on_password} />
                    <div class="form-error" role="alert" aria-live="assertive">
                        { (*error).clone().map(|m| html! { <p>{ m }</p> }).unwrap_or_default() }
                    </div>
                    <button type="submit" class="btn btn-primary btn-block" disabled={*pending}>
                        { if *pending { "Signing in…" } else { "Sign in" } }
                    </button>
                </form>
            </div>
        </main>
    }
}
