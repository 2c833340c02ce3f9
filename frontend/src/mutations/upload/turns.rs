//! Uploads are created on the server in the order the files were chosen, so a chapter lists
//! them in that order (the server appends each video as its upload is created). Up to
//! [`super::PARALLEL`] files upload at once; only their creation requests take turns, and
//! each is a few milliseconds. Without turns, two files dropped together could land either way
//! round (their requests race, and on several instances often do).

use super::job::Job;
use std::cell::RefCell;

thread_local! {
    /// Running jobs (by row ID, which grows in the order files were chosen) whose upload is
    /// not created yet.
    static CREATING: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// A job that will create its upload has started: later ones wait for its creation.
pub(super) fn take_turn(id: u32) {
    CREATING.with(|c| c.borrow_mut().push(id));
}

/// The job's creation answered (either way) or the job ended: later ones may go.
pub(super) fn end_turn(id: u32) {
    CREATING.with(|c| c.borrow_mut().retain(|&i| i != id));
}

/// Whether a job chosen before `id` is still creating its upload.
fn earlier_is_creating(creating: &[u32], id: u32) -> bool {
    creating.iter().any(|&i| i < id)
}

/// Waits until every job chosen before this one has created its upload (or ended), or this
/// one is paused or canceled.
pub(super) async fn wait_for_earlier(job: &Job) {
    while CREATING.with(|c| earlier_is_creating(&c.borrow(), job.id)) && !job.stopped() {
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_chosen_earlier_hold_a_creation_back() {
        let creating = [7, 4];
        assert!(
            !earlier_is_creating(&creating, 4),
            "the first waits for nobody"
        );
        assert!(earlier_is_creating(&creating, 5));
        assert!(earlier_is_creating(&creating, 9));
        assert!(!earlier_is_creating(&[], 1));
    }
}
