//! `/lti/login`: the OIDC login initiation (LTI Core 1.3 §4.1, Security Framework
//! §5.1.1.1). Reel remembers a state and a nonce and sends the browser to the platform's
//! authorisation endpoint, which answers with the launch.

use super::{frame_cookie, refused_page, STATE_COOKIE};
use crate::db::{self, lti};
use crate::services::audit::Origin;
use crate::services::lti::{registry, Refusal};
use crate::services::tokens;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// How long a login may wait for its launch.
const LOGIN_MS: i64 = 10 * 60 * 1000;

/// The OIDC login initiation's parameters (LTI Core 1.3 §4.1, Security Framework §5.1.1.1).
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    iss: Option<String>,
    login_hint: Option<String>,
    target_link_uri: Option<String>,
    lti_message_hint: Option<String>,
    client_id: Option<String>,
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
    // The target link URI is required of the platform; Reel launches to its own launch URL
    // whatever it says (the id_token carries the target again).
    let (Some(iss), Some(login_hint), Some(_target)) = (p.iss, p.login_hint, p.target_link_uri)
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
    .map_err(Refusal::unavailable)?
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
    .map_err(Refusal::unavailable)?;
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
        .insert_header((
            header::SET_COOKIE,
            frame_cookie(state, STATE_COOKIE, &state_token, "/lti", LOGIN_MS / 1000),
        ))
        .finish())
}

fn launch_url(state: &AppState, req: &HttpRequest) -> String {
    let own = crate::http::cross_site::own_origin(req.head(), &state.config);
    registry::tool_url(own.as_deref(), "/lti/launch")
}
