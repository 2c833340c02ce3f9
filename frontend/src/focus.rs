//! Where keyboard focus goes when the element that had it disappears (a deleted row, a closed
//! toast): never to `<body>`. Targets are found after the next render, by selector.

use wasm_bindgen::JsCast;

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

fn focus_now(selector: &str) -> bool {
    let Some(el) = document()
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    el.focus().is_ok()
}

/// Focuses the first of `selectors` that exists once the page has re-rendered (tries for up
/// to a second, as rows and toasts may appear a little later).
pub fn later(selectors: Vec<String>) {
    fn attempt(selectors: Vec<String>, left: u32) {
        gloo_timers::callback::Timeout::new(if left == 20 { 0 } else { 50 }, move || {
            if selectors.iter().any(|s| focus_now(s)) || left == 0 {
                return;
            }
            attempt(selectors, left - 1);
        })
        .forget();
    }
    attempt(selectors, 20);
}

/// The page's main heading (every page has one, focusable with `tabindex="-1"`).
pub const PAGE_HEADING: &str = "#main h1";

/// When focus is inside `container` (about to be removed), moves it to `fallback` first.
pub fn rescue_from(container: &str, fallback: &str) {
    let Some(doc) = document() else { return };
    let inside = doc
        .active_element()
        .and_then(|a| a.closest(container).ok().flatten())
        .is_some();
    if inside {
        later(vec![fallback.to_string(), PAGE_HEADING.to_string()]);
    }
}

/// Names the page in the tab title and moves focus to its heading, so a screen reader says
/// where the instructor is after every route change.
#[yew::hook]
pub fn use_page(title: Option<String>) {
    yew::use_effect_with(title, |title| {
        if let (Some(title), Some(doc)) = (title, document()) {
            doc.set_title(&format!("{title} · Reel"));
            if !title.is_empty() {
                later(vec![PAGE_HEADING.to_string(), "h1".to_string()]);
            }
        }
    });
}
