//! Sign-in, sign-out and "who am I". A wrong email and a wrong password get the same answer
//! in the same time; every attempt is audited (repeated refusals counted on one row).
//! Throttling (`services::throttle`) never keeps an instructor out of a browser they signed in
//! from before, whatever others try on their email.

use crate::db::{self, models::Session};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{CurrentInstructor, JsonObject};
use crate::http::SESSION_COOKIE;
use crate::services::audit::{self, Event, Origin};
use crate::services::{device_cookie, passwords, throttle, token_pairs, tokens};
use crate::state::AppState;
use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use shared::dto::{Empty, LoginRequest, MeDto, RefreshRequest};
use shared::ErrorCode;

/// How long a session lasts.
const SESSION_DAYS: i64 = 7;

fn me_dto(instructor: &db::models::Instructor, undo_secs: u64) -> MeDto {
    MeDto {
        id: instructor.id.clone().into(),
        email: instructor.email.clone(),
        name: instructor.name.clone(),
        undo_secs,
    }
}

fn session_cookie(value: String, max_age: Duration, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(max_age)
        .finish()
}

/// 429 with `Retry-After`, audited (one row per address a minute, however many come): the
/// attempt is not even checked.
async fn throttled(state: &AppState, origin: &Origin, email: &str, wait_ms: i64) -> ApiError {
    let seconds = (wait_ms + 999) / 1000;
    audit::record_refusal(
        &state.pool,
        origin,
        Event::new("auth.login", "throttled")
            .actor(email)
            .details(serde_json::json!({ "retry_after_secs": seconds })),
        db::audit::SameWhen::SameAddress,
    )
    .await;
    let unit = if seconds == 1 { "second" } else { "seconds" };
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyAttempts,
        format!("Too many failed sign-ins. Wait {seconds} {unit}, then try again."),
    )
    .with_header("retry-after", seconds.to_string())
}

/// The device cookie after a sign-in to `email` from this browser.
fn device_cookie(state: &AppState, req: &HttpRequest, email: &str) -> Cookie<'static> {
    let now = crate::clock::now_ms() / 1000;
    let held = req.cookie(device_cookie::COOKIE);
    let held = held.as_ref().map_or("", |c| c.value());
    let value = device_cookie::after_sign_in(&state.secret, held, email, now);
    Cookie::build(device_cookie::COOKIE, value)
        .path("/api/auth")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.cookie_secure)
        .max_age(Duration::seconds(device_cookie::LIFETIME_SECS))
        .finish()
}

