//! Who may probe now. Probing reads a whole file, so only a few run at once; and each
//! instructor has one lane, so one account's uploads (say, many files built to be slow to
//! check) queue behind each other and never hold every slot while other people wait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

type Lanes = Arc<Mutex<HashMap<String, Arc<Semaphore>>>>;

/// Probes that run at once in a server.
pub const SLOTS: usize = 2;

/// The probe slots and the per-instructor lanes in front of them.
pub struct ProbeQueue {
    slots: Arc<Semaphore>,
    lanes: Lanes,
}

/// A turn to probe; the slot and the lane are free again when it drops.
pub struct Turn {
    _slot: OwnedSemaphorePermit,
    lane: Option<OwnedSemaphorePermit>,
    owner: String,
    lanes: Lanes,
}

impl ProbeQueue {
    /// `slots` probes at once, at most one of them per instructor.
    pub fn new(slots: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            lanes: Arc::default(),
        }
    }

    /// Waits for `owner`'s lane (holding no slot meanwhile), then for a slot.
    pub async fn turn(&self, owner: &str) -> anyhow::Result<Turn> {
        let lane = {
            let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
            lanes
                .entry(owner.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(1)))
                .clone()
        };
        let lane = lane.acquire_owned().await?;
        let slot = self.slots.clone().acquire_owned().await?;
        Ok(Turn {
            _slot: slot,
            lane: Some(lane),
            owner: owner.to_string(),
            lanes: self.lanes.clone(),
        })
    }

    /// How many instructors have a lane right now (tests check lanes are not kept forever).
    pub fn lanes(&self) -> usize {
        self.lanes.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut lanes = self.lanes.lock().unwrap_or_else(|p| p.into_inner());
        drop(self.lane.take());
        // Only the map holds the lane now: nobody is in it or waiting for it.
        if lanes
            .get(&self.owner)
            .is_some_and(|lane| Arc::strong_count(lane) == 1)
        {
            lanes.remove(&self.owner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[actix_web::test]
    async fn one_instructors_queue_leaves_a_slot_for_another() {
        let queue = Arc::new(ProbeQueue::new(2));
        let first = queue.turn("mallory").await.expect("turn");
        // Mallory's second probe waits in her lane, not for a slot.
        let waiting = {
            let queue = queue.clone();
            actix_web::rt::spawn(async move { queue.turn("mallory").await.map(|_| ()) })
        };
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        let other = tokio::time::timeout(Duration::from_secs(5), queue.turn("ada"))
            .await
            .expect("ada is not starved")
            .expect("turn");
        drop((first, other));
        waiting.await.expect("joined").expect("mallory's turn came");
        assert_eq!(queue.lanes(), 0);
    }
}
