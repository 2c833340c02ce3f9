//! Turns actix's own rejections (bad JSON, wrong content type, unknown routes) into the same
//! `{"code","message"}` body every action uses, so no client ever sees actix's plain text.

use crate::error::ApiError;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse, ResponseError, Route};
use shared::ErrorCode;

/// Largest JSON body any action accepts.
pub const JSON_LIMIT: usize = 64 * 1024;

/// JSON extractor settings with our error mapping.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT)
        .error_handler(json_error)
}

/// Path extractor settings: a malformed path segment is simply "not found".
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_: PathError, _| ApiError::not_found().into())
}

/// Query extractor settings.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|e: QueryPayloadError, _| {
        ApiError::invalid_input(format!("The query string is invalid: {e}")).into()
    })
}

fn json_error(error: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &error {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                format!("The request body is larger than {} KiB.", JSON_LIMIT / 1024),
            )
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the request body as JSON (Content-Type: application/json).",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            // serde's data errors name fields and types the client sent ("missing field
            // `email`"), never anything of ours, so they are safe and useful to show.
            ApiError::invalid_input(format!(
                "The request body is invalid: {}.",
                strip_position(e)
            ))
        }
        JsonPayloadError::Deserialize(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            "The request body is not valid JSON.",
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            "The request body could not be read.",
        ),
    };
    api.into()
}

fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// For a known path with the wrong method.
pub async fn method_not_allowed() -> HttpResponse {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This method is not supported here.",
    )
    .error_response()
}

/// A JSON 405 with the `Allow` header RFC 9110 asks for (`"GET, DELETE"`), so a client can
/// tell what would have worked.
pub fn method_not_allowed_with(allow: &str) -> HttpResponse {
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This method is not supported here.",
    )
    .error_response();
    if let Ok(value) = HeaderValue::from_str(allow) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    res
}

/// The default service of a resource that supports the methods in `allow`.
pub fn method_not_allowed_allowing(allow: String) -> Route {
    web::to(move || std::future::ready(method_not_allowed_with(&allow)))
}

/// For an unknown API path.
pub async fn api_not_found() -> HttpResponse {
    ApiError::not_found().error_response()
}
