//! The app's polite live region: says what a keyboard move did (see `stores::announce`).

use crate::stores::announce::AnnounceStore;
use yew::prelude::*;
use yewdux::prelude::*;

/// The live region, always in the page so screen readers watch it from the start.
#[function_component(Announcer)]
pub fn announcer() -> Html {
    let state = use_store_value::<AnnounceStore>();
    html! {
        <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
            // Keyed by the count: the same sentence twice is new text, and is read again.
            <span key={state.count}>{ &state.text }</span>
        </div>
    }
}
