//! Every S3 call goes through [`with_retries`]: a timeout per attempt, and retries with
//! exponential backoff and full jitter on what S3 asks clients to retry (5xx, SlowDown, 429)
//! and on connection errors. rusoto retries nothing by itself.
//!
//! Errors leave this module as `io::Error`s whose text names only the operation: rusoto's own
//! messages can carry the endpoint, the bucket or a key, and they go to the log only.

use rusoto_core::RusotoError;
use std::future::Future;
use std::io;
use std::time::Duration;

/// How a call is retried.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Attempts in all (the first one included).
    pub attempts: u32,
    /// The first backoff; each next one doubles, up to [`Retry::max_backoff`].
    pub base: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// Why a call failed, once its retries ran out (or it was not worth retrying).
#[derive(Debug)]
pub enum Failure<E> {
    /// S3 answered with an error.
    S3(RusotoError<E>),
    /// No answer within the timeout.
    TimedOut,
}

impl<E: std::fmt::Debug> Failure<E> {
    /// The HTTP status S3 answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Failure::S3(RusotoError::Unknown(r)) => Some(r.status.as_u16()),
            _ => None,
        }
    }

    /// "There is no such key / upload / bucket": a 404, or rusoto's parsed `NoSuch…`.
    pub fn is_not_found(&self) -> bool {
        match self {
            Failure::S3(RusotoError::Service(e)) => format!("{e:?}").starts_with("NoSuch"),
            Failure::S3(RusotoError::Unknown(r)) => {
                r.status.as_u16() == 404
                    || body_code(&r.body).is_some_and(|c| c.starts_with("NoSuch"))
            }
            _ => false,
        }
    }

    fn retryable(&self) -> bool {
        match self {
            Failure::TimedOut => true,
            Failure::S3(RusotoError::HttpDispatch(_)) => true,
            Failure::S3(RusotoError::Unknown(r)) => {
                let status = r.status.as_u16();
                status >= 500
                    || status == 429
                    || body_code(&r.body).is_some_and(|c| {
                        matches!(c.as_str(), "SlowDown" | "RequestTimeout" | "InternalError")
                    })
            }
            // A 200 whose body is an error (S3 does this for CompleteMultipartUpload) parses
            // badly; the caller verifies the outcome rather than retrying blind.
            _ => false,
        }
    }

    /// The error for callers: its kind tells the upload layer what to say, its text names
    /// the operation only. The details go to the log.
    pub fn into_io(self, what: &str) -> io::Error {
        tracing::warn!(operation = what, failure = ?self, "object storage call failed");
        if self.is_not_found() {
            return io::Error::new(io::ErrorKind::NotFound, format!("{what}: not found"));
        }
        match self {
            Failure::TimedOut | Failure::S3(RusotoError::HttpDispatch(_)) => {
                super::super::unavailable(what)
            }
            Failure::S3(RusotoError::Unknown(r))
                if r.status.as_u16() >= 500 || r.status.as_u16() == 429 =>
            {
                super::super::unavailable(what)
            }
            Failure::S3(RusotoError::Credentials(_)) => io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("{what}: the S3 credentials were refused"),
            ),
            other => io::Error::other(format!(
                "{what} failed ({})",
                other
                    .status()
                    .map_or("no status".into(), |s| format!("HTTP {s}"))
            )),
        }
    }
}

/// The `<Code>` of an S3 XML error body.
fn body_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    Some(text[start..end].to_string())
}

/// Runs `call` until it succeeds, fails for good, or the attempts run out.
pub async fn with_retries<T, E, F, Fut>(
    what: &str,
    retry: Retry,
    timeout: Duration,
    mut call: F,
) -> Result<T, Failure<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RusotoError<E>>>,
    E: std::fmt::Debug,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let failure = match tokio::time::timeout(timeout, call()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => Failure::S3(e),
            Err(_) => Failure::TimedOut,
        };
        if attempt >= retry.attempts || !failure.retryable() {
            return Err(failure);
        }
        // Full jitter: many uploads hitting one SlowDown do not retry in step.
        let ceiling = retry
            .base
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(retry.max_backoff);
        let pause = ceiling.mul_f64(rand::random::<f64>());
        tracing::debug!(
            operation = what,
            attempt,
            ?pause,
            ?failure,
            "retrying an object storage call"
        );
        tokio::time::sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_code_of_an_error_body() {
        let body =
            b"<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>x</Message></Error>";
        assert_eq!(body_code(body).as_deref(), Some("SlowDown"));
        assert_eq!(body_code(b"<CompleteMultipartUploadResult/>"), None);
    }
}
