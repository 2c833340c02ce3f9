//! Inside an LMS's frame: the app asks the page around it to size the frame to its content
//! (`{subject: "lti.frameResize", height}` to `window.parent`, as LTI platforms understand),
//! so the person never scrolls a frame inside a page. Outside a frame it does nothing.

use gloo_timers::callback::Interval;
use std::cell::Cell;
use wasm_bindgen::JsValue;

/// Whether the app runs in a frame.
pub fn framed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.parent() {
        Ok(Some(parent)) => !js_sys::Object::is(&parent, &window),
        _ => false,
    }
}

fn message(height: i32) -> JsValue {
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&out, &"subject".into(), &"lti.frameResize".into());
    let _ = js_sys::Reflect::set(&out, &"height".into(), &height.into());
    out.into()
}

/// Starts telling the parent the page's height whenever it changes (checked four times a
/// second: cheaper in the bundle than a ResizeObserver, and a frame's height needs no more).
pub fn keep_parent_sized() {
    if !framed() {
        return;
    }
    let last = Cell::new(0);
    Interval::new(250, move || {
        let Some(window) = web_sys::window() else {
            return;
        };
        let height = window
            .document()
            .and_then(|d| d.body())
            .map_or(0, |b| b.scroll_height());
        if height > 0 && height != last.get() {
            last.set(height);
            if let Ok(Some(parent)) = window.parent() {
                // The height says nothing private: any origin may hear it.
                let _ = parent.post_message(&message(height), "*");
            }
        }
    })
    .forget();
}
