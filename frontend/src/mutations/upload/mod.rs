//! The upload mutation: files chosen on a chapter page go through one queue for the whole app
//! (3 at a time), each in tus chunks with progress from XMLHttpRequest, retried with backoff on
//! network errors, 5xx and 423 (and waiting, without giving up, while the browser is offline),
//! resumable after pause, reload or a closed tab, and cancelable. Progress goes to the UI
//! store; when the server has the file, or refuses it, the chapter's videos in the query cache
//! are invalidated so the list shows it.

mod copies;
pub mod held;
mod job;
pub mod pace;
pub mod resume;
pub mod retry;
mod turns;
mod unfinished;

pub use copies::add_files;
pub use unfinished::{discard, list_unfinished, resume_with_file};

use crate::api::tus::Handle;
use crate::query::{QueryClient, QueryKey};
use crate::stores::uploads::{Destination, UploadStatus, UploadsStore};
use job::Job;
use shared::media::{human_bytes, kind_for_upload};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use web_sys::File;
use yewdux::Dispatch;

/// Files uploading at once; the rest wait their turn.
pub const PARALLEL: usize = 3;

thread_local! {
    static JOBS: RefCell<HashMap<u32, Rc<Job>>> = RefCell::new(HashMap::new());
    /// Bumped when the connection comes back; retries waiting on a timer wake up.
    static WAKE: Cell<u32> = const { Cell::new(0) };
}

/// How many times the connection has come back (a waiting retry compares it).
pub(crate) fn wake_count() -> u32 {
    WAKE.with(Cell::get)
}

/// The uploads store's dispatch.
pub fn store() -> Dispatch<UploadsStore> {
    crate::stores::dispatch()
}

/// Why a file is refused before upload, if it is.
pub fn refusal(name: &str, file_type: &str, size: f64, max_bytes: Option<u64>) -> Option<String> {
    if let Err(why) = kind_for_upload(name, file_type) {
        return Some(format!("{why} Choose a video file instead."));
    }
    if size <= 0.0 {
        return Some("This file is empty. Choose the exported video instead.".into());
    }
    match max_bytes {
        Some(max) if size > max as f64 => Some(format!(
            "This file is {} and the limit is {}. Export it at a lower bitrate or split it into parts.",
            human_bytes(size as u64),
            human_bytes(max)
        )),
        _ => None,
    }
}

pub(super) fn fingerprint_of(instructor_id: &str, to: &Destination, file: &File) -> String {
    resume::fingerprint(
        instructor_id,
        &to.chapter_id,
        &file.name(),
        file.size(),
        file.last_modified(),
    )
}

pub(super) fn enqueue(
    client: &QueryClient,
    instructor_id: &str,
    to: &Destination,
    files: Vec<File>,
    max_bytes: Option<u64>,
) {
    for file in files {
        let (name, size) = (file.name(), file.size());
        if let Some(why) = refusal(&name, &file.type_(), size, max_bytes) {
            let id = add_row(to, &name, size, UploadStatus::Queued);
            store().reduce_mut(|s| s.set_status(id, UploadStatus::Rejected(why)));
            continue;
        }
        let fingerprint = fingerprint_of(instructor_id, to, &file);
        // The same file as an unfinished upload listed after a reload: that row continues.
        let waiting = unfinished::take(&fingerprint);
        let (id, known) = match waiting {
            Some((id, entry)) => {
                store().reduce_mut(|s| {
                    s.note(id, None);
                    s.set_status(id, UploadStatus::Queued)
                });
                (id, Some(entry))
            }
            None => (add_row(to, &name, size, UploadStatus::Queued), None),
        };
        let job = Rc::new(Job {
            id,
            fingerprint,
            file,
            to: to.clone(),
            client: client.clone(),
            handle: Handle::default(),
            paused: Cell::new(false),
            canceled: Cell::new(false),
            running: Cell::new(false),
            ended_on_server: Cell::new(false),
            upload: RefCell::new(known),
            pace: RefCell::new(pace::Pace::new(resume::fixed_chunk_bytes())),
            chunk_end: Cell::new(None),
        });
        JOBS.with(|jobs| jobs.borrow_mut().insert(id, job));
    }
    pump();
}

pub(super) fn add_row(to: &Destination, name: &str, size: f64, status: UploadStatus) -> u32 {
    let mut id = 0;
    store().reduce_mut(|s| id = s.add(to, name, size, status));
    id
}

/// Starts queued uploads while fewer than [`PARALLEL`] run.
fn pump() {
    let jobs: Vec<Rc<Job>> = JOBS.with(|j| j.borrow().values().cloned().collect());
    let mut running = jobs.iter().filter(|j| j.running.get()).count();
    let state = store().get();
    for item in state
        .items
        .iter()
        .filter(|i| i.status == UploadStatus::Queued)
    {
        if running >= PARALLEL {
            break;
        }
        if let Some(job) = jobs.iter().find(|j| j.id == item.id && !j.running.get()) {
            running += 1;
            job::start(job.clone(), pump);
        }
    }
}

fn job(id: u32) -> Option<Rc<Job>> {
    JOBS.with(|j| j.borrow().get(&id).cloned())
}

