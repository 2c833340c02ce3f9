//! Which origins may do what: the app's own origin (from `REEL_PUBLIC_URL`, or the request's
//! `Host` on a development box without one) and the configured LMS origins.
//!
//! - CORS answers only those origins, and `Access-Control-Allow-Credentials` goes only with an
//!   allowed origin.
//! - A request that changes something (any method but GET, HEAD and OPTIONS) and carries an
//!   `Origin` that is neither is refused before any action runs: SameSite=Lax cookies are sent
//!   from pages of the same site (another subdomain of a university), so the cookie alone does
//!   not prove the app sent it. Clients without `Origin` (curl, tus clients, the admin) are not
//!   browsers being used against their user.
//! - The LTI login and launch (`/lti/login`, `/lti/launch`) come from the LMS's pages by
//!   design; a signed id_token and the login's state authenticate them instead.
//! - A POST to an action, which takes JSON or nothing, refuses another content type, as a
//!   form or `text/plain` body could only come from a page that is not the app.

use crate::config::Config;
use crate::error::ApiError;
use actix_web::dev::RequestHead;
use actix_web::http::{header, Method, StatusCode};
use shared::ErrorCode;

/// The origin the app is served from: the configured public URL's, else the scheme, host and
/// port the request was made to (`https` when the operator says the site is served over HTTPS
/// (`REEL_COOKIE_SECURE`) or a proxy says so (`X-Forwarded-Proto`)).
pub fn own_origin(head: &RequestHead, config: &Config) -> Option<String> {
    if let Some(origin) = &config.public_origin {
        return Some(origin.clone());
    }
    let header = |name: &str| head.headers().get(name).and_then(|h| h.to_str().ok());
    let host = header("host")?;
    let scheme = match header("x-forwarded-proto").map(|p| p.split(',').next().unwrap_or("").trim())
    {
        Some(proto) if proto.eq_ignore_ascii_case("https") => "https",
        Some(proto) if proto.eq_ignore_ascii_case("http") => "http",
        _ if config.cookie_secure => "https",
        _ => "http",
    };
    Some(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// Whether `origin` is the app's own or one the operator allowed.
pub fn is_allowed(origin: &str, head: &RequestHead, config: &Config) -> bool {
    own_origin(head, config).is_some_and(|own| own == origin)
        || config.allowed_origins.iter().any(|o| o == origin)
}

/// Why a request must be refused before any action sees it, if it must.
pub fn refusal(head: &RequestHead, config: &Config) -> Option<ApiError> {
    if matches!(head.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    // The LMS posts the OIDC login and the launch from its own pages: those two are
    // authenticated by the platform's signed id_token and the login's state, not by a cookie.
    let lti_entry = matches!(head.uri.path(), "/lti/login" | "/lti/launch");
    if let Some(origin) = head.headers().get(header::ORIGIN).filter(|_| !lti_entry) {
        let origin = origin.to_str().unwrap_or("null");
        if !is_allowed(origin, head, config) {
            return Some(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::CrossOrigin,
                "This request came from a page of another site, so Reel did not carry it out. \
                 Open Reel itself and try again.",
            ));
        }
    }
    let action = head.uri.path().starts_with("/api/")
        && !head.uri.path().starts_with(shared::actions::UPLOADS_PATH);
    let content_type = head.headers().get(header::CONTENT_TYPE);
    let json = content_type
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("application/json"));
    if head.method == Method::POST && action && content_type.is_some() && !json {
        return Some(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Send the request body as JSON (Content-Type: application/json), or no body.",
        ));
    }
    None
}
