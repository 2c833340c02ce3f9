//! LTI 1.3 endpoints: `/lti/jwks` (the tool's public keys), `/lti/login` (OIDC login
//! initiation, GET or POST) and `/lti/launch` (the platform's form POST of `id_token` and
//! `state`). A refused login or launch is a page for the person, with a stable code to pass on
//! to the LMS administrator, and an audit event with what exactly failed; never a 5xx.

use crate::db::{self, lti, models};
use crate::http::SESSION_COOKIE;
use crate::services::audit::{self, Event, Origin};
use crate::services::lti::{launch, platform_keys, registry, Refusal};
use crate::services::tokens;
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// How long a login may wait for its launch.
const LOGIN_MS: i64 = 10 * 60 * 1000;
/// How long a used nonce is remembered (past any token's lifetime plus skew).
const NONCE_MS: i64 = 2 * 3600 * 1000;
/// The cookie that binds a login's state to the browser that started it.
pub const STATE_COOKIE: &str = "reel_lti_state";
/// How long an LTI session lasts (the LMS launches again for the next visit).
const SESSION_MS: i64 = 8 * 3600 * 1000;

/// The OIDC login initiation's parameters (LTI Core 1.3 §4.1, Security Framework §5.1.1.1).
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    iss: Option<String>,
    login_hint: Option<String>,
    target_link_uri: Option<String>,
    lti_message_hint: Option<String>,
    client_id: Option<String>,
}

/// The launch's form.
#[derive(Debug, Deserialize)]
pub struct LaunchForm {
    id_token: Option<String>,
    state: Option<String>,
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
        | "lti_malformed_token"
        | "lti_bad_message"
        | "lti_unknown_platform" => StatusCode::BAD_REQUEST,
        "lti_role_not_supported" | "lti_course_taken" => StatusCode::FORBIDDEN,
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
    let frames = frame_ancestors(state).await;
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "content-security-policy",
            format!("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'{frames}"),
        ))
        .body(body)
}

/// The registered platforms' origins, for `frame-ancestors` (with a leading space each).
async fn frame_ancestors(state: &AppState) -> String {
    db::run(&state.pool, |conn| Ok(lti::all_frame_origins(conn)?))
        .await
        .unwrap_or_default()
        .iter()
        .map(|o| format!(" {o}"))
        .collect()
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

/// `GET /lti/login`.
pub async fn login_get(
    state: web::Data<AppState>,
    origin: Origin,
    req: HttpRequest,
    params: Result<web::Query<LoginParams>, actix_web::Error>,
) -> HttpResponse {
    login(&state, &origin, &req, params.ok().map(|p| p.into_inner())).await
}

/// `POST /lti/login`.
pub async fn login_post(
    state: web::Data<AppState>,
    origin: Origin,
    req: HttpRequest,
    params: Result<web::Form<LoginParams>, actix_web::Error>,
) -> HttpResponse {
    login(&state, &origin, &req, params.ok().map(|p| p.into_inner())).await
}

async fn login(
    state: &AppState,
    origin: &Origin,
    req: &HttpRequest,
    params: Option<LoginParams>,
) -> HttpResponse {
    match start_login(state, req, params).await {
        Ok(res) => res,
        Err(refusal) => refused_page(state, origin, "lti.login", refusal).await,
    }
}

async fn start_login(
    state: &AppState,
    req: &HttpRequest,
    params: Option<LoginParams>,
) -> Result<HttpResponse, Refusal> {
    let p = params.ok_or_else(|| {
        Refusal::new("lti_malformed_token", "the login's parameters do not parse")
    })?;
    let (Some(iss), Some(login_hint), Some(target)) = (p.iss, p.login_hint, p.target_link_uri)
    else {
        return Err(Refusal::new(
            "lti_malformed_token",
            "iss, login_hint and target_link_uri are required",
        ));
    };
    let (issuer, client) = (iss.clone(), p.client_id.clone());
    let platform = db::run(&state.pool, move |conn| {
        Ok(match client {
            Some(c) => lti::platform(conn, &issuer, &c)?,
            // Without a client ID, only an issuer registered once says which client it is.
            None => {
                let mut all = lti::platforms_of(conn, &issuer)?;
                (all.len() == 1).then(|| all.remove(0))
            }
        })
    })
    .await
    .map_err(|e| Refusal::new("lti_unknown_platform", format!("{e:#}")))?
    .ok_or_else(|| {
        Refusal::new(
            "lti_unknown_platform",
            format!("iss {iss} client_id {:?}", p.client_id),
        )
    })?;
    let (state_token, nonce) = (tokens::new_token(), tokens::new_token());
    let row = lti::Login {
        state_hash: tokens::token_hash(&state_token),
        platform_id: platform.id.clone(),
        nonce: nonce.clone(),
        expires_at: crate::clock::now_ms() + LOGIN_MS,
    };
    db::write(&state.pool, move |conn| {
        let now = crate::clock::now_ms();
        lti::delete_expired(conn, now)?;
        Ok(lti::insert_login(conn, &row)?)
    })
    .await
    .map_err(|e| Refusal::new("lti_platform_unreachable", format!("{e:#}")))?;
    let redirect_uri = launch_url(state, req);
    let mut query = vec![
        ("scope", "openid".to_string()),
        ("response_type", "id_token".into()),
        ("response_mode", "form_post".into()),
        ("prompt", "none".into()),
        ("client_id", platform.client_id.clone()),
        ("redirect_uri", redirect_uri),
        ("login_hint", login_hint),
        ("state", state_token.clone()),
        ("nonce", nonce),
    ];
    if let Some(hint) = p.lti_message_hint {
        query.push(("lti_message_hint", hint));
    }
    let _ = target; // Reel launches to its own launch URL; the target is in the id_token.
    let sep = if platform.auth_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!(
        "{}{sep}{}",
        platform.auth_url,
        serde_urlencoded::to_string(&query).unwrap_or_default()
    );
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((header::SET_COOKIE, state_cookie(state, &state_token)))
        .finish())
}

