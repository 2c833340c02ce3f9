//! Remembers upload URLs in localStorage under a fingerprint of the file, so choosing the same
//! file after a reload or a closed tab continues where the server is instead of starting over,
//! and the upload panel can list what is unfinished before any file is chosen.

use crate::stores::uploads::Destination;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "reel.upload:";

/// What is remembered about an unfinished upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    /// The tus upload URL.
    pub url: String,
    /// The video being uploaded.
    pub video_id: String,
    /// The file's name (what the panel shows before the file is chosen again).
    #[serde(default)]
    pub name: String,
    /// The file's size in bytes.
    #[serde(default)]
    pub size: f64,
    /// The file's last-modified time (ms), part of the fingerprint; shown when a different
    /// file is chosen.
    #[serde(default)]
    pub last_modified: f64,
    /// Where it goes.
    #[serde(default)]
    pub to: Destination,
}

/// Identifies "the same file for the same chapter and instructor".
pub fn fingerprint(
    instructor: &str,
    chapter: &str,
    name: &str,
    size: f64,
    last_modified: f64,
) -> String {
    format!("{PREFIX}{instructor}:{chapter}:{name}:{size}:{last_modified}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered upload for a fingerprint.
pub fn recall(key: &str) -> Option<Remembered> {
    serde_json::from_str(&storage()?.get_item(key).ok()??).ok()
}

/// Remembers an upload.
pub fn remember(key: &str, entry: &Remembered) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(entry)) {
        let _ = s.set_item(key, &json);
    }
}

/// Forgets one upload (completed, canceled, expired).
pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// This instructor's remembered uploads that the panel can list (older entries without a name
/// are left for the file picker to find), with their fingerprints, oldest key first.
pub fn unfinished(instructor: &str) -> Vec<(String, Remembered)> {
    let Some(s) = storage() else {
        return Vec::new();
    };
    let mine = format!("{PREFIX}{instructor}:");
    let mut keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(&mine))
        .collect();
    keys.sort();
    keys.into_iter()
        .filter_map(|k| {
            let entry = recall(&k)?;
            (!entry.name.is_empty()).then_some((k, entry))
        })
        .collect()
}

/// Forgets every remembered upload (sign-out).
pub fn forget_all() {
    let Some(s) = storage() else { return };
    let len = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..len)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for key in keys {
        let _ = s.remove_item(&key);
    }
}

/// A fixed chunk size from `reel.upload.chunk_bytes` in localStorage (a knob for tests; at
/// least 256 KiB); without it chunks follow the link (`pace`).
pub fn fixed_chunk_bytes() -> Option<f64> {
    storage()
        .and_then(|s| s.get_item("reel.upload.chunk_bytes").ok().flatten())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|v| v.max(256.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_differ_by_instructor_chapter_and_file() {
        let base = fingerprint("i", "c", "a.mp4", 10.0, 5.0);
        assert_ne!(base, fingerprint("j", "c", "a.mp4", 10.0, 5.0));
        assert_ne!(base, fingerprint("i", "d", "a.mp4", 10.0, 5.0));
        assert_ne!(base, fingerprint("i", "c", "a.mp4", 11.0, 5.0));
        assert_ne!(base, fingerprint("i", "c", "a.mp4", 10.0, 6.0));
        assert!(base.starts_with(PREFIX));
    }
}
