//! The tus 1.0.0 client side of uploads, over XMLHttpRequest: fetch cannot report upload
//! progress, and the progress bar must move during a chunk, not only between chunks.

use shared::actions::{upload_metadata as meta, UPLOADS_PATH, VIDEO_ID_HEADER};
use shared::ApiErrorBody;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ProgressEvent, XmlHttpRequest};

/// The request in flight, so pause and cancel can abort it.
pub type Handle = Rc<RefCell<Option<XmlHttpRequest>>>;

/// Why a tus request failed.
#[derive(Clone, Debug, PartialEq)]
pub enum TusError {
    /// No answer: offline, connection reset, server down.
    Network,
    /// Aborted on purpose (pause or cancel).
    Aborted,
    /// The server answered with an error.
    Status {
        /// HTTP status.
        status: u16,
        /// The server's error body, when it sent one.
        body: Option<ApiErrorBody>,
    },
}

impl TusError {
    /// Worth retrying after a pause: the network, the server's own trouble, a lock, a damaged
    /// chunk, or an offset that moved.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network => true,
            Self::Aborted => false,
            Self::Status { status, .. } => *status >= 500 || matches!(status, 409 | 423 | 460),
        }
    }

    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            Self::Network => "The connection was lost.".into(),
            Self::Aborted => "Stopped.".into(),
            Self::Status { body: Some(b), .. } => b.message.clone(),
            Self::Status { status, .. } => format!("The server answered HTTP {status}."),
        }
    }
}

struct Answer {
    status: u16,
    xhr: XmlHttpRequest,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.xhr.get_response_header(name).ok().flatten()
    }

    fn error(self) -> TusError {
        let body = self
            .xhr
            .response_text()
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok());
        TusError::Status {
            status: self.status,
            body,
        }
    }
}

/// Sends one request and waits for it; `on_progress` gets the bytes of the body sent so far.
/// With tokens (inside an LMS), a 401 renews the access token and sends it once more: the
/// server refused before reading a byte, so the same chunk at the same offset is right.
async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<&JsValue>,
    on_progress: Option<Box<dyn FnMut(f64)>>,
    handle: &Handle,
) -> Result<Answer, TusError> {
    let progress = on_progress.map(|f| Rc::new(RefCell::new(f)));
    let sent_with = super::bearer::fresh_header().await;
    let answer = send_once(
        method,
        url,
        headers,
        body,
        progress.clone(),
        sent_with.clone(),
        handle,
    )
    .await?;
    if answer.status == 401 && super::bearer::renew(sent_with).await {
        return send_once(
            method,
            url,
            headers,
            body,
            progress,
            super::bearer::header(),
            handle,
        )
        .await;
    }
    Ok(answer)
}

type Progress = Rc<RefCell<Box<dyn FnMut(f64)>>>;

async fn send_once(
    method: &str,
    url: &str,
    headers: &[(&str, String)],
    body: Option<&JsValue>,
    on_progress: Option<Progress>,
    authorization: Option<String>,
    handle: &Handle,
) -> Result<Answer, TusError> {
    let xhr = XmlHttpRequest::new().map_err(|_| TusError::Network)?;
    xhr.open_with_async(method, url, true)
        .map_err(|_| TusError::Network)?;
    xhr.set_request_header("Tus-Resumable", "1.0.0")
        .map_err(|_| TusError::Network)?;
    if let Some(value) = &authorization {
        xhr.set_request_header("Authorization", value)
            .map_err(|_| TusError::Network)?;
    }
    for (name, value) in headers {
        xhr.set_request_header(name, value)
            .map_err(|_| TusError::Network)?;
    }
    // A stalled chunk should fail and be retried, not hang forever.
    xhr.set_timeout(120_000);
    let progress = on_progress.map(|f| {
        Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            (f.borrow_mut())(e.loaded())
        })
    });
    if let (Some(cb), Ok(upload)) = (&progress, xhr.upload()) {
        upload.set_onprogress(Some(cb.as_ref().unchecked_ref()));
    }
    let outcome: Rc<RefCell<&'static str>> = Rc::new(RefCell::new("network"));
    let mut keep: Vec<Closure<dyn FnMut()>> = Vec::new();
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        for kind in ["load", "error", "abort", "timeout"] {
            let (resolve, outcome) = (resolve.clone(), outcome.clone());
            let cb = Closure::<dyn FnMut()>::new(move || {
                *outcome.borrow_mut() = kind;
                let _ = resolve.call0(&JsValue::NULL);
            });
            let _ = xhr.add_event_listener_with_callback(kind, cb.as_ref().unchecked_ref());
            keep.push(cb);
        }
    });
    *handle.borrow_mut() = Some(xhr.clone());
    let sent = match body {
        Some(b) if b.is_instance_of::<web_sys::Blob>() => {
            xhr.send_with_opt_blob(Some(b.unchecked_ref()))
        }
        Some(b) => xhr.send_with_opt_buffer_source(Some(b.unchecked_ref())),
        None => xhr.send(),
    };
    if sent.is_err() {
        handle.borrow_mut().take();
        return Err(TusError::Network);
    }
    let _ = JsFuture::from(promise).await;
    handle.borrow_mut().take();
    drop(keep);
    drop(progress);
    let outcome: &'static str = *outcome.borrow();
    match outcome {
        "load" => Ok(Answer {
            status: xhr.status().unwrap_or(0),
            xhr,
        }),
        "abort" => Err(TusError::Aborted),
        _ => Err(TusError::Network),
    }
}

