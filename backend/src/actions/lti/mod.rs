//! LTI 1.3 endpoints: `/lti/jwks` (the tool's public keys), `/lti/login` (OIDC login
//! initiation, GET or POST) and `/lti/launch` (the platform's form POST of `id_token` and
//! `state`). A refused login or launch is a page for the person, with a stable code to pass on
//! to the LMS administrator, and an audit event with what exactly failed; never a 5xx but
//! when Reel itself cannot answer (`lti_unavailable`).
mod deep_link;
mod launch;
mod login;

pub use deep_link::pick;
pub use launch::launch;
pub use login::{login_get, login_post};

use crate::db::{self, lti};
use crate::http::security_headers;
use crate::services::audit::{self, Event, Origin};
use crate::services::lti::{registry, Refusal};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

/// The cookie that binds a login's state to the browser that started it.
pub const STATE_COOKIE: &str = "reel_lti_state";

/// A cookie Reel sets from inside the LMS's frame: there it must be `SameSite=None; Secure`,
/// and `Partitioned` so that browsers that block third-party cookies keep it for this LMS.
/// Without HTTPS (a development box) it can only be `Lax`, for top-level use.
fn frame_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
) -> String {
    let attrs = if state.config.cookie_secure {
        "; SameSite=None; Secure; Partitioned"
    } else {
        "; SameSite=Lax"
    };
    format!("{name}={value}; Path={path}; HttpOnly; Max-Age={max_age_secs}{attrs}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page a refused login or launch shows (inside the LMS's frame, so the platforms'
/// origins may frame it).
async fn refused_page(
    state: &AppState,
    origin: &Origin,
    action: &'static str,
    refusal: Refusal,
) -> HttpResponse {
    audit::record_refusal(
        &state.pool,
        origin,
        Event::new(action, "denied")
            .target(refusal.code)
            .details(serde_json::json!({ "reason": refusal.code, "detail": refusal.detail })),
        db::audit::SameWhen::Everything,
    )
    .await;
    let status = match refusal.code {
        "lti_missing_token"
        | "lti_bad_pick"
        | "lti_malformed_token"
        | "lti_bad_message"
        | "lti_unknown_platform" => StatusCode::BAD_REQUEST,
        "lti_role_not_supported" | "lti_course_taken" => StatusCode::FORBIDDEN,
        "lti_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNAUTHORIZED,
    };
    let request = origin.request_id.as_deref().unwrap_or("");
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Reel can't open here</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1f2937}}\
         code{{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}}</style></head>\
         <body><main><h1>Reel can't open here</h1><p>{message}</p>\
         <p>Try opening it again from your course. If this keeps happening, tell your learning \
         platform's administrator the code <code data-testid=\"lti-error-code\">{code}</code>{request_part}.</p></main></body></html>",
        message = escape(refusal.message()),
        code = refusal.code,
        request_part = if request.is_empty() {
            String::new()
        } else {
            format!(" and the reference <code>{}</code>", escape(request))
        },
    );
    page(state, status, "form-action 'none'", body).await
}

/// An LTI page: HTML, never cached, framed by the registered platforms only; `policy` adds
/// the page's own CSP directives (where its forms may go, its script's nonce).
async fn page(state: &AppState, status: StatusCode, policy: &str, body: String) -> HttpResponse {
    let frames = security_headers::frame_ancestors(
        &security_headers::registered_frame_origins(&state.pool).await,
    );
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "content-security-policy",
            format!("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; {policy}; {frames}"),
        ))
        .body(body)
}

/// `GET /lti/jwks`: the tool's public keys (the current one and those retired within a day).
pub async fn jwks(state: web::Data<AppState>) -> actix_web::Result<HttpResponse> {
    registry::ensure_key(&state.pool, &state.secret)
        .await
        .map_err(crate::error::ApiError::from)?;
    let now = crate::clock::now_ms();
    let keys = db::run(&state.pool, move |conn| Ok(lti::published_keys(conn, now)?))
        .await
        .map_err(crate::error::ApiError::from)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(crate::services::lti::keys::jwk_set(&keys)))
}
