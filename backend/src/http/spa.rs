//! Serves the built browser app: hashed assets cached for a year, `index.html` (never cached)
//! for every other GET so client-side routes survive a reload. Unknown `/api/…` paths get the
//! JSON 404 instead.

use crate::error::ApiError;
use crate::http::{errors, security_headers};
use crate::state::AppState;
use actix_files::NamedFile;
use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse, Responder, ResponseError};
use std::path::{Component, Path, PathBuf};

/// The fallback service for everything no action matched.
pub async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.path();
    if path.starts_with("/api/") || path == "/api" {
        return errors::api_not_found().await;
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return errors::method_not_allowed_with("GET, HEAD");
    }
    let web_dir = &state.config.web_dir;
    if let Some(asset) = safe_join(web_dir, path).filter(|p| p.is_file()) {
        let immutable = asset.file_name().is_some_and(|n| n != "index.html");
        return serve(&req, &asset, immutable);
    }
    // A path with a file extension that does not exist is a missing asset, not a route.
    if Path::new(path).extension().is_some() {
        return ApiError::not_found().error_response();
    }
    // The app's page may be framed by the LMSs an operator registered (Reel inside an LTI
    // launch), and by no one else.
    let frames = security_headers::registered_frame_origins(&state.pool).await;
    serve_page(&req, &web_dir.join("index.html"), &frames)
}

/// `index.html`, with the policy that names its inline loader by hash and the origins that
/// may frame it.
fn serve_page(req: &HttpRequest, file: &Path, frame_origins: &[String]) -> HttpResponse {
    let mut res = serve(req, file, false);
    if res.status().is_success() || res.status() == actix_web::http::StatusCode::NOT_MODIFIED {
        // Read from the page served, so a rebuilt app needs no restart.
        let html = std::fs::read_to_string(file).unwrap_or_default();
        let csp = security_headers::app_csp(&html, frame_origins);
        if let Ok(value) = header::HeaderValue::from_str(&csp) {
            res.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    res
}

fn serve(req: &HttpRequest, file: &Path, immutable: bool) -> HttpResponse {
    let Ok(named) = NamedFile::open(file) else {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("The Reel web app is not built. Run `make run` to build it.");
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut res = named
        .use_etag(true)
        .use_last_modified(true)
        .respond_to(req)
        .map_into_boxed_body();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(cache),
    );
    if file.file_name().is_some_and(|n| n == "index.html") {
        // Asked for by its name: framed by no one.
        let html = std::fs::read_to_string(file).unwrap_or_default();
        let csp = security_headers::app_csp(&html, &[]);
        if let Ok(value) = header::HeaderValue::from_str(&csp) {
            res.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    res
}

/// Joins a URL path under `root`, refusing anything that could climb out of it.
fn safe_join(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut out = root.to_path_buf();
    for component in Path::new(url_path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_parent_directories() {
        let root = Path::new("/srv/dist");
        assert_eq!(
            safe_join(root, "/app.js"),
            Some(PathBuf::from("/srv/dist/app.js"))
        );
        assert_eq!(safe_join(root, "/../etc/passwd"), None);
        assert_eq!(safe_join(root, "/a/../../b"), None);
    }
}
