//! Reusable pieces of the interface.

pub mod auth_gate;
pub mod layout;
pub mod status;
pub mod toasts;
