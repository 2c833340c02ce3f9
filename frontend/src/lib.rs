//! Reel's browser app: Yew, client-side rendered, built by Trunk.
//!
//! Layers (DESIGN.md): `pages` and `components` render and orchestrate; `mutations` change
//! server state; `query` holds all server data; `stores` hold UI feedback; `api` is the only
//! code that speaks HTTP; `focus` says where keyboard focus goes when what had it disappears; `in_turn` sends
//! requests one after another where their order matters; `frame` sizes an LMS's frame.

pub mod api;
pub mod app;
pub mod components;
pub mod focus;
pub mod frame;
pub mod in_turn;
pub mod mutations;
pub mod pages;
pub mod query;
pub mod route;
pub mod stores;

/// Mounts the app on the page body.
pub fn run() {
    // Through Yew: `Renderer::render` replaces a plain `std::panic::set_hook` with its own.
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash_panel();
    }));
    // Before anything asks the server: a launch from an LMS may have handed a refresh token.
    api::bearer::take_from_fragment();
    frame::keep_parent_sized();
    yew::Renderer::<app::App>::new().render();
}

/// Replaces a dead page with a way forward. Plain DOM: after a panic the app cannot render.
fn show_crash_panel() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.get_element_by_id("reel-crash").is_some() {
        return;
    }
    let (Ok(panel), Some(body)) = (document.create_element("div"), document.body()) else {
        return;
    };
    panel.set_id("reel-crash");
    panel.set_class_name("crash");
    let _ = panel.set_attribute("role", "alertdialog");
    let _ = panel.set_attribute("aria-labelledby", "reel-crash-title");
    panel.set_inner_html(
        "<div class=\"crash-card\"><h1 id=\"reel-crash-title\">Something went wrong</h1>\
         <p>Reel ran into an unexpected problem. Uploads already on the server are safe: reload the \
         page and choose the same files to continue where they stopped.</p>\
         <button type=\"button\" class=\"btn btn-primary\">Reload Reel</button></div>",
    );
    let _ = body.append_child(&panel);
    if let Some(button) = panel.query_selector("button").ok().flatten() {
        // A listener, not an inline `onclick`: the page's own CSP refuses inline handlers.
        let reload = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
        let _ = button.add_event_listener_with_callback(
            "click",
            wasm_bindgen::JsCast::unchecked_ref(reload.as_ref()),
        );
        // The panel lives until the page reloads, so its listener may too.
        reload.forget();
        if let Ok(button) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(button) {
            let _ = button.focus();
        }
    }
}
