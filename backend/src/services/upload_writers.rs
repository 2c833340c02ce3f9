//! The requests writing to an upload on this instance, each with the switch that tells it to
//! stop. Not a lock: who may write is the upload's lease, in the database; this is how a
//! delete, a terminate or a lost lease reaches a PATCH that is still streaming here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Why a request writing to an upload is told to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The upload ended (terminated, expired, its video deleted).
    Ended,
    /// Another request asked for the upload while this one's body had gone quiet.
    Yielded,
    /// Its lease was taken over (it stalled past the lease term).
    LeaseLost,
}

type Switches = Arc<Mutex<HashMap<String, watch::Sender<Option<StopReason>>>>>;

/// This instance's writers, cheap to clone.
#[derive(Clone, Default)]
pub struct UploadWriters(Switches);

/// Registers a request writing to an upload until dropped.
pub struct UploadWriter {
    writers: Switches,
    id: String,
    /// Turns `Some` when the request must stop.
    pub stop: watch::Receiver<Option<StopReason>>,
}

impl UploadWriters {
    /// Registers the request that holds an upload's lease on this instance.
    pub fn register(&self, id: &str) -> UploadWriter {
        let (switch, stop) = watch::channel(None);
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), switch);
        UploadWriter {
            writers: self.0.clone(),
            id: id.to_string(),
            stop,
        }
    }

    /// Tells the request writing to an upload on this instance, if any, to stop. (One on
    /// another instance learns at its next lease renewal.)
    pub fn stop(&self, id: &str, why: StopReason) {
        let held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(switch) = held.get(id) {
            let _ = switch.send(Some(why));
        }
    }
}

impl Drop for UploadWriter {
    fn drop(&mut self) {
        let mut writers = self.writers.lock().unwrap_or_else(|p| p.into_inner());
        // Only our own entry: a later request may have registered since.
        if writers
            .get(&self.id)
            .is_some_and(|s| s.subscribe().same_channel(&self.stop))
        {
            writers.remove(&self.id);
        }
    }
}
