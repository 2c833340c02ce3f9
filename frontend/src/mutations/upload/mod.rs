//! The upload mutation: files chosen on a chapter page go through one queue for the whole app
//! (3 at a time), each in tus chunks with progress from XMLHttpRequest, retried with backoff on
//! network errors, 5xx and 423 (and waiting, without giving up, while the browser is offline),
//! resumable after pause, reload or a closed tab, and cancelable. Progress goes to the UI
//! store; when the server has the file, or refuses it, the chapter's videos in the query cache
//! are invalidated so the list shows it.

mod job;
pub mod resume;
pub mod retry;

use crate::api::tus::Handle;
use crate::query::{QueryClient, QueryKey};
use crate::stores::dialogs::{self, Question};
use crate::stores::uploads::{Destination, UploadStatus, UploadsStore};
use job::Job;
use shared::dto::{VideoDto, VideoStatus};
use shared::media::{human_bytes, kind_for_upload};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use web_sys::File;
use yew::Callback;
use yewdux::Dispatch;

/// Files uploading at once; the rest wait their turn.
pub const PARALLEL: usize = 3;

thread_local! {
    static JOBS: RefCell<HashMap<u32, Rc<Job>>> = RefCell::new(HashMap::new());
    /// Unfinished uploads of earlier visits, listed until their file is chosen again:
    /// row ID → (fingerprint, what was remembered).
    static WAITING: RefCell<HashMap<u32, (String, resume::Remembered)>> = RefCell::new(HashMap::new());
    /// The instructor whose unfinished uploads were listed (once per sign-in).
    static LISTED_FOR: RefCell<Option<String>> = const { RefCell::new(None) };
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

/// Adds chosen files to the queue at once (refused ones are marked with the reason) and starts
/// as many as may run. Files that look already uploaded to this chapter (same name and size in
/// its list, or a row of this browser with the same fingerprint) are held back behind
/// "Upload again?".
pub fn add_files(
    client: &QueryClient,
    instructor_id: &str,
    to: &Destination,
    files: Vec<File>,
    max_bytes: Option<u64>,
) {
    let listed = client
        .get::<Vec<VideoDto>>(&QueryKey::ChapterVideos(to.chapter_id.clone()))
        .unwrap_or_default();
    let rows = store().get();
    let (again, fresh): (Vec<File>, Vec<File>) = files.into_iter().partition(|f| {
        // Unfinished and failed videos are not copies: choosing their file again is the fix.
        let in_list = listed.iter().any(|v| {
            matches!(v.status, VideoStatus::Ready | VideoStatus::Processing)
                && v.size_bytes as f64 == f.size()
                && (v.title == f.name() || v.title == stem(&f.name()))
        });
        let in_panel = rows.items.iter().any(|i| {
            i.to.chapter_id == to.chapter_id
                && i.name == f.name()
                && i.size == f.size()
                && i.status != UploadStatus::Interrupted
                && !matches!(i.status, UploadStatus::Rejected(_))
        });
        in_list || in_panel
    });
    enqueue(client, instructor_id, to, fresh, max_bytes);
    if again.is_empty() {
        return;
    }
    let names: Vec<String> = again.iter().map(File::name).collect();
    let (title, body, label) = if let [only] = names.as_slice() {
        (
            format!("Upload “{only}” again?"),
            format!("A video named “{only}” of the same size is already in {}. Uploading it again adds a second copy.", to.chapter_title),
            "Upload again".to_string(),
        )
    } else {
        (
            format!("Upload {} files again?", names.len()),
            format!(
                "These files are already in {}: {}. Uploading them again adds second copies.",
                to.chapter_title,
                names.join(", ")
            ),
            format!("Upload {} again", names.len()),
        )
    };
    let (client, instructor, to) = (client.clone(), instructor_id.to_string(), to.clone());
    dialogs::ask(Question {
        title,
        body,
        confirm_label: label,
        cancel_label: "Skip".into(),
        danger: false,
        on_confirm: Callback::from(move |()| {
            enqueue(&client, &instructor, &to, again.clone(), max_bytes)
        }),
        on_cancel: Callback::noop(),
    });
}

/// "lecture 1" from "lecture 1.mp4" (the server titles videos by their file name's stem).
fn stem(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

fn fingerprint_of(instructor_id: &str, to: &Destination, file: &File) -> String {
    resume::fingerprint(
        instructor_id,
        &to.chapter_id,
        &file.name(),
        file.size(),
        file.last_modified(),
    )
}

fn enqueue(
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
        let waiting = WAITING.with(|w| {
            let found = w
                .borrow()
                .iter()
                .find(|(_, (key, _))| *key == fingerprint)
                .map(|(id, _)| *id);
            found.and_then(|id| w.borrow_mut().remove(&id).map(|(_, entry)| (id, entry)))
        });
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
        });
        JOBS.with(|jobs| jobs.borrow_mut().insert(id, job));
    }
    pump();
}

