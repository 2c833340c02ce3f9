//! The UI store (yewdux): feedback only — toasts, upload progress and statuses, pending flags
//! and selection. Server data never lives here (see `query`).

pub mod library;
pub mod toasts;
pub mod uploads;

pub use toasts::{toast, toast_with, ui, Toast, ToastAction, ToastKind, UiStore};