/// The state cookie: in a frame of another site it must be `SameSite=None; Secure`, and
/// `Partitioned` so that browsers that block third-party cookies keep it for this LMS.
fn state_cookie(state: &AppState, value: &str) -> String {
    let attrs = if state.config.cookie_secure {
        "; SameSite=None; Secure; Partitioned"
    } else {
        "; SameSite=Lax"
    };
    format!("{STATE_COOKIE}={value}; Path=/lti; HttpOnly; Max-Age=600{attrs}")
}

fn launch_url(state: &AppState, req: &HttpRequest) -> String {
    let own = crate::http::cross_site::own_origin(req.head(), &state.config);
    registry::tool_url(own.as_deref(), "/lti/launch")
}

/// `POST /lti/launch`.
pub async fn launch(
    state: web::Data<AppState>,
    origin: Origin,
    req: HttpRequest,
    form: Result<web::Form<LaunchForm>, actix_web::Error>,
) -> HttpResponse {
    match accept_launch(&state, &origin, &req, form.ok().map(|f| f.into_inner())).await {
        Ok(res) => res,
        Err(refusal) => refused_page(&state, &origin, "lti.launch", refusal).await,
    }
}

async fn accept_launch(
    state: &AppState,
    origin: &Origin,
    req: &HttpRequest,
    form: Option<LaunchForm>,
) -> Result<HttpResponse, Refusal> {
    let form =
        form.ok_or_else(|| Refusal::new("lti_missing_token", "the launch form does not parse"))?;
    let token = form
        .id_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Refusal::new("lti_missing_token", "no id_token"))?;
    let state_token = form
        .state
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Refusal::new("lti_state_unknown", "no state"))?;
    // A launch posted again (a replay, here or on another instance) is named as such.
    if let Some(nonce) = launch::unverified_nonce(&token) {
        let used = db::run(&state.pool, move |conn| Ok(lti::nonce_used(conn, &nonce)?))
            .await
            .unwrap_or(false);
        if used {
            return Err(Refusal::new("lti_replayed", "the nonce was used before"));
        }
    }
    // The state must be the one this browser was given at login.
    let bound = req
        .cookie(STATE_COOKIE)
        .is_some_and(|c| c.value() == state_token);
    if !bound {
        return Err(Refusal::new(
            "lti_state_mismatch",
            "the state is not this browser's",
        ));
    }
    let hash = tokens::token_hash(&state_token);
    let now_ms = crate::clock::now_ms();
    let found = db::write(&state.pool, move |conn| {
        let Some(login) = lti::take_login(conn, &hash, now_ms)? else {
            return Ok(None);
        };
        Ok(lti::platform_by_id(conn, &login.platform_id)?.map(|p| (login, p)))
    })
    .await
    .map_err(|e| Refusal::new("lti_state_unknown", format!("{e:#}")))?;
    let (login, platform) =
        found.ok_or_else(|| Refusal::new("lti_state_unknown", "no login with this state"))?;
    let (_, kid) = launch::header_of(&token)?;
    let keys = platform_keys::keys_with(&platform.jwks_url, kid.as_deref()).await?;
    let now = u64::try_from(now_ms / 1000).unwrap_or_default();
    let claims = launch::check(&token, &platform, &keys, &login.nonce, now)?;
    let (pid, nonce, dep) = (
        platform.id.clone(),
        login.nonce.clone(),
        claims.deployment_id.clone(),
    );
    let (registered, fresh) = db::write(&state.pool, move |conn| {
        let registered = lti::deployment_registered(conn, &pid, &dep)?;
        // Used once across every instance: the database's primary key decides.
        let fresh = registered && lti::use_nonce(conn, &pid, &nonce, now_ms + NONCE_MS)?;
        Ok((registered, fresh))
    })
    .await
    .map_err(|e| Refusal::new("lti_state_unknown", format!("{e:#}")))?;
    if !registered {
        return Err(Refusal::new(
            "lti_unknown_deployment",
            format!("deployment {}", claims.deployment_id),
        ));
    }
    if !fresh {
        return Err(Refusal::new("lti_replayed", "the nonce was used before"));
    }
    if !claims.manages() {
        return Err(Refusal::new(
            "lti_role_not_supported",
            format!("roles {:?}", claims.roles),
        ));
    }
    let context = claims
        .context
        .clone()
        .ok_or_else(|| Refusal::new("lti_bad_message", "no context claim"))?;
    let (instructor_id, course_id) = enter(state, &platform, &claims, &context)
        .await
        .map_err(|e| Refusal::new("lti_course_taken", format!("{e:#}")))?;
    let session = tokens::new_token();
    let row = models::Session {
        id: tokens::token_hash(&session),
        instructor_id: instructor_id.clone(),
        created_at: now_ms,
        expires_at: now_ms + SESSION_MS,
    };
    db::write(&state.pool, move |conn| {
        Ok(db::sessions::insert(conn, &row)?)
    })
    .await
    .map_err(|e| Refusal::new("lti_state_unknown", format!("{e:#}")))?;
    audit::record(
        &state.pool,
        origin,
        Event::new("lti.launch", "success")
            .actor(&instructor_id)
            .target(&course_id)
            .details(serde_json::json!({ "message_type": claims.message_type })),
    )
    .await;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/courses/{course_id}")))
        .insert_header(("Cache-Control", "no-store"))
        .append_header((header::SET_COOKIE, session_cookie(state, &session)))
        .append_header((
            header::SET_COOKIE,
            format!("{STATE_COOKIE}=; Path=/lti; Max-Age=0"),
        ))
        .finish())
}

