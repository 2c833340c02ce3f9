//! Reusable pieces of the interface.

pub mod activity_feed;
pub mod announcer;
pub mod auth_gate;
pub mod chapter_list;
pub mod chapter_upload;
pub mod confirm_dialog;
pub mod format;
pub mod inline_edit;
pub mod layout;
pub mod modal;
pub mod new_course;
pub mod player;
pub mod poster;
pub mod status;
pub mod toasts;
pub mod upload_tray;
pub mod uploader;
pub mod video_list;
