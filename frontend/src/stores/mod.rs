//! The UI store (yewdux): feedback only — toasts, upload progress and statuses, pending flags
//! and selection. Server data never lives here (see `query`).

pub mod toasts;
pub mod uploads;

pub use toasts::{toast, ui, Toast, ToastKind, UiStore};
