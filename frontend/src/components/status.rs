//! Loading and error states that every page shares.

use crate::query::{QueryClient, QueryKey};
use yew::prelude::*;

/// Props for [`Loading`].
#[derive(Properties, PartialEq)]
pub struct LoadingProps {
    /// What is loading, for screen readers.
    pub label: AttrValue,
}

/// A spinner with a label.
#[function_component(Loading)]
pub fn loading(props: &LoadingProps) -> Html {
    html! {
        <div class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{ &props.label }</span>
        </div>
    }
}

/// Props for [`ErrorPanel`].
#[derive(Properties, PartialEq)]
pub struct ErrorProps {
    /// What went wrong, in words.
    pub message: String,
    /// The query to retry.
    pub query: QueryKey,
}

/// An error with a Try again button that refetches the query.
#[function_component(ErrorPanel)]
pub fn error_panel(props: &ErrorProps) -> Html {
    let client = use_context::<QueryClient>().unwrap_or_default();
    let key = props.query.clone();
    let retry = Callback::from(move |_: MouseEvent| {
        let key = key.clone();
        client.invalidate(move |k| *k == key);
    });
    html! {
        <div class="panel panel-error" role="alert">
            <p>{ &props.message }</p>
            <button type="button" class="btn" onclick={retry}>{ "Try again" }</button>
        </div>
    }
}