fn add_row(to: &Destination, name: &str, size: f64, status: UploadStatus) -> u32 {
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

/// Stops this browser's uploads of videos that are being deleted: the server ends the uploads
/// with the delete, so only the requests need stopping and the rows clearing.
pub fn stop_for_videos(video_ids: &[String]) {
    let jobs: Vec<Rc<Job>> = JOBS.with(|j| {
        j.borrow()
            .values()
            .filter(|job| {
                job.upload
                    .borrow()
                    .as_ref()
                    .is_some_and(|u| video_ids.contains(&u.video_id))
            })
            .cloned()
            .collect()
    });
    for job in jobs {
        JOBS.with(|j| j.borrow_mut().remove(&job.id));
        job.canceled.set(true);
        job.ended_on_server.set(true);
        job.abort_request();
        resume::forget(&job.fingerprint);
        store().reduce_mut(|s| s.remove(job.id));
    }
    let waiting: Vec<u32> = WAITING.with(|w| {
        w.borrow()
            .iter()
            .filter(|(_, (_, e))| video_ids.contains(&e.video_id))
            .map(|(id, _)| *id)
            .collect()
    });
    for id in waiting {
        if let Some((key, _)) = WAITING.with(|w| w.borrow_mut().remove(&id)) {
            resume::forget(&key);
        }
        store().reduce_mut(|s| s.remove(id));
    }
    pump();
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

/// Lists this instructor's unfinished uploads from earlier visits (once per sign-in), each
/// with the bytes the server has; uploads the server no longer has are forgotten.
pub fn list_unfinished(instructor_id: &str) {
    let first = LISTED_FOR.with(|l| {
        let mut l = l.borrow_mut();
        let first = l.as_deref() != Some(instructor_id);
        *l = Some(instructor_id.to_string());
        first
    });
    if !first {
        return;
    }
    let running: Vec<String> = JOBS.with(|j| {
        j.borrow()
            .values()
            .map(|job| job.fingerprint.clone())
            .collect()
    });
    for (key, entry) in resume::unfinished(instructor_id) {
        if running.contains(&key) {
            continue;
        }
        wasm_bindgen_futures::spawn_local(async move {
            let offset = match crate::api::tus::offset(&entry.url, &Handle::default()).await {
                Ok(offset) => offset,
                Err(crate::api::tus::TusError::Status { .. }) => {
                    resume::forget(&key);
                    return;
                }
                Err(_) => 0.0,
            };
            // The file may have been chosen again while the server was asked.
            let taken = JOBS.with(|j| j.borrow().values().any(|job| job.fingerprint == key));
            if taken {
                return;
            }
            let id = add_row(
                &entry.to,
                &entry.name,
                entry.size,
                UploadStatus::Interrupted,
            );
            store().reduce_mut(|s| {
                s.resumed(id, offset);
                s.video(id, &entry.video_id);
            });
            WAITING.with(|w| w.borrow_mut().insert(id, (key, entry)));
        });
    }
}

/// "Resume: choose the file again": the chosen file continues the row if it is the same file
/// (same fingerprint); otherwise the row says which file it needs.
pub fn resume_with_file(client: &QueryClient, instructor_id: &str, id: u32, file: File) {
    let Some((key, entry)) = WAITING.with(|w| w.borrow().get(&id).cloned()) else {
        return;
    };
    if fingerprint_of(instructor_id, &entry.to, &file) != key {
        let changed = js_sys::Date::new(&entry.last_modified.into());
        let note = format!(
            "“{}” ({}) is not the file this upload started with. Choose “{}” ({}, last changed {}).",
            file.name(),
            human_bytes(file.size() as u64),
            entry.name,
            human_bytes(entry.size as u64),
            String::from(changed.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)),
        );
        store().reduce_mut(|s| s.note(id, Some(note)));
        return;
    }
    enqueue(client, instructor_id, &entry.to, vec![file], None);
}

/// "Discard": ends an unfinished upload from an earlier visit on the server and forgets it.
pub fn discard(client: &QueryClient, id: u32) {
    if let Some((key, entry)) = WAITING.with(|w| w.borrow_mut().remove(&id)) {
        resume::forget(&key);
        end_on_server(client.clone(), entry.to.chapter_id, entry.url);
    }
    store().reduce_mut(|s| s.remove(id));
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
    WAITING.with(|w| w.borrow_mut().clear());
    LISTED_FOR.with(|l| *l.borrow_mut() = None);
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
