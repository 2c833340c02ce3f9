//! Extractors: who is calling (`CurrentInstructor`) and from where (`Origin`).

use crate::db::{self, models::Instructor};
use crate::error::ApiError;
use crate::http::{client_address, SESSION_COOKIE};
use crate::services::{audit::Origin, tokens};
use crate::state::AppState;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use tracing_actix_web::RequestId;

impl FromRequest for Origin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The peer address; X-Forwarded-For only from the proxies the operator trusts.
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.config.trusted_proxies.as_slice())
            .unwrap_or_default();
        let peer = req.peer_addr().map(|a| a.ip());
        ready(Ok(Origin {
            client_ip: client_address::client_ip(peer, req.headers(), trusted)
                .map(|ip| ip.to_string()),
            request_id: req.extensions().get::<RequestId>().map(|id| id.to_string()),
        }))
    }
}

/// The signed-in instructor; extracting it fails with 401 `unauthenticated` otherwise.
#[derive(Clone, Debug)]
pub struct CurrentInstructor {
    /// The instructor's row.
    pub instructor: Instructor,
    /// The hash identifying the session (for sign-out).
    pub session_id: String,
}

impl FromRequest for CurrentInstructor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        // An access token (a browser inside an LMS that keeps no cookie) or the cookie.
        let bearer = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let token = bearer.or_else(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()));
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(ApiError::unauthenticated());
            };
            let session_id = tokens::token_hash(&token);
            let lookup = session_id.clone();
            let instructor = db::run(&state.pool, move |conn| {
                Ok(db::sessions::instructor_for(
                    conn,
                    &lookup,
                    crate::clock::now_ms(),
                )?)
            })
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
            Ok(CurrentInstructor {
                instructor,
                session_id,
            })
        })
    }
}

/// A JSON body that must be an object. serde also reads a struct from an array (`[null,
/// null]`), which for a body of optional fields would be a change of nothing answered 200:
/// this refuses anything but `{…}` with `invalid_input`, and otherwise is `web::Json` (same
/// limits and errors, duplicated fields refused), so every action refuses a bad body alike.
pub struct JsonObject<T>(pub T);

/// `T`, read only from a JSON object.
struct ObjectOnly<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapOnly<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for MapOnly<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(MapOnly(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<ObjectOnly<T>>::from_request(req, payload);
        Box::pin(async move { Ok(JsonObject(body.await?.into_inner().0)) })
    }
}