/// `POST /api/auth/login`.
pub async fn login(
    state: web::Data<AppState>,
    origin: Origin,
    req: HttpRequest,
    body: JsonObject<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { email, password } = body.0;
    // Limits in characters, as the OpenAPI document states them, counted before lowercasing
    // (which can lengthen a string).
    let too_long = email.chars().count() > 320 || password.chars().count() > 1024;
    let email = email.trim().to_lowercase();
    if email.is_empty() || password.is_empty() {
        return Err(ApiError::invalid_input(
            "Enter your email and your password.",
        ));
    }
    if too_long {
        return Err(ApiError::invalid_input(
            "That email or password is too long.",
        ));
    }
    // A browser that signed in to this account before is throttled on its own mistakes only.
    let known = req.cookie(device_cookie::COOKIE).and_then(|c| {
        let now = crate::clock::now_ms() / 1000;
        device_cookie::recognise(&state.secret, c.value(), &email, now)
    });
    let keys = match &known {
        Some(device) => throttle::Keys::known_device(device),
        None => throttle::Keys::unknown_browser(&email, origin.client_ip.as_deref()),
    };
    if let Some(wait_ms) = throttle::attempt(&state.pool, &keys).await? {
        return Err(throttled(&state, &origin, &email, wait_ms).await);
    }
    let lookup = email.clone();
    let found = db::run(&state.pool, move |conn| {
        Ok(db::instructors::by_email(conn, &lookup)?)
    })
    .await?;
    let stored = found.as_ref().map(|i| i.password_hash.clone());
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = web::block(move || passwords::verify(&password, stored.as_deref())).await?;
    let Some(instructor) = found.filter(|_| ok) else {
        // The attempt was charged as a failure before the check; it stays charged, and the
        // block it caused starts now.
        throttle::failed(&state.pool, &keys).await?;
        audit::record_refusal(
            &state.pool,
            &origin,
            Event::new("auth.login", "denied")
                .actor(&email)
                .details(serde_json::json!({
                    "reason": "invalid_credentials"
                })),
            db::audit::SameWhen::Everything,
        )
        .await;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "That email and password don't match an account. Check them and try again.",
        ));
    };

    throttle::succeeded(&state.pool, &keys).await?;
    let token = tokens::new_token();
    let now = crate::clock::now_ms();
    let session = Session {
        id: tokens::token_hash(&token),
        instructor_id: instructor.id.clone(),
        created_at: now,
        expires_at: now + SESSION_DAYS * 86_400_000,
    };
    db::write(&state.pool, move |conn| {
        db::sessions::delete_expired(conn, now)?;
        Ok(db::sessions::insert(conn, &session)?)
    })
    .await?;
    audit::record(
        &state.pool,
        &origin,
        Event::new("auth.login", "success").actor(&instructor.id),
    )
    .await;
    let cookie = session_cookie(
        token,
        Duration::days(SESSION_DAYS),
        state.config.cookie_secure,
    );
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .cookie(cookie)
        .cookie(device_cookie(&state, &req, &email))
        .json(me_dto(&instructor, state.config.delete_grace_secs)))
}

/// `POST /api/auth/logout`: ends the session if there is one; always clears the cookie.
pub async fn logout(
    state: web::Data<AppState>,
    origin: Origin,
    current: Option<CurrentInstructor>,
) -> ApiResult<HttpResponse> {
    if let Some(current) = current {
        let id = current.session_id.clone();
        db::write(&state.pool, move |conn| {
            db::refresh_tokens::revoke_family_of(conn, &id, crate::clock::now_ms())?;
            Ok(db::sessions::delete(conn, &id)?)
        })
        .await?;
        audit::record(
            &state.pool,
            &origin,
            Event::new("auth.logout", "success").actor(&current.instructor.id),
        )
        .await;
    }
    let cookie = session_cookie(String::new(), Duration::ZERO, state.config.cookie_secure);
    Ok(HttpResponse::Ok().cookie(cookie).json(Empty {}))
}

/// `GET /api/auth/me`.
pub async fn me(state: web::Data<AppState>, current: CurrentInstructor) -> web::Json<MeDto> {
    web::Json(me_dto(&current.instructor, state.config.delete_grace_secs))
}

/// `POST /api/auth/refresh`: a refresh token (from an LTI launch, or the last refresh) for an
/// access token and the next refresh token. One sent twice revokes every token of its launch.
pub async fn refresh(
    state: web::Data<AppState>,
    origin: Origin,
    body: JsonObject<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let token = body.0.refresh_token;
    let refused = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidRefreshToken,
            "This sign-in has ended. Open Reel again from your course.",
        )
    };
    if token.is_empty() || token.len() > 200 {
        return Err(refused());
    }
    match token_pairs::refresh(&state.pool, &token, state.config.access_token_secs).await? {
        Ok(pair) => Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(pair)),
        Err(token_pairs::Refused::Unknown) => {
            audit::record_refusal(
                &state.pool,
                &origin,
                Event::new("auth.refresh", "denied"),
                db::audit::SameWhen::SameAddress,
            )
            .await;
            Err(refused())
        }
        Err(token_pairs::Refused::Reused(instructor)) => {
            audit::record(
                &state.pool,
                &origin,
                Event::new("auth.refresh", "revoked")
                    .actor(&instructor)
                    .details(serde_json::json!({ "reason": "refresh_token_reused" })),
            )
            .await;
            Err(refused())
        }
    }
}
