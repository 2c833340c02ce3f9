//! Reusable pieces of the interface.

pub mod auth_gate;
pub mod confirm_dialog;
pub mod format;
pub mod layout;
pub mod modal;
pub mod player;
pub mod status;
pub mod toasts;
pub mod upload_panel;
pub mod uploader;
pub mod video_list;