/// Base64 through the browser's `btoa`, which takes a "binary string": one char per byte.
fn base64(bytes: &[u8]) -> Option<String> {
    let binary: String = bytes.iter().map(|b| char::from(*b)).collect();
    web_sys::window()?.btoa(&binary).ok()
}

fn b64(text: &str) -> String {
    base64(text.as_bytes()).unwrap_or_default()
}

/// A new upload on the server.
#[derive(Clone, Debug, PartialEq)]
pub struct Created {
    /// The upload URL (tus `Location`).
    pub url: String,
    /// The video being uploaded.
    pub video_id: String,
}

/// `POST /api/uploads`.
pub async fn create(
    name: &str,
    file_type: &str,
    chapter_id: &str,
    size: f64,
    handle: &Handle,
) -> Result<Created, TusError> {
    let metadata = format!(
        "{} {},{} {},{} {}",
        meta::FILENAME,
        b64(name),
        meta::FILETYPE,
        b64(file_type),
        meta::CHAPTER_ID,
        b64(chapter_id)
    );
    let headers = [
        ("Upload-Length", format!("{size}")),
        ("Upload-Metadata", metadata),
    ];
    let answer = send("POST", UPLOADS_PATH, &headers, None, None, handle).await?;
    if answer.status != 201 {
        return Err(answer.error());
    }
    match (answer.header("Location"), answer.header(VIDEO_ID_HEADER)) {
        (Some(url), Some(video_id)) => Ok(Created { url, video_id }),
        _ => Err(TusError::Status {
            status: answer.status,
            body: None,
        }),
    }
}

/// `HEAD {url}`: the server's offset.
pub async fn offset(url: &str, handle: &Handle) -> Result<f64, TusError> {
    let answer = send("HEAD", url, &[], None, None, handle).await?;
    if answer.status != 200 {
        return Err(TusError::Status {
            status: answer.status,
            body: None,
        });
    }
    answer
        .header("Upload-Offset")
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or(TusError::Status {
            status: answer.status,
            body: None,
        })
}

/// `PATCH {url}`: sends `body` (a Blob slice or an ArrayBuffer) at `offset`; returns the new
/// offset.
pub async fn patch(
    url: &str,
    offset: f64,
    body: &JsValue,
    checksum: Option<String>,
    on_progress: Box<dyn FnMut(f64)>,
    handle: &Handle,
) -> Result<f64, TusError> {
    let mut headers = vec![
        ("Upload-Offset", format!("{offset}")),
        (
            "Content-Type",
            "application/offset+octet-stream".to_string(),
        ),
    ];
    if let Some(sum) = checksum {
        headers.push(("Upload-Checksum", format!("sha256 {sum}")));
    }
    let answer = send(
        "PATCH",
        url,
        &headers,
        Some(body),
        Some(on_progress),
        handle,
    )
    .await?;
    if answer.status != 204 {
        return Err(answer.error());
    }
    answer
        .header("Upload-Offset")
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or(TusError::Status {
            status: 204,
            body: None,
        })
}

/// `DELETE {url}`: tus termination.
pub async fn terminate(url: &str) -> Result<(), TusError> {
    let answer = send("DELETE", url, &[], None, None, &Handle::default()).await?;
    match answer.status {
        204 | 404 | 410 => Ok(()),
        _ => Err(answer.error()),
    }
}

/// `OPTIONS /api/uploads`: the largest upload the server accepts.
pub async fn max_size() -> Result<u64, TusError> {
    let answer = send("OPTIONS", UPLOADS_PATH, &[], None, None, &Handle::default()).await?;
    answer
        .header("Tus-Max-Size")
        .and_then(|v| v.parse().ok())
        .ok_or(TusError::Network)
}

/// sha256 of a chunk with the browser's own crypto (fast, off the wasm heap), base64. `None`
/// where SubtleCrypto is unavailable (plain-HTTP origins other than localhost).
pub async fn sha256_b64(buffer: &js_sys::ArrayBuffer) -> Option<String> {
    let subtle = web_sys::window()?.crypto().ok()?.subtle();
    let promise = subtle
        .digest_with_str_and_buffer_source("SHA-256", buffer)
        .ok()?;
    let digest = JsFuture::from(promise).await.ok()?;
    base64(&js_sys::Uint8Array::new(&digest).to_vec())
}