/// A chunk in flight that lands within this many seconds is let land when pausing.
const PAUSE_LETS_LAND_SECS: f64 = 4.0;

/// Pauses an upload. The server keeps whole chunks only, so a chunk that lands within a few
/// seconds is let land; a longer one is aborted (the server keeps what it had before it).
pub fn pause(id: u32) {
    if let Some(job) = job(id) {
        job.paused.set(true);
        let item = store().get().get(id).cloned();
        let lands_soon = match (job.chunk_end.get(), item) {
            (Some(end), Some(item)) if item.speed > 0.0 => {
                (end - item.sent) / item.speed <= PAUSE_LETS_LAND_SECS
            }
            _ => false,
        };
        if !lands_soon {
            job.abort_request();
        }
        store().reduce_mut(|s| s.set_status(id, UploadStatus::Paused));
    }
}

/// Resumes a paused or failed upload from the server's offset (or simply goes on, when the
/// pause let a chunk land and it is still landing).
pub fn resume(id: u32) {
    if let Some(job) = job(id) {
        job.paused.set(false);
        let status = if job.running.get() {
            UploadStatus::Uploading
        } else {
            UploadStatus::Queued
        };
        store().reduce_mut(|s| s.set_status(id, status));
        pump();
    }
}

/// Cancels an upload: the request in flight is aborted first (so it no longer holds the upload),
/// then the upload is terminated on the server (retried until the server answers), the row
/// removed and the chapter's list refreshed, so no "Uploading" video is left behind. An upload
/// still being created is terminated as soon as its creation answers (see `job`).
pub fn cancel(id: u32) {
    if let Some(job) = JOBS.with(|j| j.borrow_mut().remove(&id)) {
        job.canceled.set(true);
        resume::forget(&job.fingerprint);
        let url = job.upload.borrow().as_ref().map(|u| u.url.clone());
        if let Some(url) = url {
            job.abort_request();
            job.ended_on_server.set(true);
            end_on_server(job.client.clone(), job.to.chapter_id.clone(), url);
        }
    }
    store().reduce_mut(|s| s.remove(id));
    pump();
}

/// Terminates an upload on the server, trying again on network trouble, then refreshes the
/// chapter's list.
pub(super) fn end_on_server(client: QueryClient, chapter_id: String, url: String) {
    wasm_bindgen_futures::spawn_local(async move {
        for attempt in 0..6 {
            match crate::api::tus::terminate(&url).await {
                Err(e) if e.is_transient() => {
                    let delay = retry::delay_ms(attempt.min(3), 0.5).unwrap_or(4_000.0);
                    gloo_timers::future::TimeoutFuture::new(delay as u32).await;
                }
                _ => break,
            }
        }
        let key = QueryKey::ChapterVideos(chapter_id);
        client.invalidate(move |k| *k == key);
    });
}

/// Cancels every unfinished upload.
pub fn cancel_all() {
    let ids: Vec<u32> = store()
        .get()
        .items
        .iter()
        .filter(|i| i.status.is_active() && i.status != UploadStatus::Processing)
        .map(|i| i.id)
        .collect();
    for id in ids {
        cancel(id);
    }
}

/// Removes a row that needs nothing more (refused, failed or done).
pub fn dismiss(id: u32) {
    JOBS.with(|j| j.borrow_mut().remove(&id));
    store().reduce_mut(|s| s.remove(id));
}

/// Whether leaving the page now would stop bytes on their way (asks before unload).
pub fn has_unsent_work() -> bool {
    store()
        .get()
        .items
        .iter()
        .any(|i| i.status.is_sending() || (i.status == UploadStatus::Paused && job(i.id).is_some()))
}

/// The browser went offline or came back; coming back wakes every waiting retry at once.
pub fn set_online(online: bool) {
    store().reduce_mut(|s| s.offline = !online);
    if online {
        WAKE.with(|w| w.set(w.get() + 1));
    }
}

/// Sign-out: stop everything without terminating (the uploads stay resumable server-side
/// until they expire), and forget every remembered upload URL.
pub fn forget_everything() {
    let jobs: Vec<Rc<Job>> = JOBS.with(|j| j.borrow_mut().drain().map(|(_, job)| job).collect());
    for job in jobs {
        job.canceled.set(true);
        job.abort_request();
    }
    unfinished::forget_listed();
    resume::forget_all();
    store().reduce_mut(UploadsStore::clear);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_kinds_empty_files_and_oversized_files_are_refused_with_what_to_do() {
        assert!(refusal("notes.txt", "text/plain", 10.0, None)
            .expect("refused")
            .contains("Choose a video"));
        assert!(refusal("a.mp4", "video/mp4", 0.0, None)
            .expect("refused")
            .contains("empty"));
        let big =
            refusal("a.mp4", "video/mp4", 300.0 * 1048576.0, Some(200 << 20)).expect("refused");
        assert!(
            big.contains("300 MiB") && big.contains("200 MiB") && big.contains("split"),
            "{big}"
        );
        assert_eq!(refusal("a.mp4", "video/mp4", 10.0, Some(200 << 20)), None);
    }
}