fn session_cookie(state: &AppState, value: &str) -> String {
    let attrs = if state.config.cookie_secure {
        "; SameSite=None; Secure; Partitioned"
    } else {
        "; SameSite=Lax"
    };
    let secs = SESSION_MS / 1000;
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; Max-Age={secs}{attrs}")
}

/// The instructor behind the LMS user and the course behind the LMS context, made on the
/// first launch. A context's course belongs to the instructor who launched it first; another
/// manager of the same context is refused until courses have several staff.
async fn enter(
    state: &AppState,
    platform: &lti::Platform,
    claims: &launch::Launch,
    context: &launch::Context,
) -> anyhow::Result<(String, String)> {
    let (pid, claims, context) = (platform.id.clone(), claims.clone(), context.clone());
    db::write(&state.pool, move |conn| {
        db::write_tx(conn, |conn| {
            let instructor = match lti::instructor_of(conn, &pid, &claims.subject)? {
                Some(id) => id,
                None => {
                    let id = tokens::new_id();
                    let row = models::Instructor {
                        id: id.clone(),
                        // Not a sign-in name: LTI users never sign in with a password, and an
                        // LMS must not be able to claim an account by its email.
                        email: format!("{}@lti.invalid", tokens::new_id()),
                        name: claims
                            .name
                            .clone()
                            .filter(|n| !n.trim().is_empty())
                            .unwrap_or_else(|| "Instructor".into()),
                        // No password verifies against this.
                        password_hash: "!lti".into(),
                        created_at: crate::clock::now_ms(),
                    };
                    db::instructors::insert(conn, &row)?;
                    lti::link_user(conn, &pid, &claims.subject, &id)?;
                    id
                }
            };
            let course = match lti::course_of(conn, &pid, &context.id)? {
                Some(id) => id,
                None => {
                    let id = tokens::new_id();
                    let title = context
                        .title
                        .clone()
                        .or(context.label.clone())
                        .filter(|t| !t.trim().is_empty())
                        .unwrap_or_else(|| "Course".into());
                    let course = models::Course {
                        id: id.clone(),
                        owner_id: instructor.clone(),
                        title: title.chars().take(200).collect(),
                        created_at: crate::clock::now_ms(),
                        description: String::new(),
                    };
                    db::courses::insert_with_chapters(conn, &course, &[])?;
                    lti::link_context(conn, &pid, &context.id, &id)?;
                    id
                }
            };
            let owner = db::courses::owner_of(conn, &course)?;
            if owner.as_deref() != Some(instructor.as_str()) {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            Ok((instructor, course))
        })
        .map_err(|e| match e {
            diesel::result::Error::RollbackTransaction => {
                anyhow::anyhow!("the context's course belongs to another instructor")
            }
            other => other.into(),
        })
    })
    .await
}
