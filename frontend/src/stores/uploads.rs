//! What the upload panel shows: one row per chosen file with where it goes, its status, bytes
//! sent, speed and time left, and whether the browser is offline. Only feedback lives here; the
//! files and the requests belong to the upload mutation, and the videos themselves to the query
//! cache.

use serde::{Deserialize, Serialize};
use yewdux::prelude::*;

/// Where an upload goes: the chapter, named, and its course (for a link back to it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    /// The chapter's ID.
    pub chapter_id: String,
    /// The chapter's title, as the row shows it.
    pub chapter_title: String,
    /// The course's ID.
    pub course_id: String,
}

/// Where a file is in the queue.
#[derive(Clone, Debug, PartialEq)]
pub enum UploadStatus {
    /// Waiting for a free slot.
    Queued,
    /// Bytes are moving.
    Uploading,
    /// Paused by the instructor.
    Paused,
    /// The network or server failed; trying again shortly.
    Retrying {
        /// Which retry this is (1-based).
        attempt: u32,
        /// When the next try starts (ms since the epoch).
        at: f64,
    },
    /// The browser is offline; the upload goes on when the connection is back (or at the
    /// next try, in case the browser is wrong about being offline).
    Offline {
        /// When the next try starts (ms since the epoch).
        at: f64,
    },
    /// Left unfinished in an earlier visit: the server keeps the bytes, the browser needs the
    /// file again to send the rest.
    Interrupted,
    /// All bytes arrived; the server is checking the file.
    Processing,
    /// In the chapter and playable.
    Done,
    /// Stopped with an error; the message says why and what to do.
    Failed {
        /// Why, in words for the instructor.
        message: String,
        /// Whether trying again can help (network trouble can; "not a video" cannot).
        retryable: bool,
    },
    /// Refused before any byte was sent (wrong kind, too large).
    Rejected(String),
}

impl UploadStatus {
    /// Still has work to do (counts toward the batch).
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            Self::Queued
                | Self::Uploading
                | Self::Paused
                | Self::Retrying { .. }
                | Self::Offline { .. }
                | Self::Processing
        )
    }

    /// Bytes are moving or about to (what leaving the page would interrupt).
    pub fn is_sending(&self) -> bool {
        matches!(
            self,
            Self::Queued | Self::Uploading | Self::Retrying { .. } | Self::Offline { .. }
        )
    }

    /// A short label, so the status never relies on colour alone.
    pub fn label(&self) -> String {
        match self {
            Self::Queued => "Waiting".into(),
            Self::Uploading => "Uploading".into(),
            Self::Paused => "Paused".into(),
            Self::Retrying { attempt, .. } => {
                format!("Connection lost — retrying (attempt {attempt})")
            }
            Self::Offline { .. } => "Offline — waiting".into(),
            Self::Interrupted => "Unfinished".into(),
            Self::Processing => "Processing".into(),
            Self::Done => "Uploaded".into(),
            Self::Failed { .. } => "Failed".into(),
            Self::Rejected(_) => "Can't upload".into(),
        }
    }
}

/// One chosen file.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadItem {
    /// Queue-local ID.
    pub id: u32,
    /// Where it goes.
    pub to: Destination,
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: f64,
    /// Bytes the server has (or that are on their way in the current chunk).
    pub sent: f64,
    /// Smoothed speed, bytes per second.
    pub speed: f64,
    /// Status.
    pub status: UploadStatus,
    /// Set when the upload continued from an earlier session's offset.
    pub resumed_from: Option<f64>,
    /// The video this upload fills, once the server has made it.
    pub video_id: Option<String>,
    /// A note about the last action on the row (e.g. a different file was chosen to resume).
    pub note: Option<String>,
    last_sample: Option<(f64, f64)>,
}

impl UploadItem {
    /// 0–100.
    pub fn percent(&self) -> f64 {
        if self.size <= 0.0 {
            return 0.0;
        }
        (self.sent / self.size * 100.0).clamp(0.0, 100.0)
    }

