//! Inside an LMS's frame: the app asks the page around it to size the frame to its content
//! (`{subject: "lti.frameResize", height}` to `window.parent`, as LTI platforms understand),
//! so the person never scrolls a frame inside a page; and tells the LMS's page when an upload
//! has started and when its last byte landed (`reel:upload-started` / `reel:upload-complete`
//! with the video's and chapter's IDs), to the origins registered for that LMS only. Outside a
//! frame it does nothing.

use gloo_timers::callback::Interval;
use std::cell::{Cell, RefCell};
use wasm_bindgen::JsValue;

thread_local! {
    /// The LMS page's possible origins, from the launch (nothing is said to anyone else).
    static HOST_ORIGINS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The origins the launch registered for the LMS page around the app.
pub fn set_host_origins(origins: Vec<String>) {
    HOST_ORIGINS.with(|h| *h.borrow_mut() = origins);
}

/// Tells the LMS page about an upload: `kind` is `reel:upload-started` (the video exists,
/// before its first byte) or `reel:upload-complete` (the server has every byte).
pub fn tell_host(kind: &str, video_id: &str, chapter_id: &str) {
    if !framed() {
        return;
    }
    let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let out = js_sys::Object::new();
    for (key, value) in [
        ("type", kind),
        ("video_id", video_id),
        ("chapter_id", chapter_id),
    ] {
        let _ = js_sys::Reflect::set(&out, &key.into(), &value.into());
    }
    HOST_ORIGINS.with(|h| {
        for origin in h.borrow().iter() {
            // Delivered only when the page around is of this origin.
            let _ = parent.post_message(&out, origin);
        }
    });
}

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
