//! Integration tests: each spawns the real application on a free port with its own data
//! directory and talks to it over HTTP. One binary for all of them (faster to link).

mod admin_cli;
mod api_document;
mod auth;
mod bad_input;
mod courses;
mod deletes;
mod errors;
mod helpers;
mod media;
mod spa;
mod tus;
mod uploads;
