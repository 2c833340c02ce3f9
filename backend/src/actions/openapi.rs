//! `GET /api/openapi.json`: the OpenAPI description of the JSON API. Public: it describes
//! routes and shapes, never a secret or a storage detail.

use crate::openapi;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpResponse};

/// Serves the document. It is built on each request (about a millisecond; clients fetch it
/// rarely) because it states this server's upload limit.
pub async fn serve(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(openapi::json(state.config.max_upload_bytes))
}
