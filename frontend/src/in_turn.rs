//! Requests that must reach the server in the order the instructor made them. Three chapters
//! typed in quick succession are shown in that order at once; sent side by side, the server
//! (or two servers behind a balancer) could take them in another order, and the next fetch
//! would reshuffle the list. Each lane sends its next request when the one before is answered.

use js_sys::{Function, Promise};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Per lane, the promise that resolves when its latest request is answered.
    static TAILS: RefCell<HashMap<String, Promise>> = RefCell::new(HashMap::new());
}

/// Runs `request` (a lazy future: nothing is sent before it is polled) after every earlier
/// request of `lane` has been answered, whatever the answer was.
pub async fn in_turn<F: Future>(lane: String, request: F) -> F::Output {
    let mut done: Option<Function> = None;
    let mine = Promise::new(&mut |resolve, _| done = Some(resolve));
    let before = TAILS.with(|t| t.borrow_mut().insert(lane.clone(), mine.clone()));
    if let Some(before) = before {
        let _ = JsFuture::from(before).await;
    }
    let answer = request.await;
    TAILS.with(|t| {
        let mut tails = t.borrow_mut();
        // The last in line leaves nothing behind.
        if tails
            .get(&lane)
            .is_some_and(|p| js_sys::Object::is(p, &mine))
        {
            tails.remove(&lane);
        }
    });
    if let Some(done) = done {
        let _ = done.call0(&JsValue::NULL);
    }
    answer
}