    /// Seconds left at the current speed, when it is known.
    pub fn eta_secs(&self) -> Option<f64> {
        (self.status == UploadStatus::Uploading && self.speed > 1.0)
            .then(|| (self.size - self.sent).max(0.0) / self.speed)
    }
}

/// The queue, across chapters: one panel shows it on every page.
#[derive(Clone, Debug, Default, PartialEq, Store)]
pub struct UploadsStore {
    /// Rows in the order files were chosen.
    pub items: Vec<UploadItem>,
    /// The latest sentence for the screen-reader live region.
    pub announcement: String,
    /// The browser says it has no connection (`navigator.onLine`).
    pub offline: bool,
    next_id: u32,
}

impl UploadsStore {
    /// Adds a row and returns its ID.
    pub fn add(&mut self, to: &Destination, name: &str, size: f64, status: UploadStatus) -> u32 {
        self.next_id += 1;
        self.items.push(UploadItem {
            id: self.next_id,
            to: to.clone(),
            name: name.to_string(),
            size,
            sent: 0.0,
            speed: 0.0,
            status,
            resumed_from: None,
            video_id: None,
            note: None,
            last_sample: None,
        });
        self.next_id
    }

    /// A row by ID.
    pub fn get(&self, id: u32) -> Option<&UploadItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// Changes a row's status; finishing states are announced to screen readers.
    pub fn set_status(&mut self, id: u32, status: UploadStatus) {
        let Some(item) = self.items.iter_mut().find(|i| i.id == id) else {
            return;
        };
        match &status {
            UploadStatus::Done => self.announcement = format!("{} uploaded and ready.", item.name),
            UploadStatus::Failed { message, .. } => {
                self.announcement = format!("{} failed: {message}", item.name)
            }
            UploadStatus::Rejected(why) => {
                self.announcement = format!("{} can't be uploaded: {why}", item.name)
            }
            _ => {}
        }
        if status != UploadStatus::Uploading {
            item.speed = 0.0;
            item.last_sample = None;
        }
        item.status = status;
    }

    /// Records bytes sent at time `now` (ms) and updates the smoothed speed.
    pub fn progress(&mut self, id: u32, sent: f64, now: f64) {
        let Some(item) = self.items.iter_mut().find(|i| i.id == id) else {
            return;
        };
        if let Some((t0, s0)) = item.last_sample {
            let dt = (now - t0) / 1000.0;
            if dt > 0.0 && sent >= s0 {
                let instant = (sent - s0) / dt;
                item.speed = if item.speed == 0.0 {
                    instant
                } else {
                    0.7 * item.speed + 0.3 * instant
                };
            }
        }
        item.last_sample = Some((now, sent));
        item.sent = sent.min(item.size);
    }

