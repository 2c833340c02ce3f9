//! The server actions. Each one authorises the caller, validates input, calls services and the
//! database, writes the audit trail and maps rows to `shared` DTOs. Paths come from
//! `shared::actions`, so the browser and the server cannot disagree on them.

pub mod auth;
pub mod courses;
pub mod health;

use crate::http::errors::method_not_allowed;
use actix_web::{web, Route};
use shared::actions::{self as act, Action, Method};

/// A route for an action's method.
fn on<A: Action>() -> Route {
    match A::METHOD {
        Method::Get => web::get(),
        Method::Post => web::post(),
        Method::Delete => web::delete(),
    }
}

/// A resource at an action's path; other methods there get a JSON 405.
fn resource<A: Action>() -> actix_web::Resource {
    web::resource(A::PATH).default_service(web::to(method_not_allowed))
}

/// Registers every action.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource::<act::Health>().route(on::<act::Health>().to(health::health)))
        .service(resource::<act::Login>().route(on::<act::Login>().to(auth::login)))
        .service(resource::<act::Logout>().route(on::<act::Logout>().to(auth::logout)))
        .service(resource::<act::Me>().route(on::<act::Me>().to(auth::me)))
        .service(resource::<act::ListCourses>().route(on::<act::ListCourses>().to(courses::list)));
}
