//! Toasts from the UI store, announced politely to screen readers. Escape dismisses the newest;
//! a toast with buttons (Undo) shows how long it stays.

use crate::stores::toasts::{dismiss, dismiss_newest};
use crate::stores::{ToastKind, UiStore};
use yew::prelude::*;
use yewdux::prelude::*;

/// The toast stack.
#[function_component(Toasts)]
pub fn toasts() -> Html {
    let state = use_store_value::<UiStore>();
    // Ticks once a second while an Undo counts down, to re-render the countdown.
    let now = use_state(js_sys::Date::now);
    let counting = state.toasts.iter().any(|t| !t.actions.is_empty());
    {
        let now = now.clone();
        use_effect_with(counting, move |counting| {
            let tick = counting.then(|| {
                gloo_timers::callback::Interval::new(1_000, move || now.set(js_sys::Date::now()))
            });
            move || drop(tick)
        });
    }
    use_effect_with((), |()| {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("document");
        let doc = document.clone();
        let listener = gloo_events::EventListener::new(&document, "keydown", move |e| {
            let Some(e) = wasm_bindgen::JsCast::dyn_ref::<web_sys::KeyboardEvent>(e) else {
                return;
            };
            // An open dialog takes Escape for itself.
            let dialog_open = doc.query_selector("dialog[open]").ok().flatten().is_some();
            if e.key() == "Escape" && !dialog_open {
                dismiss_newest();
            }
        });
        move || drop(listener)
    });
    html! {
        <div class="toasts" aria-live="polite" aria-atomic="false">
            { for state.toasts.iter().map(|t| {
                let id = t.id;
                let close = Callback::from(move |_: MouseEvent| dismiss(id));
                let (class, label) = match t.kind {
                    ToastKind::Success => ("toast toast-success", "Done"),
                    ToastKind::Error => ("toast toast-error", "Problem"),
                    ToastKind::Info => ("toast", "Note"),
                };
                // The clock is read now, not from the last tick: a toast that appears between
                // ticks (or after a quiet minute) must not count from a stale time.
                let left = ((t.expires_at - js_sys::Date::now()) / 1000.0).ceil().max(0.0);
                html! {
                    <div class={class} key={id} data-toast-id={id.to_string()} data-testid="toast"
                        role={if t.kind == ToastKind::Error { "alert" } else { "status" }}>
                        <strong class="toast-label">{ label }</strong>
                        <span class="toast-text">{ &t.text }</span>
                        if !t.actions.is_empty() { <div class="toast-actions">
                        { for t.actions.iter().map(|a| {
                            let run = a.run.clone();
                            let onclick = Callback::from(move |_: MouseEvent| { dismiss(id); run.emit(()); });
                            html! { <button type="button" class="toast-action" {onclick}>{ &a.label }</button> }
                        }) }
                            <span class="toast-countdown" aria-hidden="true" data-testid="toast-countdown">{ format!("{left:.0} s") }</span>
                        </div> }
                        <button type="button" class="toast-close" aria-label="Dismiss (Escape)" onclick={close}>{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
