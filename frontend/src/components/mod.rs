//! Reusable pieces of the interface.

pub mod auth_gate;
pub mod format;
pub mod layout;
pub mod status;
pub mod toasts;
pub mod upload_queue;
pub mod uploader;
pub mod video_list;
