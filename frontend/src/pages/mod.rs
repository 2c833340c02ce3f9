//! One component per route.

pub mod chapter;
pub mod course;
pub mod courses;
pub mod not_found;
pub mod sign_in;
