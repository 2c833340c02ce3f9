//! `/lti/launch`: the platform's form POST of `id_token` and `state`, checked, then the
//! person is signed in to the course behind the LMS course.

use super::{frame_cookie, refused_page, STATE_COOKIE};
use crate::db::{self, lti, models};
use crate::http::SESSION_COOKIE;
use crate::services::audit::{self, Event, Origin};
use crate::services::lti::{deep_link, identity, launch, platform_keys, Refusal};
use crate::services::{token_pairs, tokens};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// How long a used nonce is remembered (past any token's lifetime plus skew).
const NONCE_MS: i64 = 2 * 3600 * 1000;
/// How long an LTI session lasts (the LMS launches again for the next visit).
const SESSION_MS: i64 = 8 * 3600 * 1000;

/// The launch's form.
#[derive(Debug, Deserialize)]
pub struct LaunchForm {
    id_token: Option<String>,
    state: Option<String>,
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
    .map_err(Refusal::unavailable)?;
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
    .map_err(Refusal::unavailable)?;
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
    let (instructor_id, course_id) = identity::enter(&state.pool, &platform, &claims, &context)
        .await
        .map_err(Refusal::unavailable)?
        .ok_or_else(|| {
            Refusal::new(
                "lti_course_taken",
                "the context's course belongs to another instructor",
            )
        })?;
    if let Some(settings) = &claims.deep_linking {
        return deep_link_picker(
            state,
            origin,
            &platform,
            &claims,
            settings,
            instructor_id,
            course_id,
        )
        .await;
    }
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
    .map_err(Refusal::unavailable)?;
    audit::record(
        &state.pool,
        origin,
        Event::new("lti.launch", "success")
            .actor(&instructor_id)
            .target(&course_id)
            .details(serde_json::json!({ "message_type": claims.message_type })),
    )
    .await;
    // Where the cookie is kept, it signs the app in; where it is not (a frame, third-party
    // cookies blocked), the refresh token in the fragment does (`frontend/src/api/bearer.rs`).
    let refresh = token_pairs::start_family(&state.pool, &instructor_id)
        .await
        .map_err(Refusal::unavailable)?;
    // Where the app may tell the LMS page about uploads: its registered origins only.
    let frames = platform.frame_origins();
    let origins = if frames.is_empty() {
        String::new()
    } else {
        let list = frames.join(",");
        let encoded: String = serde_urlencoded::to_string([("", list.as_str())])
            .unwrap_or_default()
            .trim_start_matches('=')
            .to_string();
        format!("&lti-origins={encoded}")
    };
    let page = landing(state, &course_id, claims.video_id.clone()).await;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{page}#lti-refresh={refresh}{origins}"),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .append_header((
            header::SET_COOKIE,
            frame_cookie(state, SESSION_COOKIE, &session, "/", SESSION_MS / 1000),
        ))
        // The state is spent; its cookie goes (with the same attributes, or a partitioned
        // cookie would stay).
        .append_header((
            header::SET_COOKIE,
            frame_cookie(state, STATE_COOKIE, "", "/lti", 0),
        ))
        .finish())
}

/// A deep linking launch opens the picker of the course's videos (no session: the picker's
/// ticket is all its answer needs).
async fn deep_link_picker(
    state: &AppState,
    origin: &Origin,
    platform: &lti::Platform,
    claims: &launch::Launch,
    settings: &deep_link::Settings,
    instructor_id: String,
    course_id: String,
) -> Result<HttpResponse, Refusal> {
    let now = u64::try_from(crate::clock::now_ms() / 1000).unwrap_or_default();
    let ticket = deep_link::Ticket {
        platform_id: platform.id.clone(),
        deployment_id: claims.deployment_id.clone(),
        course_id,
        instructor_id,
        return_url: settings.deep_link_return_url.clone(),
        accept_multiple: settings.accept_multiple.unwrap_or(false),
        data: settings.data.clone(),
        exp: now + deep_link::TICKET_SECS,
    };
    audit::record(
        &state.pool,
        origin,
        Event::new("lti.launch", "success")
            .actor(&ticket.instructor_id)
            .target(&ticket.course_id)
            .details(serde_json::json!({ "message_type": claims.message_type })),
    )
    .await;
    let mut page = super::deep_link::picker(state, &ticket, None).await?;
    if let Ok(spent) =
        header::HeaderValue::from_str(&frame_cookie(state, STATE_COOKIE, "", "/lti", 0))
    {
        page.headers_mut().append(header::SET_COOKIE, spent);
    }
    Ok(page)
}

/// Where a launch lands: a link made by Deep Linking opens its video's chapter, when the video
/// is still in the course; any other launch (or a video deleted since) opens the course.
async fn landing(state: &AppState, course_id: &str, video_id: Option<String>) -> String {
    let course = course_id.to_string();
    let chapter = match video_id {
        Some(video) => db::run(&state.pool, move |conn| {
            Ok(db::videos::listed_in_course(conn, &course, &video)?)
        })
        .await
        .ok()
        .flatten()
        .map(|v| v.chapter_id),
        None => None,
    };
    match chapter {
        Some(chapter) => format!("/courses/{course_id}/chapters/{chapter}"),
        None => format!("/courses/{course_id}"),
    }
}
