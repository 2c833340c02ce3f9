//! The one error type every action returns.
//!
//! Policy: a client error carries a stable [`ErrorCode`] and a message written for people.
//! An internal error is logged here with its full cause and the request id, and the client gets
//! only `internal` and a generic sentence: no path, SQL, provider name or backtrace ever leaves
//! the server. Objects the caller may not see are `not_found`, exactly like missing ones.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use shared::{ApiErrorBody, ErrorCode};
use std::fmt;

/// An error on its way to becoming a `{"code","message"}` response.
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    source: Option<anyhow::Error>,
    headers: Vec<(&'static str, String)>,
    current_order: Option<Vec<String>>,
}

impl ApiError {
    /// A client error with its own status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            source: None,
            headers: Vec::new(),
            current_order: None,
        }
    }

    /// 409 `stale_order`, carrying the server's order for the client to redraw from.
    pub fn stale_order(current: Vec<String>) -> Self {
        let mut error = Self::new(
            StatusCode::CONFLICT,
            ErrorCode::StaleOrder,
            "The order changed somewhere else (another tab?). This is the order now; make your change again.",
        );
        error.current_order = Some(current);
        error
    }

    /// 400 `invalid_title`, saying what is wrong with it.
    pub fn invalid_title(problem: shared::titles::TitleProblem) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidTitle,
            problem.message(),
        )
    }

    /// Adds a response header (`Retry-After`, say).
    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// 404: missing, or not the caller's to see.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Nothing was found here.",
        )
    }

    /// 401: no valid session.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "Please sign in to continue.",
        )
    }

    /// 400 with `invalid_input`.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidInput, message)
    }

    /// 500: the cause is logged, never sent.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: ErrorCode::Internal,
            message: "Something went wrong on our side. Please try again in a moment.".into(),
            source: Some(source.into()),
            headers: Vec::new(),
            current_order: None,
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )?;
        if let Some(source) = &self.source {
            write!(f, " ({source:#})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(source) = &self.source {
            // The request id is on the enclosing span, so the log line can be matched to it.
            tracing::error!(error = format!("{source:#}"), "request failed");
        }
        let mut res = HttpResponse::build(self.status);
        res.insert_header(("Cache-Control", "no-store"));
        for (name, value) in &self.headers {
            res.insert_header((*name, value.as_str()));
        }
        res.json(ApiErrorBody {
            code: self.code,
            message: self.message.clone(),
            current_order: self.current_order.clone(),
        })
    }
}

macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                Self::internal(e)
            }
        }
    )*};
}

internal_from!(
    anyhow::Error,
    diesel::result::Error,
    diesel::r2d2::PoolError,
    actix_web::error::BlockingError
);

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        // Object storage out of reach (after its retries) is a 503 with what to do, not a bug.
        if e.kind() == std::io::ErrorKind::ConnectionAborted {
            let mut error = Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "Video storage cannot be reached right now. Try again in a minute.",
            );
            error.source = Some(e.into());
            error.headers.push(("Retry-After", "30".into()));
            return error;
        }
        Self::internal(e)
    }
}

/// Shorthand for action results.
pub type ApiResult<T> = Result<T, ApiError>;
