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
            Self::Retrying { .. } => "Connection lost — retrying".into(),
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
    /// Bytes shown as sent: what the server confirmed plus an estimate of the chunk in flight
    /// that never runs ahead of the measured speed (the browser's own upload progress counts
    /// bytes handed to the network stack, which can be seconds ahead of the server).
    pub sent: f64,
    /// Bytes the server confirmed (its `Upload-Offset`).
    pub confirmed: f64,
    /// Speed in bytes per second over the last [`SPEED_WINDOW_MS`] of confirmed bytes; 0 until
    /// known.
    pub speed: f64,
    /// Status.
    pub status: UploadStatus,
    /// Set when the upload continued from an earlier session's offset.
    pub resumed_from: Option<f64>,
    /// The video this upload fills, once the server has made it.
    pub video_id: Option<String>,
    /// A note about the last action on the row (e.g. a different file was chosen to resume).
    pub note: Option<String>,
    /// (time in ms, confirmed bytes) over the speed window, oldest first.
    samples: std::collections::VecDeque<(f64, f64)>,
}

/// The window speed and time left are measured over: long enough that one chunk's burst or
/// stall does not swing them, short enough to follow a link that changes.
pub const SPEED_WINDOW_MS: f64 = 15_000.0;

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
            confirmed: 0.0,
            speed: 0.0,
            status,
            resumed_from: None,
            video_id: None,
            note: None,
            samples: Default::default(),
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
            item.samples.clear();
        }
        item.status = status;
    }

    /// The server confirmed `offset` bytes at time `now` (ms): the speed is measured over the
    /// confirmations of the last [`SPEED_WINDOW_MS`].
    pub fn confirmed(&mut self, id: u32, offset: f64, now: f64) {
        let Some(item) = self.items.iter_mut().find(|i| i.id == id) else {
            return;
        };
        if offset < item.confirmed {
            item.samples.clear(); // the server has less than thought (an upload started over)
        }
        item.confirmed = offset.min(item.size);
        item.sent = item.confirmed;
        item.samples.push_back((now, offset));
        // Keep one sample older than the window as its start, so the window spans all of it.
        while item.samples.len() > 2 && item.samples[1].0 <= now - SPEED_WINDOW_MS {
            item.samples.pop_front();
        }
        let (t0, c0) = item.samples[0];
        if now - t0 >= 500.0 {
            item.speed = (offset - c0).max(0.0) / ((now - t0) / 1000.0);
        }
    }

    /// The browser has handed `loaded` bytes of the chunk in flight to the network at time
    /// `now` (ms). Shown as sent only as far as the measured speed could have carried them
    /// since the last confirmation, and never backwards.
    pub fn in_flight(&mut self, id: u32, loaded: f64, now: f64) {
        let Some(item) = self.items.iter_mut().find(|i| i.id == id) else {
            return;
        };
        let since = item.samples.back().map_or(0.0, |(t, _)| (now - t) / 1000.0);
        let carried = if item.speed > 0.0 {
            loaded.min(item.speed * since)
        } else {
            loaded
        };
        item.sent = (item.confirmed + carried).min(item.size).max(item.sent);
    }

    /// The chunk in flight was lost (aborted, timed out, refused): show what the server has.
    pub fn in_flight_lost(&mut self, id: u32) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.sent = item.confirmed;
        }
    }

    /// Notes that an upload continued from `offset` instead of from zero.
    pub fn resumed(&mut self, id: u32, offset: f64) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
            item.resumed_from = Some(offset);
            item.sent = offset;
            item.confirmed = offset;
        }
    }

    /// Removes a row.
    pub fn remove(&mut self, id: u32) {
        self.items.retain(|i| i.id != id);
    }

    /// Puts a row taken out earlier back in its place (rows keep the order they were added in).
    pub fn put_back(&mut self, item: UploadItem) {
        if self.get(item.id).is_some() {
            return;
        }
        let at = self.items.iter().position(|i| i.id > item.id);
        self.items.insert(at.unwrap_or(self.items.len()), item);
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

    const MIB: f64 = 1024.0 * 1024.0;

    #[test]
    fn a_row_taken_out_comes_back_in_its_place_once() {
        let mut store = UploadsStore::default();
        let ids: Vec<u32> = ["a", "b", "c"]
            .iter()
            .map(|n| store.add(&to("ch"), n, 10.0, UploadStatus::Queued))
            .collect();
        let b = store.get(ids[1]).cloned().expect("row");
        store.remove(ids[1]);
        store.put_back(b.clone());
        store.put_back(b);
        let names: Vec<&str> = store.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn confirmed_bytes_give_percent_speed_and_time_left() {
        let mut store = UploadsStore::default();
        let id = store.add(&to("ch"), "a.mp4", 1000.0, UploadStatus::Uploading);
        store.confirmed(id, 0.0, 0.0);
        store.confirmed(id, 100.0, 1000.0);
        let item = store.get(id).expect("row");
        assert_eq!(item.percent(), 10.0);
        assert_eq!(item.speed, 100.0);
        assert_eq!(item.eta_secs(), Some(9.0));
    }

    #[test]
    fn bytes_in_flight_never_run_ahead_of_the_measured_speed() {
        // A 1 MiB/s link whose socket swallows a whole 3 MiB chunk in the first second: the
        // browser reports 3 MiB "loaded" long before the server has it.
        let mut store = UploadsStore::default();
        let id = store.add(&to("ch"), "a.mp4", 100.0 * MIB, UploadStatus::Uploading);
        for s in 0..=10 {
            store.confirmed(id, s as f64 * MIB, s as f64 * 1000.0);
        }
        store.in_flight(id, 3.0 * MIB, 10_500.0);
        let item = store.get(id).expect("row");
        assert!(
            (item.sent - 10.5 * MIB).abs() < 1.0,
            "half a second at 1 MiB/s, not 3 MiB: {}",
            item.sent / MIB
        );
        assert!((item.speed - MIB).abs() < 1.0);
        // Never backwards while the chunk is in flight.
        store.in_flight(id, 3.0 * MIB, 10_400.0);
        assert!((store.get(id).expect("row").sent - 10.5 * MIB).abs() < 1.0);
    }

    #[test]
    fn speed_follows_a_window_of_confirmations_not_one_chunk() {
        // 1 MiB/s for 20 s, then one chunk lands after a 0.1 s burst: the speed barely moves.
        let mut store = UploadsStore::default();
        let id = store.add(&to("ch"), "a.mp4", 1e9, UploadStatus::Uploading);
        for s in 0..=20 {
            store.confirmed(id, s as f64 * MIB, s as f64 * 1000.0);
        }
        store.confirmed(id, 23.0 * MIB, 20_100.0);
        let speed = store.get(id).expect("row").speed / MIB;
        assert!(speed > 1.0 && speed < 1.3, "{speed}");
        // After the window, a slower link is all that counts.
        for s in 1..=20 {
            store.confirmed(
                id,
                23.0 * MIB + s as f64 * MIB / 4.0,
                20_100.0 + s as f64 * 1000.0,
            );
        }
        let speed = store.get(id).expect("row").speed / MIB;
        assert!((speed - 0.25).abs() < 0.01, "{speed}");
    }

    #[test]
    fn a_lost_chunk_shows_what_the_server_has() {
        let mut store = UploadsStore::default();
        let id = store.add(&to("ch"), "a.mp4", 100.0, UploadStatus::Uploading);
        store.confirmed(id, 40.0, 0.0);
        store.in_flight(id, 30.0, 100.0);
        assert_eq!(store.get(id).expect("row").sent, 70.0);
        store.set_status(id, UploadStatus::Paused);
        assert_eq!(
            store.get(id).expect("row").sent,
            70.0,
            "a pause may let it land"
        );
        store.in_flight_lost(id);
        assert_eq!(store.get(id).expect("row").sent, 40.0);
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
        store.confirmed(a, 100.0, 0.0);
        store.confirmed(b, 50.0, 0.0);
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
