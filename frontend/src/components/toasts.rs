//! Toasts from the UI store, announced politely to screen readers.

use crate::stores::{ToastKind, UiStore};
use yew::prelude::*;
use yewdux::prelude::*;

/// The toast stack.
#[function_component(Toasts)]
pub fn toasts() -> Html {
    let (state, dispatch) = use_store::<UiStore>();
    html! {
        <div class="toasts" aria-live="polite" aria-atomic="false">
            { for state.toasts.iter().map(|t| {
                let id = t.id;
                let dismiss = dispatch.reduce_mut_callback(move |s| s.dismiss(id));
                let (class, label) = match t.kind {
                    ToastKind::Success => ("toast toast-success", "Done"),
                    ToastKind::Error => ("toast toast-error", "Problem"),
                    ToastKind::Info => ("toast", "Note"),
                };
                html! {
                    <div class={class} key={id} role={if t.kind == ToastKind::Error { "alert" } else { "status" }}>
                        <strong class="toast-label">{ label }</strong>
                        <span>{ &t.text }</span>
                        if !t.actions.is_empty() { <div class="toast-actions">
                        { for t.actions.iter().map(|a| {
                            let run = a.run.clone();
                            let close = dispatch.reduce_mut_callback(move |s| s.dismiss(id));
                            let onclick = Callback::from(move |_: MouseEvent| { run.emit(()); close.emit(()); });
                            html! { <button type="button" class="toast-action" {onclick}>{ &a.label }</button> }
                        }) }
                        </div> }
                        <button type="button" class="toast-close" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
