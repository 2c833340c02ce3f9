//! Extractors: who is calling (`CurrentInstructor`) and from where (`Origin`).

use crate::db::{self, models::Instructor};
use crate::error::ApiError;
use crate::http::SESSION_COOKIE;
use crate::services::{audit::Origin, tokens};
use crate::state::AppState;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use tracing_actix_web::RequestId;

impl FromRequest for Origin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The peer address, not X-Forwarded-For: a header is the client's to invent.
        ready(Ok(Origin {
            client_ip: req.peer_addr().map(|a| a.ip().to_string()),
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
        let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
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
/// this refuses anything but `{…}` with `invalid_input`, and otherwise behaves like
/// `web::Json` (same limits and errors).
pub struct JsonObject<T>(pub T);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for JsonObject<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = body.await?.into_inner();
            if !value.is_object() {
                return Err(
                    ApiError::invalid_input("The request body must be a JSON object.").into(),
                );
            }
            serde_json::from_value(value).map(JsonObject).map_err(|e| {
                ApiError::invalid_input(format!("The request body is invalid: {e}")).into()
            })
        })
    }
}
