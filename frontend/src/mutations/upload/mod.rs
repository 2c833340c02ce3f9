//! The upload mutation: files chosen on a chapter page go through a queue (3 at a time), each
//! in tus chunks with progress from XMLHttpRequest, retried with backoff on network errors,
//! 5xx and 423, resumable after pause, reload or a closed tab, and cancelable. Progress goes to
//! the UI store; when the server has the file, the chapter's videos in the query cache are
//! invalidated so the list shows it.

mod job;
pub mod resume;
pub mod retry;

use crate::api::tus::Handle;
use crate::query::QueryClient;
use crate::stores::uploads::{UploadStatus, UploadsStore};
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

/// Adds chosen files to the queue at once (refused ones are marked with the reason) and starts
/// as many as may run.
pub fn add_files(
    client: &QueryClient,
    instructor_id: &str,
    chapter_id: &str,
    files: Vec<File>,
    max_bytes: Option<u64>,
) {
    for file in files {
        let (name, size) = (file.name(), file.size());
        if let Some(why) = refusal(&name, &file.type_(), size, max_bytes) {
            let id = add_row(chapter_id, &name, size, UploadStatus::Queued);
            store().reduce_mut(|s| s.set_status(id, UploadStatus::Rejected(why)));
            continue;
        }
        let id = add_row(chapter_id, &name, size, UploadStatus::Queued);
        let job = Rc::new(Job {
            id,
            fingerprint: resume::fingerprint(
                instructor_id,
                chapter_id,
                &name,
                size,
                file.last_modified(),
            ),
            file,
            chapter_id: chapter_id.to_string(),
            client: client.clone(),
            handle: Handle::default(),
            paused: Cell::new(false),
            canceled: Cell::new(false),
            running: Cell::new(false),
            upload: RefCell::new(None),
        });
        JOBS.with(|jobs| jobs.borrow_mut().insert(id, job));
    }
    pump();
}

fn add_row(chapter_id: &str, name: &str, size: f64, status: UploadStatus) -> u32 {
    let mut id = 0;
    store().reduce_mut(|s| id = s.add(chapter_id, name, size, status));
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

/// Pauses an upload: the chunk in flight is aborted; the server keeps what it has.
pub fn pause(id: u32) {
    if let Some(job) = job(id) {
        job.paused.set(true);
        job.abort_request();
        store().reduce_mut(|s| s.set_status(id, UploadStatus::Paused));
    }
}

/// Resumes a paused or failed upload from the server's offset.
pub fn resume(id: u32) {
    if let Some(job) = job(id) {
        job.paused.set(false);
        store().reduce_mut(|s| s.set_status(id, UploadStatus::Queued));
        pump();
    }
}

/// Cancels an upload: the request is aborted, the upload terminated on the server, the row
/// removed.
pub fn cancel(id: u32) {
    if let Some(job) = JOBS.with(|j| j.borrow_mut().remove(&id)) {
        job.canceled.set(true);
        job.abort_request();
        let url = job.upload.borrow().as_ref().map(|u| u.url.clone());
        resume::forget(&job.fingerprint);
        if let Some(url) = url {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = crate::api::tus::terminate(&url).await;
            });
        }
    }
    store().reduce_mut(|s| s.remove(id));
    pump();
}

/// Cancels every unfinished upload of a chapter.
pub fn cancel_all(chapter_id: &str) {
    let ids: Vec<u32> = store()
        .get()
        .items
        .iter()
        .filter(|i| {
            i.chapter_id == chapter_id
                && i.status.is_active()
                && i.status != UploadStatus::Processing
        })
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

/// Sign-out: stop everything without terminating (the uploads stay resumable server-side
/// until they expire), and forget every remembered upload URL.
pub fn forget_everything() {
    let jobs: Vec<Rc<Job>> = JOBS.with(|j| j.borrow_mut().drain().map(|(_, job)| job).collect());
    for job in jobs {
        job.canceled.set(true);
        job.abort_request();
    }
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