    /// Notes that an upload continued from `offset` instead of from zero.
    pub fn resumed(&mut self, id: u32, offset: f64) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.resumed_from = Some(offset);
            item.sent = offset;
        }
    }

    /// Removes a row.
    pub fn remove(&mut self, id: u32) {
        self.items.retain(|i| i.id != id);
    }

    /// Notes which video a row's upload fills.
    pub fn video(&mut self, id: u32, video_id: &str) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.video_id = Some(video_id.to_string());
        }
    }

    /// The videos this browser is sending bytes for right now (the library says "Uploading"
    /// only for these; other unfinished uploads are "Upload unfinished").
    pub fn sending_videos(&self) -> std::collections::BTreeSet<String> {
        self.items
            .iter()
            .filter(|i| i.status.is_sending() || i.status == UploadStatus::Paused)
            .filter_map(|i| i.video_id.clone())
            .collect()
    }

    /// Sets or clears a row's note.
    pub fn note(&mut self, id: u32, note: Option<String>) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.note = note;
        }
    }

    /// Removes finished and refused rows.
    pub fn clear_finished(&mut self) {
        self.items.retain(|i| {
            i.status.is_active()
                || i.status == UploadStatus::Interrupted
                || matches!(
                    i.status,
                    UploadStatus::Failed {
                        retryable: true,
                        ..
                    }
                )
        });
    }

    /// (bytes sent, bytes in total) over the rows that are still in the batch.
    pub fn batch(&self) -> (f64, f64) {
        self.items
            .iter()
            .filter(|i| i.status.is_active() || i.status == UploadStatus::Done)
            .fold((0.0, 0.0), |(s, t), i| (s + i.sent, t + i.size))
    }

    /// Forgets everything (sign-out).
    pub fn clear(&mut self) {
        self.items.clear();
        self.announcement.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(chapter: &str) -> Destination {
        Destination {
            chapter_id: chapter.into(),
            chapter_title: format!("Chapter {chapter}"),
            course_id: "course".into(),
        }
    }

    #[test]
    fn progress_gives_percent_speed_and_time_left() {
        let mut store = UploadsStore::default();
        let id = store.add(&to("ch"), "a.mp4", 1000.0, UploadStatus::Uploading);
        store.progress(id, 0.0, 0.0);
        store.progress(id, 100.0, 1000.0);
        let item = store.get(id).expect("row");
        assert_eq!(item.percent(), 10.0);
        assert_eq!(item.speed, 100.0);
        assert_eq!(item.eta_secs(), Some(9.0));
    }

    #[test]
    fn speed_is_smoothed_not_jumpy() {
        let mut store = UploadsStore::default();
        let id = store.add(&to("ch"), "a.mp4", 1e9, UploadStatus::Uploading);
        store.progress(id, 0.0, 0.0);
        store.progress(id, 100.0, 1000.0);
        store.progress(id, 1100.0, 2000.0);
        let speed = store.get(id).expect("row").speed;
        assert!(speed > 100.0 && speed < 1000.0, "{speed}");
    }

    #[test]
    fn the_batch_counts_active_and_done_rows_of_every_chapter() {
        let mut store = UploadsStore::default();
        let a = store.add(&to("ch"), "a.mp4", 100.0, UploadStatus::Uploading);
        let b = store.add(&to("ch"), "b.mp4", 300.0, UploadStatus::Queued);
        store.add(
            &to("ch"),
            "c.txt",
            50.0,
            UploadStatus::Rejected("no".into()),
        );
        store.add(&to("other"), "d.mp4", 1000.0, UploadStatus::Queued);
        store.progress(a, 100.0, 0.0);
        store.progress(b, 50.0, 0.0);
        assert_eq!(
            store.batch(),
            (150.0, 1400.0),
            "every chapter, refused rows left out"
        );
    }

    #[test]
    fn finishing_states_are_announced_and_clearing_keeps_work_in_progress() {
        let mut store = UploadsStore::default();
        let a = store.add(&to("ch"), "a.mp4", 1.0, UploadStatus::Uploading);
        let b = store.add(&to("ch"), "b.mp4", 1.0, UploadStatus::Uploading);
        store.set_status(a, UploadStatus::Done);
        assert_eq!(store.announcement, "a.mp4 uploaded and ready.");
        let c = store.add(&to("ch"), "c.mp4", 1.0, UploadStatus::Uploading);
        store.set_status(
            b,
            UploadStatus::Failed {
                message: "Not a video.".into(),
                retryable: false,
            },
        );
        assert!(store.announcement.contains("b.mp4 failed: Not a video."));
        store.set_status(
            c,
            UploadStatus::Failed {
                message: "Offline.".into(),
                retryable: true,
            },
        );
        store.clear_finished();
        let left: Vec<u32> = store.items.iter().map(|i| i.id).collect();
        assert_eq!(left, vec![c], "only failures worth retrying stay");
    }
}
