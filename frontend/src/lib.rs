//! Reel's browser app: Yew, client-side rendered, built by Trunk.
//!
//! Layers (DESIGN.md): `pages` and `components` render and orchestrate; `mutations` change
//! server state; `query` holds all server data; `stores` hold UI feedback; `api` is the only
//! code that speaks HTTP.

pub mod api;
pub mod app;
pub mod components;
pub mod mutations;
pub mod pages;
pub mod query;
pub mod route;
pub mod stores;

/// Mounts the app on the page body.
pub fn run() {
    console_error_panic_hook::set_once();
    yew::Renderer::<app::App>::new().render();
}
