//! Uploads held by a delete that may still be undone. Deleting a video that is uploading, or a
//! chapter with uploads going into it, stops their requests and takes their rows out of the
//! tray with what was deleted; the server holds the uploads for the grace period. Undo brings
//! the rows back where they were, and the uploads go on from the server's offset. When the
//! undo window has passed, they are let go.

use super::job::Job;
use super::{resume, store, unfinished, JOBS};
use crate::stores::uploads::{UploadItem, UploadStatus};
use std::cell::RefCell;
use std::rc::Rc;

/// Held uploads are let go this long after the undo window closes (an Undo sent at its last
/// moment still finds them).
const MARGIN_MS: u32 = 10_000;

/// A held upload: its job, its row as it was, and which hold this is (a job given back and held
/// again must not be let go by the first hold's timer).
type Held = (Rc<Job>, UploadItem, u32);

thread_local! {
    static HELD: RefCell<Vec<Held>> = const { RefCell::new(Vec::new()) };
    static HOLDS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Holds the uploads `which` picks (queued ones too): their requests stop and their rows leave
/// the tray. Returns the held rows' file names, for the question and the toast.
fn hold(which: &dyn Fn(&Job) -> bool, window_ms: u32) -> Vec<String> {
    let jobs: Vec<Rc<Job>> = JOBS.with(|j| {
        j.borrow()
            .values()
            .filter(|job| !job.canceled.get() && which(job))
            .cloned()
            .collect()
    });
    let mut names = Vec::new();
    for job in jobs {
        let Some(item) = store().get().get(job.id).cloned() else {
            continue;
        };
        if !item.status.is_active() {
            continue;
        }
        job.paused.set(true);
        // A creation on its way is let land (the job stops before its first byte), or the
        // server would hold an upload this browser never learnt the address of.
        if job.upload.borrow().is_some() {
            job.abort_request();
        }
        store().reduce_mut(|s| s.remove(job.id));
        names.push(item.name.clone());
        let hold = HOLDS.with(|n| {
            n.set(n.get() + 1);
            n.get()
        });
        HELD.with(|h| h.borrow_mut().push((job.clone(), item, hold)));
        gloo_timers::callback::Timeout::new(window_ms.saturating_add(MARGIN_MS), move || {
            let_go(hold)
        })
        .forget();
    }
    super::pump();
    names
}

/// The names of what [`hold`] would hold now (nothing is changed).
fn would_hold(which: &dyn Fn(&Job) -> bool) -> Vec<String> {
    let state = store().get();
    JOBS.with(|j| {
        let mut picked: Vec<(u32, String)> = j
            .borrow()
            .values()
            .filter(|job| !job.canceled.get() && which(job))
            .filter_map(|job| state.get(job.id))
            .filter(|item| item.status.is_active())
            .map(|item| (item.id, item.name.clone()))
            .collect();
        picked.sort();
        picked.into_iter().map(|(_, name)| name).collect()
    })
}

/// Undo, or a delete the server refused: the held uploads `which` picks come back to the
/// tray where they were and go on.
fn give_back(which: &dyn Fn(&Job) -> bool) {
    let back: Vec<Held> = HELD.with(|h| {
        let mut held = h.borrow_mut();
        let (back, keep) = held.drain(..).partition(|(job, _, _)| which(job));
        *held = keep;
        back
    });
    for (job, item, _) in back {
        let (id, paused) = (job.id, item.status == UploadStatus::Paused);
        store().reduce_mut(|s| s.put_back(item));
        // One the instructor had paused stays paused.
        if !paused {
            super::resume(id);
        }
    }
}

/// The undo window of hold `hold` has passed: the upload is gone with its video.
fn let_go(hold: u32) {
    let gone = HELD.with(|h| {
        let mut held = h.borrow_mut();
        let at = held.iter().position(|(_, _, n)| *n == hold)?;
        Some(held.remove(at))
    });
    if let Some((job, _, _)) = gone {
        forget_job(&job);
        if let Some(video) = job.upload.borrow().as_ref().map(|u| u.video_id.clone()) {
            unfinished::drop_for_videos(&[video]);
        }
    }
}

/// A job whose video is gone for good: it stops for ever (the server ended or will end its
/// upload), and a reload no longer offers to resume it.
fn forget_job(job: &Job) {
    job.canceled.set(true);
    job.ended_on_server.set(true);
    JOBS.with(|j| j.borrow_mut().remove(&job.id));
    resume::forget(&job.fingerprint);
}

fn of_videos(job: &Job, videos: &[String]) -> bool {
    job.upload
        .borrow()
        .as_ref()
        .is_some_and(|u| videos.contains(&u.video_id))
}

/// Holds this browser's uploads of videos being deleted; rows of theirs that send nothing
/// (failed, or unfinished from before a reload) go at once, as the video does.
pub fn hold_videos(videos: &[String], window_ms: u32) {
    hold(&|job| of_videos(job, videos), window_ms);
    let idle: Vec<Rc<Job>> = JOBS.with(|j| {
        j.borrow()
            .values()
            .filter(|job| {
                of_videos(job, videos)
                    && !HELD.with(|h| h.borrow().iter().any(|(held, _, _)| held.id == job.id))
            })
            .cloned()
            .collect()
    });
    for job in idle {
        forget_job(&job);
        store().reduce_mut(|s| s.remove(job.id));
    }
    unfinished::drop_for_videos(videos);
}

/// Gives back the held uploads of videos restored (or whose delete was refused).
pub fn give_back_videos(videos: &[String]) {
    give_back(&|job| of_videos(job, videos));
}

/// The file names this browser is uploading into a chapter (queued ones too).
pub fn into_chapter(chapter_id: &str) -> Vec<String> {
    would_hold(&|job| job.to.chapter_id == chapter_id)
}

/// Holds the uploads into a chapter being deleted; returns their file names.
pub fn hold_chapter(chapter_id: &str, window_ms: u32) -> Vec<String> {
    hold(&|job| job.to.chapter_id == chapter_id, window_ms)
}

/// Gives back the held uploads into a chapter restored (or whose delete was refused).
pub fn give_back_chapter(chapter_id: &str) {
    give_back(&|job| job.to.chapter_id == chapter_id);
}
