//! Unfinished uploads of earlier visits: listed after a reload with the bytes the server has,
//! continued when the same file is chosen again (matched by fingerprint), or discarded.

use super::{add_row, end_on_server, enqueue, fingerprint_of, resume, store, JOBS};
use crate::api::tus::Handle;
use crate::query::QueryClient;
use crate::stores::uploads::UploadStatus;
use shared::media::human_bytes;
use std::cell::RefCell;
use std::collections::HashMap;
use web_sys::File;

thread_local! {
    /// Listed until their file is chosen again: row ID → (fingerprint, what was remembered).
    static WAITING: RefCell<HashMap<u32, (String, resume::Remembered)>> = RefCell::new(HashMap::new());
    /// The instructor whose unfinished uploads were listed (once per sign-in).
    static LISTED_FOR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Takes the listed row waiting for the file with this fingerprint, if there is one.
pub(super) fn take(fingerprint: &str) -> Option<(u32, resume::Remembered)> {
    WAITING.with(|w| {
        let found = w
            .borrow()
            .iter()
            .find(|(_, (key, _))| key == fingerprint)
            .map(|(id, _)| *id);
        found.and_then(|id| w.borrow_mut().remove(&id).map(|(_, entry)| (id, entry)))
    })
}

/// Drops the listed rows of videos being deleted (the delete ends their uploads).
pub(super) fn drop_for_videos(video_ids: &[String]) {
    let gone: Vec<u32> = WAITING.with(|w| {
        w.borrow()
            .iter()
            .filter(|(_, (_, e))| video_ids.contains(&e.video_id))
            .map(|(id, _)| *id)
            .collect()
    });
    for id in gone {
        if let Some((key, _)) = WAITING.with(|w| w.borrow_mut().remove(&id)) {
            resume::forget(&key);
        }
        store().reduce_mut(|s| s.remove(id));
    }
}

/// Sign-out: nothing listed stays.
pub(super) fn forget_listed() {
    WAITING.with(|w| w.borrow_mut().clear());
    LISTED_FOR.with(|l| *l.borrow_mut() = None);
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
