//! The UI store (yewdux): feedback only — toasts, upload progress and statuses, pending flags
//! and selection. Server data never lives here (see `query`).

pub mod announce;
pub mod dialogs;
pub mod library;
pub mod toasts;
pub mod uploads;

pub use toasts::{toast, toast_with, Toast, ToastAction, ToastKind, UiStore};

/// A store's dispatch from anywhere (mutations, timers). In the browser that is yewdux's global
/// context; native unit tests get a thread-local one, because `Dispatch::global` exists only on
/// wasm.
pub fn dispatch<S: yewdux::Store>() -> yewdux::Dispatch<S> {
    #[cfg(target_arch = "wasm32")]
    {
        yewdux::Dispatch::global()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        thread_local! { static CONTEXT: yewdux::Context = yewdux::Context::new(); }
        CONTEXT.with(yewdux::Dispatch::new)
    }
}
