//! One file's upload: find or create the tus upload, send chunks until the server has every
//! byte, retry what is worth retrying, then wait for the server's verdict on the file.

use super::{pace, resume, retry, store, turns};
use crate::api::tus::{self, Handle, TusError};
use crate::api::videos;
use crate::query::{QueryClient, QueryKey};
use crate::stores::uploads::{Destination, UploadStatus};
use shared::dto::VideoStatus;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// Progress is pushed to the store at most this often per file (~10 renders a second).
const PROGRESS_EVERY_MS: f64 = 100.0;

/// A queued or running upload and what controls it.
pub struct Job {
    pub(super) id: u32,
    pub(super) fingerprint: String,
    pub(super) file: File,
    pub(super) to: Destination,
    pub(super) client: QueryClient,
    pub(super) handle: Handle,
    pub(super) paused: Cell<bool>,
    pub(super) canceled: Cell<bool>,
    pub(super) running: Cell<bool>,
    /// Set once cancel has asked the server to end the upload.
    pub(super) ended_on_server: Cell<bool>,
    pub(super) upload: RefCell<Option<resume::Remembered>>,
    /// The size of the next chunk, learnt from the ones sent.
    pub(super) pace: RefCell<pace::Pace>,
    /// Where the chunk in flight ends, while one is (pause lets a chunk about to land land).
    pub(super) chunk_end: Cell<Option<f64>>,
}

impl Job {
    /// Aborts the request in flight, if any.
    pub(super) fn abort_request(&self) {
        if let Some(xhr) = self.handle.borrow().as_ref() {
            let _ = xhr.abort();
        }
    }

