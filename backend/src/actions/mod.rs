//! The server actions. Each one authorises the caller, validates input, calls services and the
//! database, writes the audit trail and maps rows to `shared` DTOs. Paths come from
//! `shared::actions`, so the browser and the server cannot disagree on them.

mod access;
pub mod activity;
pub mod auth;
pub mod chapters;
pub mod courses;
pub mod health;
pub mod lti;
pub mod media;
pub mod openapi;
mod present;
pub mod uploads;
pub mod videos;

use crate::http::errors::method_not_allowed_allowing as not_allowed;
use actix_web::{http::Method as HttpMethod, web, Route};
use shared::actions::{self as act, Action, Method};

/// A route for an action's method.
fn on<A: Action>() -> Route {
    match A::METHOD {
        Method::Get => web::get(),
        Method::Post => web::post(),
        Method::Delete => web::delete(),
        Method::Patch => web::patch(),
    }
}

/// A resource at an action's path; other methods there get a JSON 405 naming the methods of
/// every action at that path.
fn resource<A: Action>() -> actix_web::Resource {
    let allow: Vec<&str> = act::ALL
        .iter()
        .filter(|a| a.path == A::PATH)
        .map(|a| a.method.as_str())
        .collect();
    web::resource(A::PATH).default_service(not_allowed(allow.join(", ")))
}

/// Registers every action.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource::<act::Health>().route(on::<act::Health>().to(health::health)))
        .service(resource::<act::Login>().route(on::<act::Login>().to(auth::login)))
        .service(resource::<act::Logout>().route(on::<act::Logout>().to(auth::logout)))
        .service(resource::<act::Me>().route(on::<act::Me>().to(auth::me)))
        .service(resource::<act::Refresh>().route(on::<act::Refresh>().to(auth::refresh)))
        .service(
            resource::<act::ListCourses>()
                .route(on::<act::ListCourses>().to(courses::list))
                .route(on::<act::CreateCourse>().to(courses::create)),
        )
        .service(
            resource::<act::UpdateCourse>().route(on::<act::UpdateCourse>().to(courses::update)),
        )
        .service(resource::<act::AddChapter>().route(on::<act::AddChapter>().to(chapters::add)))
        .service(
            resource::<act::ReorderChapters>()
                .route(on::<act::ReorderChapters>().to(chapters::reorder)),
        )
        .service(
            resource::<act::CourseActivity>().route(on::<act::CourseActivity>().to(activity::list)),
        )
        .service(
            resource::<act::RenameChapter>()
                .route(on::<act::RenameChapter>().to(chapters::rename))
                .route(on::<act::DeleteChapter>().to(chapters::delete)),
        )
        .service(
            resource::<act::RestoreChapter>()
                .route(on::<act::RestoreChapter>().to(chapters::restore)),
        )
        .service(
            resource::<act::ReorderVideos>()
                .route(on::<act::ReorderVideos>().to(chapters::reorder_videos)),
        )
        .service(
            resource::<act::ListChapterVideos>()
                .route(on::<act::ListChapterVideos>().to(videos::list)),
        )
        // Before `/api/videos/{id}`, which would otherwise claim "bulk-delete" as an ID.
        .service(
            resource::<act::BulkDeleteVideos>()
                .route(on::<act::BulkDeleteVideos>().to(videos::bulk_delete)),
        )
        .service(
            resource::<act::GetVideo>()
                .route(on::<act::GetVideo>().to(videos::get))
                .route(on::<act::DeleteVideo>().to(videos::delete))
                .route(on::<act::UpdateVideo>().to(videos::update)),
        )
        .service(
            resource::<act::RestoreVideo>().route(on::<act::RestoreVideo>().to(videos::restore)),
        )
        .service(
            web::resource(act::UPLOADS_PATH)
                .route(web::method(HttpMethod::OPTIONS).to(uploads::options))
                .route(web::post().to(uploads::create))
                .default_service(not_allowed("OPTIONS, POST".into())),
        )
        .service(
            web::resource(format!("{}/{{upload_id}}", act::UPLOADS_PATH))
                .route(web::head().to(uploads::head))
                .route(web::patch().to(uploads::patch))
                .route(web::delete().to(uploads::terminate))
                .default_service(not_allowed("HEAD, PATCH, DELETE".into())),
        )
        .service(
            web::resource(crate::openapi::PATH)
                .route(web::get().to(openapi::serve))
                .default_service(not_allowed("GET".into())),
        )
        .service(
            web::resource("/media/{video_id}/{picture}")
                .route(web::get().to(media::picture))
                .route(web::head().to(media::picture))
                .default_service(not_allowed("GET, HEAD".into())),
        )
        .service(
            web::resource("/lti/jwks")
                .route(web::get().to(lti::jwks))
                .default_service(not_allowed("GET".into())),
        )
        .service(
            web::resource("/lti/login")
                .route(web::get().to(lti::login_get))
                .route(web::post().to(lti::login_post))
                .default_service(not_allowed("GET, POST".into())),
        )
        .service(
            web::resource("/lti/launch")
                .route(web::post().to(lti::launch))
                .default_service(not_allowed("POST".into())),
        )
        .service(
            web::resource("/lti/deep-link")
                .route(web::post().to(lti::pick))
                .default_service(not_allowed("POST".into())),
        )
        .service(
            web::resource("/media/{video_id}")
                .route(web::get().to(media::serve))
                .route(web::head().to(media::serve))
                .default_service(not_allowed("GET, HEAD".into())),
        );
}
