//! The action client: one typed async function per server action, built on the shared action
//! table. This is the only place in the browser app that knows about HTTP.

pub mod auth;
pub mod bearer;
pub mod courses;
pub mod tus;
pub mod videos;

use gloo_net::http::{Method as HttpMethod, RequestBuilder};
use shared::actions::{fill_path, Action, Method};
use shared::{ApiErrorBody, ErrorCode};

/// Why a call failed, in a shape components can show.
#[derive(Clone, Debug, PartialEq)]
pub enum ClientError {
    /// The server answered with an error body.
    Api {
        /// HTTP status.
        status: u16,
        /// The server's code and message.
        body: ApiErrorBody,
    },
    /// The request never got an answer (offline, server down).
    Network,
    /// The server answered with something this app cannot read.
    Unexpected(u16),
}

impl ClientError {
    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            Self::Api { body, .. } => body.message.clone(),
            Self::Network => {
                "Reel could not be reached. Check your connection and try again.".to_string()
            }
            Self::Unexpected(status) => {
                format!("Reel answered unexpectedly (HTTP {status}). Please try again.")
            }
        }
    }

    /// The server's error code, if the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { body, .. } => Some(body.code),
            _ => None,
        }
    }

    /// True when the caller must sign in again.
    pub fn is_unauthenticated(&self) -> bool {
        self.code() == Some(ErrorCode::Unauthenticated)
    }
}

/// Calls action `A` with path parameters and a body (`Empty` for none).
pub async fn call<A: Action>(params: &[&str], input: &A::Input) -> Result<A::Output, ClientError> {
    call_with_query::<A>(params, "", input).await
}

/// Calls action `A` with path parameters, a query string (without `?`; empty for none) and a
/// body.
///
/// Only the encoding and decoding are generic: the HTTP exchange is one function for every
/// action, so each new action adds its DTOs' serde code to the bundle and not a copy of the
/// request machinery.
pub async fn call_with_query<A: Action>(
    params: &[&str],
    query: &str,
    input: &A::Input,
) -> Result<A::Output, ClientError> {
    let mut url = fill_path(A::PATH, params);
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let body = match A::METHOD {
        Method::Get => None,
        _ => Some(serde_json::to_string(input).map_err(|_| ClientError::Network)?),
    };
    let (status, text) = exchange(A::METHOD, &url, body).await?;
    decode(status, &text)
}

/// An answer's body as `T`, or the error it stands for.
fn decode<T: serde::de::DeserializeOwned>(status: u16, text: &str) -> Result<T, ClientError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(text).map_err(|_| ClientError::Unexpected(status));
    }
    Err(refusal(status, text))
}

/// `POST /api/auth/refresh`, sent once: its 401 is final, never a reason to renew.
async fn refresh_tokens(
    input: &shared::dto::RefreshRequest,
) -> Result<shared::dto::TokenPair, ClientError> {
    use shared::actions::Refresh;
    let body = serde_json::to_string(input).map_err(|_| ClientError::Network)?;
    let (status, text) = exchange_once(Refresh::METHOD, Refresh::PATH, Some(body), None).await?;
    decode(status, &text)
}

/// One request and its answer's status and text; with tokens (inside an LMS), a 401 renews the
/// access token and sends the request once more.
async fn exchange(
    method: Method,
    url: &str,
    body: Option<String>,
) -> Result<(u16, String), ClientError> {
    let sent_with = bearer::fresh_header().await;
    let answer = exchange_once(method, url, body.clone(), sent_with.clone()).await?;
    if answer.0 == 401 && bearer::renew(sent_with).await {
        return exchange_once(method, url, body, bearer::header()).await;
    }
    Ok(answer)
}

async fn exchange_once(
    method: Method,
    url: &str,
    body: Option<String>,
    authorization: Option<String>,
) -> Result<(u16, String), ClientError> {
    let method = match method {
        Method::Get => HttpMethod::GET,
        Method::Post => HttpMethod::POST,
        Method::Delete => HttpMethod::DELETE,
        Method::Patch => HttpMethod::PATCH,
    };
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .header("Accept", "application/json");
    if let Some(value) = &authorization {
        builder = builder.header("Authorization", value);
    }
    let request = match body {
        None => builder.build(),
        Some(json) => builder
            .header("Content-Type", "application/json")
            .body(json),
    }
    .map_err(|_| ClientError::Network)?;
    let response = request.send().await.map_err(|_| ClientError::Network)?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|_| ClientError::Unexpected(status))?;
    Ok((status, text))
}

/// The error an answer outside 2xx stands for.
fn refusal(status: u16, text: &str) -> ClientError {
    match serde_json::from_str::<ApiErrorBody>(text) {
        Ok(body) => ClientError::Api { status, body },
        Err(_) => ClientError::Unexpected(status),
    }
}