    pub(super) fn stopped(&self) -> bool {
        self.paused.get() || self.canceled.get()
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

async fn sleep_ms(ms: f64) {
    gloo_timers::future::TimeoutFuture::new(ms as u32).await;
}

enum Ended {
    /// All bytes are on the server.
    Sent,
    /// Paused or canceled.
    Stopped,
    /// Stopped with an error: (message, whether retrying can help).
    Failed(String, bool),
    /// The first bytes are not a video of the file's kind: nothing was sent.
    Refused(String),
}

/// Why the file's first bytes are not a video of the kind its name says, if they are not:
/// checked in the browser, so a mislabelled file is refused before it is sent.
async fn sniffed_refusal(job: &Job) -> Option<String> {
    let kind = shared::media::kind_for_upload(&job.file.name(), &job.file.type_()).ok()?;
    let head = job
        .file
        .slice_with_f64_and_f64(0.0, shared::media::SNIFF_LEN as f64)
        .ok()?;
    let buffer = JsFuture::from(head.array_buffer()).await.ok()?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    shared::media::refuse_head(&bytes, kind.container)
}

/// Waits `ms`, or less when the connection comes back or the job is paused or canceled
/// meanwhile.
async fn wait_or_wake(job: &Job, ms: f64) {
    let (until, wake) = (js_sys::Date::now() + ms, super::wake_count());
    while js_sys::Date::now() < until && super::wake_count() == wake && !job.stopped() {
        sleep_ms(200.0).await;
    }
}

fn browser_offline() -> bool {
    web_sys::window().is_some_and(|w| !w.navigator().on_line())
}

/// Runs `job`, then calls `next` so the queue moves on.
pub(super) fn start(job: Rc<Job>, next: fn()) {
    job.running.set(true);
    store().reduce_mut(|s| s.set_status(job.id, UploadStatus::Uploading));
    if job.upload.borrow().is_none() {
        // Started in the order the files were chosen (see `pump`): the turn is taken here,
        // before anything awaits, so it keeps that order.
        turns::take_turn(job.id);
    }
    wasm_bindgen_futures::spawn_local(async move {
        let ended = run(&job).await;
        turns::end_turn(job.id);
        job.running.set(false);
        if job.upload.borrow().is_some() && !matches!(ended, Ended::Stopped) {
            // Sent or refused: either way the chapter's list changes (a failed video shows
            // there at once, with its reason).
            invalidate(
                &job.client,
                &QueryKey::ChapterVideos(job.to.chapter_id.clone()),
            );
        }
        match ended {
            Ended::Sent => {
                resume::forget(&job.fingerprint);
                if let Some(upload) = job.upload.borrow().as_ref() {
                    let chapter = &job.to.chapter_id;
                    crate::frame::tell_host("reel:upload-complete", &upload.video_id, chapter);
                }
                next();
                await_verdict(&job).await;
            }
            Ended::Stopped => {
                // Canceled before the upload's address was known: end it on the server now, or
                // it would wait there, "uploading", for a client that is gone.
                let url = job.upload.borrow().as_ref().map(|u| u.url.clone());
                if let (true, false, Some(url)) =
                    (job.canceled.get(), job.ended_on_server.get(), url)
                {
                    job.ended_on_server.set(true);
                    resume::forget(&job.fingerprint);
                    super::end_on_server(job.client.clone(), job.to.chapter_id.clone(), url);
                }
                next()
            }
            Ended::Failed(message, retryable) => {
                store().reduce_mut(|s| {
                    s.set_status(job.id, UploadStatus::Failed { message, retryable })
                });
                next();
            }
            Ended::Refused(why) => {
                resume::forget(&job.fingerprint);
                store().reduce_mut(|s| s.set_status(job.id, UploadStatus::Rejected(why)));
                next();
            }
        }
    });
}

async fn run(job: &Job) -> Ended {
    if job.upload.borrow().is_none() {
        if let Some(why) = sniffed_refusal(job).await {
            return Ended::Refused(why);
        }
    }
    let (mut attempt, mut offline_tries) = (0, 0);
    loop {
        if job.stopped() {
            return Ended::Stopped;
        }
        match send_remaining(job, &mut attempt).await {
            Ok(()) => return Ended::Sent,
            Err(_) if job.stopped() => return Ended::Stopped,
            Err(TusError::Aborted) => return Ended::Stopped,
            // Offline: retries do not run out, and the connection coming back wakes them at
            // once; they still go on a timer, in case the browser is wrong about being offline.
            Err(e) if e.is_transient() && browser_offline() => {
                let step = offline_tries.min(retry::DELAYS_MS.len() - 1);
                offline_tries += 1;
                let delay = retry::delay_ms(step, js_sys::Math::random()).unwrap_or(16_000.0);
                let at = js_sys::Date::now() + delay;
                store().reduce_mut(|s| s.set_status(job.id, UploadStatus::Offline { at }));
                wait_or_wake(job, delay).await;
                if !browser_offline() {
                    offline_tries = 0;
                }
                if !job.stopped() {
                    store().reduce_mut(|s| s.set_status(job.id, UploadStatus::Uploading));
                }
            }
            Err(e) if e.is_transient() => match retry::delay_ms(attempt, js_sys::Math::random()) {
                Some(delay) => {
                    attempt += 1;
                    let (n, at) = (attempt as u32, js_sys::Date::now() + delay);
                    store().reduce_mut(|s| {
                        s.set_status(job.id, UploadStatus::Retrying { attempt: n, at })
                    });
                    wait_or_wake(job, delay).await;
                    if !job.stopped() {
                        store().reduce_mut(|s| s.set_status(job.id, UploadStatus::Uploading));
                    }
                }
                None => {
                    return Ended::Failed(
                        format!(
                            "{} Reel tried {} times. Check your connection, then press Retry.",
                            e.message(),
                            retry::DELAYS_MS.len() + 1
                        ),
                        true,
                    )
                }
            },
            // The server refused the request itself: the same request would be refused again,
            // except for a lost session (sign in again, then Retry).
            Err(e) => {
                let retryable = matches!(e, TusError::Status { status: 401, .. });
                return Ended::Failed(e.message(), retryable);
            }
        }
    }
}

/// Where to send bytes: the known upload (asking the server for its offset), a remembered one
/// from an earlier session, or a new one.
async fn locate(job: &Job) -> Result<(String, f64), TusError> {
    let known = job
        .upload
        .borrow()
        .clone()
        .or_else(|| resume::recall(&job.fingerprint));
    if let Some(entry) = known {
        match tus::offset(&entry.url, &job.handle).await {
            Ok(offset) => {
                if job.upload.borrow().is_none() && offset > 0.0 {
                    store().reduce_mut(|s| s.resumed(job.id, offset));
                }
                store().reduce_mut(|s| s.video(job.id, &entry.video_id));
                *job.upload.borrow_mut() = Some(entry.clone());
                return Ok((entry.url, offset));
            }
            // Expired, ended or never ours: forget it and start a fresh upload.
            Err(TusError::Status {
                status: 403 | 404 | 410,
                ..
            }) => resume::forget(&job.fingerprint),
            Err(e) => return Err(e),
        }
    }
    turns::wait_for_earlier(job).await;
    if job.stopped() {
        return Err(TusError::Aborted);
    }
    let created = tus::create(
        &job.file.name(),
        &job.file.type_(),
        &job.to.chapter_id,
        job.file.size(),
        &job.handle,
    )
    .await;
    turns::end_turn(job.id);
    let created = created?;
    let entry = resume::Remembered {
        url: created.url.clone(),
        video_id: created.video_id,
        name: job.file.name(),
        size: job.file.size(),
        last_modified: job.file.last_modified(),
        to: job.to.clone(),
    };
    store().reduce_mut(|s| s.video(job.id, &entry.video_id));
    crate::frame::tell_host("reel:upload-started", &entry.video_id, &job.to.chapter_id);
    *job.upload.borrow_mut() = Some(entry.clone());
    if job.canceled.get() {
        // Canceled while the server was creating it: `start` ends it on the server.
        return Err(TusError::Aborted);
    }
    resume::remember(&job.fingerprint, &entry);
    // The video exists now ("uploading"): the chapter's list shows it from the first byte,
    // and the course's counts include it (a chapter's delete asks with the same count the
    // server will take).
    let key = QueryKey::ChapterVideos(job.to.chapter_id.clone());
    job.client
        .invalidate(move |k| *k == key || *k == QueryKey::Courses);
    Ok((created.url, 0.0))
}

async fn send_remaining(job: &Job, attempt: &mut usize) -> Result<(), TusError> {
    let (url, mut offset) = locate(job).await?;
    let size = job.file.size();
    store().reduce_mut(|s| s.confirmed(job.id, offset, now()));
    let (mut hashing_ms, started) = (0.0, now());
    while offset < size {
        if job.stopped() {
            return Err(TusError::Aborted);
        }
        let end = (offset + job.pace.borrow().next()).min(size);
        let blob = job
            .file
            .slice_with_f64_and_f64(offset, end)
            .map_err(|_| TusError::Network)?;
        // The tus checksum extension: sha256 per chunk with the browser's native crypto.
        let t0 = now();
        let (body, checksum) = match JsFuture::from(blob.array_buffer()).await {
            Ok(buffer) => {
                let buffer: js_sys::ArrayBuffer = buffer.unchecked_into();
                let sum = tus::sha256_b64(&buffer).await;
                (buffer.into(), sum)
            }
            Err(_) => (blob.into(), None),
        };
        hashing_ms += now() - t0;
        // Paused, canceled or deleted while the chunk was read and hashed: nothing in flight
        // was there to abort, so nothing may go out now.
        if job.stopped() {
            return Err(TusError::Aborted);
        }
        let (id, last) = (job.id, Rc::new(Cell::new(0.0)));
        let on_progress = Box::new(move |loaded: f64| {
            let t = now();
            if t - last.get() >= PROGRESS_EVERY_MS {
                last.set(t);
                store().reduce_mut(|s| s.in_flight(id, loaded, t));
            }
        });
        job.chunk_end.set(Some(end));
        let sending = now();
        let answer = tus::patch(&url, offset, &body, checksum, on_progress, &job.handle).await;
        job.chunk_end.set(None);
        match answer {
            Ok(new_offset) => {
                job.pace
                    .borrow_mut()
                    .sent(new_offset - offset, (now() - sending) / 1000.0);
                offset = new_offset;
            }
            Err(e) => {
                if !matches!(e, TusError::Aborted) {
                    job.pace.borrow_mut().failed();
                }
                store().reduce_mut(|s| s.in_flight_lost(job.id));
                return Err(e);
            }
        }
        *attempt = 0;
        store().reduce_mut(|s| s.confirmed(job.id, offset, now()));
    }
    let total = now() - started;
    if total > 0.0 {
        web_sys::console::log_1(
            &format!(
                "reel: {} sent; sha256 checksums took {hashing_ms:.0} ms of {total:.0} ms ({:.1}%)",
                job.file.name(),
                hashing_ms / total * 100.0
            )
            .into(),
        );
    }
    Ok(())
}

/// "processing" until the server has checked the file; then the chapter's list is refreshed.
/// (It was refreshed once already when the last byte landed, by `start`.)
async fn await_verdict(job: &Job) {
    store().reduce_mut(|s| s.set_status(job.id, UploadStatus::Processing));
    let Some(video_id) = job.upload.borrow().as_ref().map(|u| u.video_id.clone()) else {
        return;
    };
    let key = QueryKey::ChapterVideos(job.to.chapter_id.clone());
    for _ in 0..1800 {
        sleep_ms(700.0).await;
        if job.canceled.get() {
            return;
        }
        let Ok(video) = videos::get(video_id.clone()).await else {
            continue;
        };
        let status = match video.status {
            VideoStatus::Ready => UploadStatus::Done,
            VideoStatus::Failed => UploadStatus::Failed {
                message: video
                    .failure_reason
                    .unwrap_or_else(|| "The server could not use this file.".into()),
                retryable: false,
            },
            VideoStatus::Processing | VideoStatus::Uploading => continue,
            VideoStatus::Canceled | VideoStatus::Deleted => UploadStatus::Failed {
                message: "The video was removed.".into(),
                retryable: false,
            },
        };
        store().reduce_mut(|s| s.set_status(job.id, status));
        invalidate(&job.client, &key);
        // The course page's chapter cards count the chapter's videos.
        invalidate(&job.client, &QueryKey::Courses);
        return;
    }
}

fn invalidate(client: &QueryClient, key: &QueryKey) {
    let key = key.clone();
    client.invalidate(move |k| *k == key);
}
