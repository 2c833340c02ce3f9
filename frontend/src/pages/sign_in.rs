//! The sign-in form. Someone already signed in goes straight to their courses; a failed
//! attempt puts focus on the field to correct.

use crate::api;
use crate::focus::{self, use_page};
use crate::mutations;
use crate::query::{use_query, QueryClient, QueryKey};
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
    // Which field the error is about: "email" or "password".
    let invalid = use_state(|| None::<&'static str>);
    let me = use_query(QueryKey::Me, api::auth::me);
    use_page(Some("Sign in".to_string()));

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
        let (email, password, error, pending, invalid) = (
            email.clone(),
            password.clone(),
            error.clone(),
            pending.clone(),
            invalid.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *pending {
                return;
            }
            if email.trim().is_empty() || password.is_empty() {
                let field = if email.trim().is_empty() {
                    "email"
                } else {
                    "password"
                };
                error.set(Some(format!("Enter your {field} to sign in.")));
                invalid.set(Some(field));
                focus::later(vec![format!("#{field}")]);
                return;
            }
            pending.set(true);
            error.set(None);
            invalid.set(None);
            let (client, navigator) = (client.clone(), navigator.clone());
            let (email, password, error, pending, invalid) = (
                (*email).clone(),
                (*password).clone(),
                error.clone(),
                pending.clone(),
                invalid.clone(),
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
                        // Wrong credentials: the password is what to type again.
                        invalid.set(Some("password"));
                        focus::later(vec!["#password".to_string()]);
                    }
                }
            });
        })
    };

    if me.data.is_some() && !*pending {
        return html! { <Redirect<Route> to={Route::Courses} /> };
    }
    let invalid_field = |name: &str| (*invalid == Some(name)).then_some("true");
    html! {
        <main class="auth-page" id="main">
            <div class="auth-card">
                <div class="brand brand-large" aria-hidden="true">
                    <span class="brand-mark">{ "▶" }</span>
                    <span class="brand-name">{ "Reel" }</span>
                </div>
                <h1 tabindex="-1">{ "Sign in" }</h1>
                <p class="muted">{ "Upload and manage the lecture videos of your courses." }</p>
                <form onsubmit={on_submit} novalidate=true>
                    <label for="email">{ "Email" }</label>
                    <input id="email" name="email" type="email" autocomplete="username" required=true
                        value={(*email).clone()} oninput={on_email} aria-invalid={invalid_field("email")}
                        aria-describedby={invalid_field("email").map(|_| "sign-in-error")} />
                    <label for="password">{ "Password" }</label>
                    <input id="password" name="password" type="password" autocomplete="current-password"
                        required=true value={(*password).clone()} oninput={on_password}
                        aria-invalid={invalid_field("password")}
                        aria-describedby={invalid_field("password").map(|_| "sign-in-error")} />
                    <div class="form-error" id="sign-in-error" role="alert" aria-live="assertive">
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
